/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AArch64 EL2 backend: VM and vCPU state, bind/unbind (the lazy switch
 * of everything the host never uses at EL2: EL1 system registers, FP/SIMD,
 * the GIC virtual interface, the virtual timer) and run() (the eager switch
 * of general registers, PC and PSTATE around one guest entry).
 */
#include <stddef.h>
#include <string.h>

#include <axvm/addrspace.h>

#include "a64.h"
#include "a64_sysreg.h"

/*
 * HCR_EL2 while a guest is bound.
 *  VM    stage-2 translation on: the guest sees only what its VM maps.
 *  SWIO  set/way invalidates become clean+invalidate: with stage 2 a guest
 *        invalidating by set/way could otherwise discard another VM's or
 *        the host's dirty lines.
 *  FMO, IMO  physical FIQ/IRQ go to EL2 (a host interrupt always exits the
 *        guest) and the guest's ICC_* accesses go to the virtual CPU
 *        interface fed by our list registers; ICC_SGI1R_EL1 writes trap.
 *  AMO   physical SError to EL2, so a guest cannot mask the host's.
 *  FB, BSU=IS  a vCPU may move between pCPUs: its local TLB/cache
 *        maintenance and barriers are upgraded to inner shareable.
 *  TWI   WFI traps: an idle vCPU becomes a halt exit, so the host can
 *        sleep, run another vCPU, or notice a shutdown. WFE (TWE) is left
 *        alone: guests spin with it on locks held by running vCPUs, where
 *        an exit per iteration only slows the holder down.
 *  TSC   SMC traps: without it a guest's SMC would reach the real firmware
 *        (on QEMU: PSCI SYSTEM_OFF powers off the whole board).
 *  TIDCP, TACR  implementation-defined registers and ACTLR_EL1 become
 *        system-register exits: they are CPU-specific and not the guest's.
 *  TID3  ID group 3 registers trap and are answered in the backend with
 *        the host's values minus features guests do not get (SVE, SME,
 *        pointer authentication, PMU, ...; a64_idregs.c): Linux uses what
 *        they advertise, and trapped SVE state killed it at boot.
 *  RW    EL1 is AArch64.
 * Not set: TVM/TRVM (guests own their stage 1), TSW (SWIO/FB cover set/way
 * use without an exit per line), TID0-2 (MIDR, CTR, cache IDs read natively), API/APK
 * (pointer-authentication use traps: its keys are not switched here).
 */
#define HCR_VM (1ull << 0)
#define HCR_SWIO (1ull << 1)
#define HCR_FMO (1ull << 3)
#define HCR_IMO (1ull << 4)
#define HCR_AMO (1ull << 5)
#define HCR_FB (1ull << 9)
#define HCR_BSU_IS (1ull << 10)
#define HCR_TWI (1ull << 13)
#define HCR_TID3 (1ull << 18)
#define HCR_TSC (1ull << 19)
#define HCR_TIDCP (1ull << 20)
#define HCR_TACR (1ull << 21)
#define HCR_RW (1ull << 31)
#define GUEST_HCR                                                             \
	(HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB |           \
	 HCR_BSU_IS | HCR_TWI | HCR_TID3 | HCR_TSC | HCR_TIDCP | HCR_TACR | HCR_RW)

/* CPTR_EL2 (E2H = 0): RES1 bits, TZ (SVE) and TSM (SME) trap because their
 * state is not switched; TFP = 0: FP/SIMD is the guest's. */
#define GUEST_CPTR 0x33ffull
/* Until its first FP/SIMD use in a bind the guest runs with TFP = 1, as
 * KVM does: the use traps, fp_first_use() loads its registers and clears
 * TFP, and only then does unbind save them. A vCPU that computes nothing
 * in FP during a time slice switches without its 528 bytes going either
 * way. The host (EL2, -mgeneral-regs-only) never uses FP/SIMD, so TFP
 * costs it nothing and the registers need no host copy. */
#define CPTR_TFP (1ull << 10)
/* MDCR_EL2: trap PMU (TPM, TPMCR) and debug (TDA, TDOSA, TDRA) registers to
 * system-register exits; HPMN is kept from the host. */
