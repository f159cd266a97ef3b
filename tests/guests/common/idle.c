/* SPDX-License-Identifier: Apache-2.0 */
/*
 * idle: vCPU 1 sleeps in WFI for 3 s (nothing will ever wake it) while
 * vCPU 0 waits on its own pCPU, then the VM powers off. Beside a busy
 * guest on vCPU 1's pCPU it shows that a halted vCPU gives a shared pCPU
 * up instead of sitting on it for its whole time slice; the kernel's
 * report says how long vCPU 1 held its pCPU.
 */
#include "guest.h"

int main(void);
int main(void)
{
	gputs("idle: vCPU 1 halts for 3 s\n");
	check_eq((uint64_t)guest_cpu_on(1, 0), 0, "power on vCPU 1");
	delay_us(3000000);
	done("idle");
}

void secondary_main(void);
void secondary_main(void)
{
	for (;;)
		wfi();
}
