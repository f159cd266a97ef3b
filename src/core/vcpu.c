/* SPDX-License-Identifier: Apache-2.0 */
/* vCPU references, state queries, registers, power, interrupts, statistics.
 * The run loop itself is in run_loop.c. */
#include <string.h>

#include "internal.h"

int axvm_vcpu_get(struct axvm_vcpu *vcpu)
{
	int rc;

	if (!vcpu)
		return AXVM_EINVAL;
	/* The VM reference first: if it fails nothing was taken. */
	if ((rc = axvm_vm_get(vcpu->vm)))
		return rc;
	atomic_fetch_add_explicit(&vcpu->refs, 1, memory_order_relaxed);
	return 0;
}

int axvm_vcpu_put(struct axvm_vcpu *vcpu)
{
	if (!vcpu)
		return AXVM_EINVAL;
	/* refs == 1 is the VM's own reference, which only VM destroy drops:
	 * one put too many is refused instead of freeing under the VM. */
	unsigned r = atomic_load_explicit(&vcpu->refs, memory_order_relaxed);
	do {
		if (r <= 1)
			return AXVM_ESTATE;
	} while (!atomic_compare_exchange_weak_explicit(
		&vcpu->refs, &r, r - 1, memory_order_release, memory_order_relaxed));
	return axvm_vm_put(vcpu->vm);
}

void axvm_vcpu_kick_internal(struct axvm_vcpu *v)
{
	const struct axvm_hal *hal = HAL(v->vm->hal);
	int st = atomic_load(&v->state);

	atomic_store(&v->wake, true);
	/* READY as well as RUNNING: a vCPU between its loop's VM-state check
	 * and guest entry is READY. A backend kick is sticky (KVM's
	 * immediate_exit: the next entry returns at once), the HAL's IPI is
	 * not, so only the backend kick closes that window. */
	if ((st == AXVM_VCPU_RUNNING || st == AXVM_VCPU_READY) &&
	    ARCH(v->vm)->vcpu_kick)
		ARCH(v->vm)->vcpu_kick(v->arch_vcpu);
	else if (st == AXVM_VCPU_RUNNING || st == AXVM_VCPU_BLOCKED ||
		 st == AXVM_VCPU_READY)
		hal->kick_pcpu(hal->ctx, atomic_load(&v->bound_pcpu));
}

int axvm_vcpu_state(const struct axvm_vcpu *vcpu, enum axvm_vcpu_state *st)
{
	if (!vcpu || !st)
		return AXVM_EINVAL;
	*st = (enum axvm_vcpu_state)atomic_load(&vcpu->state);
	return 0;
}

int axvm_vcpu_index(const struct axvm_vcpu *vcpu, uint32_t *index)
{
	if (!vcpu || !index)
		return AXVM_EINVAL;
	*index = vcpu->index;
	return 0;
}

int axvm_vcpu_vm(const struct axvm_vcpu *vcpu, struct axvm_vm **vm)
{
	if (!vcpu || !vm)
		return AXVM_EINVAL;
	*vm = vcpu->vm;
	return 0;
}

/* Registers belong to whoever runs the vCPU: from any other thread they may
 * be touched only while it is Free. The run loop's own thread (callbacks)
 * finds it Ready. */
static bool regs_accessible(const struct axvm_vcpu *v)
{
	int st = atomic_load(&v->state);
	return st == AXVM_VCPU_FREE || st == AXVM_VCPU_READY;
}

int axvm_vcpu_get_gpr(struct axvm_vcpu *vcpu, uint32_t reg, uint64_t *value)
{
	if (!vcpu || !value)
		return AXVM_EINVAL;
	if (!regs_accessible(vcpu))
		return AXVM_EBUSY;
	return ARCH(vcpu->vm)->vcpu_get_gpr(vcpu->arch_vcpu, reg, value);
}

int axvm_vcpu_set_gpr(struct axvm_vcpu *vcpu, uint32_t reg, uint64_t value)
{
	if (!vcpu)
		return AXVM_EINVAL;
	if (!regs_accessible(vcpu))
		return AXVM_EBUSY;
	return ARCH(vcpu->vm)->vcpu_set_gpr(vcpu->arch_vcpu, reg, value);
}

/* Leave the entry for the run() of a CPU_DOWN still unbinding (see
 * AXVM_POWER_RESTARTING): 0, AXVM_EEXIST if another power-on did so
 * first, AXVM_EAGAIN if that run() has made the vCPU OFF meanwhile. */
static int power_on_stopping(struct axvm_vcpu *vcpu, uint64_t entry, uint64_t arg)
{
	int expected = AXVM_POWER_STOPPING;
	bool left = false;

	axvm_spin_lock(&vcpu->restart_lock);
	/* Under the lock only one caller can see STOPPING and write. */
	if (atomic_load(&vcpu->power) == AXVM_POWER_STOPPING) {
		vcpu->restart_entry = entry;
		vcpu->restart_arg = arg;
		left = atomic_compare_exchange_strong_explicit(
			&vcpu->power, &expected, AXVM_POWER_RESTARTING, memory_order_release,
			memory_order_relaxed);
	} else {
		expected = atomic_load(&vcpu->power);
	}
	axvm_spin_unlock(&vcpu->restart_lock);
	if (left)
		return 0;
	return expected == AXVM_POWER_OFF ? AXVM_EAGAIN : AXVM_EEXIST;
}

