/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A local APIC per vCPU (Intel SDM vol. 3 ch. 10/11, AMD APM vol. 2
 * ch. 16): the xAPIC page at 0xfee00000 (reached through NPF, as no RAM is
 * there) and the x2APIC MSRs 0x800..0x8ff, one register file behind both.
 * What a guest needs for its IPIs and its timer: ID, version, TPR/PPR,
 * EOI, SVR, ISR/IRR with priority-ordered delivery of fixed interrupts,
 * the ICR (fixed IPIs by physical id, self, all, all-but-self; INIT;
 * SIPI), the LVTs and a one-shot/periodic timer. Logical destinations,
 * NMI/SMI delivery, TSC-deadline and the level-triggered TMR are not
 * modelled (CPUID does not offer TSC-deadline); such writes are ignored.
 *
 * Every register value is guest input: masked to its defined bits, never
 * used as an index unchecked; an ICR destination is a vCPU index the core
 * checks. IPIs leave as exits (SEND_IPI, CPU_UP) so the core's inject
 * and kick path wakes the target wherever it runs. No allocation.
 */
#include "svm.h"

/* Register offsets (xAPIC page offset >> 4 = x2APIC MSR - 0x800). */
#define R_ID 0x02
#define R_VER 0x03
#define R_TPR 0x08
#define R_APR 0x09
#define R_PPR 0x0a
#define R_EOI 0x0b
#define R_LDR 0x0d
#define R_DFR 0x0e
#define R_SVR 0x0f
#define R_ISR 0x10
#define R_TMR 0x18
#define R_IRR 0x20
#define R_ESR 0x28
#define R_LVT_CMCI 0x2f
#define R_ICR 0x30
#define R_ICR_HI 0x31
#define R_LVT_TIMER 0x32
#define R_LVT_ERROR 0x37
#define R_TMR_INIT 0x38
#define R_TMR_CUR 0x39
#define R_TMR_DIV 0x3e
#define R_SELF_IPI 0x3f

#define LVT_TIMER 1u /* index in lapic.lvt */
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define SVR_ENABLE (1u << 8)
#define BASE_BSP (1ull << 8)
#define BASE_EXTD (1ull << 10) /* x2APIC mode */
#define BASE_EN (1ull << 11)
#define ESR_SEND_ILLEGAL (1u << 5)
#define ESR_RECV_ILLEGAL (1u << 6)

#define ICR_MODE(x) (((x) >> 8) & 7u)
#define ICR_LOGICAL (1u << 11)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)
#define ICR_SHORTHAND(x) (((x) >> 18) & 3u)
#define MODE_FIXED 0u
#define MODE_LOWEST 1u
#define MODE_INIT 5u
#define MODE_SIPI 6u

#define MSR_APIC_BASE 0x1bu
#define MSR_EFER 0xc0000080u
#define EFER_GUEST_BITS 0xd01ull /* SCE, LME, LMA, NXE */
#define EFER_LME (1ull << 8)
#define EFER_SVME (1ull << 12)

/* The timer's input clock: 1 GHz, so one count at divide-by-1 is 1 ns of
 * HAL time (docs/guest-abi-x86_64.md). A periodic timer is not re-armed
 * closer than 100 us (10 kHz, above any OS tick): a period shorter than
 * one interrupt's round trip through the host would leave the guest no
 * instruction between interrupts (measured: a 1 us period starved the
 * apic-hostile guest under QEMU). */
#define TIMER_MIN_PERIOD_NS 100000u

static const uint32_t lvt_bits[7] = {
	0x107ffu, /* CMCI: vector, mode, mask */
	0x300ffu, /* timer: vector, mask, periodic (TSC-deadline reserved) */
	0x107ffu, 0x107ffu,
	0x1a7ffu, 0x1a7ffu, /* LINT0/1: + polarity, trigger */
	0x100ffu, /* error */
};

static inline uint64_t now_ns(const struct svm_vcpu *v)
{
	const struct axvm_hal *hal = v->vm->base.hal;
	return hal->now_ns(hal->ctx);
}

