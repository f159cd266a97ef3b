/* SPDX-License-Identifier: Apache-2.0 */
/* Writes fuzz_devices' seeds into the directory given: for each device
 * what a driver does with it (the protocol steps the fuzzer would take
 * long to find by chance), plus exits no backend should report. */
#include <stdint.h>
#include <stdio.h>

#include "fuzz_devices.h"
#include "seed_file.h"

/* flags, line, PLIC contexts; a test-device layout the device takes. */
static void head(struct seed *s, uint8_t flags)
{
	seed_put(s, flags, 1);
	seed_put(s, 16, 1);
	seed_put(s, 2, 1);
	seed_put(s, 0x40, 2); /* scratch */
	seed_put(s, 0x40, 2); /* read-only part ... */
	seed_put(s, 16, 1);   /* ... of 16 bytes */
}

static void rd(struct seed *s, enum fd_dev d, unsigned log2w, uint16_t reg)
{
	seed_put(s, FD_OP(FD_READ, d, log2w), 1);
	seed_put(s, reg, 2);
	seed_put(s, 1, 1); /* into register 1 */
}

static void wr(struct seed *s, enum fd_dev d, unsigned log2w, uint16_t reg, uint64_t v)
{
	seed_put(s, FD_OP(FD_WRITE, d, log2w), 1);
	seed_put(s, reg, 2);
	seed_put(s, v, 8);
}

static void host(struct seed *s, enum fd_dev d, uint32_t arg)
{
	seed_put(s, FD_OP(FD_HOST, d, 0), 1);
	seed_put(s, arg, 4);
}

static void raw(struct seed *s, enum fd_dev d, uint64_t addr, uint8_t width)
{
	seed_put(s, FD_OP(FD_RAW, d, 0), 1);
	seed_put(s, addr, 8);
	seed_put(s, width, 1);
	seed_put(s, 0x1122334455667788ull, 8);
}

static void ivc(struct seed *s)
{
	head(s, 0);
	for (uint16_t r = 0; r <= 12; r++)
		rd(s, FD_IVC0, 2, r);
	wr(s, FD_IVC1, 2, 11, 0x5);      /* IRQ_ENABLE */
	wr(s, FD_IVC0, 2, 8, 0x7);       /* DOORBELL */
	rd(s, FD_IVC1, 2, 9);            /* PENDING */
	wr(s, FD_IVC1, 2, 10, 0x1);      /* ACK */
	host(s, FD_IVC1, 0x80000001u);   /* the host rings end 0 */
	wr(s, FD_IVC0, 2, 11, 0xffffffffu);
	wr(s, FD_IVC0, 2, 10, 0xffffffffu);
	rd(s, FD_IVC1, 2, 9);
}

static void plic(struct seed *s)
{
	head(s, 0);
	for (unsigned src = 1; src < 6; src++)
		wr(s, FD_PLIC, 2, FD_PLIC_PRIO(src), src % 3 + 1);
	wr(s, FD_PLIC, 2, FD_PLIC_ENABLE(0), 0x3e);
	wr(s, FD_PLIC, 2, FD_PLIC_ENABLE(1), 0x0c);
	wr(s, FD_PLIC, 2, FD_PLIC_THRESHOLD(1), 1);
	for (unsigned src = 1; src < 6; src++)
		host(s, FD_PLIC, src);
	rd(s, FD_PLIC, 2, FD_PLIC_PENDING);
	rd(s, FD_PLIC, 2, FD_PLIC_CLAIM(0));
	rd(s, FD_PLIC, 2, FD_PLIC_CLAIM(1));
	host(s, FD_PLIC, 2);
	wr(s, FD_PLIC, 2, FD_PLIC_CLAIM(0), 2);
	rd(s, FD_PLIC, 2, FD_PLIC_CLAIM(0));
	wr(s, FD_PLIC, 2, FD_PLIC_CLAIM(1), 3);
	rd(s, FD_PLIC, 2, FD_PLIC_CLAIM(2)); /* past the last context */
}

static void pl011(struct seed *s)
{
	head(s, 0);
	wr(s, FD_PL011, 2, 12, 0x301);  /* CR: UARTEN, TXE, RXE */
	wr(s, FD_PL011, 2, 11, 0x70);   /* LCRH: 8 bits, FIFOs */
	wr(s, FD_PL011, 2, 14, 0x50);   /* IMSC: RX, RT */
	for (unsigned i = 0; i < 3; i++)
		host(s, FD_PL011, 'a' + i);
	rd(s, FD_PL011, 2, 16);         /* MIS */
	rd(s, FD_PL011, 2, 6);          /* FR */
	rd(s, FD_PL011, 2, 0);          /* DR */
	wr(s, FD_PL011, 0, 0, 'x');
	wr(s, FD_PL011, 2, 17, 0x7ff);  /* ICR */
	rd(s, FD_PL011, 2, FD_OFF_RAW | 0xfe0);
}

static void ns16550(struct seed *s, enum fd_dev d, uint8_t flags)
{
	head(s, flags);
	wr(s, d, 0, 3, 0x83);           /* LCR: DLAB */
	wr(s, d, 0, 0, 1);
	wr(s, d, 0, 3, 0x03);
	wr(s, d, 0, 2, 0xc7);           /* FCR */
	wr(s, d, 0, 1, 0x0f);           /* IER */
	for (const char *p = "hello\n"; *p; p++)
		wr(s, d, 0, 0, (uint8_t)*p);
	host(s, d, 'k');
	rd(s, d, 0, 2);                 /* IIR */
	rd(s, d, 0, 5);                 /* LSR */
	rd(s, d, 0, 0);
	host(s, FD_TESTDEV, 0);         /* flush */
	wr(s, d, 0, 4, 0x10);           /* MCR: loopback */
	wr(s, d, 0, 0, 'l');
	rd(s, d, 0, 0);
}

static void testdev(struct seed *s)
{
	head(s, 1); /* the STOP policy */
	for (unsigned w = 0; w < 4; w++) {
		wr(s, FD_TESTDEV, w, (uint16_t)w, 0x0123456789abcdefull);
		rd(s, FD_TESTDEV, w, (uint16_t)w);
	}
	rd(s, FD_TESTDEV, 3, 8);        /* the read-only part */
	rd(s, FD_TESTDEV, 3, 0x40);     /* the counter */
	wr(s, FD_TESTDEV, 1, FD_OFF_RAW | 0x3, 1); /* misaligned: refused */
}

static void exits(struct seed *s)
{
	head(s, 0);
	raw(s, FD_PL011, 0x9000000, 0);
	raw(s, FD_PL011, 0x9000000, 3);
	raw(s, FD_IVC1, 0x9003ffc, 8);
	raw(s, FD_NONE, UINT64_MAX, 4);
	raw(s, FD_NS_PIO, 0xffff, 2);
	raw(s, FD_NS_PIO, 0x3f8, 16);
	rd(s, FD_NONE, 2, 0);
}

static void ns16550_mmio(struct seed *s) { ns16550(s, FD_NS_MMIO, 2 << 1); }
static void ns16550_pio_line(struct seed *s) { ns16550(s, FD_NS_PIO, 8); }

int main(int argc, char **argv)
{
	static const struct seed_kind kinds[] = {
		{ "ivc", ivc }, { "plic", plic }, { "pl011", pl011 },
		{ "ns16550-mmio", ns16550_mmio }, { "ns16550-pio-line", ns16550_pio_line },
		{ "testdev", testdev }, { "exits", exits },
	};

	return seed_main(argc, argv, kinds, sizeof(kinds) / sizeof(kinds[0]));
}
