/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry in HS-mode from OpenSBI: the boot hart at _start (a0 = hart id,
 * a1 = DTB); the others are started with SBI HSM hart_start at
 * bm_secondary_entry with their CPU index as the opaque argument. Each
 * sets its stack (bm_stacks, one per CPU index) and enters C. The kernel's
 * trap vector saves what the C calling convention does not keep.
 */
#include "capacity.h"

/*
 * Only the first hart here boots. OpenSBI 1.1 (QEMU 7.2's) marks a hart
 * START_PENDING before it stores the start address and argument, so a
 * hart that wakes in between leaves with the boot-time ones: it arrives
 * here, a1 = DTB, while the boot hart runs. Clearing BSS again then wipes
 * the running kernel. A hart that loses the claim is the one being
 * started (only it can leave OpenSBI's wait): it takes its CPU index from
 * bm_rv_starting, which the boot hart stored before hart_start.
 */
	.section .text.boot, "ax"
	.global _start
_start:
	la	t0, boot_claimed
	li	t1, 1
	amoswap.w.aq t1, t1, (t0)
	bnez	t1, late_start
	la	sp, bm_stacks + BM_STACK_SIZE
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, (t0)
	addi	t0, t0, 8
	j	1b
2:	call	bm_rv_boot		/* (hart id, dtb) */
3:	wfi
	j	3b

late_start:
	la	t0, bm_rv_starting
	ld	a1, (t0)

	.global bm_secondary_entry
bm_secondary_entry:
	li	t0, BM_STACK_SIZE
	addi	t1, a1, 1
	mul	t0, t0, t1
	la	sp, bm_stacks
	add	sp, sp, t0
	mv	a0, a1
	call	bm_secondary_main
4:	wfi
	j	4b

/* Traps while the kernel runs (guest exits use the backend's own vector). */
	.text
	.balign 4
	.global bm_trap_vector
bm_trap_vector:
	addi	sp, sp, -144
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
	bltz	a0, 1f			/* an interrupt: sepc stays */
	csrr	a1, sepc
	csrr	a2, stval
	call	bm_rv_trap		/* returns where to resume */
	csrw	sepc, a0
	j	2f
1:	call	bm_rv_irq
2:	ld	ra, 0(sp)
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
	addi	sp, sp, 144
	sret

	.data
	.balign 4
boot_claimed:
	.word	0

	.section .bss
	.balign 16
	.global bm_stacks
bm_stacks:
	.space	BM_STACK_SIZE * BM_MAX_CPUS