static bool x2apic(const struct svm_vcpu *v)
{
	return v->apic.base & BASE_EXTD;
}

void svm_lapic_reset(struct svm_vcpu *v)
{
	struct svm_lapic *a = &v->apic;

	for (unsigned i = 0; i < 8; i++) {
		atomic_store(&a->irr[i], 0);
		a->isr[i] = 0;
	}
	a->base = AXVM_X86_LAPIC_BASE | BASE_EN | (v->id == 0 ? BASE_BSP : 0);
	a->tpr = a->ldr = a->esr = a->esr_next = a->icr_lo = a->icr_hi = 0;
	a->svr = 0xff;
	a->dfr = 0xffffffffu;
	for (unsigned i = 0; i < 7; i++)
		a->lvt[i] = LVT_MASKED;
	a->tmr_init = a->tmr_div = 0;
	a->deadline = a->period = a->lend = 0;
}

/* Highest set bit of a 256-bit vector map, or -1. */
static int highest(const uint32_t *map)
{
	for (int w = 7; w >= 0; w--)
		if (map[w])
			return w * 32 + 31 - __builtin_clz(map[w]);
	return -1;
}

static int highest_irr(const struct svm_lapic *a)
{
	uint32_t m[8];

	for (unsigned i = 0; i < 8; i++)
		m[i] = atomic_load_explicit(&a->irr[i], memory_order_relaxed);
	return highest(m);
}

