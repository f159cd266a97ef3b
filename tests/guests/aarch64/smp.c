/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smp: PSCI CPU_ON starts vCPU 1 (on the other pCPU), AFFINITY_INFO and
 * ALREADY_ON, an SGI from vCPU 0 wakes vCPU 1 out of WFI, vCPU 1 leaves
 * with CPU_OFF and is started a second time.
 */
#include "guest.h"

#define SGI_PING 3u
#define SGI_EARLY 5u

static volatile uint32_t up_count, last_ctx, sgis, early, stop;

static bool wait_for(volatile uint32_t *v, uint32_t want, uint64_t ms)
{
	uint64_t end = cntvct() + cntfrq() / 1000 * ms;
	while (*v != want && cntvct() < end)
		__asm__ volatile("dsb sy" ::: "memory");
	return *v == want;
}

static void on_irq(uint32_t intid)
{
	if (intid == SGI_PING)
		sgis = sgis + 1;
	else if (intid == SGI_EARLY)
		early = early + 1;
}

int main(uint64_t dtb);
int main(uint64_t dtb)
{
	(void)dtb;
	gic_dist_enable();
	gic_cpu_init();
	gputs("smp: starting vCPU 1\n");
	if (hvc(PSCI_AFFINITY_INFO, 1, 0, 0) == -2) {
		check(false, "this VM has a vCPU 1 (load smp into vm1)");
		done("smp");
	}
	check_eq((uint64_t)hvc(PSCI_AFFINITY_INFO, 1, 0, 0), 1, "vCPU 1 starts OFF");
	check_eq((uint64_t)guest_cpu_on(1, 0x1234), 0,
		 "CPU_ON(1)");
	/* Sent before vCPU 1 has run at all: stays pending for it. */
	gic_send_sgi(SGI_EARLY, 1);
	check(wait_for(&up_count, 1, 2000), "vCPU 1 came up");
	check(wait_for(&early, 1, 2000), "an SGI sent while vCPU 1 was starting");
	check_eq(last_ctx, 0x1234, "CPU_ON context id reaches X0");
	check_eq((uint64_t)hvc(PSCI_AFFINITY_INFO, 1, 0, 0), 0, "AFFINITY_INFO(1) is ON");
	check_eq((uint64_t)guest_cpu_on(1, 0), (uint64_t)-4,
		 "second CPU_ON is ALREADY_ON");
	check_eq((uint64_t)guest_cpu_on(7, 0), (uint64_t)-2,
		 "CPU_ON of a vCPU the VM lacks");

	/* vCPU 1 sleeps in WFI (a halt exit); an SGI must wake it. */
	delay_us(20000);
	gic_send_sgi(SGI_PING, 1);
	check(wait_for(&sgis, 1, 2000), "SGI reached vCPU 1");
	stop = 1;
	__asm__ volatile("dsb sy" ::: "memory");
	gic_send_sgi(SGI_PING, 1);

	uint64_t end = cntvct() + cntfrq() * 2;
	while (hvc(PSCI_AFFINITY_INFO, 1, 0, 0) != 1 && cntvct() < end)
		;
	check_eq((uint64_t)hvc(PSCI_AFFINITY_INFO, 1, 0, 0), 1, "vCPU 1 is OFF after CPU_OFF");

	/* Power it on again: a fresh entry with a new context id. */
	check_eq((uint64_t)guest_cpu_on(1, 0x5678), 0,
		 "CPU_ON(1) again");
	check(wait_for(&up_count, 3, 2000), "vCPU 1 came up again");
	check_eq(last_ctx, 0x5678, "second context id");

	/* A third time it spins without ever exiting: SYSTEM_OFF from here
	 * must still stop the VM (the host kicks vCPU 1 out of the guest). */
	end = cntvct() + cntfrq() * 2;
	while (hvc(PSCI_AFFINITY_INFO, 1, 0, 0) != 1 && cntvct() < end)
		;
	check_eq((uint64_t)guest_cpu_on(1, 0x9999), 0,
		 "CPU_ON(1) a third time");
	check(wait_for(&up_count, 4, 2000), "vCPU 1 spinning");
	done("smp");
}

void secondary_main(uint64_t ctx);
void secondary_main(uint64_t ctx)
{
	gprintf("smp: vCPU %u up, context 0x%lx\n", cpu_index(), ctx);
	/* Every power-on starts from zeroed FP/SIMD state, whatever ran on
	 * this pCPU before (this vCPU last time, or another VM). */
	fp_enable();
	check_eq(fp_nonzero(), 0, "FP/SIMD zeroed at CPU_ON");
	fp_fill(ctx);
	last_ctx = (uint32_t)ctx;
	if (ctx == 0x1234) {
		gic_cpu_init();
		gic_enable_irq(SGI_PING);
		gic_enable_irq(SGI_EARLY);
		irq_hook = on_irq;
		irq_enable();
		up_count = 1;
		while (!stop)
			wfi();
		irq_disable();
		check_eq(fp_check(ctx), 0, "vCPU 1 FP/SIMD kept across halts");
		gprintf("smp: vCPU %u got %u SGI(s), CPU_OFF\n", cpu_index(), sgis);
	} else if (ctx == 0x9999) {
		up_count = 4;
		__asm__ volatile("dsb sy" ::: "memory");
		for (;;)
			__asm__ volatile("" ::: "memory"); /* no exits, ever */
	} else {
		up_count = 3;
	}
	/* returning calls PSCI CPU_OFF */
}
