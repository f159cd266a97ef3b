/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The RISC-V H-extension backend: VM and vCPU state, bind/unbind (the lazy
 * switch of the VS-level CSRs, FP and the hypervisor's delegation setup)
 * and run() (the eager switch of the general registers around one entry).
 */
#include <string.h>

#include <axvm/addrspace.h>

#include "rv.h"
#include "rv_csr.h"

/*
 * hedeleg: exceptions a guest handles itself (they never reach the host):
 * misaligned fetch (0), illegal instruction (2), breakpoint (3), misaligned
 * load/store (4, 6), ecall from VU-mode (8), and the guest's own page
 * faults (12, 13, 15). Its ecalls from VS-mode (10, SBI) and guest-page
 * faults (20, 21, 23: stage 2, the host's) stay with the host.
 */
#define GUEST_HEDELEG                                                          \
	((1ull << 0) | (1ull << 2) | (1ull << 3) | (1ull << 4) | (1ull << 6) | \
	 (1ull << 8) | (1ull << 12) | (1ull << 13) | (1ull << 15))
/* hideleg: the three VS-level interrupts go to the guest. */
#define GUEST_HIDELEG (RV_VSSIP | RV_VSTIP | RV_VSEIP)
/* hcounteren: cycle, time, instret readable by the guest. */
#define GUEST_HCOUNTEREN 0x7ull
/*
 * hstatus at entry. SPV: sret enters V = 1. SPVP: the host's HLV/HLVX
 * reads act with the guest's supervisor rights. VTW: WFI traps (a virtual
 * instruction exit), so an idle vCPU becomes a halt the host can sleep
 * through or preempt. VTSR/VTVM clear: sret and satp/sfence are the
 * guest's own business.
 */
#define GUEST_HSTATUS_SET (HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VTW)
#define GUEST_HSTATUS_CLEAR (HSTATUS_VTSR | HSTATUS_VTVM | HSTATUS_HU | HSTATUS_VSBE | HSTATUS_GVA)

#define RV_PT_FORMAT (&axvm_pt_riscv_sv39x4)

#define SBI_EXT_RFENCE 0x52464e43u
#define SBI_RFENCE_HFENCE_GVMA_VMID 3u

static struct axvm_bm_vmids vmids;
static struct rv_pcpu rv_pcpus[RV_PCPUS];

/* pCPU `pcpu`'s record, or NULL beyond RV_PCPUS (nothing is skipped). */
static inline struct rv_pcpu *pcpu_state(uint32_t pcpu)
{
	return pcpu < RV_PCPUS ? &rv_pcpus[pcpu] : NULL;
}

static long sbi_call3(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1,
		      uint64_t a2, uint64_t a3, uint64_t a4)
{
	register uint64_t r0 __asm__("a0") = a0;
	register uint64_t r1 __asm__("a1") = a1;
	register uint64_t r2 __asm__("a2") = a2;
	register uint64_t r3 __asm__("a3") = a3;
	register uint64_t r4 __asm__("a4") = a4;
	register uint64_t r6 __asm__("a6") = fid;
	register uint64_t r7 __asm__("a7") = ext;

	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1)
			 : "r"(r2), "r"(r3), "r"(r4), "r"(r6), "r"(r7)
			 : "memory");
	return (long)r0;
}

static inline void hfence_gvma_vmid(uint64_t vmid)
{
	__asm__ volatile(".option push\n.option arch, +h\n"
			 "hfence.gvma zero, %0\n.option pop" ::"r"(vmid)
			 : "memory");
}

/* The VS-stage TLB of the current VMID (hgatp's), and the I-cache. */
static inline void hfence_vvma_all(void)
{
	__asm__ volatile(".option push\n.option arch, +h\n"
			 "hfence.vvma zero, zero\nfence.i\n.option pop" ::: "memory");
}

/*
 * Stage-2 TLB entries of the VM on every hart: RISC-V has no broadcast
 * TLB maintenance, so the SBI firmware's remote HFENCE does the other harts
 * (hart_mask_base = -1: all of them); the local one here covers a firmware
 * that answers for remote harts only.
 */
