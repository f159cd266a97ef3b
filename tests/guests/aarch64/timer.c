/* SPDX-License-Identifier: Apache-2.0 */
/*
 * timer: the EL1 virtual timer (CNTV) interrupts the guest through the
 * emulated GIC as PPI 27 while it sleeps in WFI; a handler that masks the
 * timer (as Linux's does) must not get it again; an SPI injected by the
 * host arrives, and a disabled one waits until it is enabled.
 */
#include "guest.h"

#define TICKS 5u
#define SPI_A 40u
#define SPI_B 41u

#define SPI_BURST 42u /* 42 .. 49: more than there are list registers */
#define BURST 8u

static volatile uint32_t ticks, spi_a, spi_b, burst_mask;
static uint64_t period;

static void on_irq(uint32_t intid)
{
	if (intid == IRQ_VTIMER) {
		ticks = ticks + 1;
		if (ticks < TICKS) {
			if (ticks & 1)
				cntv_ctl(cntv_ctl_read() | 2); /* mask first, like Linux */
			cntv_tval(period);
			cntv_ctl(1);
		} else {
			cntv_ctl(1 | 2); /* leave it enabled but masked */
		}
	} else if (intid == SPI_A) {
		spi_a = spi_a + 1;
	} else if (intid == SPI_B) {
		spi_b = spi_b + 1;
	} else if (intid >= SPI_BURST && intid < SPI_BURST + BURST) {
		burst_mask = burst_mask | (1u << (intid - SPI_BURST));
	}
}

int main(uint64_t dtb);
int main(uint64_t dtb)
{
	(void)dtb;
	gic_dist_enable();
	gic_cpu_init();
	gic_enable_irq(IRQ_VTIMER);
	gic_enable_irq(SPI_A);
	irq_hook = on_irq;

	period = cntfrq() / 100; /* 10 ms */
	gprintf("timer: CNTFRQ %lu Hz, %u ticks of 10 ms\n", cntfrq(), TICKS);
	uint64_t t0 = cntvct(), limit = t0 + cntfrq() * 3;
	cntv_tval(period);
	cntv_ctl(1);
	irq_enable();
	while (ticks < TICKS && cntvct() < limit)
		wfi();
	uint64_t ms = (cntvct() - t0) * 1000 / cntfrq();
	gprintf("timer: %u ticks in %lu ms\n", ticks, ms);
	check_eq(ticks, TICKS, "virtual timer interrupts delivered");
	check(ms >= 10 * TICKS - 1, "ticks are not early");

	/* Enabled but masked, condition true: no further interrupts. */
	delay_us(30000);
	check_eq(ticks, TICKS, "a masked timer stays quiet");
	check_eq(cntv_ctl_read() & 3, 3, "the guest's CNTV_CTL is its own");
	cntv_ctl(0);

	/* An SPI raised by the host (hypercall HC_RAISE_IRQ). */
	check_eq((uint64_t)hvc(HC_RAISE_IRQ, SPI_A, 0, 0), 0, "raise SPI 40");
	limit = cntvct() + cntfrq();
	while (!spi_a && cntvct() < limit)
		wfi();
	check_eq(spi_a, 1, "SPI 40 delivered");

	/* A disabled SPI stays pending until enabled. */
	check_eq((uint64_t)hvc(HC_RAISE_IRQ, SPI_B, 0, 0), 0, "raise SPI 41 (disabled)");
	delay_us(20000);
	check_eq(spi_b, 0, "disabled SPI not delivered");
	gic_enable_irq(SPI_B);
	limit = cntvct() + cntfrq();
	while (!spi_b && cntvct() < limit)
		wfi();
	check_eq(spi_b, 1, "SPI 41 delivered once enabled");

	/* More pending interrupts than list registers: all must arrive
	 * (refilled after an underflow maintenance interrupt). */
	irq_disable();
	for (uint32_t i = 0; i < BURST; i++) {
		gic_enable_irq(SPI_BURST + i);
		hvc(HC_RAISE_IRQ, SPI_BURST + i, 0, 0);
	}
	irq_enable();
	limit = cntvct() + cntfrq();
	while (burst_mask != (1u << BURST) - 1 && cntvct() < limit)
		wfi();
	check_eq(burst_mask, (1u << BURST) - 1, "a burst of 8 SPIs all delivered");

	check_eq((uint64_t)hvc(HC_RAISE_IRQ, 5000, 0, 0), (uint64_t)(int64_t)-22,
		 "raising a nonexistent interrupt fails");
	irq_disable();
	done("timer");
}

void secondary_main(uint64_t ctx);
void secondary_main(uint64_t ctx)
{
	(void)ctx;
}
