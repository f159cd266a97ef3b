/* SPDX-License-Identifier: Apache-2.0 */
/* timer: the SBI timer interrupts the guest, in WFI and while it spins,
 * and stays away while sie.STIE is clear. */
#include "guest.h"

#define PERIOD_US 2000u
static volatile uint32_t ticks;

static void on_irq(uint64_t irq)
{
	if (irq == IRQ_TIMER) {
		ticks = ticks + 1;
		set_timer(UINT64_MAX); /* withdraws the pending timer */
	}
}

int main(uint64_t hartid, uint64_t dtb);
int main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	irq_hook = on_irq;
	sie_set(SIE_STIE);
	irq_enable();

	uint64_t t0 = rdtime();
	for (uint32_t n = 1; n <= 5; n++) {
		set_timer(rdtime() + TIMEBASE_HZ / 1000000 * PERIOD_US);
		while (ticks < n)
			wfi();
	}
	uint64_t us = (rdtime() - t0) / (TIMEBASE_HZ / 1000000);
	gprintf("timer: 5 ticks in %lu us\n", us);
	check(us >= 5 * PERIOD_US, "no tick came early");

	/* Spinning without WFI: the timer still arrives on time. */
	t0 = rdtime();
	set_timer(t0 + TIMEBASE_HZ / 1000000 * PERIOD_US);
	while (ticks < 6 && rdtime() - t0 < TIMEBASE_HZ)
		;
	check_eq(ticks, 6, "a spinning guest takes its timer");
	us = (rdtime() - t0) / (TIMEBASE_HZ / 1000000);
	check(us < 100 * PERIOD_US, "and not much later than asked");

	/* Masked in sie: due but not taken, until unmasked. */
	sie_clear(SIE_STIE);
	set_timer(rdtime() + TIMEBASE_HZ / 1000000 * PERIOD_US);
	delay_us(3 * PERIOD_US);
	check_eq(ticks, 6, "no timer interrupt while sie.STIE is clear");
	sie_set(SIE_STIE);
	for (int i = 0; i < 100 && ticks < 7; i++)
		delay_us(100);
	check_eq(ticks, 7, "taken once unmasked");
	irq_disable();
	done("timer");
}

void secondary_main(uint64_t hartid, uint64_t opaque);
void secondary_main(uint64_t hartid, uint64_t opaque)
{
	(void)hartid;
	(void)opaque;
}