static void flush_vmid(struct rv_vm *vm, axvm_gpa_t gpa, uint64_t size)
{
	hfence_gvma_vmid(vm->base.vmid);
	sbi_call3(SBI_EXT_RFENCE, SBI_RFENCE_HFENCE_GVMA_VMID, 0, UINT64_MAX,
		  size ? gpa : 0, size ? size : UINT64_MAX, vm->base.vmid);
}

/*
 * Before this VM's first entry on a pCPU: the VMID may have been another
 * VM's, whose stage-2 entries can still be there. Done here, per pCPU,
 * rather than by a remote fence at create or destroy: no hart waits on
 * another, and the SBI's remote fences spin until every target answers,
 * which under QEMU's -icount (one thread running the harts in turn)
 * never happens while the caller is the one spinning.
 */
static void flush_stale_vmid(struct rv_vm *vm, uint32_t pcpu)
{
	uint64_t bit = pcpu < 64 ? 1ull << pcpu : 0; /* beyond 64: every time */

	/* Relaxed: this pCPU's bit changes only here after vm_init set it,
	 * which the VM's first run on this pCPU comes after. */
	if (bit && !(atomic_load_explicit(&vm->tlb_stale, memory_order_relaxed) & bit))
		return;
	atomic_fetch_and(&vm->tlb_stale, ~bit);
	hfence_gvma_vmid(vm->base.vmid);
}

/* VMIDLEN: how many hgatp.VMID bits this hart implements (WARL). */
static uint32_t vmid_limit(void)
{
	uint64_t old = csr_read(CSR_HGATP), bits;

	csr_write(CSR_HGATP, 0x3fffull << 44);
	bits = (csr_read(CSR_HGATP) >> 44) & 0x3fffu;
	csr_write(CSR_HGATP, old);
	return bits + 1 < AXVM_BM_VMIDS ? (uint32_t)bits + 1 : AXVM_BM_VMIDS;
}

/* --- VM -------------------------------------------------------------------- */

static void rv_vm_destroy(void *p)
{
	struct rv_vm *vm = p;

	if (!vm)
		return;
	/* The VMID's entries go when its next owner first binds on each
	 * pCPU (flush_stale_vmid). */
	axvm_bm_vm_free(&vm->base, sizeof(*vm), &vmids);
}

static int rv_vm_init(const struct axvm_arch_vm_info *info, void **out)
{
	const struct axvm_rv_host *host;
	struct rv_vm *vm;
	void *mem;
	int rc;

	if (!info || !out)
		return AXVM_EINVAL;
	host = info->arch_ctx;
	if (!host || !host->timebase_hz || info->vcpu_count > RV_PLIC_MAX_CTX)
		return AXVM_EINVAL; /* see axvm_riscv64.h: the port fills ops.ctx */
	if ((rc = axvm_bm_vm_new(info, sizeof(*vm), &vmids, vmid_limit(), &mem)))
		return rc;
	vm = mem;
	vm->host = *host;
	rv_plic_init(&vm->plic, vm->base.vcpu_count);
	atomic_init(&vm->tlb_stale, UINT64_MAX); /* a reused VMID: see flush_stale_vmid */
	*out = vm;
	return 0;
}

static void rv_flush_stage2(void *p, axvm_gpa_t gpa, uint64_t size)
{
	flush_vmid(p, gpa, size);
}

/* --- vCPU lifetime ----------------------------------------------------------- */

static int rv_vcpu_create(void *p, uint32_t id, void **out)
{
	struct rv_vcpu *v;
	void *mem;
	int rc;

	if ((rc = AXVM_BM_VCPU_NEW(p, id, struct rv_vcpu, &mem)))
		return rc;
	v = mem;
	v->timecmp = UINT64_MAX;
	*out = v;
	return 0;
}

static void rv_vcpu_destroy(void *p)
{
	struct rv_vcpu *v = p;

	if (v)
		axvm_bm_vcpu_free(&v->vm->base, v->id, sizeof(*v));
}

/* Power-on state (the guest ABI's): a0 = hart id, a1 = arg, S-mode, every
 * VS-level CSR and FP register zero, no timer, nothing pending. */
