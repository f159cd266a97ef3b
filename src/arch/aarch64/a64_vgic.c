/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Minimal virtual GICv3: the guest's CPU interface is the hardware's
 * virtual one (ICV_* behind the guest's ICC_* registers, fed through the
 * ICH_LR<n>_EL2 list registers); the distributor and redistributors are
 * emulated from stage-2 faults on their windows (a64_vgic_dist.c).
 *
 * What is modelled: Group 1 only (GICD_CTLR.DS = 1, ARE = 1), SGIs and PPIs
 * per vCPU, AXVM_A64_NR_SPIS SPIs with enable, priority, trigger config and
 * IROUTER; pending set/clear registers feed the software pending set.
 * Active-state registers read as zero. Everything else is RAZ/WI.
 *
 * Injection: inject() sets a bit in the vCPU's atomic pending set (any
 * thread); flush() moves enabled pending interrupts into free list
 * registers right before entry; sync() frees list registers the guest has
 * finished with right after exit. The virtual timer interrupt carries the
 * LR EOI bit so its deactivation raises a maintenance interrupt (an exit)
 * and the backend can unmask the timer again.
 */
#include <string.h>

#include <axvm/vcpu.h>

#include "a64.h"
#include "a64_sysreg.h"

#define LR_STATE_PENDING (1ull << 62)
#define LR_STATE_ACTIVE (1ull << 63)
#define LR_GROUP1 (1ull << 60)
#define LR_EOI (1ull << 41)
#define LR_HW (1ull << 61)
#define LR_PINTID_SHIFT 32

/* The port's physical-active switch (axvm_aarch64.h); NULL: EOI
 * maintenance interrupts instead. */
static axvm_a64_ppi_active_fn ppi_active;

int axvm_a64_set_ppi_active(axvm_a64_ppi_active_fn fn)
{
	ppi_active = fn;
	return 0;
}
#define LR_PRIO_SHIFT 48

#define ICH_HCR_EN (1ull << 0)
#define ICH_HCR_UIE (1ull << 1)

/* --- list-register access: the register number is in the instruction --- */

