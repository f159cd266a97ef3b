/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel's interrupt and exception entry points: one stub per vector
 * the IDT fills (exceptions 0..31, the LAPIC timer, the kick IPI, the
 * spurious vector), each pushing a uniform frame (vector, error code or
 * 0) for bm_x86_trap(). Host code runs at CPL 0 on one stack per CPU, so
 * no stack switch and no TSS are needed.
 */
	.text
.macro stub vec, has_err
	.globl bm_x86_vec\vec
bm_x86_vec\vec:
	.if \has_err == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	trap_common
.endm

.irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,22,23,24,25,26,27,28,31,32,33,255
	stub \v, 0
.endr
.irp v, 8,10,11,12,13,14,17,21,29,30
	stub \v, 1
.endr

/* Frame on entry: vector, error, RIP, CS, RFLAGS, RSP, SS. The caller-
 * saved registers (and RBX, used here) are saved around the C handler,
 * which keeps the rest by the ABI; the stack is 16-byte aligned at the call. */
trap_common:
	pushq	%rbx		/* holds the unaligned RSP across the call */
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	movq	%rsp, %rdi	/* struct bm_x86_frame * */
	movq	%rsp, %rbx
	andq	$-16, %rsp
	cld
	call	bm_x86_trap
	movq	%rbx, %rsp
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	popq	%rbx
	addq	$16, %rsp	/* vector, error */
	iretq
	.section .note.GNU-stack, "", @progbits