static void set_entry(struct rv_vcpu *v, uint64_t entry, uint64_t arg)
{
	memset(&v->regs, 0, sizeof(v->regs));
	memset(&v->fp, 0, sizeof(v->fp));
	memset(&v->vs, 0, sizeof(v->vs));
	v->regs.x[10] = v->id;
	v->regs.x[11] = arg;
	v->regs.sepc = entry;
	v->regs.sstatus = SSTATUS_SPP;
	v->timecmp = UINT64_MAX;
	v->ipi_targets = 0;
	v->con_left = 0;
	v->fp_zero = true;
	atomic_store(&v->soft_pending, false);
}

static int rv_vcpu_setup(void *p, uint64_t entry, axvm_hpa_t s2_root)
{
	struct rv_vcpu *v = p;
	uint64_t hgatp;
	int rc;

	if (!v || v->loaded)
		return v ? AXVM_EBUSY : AXVM_EINVAL;
	/* Every vCPU of a VM shares the root the core built. */
	if (!s2_root)
		return AXVM_EINVAL;
	if ((rc = axvm_pt_root_register(RV_PT_FORMAT, s2_root, v->vm->base.vmid, &hgatp)))
		return rc;
	v->vm->hgatp = hgatp;
	/* A VM reset sets every vCPU up again: vCPU 0 resets the PLIC. */
	if (v->id == 0)
		rv_plic_init(&v->vm->plic, v->vm->base.vcpu_count);
	set_entry(v, entry, 0);
	return 0;
}

/* Only the bind that follows loads the CSRs and FP registers set here: a
 * bound vCPU's are in the hardware of the pCPU it runs on, not the
 * caller's. */
static int rv_vcpu_set_entry(void *p, uint64_t entry, uint64_t arg)
{
	struct rv_vcpu *v = p;

	if (!v || v->loaded)
		return v ? AXVM_EBUSY : AXVM_EINVAL;
	set_entry(v, entry, arg);
	return 0;
}

/* --- bind / unbind ----------------------------------------------------------- */

/* Bind's FP load, out of line and a tail call (as unbind's save), so
 * that the usual bind, with zeros over zeros, calls nothing and needs no
 * frame. Interrupts may be on: no handler touches FP or this vCPU. */
static __attribute__((noinline)) int bind_fp_load(struct rv_vcpu *v)
{
	axvm_rv_fp_restore(&v->fp);
	return 0;
}

static int rv_vcpu_bind(void *p)
{
	struct rv_vcpu *v = p;
	struct rv_pcpu *pc;
	struct rv_vm *vm;
	uint64_t s;
	bool fp;

	if (!v || v->loaded)
		return v ? AXVM_EBUSY : AXVM_EINVAL;
	if (!v->core) /* attached by the core at creation; only it binds */
		return AXVM_ESTATE;
	vm = v->vm;
	s = rv_irq_save();
	/* The core asked the HAL just before calling us (a call through the
	 * HAL's table is some 15 instructions a switch; its copy is a load). */
	v->pcpu = axvm_vcpu_bound_pcpu(v->core);
	pc = pcpu_state(v->pcpu);
	flush_stale_vmid(vm, v->pcpu);

	/* The same for every vCPU, and left in place by unbind (they act
	 * only at V = 1): written at the first bind on this pCPU. */
	if (!pc || !pc->h_guest) {
		csr_write(CSR_HEDELEG, GUEST_HEDELEG);
		csr_write(CSR_HIDELEG, GUEST_HIDELEG);
		csr_write(CSR_HCOUNTEREN, GUEST_HCOUNTEREN);
		csr_write(CSR_HENVCFG, 0); /* no guest Sstc: its timer is SBI's */
		csr_write(CSR_HTIMEDELTA, 0);
		if (pc)
			pc->h_guest = true;
	}
	csr_write(CSR_HGATP, vm->hgatp);
	/* VS-stage entries this VMID left here may predate the guest's last
	 * page-table change on another hart. */
	hfence_vvma_all();

	csr_write(CSR_VSSTATUS, v->vs.vsstatus);
	csr_write(CSR_VSIE, v->vs.vsie);
	csr_write(CSR_VSTVEC, v->vs.vstvec);
	csr_write(CSR_VSSCRATCH, v->vs.vsscratch);
	csr_write(CSR_VSEPC, v->vs.vsepc);
	csr_write(CSR_VSCAUSE, v->vs.vscause);
	csr_write(CSR_VSTVAL, v->vs.vstval);
	csr_write(CSR_VSATP, v->vs.vsatp);
	csr_write(CSR_HVIP, v->vs.hvip);
	/* Zeros over zeros are skipped: a guest that never changed its FP
	 * state (an RTOS built without FP, say) costs no load, even when it
	 * alternates with another such vCPU. */
	fp = !pc || !pc->fp_zero || !v->fp_zero;
	if (pc)
		pc->fp_zero = v->fp_zero;
	v->loaded = true;
	rv_irq_restore(s);
	if (fp)
		return bind_fp_load(v);
	return 0;
}

