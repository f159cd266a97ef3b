/* SPDX-License-Identifier: Apache-2.0 */
#include "guest.h"

void (*irq_hook)(uint64_t irq);
uint64_t (*exc_hook)(uint64_t cause, uint64_t epc, uint64_t tval);

/* NS16550: one trapped read of LSR and one trapped write of THR a byte. */
void gputc(char c)
{
	while (!(r8(UART_BASE + 5) & 0x20u))
		;
	w8(UART_BASE, (uint8_t)c);
}

struct sbiret sbi6(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2,
		   uint64_t a3, uint64_t a4, uint64_t a5)
{
	register uint64_t r0 __asm__("a0") = a0;
	register uint64_t r1 __asm__("a1") = a1;
	register uint64_t r2 __asm__("a2") = a2;
	register uint64_t r3 __asm__("a3") = a3;
	register uint64_t r4 __asm__("a4") = a4;
	register uint64_t r5 __asm__("a5") = a5;
	register uint64_t r6 __asm__("a6") = fid;
	register uint64_t r7 __asm__("a7") = ext;

	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1)
			 : "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6), "r"(r7)
			 : "memory");
	return (struct sbiret){ (int64_t)r0, r1 };
}

void set_timer(uint64_t when)
{
	sbi(SBI_EXT_TIME, 0, when, 0, 0);
}

void send_ipi(uint64_t mask, uint64_t base)
{
	sbi(SBI_EXT_IPI, 0, mask, base, 0);
}

_Noreturn void guest_power_off(void)
{
	sbi(SBI_EXT_SRST, 0, 0, 0, 0);
	gputs("FAIL: SBI system_reset returned\n");
	for (;;)
		wfi();
}

void guest_hart_stop(void);
void guest_hart_stop(void)
{
	sbi(SBI_EXT_HSM, 1, 0, 0, 0);
	gputs("FAIL: SBI hart_stop returned\n");
}

uint64_t guest_trap(uint64_t cause, uint64_t epc, uint64_t tval);
uint64_t guest_trap(uint64_t cause, uint64_t epc, uint64_t tval)
{
	if (cause & CAUSE_IRQ) {
		if (irq_hook)
			irq_hook(cause & ~CAUSE_IRQ);
		else
			check(false, "an interrupt with no handler");
		return epc;
	}
	if (exc_hook)
		return exc_hook(cause, epc, tval);
	gprintf("FAIL: guest exception %lu at 0x%lx, stval 0x%lx\n", cause, epc, tval);
	check(false, "no unexpected exception");
	done("exception");
}

int64_t guest_cpu_on(uint64_t cpu, uint64_t arg)
{
	return sbi(SBI_EXT_HSM, 0, cpu, (uintptr_t)guest_secondary_entry, arg).error;
}

uint64_t guest_now_us(void)
{
	return rdtime() / (TIMEBASE_HZ / 1000000u);
}

/* --- PLIC --- */

void plic_set_priority(uint32_t src, uint32_t prio)
{
	w32(PLIC_BASE + 4u * src, prio);
}

void plic_enable(uint32_t ctx, uint32_t src)
{
	uintptr_t a = PLIC_BASE + 0x2000u + 0x80u * ctx;
	w32(a, r32(a) | 1u << src);
}

void plic_set_threshold(uint32_t ctx, uint32_t t)
{
	w32(PLIC_BASE + 0x200000u + 0x1000u * ctx, t);
}

uint32_t plic_claim(uint32_t ctx)
{
	return r32(PLIC_BASE + 0x200004u + 0x1000u * ctx);
}

void plic_complete(uint32_t ctx, uint32_t src)
{
	w32(PLIC_BASE + 0x200004u + 0x1000u * ctx, src);
}

/* --- one routed device interrupt (tests/guests/common) --- */

static uint32_t routed_irq;
static void (*routed_fn)(void);

static void routed_hook(uint64_t irq)
{
	uint32_t src;

	if (irq != IRQ_EXT)
		return;
	while ((src = plic_claim(0)) != 0) {
		if (src == routed_irq && routed_fn)
			routed_fn();
		plic_complete(0, src);
	}
}

void guest_irq_route(uint32_t irq, void (*fn)(void))
{
	routed_irq = irq;
	routed_fn = fn;
	irq_hook = routed_hook;
	plic_set_priority(irq, 1);
	plic_enable(0, irq);
	plic_set_threshold(0, 0);
	sie_set(SIE_SEIE);
}

/* WFI wakes on a pending enabled interrupt even with sstatus.SIE clear;
 * setting SIE then takes it. */
void guest_wait_irq(void)
{
	wfi();
	irq_enable();
	irq_disable();
}
