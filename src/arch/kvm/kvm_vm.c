/* SPDX-License-Identifier: Apache-2.0 */
/* KVM backend: the VM (KVM_CREATE_VM, memory slots) and the ops table. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_internal.h"

void *axvm_kvm_zalloc(const struct axvm_hal *hal, size_t size)
{
	void *p = hal->alloc ? hal->alloc(hal->ctx, size) : calloc(1, size);

	if (p && hal->alloc)
		memset(p, 0, size);
	return p;
}

void axvm_kvm_free(const struct axvm_hal *hal, void *p, size_t size)
{
	if (!p)
		return;
	if (hal->free)
		hal->free(hal->ctx, p, size);
	else
		free(p);
}

void axvm_kvm_log(const struct axvm_hal *hal, enum axvm_log_level lvl,
                  const char *msg)
{
	if (hal && hal->log)
		hal->log(hal->ctx, lvl, msg);
}

const char *axvm_kvm_fail_name(uint64_t reason)
{
	switch (AXVM_KVM_FAIL_CLASS(reason)) {
	case AXVM_KVM_FAIL_HARDWARE:
		return "hardware entry failure (invalid guest state)";
	case AXVM_KVM_FAIL_TRIPLE_FAULT:
		return "triple fault";
	case AXVM_KVM_FAIL_INTERNAL:
		return AXVM_KVM_FAIL_DETAIL(reason) ==
		               KVM_INTERNAL_ERROR_EMULATION
		           ? "KVM internal error: instruction emulation failed"
		           : "KVM internal error";
	case AXVM_KVM_FAIL_BAD_EXIT:
		return "malformed exit data from KVM";
	case AXVM_KVM_FAIL_UNKNOWN:
		return "unknown KVM exit reason";
	default:
		return "unknown failure";
	}
}

/* The kick only has to interrupt KVM_RUN; immediate_exit does the rest. */
static void kick_handler(int sig)
{
	(void)sig;
}

static void install_kick_handler(int sig)
{
	struct sigaction cur, sa;

	if (sigaction(sig, NULL, &cur))
		return;
	if ((cur.sa_flags & SA_SIGINFO) ||
	    (cur.sa_handler != SIG_DFL && cur.sa_handler != SIG_IGN))
		return; /* the program's own handler interrupts KVM_RUN too */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART; /* other syscalls restart; KVM_RUN does not */
	sigaction(sig, &sa, NULL);
}

static int kvm_vm_init(const struct axvm_arch_vm_info *info, void **out)
{
	const struct axvm_kvm_params *p = info->arch_ctx;
	const char *dev = p && p->device ? p->device : "/dev/kvm";
	struct kvm_vm *vm;
	int kvm, rc = AXVM_EIO;
	long n;

	kvm = open(dev, O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		axvm_kvm_log(info->hal, AXVM_LOG_ERROR,
		             "kvm: cannot open the KVM device");
		return errno == ENOENT ? AXVM_ENOENT : AXVM_EPERM;
	}
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION ||
	    ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0 ||
	    ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) <= 0) {
		axvm_kvm_log(info->hal, AXVM_LOG_ERROR,
		             "kvm: API version 12 with immediate_exit needed");
		close(kvm);
		return AXVM_ENOTSUP;
	}
	vm = axvm_kvm_zalloc(info->hal, sizeof(*vm));
	if (!vm) {
		close(kvm);
		return AXVM_ENOMEM;
	}
	vm->hal = info->hal;
	vm->vm_fd = -1;
	vm->vm_id = info->vm_id;
	vm->vcpu_count = info->vcpu_count;
	vm->kick_signal = p && p->kick_signal ? p->kick_signal : SIGUSR1;
	n = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (n < (long)sizeof(struct kvm_run))
		goto fail;
	vm->run_size = (size_t)n;
	if ((rc = axvm_kvm_supported_cpuid(kvm, &vm->cpuid, &vm->cpuid_bytes)))
		goto fail;
	do
		vm->vm_fd = ioctl(kvm, KVM_CREATE_VM, 0);
	while (vm->vm_fd < 0 && errno == EINTR);
	if (vm->vm_fd < 0) {
		rc = errno == ENOMEM ? AXVM_ENOMEM : AXVM_EIO;
		axvm_kvm_log(info->hal, AXVM_LOG_ERROR,
		             "kvm: KVM_CREATE_VM failed");
		goto fail;
	}
	/* Every fd we hold stays out of children the program may spawn. */
	fcntl(vm->vm_fd, F_SETFD, FD_CLOEXEC);
	close(kvm);
	install_kick_handler(vm->kick_signal);
	*out = vm;
	return 0;
fail:
	close(kvm);
	free(vm->cpuid);
	axvm_kvm_free(info->hal, vm, sizeof(*vm));
	return rc;
}

static void kvm_vm_destroy(void *p)
{
	struct kvm_vm *vm = p;

	if (!vm)
		return;
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	free(vm->cpuid);
	axvm_kvm_free(vm->hal, vm, sizeof(*vm));
}

/* One RAM region -> one KVM memory slot. The core has checked alignment
 * and overlaps; KVM checks again. */
static int kvm_map_region(void *p, const struct axvm_mem_region *r, void *hva)
{
	struct kvm_vm *vm = p;
	struct kvm_userspace_memory_region m;

	if (!hva || !r->size)
		return AXVM_EINVAL;
	if (vm->slots >= KVM_MAX_SLOTS)
		return AXVM_E2BIG;
	memset(&m, 0, sizeof(m));
	m.slot = vm->slots;
	m.guest_phys_addr = r->gpa;
	m.memory_size = r->size;
	m.userspace_addr = (uint64_t)(uintptr_t)hva;
	if (!(r->flags & AXVM_MEM_WRITE))
		m.flags = KVM_MEM_READONLY;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &m)) {
		axvm_kvm_log(vm->hal, AXVM_LOG_ERROR,
		             "kvm: KVM_SET_USER_MEMORY_REGION failed");
		return errno == ENOMEM ? AXVM_ENOMEM : AXVM_EINVAL;
	}
	vm->slots++;
	if (r->gpa == 0 && (r->flags & AXVM_MEM_WRITE)) {
		vm->ram = hva;
		vm->ram_size = r->size;
	}
	return 0;
}

const struct axvm_arch_ops axvm_arch_kvm = {
    .name = "kvm",
    .ctx = NULL,
    .pt_format = NULL, /* KVM owns the nested page tables */
    .vm_init = kvm_vm_init,
    .vm_destroy = kvm_vm_destroy,
    .map_region = kvm_map_region,
    .vcpu_create = axvm_kvm_vcpu_create,
    .vcpu_destroy = axvm_kvm_vcpu_destroy,
    .vcpu_setup = axvm_kvm_vcpu_setup,
    .vcpu_set_entry = axvm_kvm_vcpu_set_entry,
    .vcpu_bind = axvm_kvm_vcpu_bind,
    .vcpu_unbind = axvm_kvm_vcpu_unbind,
    .vcpu_run = axvm_kvm_vcpu_run,
    .vcpu_get_gpr = axvm_kvm_vcpu_get_gpr,
    .vcpu_set_gpr = axvm_kvm_vcpu_set_gpr,
    .vcpu_inject_irq = axvm_kvm_vcpu_inject_irq,
    .vcpu_kick = axvm_kvm_vcpu_kick,
};