/* Unbind but for the FP registers: `st` is the vCPU's sstatus as the
 * last exit saw it. FS goes Off, which the next entry makes Clean: the
 * hart marks it Dirty at the guest's first change of its FP state, and
 * only then does unbind save the registers. */
static inline __attribute__((always_inline)) int unbind_rest(struct rv_vcpu *v, uint64_t st)
{
	uint64_t s;

	v->regs.sstatus = st & ~SSTATUS_FS;
	s = rv_irq_save();
	v->vs.vsstatus = csr_read(CSR_VSSTATUS);
	v->vs.vsie = csr_read(CSR_VSIE);
	v->vs.vstvec = csr_read(CSR_VSTVEC);
	v->vs.vsscratch = csr_read(CSR_VSSCRATCH);
	v->vs.vsepc = csr_read(CSR_VSEPC);
	v->vs.vscause = csr_read(CSR_VSCAUSE);
	v->vs.vstval = csr_read(CSR_VSTVAL);
	v->vs.vsatp = csr_read(CSR_VSATP);
	v->vs.hvip = csr_read(CSR_HVIP) & RV_VSSIP; /* the rest is recomputed */
	/* The next vCPU here must not see our interrupts, and the host no
	 * stage-2 root of a VM that may go away (hgatp Bare). The
	 * delegation and counter CSRs stay as the guests want them (bind
	 * writes them only at the first bind on this pCPU). */
	csr_write(CSR_HVIP, 0);
	csr_write(CSR_HGATP, 0);
	v->loaded = false;
	rv_irq_restore(s);
	return 0;
}

/* Unbind after saving the FP registers the guest changed. Out of line
 * and a tail call, so that the usual unbind, with nothing to save,
 * calls nothing and needs no frame (10 instructions). Interrupts may
 * stay on for the save: no handler touches FP or this vCPU's state. */
static __attribute__((noinline)) int unbind_dirty_fp(struct rv_vcpu *v, uint64_t st)
{
	struct rv_pcpu *pc = pcpu_state(v->pcpu);

	axvm_rv_fp_save(&v->fp);
	v->fp_zero = false;
	if (pc)
		pc->fp_zero = false;
	return unbind_rest(v, st);
}

static int rv_vcpu_unbind(void *p)
{
	struct rv_vcpu *v = p;
	uint64_t st;

	if (!v || !v->loaded)
		return v ? AXVM_ESTATE : AXVM_EINVAL;
	/* The registers still hold what bind loaded unless the guest changed
	 * them (sstatus.FS, as the last exit saw it; see prepare_entry). */
	st = v->regs.sstatus;
	if ((st & SSTATUS_FS) == SSTATUS_FS_DIRTY)
		return unbind_dirty_fp(v, st);
	return unbind_rest(v, st);
}

/* --- interrupts and the timer ------------------------------------------------- */

static bool timer_due(const struct rv_vcpu *v)
{
	return v->timecmp != UINT64_MAX && csr_read(CSR_TIME) >= v->timecmp;
}

/* SBI set_timer: a new deadline also withdraws a raised timer, which the
 * guest cannot clear itself (its sip.STIP is read-only). */
void rv_set_timer(struct rv_vcpu *v, uint64_t timecmp)
{
	v->timecmp = timecmp;
	if (v->loaded)
		csr_clear(CSR_HVIP, RV_VSTIP);
}

