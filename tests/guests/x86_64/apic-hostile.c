/* SPDX-License-Identifier: Apache-2.0 */
/* apic-hostile: what a guest may throw at the emulated local APIC, and
 * what must come of it (nothing, or exactly what the APIC defines): writes
 * to read-only registers, ICR destinations no vCPU has, illegal vectors,
 * logical/NMI/SMI/reserved delivery modes, INIT and SIPI at itself and at
 * nobody, timer counts of 0, 1 and 2^32-1, an illegal timer vector, odd
 * widths and offsets, x2APIC MSRs in xAPIC mode and reserved ones in
 * x2APIC mode, a relocated base, a disabled APIC. Every interrupt that
 * arrives is counted per vector; exits 0 when the counts and registers
 * are as expected, 1 otherwise. */
#include "guest.h"
#include "idt.h"
#include "apic.h"

#define V_BCAST 0x48
#define V_TIMER 0x49
#define V_X2 0x4b

static volatile uint32_t hits[256];
static volatile int x2;

/* One handler per vector 32..255, each counting its own. */
#define H(n)                                                                   \
	__attribute__((interrupt)) static void h##n(struct interrupt_frame *f) \
	{                                                                      \
		(void)f;                                                       \
		hits[n]++;                                                     \
		if (x2)                                                        \
			wrmsr(MSR_X2APIC(APIC_EOI), 0);                        \
		else                                                           \
			apic_write(APIC_EOI, 0);                               \
	}
#define H10(n) H(n##0) H(n##1) H(n##2) H(n##3) H(n##4) H(n##5) H(n##6) H(n##7) H(n##8) H(n##9)
/* vectors 32..255, in decimal */
H(32) H(33) H(34) H(35) H(36) H(37) H(38) H(39)
H10(4) H10(5) H10(6) H10(7) H10(8) H10(9) H10(10) H10(11) H10(12) H10(13) H10(14)
H10(15) H10(16) H10(17) H10(18) H10(19) H10(20) H10(21) H10(22) H10(23) H10(24)
H(250) H(251) H(252) H(253) H(254) H(255)

#define R(n) h##n,
#define R10(n) R(n##0) R(n##1) R(n##2) R(n##3) R(n##4) R(n##5) R(n##6) R(n##7) R(n##8) R(n##9)
static void (*const handlers[224])(struct interrupt_frame *) = {
	R(32) R(33) R(34) R(35) R(36) R(37) R(38) R(39)
	R10(4) R10(5) R10(6) R10(7) R10(8) R10(9) R10(10) R10(11) R10(12) R10(13) R10(14)
	R10(15) R10(16) R10(17) R10(18) R10(19) R10(20) R10(21) R10(22) R10(23) R10(24)
	R(250) R(251) R(252) R(253) R(254) R(255)
};

static uint32_t stray(uint32_t except)
{
	uint32_t n = 0;

	for (unsigned v = 32; v < 256; v++)
		if (v != except)
			n += hits[v];
	return n;
}

static void window(void)
{
	__asm__ volatile("sti; nop; nop; nop; cli" ::: "memory");
}

