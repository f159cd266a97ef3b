/* SPDX-License-Identifier: Apache-2.0 */
/* AArch64 backend internals: vCPU context, VM state, shared helpers. */
#ifndef AXVM_A64_H
#define AXVM_A64_H

#include <stdatomic.h>
#include <stddef.h>

#include "a64_sysreg.h"
#include "axvm_aarch64.h"
#include "bm_backend.h"

/* Exception kinds the lower-EL vectors hand back (a64_entry.S). */
#define A64_EXC_SYNC 0u
#define A64_EXC_IRQ 1u
#define A64_EXC_FIQ 2u
#define A64_EXC_SERROR 3u
/* Not the vector's: a fast MMIO exit already decoded (a64_vcpu.c). */
#define A64_EXC_DECODED 4u

/* Offsets shared with a64_entry.S (checked by static asserts below). */
#define A64_REGS_PC 248
#define A64_REGS_PSTATE 256
#define A64_FP_FPSR 512
#define A64_FP_FPCR 520
/* The guest timer's PPI, which the IRQ vector tests against ICC_HPPIR1_EL1. */
#define A64_IRQ_VTIMER 27

/* Saved on every exit by the world switch. */
struct a64_regs {
	uint64_t x[31];
	uint64_t pc;     /* ELR_EL2 */
	uint64_t pstate; /* SPSR_EL2 */
};

/* Guest FP/SIMD: switched at bind/unbind (the host uses no FP). */
struct a64_fp {
	uint64_t q[64]; /* V0..V31, 128 bits each */
	uint64_t fpsr;
	uint64_t fpcr;
};

/* EL1 system registers a guest owns; live in hardware while bound. */
struct a64_el1 {
	uint64_t sctlr, cpacr, ttbr0, ttbr1, tcr, esr, afsr0, afsr1, far;
	uint64_t mair, amair, vbar, contextidr, tpidr_el0, tpidrro_el0;
	uint64_t tpidr_el1, cntkctl, par, sp_el0, sp_el1, elr, spsr, csselr;
	uint64_t cntv_cval;
};

/* The list registers the vGIC uses: 4, what QEMU's GICv3 and the Cortex-A
 * and Neoverse CPU interfaces implement. A CPU interface with more (up to
 * 16) has the others zeroed at each pCPU's EL2 set-up and never used: more
 * than 4 interrupts in flight wait in the software pending set, as they do
 * on a 4-register core. Each register is its own instruction, so every
 * one supported costs code in the switches of a64_vgic.c. */
#define A64_MAX_LR 4u

/* Host priority mask while a guest timer interrupt is in flight: the host
 * must give PPI 27 a priority >= this and its own interrupts lower values
 * (higher priority), see axvm_aarch64.h. */
#define A64_VTIMER_PMR 0xf0u

/* Per-vCPU GIC state: redistributor registers the guest sees, the
 * software pending set, and the list-register bookkeeping. */
struct a64_vgic_cpu {
	uint32_t enable;    /* SGI/PPI enables (GICR_ISENABLER0) */
	uint32_t cfg1;      /* GICR_ICFGR1 (PPI trigger modes) */
	uint32_t waker;     /* GICR_WAKER.ProcessorSleep */
	uint8_t prio[32];   /* GICR_IPRIORITYR<n> */
	_Atomic uint64_t pending[(AXVM_A64_NR_IRQS + 63) / 64];
	uint32_t nr_lr;     /* list registers implemented */
	uint32_t lr_all;    /* bit n for each of them */
	uint32_t nr_apr;    /* active-priority registers per group */
	uint32_t lr_used;   /* bit n: LR n holds lr_intid[n] */
	uint32_t lr_intid[A64_MAX_LR];
	uint64_t lr[A64_MAX_LR]; /* saved at unbind */
	uint64_t vmcr;
	uint64_t ap0r[4], ap1r[4];
	uint64_t hcr;       /* ICH_HCR_EL2 for the next entry */
	bool vtimer_hw;     /* the timer's LR is HW-mapped, physical PPI active */
};

/* Register values of the emulated distributor and redistributors. */
#define GICD_CTLR_GRP1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_DS (1u << 6)
#define GIC_PIDR2_V3 0x3bu
#define GIC_IIDR 0x0000043bu /* implementer: Arm */

/* Distributor state shared by a VM's vCPUs, under a64_vm.lock. */
struct a64_vgic_dist {
	uint32_t ctlr;
	uint32_t enable[AXVM_A64_NR_SPIS / 32];
	uint32_t cfg[AXVM_A64_NR_SPIS / 16];
	uint8_t prio[AXVM_A64_NR_SPIS];
	uint64_t route[AXVM_A64_NR_SPIS];
};

struct a64_vm;

