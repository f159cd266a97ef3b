/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry of the x86_64 bare-metal kernel. QEMU's -kernel loads it as a
 * multiboot (v1) image: the a.out-kludge header below gives the load
 * addresses, so the ELF64 file needs no 32-bit ELF wrapper. QEMU enters
 * in 32-bit protected mode, paging off; this code builds an identity map
 * of the low 4 GiB (2 MiB pages, the top GiB uncached: LAPIC, IOAPIC and
 * the guests' device windows live there), turns on long mode and calls
 * bm_main on the boot CPU's stack.
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00010000 /* addresses in the header (a.out kludge) */

#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_NE (1 << 5)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#include "capacity.h" /* the boot CPU's stack is the first */

/* From 32-bit protected mode, paging off, a GDT with the 64-bit code
 * segment at 0x08 loaded: the boot page tables, long mode, paging, and a
 * far jump to \target. The boot CPU and the APs share every step. */
.macro enter_long_mode target
	movl	%cr4, %eax
	orl	$(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	movl	%eax, %cr4
	movl	$boot_pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	$(CR0_PE | CR0_MP | CR0_NE | CR0_WP | CR0_PG), %eax
	movl	%eax, %cr0
	ljmp	$0x08, $\target
.endm

/* First thing in long mode: the flat data segment, FS and GS null. */
.macro load_data_segments
	movl	$0x10, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorl	%eax, %eax
	movw	%ax, %fs
	movw	%ax, %gs
.endm

	.section .multiboot, "a"
	.balign 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long mb_header           /* header_addr */
	.long __image_start       /* load_addr: the header is the first byte */
	.long __load_end          /* load_end_addr */
	.long __image_end         /* bss_end_addr: QEMU zeroes up to here */
	.long _start              /* entry_addr */

	.section .text.boot, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	/* The bss holds the page tables and stacks: zero it whatever the
	 * loader did. */
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	shrl	$2, %ecx
	xorl	%eax, %eax
	rep stosl

	/* PML4[0] -> PDPT; PDPT[0..3] -> four PDs of 2 MiB pages. */
	movl	$boot_pdpt, %eax
	orl	$0x3, %eax
	movl	%eax, boot_pml4
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$12, %eax
	addl	$boot_pd, %eax
	orl	$0x3, %eax
	movl	%eax, boot_pdpt(, %ecx, 8)
	incl	%ecx
	cmpl	$4, %ecx
	jne	1b
	/* 2048 entries: entry i maps i * 2 MiB; P, RW, PS; PCD|PWT from
	 * 3 GiB (entry 1536) up. */
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$0x83, %eax
	cmpl	$1536, %ecx
	jb	3f
	orl	$0x18, %eax
3:	movl	%eax, boot_pd(, %ecx, 8)
	movl	%ecx, %eax
	shrl	$11, %eax /* bits 32.. of i * 2 MiB: 0 below 4 GiB */
	movl	%eax, boot_pd + 4(, %ecx, 8)
	incl	%ecx
	cmpl	$2048, %ecx
	jne	2b

	lgdt	boot_gdtr
	enter_long_mode long_entry

	.code64
long_entry:
	load_data_segments
	leaq	bm_stacks + BM_STACK_SIZE(%rip), %rsp
	xorl	%ebp, %ebp
	call	bm_main
4:	cli
	hlt
	jmp	4b

/*
 * Secondary CPUs: bm_arch_start_secondaries() copies this real-mode
 * trampoline to BM_AP_TRAMPOLINE (below 1 MiB, where a SIPI can start a
 * CPU) and sends INIT/SIPI; the CPU goes to protected mode on the boot
 * GDT, then long mode on the boot page tables, and into
 * bm_secondary_main(bm_x86_ap_index) on that CPU's stack.
 */
#define AP_BASE 0x7000
#define AP(sym) ((sym) - ap_trampoline + AP_BASE)
	.code16
	.globl ap_trampoline, ap_trampoline_end
ap_trampoline:
	cli
	xorw	%ax, %ax
	movw	%ax, %ds
	lgdtl	AP(ap_gdtr)
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$0x18, $AP(ap_prot)
	.code32
ap_prot:
	movl	$0x10, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	enter_long_mode ap_long
	.balign 4
ap_gdtr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt
ap_trampoline_end:

	.code64
ap_long:
	load_data_segments
	movq	bm_x86_ap_index(%rip), %rdi
	leaq	1(%rdi), %rax
	imulq	$BM_STACK_SIZE, %rax	/* (index + 1) * BM_STACK_SIZE */
	leaq	bm_stacks(%rip), %rsp
	addq	%rax, %rsp
	xorl	%ebp, %ebp
	call	bm_secondary_main
5:	cli
	hlt
	jmp	5b

	.section .rodata
	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9b000000ffff /* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf93000000ffff /* 0x10: data, flat */
	.quad 0x00cf9b000000ffff /* 0x18: 32-bit code, flat (the AP trampoline) */
boot_gdt_end:
	.balign 4
boot_gdtr:
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.section .bss
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.globl bm_stacks
bm_stacks:
	.skip BM_MAX_CPUS * BM_STACK_SIZE
	.section .note.GNU-stack, "", @progbits
