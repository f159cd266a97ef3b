/* SPDX-License-Identifier: Apache-2.0 */
/* The SVM backend's internal state and the VMCB layout it touches (AMD64
 * APM volume 2, appendix B). Offsets, not a struct: the VMCB is a 4 KiB
 * page the hardware owns between VMRUN and #VMEXIT. */
#ifndef AXVM_SVM_H
#define AXVM_SVM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <axvm/arch.h>

#include "../common/bm_backend.h"
#include "axvm_x86_64.h"
#include "svm_lapic.h"

/* --- VMCB control area ------------------------------------------------------ */
#define VMCB_INTERCEPT_CR 0x000     /* u32: reads 15:0, writes 31:16 */
#define VMCB_INTERCEPT_EXC 0x008    /* u32: exception vectors */
#define VMCB_INTERCEPT_MISC1 0x00c  /* u32 */
#define VMCB_INTERCEPT_MISC2 0x010  /* u32 */
#define VMCB_IOPM_BASE 0x040        /* u64 */
#define VMCB_MSRPM_BASE 0x048       /* u64 */
#define VMCB_TSC_OFFSET 0x050
#define VMCB_ASID 0x058             /* u32 */
#define VMCB_TLB_CONTROL 0x05c      /* u8 */
#define VMCB_VINTR 0x060            /* u64: V_TPR, V_IRQ, prio, masking, vector */
#define VMCB_INT_STATE 0x068        /* u64: bit 0 interrupt shadow */
#define VMCB_EXITCODE 0x070
#define VMCB_EXITINFO1 0x078
#define VMCB_EXITINFO2 0x080
#define VMCB_EXITINTINFO 0x088
#define VMCB_NP_ENABLE 0x090        /* bit 0 */
#define VMCB_EVENTINJ 0x0a8
#define VMCB_NCR3 0x0b0
#define VMCB_CLEAN 0x0c0            /* u32 */
#define VMCB_NRIP 0x0c8
#define VMCB_INSN_LEN 0x0d0         /* u8, then up to 15 bytes */
#define VMCB_INSN_BYTES 0x0d1

/* MISC1 bits */
#define INTERCEPT_INTR (1u << 0)
#define INTERCEPT_NMI (1u << 1)
#define INTERCEPT_VINTR (1u << 4)
#define INTERCEPT_CPUID (1u << 18)
#define INTERCEPT_HLT (1u << 24)
#define INTERCEPT_INVLPGA (1u << 26)
#define INTERCEPT_IOIO (1u << 27)
#define INTERCEPT_MSR (1u << 28)
#define INTERCEPT_SHUTDOWN (1u << 31)
/* MISC2 bits */
#define INTERCEPT_VMRUN (1u << 0)
#define INTERCEPT_VMMCALL (1u << 1)
#define INTERCEPT_VMLOAD (1u << 2)
#define INTERCEPT_VMSAVE (1u << 3)
#define INTERCEPT_STGI (1u << 4)
#define INTERCEPT_CLGI (1u << 5)
#define INTERCEPT_SKINIT (1u << 6)
#define INTERCEPT_MONITOR (1u << 10)
#define INTERCEPT_MWAIT (1u << 11)

#define VINTR_V_IRQ (1ull << 8)
#define VINTR_PRIO_SHIFT 16
#define VINTR_IGN_TPR (1ull << 20)
#define VINTR_MASKING (1ull << 24)
#define VINTR_VECTOR_SHIFT 32

#define EVENTINJ_VALID (1ull << 31)
#define EVENTINJ_TYPE_INTR 0ull

