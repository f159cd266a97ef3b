/* SPDX-License-Identifier: Apache-2.0 */
/* The exit hot path: axvm_vcpu_run()'s loop and the dispatch of each exit
 * (what the core handles itself, what goes to the host program). One file
 * so the compiler can inline dispatch into the loop without LTO, which
 * embedded users linking libaxvm.a with their own toolchain may not have.
 * Per exit: no allocation, no locks, O(log n) device lookup (none when
 * the device is the one its bus found last in this run()); the one
 * exception is a nested page fault in a lazy region, which maps a frame. */
#include "internal.h"

/* Halted vCPUs re-check for wake-ups at least this often, so a lost kick
 * costs at most this much latency, never a hang. */
#define AXVM_HALT_POLL_NS 1000000u

/* 1, 2, 4 or 8: bits 1, 2, 4 and 8 of 0x116. */
static inline __attribute__((always_inline)) bool valid_width(unsigned w)
{
	return w <= 8 && ((0x116u >> w) & 1u);
}

static inline __attribute__((always_inline)) uint64_t width_mask(unsigned w)
{
	return w >= 8 ? UINT64_MAX : (((uint64_t)1 << (w * 8)) - 1);
}

/* Device value -> register value: keep the low `width` bytes, optionally
 * sign-extend them, then keep the low `reg_width` bytes (AArch64 Wn and
 * RISC-V LW semantics fall out of the last step). Widths were validated
 * (1, 2, 4, 8), so the shifts are in 0..56. Branchless: the arithmetic
 * right shift of a negative int64_t is what gcc and clang define. */
static inline __attribute__((always_inline)) uint64_t extend_read(uint64_t v, const struct axvm_exit_read *r)
{
	unsigned sh = 64u - 8u * r->width;
	unsigned rw = r->reg_width && r->reg_width < 8 ? r->reg_width : 8;
	unsigned rsh = 64u - 8u * rw;

	v <<= sh;
	v = r->sign_extend ? (uint64_t)((int64_t)v >> sh) : v >> sh;
	return (v << rsh) >> rsh;
}

/* The device at [addr, addr + width - 1] on `bus`, if it takes this
 * width and alignment, else NULL. The vCPU's bus_last entry is tried
 * first: a bus table changes only while the VM is quiescent (CREATED or
 * STOPPED), and STOPPED needs every vCPU out of run(), so a remembered
 * entry stays valid until this run() returns (run() clears it on entry).
 * A guest that keeps to one device (a console, a polled status register,
 * a queue doorbell) skips the search. */
static inline __attribute__((always_inline)) const struct axvm_bus_entry *
lookup(struct axvm_vcpu *v, unsigned bus, uint64_t addr, unsigned width)
{
	const struct axvm_bus_entry *e = v->bus_last[bus];

	if (!valid_width(width))
		return NULL;
	/* axvm_bus_find's own range test, on the remembered entry. */
	if (!e || addr < e->base || addr > e->last ||
	    e->last - addr < (uint64_t)width - 1) {
		e = axvm_bus_find(&v->vm->buses[bus], addr, width);
		if (!e)
			return NULL;
		v->bus_last[bus] = e;
	}
	if (!((e->width_ok >> width) & 1u) ||
	    (addr & (width - 1) & e->align_mask))
		return NULL;
	return e;
}

static inline __attribute__((always_inline)) void count_exit(struct axvm_vcpu *v, enum axvm_exit_kind kind)
{
	unsigned k = (unsigned)kind < AXVM_EXIT_KIND_COUNT ? (unsigned)kind : 0;
	axvm_stat_add(&v->exit_counts[k], 1);
}

/* An access nobody took: count it and go on (IGNORE), or stop (STOP). */
static int refused(struct axvm_vm *vm, unsigned bus)
{
	axvm_stat_add(&vm->unhandled[bus], 1);
	return vm->policy == AXVM_POLICY_STOP ? AXVM_ENODEV : 0;
}

/* Give the guest a result in the register the backend named for it (none
 * for AXVM_REG_NONE); continue, or the backend's error. */
