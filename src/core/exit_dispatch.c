/* SPDX-License-Identifier: Apache-2.0 */
/* Exit dispatch: what the core handles itself, and what goes to the host
 * program. Runs once per exit: no allocation, no locks, O(log n) lookups. */
#include "internal.h"

/* Halted vCPUs re-check for wake-ups at least this often, so a lost kick
 * costs at most this much latency, never a hang. */
#define AXVM_HALT_POLL_NS 1000000u

static bool valid_width(unsigned w)
{
	return w == 1 || w == 2 || w == 4 || w == 8;
}

static uint64_t width_mask(unsigned w)
{
	return w >= 8 ? UINT64_MAX : (((uint64_t)1 << (w * 8)) - 1);
}

/* Device value -> register value: truncate to the access width, optionally
 * sign-extend, then truncate to the register width (AArch64 Wn and RISC-V
 * LW semantics fall out of the last two steps). */
static uint64_t extend_read(uint64_t v, const struct axvm_exit_read *r)
{
	unsigned w = r->width;
	unsigned rw = r->reg_width ? r->reg_width : 8;

	v &= width_mask(w);
	if (r->sign_extend && w < 8 && (v >> (w * 8 - 1)) & 1)
		v |= ~width_mask(w);
	return v & width_mask(rw > 8 ? 8 : rw);
}

static const struct axvm_bus_entry *lookup(struct axvm_vm *vm, unsigned bus,
					   uint64_t addr, unsigned width)
{
	const struct axvm_bus_entry *e;

	if (!valid_width(width))
		return NULL;
	e = axvm_bus_find(&vm->buses[bus], addr, width);
	if (!e || !(e->widths & (1u << (__builtin_ctz(width)))))
		return NULL;
	if (e->naturally_aligned && (addr & (width - 1)))
		return NULL;
	return e;
}

/* An access nobody took: count it and go on (IGNORE), or stop (STOP). */
static int refused(struct axvm_vm *vm, unsigned bus)
{
	uint64_t c = atomic_load_explicit(&vm->unhandled[bus], memory_order_relaxed);
	/* Several vCPUs may race here; an approximate count is acceptable,
	 * a locked RMW on this path is not needed for a statistic. */
	atomic_store_explicit(&vm->unhandled[bus], c + 1, memory_order_relaxed);
	return vm->policy == AXVM_POLICY_STOP ? AXVM_ENODEV : 0;
}

static int bus_read(struct axvm_vcpu *v, unsigned bus, struct axvm_exit_read *r)
{
	struct axvm_vm *vm = v->vm;
	const struct axvm_bus_entry *e = lookup(vm, bus, r->addr, r->width);
	uint64_t val = 0;
	int rc;

	if (!e || e->ops->read(e->ctx, r->addr - e->base, r->width, &val)) {
		if ((rc = refused(vm, bus)))
			return rc;
		val = 0; /* read-as-zero */
	}
	if (r->reg == AXVM_REG_NONE)
		return AXVM_DISPATCH_CONTINUE;
	rc = vm->arch->vcpu_set_gpr(v->arch_vcpu, r->reg, extend_read(val, r));
	return rc ? rc : AXVM_DISPATCH_CONTINUE;
}

static int bus_write(struct axvm_vcpu *v, unsigned bus, struct axvm_exit_write *w)
{
	struct axvm_vm *vm = v->vm;
	const struct axvm_bus_entry *e = lookup(vm, bus, w->addr, w->width);
	int rc;

	if (!e || e->ops->write(e->ctx, w->addr - e->base, w->width,
				w->data & width_mask(w->width))) {
		if ((rc = refused(vm, bus)))
			return rc;
	}
	return AXVM_DISPATCH_CONTINUE;
}

/* Hand an exit to the program: its callback, or the caller of run(). */
static int unhandled(struct axvm_vcpu *v, struct axvm_exit *exit)
{
	const struct axvm_vm_callbacks *cb = &v->vm->cb;
	int rc;

	if (!cb->unhandled_exit)
		return 0;
	rc = cb->unhandled_exit(cb->ctx, v, exit);
	if (rc == 0)
		return AXVM_DISPATCH_CONTINUE;
	return rc == AXVM_EUNHANDLED ? 0 : rc;
}

static int hypercall(struct axvm_vcpu *v, struct axvm_exit *exit)
{
	const struct axvm_vm_callbacks *cb = &v->vm->cb;
	uint64_t ret = 0;
	int rc;

	if (!cb->hypercall)
		return unhandled(v, exit);
	rc = cb->hypercall(cb->ctx, v, exit->u.hypercall.nr, exit->u.hypercall.args,
			   &ret);
	if (rc == AXVM_EUNHANDLED)
		return unhandled(v, exit);
	if (rc)
		return rc;
	if (exit->u.hypercall.ret_reg != AXVM_REG_NONE &&
	    (rc = v->vm->arch->vcpu_set_gpr(v->arch_vcpu, exit->u.hypercall.ret_reg,
					     ret)))
		return rc;
	return AXVM_DISPATCH_CONTINUE;
}

/* Guest CPU-up: the target index is guest input, checked before use. The
 * caller's result register gets 0 or a negative AXVM_E* code. */
