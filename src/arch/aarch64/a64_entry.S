/* SPDX-License-Identifier: Apache-2.0 */
/*
 * World switch and the EL2 vector table used while a guest runs.
 *
 * axvm_a64_enter(regs) saves the host's X29, X30 and X19 on the EL2
 * stack, pushes `regs`, loads the guest's X0-X30, ELR_EL2 and SPSR_EL2 and
 * ERETs. The guest runs until an exception reaches EL2 through
 * axvm_a64_vectors (the C caller writes it to VBAR_EL2 around this call;
 * a host may also keep it there for good: below): the lower-EL entry
 * pushes the guest's X0/X1, finds `regs` on the stack, saves the guest's
 * registers into it, pops the host's frame and
 * returns the exception kind (A64_EXC_*) in X0. X1-X18 and X20-X28 come
 * back holding the guest's values: the one caller, a64_enter() in a64.h,
 * is an asm statement that names them clobbered, so the compiler saves
 * what it needs of X20-X28 once per run() (its prologue does anyway)
 * rather than this code on every entry and exit. X19 is kept (in the
 * regs slot's spare half, so at no cost) for the one value run() needs
 * right after the switch, the vCPU: with no callee-saved register left,
 * gcc kept it on the stack and loaded it again at every use. EL1 system registers are not touched
 * here: they are switched at bind/unbind (the host never runs at EL1).
 *
 * The stack used by the vectors is SP_EL2, so the caller must run on SP_EL2
 * (SPSel = 1), which is how a port at EL2 normally runs.
 *
 * The table's current-EL half branches to axvm_a64_host_sync, _irq, _fiq
 * and _serror (for SP_EL0 and SP_ELx alike), which stop the pCPU unless
 * the host defines them: a host that does may keep this table in VBAR_EL2
 * for good instead of owning a second 2 KiB-aligned one
 * (ports/baremetal/aarch64/boot.S does). Each is entered as a vector is,
 * every register as the exception left it.
 */
/* The same values as a64.h's, which checks them against the C side. */
#define A64_REGS_PC 248
#define A64_FP_FPSR 512
#define A64_FP_FPCR 520
#define A64_IRQ_VTIMER 27

/* Slot n of the vector table (128 bytes each), checked: .org fails to
 * assemble if what follows a slot's entry runs into the next slot. */
.macro	slot n
	.org	\n * 0x80
.endm

/* The host's ID registers of one CRm (op0 3, op1 0, CRn 0), one 8-byte
 * stub per op2 ("mrs x0; ret"; the assembler needs each encoding spelled
 * out, and reserved ones in this space read as zero), in the second half
 * of slot crm + 1: axvm_a64_id_read() jumps to slot crm + 1, offset 64 +
 * op2 * 8. The first half holds the slot's entry. */
.macro	id_mrs crm, op2
	mrs	x0, S3_0_C0_C\crm\()_\op2
	ret
.endm

.macro	id_row crm
	.org	(\crm + 1) * 0x80 + 64
	id_mrs	\crm, 0
	id_mrs	\crm, 1
	id_mrs	\crm, 2
	id_mrs	\crm, 3
	id_mrs	\crm, 4
	id_mrs	\crm, 5
	id_mrs	\crm, 6
	id_mrs	\crm, 7
.endm

/* AXVM_A64_TEST_BARE_TRAP (a test-only build, ports/baremetal's
 * AXVM_BM_TEST_BARE_TRAP): a synchronous exception with X0 =
 * A64_BARE_FID returns to the guest at once, X0 untouched. It is the
 * floor of a null call, a trap and an ERET (tests/guests/aarch64/
 * bench-exit.c times it); it trusts the guest, so it is never built into
 * a kernel that runs anything else. */
#define A64_BARE_FID_HI 0xba5	/* X0 = 0xba5000 */

.macro	vec_guest n kind
	slot	\n
#ifdef AXVM_A64_TEST_BARE_TRAP
	.if \kind == 0
	cmp	x0, #A64_BARE_FID_HI, lsl #12
	b.ne	1f
	eret
1:
	.endif
