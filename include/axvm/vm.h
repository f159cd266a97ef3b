/* SPDX-License-Identifier: Apache-2.0 */
/* The host context and VM lifecycle: create, boot, shut down (two-phase),
 * reset and boot again, destroy on the last put. */
#ifndef AXVM_VM_H
#define AXVM_VM_H

#include <axvm/arch.h>
#include <axvm/config.h>
#include <axvm/exit.h>
#include <axvm/hal.h>
#include <axvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct axvm_host;
struct axvm_vm;
struct axvm_vcpu;
struct axvm_addrspace;

/* Validate `hal` and create a host context that owns the VM registry. The
 * HAL and arch tables must outlive the host. No hidden globals: two hosts
 * can coexist in one program. A library built for a bare-metal backend
 * (AXVM_ARCH aarch64, riscv64, x86_64) takes that backend's table only,
 * its ctx set as the caller likes, and one built with AXVM_ONE_HAL that
 * HAL only: another gives AXVM_ENOTSUP. */
int axvm_init(const struct axvm_hal *hal, const struct axvm_arch_ops *arch,
	      struct axvm_host **out);

/* Free the host context; AXVM_EBUSY while any of its VMs is alive. */
int axvm_fini(struct axvm_host *host);

enum axvm_vm_state {
	AXVM_VM_CREATED = 1,    /* built (or reset); may be booted */
	AXVM_VM_RUNNING = 2,    /* booted; vCPUs may run */
	AXVM_VM_SHUTTING_DOWN = 3, /* flag set; vCPUs still draining */
	AXVM_VM_STOPPED = 4,    /* no vCPU in its run loop; may be reset */
};

/* Host-program callbacks; each runs on the vCPU's own thread. */
struct axvm_vm_callbacks {
	void *ctx;
	/* A hypercall: return 0 with *ret set (written to the guest), or
	 * AXVM_EUNHANDLED to hand the exit to the caller of run(). */
	int (*hypercall)(void *ctx, struct axvm_vcpu *vcpu, uint64_t nr,
			 const uint64_t args[6], uint64_t *ret);
	/* An exit the core could not handle: return 0 if handled (the vCPU
	 * continues), AXVM_EUNHANDLED to return it from run(), or another
	 * negative code to stop the run with that code. */
	int (*unhandled_exit)(void *ctx, struct axvm_vcpu *vcpu,
			      struct axvm_exit *exit);
	/* A vCPU was powered on by a guest CPU-up; start running it (one still
	 * in the run() of its CPU-down is on once that run() returns). */
	void (*vcpu_powered_on)(void *ctx, struct axvm_vm *vm,
				uint32_t vcpu_id);
};

/* Create a VM from a config (validated here; detail in *err if given; a
 * library built with AXVM_CONFIG_CHECKED_AT_BUILD checks only the counts,
 * for configs axvm-config validated at build time). Returns it with one
 * reference held by the caller. */
int axvm_vm_create(struct axvm_host *host, const struct axvm_config *cfg,
		   struct axvm_vm **out, struct axvm_config_error *err);

/* Take a reference. */
int axvm_vm_get(struct axvm_vm *vm);

/* Drop a reference; the last one destroys the VM (it must not be running:
 * vCPUs hold references while they run, so that cannot happen). */
int axvm_vm_put(struct axvm_vm *vm);

/* Find a live VM by id and take a reference to it. */
int axvm_vm_lookup(struct axvm_host *host, uint32_t id, struct axvm_vm **out);

/* Install callbacks (VM not running). NULL clears them. */
int axvm_vm_set_callbacks(struct axvm_vm *vm,
			  const struct axvm_vm_callbacks *cb);

/* CREATED -> RUNNING; vCPU 0 is powered on at the BSP entry. */
int axvm_vm_boot(struct axvm_vm *vm);

/* Phase one of shutdown: RUNNING -> SHUTTING_DOWN and kick running vCPUs.
 * Each finishes the exit in hand and its run() returns AXVM_ESHUTDOWN;
 * when the last leaves, the VM is STOPPED. Safe from a vCPU thread. */
int axvm_vm_shutdown(struct axvm_vm *vm);

/* STOPPED (or CREATED) -> CREATED: vCPUs back to power-on state, APs off,
 * devices reset, the shutdown code cleared. Memory contents are kept. */
int axvm_vm_reset(struct axvm_vm *vm);

/* Current lifecycle state. */
int axvm_vm_state(const struct axvm_vm *vm, enum axvm_vm_state *state);

/* Id, vCPU count. */
int axvm_vm_id(const struct axvm_vm *vm, uint32_t *id);
int axvm_vm_vcpu_count(const struct axvm_vm *vm, uint32_t *count);

/* The guest's system-down code (e.g. the x86 exit-port value); AXVM_EAGAIN
 * if the guest has not asked to go down. */
int axvm_vm_exit_code(const struct axvm_vm *vm, uint64_t *code);

/* Take a reference to vCPU `index` (it also holds the VM). */
int axvm_vm_vcpu(struct axvm_vm *vm, uint32_t index, struct axvm_vcpu **out);

/* The VM's address space (no reference; lives as long as the VM). */
int axvm_vm_addrspace(struct axvm_vm *vm, struct axvm_addrspace **out);

#ifdef __cplusplus
}
#endif
#endif /* AXVM_VM_H */
