/* SPDX-License-Identifier: Apache-2.0 */
/* vCPUs: state machine, the run loop, registers, interrupts, statistics. */
#ifndef AXVM_VCPU_H
#define AXVM_VCPU_H

#include <axvm/exit.h>
#include <axvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct axvm_vm;
struct axvm_vcpu;

/* Invalid -> Created (backend vCPU exists) -> Free (set up, unbound) ->
 * Ready (bound to a pCPU) -> Running (in the guest) <-> Blocked (waiting).
 * run() goes Free -> Ready -> Running ... -> Ready -> Free. Every change is
 * one compare-and-swap; an illegal one returns AXVM_ESTATE. */
enum axvm_vcpu_state {
	AXVM_VCPU_INVALID = 0,
	AXVM_VCPU_CREATED = 1,
	AXVM_VCPU_FREE = 2,
	AXVM_VCPU_READY = 3,
	AXVM_VCPU_RUNNING = 4,
	AXVM_VCPU_BLOCKED = 5,
};

/* Take / drop a reference. A reference keeps the VM alive too. Dropping
 * more references than were taken returns AXVM_ESTATE. */
int axvm_vcpu_get(struct axvm_vcpu *vcpu);
int axvm_vcpu_put(struct axvm_vcpu *vcpu);

/*
 * Bind the vCPU to the calling pCPU, run the guest and dispatch exits until
 * one needs the caller, then unbind. Returns:
 *   0               *exit holds an exit the core and callbacks left alone
 *   AXVM_ESHUTDOWN  the VM is shutting down (*exit: the last exit handled)
 *   AXVM_EAGAIN     the vCPU is not powered on yet (an AP before CPU up)
 *   AXVM_ESTATE     already running elsewhere, or the VM is not booted
 *   AXVM_ENODEV     an access hit no device under the STOP policy
 *   AXVM_EINTR      axvm_vcpu_interrupt() asked it to return
 *   other negative  a backend or callback error
 * Allocates nothing, except the frame a guest's first touch of a lazy region
 * needs (taken under the address-space lock).
 */
int axvm_vcpu_run(struct axvm_vcpu *vcpu, struct axvm_exit *exit);

/* Current state. */
int axvm_vcpu_state(const struct axvm_vcpu *vcpu, enum axvm_vcpu_state *st);

/* Index within its VM, and the VM (no new reference). */
int axvm_vcpu_index(const struct axvm_vcpu *vcpu, uint32_t *index);
int axvm_vcpu_vm(const struct axvm_vcpu *vcpu, struct axvm_vm **vm);

/* Register access through the backend (backend-defined register ids). Only
 * while the vCPU is not running on another thread (AXVM_EBUSY). */
int axvm_vcpu_get_gpr(struct axvm_vcpu *vcpu, uint32_t reg, uint64_t *value);
int axvm_vcpu_set_gpr(struct axvm_vcpu *vcpu, uint32_t reg, uint64_t value);

/* Power the vCPU on at `entry` with the boot argument `arg` (what a guest
 * CPU-up does). AXVM_EEXIST if it is on. If it is still in the run() of its
 * CPU-down, that run() sets the entry and powers it on before it returns. */
int axvm_vcpu_power_on(struct axvm_vcpu *vcpu, uint64_t entry, uint64_t arg);

/* Whether the vCPU is powered on. */
int axvm_vcpu_powered(const struct axvm_vcpu *vcpu, bool *on);

/* Queue virtual interrupt `irq` and kick the vCPU if it is in the guest. */
int axvm_vcpu_inject_irq(struct axvm_vcpu *vcpu, uint32_t irq);

/* Make the vCPU's run() return AXVM_EINTR, e.g. at the end of a host
 * scheduler's time slice for vCPUs sharing a pCPU. It kicks the vCPU; the
 * run returns at the exit the kick causes (or at once if not running). */
int axvm_vcpu_interrupt(struct axvm_vcpu *vcpu);

/* axvm_vcpu_interrupt() without the kick, for an interrupt handler on the
 * pCPU the vCPU is bound to (a host slice timer's): the guest is not
 * running there, so only the request is noted. run() returns AXVM_EINTR
 * at the exit that interrupt caused if it came from the guest; if it came
 * while the host ran between exits, at the next external-interrupt exit,
 * halt or run() entry (the caller must expect that, as a slice timer
 * that asks again does). The full axvm_vcpu_interrupt() is done instead
 * when the caller is on another pCPU, the vCPU is halted or not bound,
 * or the backend has a kick of its own. */
int axvm_vcpu_interrupt_local(struct axvm_vcpu *vcpu);

/* Make the vCPU leave guest mode soon (its run() re-checks VM state). */
int axvm_vcpu_kick(struct axvm_vcpu *vcpu);

/* Number of exits of `kind` this vCPU has taken since creation or reset. */
int axvm_vcpu_exit_count(const struct axvm_vcpu *vcpu,
			 enum axvm_exit_kind kind, uint64_t *count);

/* Total time spent inside run(), in HAL nanoseconds. */
int axvm_vcpu_run_time_ns(const struct axvm_vcpu *vcpu, uint64_t *ns);

#ifdef __cplusplus
}
#endif
#endif /* AXVM_VCPU_H */