/* --- VMCB state save area ------------------------------------------------- */
#define VMCB_ES 0x400 /* each segment: u16 sel, u16 attrib, u32 limit, u64 base */
#define VMCB_SEG(n) (VMCB_ES + 16u * (n)) /* n in the hardware's order, ES..GS */
#define VMCB_SEG_BASE 8u /* a segment's base, from its offset */
#define VMCB_CS 0x410
#define VMCB_SS 0x420
#define VMCB_DS 0x430
#define VMCB_FS 0x440
#define VMCB_GS 0x450
#define VMCB_GDTR 0x460
#define VMCB_LDTR 0x470
#define VMCB_IDTR 0x480
#define VMCB_TR 0x490
#define VMCB_CPL 0x4cb
#define VMCB_EFER 0x4d0
#define VMCB_CR4 0x548
#define VMCB_CR3 0x550
#define VMCB_CR0 0x558
#define VMCB_DR7 0x560
#define VMCB_DR6 0x568
#define VMCB_RFLAGS 0x570
#define VMCB_RIP 0x578
#define VMCB_RSP 0x5d8
#define VMCB_RAX 0x5f8
#define VMCB_CR2 0x640
#define VMCB_GPAT 0x668

/* Exit codes */
#define VMEXIT_EXC_PF 0x4e
#define VMEXIT_INTR 0x60
#define VMEXIT_NMI 0x61
#define VMEXIT_VINTR 0x64
#define VMEXIT_CPUID 0x72
#define VMEXIT_HLT 0x78
#define VMEXIT_INVLPGA 0x7a
#define VMEXIT_IOIO 0x7b
#define VMEXIT_MSR 0x7c
#define VMEXIT_SHUTDOWN 0x7f
#define VMEXIT_VMRUN 0x80
#define VMEXIT_VMMCALL 0x81
#define VMEXIT_MONITOR 0x8a
#define VMEXIT_MWAIT_COND 0x8c
#define VMEXIT_NPF 0x400
#define VMEXIT_INVALID UINT64_MAX

#define RFLAGS_IF (1ull << 9)
#define RFLAGS_DF (1ull << 10)
#define EFER_LMA (1ull << 10)
/* VMCB segment attributes (descriptor bits 47:40 and 55:52) */
#define SEG_ATTR_L (1u << 9)
#define SEG_ATTR_DB (1u << 10)

/* --- backend state --------------------------------------------------------- */

/* The GPRs VMRUN does not switch (RAX and RSP live in the VMCB): the
 * layout svm_entry.S reads and writes, in encoding order with the two
 * VMCB ones as unused slots. */
struct svm_gprs {
	uint64_t r[16];
};

/* An `ins`/`outs` in progress: one element per exit, the guest not
 * entered until the count runs out. */
struct svm_str {
	bool active, in, rep, issued;
	uint8_t width;
	/* The address size, 2, 4 or 8 bytes: RCX, RSI and RDI are used and
	 * updated as CX/ECX/... under a 16- or 32-bit one. */
	uint8_t abytes;
	bool lin32; /* outside 64-bit mode: linear addresses wrap at 4 GiB */
	uint16_t port;
	uint64_t next_rip;
	uint64_t seg_base; /* of the memory operand's segment */
};

struct svm_vm {
	struct axvm_bm_vm base; /* first: bm_backend's helpers take it */
	uint64_t ncr3;
	atomic_bool tlb_dirty_all; /* flush_stage2 ran: each vCPU flushes */
	uint8_t *iopm, *msrpm;     /* shared by the VM's vCPUs */
	uint64_t iopm_pa, msrpm_pa;
	uint32_t irq_prio;
};

struct svm_vcpu {
	struct svm_gprs g; /* first: svm_entry.S gets the vCPU pointer */
	struct svm_vm *vm;
	uint32_t id;
	uint32_t pcpu;
	bool loaded;
	uint8_t *vmcb;
	uint64_t vmcb_pa;
	atomic_uint_fast64_t tlb_seen; /* flush generation this vCPU did */
	struct svm_str str;
	/* Interrupt vectors 32..255 queued by inject_irq (any thread). */
	_Atomic uint64_t irq_pending[4];
	/* Something may be deliverable (host queue or APIC): run() looks.
	 * Setters set it after their bit; run() clears it before it scans. */
	atomic_bool irq_any;
	atomic_bool kick;
	struct svm_lapic apic;
	/* FXSAVE image: 512 bytes, 16-byte aligned. */
	uint8_t fx[512] __attribute__((aligned(16)));
};

