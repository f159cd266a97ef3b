/* SPDX-License-Identifier: Apache-2.0 */
/* apic-ipi: SMP the way a PC does it, through the emulated local APIC.
 * vCPU 0 copies a real-mode trampoline to 0x9000 and starts vCPU 1 with
 * INIT, SIPI, SIPI (vector 0x09); the AP proves it began in real mode at
 * CS 0x0900, climbs to long mode on the ABI's page tables and its own
 * GDT, and the two then bounce fixed IPIs ROUNDS times by physical APIC
 * id, then one all-but-self and one self IPI. Counts are checked on both
 * sides; exits 0 when they match, 1 otherwise. Needs 2 vCPUs. */
#include "guest.h"
#include "idt.h"
#include "apic.h"

#define ROUNDS 100u
#define TRAMP 0x9000ul
#define V_PING 0x40 /* BSP -> AP */
#define V_PONG 0x41 /* AP -> BSP */
#define V_OTHERS 0x42
#define V_SELF 0x43

/* The trampoline, assembled here and copied to TRAMP (the SIPI vector's
 * page): real mode, then protected mode with its own GDT (selectors
 * 0x08/0x10 as the ABI's, which the IDT's gates name), then long mode
 * on the ABI's PML4 at 0x2000, then ap_entry on ap_stack. Addresses are
 * TRAMP plus label offsets: it runs from the copy, not from here. */
__asm__(".pushsection .rodata.tramp, \"a\"\n"
	".globl tramp_start, tramp_end\n"
	".code16\n"
	"tramp_start:\n"
	"  cli\n"
	"  movw %cs, %ax\n"
	"  movw %ax, %ds\n"
	"  movw %ax, (tramp_cs - tramp_start)\n" /* what SIPI gave us */
	"  lgdtl (tramp_gdtr - tramp_start)\n"
	"  movl %cr0, %eax\n"
	"  orl $1, %eax\n"
	"  movl %eax, %cr0\n"
	"  ljmpl $0x18, $(0x9000 + tramp_pm - tramp_start)\n"
	".code32\n"
	"tramp_pm:\n"
	"  movw $0x10, %ax\n"
	"  movw %ax, %ds\n"
	"  movw %ax, %es\n"
	"  movw %ax, %ss\n"
	"  movl %cr4, %eax\n"
	"  orl $0x620, %eax\n" /* PAE, OSFXSR, OSXMMEXCPT */
	"  movl %eax, %cr4\n"
	"  movl $0x2000, %eax\n"
	"  movl %eax, %cr3\n"
	"  movl $0xc0000080, %ecx\n"
	"  rdmsr\n"
	"  orl $0x100, %eax\n" /* LME */
	"  wrmsr\n"
	"  movl %cr0, %eax\n"
	"  orl $0x80000000, %eax\n"
	"  movl %eax, %cr0\n"
	"  ljmpl $0x08, $(0x9000 + tramp_lm - tramp_start)\n"
	".code64\n"
	"tramp_lm:\n"
	"  movw $0x10, %ax\n"
	"  movw %ax, %ds\n"
	"  movw %ax, %es\n"
	"  movw %ax, %ss\n"
	"  movq $ap_stack_top, %rsp\n"
	"  movq $ap_entry, %rax\n"
	"  jmp *%rax\n"
	".balign 8\n"
	"tramp_gdt:\n"
	"  .quad 0\n"
	"  .quad 0x00af9a000000ffff\n" /* 0x08 64-bit code, as the ABI's */
	"  .quad 0x00cf92000000ffff\n" /* 0x10 data */
	"  .quad 0x00cf9a000000ffff\n" /* 0x18 32-bit code, for the climb */
	"tramp_gdtr:\n"
	"  .word 31\n"
	"  .long 0x9000 + tramp_gdt - tramp_start\n"
	"tramp_cs:\n"
	"  .word 0xffff\n"
	"tramp_end:\n"
	".popsection\n");