static inline __attribute__((always_inline)) int
write_back(struct axvm_vcpu *v, uint32_t reg, uint64_t value)
{
	int rc;

	if (reg == AXVM_REG_NONE)
		return AXVM_DISPATCH_CONTINUE;
	rc = ARCH(v->vm)->vcpu_set_gpr(v->arch_vcpu, reg, value);
	return rc ? rc : AXVM_DISPATCH_CONTINUE;
}

static inline __attribute__((always_inline)) int
bus_read(struct axvm_vcpu *v, unsigned bus, struct axvm_exit_read *r)
{
	struct axvm_vm *vm = v->vm;
	const struct axvm_bus_entry *e = lookup(v, bus, r->addr, r->width);
	uint64_t val = 0;
	int rc;

	if (e && e->ops->read(e->ctx, r->addr - e->base, r->width, &val) == 0) {
		val = extend_read(val, r); /* width validated by lookup() */
	} else {
		if ((rc = refused(vm, bus)))
			return rc;
		val = 0; /* read-as-zero, whatever a failed read left behind */
	}
	return write_back(v, r->reg, val);
}

/* Inline like bus_read: out of line it cost a call, a frame and three
 * saved registers on every device write. */
static inline __attribute__((always_inline)) int
bus_write(struct axvm_vcpu *v, unsigned bus, struct axvm_exit_write *w)
{
	struct axvm_vm *vm = v->vm;
	const struct axvm_bus_entry *e = lookup(v, bus, w->addr, w->width);
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
	return write_back(v, exit->u.hypercall.ret_reg, ret);
}

/* Guest CPU-up: the target index is guest input, checked before use. The
 * caller's result register gets 0 or a negative AXVM_E* code. */
static int cpu_up(struct axvm_vcpu *v, struct axvm_exit *exit)
{
	struct axvm_vm *vm = v->vm;
	uint64_t t = exit->u.cpu_up.target;
	int status, rc;

	if (t >= vm->vcpu_count)
		status = AXVM_EINVAL;
	else
		status = axvm_vcpu_power_on(&vm->vcpus[t], exit->u.cpu_up.entry,
					    exit->u.cpu_up.arg);
	rc = write_back(v, exit->u.cpu_up.ret_reg, (uint64_t)(int64_t)status);
	if (rc != AXVM_DISPATCH_CONTINUE)
		return rc;
	if (status == 0 && vm->cb.vcpu_powered_on)
		vm->cb.vcpu_powered_on(vm->cb.ctx, vm, (uint32_t)t);
	return AXVM_DISPATCH_CONTINUE;
}

/* Guest power-status query (PSCI AFFINITY_INFO, SBI hart_get_status).
 * Answered from the core's power word, the one CPU_UP tests, so a guest
 * that polls for OFF and then powers the vCPU on never sees "already on". */
