/* SPDX-License-Identifier: Apache-2.0 */
/* KVM backend: vCPU lifetime, registers, interrupt queue and kick. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_internal.h"

int axvm_kvm_vcpu_create(void *vm_arch, uint32_t id, void **out)
{
	struct kvm_vm *vm = vm_arch;
	struct kvm_vcpu *v;
	void *run;
	int fd, rc;

	if (id >= vm->vcpu_count)
		return AXVM_EINVAL;
	v = axvm_kvm_zalloc(vm->hal, sizeof(*v));
	if (!v)
		return AXVM_ENOMEM;
	fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (fd < 0) {
		axvm_kvm_log(vm->hal, AXVM_LOG_ERROR,
		             "kvm: KVM_CREATE_VCPU failed");
		rc = errno == ENOMEM ? AXVM_ENOMEM : AXVM_EIO;
		goto fail;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	run =
	    mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (run == MAP_FAILED) {
		rc = AXVM_ENOMEM;
		close(fd);
		goto fail;
	}
	/* CPUID once: KVM refuses a different table after the first run. */
	if ((rc = axvm_kvm_set_cpuid(fd, vm->cpuid, vm->cpuid_bytes, id))) {
		axvm_kvm_log(vm->hal, AXVM_LOG_ERROR,
		             "kvm: KVM_SET_CPUID2 failed");
		munmap(run, vm->run_size);
		close(fd);
		goto fail;
	}
	v->vm = vm;
	v->index = id;
	v->fd = fd;
	v->run = run;
	v->run_size = vm->run_size;
	*out = v;
	return 0;
fail:
	axvm_kvm_free(vm->hal, v, sizeof(*v));
	return rc;
}

void axvm_kvm_vcpu_destroy(void *p)
{
	struct kvm_vcpu *v = p;

	if (!v)
		return;
	munmap(v->run, v->vm->run_size);
	close(v->fd);
	axvm_kvm_free(v->vm->hal, v, sizeof(*v));
}

static void clear_irqs(struct kvm_vcpu *v)
{
	for (unsigned i = 0; i < 4; i++)
		atomic_store(&v->irq_pending[i], 0);
	atomic_store(&v->irq_any, false);
}

int axvm_kvm_vcpu_setup(void *p, uint64_t entry, axvm_hpa_t root)
{
	struct kvm_vcpu *v = p;
	struct kvm_vm *vm = v->vm;
	uint64_t top;
	int rc;

	(void)root; /* KVM owns the nested page tables */
	if (!vm->ram || vm->ram_size < AXVM_KVM_RAM_MIN) {
		axvm_kvm_log(vm->hal, AXVM_LOG_ERROR,
		             "kvm: the x86_64 guest ABI needs writable RAM at "
		             "guest-physical 0, at least 2 MiB");
		return AXVM_EINVAL;
	}
	top = vm->ram_size < AXVM_KVM_MAPPED_LIMIT ? vm->ram_size
	                                           : AXVM_KVM_MAPPED_LIMIT;
	if ((uint64_t)(v->index + 1) * AXVM_KVM_STACK_SIZE >
	    top - AXVM_KVM_IMAGE_MIN) {
		axvm_kvm_log(vm->hal, AXVM_LOG_ERROR,
		             "kvm: RAM too small for one stack per vCPU");
		return AXVM_EINVAL;
	}
	/* A VM reset may find an exit in flight: finish it first, or KVM
	 * would apply it (skip an instruction) on top of the new state. */
	if ((rc = axvm_kvm_complete_pending(v)))
		return rc;
	if ((rc = axvm_kvm_write_boot_tables(vm->ram, vm->ram_size)))
		return rc;
	if ((rc = axvm_kvm_vcpu_boot_state(v->fd, entry, v->index, vm->ram_size,
	                                   0)))
		return rc;
	v->regs_valid = false;
	v->regs_dirty = false;
	v->boot_pending = false;
	v->pending = KVM_PENDING_NONE;
	v->io_index = v->io_left = 0;
	clear_irqs(v);
	return 0;
}

/* Power-on (CPU up): usually called from another vCPU's thread while this
 * one is off, so only the cached registers change here; run() loads them
 * on this vCPU's own thread (the core publishes them with its power flag). */
int axvm_kvm_vcpu_set_entry(void *p, uint64_t entry, uint64_t arg)
{
	struct kvm_vcpu *v = p;

	if (atomic_load(&v->tid)) /* bound: its thread owns the cached registers */
		return AXVM_EBUSY;
	axvm_kvm_boot_regs(&v->regs, entry, v->index, v->vm->ram_size, arg);
	v->regs_valid = true;
	v->regs_dirty = true;
	v->boot_pending = true;
	return 0;
}

int axvm_kvm_vcpu_bind(void *p)
{
	struct kvm_vcpu *v = p;
	sigset_t set;

	/* The kick signal must reach this thread while it is in KVM_RUN. */
	sigemptyset(&set);
	sigaddset(&set, v->vm->kick_signal);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	atomic_store(&v->tid, gettid());
	return 0;
}

int axvm_kvm_vcpu_unbind(void *p)
{
	struct kvm_vcpu *v = p;

	atomic_store(&v->tid, 0);
	return 0;
}

int axvm_kvm_load_regs(struct kvm_vcpu *v)
{
	if (v->regs_valid)
		return 0;
	if (ioctl(v->fd, KVM_GET_REGS, &v->regs))
		return AXVM_EIO;
	v->regs_valid = true;
	return 0;
}

