/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reset: PSCI SYSTEM_RESET ends the VM with code 1; the bare-metal kernel
 * resets it (RAM kept) and boots it again. The second boot must find the
 * CPU and the GIC in their power-on state, and its own RAM as it left it.
 */
#include "guest.h"

#define PSCI_SYSTEM_RESET_ID 0x84000009u

static volatile uint32_t boots = 0x100; /* in .data: survives the reset */

int main(uint64_t dtb);
int main(uint64_t dtb)
{
	uint64_t tpidr, ctl;

	boots = boots + 1;
	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(tpidr));
	if (boots == 0x101) {
		gprintf("reset: first boot (X0 0x%lx), dirtying state, PSCI SYSTEM_RESET\n", dtb);
		__asm__ volatile("msr tpidr_el1, %0" ::"r"(0xabcdull));
		gic_dist_enable();
		gic_cpu_init();
		gic_enable_irq(IRQ_VTIMER);
		cntv_tval(cntfrq());
		cntv_ctl(1);
		hvc(PSCI_SYSTEM_RESET_ID, 0, 0, 0);
		gputs("FAIL: SYSTEM_RESET returned\n");
		done("reset");
	}
	gprintf("reset: boot %u after SYSTEM_RESET (X0 0x%lx)\n", boots - 0x100, dtb);
	check_eq(boots, 0x102, "RAM kept across the reset");
	check_eq(tpidr, 0, "EL1 registers back to power-on values");
	__asm__ volatile("mrs %0, cntv_ctl_el0" : "=r"(ctl));
	check_eq(ctl & 3, 0, "virtual timer off after the reset");
	check_eq(r32(GICD_BASE) & 2, 0, "GICD_CTLR.EnableGrp1 reset");
	check_eq(r32(GICR_BASE + 0x10100) & (1u << IRQ_VTIMER), 0, "PPI enables reset");
	check_eq(r32(GICR_BASE + 0x14) & 2, 2, "redistributor asleep again");
	done("reset");
}

void secondary_main(uint64_t ctx);
void secondary_main(uint64_t ctx)
{
	(void)ctx;
}