/* hvip bits (VSSIP/VSTIP/VSEIP positions) pending for the guest now. */
static uint64_t pending_bits(struct rv_vcpu *v)
{
	uint64_t p = v->loaded ? csr_read(CSR_HVIP) & RV_VSSIP : v->vs.hvip;

	if (atomic_load(&v->soft_pending))
		p |= RV_VSSIP;
	if (timer_due(v))
		p |= RV_VSTIP;
	if (rv_plic_pending(&v->vm->plic, v->id))
		p |= RV_VSEIP;
	return p;
}

bool rv_interrupt_pending(struct rv_vcpu *v)
{
	/* vsie holds the guest's enables at the S-level positions 1, 5, 9,
	 * one below the VS-level ones in hvip. */
	uint64_t en = v->loaded ? csr_read(CSR_VSIE) : v->vs.vsie;
	return (pending_bits(v) >> 1) & en;
}

void rv_kick_others(struct rv_vm *vm, uint64_t mask)
{
	uint32_t self = vm->base.hal->current_pcpu(vm->base.hal->ctx);

	for (uint32_t i = 0; i < vm->base.vcpu_count && i < 64; i++) {
		struct rv_vcpu *t = rv_vcpu_at(vm, i);
		if ((mask >> i & 1) && t && t->loaded && t->pcpu != self)
			vm->base.hal->kick_pcpu(vm->base.hal->ctx, t->pcpu);
	}
}

static uint64_t rv_vcpu_halt_deadline(void *p)
{
	struct rv_vcpu *v = p;
	uint64_t now;

	if (!v->loaded || v->timecmp == UINT64_MAX)
		return 0;
	now = csr_read(CSR_TIME);
	return axvm_bm_deadline(v->vm->base.hal, v->timecmp > now ? v->timecmp - now : 0,
				v->vm->host.timebase_hz);
}

/* Out of line, so that the software interrupt, every IPI, pays for no
 * frame and no saved registers (24 instructions as one function, 9 now). */
static __attribute__((noinline)) int inject_plic(struct rv_vcpu *v, uint32_t irq)
{
	int rc;

	if ((rc = rv_plic_raise(&v->vm->plic, irq)))
		return rc;
	/* The core kicks this vCPU; other harts with the source enabled
	 * must look at the PLIC again too. */
	rv_kick_others(v->vm, rv_plic_raise_targets(&v->vm->plic, irq) & ~(1ull << v->id));
	return 0;
}

static int rv_vcpu_inject_irq(void *p, uint32_t irq)
{
	struct rv_vcpu *v = p;

	if (!v)
		return AXVM_EINVAL;
	if (irq == AXVM_RV_IRQ_SOFT) {
		atomic_store(&v->soft_pending, true);
		return 0;
	}
	return inject_plic(v, irq);
}

/* --- run ---------------------------------------------------------------------- */

/* Everything a guest entry needs set up: the fence and interrupt flags,
 * hvip, sstatus and hstatus, and the host's comparator lent to the
 * guest's deadline (true if lent: *host_timecmp then holds the host's).
 * `s` is the host's sstatus from before interrupts went off. */