static int cpu_up(struct axvm_vcpu *v, struct axvm_exit *exit)
{
	struct axvm_vm *vm = v->vm;
	uint64_t t = exit->u.cpu_up.target;
	int status;

	if (t >= vm->vcpu_count)
		status = AXVM_EINVAL;
	else
		status = axvm_vcpu_power_on(&vm->vcpus[t], exit->u.cpu_up.entry,
					    exit->u.cpu_up.arg);
	if (exit->u.cpu_up.ret_reg != AXVM_REG_NONE) {
		int rc = vm->arch->vcpu_set_gpr(v->arch_vcpu, exit->u.cpu_up.ret_reg,
						(uint64_t)(int64_t)status);
		if (rc)
			return rc;
	}
	if (status == 0 && vm->cb.vcpu_powered_on)
		vm->cb.vcpu_powered_on(vm->cb.ctx, vm, (uint32_t)t);
	return AXVM_DISPATCH_CONTINUE;
}

static int send_ipi(struct axvm_vcpu *v, struct axvm_exit *exit)
{
	struct axvm_vm *vm = v->vm;
	uint64_t vec = exit->u.ipi.vector;

	if (vec > UINT32_MAX)
		return unhandled(v, exit);
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		bool hit = exit->u.ipi.to_all ? i != v->index
		     : exit->u.ipi.to_self   ? i == v->index
					     : i == exit->u.ipi.target;
		if (hit)
			axvm_vcpu_inject_irq(&vm->vcpus[i], (uint32_t)vec);
	}
	return AXVM_DISPATCH_CONTINUE;
}

/* WFI/HLT: wait inside run() (Blocked) when the port can block, until an
 * interrupt or kick arrives or the VM stops; else it is the caller's. */
static int halt(struct axvm_vcpu *v, struct axvm_exit *exit)
{
	struct axvm_vm *vm = v->vm;
	const struct axvm_hal *hal = vm->hal;

	if (!hal->wait)
		return unhandled(v, exit);
	atomic_compare_exchange_strong(&v->state, &(int){ AXVM_VCPU_READY },
				       AXVM_VCPU_BLOCKED);
	while (!atomic_exchange(&v->wake, false) &&
	       atomic_load(&vm->state) == AXVM_VM_RUNNING &&
	       atomic_load(&v->power) == AXVM_POWER_ON)
		hal->wait(hal->ctx, AXVM_HALT_POLL_NS);
	atomic_compare_exchange_strong(&v->state, &(int){ AXVM_VCPU_BLOCKED },
				       AXVM_VCPU_READY);
	return AXVM_DISPATCH_CONTINUE;
}

int axvm_dispatch_exit(struct axvm_vcpu *v, struct axvm_exit *exit)
{
	struct axvm_vm *vm = v->vm;

	switch (exit->kind) {
	case AXVM_EXIT_NOTHING:
	case AXVM_EXIT_EXTERNAL_IRQ:
		return AXVM_DISPATCH_CONTINUE;
	case AXVM_EXIT_MMIO_READ:
		return bus_read(v, AXVM_BUS_MMIO, &exit->u.read);
	case AXVM_EXIT_MMIO_WRITE:
		return bus_write(v, AXVM_BUS_MMIO, &exit->u.write);
	case AXVM_EXIT_IO_READ:
		return bus_read(v, AXVM_BUS_PIO, &exit->u.read);
	case AXVM_EXIT_IO_WRITE:
		return bus_write(v, AXVM_BUS_PIO, &exit->u.write);
	case AXVM_EXIT_SYSREG_READ:
		return bus_read(v, AXVM_BUS_SYSREG, &exit->u.read);
	case AXVM_EXIT_SYSREG_WRITE:
		return bus_write(v, AXVM_BUS_SYSREG, &exit->u.write);
	case AXVM_EXIT_HYPERCALL:
		return hypercall(v, exit);
	case AXVM_EXIT_NESTED_PAGE_FAULT:
		if (axvm_addrspace_handle_fault(vm->as, exit->u.page_fault.addr,
						exit->u.page_fault.access) == 0)
			return AXVM_DISPATCH_CONTINUE;
		return unhandled(v, exit);
	case AXVM_EXIT_HALT:
		return halt(v, exit);
	case AXVM_EXIT_CPU_UP:
		return cpu_up(v, exit);
	case AXVM_EXIT_CPU_DOWN:
		atomic_store(&v->power, AXVM_POWER_OFF);
		return 0;
	case AXVM_EXIT_SYSTEM_DOWN:
		atomic_store(&vm->exit_code, exit->u.system_down.code);
		atomic_store(&vm->exit_code_set, true);
		axvm_vm_shutdown(vm);
		/* The loop sees SHUTTING_DOWN and returns AXVM_ESHUTDOWN. */
		return AXVM_DISPATCH_CONTINUE;
	case AXVM_EXIT_SEND_IPI:
		return send_ipi(v, exit);
	case AXVM_EXIT_FAIL_ENTRY:
		return unhandled(v, exit);
	case AXVM_EXIT_KIND_COUNT:
	default:
		return AXVM_EIO; /* a backend bug, reported, not trusted */
	}
}
