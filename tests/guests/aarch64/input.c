/* SPDX-License-Identifier: Apache-2.0 */
/* input: console input through the emulated PL011, polled. Turns the
 * receiver on, reads one line (up to CR or LF) and prints it; the test
 * types it on the board's console after moving the focus here. */
#include "guest.h"

#define UART_DR (UART_BASE + 0x00)
#define UART_FR (UART_BASE + 0x18)
#define UART_CR (UART_BASE + 0x30)
#define FR_RXFE (1u << 4)

int main(uint64_t dtb);
int main(uint64_t dtb)
{
	char line[64];
	unsigned n = 0;

	(void)dtb;
	check_eq(r32(UART_FR) & FR_RXFE, FR_RXFE, "nothing received before the receiver is on");
	w32(UART_CR, 0x301); /* UARTEN | TXE | RXE */
	gputs("input: ready\n");
	for (;;) {
		while (r32(UART_FR) & FR_RXFE)
			__asm__ volatile("yield");
		uint32_t c = r32(UART_DR);
		check_eq(c & 0xf00u, 0, "no receive errors");
		c &= 0xffu;
		if (c == '\r' || c == '\n')
			break;
		if (n + 1 < sizeof(line))
			line[n++] = (char)c;
	}
	line[n] = '\0';
	gprintf("input: got %s\n", line);
	done("input");
}

void secondary_main(uint64_t ctx);
void secondary_main(uint64_t ctx)
{
	(void)ctx;
}