#define GUEST_MDCR ((1ull << 5) | (1ull << 6) | (1ull << 9) | (1ull << 10) | (1ull << 11))
/* CNTHCTL_EL2: EL1PCTEN = 1 (physical counter readable), EL1PCEN = 0 (the
 * physical timer traps: guests use the virtual timer, which is switched). */
#define GUEST_CNTHCTL 1ull

#define CNTV_ENABLE 1ull
#define CNTV_IMASK 2ull

/* SCTLR_EL1 at reset: RES1 bits, MMU and caches off, little endian. */
#define SCTLR_EL1_RESET 0x30d00800ull
#define PSTATE_EL1H_MASKED 0x3c5ull

/* --- VMIDs: a hardware-global resource, so a global (lock-free) bitmap --- */

static struct axvm_bm_vmids vmids;

/* --- stage 2: the core's page-table engine owns the tables ------------------ */

#define A64_PT_FORMAT (&axvm_pt_arm_s2_4k_ipa40)

static uint64_t info_vtcr(void)
{
	struct axvm_pt_info info = { 0 };

	axvm_pt_format_info(A64_PT_FORMAT, &info);
	return info.control;
}

/*
 * Invalidate the VM's stage-2 (and combined stage-1) TLB entries on every
 * pCPU: by IPA for small ranges, the whole VMID otherwise (size 0). TLBI by
 * VMID acts on the VMID in VTTBR_EL2, so it is loaded for the operation.
 */
static void flush_vmid(struct a64_vm *vm, axvm_gpa_t gpa, uint64_t size)
{
	uint64_t daif = a64_irq_save();
	uint64_t old = rd_vttbr_el2();

	wr_vttbr_el2((uint64_t)vm->base.vmid << 48);
	a64_isb();
	a64_dsb_ishst();
	if (size && size <= 64 * AXVM_PAGE_SIZE) {
		for (uint64_t off = 0; off < size; off += AXVM_PAGE_SIZE)
			__asm__ volatile("tlbi ipas2e1is, %0" ::"r"(((gpa + off) >> 12) &
								 0xffffffffffull));
		a64_dsb_ish();
		__asm__ volatile("tlbi vmalle1is" ::: "memory");
	} else {
		__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	}
	a64_dsb_ish();
	wr_vttbr_el2(old);
	a64_isb();
	wr_daif(daif);
}

/* --- VM ---------------------------------------------------------------------- */

static void a64_vm_destroy(void *p)
{
	struct a64_vm *vm = p;

	if (!vm)
		return;
	flush_vmid(vm, 0, 0); /* the VMID may be handed out again */
	axvm_bm_vm_free(&vm->base, sizeof(*vm), &vmids);
}

static int a64_vm_init(const struct axvm_arch_vm_info *info, void **out)
{
	struct a64_vm *vm;
	void *mem;
	int rc;

	if (!out)
		return AXVM_EINVAL;
	if ((rc = axvm_bm_vm_new(info, sizeof(*vm), &vmids, AXVM_BM_VMIDS, &mem)))
		return rc;
	vm = mem;
	atomic_flag_clear(&vm->lock);
	vm->vtcr = info_vtcr();
	vm->cntvoff = rd_cntpct_el0(); /* guest virtual time starts near 0 */
	a64_vgic_vm_reset(vm);
	flush_vmid(vm, 0, 0); /* a reused VMID may have stale TLB entries */
	*out = vm;
	return 0;
}

static void a64_flush_stage2(void *p, axvm_gpa_t gpa, uint64_t size)
{
	flush_vmid(p, gpa, size);
}

/* --- vCPU lifetime ----------------------------------------------------------- */

static int a64_vcpu_create(void *p, uint32_t id, void **out)
{
	struct a64_vcpu *v;
	void *mem;
	int rc;

	if ((rc = AXVM_BM_VCPU_NEW(p, id, struct a64_vcpu, &mem)))
		return rc;
	v = mem;
	v->mpidr = (1ull << 31) | axvm_a64_vcpu_mpidr(id);
	atomic_init(&v->reset_pending, true);
	a64_vgic_cpu_init(v);
	*out = v;
	return 0;
}

static void a64_vcpu_destroy(void *p)
{
	struct a64_vcpu *v = p;

	if (v)
		axvm_bm_vcpu_free(&v->vm->base, v->id, sizeof(*v));
}

