/* SPDX-License-Identifier: Apache-2.0 */
/* many-exits: 10^6 port writes (to the UART's scratch register, a real
 * device register), then exit code 0. The exit-path benchmark's guest. */
#include "guest.h"

#define EXITS 1000000u

int guest_main(uint64_t index, uint64_t ram_size, uint64_t arg)
{
	(void)index;
	(void)ram_size;
	(void)arg;
	puts("many-exits: start\n");
	for (uint32_t i = 0; i < EXITS; i++)
		outb(UART + 7, (uint8_t)i);
	if (inb(UART + 7) != (uint8_t)(EXITS - 1)) {
		puts("many-exits: scratch register lost a write\n");
		return 1;
	}
	puts("many-exits: done\n");
	return 0;
}