#endif
	stp	x0, x1, [sp, #-16]!
	mov	x1, #\kind
	b	a64_exit
.endm

/*
 * The vector table, with this file's code in it: each of the 16 slots is
 * 128 bytes and its entry needs 4 to 24, so the world switch, the exit,
 * the FP/SIMD switch and the ID register reads live in the space after the
 * entries (each entry ends in a branch: nothing falls into what follows
 * it), and the IRQ exit fills its own slot. Own section, so the 2 KiB alignment
 * costs no padding inside this object (the linker places it at the image
 * base). The FP/SIMD pair is the only FP/SIMD code: the library's C is
 * built general-regs-only.
 */
	.arch_extension simd
	.section .text.axvm_a64_vectors, "ax"
	.balign 2048
	.global axvm_a64_vectors
axvm_a64_vectors:
	b	axvm_a64_host_sync	/* 0: current EL, SP_EL0: sync */

	.global axvm_a64_enter
	.type axvm_a64_enter, %function
axvm_a64_enter:
	stp	x29, x30, [sp, #-16]!
	stp	x0, x19, [sp, #-16]!	/* the exit path finds regs here */

	ldp	x1, x2, [x0, #A64_REGS_PC]
	msr	elr_el2, x1
	msr	spsr_el2, x2
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0]
	eret
	dsb	nsh			/* no straight-line speculation past eret */
	isb
	.size axvm_a64_enter, . - axvm_a64_enter

	slot	1		/* irq */
	b	axvm_a64_host_irq

/* x1 = exception kind; [sp] = guest x0, x1; [sp + 16] = regs. First an
 * IRQ exit the fast path (slot 9) did not answer. */
a64_irq_exit:
	mov	x1, #1			/* A64_EXC_IRQ */
a64_exit:
	ldr	x0, [sp, #16]
	stp	x2, x3, [x0, #16]
	stp	x4, x5, [x0, #32]
	stp	x6, x7, [x0, #48]
	stp	x8, x9, [x0, #64]
	stp	x10, x11, [x0, #80]
	stp	x12, x13, [x0, #96]
	stp	x14, x15, [x0, #112]
	stp	x16, x17, [x0, #128]
	stp	x18, x19, [x0, #144]
	stp	x20, x21, [x0, #160]
	stp	x22, x23, [x0, #176]
	stp	x24, x25, [x0, #192]
	stp	x26, x27, [x0, #208]
	stp	x28, x29, [x0, #224]
	str	x30, [x0, #240]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x0, #A64_REGS_PC]
	ldp	x0, x19, [sp], #16	/* regs again, and the host's X19 */
	mov	x0, x1
	ldp	x29, x30, [sp], #16
	ret

	slot	2		/* fiq */
	b	axvm_a64_host_fiq
	id_row	1
	slot	3		/* serror */
	b	axvm_a64_host_serror
	id_row	2
	slot	4		/* current EL, SP_ELx: sync */
	b	axvm_a64_host_sync
	id_row	3
	slot	5		/* irq */
	b	axvm_a64_host_irq
	id_row	4
	slot	6		/* fiq */
	b	axvm_a64_host_fiq
	id_row	5
	slot	7		/* serror */
	b	axvm_a64_host_serror
	id_row	6

	vec_guest 8, 0		/* lower EL, AArch64: sync */
	id_row	7

	slot	9		/* irq: the whole fast path, 124 bytes */
	stp	x0, x1, [sp, #-16]!
/*
 * An IRQ exit, first offered to a64_irq_fast(vcpu) (a64_vcpu.c) without
 * the full switch: only what a C call may clobber is saved, on this stack
 * (x2-x18 and x30; x0/x1 are pushed already), and the guest's x19-x29 stay
 * in their registers, which the callee keeps (AAPCS64; the library's C
 * touches no FP/SIMD register). ELR_EL2 and SPSR_EL2 stay as they are:
 * nothing in between takes an exception (interrupts are masked at EL2).
 * Answered: the registers come back and the guest is entered again.
 * Not: the same registers come back and the full exit runs, as from any
 * other vector. ldp leaves the flags of the cmp alone.
 *
 * The first test, that the highest-priority pending interrupt at the
 * physical CPU interface is the guest's timer (PPI 27), is made here,
 * before anything is saved: every other IRQ exit (the host's timer at
 * the end of a time slice, a kick, a device) goes straight to the full
 * exit instead of saving and restoring ten register pairs around a call
 * that would refuse it. Only x0 is used, and the guest's x0 is on the
 * stack already.
 */
a64_irq:
	mrs	x0, icc_hppir1_el1
	and	x0, x0, #0xffffff
	cmp	x0, #A64_IRQ_VTIMER
	b.ne	a64_irq_exit
	stp	x2, x3, [sp, #-16]!
	stp	x4, x5, [sp, #-16]!
	stp	x6, x7, [sp, #-16]!
	stp	x8, x9, [sp, #-16]!
	stp	x10, x11, [sp, #-16]!
	stp	x12, x13, [sp, #-16]!
	stp	x14, x15, [sp, #-16]!
	stp	x16, x17, [sp, #-16]!
	stp	x18, x30, [sp, #-16]!
	ldr	x0, [sp, #(9 * 16 + 16)]	/* regs, the vCPU's first member */
	bl	a64_irq_fast
	cmp	w0, #0
	ldp	x18, x30, [sp], #16
	ldp	x16, x17, [sp], #16
	ldp	x14, x15, [sp], #16
	ldp	x12, x13, [sp], #16
	ldp	x10, x11, [sp], #16
	ldp	x8, x9, [sp], #16
	ldp	x6, x7, [sp], #16
	ldp	x4, x5, [sp], #16
	ldp	x2, x3, [sp], #16
	b.eq	a64_irq_exit
	ldp	x0, x1, [sp], #16
	eret
	dsb	nsh			/* no straight-line speculation past eret */
	isb

	vec_guest 10, 2		/* fiq */

	.global axvm_a64_fp_save
	.type axvm_a64_fp_save, %function
axvm_a64_fp_save:
	stp	q0, q1, [x0, #0]
	stp	q2, q3, [x0, #32]
	stp	q4, q5, [x0, #64]
	stp	q6, q7, [x0, #96]
	stp	q8, q9, [x0, #128]
	stp	q10, q11, [x0, #160]
	stp	q12, q13, [x0, #192]
	stp	q14, q15, [x0, #224]
	stp	q16, q17, [x0, #256]
	stp	q18, q19, [x0, #288]
	stp	q20, q21, [x0, #320]
	stp	q22, q23, [x0, #352]
	stp	q24, q25, [x0, #384]
	stp	q26, q27, [x0, #416]
	stp	q28, q29, [x0, #448]
	stp	q30, q31, [x0, #480]
	mrs	x1, fpsr
	mrs	x2, fpcr
	add	x0, x0, #A64_FP_FPSR
	stp	x1, x2, [x0]
	ret
	.size axvm_a64_fp_save, . - axvm_a64_fp_save

	vec_guest 11, 3		/* serror */

	.global axvm_a64_fp_restore
	.type axvm_a64_fp_restore, %function
axvm_a64_fp_restore:
	ldp	q0, q1, [x0, #0]
	ldp	q2, q3, [x0, #32]
	ldp	q4, q5, [x0, #64]
	ldp	q6, q7, [x0, #96]
	ldp	q8, q9, [x0, #128]
	ldp	q10, q11, [x0, #160]
	ldp	q12, q13, [x0, #192]
	ldp	q14, q15, [x0, #224]
	ldp	q16, q17, [x0, #256]
	ldp	q18, q19, [x0, #288]
	ldp	q20, q21, [x0, #320]
	ldp	q22, q23, [x0, #352]
	ldp	q24, q25, [x0, #384]
	ldp	q26, q27, [x0, #416]
	ldp	q28, q29, [x0, #448]
	ldp	q30, q31, [x0, #480]
	add	x0, x0, #A64_FP_FPSR
	ldp	x1, x2, [x0]
	msr	fpsr, x1
	msr	fpcr, x2
	ret
	.size axvm_a64_fp_restore, . - axvm_a64_fp_restore

	vec_guest 12, 0		/* lower EL, AArch32: sync */

/* uint64_t axvm_a64_id_read(uint32_t crm, uint32_t op2): the host's ID
 * register op0 3, op1 0, CRn 0, CRm crm (1-7), op2 (0-7), read by the
 * stub for it (id_row). */
	.global axvm_a64_id_read
	.type axvm_a64_id_read, %function
axvm_a64_id_read:
	adr	x2, axvm_a64_vectors + 0x80 + 64
	add	x2, x2, x0, lsl #7
	add	x2, x2, x1, lsl #3
	br	x2
	.size axvm_a64_id_read, . - axvm_a64_id_read
	slot	13		/* irq */
	stp	x0, x1, [sp, #-16]!
	b	a64_irq
	vec_guest 14, 2		/* fiq */

/* What the current-EL entries run in a host that does not take them: an
 * exception at EL2 while only the world switch uses this table can only
 * come from a bug in the few instructions around eret, so this pCPU stops
 * rather than run on with corrupted state. */
a64_hyp_fault:
	wfe
	b	a64_hyp_fault
	.weak	axvm_a64_host_sync
	.weak	axvm_a64_host_irq
	.weak	axvm_a64_host_fiq
	.weak	axvm_a64_host_serror
	.set	axvm_a64_host_sync, a64_hyp_fault
	.set	axvm_a64_host_irq, a64_hyp_fault
	.set	axvm_a64_host_fiq, a64_hyp_fault
	.set	axvm_a64_host_serror, a64_hyp_fault

	vec_guest 15, 3		/* serror */