static uint32_t ppr(const struct svm_lapic *a)
{
	int isrv = highest(a->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0u;

	return (a->tpr & 0xf0u) >= isr_class ? a->tpr & 0xffu : isr_class;
}

int svm_lapic_pending(const struct svm_vcpu *v)
{
	const struct svm_lapic *a = &v->apic;
	int vec = highest_irr(a);

	if (vec < 0 || ((uint32_t)vec & 0xf0u) <= (ppr(a) & 0xf0u))
		return -1;
	return vec;
}

void svm_lapic_accept(struct svm_vcpu *v, unsigned vec)
{
	vec &= 0xffu;
	atomic_fetch_and(&v->apic.irr[vec / 32], ~(1u << (vec % 32)));
	v->apic.isr[vec / 32] |= 1u << (vec % 32);
}

int svm_lapic_raise(struct svm_vcpu *v, uint32_t vec)
{
	if (vec < 16 || vec > 255)
		return AXVM_EINVAL;
	/* A software- or globally disabled APIC takes no fixed interrupts. */
	if (!(v->apic.svr & SVR_ENABLE) || !(v->apic.base & BASE_EN))
		return 0;
	atomic_fetch_or(&v->apic.irr[vec / 32], 1u << (vec % 32));
	/* After the IRR bit: run() clears irq_any before it scans. */
	atomic_store(&v->irq_any, true);
	return 0;
}

/* A vector raised by this APIC itself (timer, LVT, self-IPI): illegal
 * ones are counted in ESR as the hardware does, not delivered. */
static void raise_local(struct svm_vcpu *v, uint32_t vec)
{
	if (vec < 16)
		v->apic.esr_next |= ESR_RECV_ILLEGAL;
	else
		svm_lapic_raise(v, vec);
}

/* --- timer ------------------------------------------------------------------- */

static uint64_t divisor(const struct svm_lapic *a)
{
	unsigned d = (a->tmr_div & 3u) | ((a->tmr_div >> 1) & 4u);
	return d == 7 ? 1 : 2ull << d;
}

static void timer_start(struct svm_vcpu *v, uint32_t count)
{
	struct svm_lapic *a = &v->apic;

	a->tmr_init = count;
	if (!count) {
		a->deadline = 0;
		return;
	}
	/* At most 2^32 * 128 ns: no overflow, ~9 minutes. */
	a->period = (uint64_t)count * divisor(a);
	a->deadline = now_ns(v) + a->period;
}

static uint64_t timer_period(const struct svm_lapic *a)
{
	return a->period < TIMER_MIN_PERIOD_NS ? TIMER_MIN_PERIOD_NS : a->period;
}

void svm_lapic_tick(struct svm_vcpu *v, uint64_t now)
{
	struct svm_lapic *a = &v->apic;
	uint32_t lvt = a->lvt[LVT_TIMER];

	if (!a->deadline || now < a->deadline)
		return;
	if (!(lvt & LVT_MASKED))
		raise_local(v, lvt & 0xffu);
	if (lvt & LVT_PERIODIC) {
		uint64_t p = timer_period(a);
		/* Missed periods coalesce into the one IRR bit, as on hardware. */
		a->deadline += ((now - a->deadline) / p + 1) * p;
	} else {
		a->deadline = 0;
	}
}

uint64_t svm_lapic_deadline(const struct svm_vcpu *v)
{
	const struct svm_lapic *a = &v->apic;

	return (a->lvt[LVT_TIMER] & LVT_MASKED) ? 0 : a->deadline;
}

/* The count now. An expiry svm_lapic_tick() has not seen yet (the vCPU
 * was off its pCPU) is 0 for a one-shot; a periodic timer has reloaded
 * and counts down again, as the hardware's would have. */
static uint32_t timer_current(const struct svm_vcpu *v)
{
	const struct svm_lapic *a = &v->apic;
	uint64_t now, left;

	if (!a->deadline)
		return 0;
	now = now_ns(v);
	if (now < a->deadline)
		left = a->deadline - now;
	else if (a->lvt[LVT_TIMER] & LVT_PERIODIC)
		left = timer_period(a) - (now - a->deadline) % timer_period(a);
	else
		return 0;
	return (uint32_t)(left / divisor(a));
}

/* --- ICR --------------------------------------------------------------------- */

/* The IPI an ICR write asks for, as the exit the core carries out. */
static void send_ipi(struct svm_vcpu *v, uint32_t lo, uint32_t dest, struct axvm_exit *exit)
{
	uint32_t mode = ICR_MODE(lo), sh = ICR_SHORTHAND(lo), vec = lo & 0xffu;
	uint32_t bcast = x2apic(v) ? 0xffffffffu : 0xffu;

	axvm_bm_exit_nothing(exit);
	if (sh == 0 && (lo & ICR_LOGICAL))
		return; /* logical destinations: not modelled */
	if (sh == 0 && dest == bcast)
		sh = 2; /* the broadcast id: everyone, the sender too */
	if (mode == MODE_FIXED || mode == MODE_LOWEST) {
		if (vec < 16) {
			v->apic.esr_next |= ESR_SEND_ILLEGAL;
			return;
		}
		if (sh == 1 || sh == 2)
			svm_lapic_raise(v, vec);
		if (sh == 1)
			return;
		exit->kind = AXVM_EXIT_SEND_IPI;
		exit->u.ipi.target = dest; /* a vCPU index: the core checks it */
		exit->u.ipi.target_aux = 0;
		exit->u.ipi.to_all = sh != 0;
		exit->u.ipi.to_self = false;
		exit->u.ipi.vector = AXVM_X86_IRQ_LAPIC(vec);
		return;
	}
	/* INIT and SIPI go to one named vCPU. A vCPU the core has off is
	 * what INIT leaves: waiting for SIPI. INIT to a running vCPU and
	 * INIT level de-assert change nothing here. */
	if (sh != 0 || mode != MODE_SIPI)
		return;
	exit->kind = AXVM_EXIT_CPU_UP;
	exit->u.cpu_up.target = dest;
	exit->u.cpu_up.entry = AXVM_X86_SIPI_ENTRY | ((uint64_t)vec << 12);
	exit->u.cpu_up.arg = 0;
	exit->u.cpu_up.ret_reg = AXVM_REG_NONE; /* an ICR write has no result */
}

/* --- the register file ------------------------------------------------------- */

static uint32_t reg_read(struct svm_vcpu *v, unsigned r)
{
	struct svm_lapic *a = &v->apic;

	switch (r) {
	case R_ID:
		return x2apic(v) ? v->id : v->id << 24;
	case R_VER:
		return 0x00060014u; /* version 0x14, max LVT entry 6 (7 with CMCI) */
	case R_TPR:
		return a->tpr;
	case R_APR:
		return 0;
	case R_PPR:
		return ppr(a);
	case R_LDR:
		return x2apic(v) ? ((v->id >> 4) << 16) | (1u << (v->id & 15)) : a->ldr;
	case R_DFR:
		return x2apic(v) ? 0 : a->dfr;
	case R_SVR:
		return a->svr;
	case R_ESR:
		return a->esr;
	case R_ICR:
		return a->icr_lo;
	case R_ICR_HI:
		return x2apic(v) ? 0 : a->icr_hi;
	case R_TMR_INIT:
		return a->tmr_init;
	case R_TMR_CUR:
		return timer_current(v);
	case R_TMR_DIV:
		return a->tmr_div;
	default:
		break;
	}
	if (r >= R_ISR && r < R_ISR + 8)
		return a->isr[r - R_ISR];
	if (r >= R_IRR && r < R_IRR + 8)
		return atomic_load(&a->irr[r - R_IRR]);
	if (r == R_LVT_CMCI)
		return a->lvt[0];
	if (r >= R_LVT_TIMER && r <= R_LVT_ERROR)
		return a->lvt[r - R_LVT_TIMER + 1];
	return 0; /* TMR, reserved */
}

/* `hi` is the x2APIC ICR's destination (bits 63:32 of the MSR). */
static void reg_write(struct svm_vcpu *v, unsigned r, uint32_t val, uint32_t hi,
		      struct axvm_exit *exit)
{
	struct svm_lapic *a = &v->apic;

	axvm_bm_exit_nothing(exit);
	switch (r) {
	case R_TPR:
		a->tpr = val & 0xffu;
		atomic_store(&v->irq_any, true); /* a lower TPR may let one in */
		return;
	case R_EOI: {
		int vec = highest(a->isr);
		if (vec >= 0)
			a->isr[vec / 32] &= ~(1u << (vec % 32));
		atomic_store(&v->irq_any, true);
		return;
	}
	case R_LDR:
		if (!x2apic(v))
			a->ldr = val & 0xff000000u;
		return;
	case R_DFR:
		if (!x2apic(v))
			a->dfr = val | 0x0fffffffu;
		return;
	case R_SVR:
		a->svr = val & 0x1ffu;
		if (!(a->svr & SVR_ENABLE))
			for (unsigned i = 0; i < 7; i++)
				a->lvt[i] |= LVT_MASKED;
		return;
	case R_ESR: /* errors since the last write become visible */
		a->esr = a->esr_next;
		a->esr_next = 0;
		return;
	case R_ICR:
		a->icr_lo = val & 0xccfffu; /* delivery status (bit 12) always idle */
		if (x2apic(v))
			a->icr_hi = hi;
		send_ipi(v, a->icr_lo, x2apic(v) ? a->icr_hi : a->icr_hi >> 24, exit);
		return;
	case R_ICR_HI:
		if (!x2apic(v))
			a->icr_hi = val & 0xff000000u;
		return;
	case R_TMR_INIT:
		timer_start(v, val);
		return;
	case R_TMR_DIV:
		a->tmr_div = val & 0xbu;
		return;
	case R_SELF_IPI:
		if (x2apic(v))
			raise_local(v, val & 0xffu);
		return;
	default:
		break;
	}
	if (r == R_LVT_CMCI || (r >= R_LVT_TIMER && r <= R_LVT_ERROR)) {
		unsigned i = r == R_LVT_CMCI ? 0 : r - R_LVT_TIMER + 1;
		a->lvt[i] = val & lvt_bits[i];
		if (!(a->svr & SVR_ENABLE))
			a->lvt[i] |= LVT_MASKED;
	}
	/* ID, version, PPR, ISR, TMR, IRR, current count: read-only. */
}

/* --- the two ways in ----------------------------------------------------------- */

bool svm_lapic_is_mmio(const struct svm_vcpu *v, uint64_t gpa)
{
	return gpa - AXVM_X86_LAPIC_BASE < 0x1000u && (v->apic.base & BASE_EN) && !x2apic(v);
}

int svm_lapic_mmio(struct svm_vcpu *v, uint64_t off, bool write, uint64_t data, uint32_t reg,
		   struct axvm_exit *exit)
{
	/* Registers are 32-bit, 16-byte aligned; other accesses read as 0
	 * and write nothing. */
	bool ok = off < 0x1000u && (off & 0xf) == 0;

	if (write) {
		if (ok)
			reg_write(v, (unsigned)(off >> 4), (uint32_t)data, 0, exit);
		else
			axvm_bm_exit_nothing(exit);
		return 0;
	}
	svm_set_reg(v, reg, ok ? reg_read(v, (unsigned)(off >> 4)) : 0);
	return axvm_bm_exit_nothing(exit);
}

static int handled(struct axvm_exit *exit)
{
	axvm_bm_exit_nothing(exit);
	return 1;
}

static void msr_result(struct svm_vcpu *v, uint64_t val)
{
	svm_set_gpr(v, AXVM_X86_REG_RAX, val & 0xffffffffu);
	svm_set_gpr(v, AXVM_X86_REG_RDX, val >> 32);
}

int svm_lapic_msr(struct svm_vcpu *v, uint32_t msr, bool write, struct axvm_exit *exit)
{
	uint64_t val = (svm_gpr(v, AXVM_X86_REG_RDX) << 32) |
		       (svm_gpr(v, AXVM_X86_REG_RAX) & 0xffffffffu);

	if (msr == MSR_EFER) {
		/* The guest's own EFER (a real-mode AP turns LME on), with
		 * SVME kept for VMRUN and hidden from the guest. Bad values
		 * fail VMRUN's checks: the VM stops, not the host. */
		uint64_t cur = vmcb_get64(v, VMCB_EFER), keep = EFER_LMA;
		/* LME does not change under paging (a real CPU raises #GP). */
		if (vmcb_get64(v, VMCB_CR0) & (1ull << 31))
			keep |= EFER_LME;
		if (write)
			vmcb_set64(v, VMCB_EFER, (val & EFER_GUEST_BITS & ~keep) | (cur & keep) |
							 EFER_SVME);
		else
			msr_result(v, cur & EFER_GUEST_BITS);
		return handled(exit);
	}
	if (msr == MSR_APIC_BASE) {
		if (write) {
			/* Enable and x2APIC mode are the guest's; the base
			 * stays at 0xfee00000 (relocation not modelled).
			 * x2APIC straight to xAPIC is an invalid transition
			 * (a CPU raises #GP): ignored, like the others. */
			bool to_xapic = (val & BASE_EN) && !(val & BASE_EXTD);
			if (!(x2apic(v) && to_xapic))
				v->apic.base = (v->apic.base & ~(BASE_EN | BASE_EXTD)) |
					       (val & BASE_EN) |
					       ((val & BASE_EN) ? val & BASE_EXTD : 0);
		} else {
			msr_result(v, v->apic.base);
		}
		return handled(exit);
	}
	if (msr < 0x800u || msr > 0x8ffu)
		return 0;
	/* x2APIC MSRs outside x2APIC mode: read 0, writes ignored (a real
	 * CPU raises #GP). */
	if (!x2apic(v)) {
		if (!write)
			msr_result(v, 0);
		return handled(exit);
	}
	if (write) {
		reg_write(v, msr - 0x800u, (uint32_t)val, (uint32_t)(val >> 32), exit);
		return 1;
	}
	val = reg_read(v, msr - 0x800u);
	if (msr - 0x800u == R_ICR)
		val |= (uint64_t)v->apic.icr_hi << 32;
	msr_result(v, val);
	return handled(exit);
}
