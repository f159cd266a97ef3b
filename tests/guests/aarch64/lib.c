/* SPDX-License-Identifier: Apache-2.0 */
#include "guest.h"

void (*irq_hook)(uint32_t intid);
uint64_t (*sync_hook)(uint64_t esr, uint64_t elr, uint64_t far);

void gputc(char c)
{
	w32(UART_BASE, (uint32_t)(unsigned char)c); /* UARTDR: one trapped write */
}

/* --- SMCCC: X0 = function id, X1.. = arguments, result in X0 --- */

int64_t hvc6(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
	     uint64_t a5, uint64_t a6)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	register uint64_t x4 __asm__("x4") = a4;
	register uint64_t x5 __asm__("x5") = a5;
	register uint64_t x6 __asm__("x6") = a6;

	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6)
			 :
			 : "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
			   "x16", "x17", "memory");
	return (int64_t)x0;
}

int64_t hvc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return hvc6(fid, a1, a2, a3, 0, 0, 0);
}

int64_t smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	register uint64_t x4 __asm__("x4") = 0;
	register uint64_t x5 __asm__("x5") = 0;
	register uint64_t x6 __asm__("x6") = 0;

	__asm__ volatile("smc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6)
			 :
			 : "x7", "x8", "x9", "x10", "x11", "x12", "x13",
			   "x14", "x15", "x16", "x17", "memory");
	return (int64_t)x0;
}

void psci_system_off(void)
{
	hvc(PSCI_SYSTEM_OFF, 0, 0, 0);
}

void psci_cpu_off(void)
{
	hvc(PSCI_CPU_OFF, 0, 0, 0);
}

_Noreturn void guest_power_off(void)
{
	psci_system_off();
	gputs("FAIL: PSCI SYSTEM_OFF returned\n");
	for (;;)
		wfi();
}

_Noreturn void guest_fatal(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far)
{
	check(false, "no unexpected exception");
	gprintf("FAIL: guest exception %lu: ESR %lx ELR %lx FAR %lx\n", kind, esr, elr, far);
	done("exception");
}

uint64_t guest_sync(uint64_t esr, uint64_t elr, uint64_t far);
uint64_t guest_sync(uint64_t esr, uint64_t elr, uint64_t far)
{
	if (sync_hook)
		return sync_hook(esr, elr, far);
	guest_fatal(4, esr, elr, far);
}

uint32_t cpu_index(void)
{
	uint64_t m;
	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(m));
	return (uint32_t)((m & 0xff) + ((m >> 8) & 0xff) * 16);
}

int64_t guest_cpu_on(uint64_t cpu, uint64_t arg)
{
	return hvc(PSCI_CPU_ON, cpu, (uintptr_t)guest_secondary_entry, arg);
}

uint64_t guest_now_us(void)
{
	uint64_t c = cntvct(), f = cntfrq();

	return c / f * 1000000u + c % f * 1000000u / f;
}

/* --- GIC --- */

void gic_dist_enable(void)
{
	w32(GICD_BASE + 0x0, 1u << 1); /* EnableGrp1 (ARE is fixed on) */
}

void gic_cpu_init(void)
{
	uintptr_t rd = GICR_BASE + cpu_index() * GICR_STRIDE;
	uint64_t v;

	w32(rd + 0x14, r32(rd + 0x14) & ~(1u << 1)); /* wake the redistributor */
	v = 7;
	__asm__ volatile("msr icc_sre_el1, %0; isb" ::"r"(v));
	v = 0xff;
	__asm__ volatile("msr icc_pmr_el1, %0" ::"r"(v));
	v = 1;
	__asm__ volatile("msr icc_igrpen1_el1, %0; isb" ::"r"(v));
}

static void enable_bit(uint32_t intid, bool on)
{
	if (intid < 32) {
		uintptr_t sgi = GICR_BASE + cpu_index() * GICR_STRIDE + 0x10000;
		w32(sgi + (on ? 0x100u : 0x180u), 1u << intid);
	} else {
		w32(GICD_BASE + (on ? 0x100u : 0x180u) + (intid / 32) * 4, 1u << (intid % 32));
	}
}

void gic_enable_irq(uint32_t intid)
{
	enable_bit(intid, true);
}

void gic_disable_irq(uint32_t intid)
{
	enable_bit(intid, false);
}

void gic_send_sgi(uint32_t intid, uint32_t target)
{
	uint64_t v = ((uint64_t)intid << 24) | (1ull << (target % 16)) |
		     ((uint64_t)(target / 16) << 16);
	__asm__ volatile("dsb sy; msr icc_sgi1r_el1, %0; isb" ::"r"(v) : "memory");
}

void guest_irq(void);
void guest_irq(void)
{
	uint64_t iar;

	__asm__ volatile("mrs %0, icc_iar1_el1" : "=r"(iar));
	uint32_t intid = (uint32_t)(iar & 0xffffff);
	if (intid >= 1020)
		return;
	if (irq_hook)
		irq_hook(intid);
	__asm__ volatile("msr icc_eoir1_el1, %0; isb" ::"r"(iar));
}

/* --- one routed device interrupt (tests/guests/common) --- */

static uint32_t routed_irq;
static void (*routed_fn)(void);

static void routed_hook(uint32_t intid)
{
	if (intid == routed_irq && routed_fn)
		routed_fn();
}

void guest_irq_route(uint32_t irq, void (*fn)(void))
{
	routed_irq = irq;
	routed_fn = fn;
	irq_hook = routed_hook;
	gic_dist_enable();
	gic_cpu_init();
	gic_enable_irq(irq);
}

/* WFI wakes on a pending interrupt even while it is masked; unmasking
 * then takes it, before the caller looks at what it signalled. */
void guest_wait_irq(void)
{
	wfi();
	irq_enable();
	__asm__ volatile("isb" ::: "memory");
	irq_disable();
}
