/* SPDX-License-Identifier: Apache-2.0 */
/* The PL011 model, through its device callbacks as the core calls them:
 * transmit, the receive FIFO and its flags, the interrupt output (each
 * change reported once, in order) and guest register values that are
 * nonsense. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <axvm/uart.h>

#include "uart_sink.h"

struct fixture {
	struct axvm_pl011 u;
	struct axvm_device_desc d;
	struct uart_sink s;
};

static struct fixture *setup(struct fixture *f)
{
	struct axvm_uart_host h = { .arg = &f->s, .tx = sink_tx, .irq = sink_irq };

	memset(f, 0, sizeof(*f));
	assert_int_equal(axvm_pl011_init(&f->u, &h), 0);
	assert_int_equal(axvm_pl011_desc(&f->u, 0x9000000, &f->d), 0);
	return f;
}

static uint32_t rd(struct fixture *f, uint64_t off)
{
	uint64_t v = 0xdead;
	assert_int_equal(f->d.ops->read(f->d.ctx, off, 4, &v), 0);
	return (uint32_t)v;
}

static void wr(struct fixture *f, uint64_t off, uint32_t v)
{
	assert_int_equal(f->d.ops->write(f->d.ctx, off, 4, v), 0);
}

/* Linux's set-up: FIFO on, UART, TX and RX on. */
static void linux_setup(struct fixture *f)
{
	wr(f, 0x2c, 0x70); /* LCRH: 8 bits, FEN */
	wr(f, 0x30, 0x301); /* CR: UARTEN | TXE | RXE */
}