static int cpu_status(struct axvm_vcpu *v, struct axvm_exit *exit)
{
	struct axvm_vm *vm = v->vm;
	uint64_t t = exit->u.cpu_status.target;
	int64_t status = AXVM_EINVAL;

	if (t < vm->vcpu_count) {
		switch (atomic_load(&vm->vcpus[t].power)) {
		case AXVM_POWER_OFF:
			status = AXVM_CPU_STATUS_OFF;
			break;
		case AXVM_POWER_STARTING:
		case AXVM_POWER_RESTARTING:
			status = AXVM_CPU_STATUS_ON_PENDING;
			break;
		case AXVM_POWER_STOPPING:
			/* On for PSCI AFFINITY_INFO until the CPU is really
			 * off; SBI HSM calls it STOP_PENDING. */
			status = exit->u.cpu_status.has_off_pending ? AXVM_CPU_STATUS_OFF_PENDING
								    : AXVM_CPU_STATUS_ON;
			break;
		default:
			status = AXVM_CPU_STATUS_ON;
			break;
		}
	}
	return write_back(v, exit->u.cpu_status.ret_reg, (uint64_t)status);
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

/* Consume a pending axvm_vcpu_interrupt(). Checked where its kick lands
 * (NOTHING / external-interrupt exits, halts, entry to run()), not on every
 * exit: device accesses stay as cheap as they were. A plain load first so
 * the locked exchange runs only when a request is pending. */
static inline __attribute__((always_inline)) bool take_interrupt(struct axvm_vcpu *v)
{
	return atomic_load_explicit(&v->interrupt, memory_order_relaxed) &&
	       atomic_exchange(&v->interrupt, false);
}

/* WFI/HLT: wait inside run() (Blocked) when the port can block, until an
 * interrupt or kick arrives or the VM stops; else it is the caller's. */
static int halt(struct axvm_vcpu *v, struct axvm_exit *exit)
{
	struct axvm_vm *vm = v->vm;
	const struct axvm_hal *hal = HAL(vm->hal);
	uint64_t deadline;

	if (!hal->wait)
		return unhandled(v, exit);
	/* A guest timer that fires while the vCPU waits ends the wait. */
	deadline = ARCH(vm)->vcpu_halt_deadline
			   ? ARCH(vm)->vcpu_halt_deadline(v->arch_vcpu)
			   : 0;
	atomic_compare_exchange_strong(&v->state, &(int){ AXVM_VCPU_READY },
				       AXVM_VCPU_BLOCKED);
	while (!atomic_exchange(&v->wake, false) &&
	       !atomic_load(&v->interrupt) &&
	       axvm_vm_state_now(vm) == AXVM_VM_RUNNING &&
	       atomic_load(&v->power) == AXVM_POWER_ON) {
		uint64_t t = AXVM_HALT_POLL_NS;
		if (deadline) {
			uint64_t now = hal->now_ns(hal->ctx);
			if (now >= deadline)
				break;
			if (deadline - now < t) {
				/* The deadline itself where the port takes one:
				 * the guest's timer is not made later by the time
				 * between this read and the port's. */
				if (hal->wait_until) {
					hal->wait_until(hal->ctx, deadline);
					/* A kick or an interrupt request leaves on
					 * its flag, the loop's first two tests, as
					 * before; a wait the deadline ended (the
					 * WFI wake-up) without the VM-state and
					 * power loads (run() checks both). */
					if (atomic_exchange(&v->wake, false) ||
					    atomic_load(&v->interrupt) ||
					    hal->now_ns(hal->ctx) >= deadline)
						break;
					continue;
				}
				t = deadline - now;
			}
		}
		hal->wait(hal->ctx, t);
	}
	atomic_compare_exchange_strong(&v->state, &(int){ AXVM_VCPU_BLOCKED },
				       AXVM_VCPU_READY);
	return take_interrupt(v) ? AXVM_EINTR : AXVM_DISPATCH_CONTINUE;
}

static int dispatch_exit(struct axvm_vcpu *v, struct axvm_exit *exit)
{
	struct axvm_vm *vm = v->vm;

	/* Emulated MMIO is the exit that dominates; test it before the jump
	 * table. */
	if (exit->kind == AXVM_EXIT_MMIO_READ)
		return bus_read(v, AXVM_BUS_MMIO, &exit->u.read);
	switch (exit->kind) {
	case AXVM_EXIT_NOTHING:
	case AXVM_EXIT_EXTERNAL_IRQ:
		return take_interrupt(v) ? AXVM_EINTR : AXVM_DISPATCH_CONTINUE;
	case AXVM_EXIT_MMIO_WRITE:
		return bus_write(v, AXVM_BUS_MMIO, &exit->u.write);
	case AXVM_EXIT_IO_READ:
		if (!BACKEND_EXITS(AXVM_EXIT_IO_READ))
			return AXVM_EIO;
		return bus_read(v, AXVM_BUS_PIO, &exit->u.read);
	case AXVM_EXIT_IO_WRITE:
		if (!BACKEND_EXITS(AXVM_EXIT_IO_WRITE))
			return AXVM_EIO;
		return bus_write(v, AXVM_BUS_PIO, &exit->u.write);
	case AXVM_EXIT_SYSREG_READ:
		if (!BACKEND_EXITS(AXVM_EXIT_SYSREG_READ))
			return AXVM_EIO;
		return bus_read(v, AXVM_BUS_SYSREG, &exit->u.read);
	case AXVM_EXIT_SYSREG_WRITE:
		if (!BACKEND_EXITS(AXVM_EXIT_SYSREG_WRITE))
			return AXVM_EIO;
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
		/* OFF after unbind, in axvm_vcpu_run(). */
		atomic_store(&v->power, AXVM_POWER_STOPPING);
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
	case AXVM_EXIT_CPU_STATUS:
		return cpu_status(v, exit);
	case AXVM_EXIT_MMIO_READ: /* taken before the switch */
	case AXVM_EXIT_KIND_COUNT:
	default:
		return AXVM_EIO; /* a backend bug, reported, not trusted */
	}
}

/*
 * The backend's fast MMIO path (include/axvm/arch.h): the same lookup,
 * device call, sign extension and counts as an MMIO exit through the
 * loop, for a device that opted in (desc.fast). Nothing is done, and
 * false returned, for anything the loop would treat otherwise: no device
 * or not a fast one, a width or alignment the device refuses (an
 * unhandled access), a VM whose policy is STOP (a refused access must
 * end run()), an exit that is not an MMIO read or write. A fast device
 * that refuses an access under IGNORE is answered here as the loop
 * would: counted, and a read gives zero. The read and write halves are
 * kept apart on purpose: one body over both costs 6 (AArch64) and 9
 * (RISC-V) more instructions a fast access.
 */
bool axvm_vcpu_fast_mmio(struct axvm_vcpu *v, const struct axvm_exit *exit,
			 uint64_t *value)
{
	struct axvm_vm *vm = v->vm;
	const struct axvm_bus_entry *e;
	uint64_t val = 0;

	if (vm->policy != AXVM_POLICY_IGNORE)
		return false;
	if (exit->kind == AXVM_EXIT_MMIO_READ) {
		const struct axvm_exit_read *r = &exit->u.read;
		e = lookup(v, AXVM_BUS_MMIO, r->addr, r->width);
		if (!e || !e->fast)
			return false;
		count_exit(v, AXVM_EXIT_MMIO_READ);
		if (e->ops->read(e->ctx, r->addr - e->base, r->width, &val) == 0) {
			val = extend_read(val, r);
		} else {
			(void)refused(vm, AXVM_BUS_MMIO); /* IGNORE: counted */
			val = 0;
		}
		*value = val;
		return true;
	}
	if (exit->kind == AXVM_EXIT_MMIO_WRITE) {
		const struct axvm_exit_write *w = &exit->u.write;
		e = lookup(v, AXVM_BUS_MMIO, w->addr, w->width);
		if (!e || !e->fast)
			return false;
		count_exit(v, AXVM_EXIT_MMIO_WRITE);
		if (e->ops->write(e->ctx, w->addr - e->base, w->width,
				  w->data & width_mask(w->width)))
			(void)refused(vm, AXVM_BUS_MMIO); /* IGNORE: counted */
		return true;
	}
	return false;
}

/* For a backend's vcpu_bind (include/axvm/arch.h): bind() below stores
 * the HAL's answer before it calls the backend, on this same thread. */
uint32_t axvm_vcpu_bound_pcpu(const struct axvm_vcpu *v)
{
	return atomic_load_explicit(&v->bound_pcpu, memory_order_relaxed);
}

/* ---- the run loop ---- */

static int bind(struct axvm_vcpu *v)
{
	const struct axvm_hal *hal = HAL(v->vm->hal);
	int rc;

	if (!axvm_vcpu_transition(v, AXVM_VCPU_FREE, AXVM_VCPU_READY))
		return AXVM_ESTATE;
	/* Power again, now that this thread alone holds the vCPU: a run()
	 * that saw ON just before another thread's CPU_DOWN would otherwise
	 * bind while a power-on writes the entry. Seen ON under the claim,
	 * only this thread's own CPU_DOWN makes it OFF, after its unbind.
	 * Acquire: the entry a power-on wrote before its ON. */
	if (atomic_load_explicit(&v->power, memory_order_acquire) != AXVM_POWER_ON) {
		axvm_vcpu_transition(v, AXVM_VCPU_READY, AXVM_VCPU_FREE);
		return AXVM_EAGAIN;
	}
	atomic_store(&v->bound_pcpu, hal->current_pcpu(hal->ctx));
	if ((rc = ARCH(v->vm)->vcpu_bind(v->arch_vcpu))) {
		axvm_vcpu_transition(v, AXVM_VCPU_READY, AXVM_VCPU_FREE);
		return rc;
	}
	return 0;
}

static void unbind(struct axvm_vcpu *v)
{
	ARCH(v->vm)->vcpu_unbind(v->arch_vcpu);
	axvm_vcpu_transition(v, AXVM_VCPU_READY, AXVM_VCPU_FREE);
}

/* A CPU_DOWN is complete once the backend has let go of the context: the
 * vCPU is OFF (release: the backend's saves come before a later
 * power-on's entry), or ON at the entry a power-on left meanwhile
 * (RESTARTING; acquire: that entry). A CAS to OFF: a power-on may make it
 * RESTARTING at any moment. Then a store: no one else leaves RESTARTING
 * (a power-on sees it as taken, and no reset runs while this vCPU is
 * still counted in run()). */
static void finish_cpu_down(struct axvm_vcpu *vcpu)
{
	int p = AXVM_POWER_STOPPING;

	if (atomic_compare_exchange_strong_explicit(&vcpu->power, &p, AXVM_POWER_OFF,
						    memory_order_release, memory_order_acquire) ||
	    p != AXVM_POWER_RESTARTING)
		return;
	int rc = ARCH(vcpu->vm)->vcpu_set_entry(vcpu->arch_vcpu, vcpu->restart_entry,
						vcpu->restart_arg);
	atomic_store_explicit(&vcpu->power, rc ? AXVM_POWER_OFF : AXVM_POWER_ON,
			      memory_order_release);
}

int axvm_vcpu_run(struct axvm_vcpu *vcpu, struct axvm_exit *exit)
{
	struct axvm_vm *vm;
	const struct axvm_arch_ops *arch;
	uint64_t t0;
	int rc;

	if (!vcpu || !exit)
		return AXVM_EINVAL;
	vm = vcpu->vm;
	arch = ARCH(vm);
	exit->kind = AXVM_EXIT_NOTHING;
	/* bind() decides; this only keeps EAGAIN ahead of a VM's errors. */
	if (atomic_load_explicit(&vcpu->power, memory_order_relaxed) != AXVM_POWER_ON)
		return AXVM_EAGAIN;
	if ((rc = axvm_vm_enter_run(vm)))
		return rc;
	if ((rc = bind(vcpu))) {
		axvm_vm_leave_run(vm);
		return rc;
	}
	for (unsigned b = 0; b < AXVM_BUS_COUNT; b++)
		vcpu->bus_last[b] = NULL;
	t0 = HAL(vm->hal)->now_ns(HAL(vm->hal)->ctx);
	/* A request made while the vCPU was not running ends this run at once. */
	rc = take_interrupt(vcpu) ? AXVM_EINTR : AXVM_DISPATCH_CONTINUE;
	while (rc == AXVM_DISPATCH_CONTINUE) {
		/* seq_cst, paired with shutdown's state CAS and its kick's
		 * load of the vCPU state (bind's CAS came before this). */
		if (axvm_vm_state_now(vm) != AXVM_VM_RUNNING) {
			rc = AXVM_ESHUTDOWN;
			break;
		}
		/* READY <-> RUNNING: while bound this thread is the state's
		 * only writer (others only load it; halt's BLOCKED is ours
		 * too), so plain seq_cst stores do what a CAS would. */
		atomic_store(&vcpu->state, AXVM_VCPU_RUNNING);
		rc = arch->vcpu_run(vcpu->arch_vcpu, exit);
		atomic_store(&vcpu->state, AXVM_VCPU_READY);
		if (rc)
			break;
		count_exit(vcpu, exit->kind);
		rc = dispatch_exit(vcpu, exit);
	}
	axvm_stat_add(&vcpu->run_ns, HAL(vm->hal)->now_ns(HAL(vm->hal)->ctx) - t0);
	unbind(vcpu);
	if (atomic_load_explicit(&vcpu->power, memory_order_relaxed) >= AXVM_POWER_STOPPING)
		finish_cpu_down(vcpu);
	axvm_vm_leave_run(vm);
	return rc;
}
