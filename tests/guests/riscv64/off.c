/* SPDX-License-Identifier: Apache-2.0 */
/* off: SBI system_reset(shutdown) ends the VM (the kernel reports code 0). */
#include "guest.h"

int main(uint64_t hartid, uint64_t dtb);
int main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	gputs("off: calling SBI system_reset shutdown\n");
	sbi(SBI_EXT_SRST, 0, 0, 0, 0);
	gputs("FAIL: SBI system_reset returned\n");
	for (;;)
		wfi();
}

void secondary_main(uint64_t hartid, uint64_t opaque);
void secondary_main(uint64_t hartid, uint64_t opaque)
{
	(void)hartid;
	(void)opaque;
}