extern const char tramp_start[], tramp_end[];
extern char tramp_cs[];
uint8_t ap_stack[16384] __attribute__((aligned(16)));
__asm__(".globl ap_stack_top\n.set ap_stack_top, ap_stack + 16384\n");

static volatile uint32_t pings, pongs, others, selfs, ap_up, ap_done;
static volatile uint32_t ap_id;

__attribute__((interrupt)) static void on_ping(struct interrupt_frame *f)
{
	(void)f;
	pings++;
	apic_write(APIC_EOI, 0);
}

__attribute__((interrupt)) static void on_pong(struct interrupt_frame *f)
{
	(void)f;
	pongs++;
	apic_write(APIC_EOI, 0);
}

__attribute__((interrupt)) static void on_others(struct interrupt_frame *f)
{
	(void)f;
	others++;
	apic_write(APIC_EOI, 0);
}

__attribute__((interrupt)) static void on_self(struct interrupt_frame *f)
{
	(void)f;
	selfs++;
	apic_write(APIC_EOI, 0);
}

static void wait_for(volatile uint32_t *counter, uint32_t n)
{
	while (*counter < n)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* The AP in long mode, from the trampoline: answer each ping with a pong. */
__attribute__((noreturn, used)) void ap_entry(void);
__attribute__((noreturn, used)) void ap_entry(void)
{
	idt_load();
	apic_enable();
	ap_id = apic_read(APIC_ID) >> 24;
	__atomic_store_n(&ap_up, 1, __ATOMIC_SEQ_CST);
	for (uint32_t i = 1; i <= ROUNDS; i++) {
		wait_for(&pings, i);
		apic_ipi(0, V_PONG);
	}
	wait_for(&others, 1);
	__atomic_store_n(&ap_done, 1, __ATOMIC_SEQ_CST);
	for (;;)
		__asm__ volatile("cli; hlt");
}

int guest_main(uint64_t index, uint64_t ram_size, uint64_t arg)
{
	const char *src = tramp_start;
	volatile char *dst = (volatile char *)TRAMP;
	int bad = 0;

	(void)index;
	(void)ram_size;
	(void)arg;
	idt_set(V_PING, on_ping);
	idt_set(V_PONG, on_pong);
	idt_set(V_OTHERS, on_others);
	idt_set(V_SELF, on_self);
	idt_load();
	apic_enable();
	for (long i = 0; i < tramp_end - tramp_start; i++)
		dst[i] = src[i];

	apic_ipi(1, ICR_INIT);
	apic_ipi(1, ICR_SIPI | (TRAMP >> 12));
	apic_ipi(1, ICR_SIPI | (TRAMP >> 12)); /* the MP protocol's second: ignored */
	while (!__atomic_load_n(&ap_up, __ATOMIC_SEQ_CST))
		__asm__ volatile("pause" ::: "memory");
	bad |= check("AP's CS after SIPI",
		     *(volatile uint16_t *)(TRAMP + (uint64_t)(tramp_cs - tramp_start)), 0x0900);
	bad |= check("AP's APIC id", ap_id, 1);
	puts("apic-ipi: AP up in real mode at 0900:0000\n");

	for (uint32_t i = 1; i <= ROUNDS; i++) {
		apic_ipi(1, V_PING);
		wait_for(&pongs, i);
	}
	apic_ipi(0, ICR_OTHERS | V_OTHERS);
	apic_ipi(0, ICR_SELF | V_SELF);
	wait_for(&selfs, 1);
	while (!__atomic_load_n(&ap_done, __ATOMIC_SEQ_CST))
		__asm__ volatile("pause" ::: "memory");
	bad |= check("pings the AP took", pings, ROUNDS);
	bad |= check("pongs the BSP took", pongs, ROUNDS);
	bad |= check("all-but-self IPIs", others, 1);
	bad |= check("self IPIs", selfs, 1);
	if (bad)
		return 1;
	puts("apic-ipi: ");
	put_dec(ROUNDS);
	puts(" round trips\n");
	puts("apic-ipi: ok\n");
	return 0;
}
