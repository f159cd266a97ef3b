/* SPDX-License-Identifier: Apache-2.0 */
/* off: PSCI SYSTEM_OFF ends the VM (the kernel reports guest code 0). */
#include "guest.h"

int main(uint64_t dtb);
int main(uint64_t dtb)
{
	(void)dtb;
	gputs("off: calling PSCI SYSTEM_OFF\n");
	psci_system_off();
	gputs("FAIL: PSCI SYSTEM_OFF returned\n");
	for (;;)
		wfi();
}

void secondary_main(uint64_t ctx);
void secondary_main(uint64_t ctx)
{
	(void)ctx;
}