int axvm_vcpu_power_on(struct axvm_vcpu *vcpu, uint64_t entry, uint64_t arg)
{
	int expected, rc;

	if (!vcpu)
		return AXVM_EINVAL;
	for (;;) {
		expected = AXVM_POWER_OFF;
		if (atomic_compare_exchange_strong(&vcpu->power, &expected,
						   AXVM_POWER_STARTING))
			break;
		if (expected != AXVM_POWER_STOPPING)
			return AXVM_EEXIST;
		/* Again only if the CPU_DOWN's run() made it OFF meanwhile. */
		if ((rc = power_on_stopping(vcpu, entry, arg)) != AXVM_EAGAIN)
			return rc;
	}
	rc = ARCH(vcpu->vm)->vcpu_set_entry(vcpu->arch_vcpu, entry, arg);
	/* Release: the entry written above is visible to the thread that
	 * sees ON (acquire in run()). */
	atomic_store_explicit(&vcpu->power, rc ? AXVM_POWER_OFF : AXVM_POWER_ON,
			      memory_order_release);
	return rc;
}

int axvm_vcpu_powered(const struct axvm_vcpu *vcpu, bool *on)
{
	if (!vcpu || !on)
		return AXVM_EINVAL;
	*on = atomic_load(&vcpu->power) == AXVM_POWER_ON;
	return 0;
}

int axvm_vcpu_inject_irq(struct axvm_vcpu *vcpu, uint32_t irq)
{
	const struct axvm_hal *hal;
	int rc;

	if (!vcpu)
		return AXVM_EINVAL;
	hal = HAL(vcpu->vm->hal);
	if (hal->inject_irq)
		rc = hal->inject_irq(hal->ctx, vcpu->vm->id, vcpu->index, irq);
	else
		rc = ARCH(vcpu->vm)->vcpu_inject_irq(vcpu->arch_vcpu, irq);
	if (!rc)
		axvm_vcpu_kick_internal(vcpu);
	return rc;
}

int axvm_vcpu_interrupt(struct axvm_vcpu *vcpu)
{
	if (!vcpu)
		return AXVM_EINVAL;
	atomic_store(&vcpu->interrupt, true);
	axvm_vcpu_kick_internal(vcpu);
	return 0;
}

/* The full kick's only effects that this skips: the HAL's kick of the
 * caller's own pCPU (whose guest is not running: the caller is), and the
 * wake flag, which halt does not need for an interrupt request. A halted
 * (Blocked) vCPU still gets the kick, so a HAL wait on that pCPU ends at
 * once; a backend kick (sticky, for an entry that is about to happen) is
 * never skipped. */
int axvm_vcpu_interrupt_local(struct axvm_vcpu *vcpu)
{
	const struct axvm_hal *hal;
	int st;

	if (!vcpu)
		return AXVM_EINVAL;
	hal = HAL(vcpu->vm->hal);
	st = atomic_load(&vcpu->state);
	if ((st != AXVM_VCPU_RUNNING && st != AXVM_VCPU_READY) ||
	    ARCH(vcpu->vm)->vcpu_kick ||
	    atomic_load(&vcpu->bound_pcpu) != hal->current_pcpu(hal->ctx))
		return axvm_vcpu_interrupt(vcpu);
	atomic_store(&vcpu->interrupt, true);
	return 0;
}

int axvm_vcpu_kick(struct axvm_vcpu *vcpu)
{
	if (!vcpu)
		return AXVM_EINVAL;
	axvm_vcpu_kick_internal(vcpu);
	return 0;
}

int axvm_vcpu_exit_count(const struct axvm_vcpu *vcpu, enum axvm_exit_kind kind,
			 uint64_t *count)
{
	if (!vcpu || !count || (unsigned)kind >= AXVM_EXIT_KIND_COUNT)
		return AXVM_EINVAL;
	*count = atomic_load_explicit(&vcpu->exit_counts[kind], memory_order_relaxed);
	return 0;
}

int axvm_vcpu_run_time_ns(const struct axvm_vcpu *vcpu, uint64_t *ns)
{
	if (!vcpu || !ns)
		return AXVM_EINVAL;
	*ns = atomic_load_explicit(&vcpu->run_ns, memory_order_relaxed);
	return 0;
}

int axvm_vcpu_reset_internal(struct axvm_vcpu *v, uint64_t entry)
{
	int st = atomic_load(&v->state);

	if (st != AXVM_VCPU_FREE)
		return AXVM_EBUSY;
	int rc = ARCH(v->vm)->vcpu_setup(v->arch_vcpu, entry,
					 axvm_addrspace_root(v->vm->as));
	if (rc)
		return rc;
	atomic_store(&v->power, AXVM_POWER_OFF);
	atomic_store(&v->wake, false);
	atomic_store(&v->interrupt, false);
	for (unsigned k = 0; k < AXVM_EXIT_KIND_COUNT; k++)
		atomic_store(&v->exit_counts[k], 0);
	atomic_store(&v->run_ns, 0);
	return 0;
}
