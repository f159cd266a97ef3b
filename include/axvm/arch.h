/* SPDX-License-Identifier: Apache-2.0 */
/* The backend contract: one const table of functions per architecture
 * backend. The core calls only these; a backend never sees a port header. */
#ifndef AXVM_ARCH_H
#define AXVM_ARCH_H

#include <axvm/config.h>
#include <axvm/exit.h>
#include <axvm/hal.h>
#include <axvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct axvm_pt_format; /* stage-2 page-table format, see addrspace.h */
struct axvm_vcpu;

/* What a backend learns about the VM it serves. */
struct axvm_arch_vm_info {
	uint32_t vm_id;
	uint32_t vcpu_count;
	const struct axvm_config *config;
	const struct axvm_hal *hal;
	void *arch_ctx; /* axvm_arch_ops.ctx */
};

/*
 * Every function returns 0 or a negative AXVM_E* code unless noted. Hooks
 * marked optional may be NULL. `vm_arch` / `vcpu_arch` are the backend's own
 * state, created by vm_init / vcpu_create and opaque to the core.
 */
struct axvm_arch_ops {
	const char *name;
	/* Backend instance data (e.g. an open /dev/kvm, a test script);
	 * handed to vm_init as info->arch_ctx. May be NULL. */
	void *ctx;

	/* Stage-2 format when the core owns the page tables (bare-metal
	 * backends); NULL when the backend's hypervisor does (KVM, mock). */
	const struct axvm_pt_format *pt_format;

	/* Per-VM state (optional pair). */
	int (*vm_init)(const struct axvm_arch_vm_info *info, void **vm_arch);
	void (*vm_destroy)(void *vm_arch);
	/* Optional: make [gpa, gpa+size) guest RAM backed by host memory at
	 * `hva` (backends without core-owned page tables, e.g. KVM slots). */
	int (*map_region)(void *vm_arch, const struct axvm_mem_region *region,
			  void *hva);
	/* Optional: TLB/cache maintenance after a live stage-2 change. */
	void (*flush_stage2)(void *vm_arch, axvm_gpa_t gpa, uint64_t size);

	/* vCPU lifetime. */
	int (*vcpu_create)(void *vm_arch, uint32_t vcpu_id, void **vcpu_arch);
	void (*vcpu_destroy)(void *vcpu_arch);
	/* Put the vCPU in its power-on state: PC = entry, stage-2 root. */
	int (*vcpu_setup)(void *vcpu_arch, uint64_t entry, axvm_hpa_t s2_root);
	/* Set the PC and the architecture's boot-argument register. Called
	 * from any thread, never on a bound vCPU (the core's power word sees
	 * to it); a backend refuses one with AXVM_EBUSY. */
	int (*vcpu_set_entry)(void *vcpu_arch, uint64_t entry, uint64_t arg);

	/* Make the vCPU current on this pCPU (load stage-2 root, ...). */
	int (*vcpu_bind)(void *vcpu_arch);
	int (*vcpu_unbind)(void *vcpu_arch);
	/* Enter the guest until the next exit; fill *exit. A backend returns
	 * an error only for host-side failures, never for guest behaviour. */
	int (*vcpu_run)(void *vcpu_arch, struct axvm_exit *exit);

	int (*vcpu_get_gpr)(void *vcpu_arch, uint32_t reg, uint64_t *value);
	int (*vcpu_set_gpr)(void *vcpu_arch, uint32_t reg, uint64_t value);
	/* Queue a virtual interrupt; delivered at the next guest entry. */
	int (*vcpu_inject_irq)(void *vcpu_arch, uint32_t irq);
	/* Optional: make a vCPU in run() return soon (thread-safe). Without
	 * it the core asks the HAL to kick the pCPU the vCPU is bound to. */
	int (*vcpu_kick)(void *vcpu_arch);
	/* Optional: called when a halt exit is about to block; the HAL time
	 * (now_ns) at which the vCPU wakes by itself, e.g. when its own timer
	 * fires, or 0 for none. The core then waits at most until then. */
	uint64_t (*vcpu_halt_deadline)(void *vcpu_arch);
	/* Optional: the core's vCPU that owns vcpu_arch, called once right
	 * after vcpu_create; a backend keeps it for axvm_vcpu_fast_mmio(). */
	void (*vcpu_attach)(void *vcpu_arch, struct axvm_vcpu *vcpu);
};

/*
 * For a backend's world-switch loop (inside vcpu_run): try an emulated
 * MMIO access on a device that declared itself fast (device.h,
 * axvm_device_desc.fast) without returning to the core. `exit` is the
 * access fully decoded, as vcpu_run would return it (AXVM_EXIT_MMIO_READ
 * or AXVM_EXIT_MMIO_WRITE; the PC already past the instruction). True:
 * the device took it and the exit was counted; for a read, *value is
 * what the register named by exit->u.read.reg gets (extended and cut to
 * reg_width), which the backend writes unless reg is AXVM_REG_NONE, and
 * the guest may be entered again. False: nothing happened; the backend
 * takes the full exit with the same decode. Only the vCPU's own thread,
 * inside vcpu_run, may call it.
 */
bool axvm_vcpu_fast_mmio(struct axvm_vcpu *vcpu, const struct axvm_exit *exit,
			 uint64_t *value);

/*
 * For a backend's vcpu_bind: the pCPU the core is binding `vcpu` to, which
 * the core has just asked the HAL's current_pcpu() for, so the backend
 * need not ask again. Only meaningful inside vcpu_bind (and while bound).
 */
uint32_t axvm_vcpu_bound_pcpu(const struct axvm_vcpu *vcpu);

#ifdef __cplusplus
}
#endif
#endif /* AXVM_ARCH_H */
