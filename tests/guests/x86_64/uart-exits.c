/* SPDX-License-Identifier: Apache-2.0 */
/* uart-exits: EXITS bytes to the UART's data port, 64-byte lines, one port
 * write (one exit) each and no status polling, then exit code 0. Built at
 * two counts (uart-exits-N) so the KVM instruction bench can subtract one
 * run from the other and leave start-up out. */
#include "guest.h"

#ifndef EXITS
#define EXITS 1000u
#endif

int guest_main(uint64_t index, uint64_t ram_size, uint64_t arg)
{
	(void)index;
	(void)ram_size;
	(void)arg;
	for (uint32_t i = 0; i < EXITS; i++) {
		/* A THR write needs no LSR check: the UART is always ready. */
		uint32_t col = i % 64u;
		outb(UART, col == 63u ? '\n' : (uint8_t)('0' + col % 10u));
	}
	return 0;
}