struct a64_vcpu {
	struct a64_regs regs; /* first: the world switch gets &regs */
	_Alignas(16) struct a64_fp fp;
	struct a64_el1 el1;
	struct a64_vm *vm;
	struct axvm_vcpu *core;   /* the core's vCPU (vcpu_attach): fast MMIO, fast SGIs */
	uint32_t id;
	uint64_t mpidr;           /* VMPIDR_EL2 */
	bool loaded;              /* EL1/GIC/timer state live in hardware */
	bool fp_loaded;           /* FP/SIMD too (loaded at the first use) */
	atomic_bool reset_pending; /* power-on state to apply at next bind */

	/* Virtual timer. timer_ctl is the guest's CNTV_CTL (ENABLE, IMASK),
	 * read back at every exit; while the host runs the hardware copy
	 * carries IMASK so the timer cannot interrupt the host. While the
	 * timer interrupt is in flight (queued or in a list register, not yet
	 * deactivated by the guest) the guest runs with ICC_PMR_EL1 lowered
	 * to A64_VTIMER_PMR so the still-high level does not exit again; the
	 * guest sees its own CNTV_CTL untouched. */
	uint64_t timer_ctl;
	bool timer_inflight;

	/* An ICC_SGI1R_EL1 write fans out as one SEND_IPI exit per target. */
	uint64_t sgi_targets;
	uint32_t sgi_intid;

	/* The host's ICC_PMR_EL1, read at bind: the priority mask run()
	 * lowers to A64_VTIMER_PMR at most and restores at every exit. */
	uint64_t host_pmr;

	struct a64_vgic_cpu vgic;
};

struct a64_vm {
	struct axvm_bm_vm base; /* hal, cfg, vCPUs, VMID */
	uint64_t vtcr;
	uint64_t vttbr;
	uint64_t cntvoff;
	atomic_flag lock; /* distributor state */
	struct a64_vgic_dist dist;
};

/* vCPU `i` of the VM, or NULL before vcpu_create (i < vcpu_count). */
static inline struct a64_vcpu *a64_vcpu_at(const struct a64_vm *vm, uint32_t i)
{
	return vm->base.vcpus[i];
}

_Static_assert(offsetof(struct a64_regs, pc) == A64_REGS_PC, "asm offset");
_Static_assert(offsetof(struct a64_regs, pstate) == A64_REGS_PSTATE, "asm offset");
_Static_assert(offsetof(struct a64_fp, fpsr) == A64_FP_FPSR, "asm offset");
_Static_assert(offsetof(struct a64_fp, fpcr) == A64_FP_FPCR, "asm offset");
_Static_assert(A64_IRQ_VTIMER == AXVM_A64_IRQ_VTIMER, "the vector's timer PPI");
_Static_assert(offsetof(struct a64_vcpu, regs) == 0, "regs first");

/* a64_entry.S. axvm_a64_enter, the world switch, is not a C function:
 * it keeps only X19, X29 and SP, and is called through a64_enter(). */
void axvm_a64_fp_save(struct a64_fp *fp);
void axvm_a64_fp_restore(const struct a64_fp *fp);

/*
 * Run the guest from `regs` until an exception brings it back to EL2: the
 * exception kind (A64_EXC_*). The world switch returns with the guest's
 * values in X1-X18, X20-X28 and X30: all clobbered here, so the compiler
 * keeps only what it needs across the call (in X19, which the switch
 * keeps, or on the stack), where the callee-saved X19-X28 cost a save and
 * a load on every entry and exit inside the switch.
 */
#if defined(__aarch64__) /* tests/fuzz builds a64_vgic_dist.c for the host */
static inline __attribute__((always_inline)) uint64_t a64_enter(struct a64_regs *regs)
{
	register uint64_t x0 __asm__("x0") = (uint64_t)(uintptr_t)regs;

	__asm__ volatile("bl axvm_a64_enter"
			 : "+r"(x0)
			 :
			 : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",
			   "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18",
			   "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28",
			   "x30", "cc", "memory");
	return x0;
}
#endif

static inline __attribute__((always_inline)) void a64_lock(struct a64_vm *vm)
{
	while (atomic_flag_test_and_set_explicit(&vm->lock, memory_order_acquire))
		;
}

static inline __attribute__((always_inline)) void a64_unlock(struct a64_vm *vm)
{
	atomic_flag_clear_explicit(&vm->lock, memory_order_release);
}

/* The vCPU index an MPIDR names, or UINT32_MAX if none of this VM's. */
uint32_t a64_mpidr_to_index(const struct a64_vm *vm, uint64_t mpidr);
/* Is [gpa, gpa+len) inside one RAM region of the VM's config? */
static inline bool a64_gpa_is_ram(const struct a64_vm *vm, uint64_t gpa, uint64_t len)
{
	return axvm_bm_gpa_is_ram(vm->base.cfg, gpa, len);
}

