/* SPDX-License-Identifier: Apache-2.0 */
/* isv0: a load pair from MMIO gives the hypervisor no syndrome (ESR ISV = 0)
 * to emulate it with; the VM must stop with an error exit the host reports,
 * not hang or crash the hypervisor. */
#include "guest.h"

int main(uint64_t dtb);
int main(uint64_t dtb)
{
	uint64_t a, b;

	(void)dtb;
	gputs("isv0: ldp from the test device\n");
	__asm__ volatile("ldp %0, %1, [%2]" : "=r"(a), "=r"(b) : "r"(TESTDEV_BASE) : "memory");
	gprintf("FAIL: ldp from MMIO returned 0x%lx 0x%lx\n", a, b);
	done("isv0");
}

void secondary_main(uint64_t ctx);
void secondary_main(uint64_t ctx)
{
	(void)ctx;
}