static inline __attribute__((always_inline)) bool
prepare_entry(struct rv_vcpu *v, uint64_t s, uint64_t *host_timecmp)
{
	uint64_t hvip;
	bool due;

	/* Set before the fence check: a remote RFENCE that finds this hart
	 * in the guest waits for the exit; one that does not, for nothing,
	 * as the check below comes after its request (both seq_cst). */
	atomic_store(&v->in_guest, true);
	/* Loads first: the exchanges are needed only when a flag is set, and
	 * a set that the loads miss comes after the fence below in its total
	 * order, so the setter (a seq_cst store, then its look at in_guest)
	 * sees in_guest and kicks (or waits for) this entry. One fence for
	 * both loads, where two seq_cst loads cost four. */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&v->fence_pending, memory_order_relaxed) &&
	    atomic_exchange(&v->fence_pending, false))
		hfence_vvma_all();
	hvip = csr_read(CSR_HVIP) & RV_VSSIP; /* the guest may have cleared it */
	if (atomic_load_explicit(&v->soft_pending, memory_order_relaxed) &&
	    atomic_exchange(&v->soft_pending, false))
		hvip |= RV_VSSIP;
	due = timer_due(v);
	if (due)
		hvip |= RV_VSTIP;
	if (rv_plic_pending(&v->vm->plic, v->id))
		hvip |= RV_VSEIP;
	csr_write(CSR_HVIP, hvip);
	/* The guest's privilege (SPP) from its last trap; FS on so its FP
	 * instructions reach vsstatus.FS, the guest's own switch. On as Clean
	 * until an exit finds it Dirty (the hart sets the HS-level FS Dirty
	 * too when a guest at V=1 changes FP state), then Dirty until unbind,
	 * which saves the FP registers only then: a guest that did not touch
	 * them in its slice costs no save. */
	v->regs.sstatus = (s & RV_CONST(~(SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP | SSTATUS_FS))) |
			  (v->regs.sstatus & RV_CONST(SSTATUS_SPP | SSTATUS_FS)) | SSTATUS_FS_CLEAN;
	v->regs.hstatus = (csr_read(CSR_HSTATUS) & RV_CONST(~GUEST_HSTATUS_CLEAR)) |
			  RV_CONST(GUEST_HSTATUS_SET);

	/* The guest's timer is raised through hvip at entry; for it to fire
	 * on time while the guest runs, the host's stimecmp is lent (the
	 * earlier deadline wins) and given back at exit, before the host
	 * could notice. Not once raised: it would exit at once, forever.
	 * Nor with no deadline at all: nothing to lend, and the exit then
	 * has nothing to give back or test (14 instructions a run()). */
	if (!v->vm->host.sstc || due || v->timecmp == UINT64_MAX)
		return false;
	*host_timecmp = csr_read(CSR_STIMECMP);
	if (v->timecmp < *host_timecmp)
		csr_write(CSR_STIMECMP, v->timecmp);
	return true;
}

/* The exit was the lent comparator firing for the guest alone: its
 * deadline passed, the host's has not. */
static inline __attribute__((always_inline)) bool guest_timer_only(const struct rv_vcpu *v, bool lent, uint64_t host_timecmp)
{
	return lent && v->regs.scause == (RV_CAUSE_IRQ | RV_IRQ_S_TIMER) && timer_due(v) &&
	       csr_read(CSR_TIME) < host_timecmp;
}

/* A load or store guest-page fault rv_fast_mmio() may answer, the cause
 * tested inline so other exits do not pay for the call. RV_SBI_ANSWERED
 * (enter again as set up: a fast device changes nothing the entry set-up
 * reads), or RV_SBI_NOT, with *decoded set if *exit already holds the
 * decoded MMIO exit. */
static inline __attribute__((always_inline)) enum rv_sbi_in_place
fast_mmio(struct rv_vcpu *v, struct axvm_exit *exit, bool *decoded)
{
	int r;

	if (v->regs.scause != RV_EXC_LOAD_GPF && v->regs.scause != RV_EXC_STORE_GPF)
		return RV_SBI_NOT;
	r = rv_fast_mmio(v, exit);
	*decoded = r < 0;
	return r > 0 ? RV_SBI_ANSWERED : RV_SBI_NOT;
}