#define LR_CASE(n)                                                            \
	case n:                                                               \
		if (write)                                                    \
			__asm__ volatile("msr ich_lr" #n "_el2, %0" ::"r"(v)); \
		else                                                          \
			__asm__ volatile("mrs %0, ich_lr" #n "_el2" : "=r"(v)); \
		break;

static uint64_t lr_access(unsigned n, bool write, uint64_t v)
{
	switch (n) {
		LR_CASE(0) LR_CASE(1) LR_CASE(2) LR_CASE(3)
	default:
		break;
	}
	return v;
}

static uint64_t lr_read(unsigned n)
{
	return lr_access(n, false, 0);
}

static void lr_write(unsigned n, uint64_t v)
{
	(void)lr_access(n, true, v);
}

/* lr_write() for the register an interrupt is placed in: the first free
 * one, register 0 whenever the guest has nothing in flight (a timer tick,
 * an IPI), is written without the call and the jump table. */
static inline __attribute__((always_inline)) void lr_write_placed(unsigned n, uint64_t v)
{
	if (n == 0)
		__asm__ volatile("msr ich_lr0_el2, %0" ::"r"(v));
	else
		lr_write(n, v);
}

/* --- state ----------------------------------------------------------------- */

void a64_vgic_vm_reset(struct a64_vm *vm)
{
	a64_lock(vm);
	memset(&vm->dist, 0, sizeof(vm->dist));
	a64_unlock(vm);
}

void a64_vgic_cpu_init(struct a64_vcpu *v)
{
	uint64_t vtr = rd_ich_vtr_el2();
	unsigned pribits = (unsigned)((vtr >> 29) & 7u) + 1u;

	v->vgic.nr_lr = (uint32_t)(vtr & 0x1fu) + 1u;
	if (v->vgic.nr_lr > A64_MAX_LR)
		v->vgic.nr_lr = A64_MAX_LR;
	v->vgic.lr_all = (1u << v->vgic.nr_lr) - 1u;
	v->vgic.nr_apr = pribits >= 7 ? 4u : pribits == 6 ? 2u : 1u;
	v->vgic.enable = 0;
	v->vgic.cfg1 = 0;
	v->vgic.waker = 1u << 1; /* ProcessorSleep until the guest wakes it */
	memset(v->vgic.prio, 0, sizeof(v->vgic.prio));
	for (unsigned i = 0; i < sizeof(v->vgic.pending) / sizeof(v->vgic.pending[0]); i++)
		atomic_store(&v->vgic.pending[i], 0);
	a64_vgic_cpu_reset(v);
}

/* The CPU-interface half: what a PSCI CPU_ON starts from. Pending state
 * belongs to the redistributor and survives (an SGI sent to a vCPU that is
 * still starting is delivered once it runs); in-flight list-register
 * contents and active priorities do not. */
void a64_vgic_cpu_reset(struct a64_vcpu *v)
{
	v->vgic.lr_used = 0;
	v->vgic.vtimer_hw = false;
	memset(v->vgic.lr, 0, sizeof(v->vgic.lr));
	memset(v->vgic.lr_intid, 0, sizeof(v->vgic.lr_intid));
	v->vgic.vmcr = 0;
	memset(v->vgic.ap0r, 0, sizeof(v->vgic.ap0r));
	memset(v->vgic.ap1r, 0, sizeof(v->vgic.ap1r));
	v->vgic.hcr = ICH_HCR_EN;
}

/*
 * The switch of the list and active-priority registers at bind and unbind,
 * straight-line: the register number is in the instruction, and a loop of
 * calls through a register-number switch cost several times the accesses
 * themselves on every time-slice switch. A switch on the implemented count
 * falls through from the highest register down.
 */
#define LR_LOAD(n)                                                             \
	case n + 1:                                                            \
		__asm__ volatile("msr ich_lr" #n "_el2, %0" ::"r"(                 \
			((g->lr_used >> n) & 1u) ? g->lr[n] : 0));                 \
		__attribute__((fallthrough));

/* Every implemented LR: an unused one is written zero, so no state another
 * vCPU (or the reset value, which is UNKNOWN) left there reaches this one
 * (load() skips this when none is in use and all are empty already). */
static void lrs_load(const struct a64_vgic_cpu *g)
{
	switch (g->nr_lr) {
	default:
		LR_LOAD(3) LR_LOAD(2) LR_LOAD(1) LR_LOAD(0)
	case 0:
		break;
	}
}
_Static_assert(A64_MAX_LR == 4, "lr_access() and lrs_load() name 4 list registers");

#define LR_ZERO(n)                                                             \
	case n + 1:                                                            \
		__asm__ volatile("msr ich_lr" #n "_el2, xzr");                     \
		__attribute__((fallthrough));

void a64_vgic_clear_unused_lrs(void)
{
	switch ((unsigned)(rd_ich_vtr_el2() & 0x1fu) + 1u) {
	default:
		LR_ZERO(15) LR_ZERO(14) LR_ZERO(13) LR_ZERO(12)
		LR_ZERO(11) LR_ZERO(10) LR_ZERO(9) LR_ZERO(8)
		LR_ZERO(7) LR_ZERO(6) LR_ZERO(5) LR_ZERO(4)
	case 4:
	case 3:
	case 2:
	case 1:
		break;
	}
}

#define APR_LOAD(n)                                                             \
	__asm__ volatile("msr ich_ap0r" #n "_el2, %0\n\tmsr ich_ap1r" #n "_el2, %1" \
			 ::"r"(g->ap0r[n]), "r"(g->ap1r[n]))
/* Read into the vCPU; not cleared: the next vCPU here loads its own
 * (load() writes every implemented one), and the host's virtual CPU
 * interface is off (ICH_HCR_EL2.En = 0). */
#define APR_SAVE(n)                                                             \
	__asm__ volatile("mrs %0, ich_ap0r" #n "_el2\n\tmrs %1, ich_ap1r" #n "_el2" \
			 : "=r"(g->ap0r[n]), "=r"(g->ap1r[n]))

/* nr_apr is 1, 2 or 4 (a64_vgic_cpu_init); one test for the usual 1
 * (5 priority bits, QEMU's and most cores'), where a switch on the
 * three values took two. */
static void aprs_load(const struct a64_vgic_cpu *g)
{
	if (g->nr_apr != 1) {
		if (g->nr_apr == 4) {
			APR_LOAD(3);
			APR_LOAD(2);
		}
		APR_LOAD(1);
	}
	APR_LOAD(0);
}

static void aprs_save(struct a64_vgic_cpu *g)
{
	if (g->nr_apr != 1) {
		if (g->nr_apr == 4) {
			APR_SAVE(3);
			APR_SAVE(2);
		}
		APR_SAVE(1);
	}
	APR_SAVE(0);
}

void a64_vgic_load(struct a64_vcpu *v)
{
	struct a64_vgic_cpu *g = &v->vgic;

	/* ICH_HCR_EL2 is 0 already, as whenever the host runs: the EL2
	 * set-up (el2_controls_load) wrote it and every exit's sync() writes
	 * it; run() sets the guest's value before each entry. */
	wr_ich_vmcr_el2(g->vmcr);
	aprs_load(g);
	/* None in use and every implemented one empty in ICH_ELRSR_EL2
	 * (invalid, no EOI request: what put() and sync() leave, and what
	 * the hardware ignores): nothing to write. An invalid LR's stale
	 * contents reach neither the guest nor the maintenance interrupt,
	 * and sync(), place() and put() look only at the ones in use. A
	 * switch between two vCPUs with none in flight saves the writes. */
	if (g->lr_used || (~(uint32_t)rd_ich_elrsr_el2() & g->lr_all))
		lrs_load(g);
}

void a64_vgic_load_hw(struct a64_vcpu *v)
{
	/* A HW-mapped timer interrupt the guest still has: its physical
	 * twin is active on this pCPU now (put() cleared it on the last). */
	if (v->vgic.vtimer_hw && ppi_active)
		ppi_active(AXVM_A64_IRQ_VTIMER, true);
}

void a64_vgic_put(struct a64_vcpu *v)
{
	struct a64_vgic_cpu *g = &v->vgic;

	/* ICH_HCR_EL2 is 0: the last exit's sync() (or nothing since
	 * load()) left it so. */
	g->vmcr = rd_ich_vmcr_el2();
	aprs_save(g);
}

void a64_vgic_put_lrs(struct a64_vcpu *v)
{
	struct a64_vgic_cpu *g = &v->vgic;

	/* Only the list registers in use: load() wrote every one (or found
	 * them all empty), and one
	 * sync() frees is invalid (the EOI-carrying one zeroed), so the
	 * others hold nothing the hardware acts on; load() overwrites them.
	 * With none in use put_lrs() is not called: nothing is written, and
	 * nothing needs the ISB, which makes the zeros visible to the next
	 * load()'s ELRSR read and precedes the HW timer's deactivation
	 * below (a HW LR is in use). */
	for (uint32_t used = g->lr_used; used; used &= used - 1) {
		unsigned n = (unsigned)__builtin_ctz(used);
		g->lr[n] = lr_read(n);
		lr_write(n, 0);
	}
	a64_isb();
	/* The next vCPU here must not find PPI 27 active. A HW LR the guest
	 * has deactivated meanwhile (state invalid) is dropped here. */
	if (g->vtimer_hw) {
		for (unsigned n = 0; n < g->nr_lr; n++) {
			if (((g->lr_used >> n) & 1u) && g->lr_intid[n] == AXVM_A64_IRQ_VTIMER &&
			    !(g->lr[n] & (LR_STATE_PENDING | LR_STATE_ACTIVE))) {
				g->lr_used &= ~(1u << n);
				g->vtimer_hw = false;
				v->timer_inflight = false;
			}
		}
		if (ppi_active)
			ppi_active(AXVM_A64_IRQ_VTIMER, false);
	}
}

static inline __attribute__((always_inline)) bool irq_enabled(const struct a64_vcpu *v,
								 uint32_t intid)
{
	const struct a64_vm *vm = v->vm;

	if (!(vm->dist.ctlr & GICD_CTLR_GRP1))
		return false;
	if (intid < 32)
		return (v->vgic.enable >> intid) & 1u;
	intid -= 32;
	return (vm->dist.enable[intid / 32] >> (intid % 32)) & 1u;
}

static uint8_t irq_prio(const struct a64_vcpu *v, uint32_t intid)
{
	return intid < 32 ? __atomic_load_n(&v->vgic.prio[intid], __ATOMIC_RELAXED)
			  : v->vm->dist.prio[intid - 32];
}

/*
 * irq_enabled() for an SGI or PPI, without the distributor lock: the two
 * words it reads (GICD_CTLR, the vCPU's GICR_ISENABLER0) and the priority
 * byte lr_place() reads are each written whole, under the lock, by MMIO
 * emulation on any vCPU's thread. A read outside the lock sees the value
 * before or after such a write, as if the injection had come just before
 * or after the guest's write, which the guest cannot tell apart; nothing
 * else the lock guards (SPI state) is read for a private interrupt. The
 * IPI's and the timer's placement then takes no lock.
 */
static inline __attribute__((always_inline)) bool private_enabled(const struct a64_vcpu *v,
								  uint32_t intid)
{
	return (__atomic_load_n(&v->vm->dist.ctlr, __ATOMIC_RELAXED) & GICD_CTLR_GRP1) &&
	       ((__atomic_load_n(&v->vgic.enable, __ATOMIC_RELAXED) >> intid) & 1u);
}

static inline __attribute__((always_inline)) bool lr_place(struct a64_vcpu *v, uint32_t intid);

bool a64_vgic_place(struct a64_vcpu *v, uint32_t intid)
{
	bool placed;

	if (intid < 32) /* the timer's PPI: no lock (private_enabled) */
		return private_enabled(v, intid) && lr_place(v, intid);
	a64_lock(v->vm);
	placed = irq_enabled(v, intid) && lr_place(v, intid);
	a64_unlock(v->vm);
	return placed;
}

bool a64_vgic_in_lr(const struct a64_vcpu *v, uint32_t intid)
{
	for (uint32_t used = v->vgic.lr_used; used; used &= used - 1)
		if (v->vgic.lr_intid[__builtin_ctz(used)] == intid)
			return true;
	return false;
}

/* Pending for the guest: queued in software (and enabled) or pending in a
 * list register. Used to decide whether a WFI may block. */
bool a64_vgic_has_pending(struct a64_vcpu *v)
{
	bool any = false;
	uint64_t queued = 0;

	for (uint32_t used = v->vgic.lr_used; used; used &= used - 1)
		if (lr_read((unsigned)__builtin_ctz(used)) & LR_STATE_PENDING)
			return true;
	/* Nothing queued (the usual WFI): no need for the lock. */
	for (uint32_t w = 0; w < sizeof(v->vgic.pending) / 8; w++)
		queued |= atomic_load_explicit(&v->vgic.pending[w], memory_order_relaxed);
	if (!queued)
		return false;
	a64_lock(v->vm);
	for (uint32_t w = 0; !any && w < sizeof(v->vgic.pending) / 8; w++) {
		uint64_t bits = atomic_load(&v->vgic.pending[w]);
		while (bits && !any) {
			uint32_t b = (uint32_t)__builtin_ctzll(bits);
			bits &= bits - 1;
			any = irq_enabled(v, w * 64 + b);
		}
	}
	a64_unlock(v->vm);
	return any;
}

/* Put one interrupt in a list register; false if none is free. Inline in
 * its two callers: a64_vgic_place() is on the timer's fast path. */
static inline __attribute__((always_inline)) bool lr_place(struct a64_vcpu *v, uint32_t intid)
{
	struct a64_vgic_cpu *g = &v->vgic;
	uint64_t lr;

	uint32_t free = ~g->lr_used & g->lr_all;

	for (uint32_t used = g->lr_used; used; used &= used - 1) {
		unsigned n = (unsigned)__builtin_ctz(used);
		if (g->lr_intid[n] == intid) {
			/* Already there (active): mark it pending as well. */
			lr = lr_read(n);
			if (!(lr & LR_STATE_PENDING))
				lr_write_placed(n, lr | LR_STATE_PENDING);
			return true;
		}
	}
	if (free) {
		unsigned n = (unsigned)__builtin_ctz(free);
		lr = LR_STATE_PENDING | LR_GROUP1 |
		     ((uint64_t)irq_prio(v, intid) << LR_PRIO_SHIFT) | intid;
		if (intid == AXVM_A64_IRQ_VTIMER && ppi_active) {
			/* Mapped: the guest's deactivation ends the physical
			 * PPI, held active meanwhile so its level cannot exit. */
			lr |= LR_HW | ((uint64_t)AXVM_A64_IRQ_VTIMER << LR_PINTID_SHIFT);
			ppi_active(AXVM_A64_IRQ_VTIMER, true);
			g->vtimer_hw = true;
		} else if (intid == AXVM_A64_IRQ_VTIMER) {
			lr |= LR_EOI; /* level: tell us when the guest is done */
		}
		if (n == 0) { /* the usual one (lr_write_placed), spelt out */
			__asm__ volatile("msr ich_lr0_el2, %0" ::"r"(lr));
			g->lr_used |= 1u;
			g->lr_intid[0] = intid;
			return true;
		}
		lr_write(n, lr);
		g->lr_used |= 1u << n;
		g->lr_intid[n] = intid;
		return true;
	}
	return false;
}

/* irq_enabled() for the 64 interrupts of pending word `w` at once, under
 * the distributor lock. */
static uint64_t enabled_word(const struct a64_vcpu *v, uint32_t w)
{
	const struct a64_vm *vm = v->vm;
	uint64_t en = 0;

	if (!(vm->dist.ctlr & GICD_CTLR_GRP1))
		return 0;
	for (uint32_t h = 0; h < 2; h++) {
		uint32_t first = w * 64 + h * 32; /* INTID of the half's bit 0 */
		uint32_t e = first < 32 ? v->vgic.enable
			     : first - 32 < AXVM_A64_NR_SPIS ? vm->dist.enable[(first - 32) / 32]
							     : 0;
		en |= (uint64_t)e << (32 * h);
	}
	return en;
}

/* Move what is queued into list registers (out of line: the common exit
 * has nothing queued and should not pay for this frame). */
static __attribute__((noinline)) void flush_queued(struct a64_vcpu *v)
{
	struct a64_vgic_cpu *g = &v->vgic;
	bool overflow = false;

	for (uint32_t w = 0; w < sizeof(g->pending) / 8; w++) {
		uint64_t bits, keep;

		if (!atomic_load_explicit(&g->pending[w], memory_order_relaxed))
			continue;
		bits = atomic_exchange(&g->pending[w], 0);
		a64_lock(v->vm);
		/* Disabled interrupts stay pending (GIC semantics). */
		keep = bits & ~enabled_word(v, w);
		for (bits &= ~keep; bits; bits &= bits - 1) {
			uint32_t b = (uint32_t)__builtin_ctzll(bits);
			if (!lr_place(v, w * 64 + b)) {
				keep |= 1ull << b;
				overflow = true;
			}
		}
		a64_unlock(v->vm);
		if (keep)
			atomic_fetch_or(&g->pending[w], keep);
	}
	/* Out of list registers: ask for a maintenance interrupt when at most
	 * one is still in use, and refill then. */
	if (overflow)
		g->hcr |= ICH_HCR_UIE;
}

/*
 * The one SGI or PPI `bit` (of pending word 0) queued, the IPI's case:
 * placed without the lock (private_enabled) and without flush_queued()'s
 * frame and walk. true: done (placed, or requeued with the maintenance
 * interrupt asked for if no list register is free); false, nothing
 * changed: disabled, flush_queued() keeps it pending.
 */
static inline __attribute__((always_inline)) bool flush_private(struct a64_vcpu *v, uint64_t bit)
{
	struct a64_vgic_cpu *g = &v->vgic;
	uint32_t intid = (uint32_t)__builtin_ctzll(bit);

	if (!private_enabled(v, intid))
		return false;
	/* Taken off the queue first, as flush_queued()'s exchange does: an
	 * inject from now on stays pending for the next entry (and kicks). */
	atomic_fetch_and(&g->pending[0], ~bit);
	if (!lr_place(v, intid)) {
		atomic_fetch_or(&g->pending[0], bit);
		g->hcr |= ICH_HCR_UIE; /* as flush_queued() on overflow */
	}
	return true;
}

void a64_vgic_flush(struct a64_vcpu *v)
{
	struct a64_vgic_cpu *g = &v->vgic;
	uint64_t w0, rest = 0;

	g->hcr = ICH_HCR_EN;
	/* Nothing queued, the common case on an exit: one look at each word. */
	w0 = atomic_load_explicit(&g->pending[0], memory_order_relaxed);
	for (uint32_t w = 1; w < sizeof(g->pending) / 8; w++)
		rest |= atomic_load_explicit(&g->pending[w], memory_order_relaxed);
	if (!(w0 | rest))
		return;
	if (!rest && !(w0 & (w0 - 1)) && w0 < (1ull << 32) && flush_private(v, w0))
		return;
	flush_queued(v);
}

void a64_vgic_sync_lrs(struct a64_vcpu *v)
{
	struct a64_vgic_cpu *g = &v->vgic;
	uint32_t done;

	/* Empty (ELRSR) or finished with an EOI request (EISR). */
	done = g->lr_used & (uint32_t)(rd_ich_elrsr_el2() | rd_ich_eisr_el2());
	for (uint32_t left = done; left; left &= left - 1) {
		unsigned n = (unsigned)__builtin_ctz(left);
		if (g->lr_intid[n] != AXVM_A64_IRQ_VTIMER)
			continue; /* invalid now, no EOI bit: nothing to clear */
		/* The unmapped timer's EOI bit would keep its EISR bit, and
		 * the maintenance interrupt, up: that one is cleared. */
		if (!g->vtimer_hw)
			lr_write(n, 0);
		v->timer_inflight = false;
		g->vtimer_hw = false; /* the guest deactivated both */
	}
	g->lr_used &= ~done;
}
