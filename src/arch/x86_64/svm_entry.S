/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SVM world switch. VMRUN switches RAX, RSP, RIP, RFLAGS, the control
 * registers and CS/SS/DS/ES; #VMEXIT gives back the host's from the
 * host save area (VM_HSAVE_PA). Everything else is software's: the
 * guest's other GPRs (struct svm_gprs), and the state VMLOAD/VMSAVE move
 * (FS, GS, TR, LDTR with their hidden parts, KernelGSbase, STAR/LSTAR/
 * CSTAR/SFMASK, SYSENTER_*), which the host's page keeps for the host.
 *
 * void axvm_svm_enter(struct svm_gprs *g, uint64_t vmcb_pa, uint64_t host_save_pa)
 * Called with GIF clear (CLGI), so nothing interrupts between the VMSAVE
 * of the host and its VMLOAD.
 */
#define G(n) (8 * (n))

	.text
	.globl axvm_svm_enter
	.type axvm_svm_enter, @function
axvm_svm_enter:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rdi		/* 24(%rsp): g */
	pushq	%rdx		/* 16(%rsp): host save area */
	pushq	%rsi		/*  8(%rsp): VMCB */
	subq	$8, %rsp	/* keep 16-byte alignment */

	movq	%rdx, %rax
	vmsave
	movq	%rsi, %rax
	vmload

	/* RAX holds the VMCB's address at VMRUN; the guest's RAX is the
	 * VMCB's. RDI last: it is the pointer. */
	movq	G(1)(%rdi), %rcx
	movq	G(2)(%rdi), %rdx
	movq	G(3)(%rdi), %rbx
	movq	G(5)(%rdi), %rbp
	movq	G(6)(%rdi), %rsi
	movq	G(8)(%rdi), %r8
	movq	G(9)(%rdi), %r9
	movq	G(10)(%rdi), %r10
	movq	G(11)(%rdi), %r11
	movq	G(12)(%rdi), %r12
	movq	G(13)(%rdi), %r13
	movq	G(14)(%rdi), %r14
	movq	G(15)(%rdi), %r15
	movq	G(7)(%rdi), %rdi

	vmrun

	/* Host RSP and RAX are back (RAX: the VMCB address). */
	pushq	%rdi
	movq	32(%rsp), %rdi
	movq	%rcx, G(1)(%rdi)
	movq	%rdx, G(2)(%rdi)
	movq	%rbx, G(3)(%rdi)
	movq	%rbp, G(5)(%rdi)
	movq	%rsi, G(6)(%rdi)
	movq	%r8, G(8)(%rdi)
	movq	%r9, G(9)(%rdi)
	movq	%r10, G(10)(%rdi)
	movq	%r11, G(11)(%rdi)
	movq	%r12, G(12)(%rdi)
	movq	%r13, G(13)(%rdi)
	movq	%r14, G(14)(%rdi)
	movq	%r15, G(15)(%rdi)
	popq	%rcx
	movq	%rcx, G(7)(%rdi)

	movq	8(%rsp), %rax
	vmsave
	movq	16(%rsp), %rax
	vmload

	addq	$32, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret
	.size axvm_svm_enter, . - axvm_svm_enter
	.section .note.GNU-stack, "", @progbits
