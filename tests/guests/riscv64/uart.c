/* SPDX-License-Identifier: Apache-2.0 */
/* uart: the NS16550A model as Linux's 8250 driver programs it. The
 * divisor latch sits behind LCR.DLAB, and bytes written to it are not
 * console data; IER, LCR, MCR and SCR keep what was written; IIR says
 * "THR empty" once IER.THRI is turned on, until an IIR read reports it
 * (the 16550's acknowledge), with the FIFO bits once FCR enabled them;
 * LSR is always ready; registers are one byte wide (reg-shift 0). */
#include "guest.h"

#define U UART_BASE
#define THR 0
#define IER 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define SCR 7

int main(uint64_t hartid, uint64_t dtb);
int main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	gputs("uart: before the divisor\n");
	check_eq(r8(U + IER), 0, "IER is 0 at reset");
	check_eq(r8(U + IIR), 0x01, "IIR: no interrupt, no FIFOs at reset");

	/* 115200 baud from a 1.8432 MHz clock, as a driver sets it: DLL
	 * 'X' would show in the console line if it were taken as data. */
	w8(U + LCR, 0x80);
	w8(U + THR, 'X');
	w8(U + IER, 0x01);
	check_eq(r8(U + THR), 'X', "DLL reads back with DLAB");
	check_eq(r8(U + IER), 0x01, "DLM reads back with DLAB");
	w8(U + LCR, 0x03); /* 8N1, DLAB off */
	check_eq(r8(U + LCR), 0x03, "LCR reads back");
	check_eq(r8(U + IER), 0, "IER is not the DLM");

	w8(U + IER, 0x02); /* THRI */
	check_eq(r8(U + IER), 0x02, "IER reads back");
	check_eq(r8(U + IIR), 0x02, "IIR: THR empty while THRI is on");
	check_eq(r8(U + IIR), 0x01, "IIR: reading THRE acknowledged it");
	w8(U + FCR, 0x07); /* enable and clear the FIFOs */
	check_eq(r8(U + IIR), 0xc1, "IIR: FIFOs enabled");
	w8(U + THR, '\r'); /* a byte sent (dropped by the console): THR empty again */
	check_eq(r8(U + IIR), 0xc2, "IIR: THR empty after a write");
	w8(U + IER, 0xff);
	check_eq(r8(U + IER), 0x0f, "IER keeps its 4 bits");
	w8(U + IER, 0);
	check_eq(r8(U + IIR), 0xc1, "IIR: no interrupt with THRI off");

	w8(U + SCR, 0x5a);
	check_eq(r8(U + SCR), 0x5a, "SCR reads back");
	w8(U + MCR, 0xff);
	check_eq(r8(U + MCR), 0x1f, "MCR keeps its 5 bits");
	w8(U + MCR, 0x0b);
	check_eq(r8(U + LSR), 0x60, "LSR: always ready");
	w8(U + LSR, 0);
	check_eq(r8(U + LSR), 0x60, "LSR is read-only");
	/* Wider accesses are not register accesses at reg-shift 0: the
	 * VM's unhandled-access policy (ignore) reads 0 and drops writes. */
	w32(U + MCR, 0x11223344);
	check_eq(r8(U + MCR), 0x0b, "a 32-bit write does not reach MCR");
	check_eq(r32(U + MCR), 0, "a 32-bit read is not a register read");
	check_eq(r8(U + THR), 0, "RBR reads 0: no input");
	gputs("uart: after the divisor\n");
	done("uart");
}

void secondary_main(uint64_t hartid, uint64_t opaque);
void secondary_main(uint64_t hartid, uint64_t opaque)
{
	(void)hartid;
	(void)opaque;
}
