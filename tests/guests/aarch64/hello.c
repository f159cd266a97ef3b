/* SPDX-License-Identifier: Apache-2.0 */
/* hello: every byte below is one trapped MMIO write to the emulated PL011. */
#include "guest.h"

int main(uint64_t dtb);
int main(uint64_t dtb)
{
	uint64_t el, mpidr;

	gputs("Hello from an AxVM guest on AArch64!\n");
	__asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	gprintf("hello: CurrentEL = %lu, MPIDR = 0x%lx, X0 = 0x%lx\n", el >> 2, mpidr, dtb);
	check_eq(el >> 2, 1, "runs at EL1");
	check_eq(mpidr & 0xff00ffffffull, 0, "boot vCPU has affinity 0");
	if (dtb) {
		const volatile uint8_t *m = (const volatile uint8_t *)dtb;
		uint32_t magic = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
				 (uint32_t)m[2] << 8 | m[3];
		check_eq(magic, 0xd00dfeed, "X0 points at a flattened device tree");
	}
	done("hello");
}

void secondary_main(uint64_t ctx);
void secondary_main(uint64_t ctx)
{
	(void)ctx;
}
