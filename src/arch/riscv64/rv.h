/* SPDX-License-Identifier: Apache-2.0 */
/* RISC-V backend internals: vCPU context, VM state, shared helpers. */
#ifndef AXVM_RV_H
#define AXVM_RV_H

#include <stdatomic.h>
#include <stddef.h>

#include "axvm_riscv64.h"
#include "bm_backend.h"
#include "rv_insn.h"
#include "rv_plic.h"

#include "rv_offsets.h"

/* Saved and loaded by the world switch around every entry. */
struct rv_regs {
	uint64_t x[32];   /* x[0] is kept 0 */
	uint64_t sepc;    /* guest pc */
	uint64_t sstatus; /* at entry: SPP = guest privilege; at exit: as trapped */
	uint64_t hstatus; /* at entry: SPV = 1 (not saved at exit) */
	uint64_t scause; /* of the last exit */
	uint64_t stval, htval, htinst; /* of the last exception (not interrupt) */
	uint64_t host_sp, host_stvec;          /* world-switch scratch */
	uint64_t host_ra, host_s0, host_gp, host_tp; /* the host's, kept by it */
};

/* Guest F/D state: switched at bind/unbind (the host uses no FP). */
struct rv_fp {
	uint64_t f[32];
	uint64_t fcsr;
};

/* VS-level CSRs a guest owns; live in hardware while bound. */
struct rv_vs {
	uint64_t vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp;
	uint64_t hvip;
};

struct rv_vm;

struct rv_vcpu {
	struct rv_regs regs; /* first: the world switch gets &regs */
	struct rv_fp fp;
	struct rv_vs vs;
	struct rv_vm *vm;
	struct axvm_vcpu *core; /* the core's vCPU (vcpu_attach), for fast MMIO */
	uint32_t id;
	bool loaded;
	uint32_t pcpu; /* where it is bound, for kicks from other harts */
	uint64_t timecmp; /* SBI set_timer deadline (UINT64_MAX: none) */
	/* Words, not bools: RV64A has no byte AMO, and a byte exchange is a
	 * libgcc call (a CAS loop of ~20 instructions) on every entry. */
	_Atomic uint32_t soft_pending;  /* SSIP to raise at the next entry */
	_Atomic uint32_t fence_pending; /* an RFENCE aimed at this hart */
	_Atomic uint32_t in_guest;      /* from the fence check at entry to the exit */

	/* An SBI send_ipi fans out as one SEND_IPI exit per target. */
	uint64_t ipi_targets;
	/* A DBCN console_write goes out one IO_WRITE exit per byte. */
	uint64_t con_gpa, con_left, con_done;
	/* The last MMIO instruction fetched and decoded (0: none): a guest
	 * polling one register traps on the same word every time, and the
	 * decode is a pure function of it (about 45 instructions saved). */
	uint32_t mmio_raw;
	struct rv_mmio_insn mmio_dec;

	/* fp holds the power-on state (every register and fcsr zero): set by
	 * set_entry, cleared when unbind saves state the guest changed. With
	 * struct rv_pcpu's fp_zero it lets bind skip loading zeros over
	 * zeros. */
	bool fp_zero;
};

/* What the backend left in a pCPU's registers, for bind to skip what is
 * already there. Only pCPUs below RV_PCPUS have one (beyond, every bind
 * loads everything); read and written by bind, unbind and set_entry on
 * that pCPU with interrupts off, so no locking. */
#define RV_PCPUS 64u
struct rv_pcpu {
	/* hedeleg, hideleg, hcounteren, henvcfg and htimedelta hold the
	 * guest values (the same for every vCPU; see axvm_riscv64.h: the
	 * backend owns them on a hart it binds on). */
	bool h_guest;
	/* f0-f31 and fcsr are all zero: loaded so by a bind or set_entry and
	 * not changed by a guest since (its unbind found FS not Dirty). */
	bool fp_zero;
};

struct rv_vm {
	struct axvm_bm_vm base; /* hal, cfg, vCPUs, VMID */
	struct axvm_rv_host host;
	uint64_t hgatp;
	/* pCPUs (bit n: pCPU n) that may hold stage-2 TLB entries of an earlier
	 * VM with this VMID: each flushes them at this VM's first bind there. */
	_Atomic uint64_t tlb_stale;
	struct rv_plic plic;
};

/* vCPU `i` of the VM, or NULL before vcpu_create (i < vcpu_count). */
static inline struct rv_vcpu *rv_vcpu_at(const struct rv_vm *vm, uint32_t i)
{
	return vm->base.vcpus[i];
}

_Static_assert(offsetof(struct rv_regs, sepc) == RV_REGS_SEPC, "asm offset");
_Static_assert(offsetof(struct rv_regs, sstatus) == RV_REGS_SSTATUS, "asm offset");
_Static_assert(offsetof(struct rv_regs, hstatus) == RV_REGS_HSTATUS, "asm offset");
_Static_assert(offsetof(struct rv_regs, scause) == RV_REGS_SCAUSE, "asm offset");
_Static_assert(offsetof(struct rv_regs, stval) == RV_REGS_STVAL, "asm offset");
_Static_assert(offsetof(struct rv_regs, htval) == RV_REGS_HTVAL, "asm offset");
_Static_assert(offsetof(struct rv_regs, htinst) == RV_REGS_HTINST, "asm offset");
_Static_assert(offsetof(struct rv_regs, host_sp) == RV_REGS_HOST_SP, "asm offset");
_Static_assert(offsetof(struct rv_regs, host_stvec) == RV_REGS_HOST_STVEC, "asm offset");
_Static_assert(offsetof(struct rv_regs, host_ra) == RV_REGS_HOST_RA, "asm offset");
_Static_assert(offsetof(struct rv_regs, host_s0) == RV_REGS_HOST_S0, "asm offset");
_Static_assert(offsetof(struct rv_regs, host_gp) == RV_REGS_HOST_GP, "asm offset");
_Static_assert(offsetof(struct rv_regs, host_tp) == RV_REGS_HOST_TP, "asm offset");
_Static_assert(offsetof(struct rv_fp, fcsr) == RV_FP_FCSR, "asm offset");
_Static_assert(offsetof(struct rv_vcpu, regs) == 0, "regs first");

