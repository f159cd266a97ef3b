/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Task switch for FreeRTOS at EL2 (port.c has the frame layout): a yield
 * is an ordinary call, so only the callee-saved registers, the interrupt
 * mask and the critical-section state go into the frame; no ELR/SPSR, no
 * exception return. Runs with IRQs masked from the save to the load.
 */
#define FRAME_SIZE 128

	.text
	.global vPortYield
	.type vPortYield, %function
vPortYield:
	mrs	x9, daif
	msr	daifset, #2
	sub	sp, sp, #FRAME_SIZE
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	ldr	x10, =ullPortCriticalNesting
	ldr	x11, [x10]
	stp	x9, x11, [sp, #96]
	ldr	x10, =ullPortSavedDaif
	ldr	x11, [x10]
	str	x11, [sp, #112]
	ldr	x12, =pxCurrentTCB
	ldr	x13, [x12]
	mov	x14, sp
	str	x14, [x13]		/* pxTopOfStack is the TCB's first word */
	bl	vTaskSwitchContext
	/* fall through: load whichever task is current now */

	.global vPortStartFirstTask
	.type vPortStartFirstTask, %function
vPortStartFirstTask:
	ldr	x12, =pxCurrentTCB
	ldr	x13, [x12]
	ldr	x14, [x13]
	mov	sp, x14
	ldp	x9, x11, [sp, #96]
	ldr	x10, =ullPortCriticalNesting
	str	x11, [x10]
	ldr	x11, [sp, #112]
	ldr	x10, =ullPortSavedDaif
	str	x11, [x10]
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	add	sp, sp, #FRAME_SIZE
	msr	daif, x9
	ret

/* A new task's first "return from vPortYield" lands here: X19 holds its
 * parameter, X20 its function. */
	.global vPortTaskTrampoline
	.type vPortTaskTrampoline, %function
vPortTaskTrampoline:
	mov	x0, x19
	blr	x20
	bl	vPortTaskReturned
1:	wfi
	b	1b
