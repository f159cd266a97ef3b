/* SPDX-License-Identifier: Apache-2.0 */
/*
 * suspend: PSCI CPU_SUSPEND (standby) wakes exactly when WFI would.
 *
 * Round by round, the virtual timer is made to fire now (CVAL reached,
 * enabled, unmasked) while PPI 27 is disabled in the GIC, then the vCPU
 * goes to standby: WFI and CPU_SUSPEND must both come back at once, without
 * a halt exit (tests/integration-aarch64/run.sh counts them); a host that
 * cannot sleep with a deadline would otherwise never wake a CPU_SUSPEND
 * there. Then a real sleep: CPU_SUSPEND with nothing pending must halt and
 * wake when the (enabled) timer interrupt arrives.
 */
#include "guest.h"

#define PSCI_CPU_SUSPEND 0xc4000001u
#define ROUNDS 20u

static volatile uint32_t ticks;

static inline void cntv_cval(uint64_t v)
{
	__asm__ volatile("msr cntv_cval_el0, %0; isb" ::"r"(v));
}

static void on_irq(uint32_t intid)
{
	if (intid == IRQ_VTIMER) {
		ticks = ticks + 1;
		cntv_ctl(0);
	}
}

/* Timer level high now and not yet seen by the hypervisor: it last
 * entered the guest with the timer off (the HC_ADD exit), and nothing
 * exits between arming and the standby call. */
static void timer_fires_now(void)
{
	cntv_ctl(0);
	(void)hvc(HC_ADD, 0, 0, 0);
	cntv_cval(cntvct());
	cntv_ctl(1);
}

int main(uint64_t dtb);
int main(uint64_t dtb)
{
	(void)dtb;
	gputs("suspend: CPU_SUSPEND and WFI wake alike\n");
	gic_dist_enable();
	gic_cpu_init();
	gic_disable_irq(IRQ_VTIMER);

	uint32_t ok = 0;
	for (uint32_t i = 0; i < ROUNDS; i++) {
		timer_fires_now();
		wfi();
		ok++;
	}
	check_eq(ok, ROUNDS, "WFI with the timer firing (PPI 27 disabled) returns");
	ok = 0;
	for (uint32_t i = 0; i < ROUNDS; i++) {
		timer_fires_now();
		ok += hvc(PSCI_CPU_SUSPEND, 0, 0, 0) == 0;
	}
	check_eq(ok, ROUNDS, "CPU_SUSPEND with the timer firing (PPI 27 disabled) returns 0");
	cntv_ctl(0);

	/* A real standby: nothing pending, the timer 20 ms away. */
	irq_hook = on_irq;
	gic_enable_irq(IRQ_VTIMER);
	uint64_t t0 = cntvct(), limit = t0 + cntfrq();
	cntv_tval(cntfrq() / 50);
	cntv_ctl(1);
	irq_enable();
	while (!ticks && cntvct() < limit)
		(void)hvc(PSCI_CPU_SUSPEND, 0, 0, 0);
	irq_disable();
	uint64_t ms = (cntvct() - t0) * 1000 / cntfrq();
	check_eq(ticks, 1, "CPU_SUSPEND woken by the timer interrupt");
	check(ms >= 19, "and not before it was due");
	gprintf("suspend: timer woke CPU_SUSPEND after %lu ms\n", ms);
	done("suspend");
}

void secondary_main(uint64_t ctx);
void secondary_main(uint64_t ctx)
{
	(void)ctx;
}