/* Power-on register state; EL1 state is reset at the next bind. */
static void set_entry(struct a64_vcpu *v, uint64_t entry, uint64_t arg)
{
	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.x[0] = arg;
	v->regs.pc = entry;
	v->regs.pstate = PSTATE_EL1H_MASKED;
	v->sgi_targets = 0;
	atomic_store(&v->reset_pending, true);
}

static int a64_vcpu_setup(void *p, uint64_t entry, axvm_hpa_t s2_root)
{
	struct a64_vcpu *v = p;

	uint64_t vttbr;
	int rc;

	if (!v || v->loaded)
		return v ? AXVM_EBUSY : AXVM_EINVAL;
	/* Every vCPU of a VM shares the root the core built. */
	if (!s2_root)
		return AXVM_EINVAL;
	if ((rc = axvm_pt_root_register(A64_PT_FORMAT, s2_root, v->vm->base.vmid, &vttbr)))
		return rc;
	v->vm->vttbr = vttbr;
	set_entry(v, entry, 0);
	/* A VM reset sets every vCPU up again: vCPU 0 resets the distributor,
	 * each vCPU its redistributor. */
	if (v->id == 0)
		a64_vgic_vm_reset(v->vm);
	a64_vgic_cpu_init(v);
	return 0;
}

static int a64_vcpu_set_entry(void *p, uint64_t entry, uint64_t arg)
{
	struct a64_vcpu *v = p;

	if (!v || v->loaded)
		return v ? AXVM_EBUSY : AXVM_EINVAL;
	set_entry(v, entry, arg);
	return 0;
}

/* --- bind / unbind ----------------------------------------------------------- */

static void el1_reset(struct a64_vcpu *v)
{
	memset(&v->el1, 0, sizeof(v->el1));
	memset(&v->fp, 0, sizeof(v->fp));
	v->el1.sctlr = SCTLR_EL1_RESET;
	v->timer_ctl = 0;
	v->timer_inflight = false;
	a64_vgic_unpend(v, AXVM_A64_IRQ_VTIMER); /* the timer is CPU-local */
	a64_vgic_cpu_reset(v);
}

/*
 * The 24 EL1 registers, in struct a64_el1's order, two at a time: one ldp
 * (stp) per pair instead of the compiler's ldr (str) per register, which
 * it does not pair around the volatile msr (mrs) statements. The offsets
 * are the struct's; x9 and x10 are scratch. One list of the 12 pairs
 * (offset, the two system registers, their two fields) makes the load,
 * the save and the offset checks.
 */
#define EL1_PAIRS(X) \
	X(0, sctlr_el1, cpacr_el1, sctlr, cpacr) \
	X(16, ttbr0_el1, ttbr1_el1, ttbr0, ttbr1) \
	X(32, tcr_el1, esr_el1, tcr, esr) \
	X(48, afsr0_el1, afsr1_el1, afsr0, afsr1) \
	X(64, far_el1, mair_el1, far, mair) \
	X(80, amair_el1, vbar_el1, amair, vbar) \
	X(96, contextidr_el1, tpidr_el0, contextidr, tpidr_el0) \
	X(112, tpidrro_el0, tpidr_el1, tpidrro_el0, tpidr_el1) \
	X(128, cntkctl_el1, par_el1, cntkctl, par) \
	X(144, sp_el0, sp_el1, sp_el0, sp_el1) \
	X(160, elr_el1, spsr_el1, elr, spsr) \
	X(176, csselr_el1, cntv_cval_el0, csselr, cntv_cval)
#define EL1_PAIR_LOAD(off, a, b, fa, fb) \
	"ldp x9, x10, [%0, #" #off "]\n\tmsr " #a ", x9\n\tmsr " #b ", x10\n\t"
#define EL1_PAIR_SAVE(off, a, b, fa, fb) \
	"mrs x9, " #a "\n\tmrs x10, " #b "\n\tstp x9, x10, [%0, #" #off "]\n\t"
