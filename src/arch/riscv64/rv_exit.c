/* SPDX-License-Identifier: Apache-2.0 */
/*
 * From a trap out of the guest to an exit for the core: guest-page faults
 * become MMIO accesses (or stage-2 faults for RAM the core maps lazily),
 * WFI a halt, ECALL an SBI call (rv_sbi.c); the emulated PLIC is served
 * here without a trip through the core.
 */
#include "rv.h"
#include "rv_csr.h"
#include "rv_insn.h"

#define INSN_WFI 0x10500073u

static int stage2_fault(struct axvm_exit *exit, uint64_t gpa, uint32_t access)
{
	exit->kind = AXVM_EXIT_NESTED_PAGE_FAULT;
	exit->u.page_fault.addr = gpa;
	exit->u.page_fault.access = access;
	return 0;
}

/* The instruction at the guest's pc, through the guest's own translation;
 * false if the fetch faults. At a 4-byte aligned pc one word read covers
 * either length (both halves lie in one page); elsewhere two halfwords,
 * as a 32-bit instruction may straddle a page there. */
static bool fetch_insn(struct rv_vcpu *v, uint32_t *insn)
{
	uint64_t s = rv_irq_save();
	int64_t lo, hi = 0;

	if (!(v->regs.sepc & 3)) {
		lo = axvm_rv_hlvx_wu(v->regs.sepc);
		rv_irq_restore(s);
		*insn = (uint32_t)lo;
		return lo >= 0;
	}
	lo = axvm_rv_hlvx_hu(v->regs.sepc);
	if (lo >= 0 && (lo & 3) == 3)
		hi = axvm_rv_hlvx_hu(v->regs.sepc + 2);
	rv_irq_restore(s);
	*insn = (uint32_t)lo | (uint32_t)hi << 16;
	return lo >= 0 && hi >= 0;
}

/* A byte of guest-physical memory for the SBI console (rv_sbi.c), with
 * interrupts off: the read's local trap vector must catch only its own
 * fault. Here, not in rv_sbi.c, so that file needs no CSR access. */
int64_t rv_guest_phys_byte(uint64_t gpa)
{
	uint64_t s = rv_irq_save();
	int64_t c = axvm_rv_guest_phys_byte(gpa);

	rv_irq_restore(s);
	return c;
}

/* The trapped load/store: from htinst when the hart wrote one, else
 * fetched from guest memory. */
static int trapped_insn(struct rv_vcpu *v, struct rv_mmio_insn *insn)
{
	int rc = rv_insn_from_htinst(v->regs.htinst, insn);
	uint32_t raw;

	if (rc != AXVM_ENOENT)
		return rc;
	if (!fetch_insn(v, &raw))
		return AXVM_EINVAL;
	/* Only a word that decoded before is remembered, and 0 never does,
	 * so a hit is that word's decode. */
	if (raw == v->mmio_raw && raw) {
		*insn = v->mmio_dec;
		return 0;
	}
	if ((rc = rv_insn_decode(raw, insn)))
		return rc;
	v->mmio_raw = raw;
	v->mmio_dec = *insn;
	return 0;
}

static uint64_t extend(uint64_t val, const struct rv_mmio_insn *in)
{
	unsigned bits = in->width * 8u;

	if (bits == 64)
		return val;
	val &= (1ull << bits) - 1;
	if (in->sign_extend && (val >> (bits - 1)) & 1)
		val |= ~0ull << bits;
	return val;
}

/* PLIC registers, served in place; changes that may move another hart's
 * external-interrupt line kick it. */
static int plic_access(struct rv_vcpu *v, uint64_t off, const struct rv_mmio_insn *in,
		       struct axvm_exit *exit)
{
	struct rv_vm *vm = v->vm;
	uint64_t val = 0, others = ~(1ull << v->id);