int axvm_kvm_flush_regs(struct kvm_vcpu *v)
{
	if (!v->regs_dirty)
		return 0;
	if (ioctl(v->fd, KVM_SET_REGS, &v->regs))
		return AXVM_EIO;
	v->regs_dirty = false;
	return 0;
}

static uint64_t *gpr_slot(struct kvm_regs *r, uint32_t reg)
{
	switch (reg) {
	case AXVM_KVM_REG_RAX:
		return (uint64_t *)&r->rax;
	case AXVM_KVM_REG_RCX:
		return (uint64_t *)&r->rcx;
	case AXVM_KVM_REG_RDX:
		return (uint64_t *)&r->rdx;
	case AXVM_KVM_REG_RBX:
		return (uint64_t *)&r->rbx;
	case AXVM_KVM_REG_RSP:
		return (uint64_t *)&r->rsp;
	case AXVM_KVM_REG_RBP:
		return (uint64_t *)&r->rbp;
	case AXVM_KVM_REG_RSI:
		return (uint64_t *)&r->rsi;
	case AXVM_KVM_REG_RDI:
		return (uint64_t *)&r->rdi;
	case AXVM_KVM_REG_R8:
		return (uint64_t *)&r->r8;
	case AXVM_KVM_REG_R9:
		return (uint64_t *)&r->r9;
	case AXVM_KVM_REG_R10:
		return (uint64_t *)&r->r10;
	case AXVM_KVM_REG_R11:
		return (uint64_t *)&r->r11;
	case AXVM_KVM_REG_R12:
		return (uint64_t *)&r->r12;
	case AXVM_KVM_REG_R13:
		return (uint64_t *)&r->r13;
	case AXVM_KVM_REG_R14:
		return (uint64_t *)&r->r14;
	case AXVM_KVM_REG_R15:
		return (uint64_t *)&r->r15;
	case AXVM_KVM_REG_RIP:
		return (uint64_t *)&r->rip;
	case AXVM_KVM_REG_RFLAGS:
		return (uint64_t *)&r->rflags;
	default:
		return NULL;
	}
}

/* The bytes of the read in flight that a pseudo-register names, or NULL
 * if no such read is pending. */
static uint8_t *data_slot(struct kvm_vcpu *v, uint32_t reg, unsigned *width)
{
	struct kvm_run *run = v->run;

	if (reg == AXVM_KVM_REG_IO_DATA && v->pending == KVM_PENDING_IO &&
	    run->io.direction == KVM_EXIT_IO_IN) {
		/* Offsets were bounds-checked when the exit was decoded. */
		*width = run->io.size;
		return (uint8_t *)run + run->io.data_offset +
		       (size_t)v->io_index * run->io.size;
	}
	if (reg == AXVM_KVM_REG_MMIO_DATA && v->pending == KVM_PENDING_MMIO &&
	    !run->mmio.is_write) {
		*width = run->mmio.len;
		return run->mmio.data;
	}
	return NULL;
}

int axvm_kvm_vcpu_get_gpr(void *p, uint32_t reg, uint64_t *value)
{
	struct kvm_vcpu *v = p;
	uint64_t *slot;
	uint8_t *d;
	unsigned w;
	int rc;

	if (reg < AXVM_KVM_REG_GPR_COUNT) {
		if ((rc = axvm_kvm_load_regs(v)))
			return rc;
		slot = gpr_slot(&v->regs, reg);
		*value = *slot;
		return 0;
	}
	if (!(d = data_slot(v, reg, &w)))
		return AXVM_EINVAL;
	*value = 0;
	for (unsigned i = 0; i < w; i++)
		*value |= (uint64_t)d[i] << (8 * i);
	return 0;
}

int axvm_kvm_vcpu_set_gpr(void *p, uint32_t reg, uint64_t value)
{
	struct kvm_vcpu *v = p;
	uint8_t *d;
	unsigned w;
	int rc;

	if (reg < AXVM_KVM_REG_GPR_COUNT) {
		if ((rc = axvm_kvm_load_regs(v)))
			return rc;
		*gpr_slot(&v->regs, reg) = value;
		v->regs_dirty = true;
		return 0;
	}
	if (!(d = data_slot(v, reg, &w)))
		return AXVM_EINVAL;
	for (unsigned i = 0; i < w; i++)
		d[i] = (uint8_t)(value >> (8 * i));
	return 0;
}

/* Any thread: queue the vector; the vCPU's own thread hands it to KVM at
 * its next entry, once the guest can take it (userspace irqchip). */
int axvm_kvm_vcpu_inject_irq(void *p, uint32_t irq)
{
	struct kvm_vcpu *v = p;

	if (irq < 32 || irq > 255)
		return AXVM_ERANGE; /* 0..31 are exceptions, not interrupts */
	atomic_fetch_or(&v->irq_pending[irq / 64], (uint64_t)1 << (irq % 64));
	atomic_store(&v->irq_any, true);
	return 0;
}

/* Any thread: immediate_exit makes a KVM_RUN that has not started yet
 * return at once; the signal interrupts one already in the guest. */
int axvm_kvm_vcpu_kick(void *p)
{
	struct kvm_vcpu *v = p;
	pid_t tid;

	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	tid = atomic_load(&v->tid);
	if (tid > 0)
		tgkill(getpid(), tid, v->vm->kick_signal);
	return 0;
}
