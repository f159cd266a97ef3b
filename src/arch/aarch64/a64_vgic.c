/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Minimal virtual GICv3: the guest's CPU interface is the hardware's
 * virtual one (ICV_* behind the guest's ICC_* registers, fed through the
 * ICH_LR<n>_EL2 list registers); the distributor and redistributors are
 * emulated here from stage-2 faults on their windows.
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

#define GICD_CTLR_GRP1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_DS (1u << 6)
#define GIC_PIDR2_V3 0x3bu
#define GIC_IIDR 0x0000043bu /* implementer: Arm */

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

int a64_vgic_inject(struct a64_vcpu *v, uint32_t intid)
{
	if (intid >= AXVM_A64_NR_IRQS)
		return AXVM_EINVAL;
	atomic_fetch_or(&v->vgic.pending[intid / 64], 1ull << (intid % 64));
	return 0;
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

void a64_vgic_unpend(struct a64_vcpu *v, uint32_t intid)
{
	if (intid < AXVM_A64_NR_IRQS)
		atomic_fetch_and(&v->vgic.pending[intid / 64],
				 ~(1ull << (intid % 64)));
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

/* --- SGIs sent from inside the world switch -------------------------------- */

/* ESR_EL2.ISS of an MSR ICC_SGI1R_EL1 (Op0 3, Op2 5, Op1 0, CRn 12, CRm 11,
 * Dir 0 = write), with Rt[9:5] masked out. */
#define ISS_MASK 0x1ffffffu
#define ISS_RT_MASK (0x1fu << 5)
#define ISS_SGI1R_WRITE ((3u << 20) | (5u << 17) | (12u << 10) | (11u << 1))

/* The core's vCPU `i` (vcpu_attach gave each its own before the VM could
 * run; no reference is needed: the sender runs in the same VM, and a VM
 * frees its vCPUs only after every one has left run()). */
static struct axvm_vcpu *core_vcpu(struct a64_vm *vm, uint32_t i)
{
	struct a64_vcpu *t = a64_vcpu_at(vm, i);

	return t ? t->core : NULL;
}

/*
 * The vCPUs the TargetList form (IRM = 0) of an ICC_SGI1R_EL1 value names,
 * one bit each, for both senders: a64_exit.c's SEND_IPI exits and
 * a64_vgic_fast_sgi(). Target n is Aff3.Aff2.Aff1.(RS * 16 + n), and a
 * vCPU's MPIDR is Aff1 = index / 16, Aff0 = index % 16, Aff2 = Aff3 = 0
 * (axvm_aarch64.h): so only RS 0 with Aff2 and Aff3 zero names any vCPU,
 * and TargetList bit n is vCPU Aff1 * 16 + n, if below the count. That is
 * a64_mpidr_to_index() for each set bit, as one shift and mask (the IPI's
 * sender paid a call per bit). Any guest value is safe: the shift stays
 * below 64 and the mask keeps vCPUs that exist.
 */
uint64_t a64_sgi_targets(const struct a64_vm *vm, uint64_t val)
{
	uint32_t aff1 = (uint32_t)(val >> 16) & 0xffu, count = vm->base.vcpu_count;
	uint64_t exist;

	/* Aff2 [39:32], RS [47:44], Aff3 [55:48] */
	if ((val & 0x00fff0ff00000000ull) || aff1 >= 4u || !count)
		return 0;
	exist = count >= 64 ? UINT64_MAX : (1ull << count) - 1u;
	return ((val & 0xffffull) << (aff1 * 16u)) & exist;
}

/*
 * What a64_exit.c's SEND_IPI exits would do, without the exit: the same
 * targets (TargetList with Aff1-3 and RS, or IRM for all but the sender)
 * and, per target, what the core's axvm_vcpu_inject_irq() does: pending
 * bit, then axvm_vcpu_kick() (wake flag, kick of the pCPU it is bound to).
 * Safe with interrupts masked inside the world switch: that touches
 * atomics and the port's kick_pcpu only. The sender's own SGI would go
 * into its own list registers, which only the full exit's flush fills; a
 * port's inject_irq hook is the port's code, not run here. Both take the
 * full exit. Like a64_fast_exit()'s answers, these SGIs reach neither the
 * core's loop nor its exit counters (no send_ipi count).
 */
bool a64_vgic_fast_sgi(struct a64_vcpu *v, uint64_t esr)
{
	struct a64_vm *vm = v->vm;
	uint32_t iss = (uint32_t)esr & ISS_MASK;
	uint32_t rt = (iss >> 5) & 0x1fu, count = vm->base.vcpu_count;
	uint64_t val, targets = 0;

	if ((iss & ~ISS_RT_MASK) != ISS_SGI1R_WRITE ||
	    vm->base.hal->inject_irq || count > 64)
		return false;
	val = rt == 31 ? 0 : v->regs.x[rt];
	if (val & (1ull << 40)) { /* IRM */
		targets = (count == 64 ? UINT64_MAX : (1ull << count) - 1u) & ~(1ull << v->id);
	} else {
		targets = a64_sgi_targets(vm, val);
		if (targets & (1ull << v->id))
			return false;
	}
	/* axvm_vcpu_inject_irq() without its two indirections: with no
	 * inject_irq hook it is this backend's inject, then the kick. */
	for (; targets; targets &= targets - 1) {
		uint32_t i = (uint32_t)__builtin_ctzll(targets);
		struct axvm_vcpu *c = core_vcpu(vm, i);
		if (c && !a64_vgic_inject(a64_vcpu_at(vm, i), (uint32_t)(val >> 24) & 0xfu))
			(void)axvm_vcpu_kick(c);
	}
	v->regs.pc += 4; /* EC 0x18: an AArch64 MSR, 4 bytes */
	return true;
}

/* --- distributor / redistributor MMIO ------------------------------------- */

/* Byte-array registers (IPRIORITYR): any width, any byte. */
static void bytes_access(uint8_t *arr, size_t len, uint64_t idx, unsigned width,
			 bool write, uint64_t *val)
{
	uint64_t r = 0;

	for (unsigned i = 0; i < width; i++) {
		if (idx + i >= len)
			break;
		if (write)
			arr[idx + i] = (uint8_t)(*val >> (8 * i));
		else
			r |= (uint64_t)arr[idx + i] << (8 * i);
	}
	if (!write)
		*val = r;
}

static void set_pending_bits(struct a64_vcpu *v, uint32_t first, uint32_t bits,
			     bool set)
{
	for (uint32_t b = 0; b < 32; b++) {
		if (!((bits >> b) & 1u))
			continue;
		if (set)
			a64_vgic_inject(v, first + b);
		else
			a64_vgic_unpend(v, first + b);
	}
}

static struct a64_vcpu *spi_target(struct a64_vm *vm, uint32_t spi)
{
	uint64_t route;
	uint32_t idx;

	a64_lock(vm);
	route = vm->dist.route[spi];
	a64_unlock(vm);
	idx = a64_mpidr_to_index(vm, route);
	if (idx == UINT32_MAX || !a64_vcpu_at(vm, idx))
		idx = 0;
	return a64_vcpu_at(vm, idx);
}

static uint64_t gicd_read(struct a64_vm *vm, uint64_t off, unsigned width)
{
	uint64_t val = 0;

	if (off >= 0x400 && off < 0x800) { /* IPRIORITYR */
		if (off >= 0x420)
			bytes_access(vm->dist.prio, sizeof(vm->dist.prio),
				     off - 0x420, width, false, &val);
		return val;
	}
	if (off >= 0x6100 && off < 0x6100 + 8u * AXVM_A64_NR_SPIS) { /* IROUTER */
		uint64_t r = vm->dist.route[(off - 0x6100) / 8];
		return width == 8 ? r : (off & 4) ? r >> 32 : r & 0xffffffffu;
	}
	if (width != 4)
		return 0;
	if (off == 0x0000)
		return vm->dist.ctlr | GICD_CTLR_ARE | GICD_CTLR_DS;
	if (off == 0x0004) /* TYPER: IDbits = 10, ITLinesNumber */
		return (9u << 19) | ((AXVM_A64_NR_IRQS / 32) - 1u);
	if (off == 0x0008)
		return GIC_IIDR;
	if (off >= 0x0084 && off < 0x0080 + AXVM_A64_NR_IRQS / 8) /* IGROUPR */
		return 0xffffffffu;
	if (off >= 0x0104 && off < 0x0100 + AXVM_A64_NR_IRQS / 8) /* ISENABLER */
		return vm->dist.enable[(off - 0x0104) / 4];
	if (off >= 0x0184 && off < 0x0180 + AXVM_A64_NR_IRQS / 8) /* ICENABLER */
		return vm->dist.enable[(off - 0x0184) / 4];
	if (off >= 0x0c08 && off < 0x0c00 + AXVM_A64_NR_IRQS / 4) /* ICFGR */
		return vm->dist.cfg[(off - 0x0c08) / 4];
	if (off == 0xffe8)
		return GIC_PIDR2_V3;
	return 0;
}

static void gicd_write(struct a64_vm *vm, uint64_t off, unsigned width,
		       uint64_t val)
{
	uint32_t v32 = (uint32_t)val;

	if (off >= 0x420 && off < 0x800) {
		bytes_access(vm->dist.prio, sizeof(vm->dist.prio), off - 0x420,
			     width, true, &val);
		return;
	}
	if (off >= 0x6100 && off < 0x6100 + 8u * AXVM_A64_NR_SPIS) {
		uint64_t *r = &vm->dist.route[(off - 0x6100) / 8];
		if (width == 8)
			*r = val;
		else if (width == 4 && (off & 4))
			*r = (*r & 0xffffffffu) | ((uint64_t)v32 << 32);
		else if (width == 4)
			*r = (*r & ~0xffffffffull) | v32;
		return;
	}
	if (width != 4)
		return;
	if (off == 0x0000)
		vm->dist.ctlr = v32 & GICD_CTLR_GRP1;
	else if (off >= 0x0104 && off < 0x0100 + AXVM_A64_NR_IRQS / 8)
		vm->dist.enable[(off - 0x0104) / 4] |= v32;
	else if (off >= 0x0184 && off < 0x0180 + AXVM_A64_NR_IRQS / 8)
		vm->dist.enable[(off - 0x0184) / 4] &= ~v32;
	else if (off >= 0x0c08 && off < 0x0c00 + AXVM_A64_NR_IRQS / 4)
		vm->dist.cfg[(off - 0x0c08) / 4] = v32;
}

/* GICD_ISPENDR/ICPENDR for SPIs: delivered to the routed vCPU, outside the
 * distributor lock (inject takes none). */
static void gicd_pend(struct a64_vm *vm, uint64_t off, uint64_t val)
{
	bool set = off < 0x280;
	uint32_t n = (uint32_t)((off - (set ? 0x200u : 0x280u)) / 4);

	if (n == 0 || n >= AXVM_A64_NR_IRQS / 32)
		return;
	for (uint32_t b = 0; b < 32; b++) {
		if (!((val >> b) & 1u))
			continue;
		struct a64_vcpu *t = spi_target(vm, n * 32 + b - 32);
		if (t)
			set_pending_bits(t, n * 32 + b, 1, set);
	}
}

static uint64_t gicr_read(struct a64_vcpu *t, uint64_t off, unsigned width)
{
	struct a64_vm *vm = t->vm;
	uint64_t val = 0;

	if (off >= 0x10400 && off < 0x10420) {
		bytes_access(t->vgic.prio, sizeof(t->vgic.prio), off - 0x10400,
			     width, false, &val);
		return val;
	}
	if (off == 0x0008 || off == 0x000c) {
		/* TYPER: affinity, processor number, Last. */
		uint64_t m = t->mpidr;
		uint64_t aff = (m & 0xffffffu) | ((m >> 8) & 0xff000000u);
		uint64_t typer = (aff << 32) | ((uint64_t)t->id << 8) |
				 (t->id + 1 == vm->base.vcpu_count ? 1u << 4 : 0);
		if (width == 8 && off == 0x0008)
			return typer;
		return width == 4 ? (off == 0x0008 ? typer & 0xffffffffu : typer >> 32) : 0;
	}
	if (width != 4)
		return 0;
	switch (off) {
	case 0x0004:
		return GIC_IIDR;
	case 0x0014: /* WAKER: ChildrenAsleep follows ProcessorSleep */
		return t->vgic.waker | (t->vgic.waker << 1);
	case 0xffe8:
		return GIC_PIDR2_V3;
	case 0x10080:
		return 0xffffffffu;
	case 0x10100:
	case 0x10180:
		return t->vgic.enable;
	case 0x10c00:
		return 0xaaaaaaaau; /* SGIs: edge */
	case 0x10c04:
		return t->vgic.cfg1;
	default:
		return 0;
	}
}

static void gicr_write(struct a64_vcpu *t, uint64_t off, unsigned width,
		       uint64_t val)
{
	uint32_t v32 = (uint32_t)val;

	if (off >= 0x10400 && off < 0x10420) {
		bytes_access(t->vgic.prio, sizeof(t->vgic.prio), off - 0x10400,
			     width, true, &val);
		return;
	}
	if (width != 4)
		return;
	switch (off) {
	case 0x0014:
		t->vgic.waker = v32 & (1u << 1);
		break;
	case 0x10100:
		t->vgic.enable |= v32;
		break;
	case 0x10180:
		t->vgic.enable &= ~v32;
		break;
	case 0x10c04:
		t->vgic.cfg1 = v32;
		break;
	default:
		break;
	}
}

bool a64_vgic_mmio(struct a64_vcpu *v, uint64_t ipa, bool write,
		   unsigned width, uint64_t *val)
{
	struct a64_vm *vm = v->vm;
	uint64_t gicr_end = AXVM_A64_GICR_BASE +
			    (uint64_t)vm->base.vcpu_count * AXVM_A64_GICR_STRIDE;
	uint64_t off;

	if (ipa >= AXVM_A64_GICD_BASE && ipa - AXVM_A64_GICD_BASE < AXVM_A64_GICD_SIZE) {
		off = ipa - AXVM_A64_GICD_BASE;
		if (write && (off & ~0x7full) == 0x200 && width == 4) {
			gicd_pend(vm, off, *val);
			return true;
		}
		if (write && (off & ~0x7full) == 0x280 && width == 4) {
			gicd_pend(vm, off, *val);
			return true;
		}
		a64_lock(vm);
		if (write)
			gicd_write(vm, off, width, *val);
		else
			*val = gicd_read(vm, off, width);
		a64_unlock(vm);
		return true;
	}
	if (ipa >= AXVM_A64_GICR_BASE && ipa < gicr_end) {
		off = ipa - AXVM_A64_GICR_BASE;
		/* below vcpu_count: gicr_end bounds the offset */
		struct a64_vcpu *t = a64_vcpu_at(vm, (uint32_t)(off / AXVM_A64_GICR_STRIDE));
		off %= AXVM_A64_GICR_STRIDE;
		if (!t) {
			if (!write)
				*val = 0;
			return true;
		}
		if (write && (off == 0x10200 || off == 0x10280) && width == 4) {
			set_pending_bits(t, 0, (uint32_t)*val, off == 0x10200);
			return true;
		}
		a64_lock(vm);
		if (write)
			gicr_write(t, off, width, *val);
		else
			*val = gicr_read(t, off, width);
		a64_unlock(vm);
		return true;
	}
	return false;
}