	if (in->store) {
		rv_plic_write(&vm->plic, off, in->width, extend(v->regs.x[in->reg], in));
		rv_kick_others(vm, others);
	} else {
		rv_plic_read(&vm->plic, off, in->width, &val);
		if (in->reg)
			v->regs.x[in->reg] = extend(val, in);
	}
	v->regs.sepc += in->len;
	return axvm_bm_exit_nothing(exit);
}

/* Make the guest take exception `cause` in VS-mode, as the hardware would
 * have if the instruction had been its to handle. VS CSRs are live. */
static int inject_exception(struct rv_vcpu *v, uint64_t cause, uint64_t tval,
			    struct axvm_exit *exit)
{
	uint64_t vss = csr_read(CSR_VSSTATUS);
	bool sie = vss & SSTATUS_SIE;

	csr_write(CSR_VSEPC, v->regs.sepc);
	csr_write(CSR_VSCAUSE, cause);
	csr_write(CSR_VSTVAL, tval);
	vss &= ~(SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE);
	vss |= (v->regs.sstatus & SSTATUS_SPP) | (sie ? SSTATUS_SPIE : 0);
	csr_write(CSR_VSSTATUS, vss);
	v->regs.sepc = csr_read(CSR_VSTVEC) & ~3ull;
	v->regs.sstatus |= SSTATUS_SPP;
	return axvm_bm_exit_nothing(exit);
}

/* The MMIO exit for decoded access `in` at `gpa`; sepc moves past it. */
static int mmio_exit(struct rv_vcpu *v, uint64_t gpa, const struct rv_mmio_insn *in,
		     struct axvm_exit *exit)
{
	v->regs.sepc += in->len;
	if (in->store) {
		exit->kind = AXVM_EXIT_MMIO_WRITE;
		exit->u.write.addr = gpa;
		exit->u.write.width = in->width;
		exit->u.write.data = extend(v->regs.x[in->reg], &(struct rv_mmio_insn){
			.width = in->width });
		return 0;
	}
	exit->kind = AXVM_EXIT_MMIO_READ;
	exit->u.read.addr = gpa;
	exit->u.read.width = in->width;
	exit->u.read.reg_width = 8;
	exit->u.read.sign_extend = in->sign_extend;
	exit->u.read.reg = in->reg ? in->reg : AXVM_REG_NONE;
	return 0;
}

static int guest_page_fault(struct rv_vcpu *v, bool store, struct axvm_exit *exit)
{
	uint64_t gpa = (v->regs.htval << 2) | (v->regs.stval & 3);
	uint32_t access = store ? AXVM_ACCESS_WRITE : AXVM_ACCESS_READ;
	struct rv_mmio_insn in;
	uint64_t va;
	int rc;

	/* RAM the core has not mapped yet: it maps it and the access retries. */
	if (axvm_bm_gpa_is_ram(v->vm->base.cfg, gpa, 1))
		return stage2_fault(exit, gpa, access);
	/* Not an access the host can emulate (FP, atomics, a fault fetching
	 * the instruction, an instruction rewritten since it trapped): the
	 * host sees a stage-2 fault it cannot fix. */
	if (trapped_insn(v, &in) || in.store != store)
		return stage2_fault(exit, gpa, access);
	rc = rv_insn_check_access(&in, v->regs.x, v->regs.stval, &va);
	if (rc < 0)
		return stage2_fault(exit, gpa, access);
	/* Misaligned and not all RAM: no device is asked to split it; the
	 * guest gets what a hart whose I/O regions refuse misaligned
	 * accesses raises, and may emulate it with aligned ones. */
	if (rc == RV_ACCESS_MISALIGNED)
		return inject_exception(v, store ? RV_EXC_STORE_MISALIGNED
						 : RV_EXC_LOAD_MISALIGNED, va, exit);
	if (gpa - AXVM_RV_PLIC_BASE < AXVM_RV_PLIC_SIZE)
		return plic_access(v, gpa - AXVM_RV_PLIC_BASE, &in, exit);
	return mmio_exit(v, gpa, &in, exit);
}

