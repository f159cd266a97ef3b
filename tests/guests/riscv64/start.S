/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-guest entry (docs/guest-abi-riscv64.md): hart 0 at _head with
 * a0 = hart id, a1 = DTB; harts started by SBI HSM at
 * guest_secondary_entry with a0 = hart id, a1 = opaque. One stack per hart
 * id; returning from secondary_main stops the hart. The trap vector keeps
 * what C does not and calls guest_trap(), which says where to resume.
 */
#define STACK 0x2000
#define MAX_HARTS 4

	.section .text.head, "ax"
	.globl _head
_head:
	.option push
	.option norvc		/* the header's first word is a 4-byte jump */
	j	_start
	.word	0
	.quad	0			/* text_offset */
	.quad	__image_end - _head	/* image_size */
	.quad	0			/* flags */
	.word	2			/* version 0.2 */
	.word	0
	.quad	0
	.ascii	"RISCV\0\0\0"
	.ascii	"RSC\x05"
	.word	0
	.option pop

_start:
	la	t0, guest_trap_entry
	csrw	stvec, t0
	li	t0, MAX_HARTS
	bgeu	a0, t0, park
	call	set_stack
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, (t0)
	addi	t0, t0, 8
	j	1b
2:	call	main
	j	park

	.globl guest_secondary_entry
guest_secondary_entry:
	la	t0, guest_trap_entry
	csrw	stvec, t0
	li	t0, MAX_HARTS
	bgeu	a0, t0, park
	call	set_stack
	call	secondary_main
	call	guest_hart_stop
park:
	wfi
	j	park

/* The same way in at an address that is 2 mod 4, the kind a kernel built
 * with compressed instructions starts its harts at (Linux 6.1's
 * secondary_start_sbi): an instruction boundary with IALIGN = 16. */
	.balign 4
	.option push
	.option rvc
	c.nop
	.globl guest_secondary_entry_rvc
guest_secondary_entry_rvc:
	j	guest_secondary_entry
	.option pop

/* sp = the top of hart a0's stack; only t0, t1 change. */
set_stack:
	li	t0, STACK
	addi	t1, a0, 1
	mul	t0, t0, t1
	la	sp, stacks
	add	sp, sp, t0
	ret

	.balign 4
guest_trap_entry:
	addi	sp, sp, -128
	sd	ra, 0(sp)
	sd	t0, 8(sp)
	sd	t1, 16(sp)
	sd	t2, 24(sp)
	sd	t3, 32(sp)
	sd	t4, 40(sp)
	sd	t5, 48(sp)
	sd	t6, 56(sp)
	sd	a0, 64(sp)
	sd	a1, 72(sp)
	sd	a2, 80(sp)
	sd	a3, 88(sp)
	sd	a4, 96(sp)
	sd	a5, 104(sp)
	sd	a6, 112(sp)
	sd	a7, 120(sp)
	csrr	a0, scause
	csrr	a1, sepc
	csrr	a2, stval
	call	guest_trap
	csrw	sepc, a0
	ld	ra, 0(sp)
	ld	t0, 8(sp)
	ld	t1, 16(sp)
	ld	t2, 24(sp)
	ld	t3, 32(sp)
	ld	t4, 40(sp)
	ld	t5, 48(sp)
	ld	t6, 56(sp)
	ld	a0, 64(sp)
	ld	a1, 72(sp)
	ld	a2, 80(sp)
	ld	a3, 88(sp)
	ld	a4, 96(sp)
	ld	a5, 104(sp)
	ld	a6, 112(sp)
	ld	a7, 120(sp)
	addi	sp, sp, 128
	sret

	.bss
	.balign 16
stacks:
	.space	STACK * MAX_HARTS