int guest_main(uint64_t index, uint64_t ram_size, uint64_t arg)
{
	uint32_t cur;
	int bad = 0;

	(void)ram_size;
	(void)arg;
	for (unsigned v = 32; v < 256; v++)
		idt_set(v, (void *)handlers[v - 32]);
	idt_load();
	apic_enable();

	/* Read-only registers stay what they are. */
	apic_write(APIC_ID, 0x0f000000);
	apic_write(APIC_VER, 0);
	apic_write(APIC_PPR, 0xff);
	apic_write(APIC_ISR + 0x10, 0xffffffffu);
	apic_write(APIC_IRR + 0x10, 0xffffffffu);
	apic_write(APIC_TMR_CUR, 5);
	bad |= check("ID after a write", apic_read(APIC_ID), (uint32_t)index << 24);
	bad |= check("version after a write", apic_read(APIC_VER) & 0xff, 0x14);
	bad |= check("PPR after a write", apic_read(APIC_PPR), 0);
	bad |= check("ISR after a write", apic_read(APIC_ISR + 0x10), 0);
	bad |= check("IRR after a write", apic_read(APIC_IRR + 0x10), 0);
	bad |= check("current count after a write", apic_read(APIC_TMR_CUR), 0);

	/* ICR: nobody there, illegal vectors, modes not modelled. */
	apic_ipi(0xfe, 0x40);
	apic_ipi(0x05, 0x41);
	apic_ipi(0x01, 0x42);
	apic_ipi(0x00, 0x800 | 0x43); /* logical */
	apic_ipi(0x00, 0x400 | 0x44); /* NMI */
	apic_ipi(0x00, 0x200 | 0x45); /* SMI */
	apic_ipi(0x00, 0x300 | 0x46); /* reserved */
	apic_ipi(0x00, 0x700 | 0x47); /* reserved */
	apic_write(APIC_ESR, 0);
	apic_ipi(0x00, 0x00); /* fixed vector 0 */
	apic_ipi(0x00, ICR_SELF | 0x0f);
	apic_write(APIC_ESR, 0); /* ESR latches on write */
	bad |= check("ESR after illegal vectors", apic_read(APIC_ESR) & 0x20, 0x20);
	apic_write(APIC_ESR, 0);
	apic_ipi(0x00, ICR_INIT);  /* at itself, running: nothing */
	apic_ipi(200, ICR_INIT);
	apic_ipi(200, ICR_SIPI | 0x09);
	apic_ipi(0xfe, ICR_SIPI | 0xff);
	apic_ipi(0x00, ICR_SIPI | 0x09); /* itself: already on */
	apic_ipi(0x00, ICR_OTHERS | ICR_SIPI | 0x09);
	apic_ipi(0x00, ICR_ALL | ICR_INIT);
	window();
	bad |= check("interrupts from bad ICR writes", stray(0), 0);
	apic_ipi(0xff, V_BCAST); /* the broadcast id: the sender too */
	window();
	bad |= check("broadcast to itself", hits[V_BCAST], 1);
	puts("apic-hostile: ICR ok\n");

	/* Timer: 0 never fires, 2^32-1 at /128 counts, 1 at /1 is a storm
	 * the guest still runs through, vector 3 is refused. */
	apic_write(APIC_TMR_DIV, 0xb);
	apic_write(APIC_LVT_TIMER, V_TIMER);
	apic_write(APIC_TMR_INIT, 0);
	window();
	bad |= check("count 0", apic_read(APIC_TMR_CUR) + hits[V_TIMER], 0);
	apic_write(APIC_TMR_DIV, 0xa);
	apic_write(APIC_TMR_INIT, 0xffffffffu);
	cur = apic_read(APIC_TMR_CUR);
	bad |= check("count 2^32-1 counts", cur > 0xf0000000u, 1);
	apic_write(APIC_TMR_INIT, 0);
	apic_write(APIC_TMR_DIV, 0xb);
	apic_write(APIC_LVT_TIMER, V_TIMER | LVT_PERIODIC);
	apic_write(APIC_TMR_INIT, 1);
	__asm__ volatile("sti" ::: "memory");
	for (volatile int i = 0; i < 20000; i++)
		__asm__ volatile("pause");
	__asm__ volatile("cli" ::: "memory");
	apic_write(APIC_TMR_INIT, 0);
	window();
	bad |= check("a period of 1 delivered", hits[V_TIMER] > 0, 1);
	apic_write(APIC_LVT_TIMER, 3);
	apic_write(APIC_TMR_INIT, 1000);
	while (apic_read(APIC_TMR_CUR)) /* no interrupt to halt for */
		__asm__ volatile("pause");
	window();
	apic_write(APIC_ESR, 0);
	bad |= check("ESR after an illegal timer vector", apic_read(APIC_ESR) & 0x40, 0x40);
	puts("apic-hostile: timer ok\n");

	/* Odd widths and offsets read 0 and write nothing. */
	bad |= check("byte read of ID", *(volatile uint8_t *)(APIC_BASE_GPA + 0x23), 0);
	*(volatile uint16_t *)(APIC_BASE_GPA + 0x81) = 0xffff;
	*(volatile uint32_t *)(APIC_BASE_GPA + 0x84) = 0xff;
	bad |= check("TPR after odd writes", apic_read(APIC_TPR), 0);
	bad |= check("beyond the registers", apic_read(0xff0), 0);

	/* x2APIC MSRs in xAPIC mode: 0 and nothing. */
	bad |= check("x2APIC id in xAPIC mode", rdmsr(MSR_X2APIC(APIC_ID)), 0);
	wrmsr(MSR_X2APIC(APIC_ICR_LO), ICR_SELF | V_X2);
	window();
	bad |= check("x2APIC ICR in xAPIC mode", hits[V_X2], 0);
	/* The base does not move. */
	wrmsr(MSR_APIC_BASE, 0xfed00000u | 0x800u);
	bad |= check("APIC base after relocation", rdmsr(MSR_APIC_BASE) & ~0xfffull, APIC_BASE_GPA);
	/* EFER.LME off under paging would fault a real CPU: kept. */
	wrmsr(0xc0000080u, 0);
	bad |= check("EFER.LME under paging", rdmsr(0xc0000080u) & 0x500, 0x500);

	/* x2APIC: reserved and read-only MSRs, destinations nobody has. */
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 10));
	x2 = 1;
	wrmsr(0x8ff, 0x1234);
	wrmsr(MSR_X2APIC(APIC_ID), 77);
	bad |= check("x2APIC id after a write", rdmsr(MSR_X2APIC(APIC_ID)), index);
	wrmsr(MSR_X2APIC(APIC_ICR_LO), (0x7fffffffull << 32) | V_X2);
	wrmsr(MSR_X2APIC(APIC_ICR_LO), (0xffffffffull << 32) | V_X2);
	window();
	bad |= check("x2APIC broadcast and nobody", hits[V_X2], 1);
	wrmsr(MSR_X2APIC_SELF_IPI, 7);
	for (int i = 0; i < 50; i++)
		wrmsr(MSR_X2APIC(APIC_EOI), 0); /* EOIs with nothing in service */
	/* A disabled APIC takes no fixed interrupts. */
	wrmsr(MSR_X2APIC(APIC_SVR), 0);
	wrmsr(MSR_X2APIC_SELF_IPI, V_X2);
	window();
	bad |= check("self IPI to a disabled APIC", hits[V_X2], 1);
	bad |= check("stray interrupts", stray(V_BCAST) - hits[V_TIMER] - hits[V_X2], 0);
	puts("apic-hostile: registers ok\n");
	if (bad)
		return 1;
	puts("apic-hostile: survived\n");
	return 0;
}