/*
 * guest_page_fault()'s MMIO case and nothing else: not RAM, not the
 * PLIC (served in place, with kicks), an instruction that decodes to the
 * trapped access and is naturally aligned. Every other outcome is left to
 * the full exit untouched (at most the one-word decode memo is updated).
 */
int rv_fast_mmio(struct rv_vcpu *v, struct axvm_exit *exit)
{
	bool store = v->regs.scause == RV_EXC_STORE_GPF;
	uint64_t gpa = (v->regs.htval << 2) | (v->regs.stval & 3);
	struct rv_mmio_insn in;
	uint64_t va, val = 0;

	if (!v->core || gpa - AXVM_RV_PLIC_BASE < AXVM_RV_PLIC_SIZE)
		return 0;
	if (trapped_insn(v, &in) || in.store != store ||
	    rv_insn_check_access(&in, v->regs.x, v->regs.stval, &va) != RV_ACCESS_EMULATE)
		return 0;
	mmio_exit(v, gpa, &in, exit);
	if (axvm_vcpu_fast_mmio(v->core, exit, &val)) {
		if (!store && in.reg)
			v->regs.x[in.reg] = val;
		return 1;
	}
	/* The RAM test only now: a fast device is never RAM (no memory
	 * region overlaps one, device.h). RAM is guest_page_fault()'s
	 * stage-2 fault, from the untouched state. */
	if (axvm_bm_gpa_is_ram(v->vm->base.cfg, gpa, 1)) {
		v->regs.sepc -= in.len;
		return 0;
	}
	return -1;
}

/* A virtual-instruction trap: WFI (hstatus.VTW) is a halt unless an
 * interrupt is already waiting; anything else is the guest's illegal
 * instruction. */
static int virtual_insn(struct rv_vcpu *v, struct axvm_exit *exit)
{
	uint32_t insn = (uint32_t)v->regs.stval;

	/* stval holds the instruction where the hart reports it. */
	if (!insn && !fetch_insn(v, &insn))
		return axvm_bm_exit_nothing(exit); /* the guest unmapped it: let it trap again */
	if (insn == INSN_WFI) {
		v->regs.sepc += 4;
		if (rv_interrupt_pending(v))
			return axvm_bm_exit_nothing(exit);
		exit->kind = AXVM_EXIT_HALT;
		return 0;
	}
	return inject_exception(v, RV_EXC_ILLEGAL, insn, exit);
}

int rv_decode_exit(struct rv_vcpu *v, struct axvm_exit *exit)
{
	uint64_t cause = v->regs.scause;

	if (cause & RV_CAUSE_IRQ) {
		/* A host interrupt, taken by the host after run() re-enabled
		 * interrupts; the guest's own interrupts never exit. */
		exit->kind = AXVM_EXIT_EXTERNAL_IRQ;
		exit->u.external_irq.vector = cause & ~RV_CAUSE_IRQ;
		return 0;
	}
	switch (cause) {
	case RV_EXC_ECALL_VS:
		v->regs.sepc += 4;
		return rv_sbi_call(v, exit);
	case RV_EXC_LOAD_GPF:
		return guest_page_fault(v, false, exit);
	case RV_EXC_STORE_GPF:
		return guest_page_fault(v, true, exit);
	case RV_EXC_INST_GPF:
		return stage2_fault(exit, (v->regs.htval << 2) | (v->regs.stval & 3),
				    AXVM_ACCESS_EXEC);
	case RV_EXC_VIRT_INSN:
		return virtual_insn(v, exit);
	default:
		return axvm_bm_exit_fail(exit, cause);
	}
}

int rv_pending_work(struct rv_vcpu *v, struct axvm_exit *exit)
{
	if (v->ipi_targets)
		return rv_sbi_emit_ipi(v, exit);
	if (v->con_left)
		return rv_sbi_emit_console(v, exit);
	return 0;
}
