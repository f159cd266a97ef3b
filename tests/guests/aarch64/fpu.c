/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fpu: a vCPU starts with zeroed FP/SIMD state, keeps its own V0-V31 and
 * FPCR across hundreds of exits and halts, and (run next to smp, which
 * shares pCPU 1 with it in vm2) never sees another vCPU's values.
 */
#include "guest.h"

#define SEED 0x0123456789abcdefull

static volatile uint32_t ticks;

static void on_irq(uint32_t intid)
{
	if (intid == IRQ_VTIMER) {
		cntv_ctl(0);
		ticks = ticks + 1;
	}
}

int main(uint64_t dtb);
int main(uint64_t dtb)
{
	(void)dtb;
	gic_dist_enable();
	gic_cpu_init();
	gic_enable_irq(IRQ_VTIMER);
	irq_hook = on_irq;
	irq_enable();
	fp_enable();
	check_eq(fp_nonzero(), 0, "FP/SIMD registers start zeroed");
	fp_fill(SEED);
	for (int i = 0; i < 200; i++) {
		(void)r32(TESTDEV_BASE + 0x100); /* an MMIO exit */
		if (i % 50 == 0) { /* and a halt until a timer interrupt */
			uint32_t t = ticks;
			/* 10 ms: long enough that a loaded host rarely
			 * delays the WFI past it (the case counts halts). */
			cntv_tval(cntfrq() / 100);
			cntv_ctl(1);
			while (ticks == t)
				wfi();
		}
	}
	check_eq(ticks, 4, "four timer interrupts");
	check_eq(fp_check(SEED), 0, "V0-V31 and FPCR kept across 200 exits");
	gprintf("fpu: FP/SIMD state kept\n");
	done("fpu");
}

void secondary_main(uint64_t ctx);
void secondary_main(uint64_t ctx)
{
	(void)ctx;
}
