/* SPDX-License-Identifier: Apache-2.0 */
/* apic-timer: the emulated local APIC's timer and priorities on one vCPU.
 * A periodic timer (halting between interrupts, then spinning without an
 * exit, where only the host's timer can stop the guest), a one-shot that
 * fires once, TPR and in-service priority ordering of self-IPIs, and the
 * same timer and self-IPIs through the x2APIC MSRs. Counts are checked;
 * exits 0 when everything matched, 1 otherwise. SVM backend only: KVM
 * runs without an APIC model here. */
#include "guest.h"
#include "idt.h"
#include "apic.h"

#define V_PERIODIC 0x30
#define V_ONESHOT 0x31
#define V_MARK 0x32
#define V_X2 0x33
#define V_SELF 0x34
#define V_LOW 0x45
#define V_HIGH 0x61

static volatile uint32_t periodic, oneshot, mark, x2hits, low, high, nested;
static volatile uint32_t order[4], norder, in_high;
static volatile int x2;

__attribute__((no_caller_saved_registers)) static void eoi(void)
{
	if (x2)
		wrmsr(MSR_X2APIC(APIC_EOI), 0);
	else
		apic_write(APIC_EOI, 0);
}

__attribute__((interrupt)) static void on_periodic(struct interrupt_frame *f)
{
	(void)f;
	periodic++;
	eoi();
}

__attribute__((interrupt)) static void on_oneshot(struct interrupt_frame *f)
{
	(void)f;
	oneshot++;
	eoi();
}

__attribute__((interrupt)) static void on_mark(struct interrupt_frame *f)
{
	(void)f;
	mark++;
	eoi();
}

__attribute__((interrupt)) static void on_x2(struct interrupt_frame *f)
{
	(void)f;
	x2hits++;
	eoi();
}

__attribute__((interrupt)) static void on_low(struct interrupt_frame *f)
{
	(void)f;
	if (in_high)
		nested++;
	low++;
	if (norder < 4)
		order[norder++] = V_LOW;
	eoi();
}

/* In service, V_HIGH's class (6) must hold V_LOW (class 4) off even with
 * interrupts on and TPR 0, until its EOI. */
__attribute__((interrupt)) static void on_high(struct interrupt_frame *f)
{
	(void)f;
	high++;
	if (norder < 4)
		order[norder++] = V_HIGH;
	in_high = 1;
	__asm__ volatile("sti; nop; nop; nop; cli" ::: "memory");
	in_high = 0;
	eoi();
}