#define EL1_PAIR_CHECK(off, a, b, fa, fb)                                          \
	_Static_assert(offsetof(struct a64_el1, fa) == (off) &&                     \
			       offsetof(struct a64_el1, fb) == (off) + 8,                   \
		       "el1 pair at " #off);
EL1_PAIRS(EL1_PAIR_CHECK)
_Static_assert(sizeof(struct a64_el1) == 192, "struct a64_el1 is the 24 registers");

static void el1_restore(const struct a64_el1 *e)
{
	__asm__ volatile(EL1_PAIRS(EL1_PAIR_LOAD)::"r"(e) : "x9", "x10", "memory");
}

static void el1_save(struct a64_el1 *e)
{
	__asm__ volatile(EL1_PAIRS(EL1_PAIR_SAVE)::"r"(e) : "x9", "x10", "memory");
}

/*
 * The EL2 controls that are the same for every vCPU of every VM: HCR_EL2,
 * CPTR_EL2 (TFP set: the lazy FP switch), MDCR_EL2 (the host's HPMN),
 * CNTHCTL_EL2, VTCR_EL2 (one stage-2 format, so every VM's vtcr is the
 * same), VPIDR_EL2 and ICH_HCR_EL2 = 0 (the value the host runs with, see
 * a64_vgic_load). Unbind leaves them in place (axvm_aarch64.h: the
 * backend owns them on a pCPU it binds on; at EL2, non-VHE, they govern
 * only EL1/EL0, except CPTR's traps, which the host's FP-free code never
 * meets), so only the first bind on a pCPU, or the first after the host
 * wrote its own HCR_EL2 (a pCPU set up again), writes them: HCR_EL2 reads
 * GUEST_HCR exactly when they are all there. Out of line: the usual bind
 * does not pay for its instructions.
 */
static __attribute__((noinline)) void el2_controls_load(const struct a64_vm *vm)
{
	wr_vtcr_el2(vm->vtcr);
	wr_vpidr_el2(rd_midr_el1());
	wr_cptr_el2(GUEST_CPTR | CPTR_TFP);
	wr_mdcr_el2(GUEST_MDCR | (rd_mdcr_el2() & 0x1fu));
	wr_cnthctl_el2(GUEST_CNTHCTL);
	wr_ich_hcr_el2(0);
	a64_vgic_clear_unused_lrs();
	wr_hcr_el2(GUEST_HCR);
}

/*
 * Bind with interrupts masked (`daif`: the caller's mask, restored at the
 * end), once bind_unusual() has done whatever else this bind needs, as
 * the usual one, a time-slice switch's, needs nothing more. It calls
 * nothing and needs no frame.
 */
static __attribute__((noinline)) int bind_usual(struct a64_vcpu *v, uint64_t daif)
{
	struct a64_vm *vm = v->vm;

	v->host_pmr = rd_icc_pmr_el1();
	/* What differs between VMs and vCPUs (the rest of EL2's controls
	 * are the same for all: el2_controls_load). */
	wr_vttbr_el2(vm->vttbr);
	wr_vmpidr_el2(v->mpidr);
	wr_cntvoff_el2(vm->cntvoff);
	el1_restore(&v->el1);
	a64_vgic_load(v);
	/* Masked while the host runs; run() puts the guest's value back. */
	wr_cntv_ctl_el0(v->timer_ctl | CNTV_IMASK);
	/*
	 * No ISB: nothing before the guest's entry depends on these writes
	 * taking effect. The EL2 controls act on EL1/EL0 only (CPTR's TFP
	 * on EL2 too, which uses no FP); the EL1 and vGIC registers are read
	 * back only directly (in program order without one), but for the
	 * counter, which timer_level() reads after an ISB of its own; the
	 * timer was masked before (the last exit or unbind here left IMASK,
	 * the host's set-up 0) and stays so; and run() makes all of it
	 * effective with the ISB before the world switch, whose ERET is a
	 * context synchronization event too.
	 */
	v->loaded = true;
	wr_daif(daif);
	return 0;
}

/* The rest of a bind that is not the usual one: the EL2 controls to
 * write, a reset to apply, or a HW-mapped timer interrupt whose physical
 * twin must be active here. */
static __attribute__((noinline)) int bind_unusual(struct a64_vcpu *v, uint64_t daif)
{
	if (rd_hcr_el2() != GUEST_HCR)
		el2_controls_load(v->vm);
	/* The plain load in a64_vcpu_bind() found a reset pending (set while
	 * the vCPU was Free, before the core's Free -> Ready compare-and-swap
	 * that precedes this); the locked exchange takes it. */
	if (atomic_exchange(&v->reset_pending, false))
		el1_reset(v);
	a64_vgic_load_hw(v);
	return bind_usual(v, daif);
}

static int a64_vcpu_bind(void *p)
{
	struct a64_vcpu *v = p;
	uint64_t daif;

	if (!v || v->loaded)
		return v ? AXVM_EBUSY : AXVM_EINVAL;
	/* Masked before HCR_EL2 is read: the answer is this pCPU's. */
	daif = a64_irq_save();
	/* reset_pending: a relaxed look; set_entry() stored it before the
	 * core's Free -> Ready compare-and-swap that precedes this bind, and
	 * bind_unusual() takes it with a sequentially consistent exchange. */
	if (rd_hcr_el2() != GUEST_HCR ||
	    atomic_load_explicit(&v->reset_pending, memory_order_relaxed) || v->vgic.vtimer_hw)
		return bind_unusual(v, daif);
	return bind_usual(v, daif);
}

/* Unbind with interrupts masked, as bind_usual(), once unbind_unusual()
 * has saved the FP registers and list registers, if any. */
static __attribute__((noinline)) int unbind_usual(struct a64_vcpu *v, uint64_t daif)
{
	/* CNTV_CTL_EL0 keeps IMASK (the last exit or bind set it), so the
	 * timer cannot interrupt the host; the next bind here loads its own
	 * CVAL under that mask before its CTL. */
	el1_save(&v->el1);
	a64_vgic_put(v);
	/* The EL2 controls stay as guests want them (el2_controls_load).
	 * Stage 2 goes back to VMID 0, which no VM has, with no table: the
	 * VM's tables may be freed once it stops, and this pCPU must then
	 * neither walk them nor cache what they held under a VMID that a
	 * new VM may get. The ISB makes that take effect now. */
	wr_vttbr_el2(0);
	a64_isb();
	v->loaded = false;
	wr_daif(daif);
	return 0;
}

static __attribute__((noinline)) int unbind_unusual(struct a64_vcpu *v, uint64_t daif)
{
	if (v->fp_loaded) {
		axvm_a64_fp_save(&v->fp);
		/* fp_first_use() cleared TFP: the next vCPU here must trap. */
		wr_cptr_el2(GUEST_CPTR | CPTR_TFP);
		v->fp_loaded = false;
	}
	if (v->vgic.lr_used)
		a64_vgic_put_lrs(v);
	return unbind_usual(v, daif);
}

static int a64_vcpu_unbind(void *p)
{
	struct a64_vcpu *v = p;
	uint64_t daif;

	if (!v || !v->loaded)
		return v ? AXVM_ESTATE : AXVM_EINVAL;
	daif = a64_irq_save();
	if (v->fp_loaded || v->vgic.lr_used)
		return unbind_unusual(v, daif);
	return unbind_usual(v, daif);
}

/* --- virtual timer ------------------------------------------------------------ */

/* The guest's timer output: enabled, unmasked, and CVAL reached. The
 * condition is computed from CVAL and the virtual count rather than read
 * from CNTV_CTL.ISTATUS, which an emulator may update late (QEMU does, from
 * a host timer callback); the two are the same thing architecturally. */
static bool timer_level(const struct a64_vcpu *v)
{
	if ((v->timer_ctl & (CNTV_ENABLE | CNTV_IMASK)) != CNTV_ENABLE)
		return false;
	a64_isb(); /* no early counter read */
	return rd_cntvct_el0() >= rd_cntv_cval_el0();
}

/* Level high and not already with the guest: not yet injected, or
 * injected but only queued (its PPI disabled in the vGIC), which is
 * where a busy guest's timer is after the physical PPI made it exit. A
 * timer interrupt in a list register is the vGIC's to report. */
bool a64_timer_fires_now(struct a64_vcpu *v)
{
	if (!timer_level(v))
		return false;
	return !v->timer_inflight || !a64_vgic_in_lr(v, AXVM_A64_IRQ_VTIMER);
}

/* Before entry: a level-high timer becomes virtual PPI 27 (once, until the
 * guest deactivates it); a level that dropped before delivery is dropped. */
static void timer_entry(struct a64_vcpu *v)
{
	bool level = timer_level(v);

	if (level && !v->timer_inflight) {
		/* Into a list register now if it can go there (no trip
		 * through the queue), else queued for the flush. */
		if (!a64_vgic_place(v, AXVM_A64_IRQ_VTIMER))
			a64_vgic_inject(v, AXVM_A64_IRQ_VTIMER);
		v->timer_inflight = true;
	} else if (!level && v->timer_inflight &&
		   !a64_vgic_in_lr(v, AXVM_A64_IRQ_VTIMER)) {
		a64_vgic_unpend(v, AXVM_A64_IRQ_VTIMER);
		v->timer_inflight = false;
	}
	wr_cntv_ctl_el0(v->timer_ctl);
}

static void timer_exit(struct a64_vcpu *v)
{
	uint64_t hw = rd_cntv_ctl_el0();

	v->timer_ctl = hw & (CNTV_ENABLE | CNTV_IMASK);
	wr_cntv_ctl_el0(v->timer_ctl | CNTV_IMASK);
}

/* axvm_a64_set_time_is_counter(): the HAL's time is the physical counter's. */
static bool time_is_counter;

int axvm_a64_set_time_is_counter(bool on)
{
	time_is_counter = on;
	return 0;
}

static uint64_t a64_vcpu_halt_deadline(void *p)
{
	struct a64_vcpu *v = p;
	uint64_t freq = rd_cntfrq_el0(), now, cval;

	if (!v->loaded || !freq || v->timer_inflight ||
	    (v->timer_ctl & (CNTV_ENABLE | CNTV_IMASK)) != CNTV_ENABLE)
		return 0;
	cval = rd_cntv_cval_el0();
	if (time_is_counter) {
		/* The physical count at which the timer fires (virtual =
		 * physical - CNTVOFF), as the HAL's time: the wait ends on
		 * that very tick. A guest CVAL past the counter's range is
		 * no deadline, as in the general way below. */
		uint64_t at = cval + v->vm->cntvoff, ns;
		if (at < cval)
			return 0;
		ns = axvm_bm_ticks_to_ns(at, freq);
		return ns == UINT64_MAX ? 0 : ns ? ns : 1;
	}
	now = rd_cntvct_el0();
	return axvm_bm_deadline(v->vm->base.hal, cval > now ? cval - now : 0, freq);
}

/* --- run ---------------------------------------------------------------------- */

/* The guest's first FP/SIMD use since bind (EC 0x07 at EL2 comes only from
 * CPTR_EL2.TFP: a use its own CPACR_EL1 traps goes to its EL1 first). The
 * registers become its own and the instruction runs again. Anything else
 * under EC 0x07 (the registers already loaded) is not ours: the full exit
 * reports it. */
static bool fp_first_use(struct a64_vcpu *v)
{
	if (v->fp_loaded)
		return false;
	/* TFP traps EL2's own accesses too: off before the loads. */
	wr_cptr_el2(GUEST_CPTR);
	a64_isb();
	axvm_a64_fp_restore(&v->fp);
	v->fp_loaded = true;
	return true;
}

/* A synchronous exit answered inside the world switch (1): HVC, SMC or a
 * trapped system register a64_fast_exit() takes, an SGI sent to other
 * vCPUs, a data abort on a fast device (a64_fast_mmio), or the guest's
 * first FP/SIMD use. -1: an MMIO access a64_fast_mmio() has already
 * turned into the core's exit in *exit. 0: the full exit. The class is
 * read and tested once, inline, so that the other exits (WFI, the rest of
 * the aborts) do not pay for a call. */
static inline int fast_sync(struct a64_vcpu *v, struct axvm_exit *exit)
{
	uint64_t esr = rd_esr_el2();
	uint64_t ec = (esr >> 26) & 0x3fu;

	if (ec == 0x24u)
		return a64_fast_mmio(v, esr, exit);
	if (ec == 0x07u)
		return fp_first_use(v);
	return ec >= 0x16u && ec <= 0x18u &&
	       (a64_fast_exit(v, esr) || (ec == 0x18u && a64_vgic_fast_sgi(v, esr)));
}

/*
 * An IRQ exit caused by the guest's own timer alone, answered inside the
 * world switch (called from the IRQ vector, a64_entry.S, with the guest's
 * callee-saved registers still live; it reads and writes no guest
 * register): the highest-priority interrupt pending at the physical
 * CPU interface is PPI 27 (every host interrupt has a higher priority, so
 * none is pending; the vector tests this before calling), the timer is
 * not still with the guest, and its
 * level, read from the live registers (the guest may have written
 * CNTV_CTL since the last full exit), is high. The interrupt goes
 * straight into a list register and the guest is entered again; false,
 * with at most finished list registers freed, if any of that fails.
 */
bool a64_irq_fast(struct a64_vcpu *v)
{
	/* ICC_HPPIR1_EL1 naming PPI 27 was tested by the caller (a64_irq,
	 * a64_entry.S), before it saved anything. */
	if ((rd_cntv_ctl_el0() & (CNTV_ENABLE | CNTV_IMASK)) != CNTV_ENABLE)
		return false;
	a64_isb(); /* no early counter read */
	if (rd_cntvct_el0() < rd_cntv_cval_el0())
		return false;
	/* List registers the guest is done with: a tick it has finished
	 * since the last full exit is no longer in flight. */
	a64_vgic_sync(v);
	if (v->timer_inflight || !a64_vgic_place(v, AXVM_A64_IRQ_VTIMER))
		return false;
	v->timer_inflight = true;
	wr_ich_hcr_el2(v->vgic.hcr);
	if (!v->vgic.vtimer_hw)
		wr_icc_pmr_el1(v->host_pmr < A64_VTIMER_PMR ? v->host_pmr : A64_VTIMER_PMR);
	a64_isb();
	return true;
}

static int a64_vcpu_run(void *p, struct axvm_exit *exit)
{
	struct a64_vcpu *v = p;
	uint64_t daif, vbar, kind, esr, far, hpfar;

	if (!v || !exit)
		return AXVM_EINVAL;
	if (!v->loaded)
		return AXVM_ESTATE;
	if (v->sgi_targets) /* rest of an SGI fan-out first */
		return a64_emit_sgi(v, exit);

	daif = a64_irq_save();
	timer_entry(v);
	a64_vgic_flush(v);
	wr_ich_hcr_el2(v->vgic.hcr);
	/* A timer interrupt with the guest: its level must not exit again.
	 * A HW-mapped one holds its physical PPI active, which is enough;
	 * otherwise the host's priority mask keeps PPI 27 out. */
	if (v->timer_inflight && !v->vgic.vtimer_hw)
		wr_icc_pmr_el1(v->host_pmr < A64_VTIMER_PMR ? v->host_pmr : A64_VTIMER_PMR);
	vbar = rd_vbar_el2();
	wr_vbar_el2((uint64_t)(uintptr_t)axvm_a64_vectors);
	a64_isb();

	kind = a64_enter(&v->regs);
	/*
	 * Exits answered from the guest's registers alone go straight back
	 * in, as KVM's fixup_guest_exit() does: no host state was touched
	 * and nothing the host could have changed needs loading (the
	 * timer, the list registers and the masks are as the guest left
	 * them). An IRQ exit for the guest's own timer alone does not even
	 * get here: the IRQ vector answers it (a64_irq_fast). A host
	 * interrupt or a kick still ends the loop: it stays pending here
	 * and is taken at the ERET. Such exits reach neither the core's loop
	 * nor its exit counters, except an MMIO access to a device that
	 * declared its ops safe to call here, which the core's
	 * axvm_vcpu_fast_mmio() counts. An MMIO access the core did not take
	 * there leaves the loop already decoded (kind A64_EXC_DECODED, so no
	 * other variable lives across the entry).
	 */
	while (kind == A64_EXC_SYNC) {
		int fast = fast_sync(v, exit);

		if (fast <= 0) {
			if (fast < 0)
				kind = A64_EXC_DECODED;
			break;
		}
		kind = a64_enter(&v->regs);
	}

	wr_vbar_el2(vbar);
	esr = rd_esr_el2();
	far = rd_far_el2();
	hpfar = rd_hpfar_el2();
	wr_icc_pmr_el1(v->host_pmr);
	a64_vgic_sync(v);
	timer_exit(v);
	a64_isb();
	wr_daif(daif); /* pending host interrupts are taken here */

	if (kind == A64_EXC_DECODED)
		return 0;
	return a64_decode_exit(v, kind, esr, far, hpfar, exit);
}

/* --- registers and interrupts ------------------------------------------------- */

/* A core result to a PSCI return: CPU_UP's 0 or AXVM_E* code, or a
 * CPU_STATUS answer, whose non-negative values already are AFFINITY_INFO's. */
static int psci_code(int64_t status)
{
	if (status >= 0 && status <= AXVM_CPU_STATUS_ON_PENDING)
		return (int)status;
	switch (status) {
	case AXVM_EEXIST:
		return -4; /* ALREADY_ON */
	case AXVM_EINVAL:
		return -2; /* INVALID_PARAMETERS */
	default:
		return -6; /* INTERNAL_FAILURE */
	}
}

static int a64_vcpu_get_gpr(void *p, uint32_t reg, uint64_t *value)
{
	struct a64_vcpu *v = p;

	if (!v || !value)
		return AXVM_EINVAL;
	if (reg < 31)
		*value = v->regs.x[reg];
	else if (reg == AXVM_A64_REG_XZR)
		*value = 0;
	else if (reg == AXVM_A64_REG_PC)
		*value = v->regs.pc;
	else if (reg == AXVM_A64_REG_PSTATE)
		*value = v->regs.pstate;
	else if (reg == AXVM_A64_REG_SP_EL0)
		*value = v->loaded ? rd_sp_el0() : v->el1.sp_el0;
	else if (reg == AXVM_A64_REG_SP_EL1)
		*value = v->loaded ? rd_sp_el1() : v->el1.sp_el1;
	else
		return AXVM_EINVAL;
	return 0;
}

static int a64_vcpu_set_gpr(void *p, uint32_t reg, uint64_t value)
{
	struct a64_vcpu *v = p;

	if (!v)
		return AXVM_EINVAL;
	if (reg < 31)
		v->regs.x[reg] = value;
	else if (reg == AXVM_A64_REG_XZR)
		; /* writes to XZR are discarded */
	else if (reg == AXVM_A64_REG_PC)
		v->regs.pc = value;
	else if (reg == AXVM_A64_REG_PSTATE)
		v->regs.pstate = value;
	else if (reg == AXVM_A64_REG_SP_EL0 && v->loaded)
		wr_sp_el0(value);
	else if (reg == AXVM_A64_REG_SP_EL0)
		v->el1.sp_el0 = value;
	else if (reg == AXVM_A64_REG_SP_EL1 && v->loaded)
		wr_sp_el1(value);
	else if (reg == AXVM_A64_REG_SP_EL1)
		v->el1.sp_el1 = value;
	else if (reg == AXVM_A64_REG_PSCI_RET)
		v->regs.x[0] = (uint64_t)(int64_t)psci_code((int64_t)value);
	else
		return AXVM_EINVAL;
	return 0;
}

static void a64_vcpu_attach(void *p, struct axvm_vcpu *core)
{
	struct a64_vcpu *v = p;

	if (v)
		v->core = core;
}

static int a64_vcpu_inject_irq(void *p, uint32_t irq)
{
	struct a64_vcpu *v = p;

	if (!v)
		return AXVM_EINVAL;
	return a64_vgic_inject(v, irq);
}

const struct axvm_arch_ops axvm_arch_aarch64 = {
	.name = "aarch64",
	.ctx = NULL,
	.pt_format = A64_PT_FORMAT,
	.vm_init = a64_vm_init,
	.vm_destroy = a64_vm_destroy,
	.map_region = NULL, /* the core maps RAM into the shared tables */
	.flush_stage2 = a64_flush_stage2,
	.vcpu_create = a64_vcpu_create,
	.vcpu_destroy = a64_vcpu_destroy,
	.vcpu_setup = a64_vcpu_setup,
	.vcpu_set_entry = a64_vcpu_set_entry,
	.vcpu_bind = a64_vcpu_bind,
	.vcpu_unbind = a64_vcpu_unbind,
	.vcpu_run = a64_vcpu_run,
	.vcpu_get_gpr = a64_vcpu_get_gpr,
	.vcpu_set_gpr = a64_vcpu_set_gpr,
	.vcpu_inject_irq = a64_vcpu_inject_irq,
	.vcpu_kick = NULL,
	.vcpu_halt_deadline = a64_vcpu_halt_deadline,
	.vcpu_attach = a64_vcpu_attach,
};