/* a64_vgic.c (the model, list registers) and a64_vgic_dist.c (what the
 * guest programs: distributor, redistributors, SGIs, pending set) */
void a64_vgic_vm_reset(struct a64_vm *vm);
void a64_vgic_cpu_init(struct a64_vcpu *v);
void a64_vgic_cpu_reset(struct a64_vcpu *v);
/* EL2 set-up on a pCPU: the list registers beyond A64_MAX_LR, if the CPU
 * interface has any, zeroed (their reset value is UNKNOWN). */
void a64_vgic_clear_unused_lrs(void);
/* Bind: the CPU interface's registers (load), then the physical side of
 * a HW-mapped timer interrupt (load_hw, none unless vgic.vtimer_hw). */
void a64_vgic_load(struct a64_vcpu *v);
void a64_vgic_load_hw(struct a64_vcpu *v);
/* Unbind: the list registers in use, if any (put_lrs), and the CPU
 * interface's other registers (put: VMCR, the active priorities). */
void a64_vgic_put_lrs(struct a64_vcpu *v);
void a64_vgic_put(struct a64_vcpu *v);
void a64_vgic_flush(struct a64_vcpu *v); /* before entry */
/* After exit, with list registers in use: free the finished ones. */
void a64_vgic_sync_lrs(struct a64_vcpu *v);
bool a64_vgic_has_pending(struct a64_vcpu *v);
int a64_vgic_inject(struct a64_vcpu *v, uint32_t intid);
/* Straight into a free list register if enabled: true, or false and
 * nothing changed (queue it with a64_vgic_inject then). EL1/GIC state
 * loaded. */
bool a64_vgic_place(struct a64_vcpu *v, uint32_t intid);
void a64_vgic_unpend(struct a64_vcpu *v, uint32_t intid);
bool a64_vgic_in_lr(const struct a64_vcpu *v, uint32_t intid);
/* Emulate a distributor/redistributor access; false if `ipa` is not in
 * the vGIC windows. */
bool a64_vgic_mmio(struct a64_vcpu *v, uint64_t ipa, bool write,
		   unsigned width, uint64_t *val);
/* The vCPUs (bit n: vCPU n) the TargetList form of ICC_SGI1R_EL1 value
 * `val` names (its IRM bit is the caller's), for any guest value. */
uint64_t a64_sgi_targets(const struct a64_vm *vm, uint64_t val);
/* A trapped ICC_SGI1R_EL1 write (ESR `esr`, EC 0x18) answered inside the
 * world switch: each target gets the SGI through the core's public
 * injection (queued and kicked, as a SEND_IPI exit would) and the PC
 * moves on; true. false, nothing changed, for anything else: another
 * register, an SGI the sender itself receives, a port with its own
 * inject_irq hook. */
bool a64_vgic_fast_sgi(struct a64_vcpu *v, uint64_t esr);

/* After exit: no maintenance interrupts while the host runs, and the
 * list registers the guest is done with freed. Inline: an exit with
 * none in use (most) makes no call. */
static inline __attribute__((always_inline)) void a64_vgic_sync(struct a64_vcpu *v)
{
	wr_ich_hcr_el2(0);
	if (v->vgic.lr_used)
		a64_vgic_sync_lrs(v);
}

/* a64_vcpu.c: the guest's virtual timer would interrupt it right now. */
bool a64_timer_fires_now(struct a64_vcpu *v);
/* a64_vcpu.c, called from the IRQ vector (a64_entry.S): an IRQ exit
 * answered without leaving the world switch (the guest's own timer into a
 * list register): true, enter the guest again; false, with at most
 * finished list registers freed, take the full exit. */
bool a64_irq_fast(struct a64_vcpu *v);

/* a64_exit.c */
int a64_decode_exit(struct a64_vcpu *v, uint64_t kind, uint64_t esr,
		    uint64_t far, uint64_t hpfar, struct axvm_exit *exit);
int a64_emit_sgi(struct a64_vcpu *v, struct axvm_exit *exit);
/* A synchronous exit the backend answers from the guest's registers alone
 * (SMCCC/PSCI queries, ID-register reads): answered (PC moved on) and
 * true, or false and nothing touched. Safe inside the world switch: reads
 * and writes nothing but the vCPU's registers. */
bool a64_fast_exit(struct a64_vcpu *v, uint64_t esr);
/* A stage-2 data abort `esr` in the plain MMIO case: 1 if a fast device
 * (axvm_vcpu_fast_mmio) answered it (PC moved on, a load's register
 * written); -1 if *exit holds the core's MMIO exit for it (PC moved on);
 * 0, nothing touched, for the full decode. Safe inside the world switch. */
int a64_fast_mmio(struct a64_vcpu *v, uint64_t esr, struct axvm_exit *exit);

#endif /* AXVM_A64_H */