/* Halt until *counter reaches n (each interrupt ends a HLT). */
static void wait_for(volatile uint32_t *counter, uint32_t n)
{
	while (*counter < n)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

int guest_main(uint64_t index, uint64_t ram_size, uint64_t arg)
{
	uint32_t cur, isr_high;
	uint64_t t0;
	int bad = 0;

	(void)ram_size;
	(void)arg;
	idt_set(V_PERIODIC, on_periodic);
	idt_set(V_ONESHOT, on_oneshot);
	idt_set(V_MARK, on_mark);
	idt_set(V_X2, on_x2);
	idt_set(V_SELF, on_x2);
	idt_set(V_LOW, on_low);
	idt_set(V_HIGH, on_high);
	idt_load();

	bad |= check("APIC id", apic_read(APIC_ID), (uint32_t)index << 24);
	bad |= check("APIC version", apic_read(APIC_VER) & 0xff, 0x14);
	bad |= check("IA32_APIC_BASE", rdmsr(MSR_APIC_BASE) & ~0xfffull, APIC_BASE_GPA);
	apic_enable();

	/* Periodic, 2 ms at divide-by-1, halting in between. */
	apic_write(APIC_TMR_DIV, 0xb);
	apic_write(APIC_LVT_TIMER, V_PERIODIC | LVT_PERIODIC);
	apic_write(APIC_TMR_INIT, 2000000);
	cur = apic_read(APIC_TMR_CUR);
	bad |= check("current count counts down", cur != 0 && cur <= 2000000, 1);
	wait_for(&periodic, 5);
	apic_write(APIC_TMR_INIT, 0);
	bad |= check("current count once stopped", apic_read(APIC_TMR_CUR), 0);
	puts("apic-timer: periodic 5\n");

	/* One-shot, 4 ms at divide-by-16; a 10 ms mark after it must not
	 * see it again. */
	apic_write(APIC_TMR_DIV, 0x3);
	apic_write(APIC_LVT_TIMER, V_ONESHOT);
	apic_write(APIC_TMR_INIT, 250000);
	wait_for(&oneshot, 1);
	bad |= check("current count after the one-shot", apic_read(APIC_TMR_CUR), 0);
	apic_write(APIC_TMR_DIV, 0xb);
	apic_write(APIC_LVT_TIMER, V_MARK);
	apic_write(APIC_TMR_INIT, 10000000);
	wait_for(&mark, 1);
	bad |= check("one-shot fired once", oneshot, 1);
	puts("apic-timer: one-shot 1\n");

	/* Periodic again, 1 ms, while the guest spins with interrupts on and
	 * never exits: only the host's own timer, lent for the guest's
	 * deadline, gets it out. Bounded by the TSC (a few seconds). */
	periodic = 0;
	apic_write(APIC_LVT_TIMER, V_PERIODIC | LVT_PERIODIC);
	apic_write(APIC_TMR_INIT, 1000000);
	t0 = rdtsc();
	__asm__ volatile("sti" ::: "memory");
	while (periodic < 5 && rdtsc() - t0 < (1ull << 34))
		__asm__ volatile("pause" ::: "memory");
	__asm__ volatile("cli" ::: "memory");
	apic_write(APIC_TMR_INIT, 0);
	bad |= check("spinning: periodic interrupts", periodic >= 5, 1);
	puts("apic-timer: spinning 5\n");

	/* TPR 0x70 holds both self-IPIs off; 0x50 lets the class-6 one in;
	 * 0 the class-4 one. */
	apic_write(APIC_TPR, 0x70);
	apic_ipi(0, ICR_SELF | V_LOW);
	apic_ipi(0, ICR_SELF | V_HIGH);
	__asm__ volatile("sti; nop; nop; cli" ::: "memory");
	bad |= check("TPR 0x70 holds both", low + high, 0);
	bad |= check("PPR is the TPR", apic_read(APIC_PPR), 0x70);
	apic_write(APIC_TPR, 0x50);
	__asm__ volatile("sti; nop; nop; cli" ::: "memory");
	bad |= check("TPR 0x50: the class-6 one only", high * 16 + low, 16);
	apic_write(APIC_TPR, 0);
	__asm__ volatile("sti; nop; nop; cli" ::: "memory");
	bad |= check("TPR 0: the class-4 one too", low, 1);
	/* Both at once: the higher first, the lower not inside it. */
	apic_ipi(0, ICR_SELF | V_LOW);
	apic_ipi(0, ICR_SELF | V_HIGH);
	isr_high = apic_read(APIC_IRR + 0x10 * (V_HIGH / 32)) & (1u << (V_HIGH % 32));
	bad |= check("IRR shows the pending vector", isr_high != 0, 1);
	__asm__ volatile("sti; nop; nop; nop; cli" ::: "memory");
	bad |= check("both delivered", high * 16 + low, 2 * 16 + 2);
	bad |= check("delivery order", norder == 4 && order[2] == V_HIGH && order[3] == V_LOW, 1);
	bad |= check("lower vector inside the higher's service", nested, 0);
	puts("apic-timer: priority ok\n");

	/* x2APIC: the same registers as MSRs. */
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 10));
	x2 = 1;
	bad |= check("x2APIC id", rdmsr(MSR_X2APIC(APIC_ID)), index);
	bad |= check("x2APIC LDR", rdmsr(MSR_X2APIC(0x0d0)), 1u << (index & 15));
	wrmsr(MSR_X2APIC(APIC_TMR_DIV), 0xb);
	wrmsr(MSR_X2APIC(APIC_LVT_TIMER), V_X2);
	wrmsr(MSR_X2APIC(APIC_TMR_INIT), 1000000);
	wait_for(&x2hits, 1);
	wrmsr(MSR_X2APIC_SELF_IPI, V_SELF);
	wait_for(&x2hits, 2);
	wrmsr(MSR_X2APIC(APIC_ICR_LO), ICR_SELF | V_X2);
	wait_for(&x2hits, 3);
	bad |= check("x2APIC interrupts", x2hits, 3);
	puts("apic-timer: x2apic ok\n");
	if (bad)
		return 1;
	puts("apic-timer: ok\n");
	return 0;
}
