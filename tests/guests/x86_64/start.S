/* SPDX-License-Identifier: Apache-2.0 */
/* Entry of every test guest. The runner hands over in 64-bit mode with
 * RDI = vCPU index, RSI = RAM size, RDX = boot argument and RSP as after a
 * call; guest_main's return value goes to the exit port. */
	.section .text.start, "ax"
	.globl _start
_start:
	andq	$-16, %rsp
	call	guest_main
	movw	$0x501, %dx
	outb	%al, %dx
1:	cli
	hlt
	jmp	1b
	.section .note.GNU-stack, "", @progbits
