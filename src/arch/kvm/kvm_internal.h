/* SPDX-License-Identifier: Apache-2.0 */
/* KVM backend internals shared by its files (and by the raw-loop benchmark,
 * which reuses the long-mode setup so both run the same guest state). */
#ifndef AXVM_KVM_INTERNAL_H
#define AXVM_KVM_INTERNAL_H

#include <linux/kvm.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "axvm_kvm.h"

#define KVM_MAX_SLOTS AXVM_MAX_REGIONS

struct kvm_vm {
	const struct axvm_hal *hal;
	int vm_fd;
	int kick_signal;
	size_t run_size; /* mmap size of struct kvm_run */
	uint32_t vm_id;
	uint32_t vcpu_count;
	uint32_t slots; /* memory slots in use */
	uint8_t *ram;   /* host view of the RAM region at gpa 0 */
	uint64_t ram_size;
	struct kvm_cpuid2 *cpuid; /* KVM_GET_SUPPORTED_CPUID, sized below */
	size_t cpuid_bytes;
};

/* What the last exit left for userspace to complete. */
enum kvm_pending {
	KVM_PENDING_NONE = 0,
	KVM_PENDING_IO,   /* kvm_run.io, element io_index, io_left after it */
	KVM_PENDING_MMIO, /* kvm_run.mmio */
};

struct kvm_vcpu {
	struct kvm_vm *vm;
	uint32_t index;
	int fd;
	struct kvm_run *run;
	/* Cached KVM_GET_REGS; written back before the next KVM_RUN. */
	struct kvm_regs regs;
	bool regs_valid;
	bool regs_dirty;
	/* Userspace must re-enter KVM_RUN before guest state is consistent
	 * (a port-I/O or MMIO exit in flight). */
	bool needs_completion;
	bool boot_pending; /* set_entry wrote fresh registers */
	enum kvm_pending pending;
	uint32_t io_index; /* string I/O: element being handed to the core */
	/* Elements after io_index; nonzero only while pending is IO, so
	 * run() tests this one word on every entry. */
	uint32_t io_left;
	size_t run_size; /* vm->run_size, one load nearer */
	/* Interrupt vectors queued by inject_irq (any thread). */
	_Atomic uint64_t irq_pending[4];
	atomic_bool irq_any;
	/* Thread in run(), for the kick signal; 0 when unbound. */
	_Atomic pid_t tid;
};

/* Allocation through the HAL's small-object hooks when present. */
void *axvm_kvm_zalloc(const struct axvm_hal *hal, size_t size);
void axvm_kvm_free(const struct axvm_hal *hal, void *p, size_t size);

/* Long-mode boot state (kvm_boot.c). */
/* Write the GDT, TSS and identity page tables into guest RAM [0, 1 MiB). */
int axvm_kvm_write_boot_tables(uint8_t *ram, uint64_t ram_size);
/* Fill special registers for 64-bit mode with the tables written above. */
void axvm_kvm_longmode_sregs(struct kvm_sregs *sregs);
/* Registers at power-on for vCPU `index`: entry, stack, RDI/RSI/RDX. */
void axvm_kvm_boot_regs(struct kvm_regs *regs, uint64_t entry, uint32_t index,
                        uint64_t ram_size, uint64_t arg);
/* KVM_SET_CPUID2 on vcpu_fd from the supported list, APIC ids patched. */
int axvm_kvm_set_cpuid(int vcpu_fd, const struct kvm_cpuid2 *supported,
                       size_t bytes, uint32_t index);
/* KVM_GET_SUPPORTED_CPUID into a fresh allocation (free with free()). */
int axvm_kvm_supported_cpuid(int kvm_fd, struct kvm_cpuid2 **out,
                             size_t *bytes);
/* Set sregs, FPU and registers on a vCPU (boot or reset). */
int axvm_kvm_vcpu_boot_state(int vcpu_fd, uint64_t entry, uint32_t index,
                             uint64_t ram_size, uint64_t arg);

/* Exit decoding (kvm_exit.c). */
int axvm_kvm_vcpu_run(void *vcpu_arch, struct axvm_exit *exit);
/* Finish an exit in flight without running guest code (reset paths). */
int axvm_kvm_complete_pending(struct kvm_vcpu *v);

/* Registers (kvm_vcpu.c). */
int axvm_kvm_flush_regs(struct kvm_vcpu *v);
int axvm_kvm_load_regs(struct kvm_vcpu *v);

/* vCPU and VM hooks for the ops table (kvm_vm.c). */
int axvm_kvm_vcpu_create(void *vm_arch, uint32_t id, void **out);
void axvm_kvm_vcpu_destroy(void *vcpu_arch);
int axvm_kvm_vcpu_setup(void *vcpu_arch, uint64_t entry, axvm_hpa_t root);
int axvm_kvm_vcpu_set_entry(void *vcpu_arch, uint64_t entry, uint64_t arg);
int axvm_kvm_vcpu_bind(void *vcpu_arch);
int axvm_kvm_vcpu_unbind(void *vcpu_arch);
int axvm_kvm_vcpu_get_gpr(void *vcpu_arch, uint32_t reg, uint64_t *value);
int axvm_kvm_vcpu_set_gpr(void *vcpu_arch, uint32_t reg, uint64_t value);
int axvm_kvm_vcpu_inject_irq(void *vcpu_arch, uint32_t irq);
int axvm_kvm_vcpu_kick(void *vcpu_arch);

/* Diagnostics through the HAL log. */
void axvm_kvm_log(const struct axvm_hal *hal, enum axvm_log_level lvl,
                  const char *msg);

#endif /* AXVM_KVM_INTERNAL_H */
