/* SPDX-License-Identifier: Apache-2.0 */
/* input: console input through the emulated 16550A, polled. Turns the
 * FIFO on, reads one line (up to CR or LF) and prints it; the test types
 * it on the board's console after moving the focus here. */
#include "guest.h"

#define RBR 0
#define FCR 2
#define LSR 5
#define LSR_DR 0x01u

int main(uint64_t hartid, uint64_t dtb);
int main(uint64_t hartid, uint64_t dtb)
{
	char line[64];
	unsigned n = 0;

	(void)hartid;
	(void)dtb;
	check_eq(r8(UART_BASE + LSR) & LSR_DR, 0, "nothing received yet");
	w8(UART_BASE + FCR, 0x07); /* FIFO on, both cleared */
	gputs("input: ready\n");
	for (;;) {
		while (!(r8(UART_BASE + LSR) & LSR_DR))
			__asm__ volatile("nop");
		uint8_t c = r8(UART_BASE + RBR);
		if (c == '\r' || c == '\n')
			break;
		if (n + 1 < sizeof(line))
			line[n++] = (char)c;
	}
	line[n] = '\0';
	gprintf("input: got %s\n", line);
	done("input");
}

void secondary_main(uint64_t hartid, uint64_t opaque);
void secondary_main(uint64_t hartid, uint64_t opaque)
{
	(void)hartid;
	(void)opaque;
}