/*
 * The constant `c` (a 64-bit integer constant expression), made in a
 * register where it is used. The entry loop of rv_vcpu_run is short of
 * registers across the world switch, and gcc -Os hoists its masks out of
 * it into stack slots: some 15 instructions a run() to store them, for
 * loads that save nothing. A volatile asm cannot leave the loop.
 */
#if defined(__riscv)
#define RV_CONST(c)                                                            \
	({                                                                     \
		uint64_t rv_const_;                                            \
		__asm__ volatile("li %0, %1" : "=r"(rv_const_) : "i"((uint64_t)(c))); \
		rv_const_;                                                     \
	})
#else /* host builds of the SBI handler (tests/fuzz) include this header */
#define RV_CONST(c) ((uint64_t)(c))
#endif

/* rv_entry.S */
void axvm_rv_enter(struct rv_regs *regs);

#if defined(__riscv)
/*
 * Enter the guest (interrupts off); back at its next trap. axvm_rv_enter
 * keeps only ra, s0, gp and tp of the host's registers (and sp): the
 * clobbers below tell the compiler that s1-s11 and every caller-saved
 * register are lost, so it keeps across the guest only what it still
 * needs, in s0 or its frame. rv_vcpu_run's prologue saves s1-s11 for its
 * own caller anyway; the world switch saving them again on every entry
 * and exit cost 22 instructions.
 */
static inline __attribute__((always_inline)) void rv_enter(struct rv_regs *regs)
{
	register struct rv_regs *a0 __asm__("a0") = regs;

	__asm__ volatile("jal ra, axvm_rv_enter"
			 : "+r"(a0)
			 :
			 : "ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a1", "a2", "a3", "a4",
			   "a5", "a6", "a7", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9",
			   "s10", "s11", "memory");
}
#endif
void axvm_rv_fp_save(struct rv_fp *fp);
void axvm_rv_fp_restore(const struct rv_fp *fp);
/* Read a halfword of guest memory at a guest-virtual address with HLVX
 * (execute permission, the guest's own translation); -1 if that faults. */
int64_t axvm_rv_hlvx_hu(uint64_t gva);
/* The same for a word at a 4-byte aligned address (inside one page). */
int64_t axvm_rv_hlvx_wu(uint64_t gva);
/* Read a byte of guest-physical memory: HLV.BU with vsatp = 0 for the
 * access, so only the VM's stage-2 tables translate; -1 if that faults. */
int64_t axvm_rv_guest_phys_byte(uint64_t gpa);

/* scause values */
#define RV_CAUSE_IRQ (1ull << 63)
#define RV_IRQ_S_TIMER 5u
#define RV_EXC_ILLEGAL 2u
#define RV_EXC_LOAD_MISALIGNED 4u
#define RV_EXC_STORE_MISALIGNED 6u
#define RV_EXC_ECALL_VS 10u
#define RV_EXC_INST_GPF 20u
#define RV_EXC_LOAD_GPF 21u
#define RV_EXC_VIRT_INSN 22u
#define RV_EXC_STORE_GPF 23u

/* hvip / hip bits of the VS-level interrupts */
#define RV_VSSIP (1ull << 2)
#define RV_VSTIP (1ull << 6)
#define RV_VSEIP (1ull << 10)

/* rv_vcpu.c */
bool rv_interrupt_pending(struct rv_vcpu *v); /* pending and enabled in vsie */
void rv_kick_others(struct rv_vm *vm, uint64_t vcpu_mask);
void rv_set_timer(struct rv_vcpu *v, uint64_t timecmp);

/* rv_exit.c */
int rv_decode_exit(struct rv_vcpu *v, struct axvm_exit *exit);
int rv_pending_work(struct rv_vcpu *v, struct axvm_exit *exit); /* 1 if emitted */
/* A load or store guest-page fault (scause says which) on a device that
 * declared itself fast (axvm_vcpu_fast_mmio), inside the world switch:
 * 1 answered (sepc moved on, a load's register written); 0 not the plain
 * MMIO case, nothing touched (rv_decode_exit decodes it); -1 an MMIO
 * access no fast device took, decoded into *exit with sepc moved on, to
 * be returned as rv_decode_exit would have. */
int rv_fast_mmio(struct rv_vcpu *v, struct axvm_exit *exit);
/* axvm_rv_guest_phys_byte() with interrupts off around it. */
int64_t rv_guest_phys_byte(uint64_t gpa);

/* rv_sbi.c */
int rv_sbi_call(struct rv_vcpu *v, struct axvm_exit *exit);
/* After a trap: an SBI call answered without the core, the guest's
 * registers (a0, a1, sepc past the ECALL) set: NOT for anything else. */
enum rv_sbi_in_place {
	RV_SBI_NOT = 0,
	RV_SBI_ANSWERED,       /* from constants: enter again as set up */
	RV_SBI_ANSWERED_TIMER, /* set_timer: set the entry up again first */
};
enum rv_sbi_in_place rv_sbi_answer_in_place(struct rv_vcpu *v);
int rv_sbi_emit_ipi(struct rv_vcpu *v, struct axvm_exit *exit);
int rv_sbi_emit_console(struct rv_vcpu *v, struct axvm_exit *exit);

#endif /* AXVM_RV_H */
