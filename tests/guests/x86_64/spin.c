/* SPDX-License-Identifier: Apache-2.0 */
/* spin: prints once, then loops forever without a single exit. Only a kick
 * (signal + immediate_exit) gets its vCPU out of KVM_RUN. */
#include "guest.h"

int guest_main(uint64_t index, uint64_t ram_size, uint64_t arg)
{
	(void)index;
	(void)ram_size;
	(void)arg;
	puts("spin: spinning\n");
	for (;;)
		__asm__ volatile("pause" ::: "memory");
}
