/* SPDX-License-Identifier: Apache-2.0 */
/* reset: SBI system_reset(cold reboot) makes the kernel reset the VM and
 * boot it again with RAM kept, so .data remembers the first boot. */
#include "guest.h"

/* In .data, not .bss (which start.S clears): RAM survives the reset. */
static volatile uint32_t boots __attribute__((section(".data"))) = 0;

int main(uint64_t hartid, uint64_t dtb);
int main(uint64_t hartid, uint64_t dtb)
{
	(void)dtb;
	if (boots == 0) {
		boots = 1;
		gputs("reset: first boot\n");
		sbi(SBI_EXT_SRST, 0, 1, 0, 0);
		gputs("FAIL: SBI system_reset returned\n");
		for (;;)
			wfi();
	}
	gputs("reset: boot 2 after system_reset\n");
	check_eq(hartid, 0, "hart 0 again");
	check_eq((uint64_t)sbi(SBI_EXT_HSM, 2, 1, 0, 0).value, 1, "hart 1 stopped again");
	done("reset");
}

void secondary_main(uint64_t hartid, uint64_t opaque);
void secondary_main(uint64_t hartid, uint64_t opaque)
{
	(void)hartid;
	(void)opaque;
}