static int rv_vcpu_run(void *p, struct axvm_exit *exit)
{
	struct rv_vcpu *v = p;
	uint64_t s, host_timecmp = UINT64_MAX;
	enum rv_sbi_in_place answered;
	bool lent, decoded = false;

	if (!v || !exit)
		return AXVM_EINVAL;
	if (!v->loaded)
		return AXVM_ESTATE;
	/* The rest of an IPI fan-out or of console bytes; tested here so the
	 * usual exit pays two loads, not a call. */
	if ((v->ipi_targets || v->con_left) && rv_pending_work(v, exit))
		return 0;

	s = rv_irq_save();
	/* Exits that only this vCPU's registers or its timer see are answered
	 * here and the guest entered again at once, without the trip through
	 * the core (invisible to its exit counts): a base-extension call with
	 * everything set up still true, a set_timer or the guest's own timer
	 * after setting up again, and an MMIO access to a device that
	 * declared its ops safe here (which the core does count). Host
	 * interrupts stay pending meanwhile and make the next entry exit at
	 * once; whoever changes this vCPU's entry state kicks it. */
	do {
		lent = prepare_entry(v, s, &host_timecmp);
		do {
			rv_enter(&v->regs);
			/* The cause first, inline: an MMIO or WFI exit skips the call. */
			answered = v->regs.scause == RV_EXC_ECALL_VS ? rv_sbi_answer_in_place(v)
								     : fast_mmio(v, exit, &decoded);
		} while (answered == RV_SBI_ANSWERED);
		if (lent)
			csr_write(CSR_STIMECMP, host_timecmp);
	} while (answered == RV_SBI_ANSWERED_TIMER || guest_timer_only(v, lent, host_timecmp));
	atomic_store(&v->in_guest, false);

	csr_write(CSR_SSTATUS, s & ~SSTATUS_SIE);
	rv_irq_restore(s); /* a host interrupt that made the guest exit is taken here */
	return decoded ? 0 : rv_decode_exit(v, exit);
}

/* --- registers ---------------------------------------------------------------- */

/* A core result to SBI's error (a0) and value (a1). */
static void sbi_result(struct rv_vcpu *v, int64_t status)
{
	if (status >= 0) {
		v->regs.x[10] = 0;
		v->regs.x[11] = (uint64_t)status;
		return;
	}
	v->regs.x[10] = (uint64_t)(status == AXVM_EEXIST   ? -6  /* ALREADY_AVAILABLE */
				   : status == AXVM_EINVAL ? -3  /* INVALID_PARAM */
							   : -1); /* FAILED */
}

static int rv_vcpu_get_gpr(void *p, uint32_t reg, uint64_t *value)
{
	struct rv_vcpu *v = p;

	if (!v || !value)
		return AXVM_EINVAL;
	if (reg < 32)
		*value = v->regs.x[reg];
	else if (reg == AXVM_RV_REG_PC)
		*value = v->regs.sepc;
	else
		return AXVM_EINVAL;
	return 0;
}

static void rv_vcpu_attach(void *p, struct axvm_vcpu *core)
{
	struct rv_vcpu *v = p;

	if (v)
		v->core = core;
}

static int rv_vcpu_set_gpr(void *p, uint32_t reg, uint64_t value)
{
	struct rv_vcpu *v = p;

	if (!v)
		return AXVM_EINVAL;
	if (reg == 0)
		; /* x0 stays zero */
	else if (reg < 32)
		v->regs.x[reg] = value;
	else if (reg == AXVM_RV_REG_PC)
		v->regs.sepc = value;
	else if (reg == AXVM_RV_REG_SBI_RET)
		sbi_result(v, (int64_t)value);
	else if (reg == AXVM_RV_REG_SBI_VALUE) {
		v->regs.x[10] = 0;
		v->regs.x[11] = value;
	} else
		return AXVM_EINVAL;
	return 0;
}

const struct axvm_arch_ops axvm_arch_riscv64 = {
	.name = "riscv64",
	.ctx = NULL, /* the port sets a struct axvm_rv_host, see axvm_riscv64.h */
	.pt_format = RV_PT_FORMAT,
	.vm_init = rv_vm_init,
	.vm_destroy = rv_vm_destroy,
	.map_region = NULL, /* the core maps RAM into the shared tables */
	.flush_stage2 = rv_flush_stage2,
	.vcpu_create = rv_vcpu_create,
	.vcpu_destroy = rv_vcpu_destroy,
	.vcpu_setup = rv_vcpu_setup,
	.vcpu_set_entry = rv_vcpu_set_entry,
	.vcpu_bind = rv_vcpu_bind,
	.vcpu_unbind = rv_vcpu_unbind,
	.vcpu_run = rv_vcpu_run,
	.vcpu_get_gpr = rv_vcpu_get_gpr,
	.vcpu_set_gpr = rv_vcpu_set_gpr,
	.vcpu_inject_irq = rv_vcpu_inject_irq,
	.vcpu_kick = NULL,
	.vcpu_halt_deadline = rv_vcpu_halt_deadline,
	.vcpu_attach = rv_vcpu_attach,
};
