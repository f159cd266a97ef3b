/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry at EL2 (QEMU virt, virtualization=on, booted with -kernel ELF):
 * CPU 0 enters at _start; the others are started with PSCI CPU_ON at
 * bm_secondary_entry with their index as context id. Each CPU sets up its
 * stack, its EL2 state and the shared identity map, then enters C.
 */
#include "capacity.h"

/* SCTLR_EL2: RES1 bits; M, C, I set once the tables are ready. */
#define SCTLR_EL2_RES1 0x30c50830
#define SCTLR_M (1 << 0)
#define SCTLR_C (1 << 2)
#define SCTLR_I (1 << 12)

/* HCR_EL2 for the host: RW (EL1 AArch64), IMO/FMO/AMO so physical
 * interrupts are taken at EL2 while the kernel runs. */
#define HOST_HCR ((1 << 31) | (1 << 5) | (1 << 4) | (1 << 3))

/* MAIR: 0 Device-nGnRnE, 1 Device-nGnRE, 2 Normal WB RW-allocate. */
#define HOST_MAIR 0xff0400
/* TCR_EL2: RES1 (31, 23), T0SZ = 32, WB walks, inner shareable, 4 KiB,
 * PS = 40 bits. */
#define HOST_TCR 0x80823520

.macro	save_caller
	stp	x29, x30, [sp, #-16]!
	stp	x17, x18, [sp, #-16]!
	stp	x15, x16, [sp, #-16]!
	stp	x13, x14, [sp, #-16]!
	stp	x11, x12, [sp, #-16]!
	stp	x9, x10, [sp, #-16]!
	stp	x7, x8, [sp, #-16]!
	stp	x5, x6, [sp, #-16]!
	stp	x3, x4, [sp, #-16]!
	stp	x1, x2, [sp, #-16]!
	mrs	x1, elr_el2
	mrs	x2, spsr_el2
	stp	x0, x1, [sp, #-16]!
	str	x2, [sp, #-16]!
.endm

.macro	restore_caller
	ldr	x2, [sp], #16
	ldp	x0, x1, [sp], #16
	msr	elr_el2, x1
	msr	spsr_el2, x2
	ldp	x1, x2, [sp], #16
	ldp	x3, x4, [sp], #16
	ldp	x5, x6, [sp], #16
	ldp	x7, x8, [sp], #16
	ldp	x9, x10, [sp], #16
	ldp	x11, x12, [sp], #16
	ldp	x13, x14, [sp], #16
	ldp	x15, x16, [sp], #16
	ldp	x17, x18, [sp], #16
	ldp	x29, x30, [sp], #16
.endm

/* A data symbol's address in reg: adrp+add reaches +-4 GB. The kernel's
 * image spans under 1 MB (link.ld), but the FreeRTOS firmware
 * (ports/freertos/demo-aarch64) links this file with a larger .bss. */
.macro	addr_of reg, sym
	adrp	\reg, \sym
	add	\reg, \reg, :lo12:\sym
.endm

/*
 * No vector table of its own: the kernel keeps the backend's
 * (axvm_a64_vectors, a64_entry.S) in VBAR_EL2 from boot on, and takes the
 * exceptions at EL2 itself through the four entries that table branches
 * to for the current EL. A second 2 KiB-aligned table would cost 2 KiB of
 * text, and its lower-EL half could only ever report a bug.
 */
	.text
/* CPU 0 enters here (QEMU enters the ELF at _start). */
	.global _start
_start:
	mrs	x1, mpidr_el1
	and	x1, x1, #0xff
	cbnz	x1, park		/* only CPU 0 comes here */
	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.ne	not_el2
	addr_of	x1, bm_stacks + BM_STACK_SIZE
	mov	sp, x1
	bl	el2_setup
	/* Zero .bss (through the cache, now that it is on). */
	addr_of	x1, __bss_start
	addr_of	x2, __bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, #0
	bl	bm_main
park:
	wfe
	b	park

not_el2:
	/* Say so on the UART without any setup, then stop the board. */
	mov	x1, #0x09000000
	adr	x2, msg_not_el2
3:	ldrb	w3, [x2], #1
	cbz	w3, 4f
	str	w3, [x1]
	b	3b
4:	mov	x0, #0x0008		/* PSCI SYSTEM_OFF, 0x84000008 */
	movk	x0, #0x8400, lsl #16
	smc	#0
	b	park

/* x0..x3 in, x0 out; SMCCC lets the firmware clobber x0-x17. */
	.global psci_smc
psci_smc:
	smc	#0
	ret

	.global bm_secondary_entry
bm_secondary_entry:
	mov	x19, x0			/* CPU index */
	addr_of	x1, bm_stacks + BM_STACK_SIZE
	mov	x2, #BM_STACK_SIZE
	madd	x1, x19, x2, x1
	mov	sp, x1
	bl	el2_setup
	mov	x0, x19
	bl	bm_secondary_main
	b	park

/* Per-CPU EL2 state: vectors, HCR/CPTR/timer controls, MMU and caches. */
el2_setup:
	mov	x1, #(SCTLR_EL2_RES1 & 0xffff)
	movk	x1, #(SCTLR_EL2_RES1 >> 16), lsl #16
	msr	sctlr_el2, x1
	isb
	adr	x0, axvm_a64_vectors
	msr	vbar_el2, x0
	mov	x0, #(HOST_HCR & 0xffff)
	movk	x0, #(HOST_HCR >> 16), lsl #16
	msr	hcr_el2, x0
	mov	x0, #0x33ff		/* CPTR_EL2: FP/SIMD not trapped */
	msr	cptr_el2, x0
	mov	x0, #3			/* CNTHCTL_EL2: EL1 may use the counter */
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	msr	cnthp_ctl_el2, xzr
	msr	cntv_ctl_el0, xzr
	msr	vttbr_el2, xzr
	mov	x0, #(HOST_MAIR & 0xffff)
	movk	x0, #(HOST_MAIR >> 16), lsl #16
	msr	mair_el2, x0
	mov	x0, #(HOST_TCR & 0xffff)
	movk	x0, #(HOST_TCR >> 16), lsl #16
	msr	tcr_el2, x0
	adr	x0, bm_el2_l1		/* .data follows the code: within 1 MB */
	msr	ttbr0_el2, x0
	isb
	tlbi	alle2
	dsb	ish
	isb
	movk	x1, #((SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_I) & 0xffff)
	msr	sctlr_el2, x1
	isb
	ret

/* The current-EL entries of axvm_a64_vectors. An IRQ (or FIQ) taken at
 * EL2 is the kernel's own; anything else stops the board with the slot
 * the table took it through (0-3 on SP_EL0, 4-7 on SP_ELx: SPSR_EL2.M[0]),
 * the syndrome and the addresses. */
	.global axvm_a64_host_irq
	.global axvm_a64_host_fiq
axvm_a64_host_irq:
axvm_a64_host_fiq:
	save_caller
	bl	bm_irq_handler
	restore_caller
	eret

	.global axvm_a64_host_sync
	.global axvm_a64_host_serror
axvm_a64_host_sync:
	mov	x0, #0
	b	1f
axvm_a64_host_serror:
	mov	x0, #3
1:	mrs	x1, spsr_el2
	and	x1, x1, #1
	add	x0, x0, x1, lsl #2
	mrs	x1, esr_el2
	mrs	x2, elr_el2
	mrs	x3, far_el2
	b	bm_fatal_exception

msg_not_el2:
	.asciz	"axvm: not entered at EL2: run QEMU with -M virt,virtualization=on\n"

/* --- identity map for EL2: four 1 GiB blocks (4 GiB VA, start level 1) --- */
#define BLK_DEVICE ((1 << 10) | (1 << 2) | 1)		/* AF, attr 1 */
#define BLK_NORMAL ((1 << 10) | (3 << 8) | (2 << 2) | 1) /* AF, ISH, attr 2 */
/* With T0SZ = 32 the level-1 table has four entries: 32 bytes, not a
 * 4 KiB page. A table of fewer than eight entries needs only 64-byte
 * alignment (Arm ARM, TTBR BADDR), so the image carries 32 bytes of it
 * instead of up to 8 KiB of page and alignment padding. */
	.section .data
	.balign 64
	.global bm_el2_l1
bm_el2_l1:
	.quad	0x00000000 | BLK_DEVICE | (1 << 54)	/* 0-1 GiB: MMIO, XN */
	.quad	0x40000000 | BLK_NORMAL			/* 1-2 GiB: RAM */
	.quad	0x80000000 | BLK_NORMAL
	.quad	0xc0000000 | BLK_NORMAL

	.section .bss
	.balign 16
	.global bm_stacks
bm_stacks:
	.space	BM_STACK_SIZE * BM_MAX_CPUS
