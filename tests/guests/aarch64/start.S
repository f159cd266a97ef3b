/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-guest runtime: an arm64 Linux-style image header (the kernel looks
 * for it to know a slot holds a guest), the boot CPU's entry (X0 = DTB),
 * the entry for CPUs started with PSCI CPU_ON (X0 = context id), and the
 * EL1 vector table. The MMU stays off: all data accesses are Device
 * memory, so guests are built with -mstrict-align.
 */
#define STACK_SIZE 0x4000

	.section .text.head, "ax"
	.global _head
_head:
	b	_start			/* code0 */
	.word	0			/* code1 */
	.quad	0			/* text_offset */
	.quad	__image_end - _head	/* image_size */
	.quad	0xa			/* flags: LE, 4 KiB, anywhere */
	.quad	0, 0, 0
	.ascii	"ARM\x64"		/* magic */
	.word	0

_start:
	mov	x19, x0
	bl	cpu_setup
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, x19
	bl	main
	bl	psci_system_off
3:	wfi
	b	3b

	.global guest_secondary_entry
guest_secondary_entry:
	mov	x19, x0
	bl	cpu_setup
	mov	x0, x19
	bl	secondary_main
	bl	psci_cpu_off
4:	wfi
	b	4b

/* Stack by vCPU index (Aff1 * 16 + Aff0), EL1 vectors. */
cpu_setup:
	mrs	x1, mpidr_el1
	and	x2, x1, #0xff
	ubfx	x3, x1, #8, #8
	add	x2, x2, x3, lsl #4
	and	x2, x2, #3		/* 4 stacks */
	add	x2, x2, #1
	ldr	x1, =guest_stacks
	mov	x3, #STACK_SIZE
	madd	x1, x2, x3, x1
	mov	sp, x1
	ldr	x1, =guest_vectors
	msr	vbar_el1, x1
	isb
	ret

.macro	vec_fatal kind
	.balign 0x80
	mov	x0, #\kind
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	b	guest_fatal
.endm

	.balign 2048
guest_vectors:
	vec_fatal 0
	vec_fatal 1
	vec_fatal 2
	vec_fatal 3
	.balign 0x80		/* EL1h sync */
	b	sync_entry
	.balign 0x80		/* EL1h IRQ */
	b	irq_entry
	vec_fatal 6
	vec_fatal 7
	vec_fatal 8
	vec_fatal 9
	vec_fatal 10
	vec_fatal 11
	vec_fatal 12
	vec_fatal 13
	vec_fatal 14
	vec_fatal 15

/* Synchronous exception at EL1: guest_sync(esr, elr, far) returns where
 * to resume (or reports the exception and powers off). */
sync_entry:
	sub	sp, sp, #192
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x30, [sp, #144]
	mrs	x0, esr_el1
	mrs	x1, elr_el1
	mrs	x2, far_el1
	mrs	x3, spsr_el1
	str	x3, [sp, #168]
	bl	guest_sync
	msr	elr_el1, x0
	ldr	x3, [sp, #168]
	msr	spsr_el1, x3
	b	restore_and_eret

irq_entry:
	sub	sp, sp, #192
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x30, [sp, #144]
	mrs	x0, elr_el1
	mrs	x1, spsr_el1
	stp	x0, x1, [sp, #160]
	bl	guest_irq
	ldp	x0, x1, [sp, #160]
	msr	elr_el1, x0
	msr	spsr_el1, x1
restore_and_eret:
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x30, [sp, #144]
	add	sp, sp, #192
	eret

	.section .bss
	.balign 16
guest_stacks:
	.space	STACK_SIZE * 5