static void test_args(void **state)
{
	struct axvm_pl011 u;
	struct axvm_device_desc d;
	struct axvm_uart_host h = { .tx = sink_tx };
	struct axvm_uart_host no_tx = { 0 };
	(void)state;

	assert_int_equal(axvm_pl011_init(NULL, &h), AXVM_EINVAL);
	assert_int_equal(axvm_pl011_init(&u, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_pl011_init(&u, &no_tx), AXVM_EINVAL);
	assert_int_equal(axvm_pl011_init(&u, &h), 0);
	assert_int_equal(axvm_pl011_desc(&u, 0x9000800, &d), AXVM_EINVAL);
	assert_int_equal(axvm_pl011_desc(NULL, 0x9000000, &d), AXVM_EINVAL);
	assert_int_equal(axvm_pl011_rx(NULL, 'x'), AXVM_EINVAL);
}

static void test_ids_and_reset_values(void **state)
{
	static const uint8_t id[8] = { 0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
	struct fixture f;
	(void)state;

	setup(&f);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(rd(&f, 0xfe0 + 4 * i), id[i]);
	assert_int_equal(rd(&f, 0x18), 0x90); /* TXFE | RXFE */
	assert_int_equal(rd(&f, 0x30), 0x300);
	assert_int_equal(rd(&f, 0x34), 0x12);
	assert_int_equal(f.d.size, 0x1000);
}

static void test_tx(void **state)
{
	struct fixture f;
	(void)state;

	setup(&f);
	wr(&f, 0x00, 'h');
	wr(&f, 0x00, 0x169); /* only the low byte goes out */
	assert_int_equal(f.s.ntx, 2);
	assert_memory_equal(f.s.tx, "hi", 2);
	assert_int_equal(rd(&f, 0x3c) & 0x20, 0x20); /* TXRIS after a write */
	wr(&f, 0x44, 0x20);
	assert_int_equal(rd(&f, 0x3c) & 0x20, 0);
	/* Loopback keeps bytes off the host and feeds RX. */
	linux_setup(&f);
	wr(&f, 0x30, 0x381);
	wr(&f, 0x00, 'L');
	assert_int_equal(f.s.ntx, 2);
	assert_int_equal(rd(&f, 0x18) & 0x10, 0);
	assert_int_equal(rd(&f, 0x00), 'L');
}

static void test_rx_fifo(void **state)
{
	struct fixture f;
	(void)state;

	setup(&f);
	/* Receiver not enabled by the guest: nothing is taken. */
	assert_int_equal(axvm_pl011_rx(&f.u, 'a'), AXVM_EAGAIN);
	linux_setup(&f);
	for (unsigned i = 0; i < AXVM_PL011_FIFO; i++)
		assert_int_equal(axvm_pl011_rx(&f.u, (uint8_t)('A' + i)), 0);
	assert_int_equal(rd(&f, 0x18) & 0x50, 0x40); /* RXFF, not RXFE */
	assert_int_equal(axvm_pl011_rx(&f.u, '!'), AXVM_EAGAIN);
	assert_int_equal(rd(&f, 0x3c) & 0x400, 0x400); /* OERIS */
	uint32_t first = rd(&f, 0x00);
	assert_int_equal(first & 0xff, 'A');
	assert_int_equal(first & 0x800, 0x800); /* the overrun, reported once */
	for (unsigned i = 1; i < AXVM_PL011_FIFO; i++)
		assert_int_equal(rd(&f, 0x00), 'A' + i);
	assert_int_equal(rd(&f, 0x18) & 0x10, 0x10);
	assert_int_equal(rd(&f, 0x00), 0); /* empty: zero, no underflow */
	/* FIFO off: one byte deep for the guest (RXFF with one byte), the
	 * rest of a burst kept in order, not lost. */
	wr(&f, 0x2c, 0x60);
	assert_int_equal(axvm_pl011_rx(&f.u, 'x'), 0);
	assert_int_equal(rd(&f, 0x18) & 0x40, 0x40);
	assert_int_equal(axvm_pl011_rx(&f.u, 'y'), 0);
	assert_int_equal(rd(&f, 0x00) & 0xff, 'x');
	assert_int_equal(rd(&f, 0x00) & 0xff, 'y');
	assert_int_equal(rd(&f, 0x18) & 0x10, 0x10);
}

static void test_interrupts(void **state)
{
	struct fixture f;
	(void)state;

	setup(&f);
	linux_setup(&f);
	wr(&f, 0x38, 0x50); /* RXIM | RTIM, as Linux's startup */
	assert_int_equal(f.s.nlevels, 0);
	assert_int_equal(axvm_pl011_rx(&f.u, '1'), 0);
	assert_int_equal(f.s.nlevels, 1);
	assert_true(f.s.levels[0]);
	assert_int_equal(rd(&f, 0x40), 0x40); /* RTMIS; below the 1/2 level */
	assert_int_equal(axvm_pl011_rx(&f.u, '2'), 0);
	assert_int_equal(f.s.nlevels, 1); /* still high: no new report */
	/* The handler clears RT and drains: the line drops once, when the
	 * FIFO is empty (data left behind keeps RT up). */
	wr(&f, 0x44, 0x50);
	assert_int_equal(f.s.nlevels, 1);
	assert_int_equal(rd(&f, 0x40), 0x40);
	(void)rd(&f, 0x00);
	assert_int_equal(f.s.nlevels, 1);
	(void)rd(&f, 0x00);
	assert_int_equal(f.s.nlevels, 2);
	assert_false(f.s.levels[1]);
	/* RX level: 16 bytes reach the 1/2 trigger. */
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(axvm_pl011_rx(&f.u, 'x'), 0);
	assert_int_equal(rd(&f, 0x3c) & 0x50, 0x50);
	/* Masking drops the line; unmasking TX with TXRIS set raises it. */
	wr(&f, 0x38, 0);
	assert_false(f.s.levels[f.s.nlevels - 1]);
	wr(&f, 0x00, 'o');
	wr(&f, 0x38, 0x20);
	assert_true(f.s.levels[f.s.nlevels - 1]);
	assert_int_equal(rd(&f, 0x40), 0x20);
	/* Reset: everything off, the line low. */
	f.d.ops->reset(f.d.ctx);
	assert_false(f.s.levels[f.s.nlevels - 1]);
	assert_int_equal(rd(&f, 0x18), 0x90);
}

static void test_hostile_accesses(void **state)
{
	struct fixture f;
	uint64_t v;
	(void)state;

	setup(&f);
	linux_setup(&f);
	/* Every offset and width the descriptor lets through: no crash, the
	 * reserved ones read zero. */
	for (uint64_t off = 0; off < 0x1000; off += 1) {
		for (unsigned w = 1; w <= 4; w *= 2) {
			if (off % w)
				continue;
			assert_int_equal(f.d.ops->read(f.d.ctx, off, w, &v), 0);
			if (off >= 0x100 && off < 0xfe0)
				assert_int_equal(v, 0);
		}
	}
	/* Writes of all ones to every register, then a reset. */
	for (uint64_t off = 0x04; off < 0x1000; off += 4)
		assert_int_equal(f.d.ops->write(f.d.ctx, off, 4, UINT64_MAX), 0);
	assert_true(rd(&f, 0x38) <= 0x7ff);
	assert_true(rd(&f, 0x34) <= 0x3f);
	/* A sub-word write into the middle of a register is ignored. */
	uint32_t cr = rd(&f, 0x30);
	assert_int_equal(f.d.ops->write(f.d.ctx, 0x31, 1, 0), 0);
	assert_int_equal(rd(&f, 0x30), cr);
	/* A byte read of FR's low byte works (some drivers use ldrb). */
	assert_int_equal(f.d.ops->read(f.d.ctx, 0x18, 1, &v), 0);
	assert_int_equal(v & 0x80, 0x80);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args),         cmocka_unit_test(test_ids_and_reset_values),
		cmocka_unit_test(test_tx),           cmocka_unit_test(test_rx_fifo),
		cmocka_unit_test(test_interrupts),   cmocka_unit_test(test_hostile_accesses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