static inline uint64_t vmcb_get64(const struct svm_vcpu *v, unsigned off)
{
	return *(const volatile uint64_t *)(v->vmcb + off);
}

static inline void vmcb_set64(struct svm_vcpu *v, unsigned off, uint64_t val)
{
	*(volatile uint64_t *)(v->vmcb + off) = val;
}

static inline void vmcb_set32(struct svm_vcpu *v, unsigned off, uint32_t val)
{
	*(volatile uint32_t *)(v->vmcb + off) = val;
}

static inline uint32_t vmcb_get32(const struct svm_vcpu *v, unsigned off)
{
	return *(const volatile uint32_t *)(v->vmcb + off);
}

/* svm_entry.S: one VMRUN of the VMCB at `vmcb_pa`, the guest's other
 * GPRs in `g`; host FS/GS/TR/LDTR and syscall MSRs kept in the page at
 * `host_save_pa` (VMSAVE/VMLOAD). Called with GIF clear. */
void axvm_svm_enter(struct svm_gprs *g, uint64_t vmcb_pa, uint64_t host_save_pa);

/* svm_exit.c: the exit the VMCB describes, as a core exit. */
int svm_decode_exit(struct svm_vcpu *v, struct axvm_exit *exit);
/* svm_exit.c: the next element of an `ins`/`outs` (v->str.active): 1 if
 * it filled *exit, 0 if the instruction is done and the guest may run. */
int svm_str_next(struct svm_vcpu *v, struct axvm_exit *exit);
/* svm_exit.c: store an `ins` element at ES:RDI and step RDI/RCX. */
int svm_str_in_complete(struct svm_vcpu *v, uint64_t value);

/* svm_mem.c: guest memory through the VM's nested tables (hostile
 * addresses: AXVM_EFAULT when not RAM the NPT maps). */
int svm_gpa_read(struct svm_vm *vm, uint64_t gpa, void *dst, uint64_t len);
int svm_gpa_write(struct svm_vm *vm, uint64_t gpa, const void *src, uint64_t len);
/* A guest-linear address through the guest's own page tables (long mode
 * 4-level, or paging off), for an access of `write`. */
int svm_gva_to_gpa(struct svm_vcpu *v, uint64_t gva, bool write, uint64_t *gpa);
int svm_gva_read(struct svm_vcpu *v, uint64_t gva, void *dst, uint64_t len);
int svm_gva_write(struct svm_vcpu *v, uint64_t gva, const void *src, uint64_t len);

/* svm_boot.c: the guest ABI's power-on state. */
int svm_write_boot_tables(struct svm_vm *vm);
void svm_boot_state(struct svm_vcpu *v, uint64_t entry, uint64_t arg);

/* svm_boot.c: the state a SIPI leaves an AP in: real mode at
 * CS = vector << 8, IP = 0. */
void svm_sipi_state(struct svm_vcpu *v, uint8_t vector);

/* svm_vcpu.c: a result into register id `reg` (a GPR, RIP, RFLAGS or a
 * pseudo register of axvm_x86_64.h), as vcpu_set_gpr does. */
int svm_set_reg(struct svm_vcpu *v, uint32_t reg, uint64_t value);

/* svm_cpuid.c: CPUID as the guest sees it. */
void svm_cpuid(struct svm_vcpu *v);

static inline uint64_t svm_gpr(const struct svm_vcpu *v, unsigned r)
{
	if (r == AXVM_X86_REG_RAX)
		return vmcb_get64(v, VMCB_RAX);
	if (r == AXVM_X86_REG_RSP)
		return vmcb_get64(v, VMCB_RSP);
	return v->g.r[r & 15];
}

static inline void svm_set_gpr(struct svm_vcpu *v, unsigned r, uint64_t val)
{
	if (r == AXVM_X86_REG_RAX)
		vmcb_set64(v, VMCB_RAX, val);
	else if (r == AXVM_X86_REG_RSP)
		vmcb_set64(v, VMCB_RSP, val);
	else
		v->g.r[r & 15] = val;
}

#endif /* AXVM_SVM_H */
