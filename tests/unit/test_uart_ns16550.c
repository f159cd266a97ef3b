/* SPDX-License-Identifier: Apache-2.0 */
/* The 16550A model as Linux's 8250 driver drives it: the THRE test its
 * start-up makes, IIR priorities, the receive FIFO and trigger levels,
 * the divisor latch, loopback, register strides, and nonsense values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>

#include <axvm/uart.h>

#include "uart_sink.h"

struct fixture {
	struct axvm_ns16550 u;
	struct axvm_device_desc d;
	struct uart_sink s;
	unsigned shift;
};

static void setup(struct fixture *f, unsigned shift)
{
	struct axvm_uart_host h = { .arg = &f->s, .tx = sink_tx, .irq = sink_irq };

	memset(f, 0, sizeof(*f));
	f->shift = shift;
	assert_int_equal(axvm_ns16550_init(&f->u, &h, shift), 0);
	assert_int_equal(axvm_ns16550_desc(&f->u, 0x10000000, &f->d), 0);
}

static uint8_t rd(struct fixture *f, unsigned reg)
{
	uint64_t v = 0xdead;
	assert_int_equal(f->d.ops->read(f->d.ctx, (uint64_t)reg << f->shift, 1, &v), 0);
	assert_true(v <= 0xff);
	return (uint8_t)v;
}

static void wr(struct fixture *f, unsigned reg, uint8_t v)
{
	assert_int_equal(f->d.ops->write(f->d.ctx, (uint64_t)reg << f->shift, 1, v), 0);
}

static void test_args(void **state)
{
	struct axvm_ns16550 u;
	struct axvm_device_desc d;
	struct axvm_uart_host h = { .tx = sink_tx };
	(void)state;

	assert_int_equal(axvm_ns16550_init(&u, &h, 3), AXVM_EINVAL);
	assert_int_equal(axvm_ns16550_init(NULL, &h, 0), AXVM_EINVAL);
	assert_int_equal(axvm_ns16550_init(&u, NULL, 0), AXVM_EINVAL);
	assert_int_equal(axvm_ns16550_init(&u, &h, 2), 0);
	assert_int_equal(axvm_ns16550_desc(&u, UINT64_MAX - 8, &d), AXVM_EOVERFLOW);
	assert_int_equal(axvm_ns16550_desc(&u, 0x10000000, &d), 0);
	assert_int_equal(d.size, 32);
	assert_int_equal(d.widths, AXVM_WIDTH_1 | AXVM_WIDTH_2 | AXVM_WIDTH_4);
	assert_int_equal(axvm_ns16550_init(&u, &h, 0), 0);
	assert_int_equal(axvm_ns16550_desc(&u, 0x10000000, &d), 0);
	assert_int_equal(d.size, 8);
	assert_int_equal(d.widths, AXVM_WIDTH_1);
	assert_int_equal(axvm_ns16550_rx(NULL, 1), AXVM_EINVAL);
}

/* serial8250_do_startup's THRE check: with ETBEI turned on the THR-empty
 * interrupt must show in IIR, twice; else Linux marks the UART buggy. */
static void test_linux_thre_probe(void **state)
{
	struct fixture f;
	(void)state;

	setup(&f, 0);
	assert_int_equal(rd(&f, 5) & 0x60, 0x60); /* LSR: THRE | TEMT */
	wr(&f, 1, 0x02);
	assert_true(f.s.level);
	assert_int_equal(rd(&f, 2) & 0x0f, 0x02);
	assert_false(f.s.level); /* the IIR read acknowledged it */
	assert_int_equal(rd(&f, 2) & 0x0f, 0x01);
	wr(&f, 1, 0);
	wr(&f, 1, 0x02);
	assert_int_equal(rd(&f, 2) & 0x0f, 0x02);
	wr(&f, 1, 0);
	/* A THR write with ETBEI on raises it again (the THR emptied). */
	wr(&f, 1, 0x02);
	(void)rd(&f, 2);
	wr(&f, 0, 'z');
	assert_int_equal(f.s.ntx, 1);
	assert_int_equal(f.s.tx[0], 'z');
	assert_true(f.s.level);
}

static void test_rx_and_priorities(void **state)
{
	struct fixture f;
	(void)state;

	setup(&f, 2);
	wr(&f, 2, 0x81); /* FIFO on, trigger 8 */
	assert_int_equal(rd(&f, 2) & 0xc0, 0xc0);
	wr(&f, 1, 0x07); /* RDI | THRI | RLSI */
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(axvm_ns16550_rx(&f.u, (uint8_t)('a' + i)), 0);
	/* Below the trigger: the character timeout, over THRE. */
	assert_int_equal(rd(&f, 2) & 0x0f, 0x0c);
	for (unsigned i = 3; i < 8; i++)
		assert_int_equal(axvm_ns16550_rx(&f.u, (uint8_t)('a' + i)), 0);
	assert_int_equal(rd(&f, 2) & 0x0f, 0x04);
	for (unsigned i = 8; i < AXVM_NS16550_FIFO; i++)
		assert_int_equal(axvm_ns16550_rx(&f.u, 'x'), 0);
	assert_int_equal(axvm_ns16550_rx(&f.u, '!'), AXVM_EAGAIN);
	/* Overrun: line status first, cleared by reading LSR. */
	assert_int_equal(rd(&f, 2) & 0x0f, 0x06);
	assert_int_equal(rd(&f, 5) & 0x03, 0x03); /* OE | DR */
	assert_int_equal(rd(&f, 5) & 0x02, 0);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(rd(&f, 0), 'a' + i);
	while (rd(&f, 5) & 1)
		(void)rd(&f, 0);
	/* Drained: THRE (still pending from ETBEI) is what is left. */
	assert_int_equal(rd(&f, 2) & 0x0f, 0x02);
	assert_int_equal(rd(&f, 2) & 0x0f, 0x01);
	assert_false(f.s.level);
	/* FCR's RX clear drops received data. */
	assert_int_equal(axvm_ns16550_rx(&f.u, 'q'), 0);
	wr(&f, 2, 0x83);
	assert_int_equal(rd(&f, 5) & 1, 0);
	/* FIFO off: trigger 1, a burst kept in order; past the ring, an
	 * overrun. */
	wr(&f, 2, 0);
	assert_int_equal(axvm_ns16550_rx(&f.u, 'r'), 0);
	assert_int_equal(axvm_ns16550_rx(&f.u, 's'), 0);
	assert_int_equal(rd(&f, 2), 0x04); /* data available, no FIFO bits */
	assert_int_equal(rd(&f, 0), 'r');
	assert_int_equal(rd(&f, 0), 's');
	for (unsigned i = 0; i < AXVM_NS16550_FIFO; i++)
		assert_int_equal(axvm_ns16550_rx(&f.u, 'x'), 0);
	assert_int_equal(axvm_ns16550_rx(&f.u, 'y'), AXVM_EAGAIN);
	assert_int_equal(rd(&f, 2), 0x06); /* overrun reported first */
}

static void test_dlab_loopback_scratch(void **state)
{
	struct fixture f;
	(void)state;

	setup(&f, 0);
	wr(&f, 1, 0x01);
	wr(&f, 3, 0x83); /* DLAB */
	wr(&f, 0, 0x0d);
	wr(&f, 1, 0x00);
	assert_int_equal(rd(&f, 0), 0x0d);
	assert_int_equal(rd(&f, 1), 0x00);
	assert_int_equal(f.s.ntx, 0); /* the divisor is not data */
	wr(&f, 3, 0x03);
	assert_int_equal(rd(&f, 1), 0x01); /* IER kept */
	wr(&f, 7, 0x5a);
	assert_int_equal(rd(&f, 7), 0x5a);
	assert_int_equal(rd(&f, 6), 0xb0);
	wr(&f, 4, 0x1f); /* loopback, all outputs */
	assert_int_equal(rd(&f, 6), 0xf0);
	wr(&f, 0, 'L');
	assert_int_equal(f.s.ntx, 0);
	assert_int_equal(rd(&f, 0), 'L');
	f.d.ops->reset(f.d.ctx);
	assert_int_equal(rd(&f, 4), 0);
	assert_int_equal(rd(&f, 1), 0);
	assert_false(f.s.level);
}

static void test_hostile_accesses(void **state)
{
	struct fixture f;
	uint64_t v;
	(void)state;

	setup(&f, 2);
	for (uint64_t off = 0; off < f.d.size; off++) {
		assert_int_equal(f.d.ops->write(f.d.ctx, off, 1, 0xff), 0);
		assert_int_equal(f.d.ops->read(f.d.ctx, off, 1, &v), 0);
		assert_true(v <= 0xff);
		if (off & 3)
			assert_int_equal(v, 0); /* between registers */
	}
	f.d.ops->reset(f.d.ctx);
	assert_false(f.s.level);
}

/* COM1 on x86's port bus: the same model, refused where it cannot fit. */
static void test_port_io_desc(void **state)
{
	struct fixture f;
	struct axvm_device_desc d;
	(void)state;

	setup(&f, 0);
	assert_int_equal(axvm_ns16550_desc_bus(&f.u, AXVM_BUS_PIO, 0x3f8, &d), 0);
	assert_int_equal(d.bus, AXVM_BUS_PIO);
	assert_int_equal(d.base, 0x3f8);
	assert_int_equal(d.size, 8);
	assert_int_equal(d.widths, AXVM_WIDTH_1);
	assert_ptr_equal(d.ctx, &f.u);
	assert_int_equal(axvm_ns16550_desc_bus(&f.u, AXVM_BUS_PIO, 0xfff8, &d), 0);
	assert_int_equal(axvm_ns16550_desc_bus(&f.u, AXVM_BUS_PIO, 0xfff9, &d), AXVM_EINVAL);
	assert_int_equal(axvm_ns16550_desc_bus(&f.u, AXVM_BUS_PIO, 0x10000, &d), AXVM_EINVAL);
	assert_int_equal(axvm_ns16550_desc_bus(&f.u, AXVM_BUS_PIO, UINT64_MAX - 3, &d),
			 AXVM_EOVERFLOW);
	assert_int_equal(axvm_ns16550_desc_bus(&f.u, AXVM_BUS_SYSREG, 0x3f8, &d), AXVM_EINVAL);
	assert_int_equal(axvm_ns16550_desc_bus(&f.u, (enum axvm_bus)7, 0x3f8, &d), AXVM_EINVAL);
	assert_int_equal(axvm_ns16550_desc_bus(NULL, AXVM_BUS_PIO, 0x3f8, &d), AXVM_EINVAL);
	assert_int_equal(axvm_ns16550_desc_bus(&f.u, AXVM_BUS_PIO, 0x3f8, NULL), AXVM_EINVAL);
	f.d = d;
	wr(&f, 0, 'h');
	wr(&f, 0, 'i');
	assert_int_equal(f.s.ntx, 2);
	assert_memory_equal(f.s.tx, "hi", 2);
}

/* LSR and SCR are read without the lock: what they return must still
 * follow received data, overruns and resets. The lock is held as another
 * CPU would hold it: these reads must not wait for it. */
static void test_lock_free_reads(void **state)
{
	struct fixture f;
	(void)state;

	setup(&f, 0);
	wr(&f, 7, 0xa5);
	assert_true(atomic_flag_test_and_set(&f.u.lock) == false);
	assert_int_equal(rd(&f, 5), 0x60);
	assert_int_equal(rd(&f, 7), 0xa5);
	atomic_flag_clear(&f.u.lock);

	assert_int_equal(axvm_ns16550_rx(&f.u, 'a'), 0);
	assert_int_equal(rd(&f, 5), 0x61); /* DR */
	assert_int_equal(rd(&f, 0), 'a');
	assert_int_equal(rd(&f, 5), 0x60);
	for (unsigned i = 0; i < AXVM_NS16550_FIFO; i++)
		assert_int_equal(axvm_ns16550_rx(&f.u, 'x'), 0);
	assert_int_equal(axvm_ns16550_rx(&f.u, 'y'), AXVM_EAGAIN);
	assert_int_equal(rd(&f, 5), 0x63); /* OE | DR, OE cleared by the read */
	assert_int_equal(rd(&f, 5), 0x61);
	f.d.ops->reset(f.d.ctx);
	assert_int_equal(rd(&f, 5), 0x60);
	assert_int_equal(rd(&f, 7), 0);
}

/* A THR write with ETBEI off only transmits; the interrupt it would have
 * raised is still owed once ETBEI goes on, and DLAB or loopback still
 * take the byte away from the host. */
static void test_tx_direct(void **state)
{
	struct fixture f;
	(void)state;

	setup(&f, 0);
	wr(&f, 1, 0x01); /* RDI only */
	for (unsigned i = 0; i < 10; i++)
		wr(&f, 0, (uint8_t)('0' + i));
	assert_int_equal(f.s.ntx, 10);
	assert_memory_equal(f.s.tx, "0123456789", 10);
	assert_int_equal(f.s.nlevels, 0);
	assert_int_equal(rd(&f, 2) & 0x0f, 0x01);
	wr(&f, 1, 0x03); /* ETBEI on: THRE at once */
	assert_true(f.s.level);
	wr(&f, 1, 0x01);
	wr(&f, 3, 0x80); /* DLAB: offset 0 is DLL */
	wr(&f, 0, 0x01);
	wr(&f, 3, 0x03);
	wr(&f, 4, 0x10); /* loopback */
	wr(&f, 0, 'L');
	wr(&f, 4, 0x00);
	wr(&f, 0, 'T');
	assert_int_equal(f.s.ntx, 11);
	assert_int_equal(f.s.tx[10], 'T');
	assert_int_equal(rd(&f, 0), 'L');
	wr(&f, 3, 0x80);
	assert_int_equal(rd(&f, 0), 0x01);
}

/* Line mode's host: each line handed over, concatenated, and the count. */
struct line_sink {
	uint8_t buf[8];
	char out[256];
	unsigned len, calls;
	struct uart_sink irq;
};

static void sink_line(void *arg, const uint8_t *bytes, uint32_t n)
{
	struct line_sink *s = arg;

	assert_ptr_equal(bytes, s->buf);
	assert_true(n > 0 && n <= sizeof(s->buf));
	assert_true(s->len + n < sizeof(s->out));
	memcpy(s->out + s->len, bytes, n);
	s->len += n;
	s->calls++;
}

static void sink_line_irq(void *arg, bool level)
{
	struct line_sink *s = arg;

	sink_irq(&s->irq, level);
}

static void test_line_mode_args(void **state)
{
	struct axvm_ns16550 u;
	struct axvm_pl011 p;
	uint8_t buf[4];
	struct axvm_uart_host h = { .line = buf, .line_size = 4, .tx_line = sink_line };
	(void)state;

	assert_int_equal(axvm_ns16550_init(&u, &h, 0), 0); /* no tx needed */
	h.line_size = 0;
	assert_int_equal(axvm_ns16550_init(&u, &h, 0), AXVM_EINVAL);
	h.line_size = 4;
	h.tx_line = NULL;
	assert_int_equal(axvm_ns16550_init(&u, &h, 0), AXVM_EINVAL);
	h.tx_line = sink_line;
	h.line = NULL;
	assert_int_equal(axvm_ns16550_init(&u, &h, 0), AXVM_EINVAL);
	h.line = buf;
	h.tx = sink_tx;
	assert_int_equal(axvm_pl011_init(&p, &h), AXVM_EINVAL); /* PL011: tx only */
	assert_int_equal(axvm_ns16550_flush(NULL), AXVM_EINVAL);
}

/* Bytes reach the host a line at a time: at a newline, when the buffer
 * is full, at flush and at reset; whichever register path took them
 * (ETBEI on or off), and never the divisor or a looped-back byte. */
static void test_line_mode(void **state)
{
	struct line_sink s;
	struct axvm_ns16550 u;
	struct axvm_device_desc d;
	struct axvm_uart_host h = { .arg = &s, .irq = sink_line_irq, .tx_line = sink_line };
	(void)state;

	memset(&s, 0, sizeof(s));
	h.line = s.buf;
	h.line_size = sizeof(s.buf);
	assert_int_equal(axvm_ns16550_init(&u, &h, 0), 0);
	assert_int_equal(axvm_ns16550_desc_bus(&u, AXVM_BUS_PIO, 0x3f8, &d), 0);
	for (const char *p = "ab\n"; *p; p++)
		assert_int_equal(d.ops->write(d.ctx, 0, 1, (uint8_t)*p), 0);
	assert_int_equal(s.calls, 1);
	for (const char *p = "0123456789"; *p; p++)
		assert_int_equal(d.ops->write(d.ctx, 0, 1, (uint8_t)*p), 0);
	assert_int_equal(s.calls, 2); /* 8 bytes: full */
	assert_int_equal(axvm_ns16550_flush(&u), 0);
	assert_int_equal(s.calls, 3);
	assert_int_equal(axvm_ns16550_flush(&u), 0);
	assert_int_equal(s.calls, 3); /* nothing left: no call */
	/* ETBEI on: the locked path, the same line, and the interrupt. */
	assert_int_equal(d.ops->write(d.ctx, 1, 1, 0x02), 0);
	assert_true(s.irq.level);
	assert_int_equal(d.ops->write(d.ctx, 0, 1, 'x'), 0);
	assert_int_equal(d.ops->write(d.ctx, 1, 1, 0x00), 0);
	assert_int_equal(d.ops->write(d.ctx, 3, 1, 0x80), 0); /* DLAB */
	assert_int_equal(d.ops->write(d.ctx, 0, 1, 0x42), 0);
	assert_int_equal(d.ops->write(d.ctx, 3, 1, 0x03), 0);
	assert_int_equal(d.ops->write(d.ctx, 4, 1, 0x10), 0); /* loopback */
	assert_int_equal(d.ops->write(d.ctx, 0, 1, 'L'), 0);
	assert_int_equal(d.ops->write(d.ctx, 4, 1, 0x00), 0);
	assert_int_equal(d.ops->write(d.ctx, 0, 1, 'y'), 0);
	assert_int_equal(s.calls, 3);
	d.ops->reset(d.ctx);
	assert_int_equal(s.calls, 4);
	s.out[s.len] = '\0';
	assert_string_equal(s.out, "ab\n0123456789xy");
}

/* The relax hook runs while another thread holds the lock; here it plays
 * that thread, letting go on its third call. */
struct relax_state {
	struct axvm_ns16550 *u;
	unsigned calls;
};

static void relax_release(void *arg)
{
	struct relax_state *r = arg;

	if (++r->calls == 3)
		atomic_flag_clear(&r->u->lock);
}

static void test_relax_while_contended(void **state)
{
	struct axvm_ns16550 u;
	struct relax_state r = { .u = &u };
	struct axvm_uart_host h = { .arg = &r, .tx = sink_tx, .relax = relax_release };
	(void)state;

	assert_int_equal(axvm_ns16550_init(&u, &h, 0), 0);
	assert_int_equal(axvm_ns16550_rx(&u, 'a'), 0);
	assert_int_equal(r.calls, 0); /* uncontended: never called */
	assert_false(atomic_flag_test_and_set(&u.lock));
	assert_int_equal(axvm_ns16550_rx(&u, 'b'), 0);
	assert_int_equal(r.calls, 3);
}

/* Line mode with two vCPU threads transmitting at once (axvm-run's SMP
 * guests on COM1). Their bytes interleave, as on a real UART, but the
 * model's lock must lose and duplicate none, and hand over only chunks
 * that end a line or fill the buffer. On a busy machine the threads
 * seldom overlap in time; under the tsan preset a missing lock is a
 * reported race whether or not they did. */
#define MT_LINES 20000u
#define MT_LEN 16u

struct mt_host {
	uint8_t buf[64];
	uint64_t count[256];
	unsigned bad_chunks;
};

static void mt_tx_line(void *arg, const uint8_t *bytes, uint32_t n)
{
	struct mt_host *h = arg;

	if (n == 0 || n > sizeof(h->buf) || (bytes[n - 1] != '\n' && n != sizeof(h->buf)))
		h->bad_chunks++;
	for (uint32_t i = 0; i < n; i++)
		h->count[bytes[i]]++;
}

struct mt_arg {
	struct axvm_device_desc *d;
	uint8_t c;
};

static atomic_int mt_ready;

static void *mt_writer(void *p)
{
	struct mt_arg *a = p;

	/* Both threads start writing together, not one after the other. */
	atomic_fetch_add(&mt_ready, 1);
	while (atomic_load(&mt_ready) < 2)
		;

	for (unsigned l = 0; l < MT_LINES; l++)
		for (unsigned i = 0; i < MT_LEN; i++)
			(void)a->d->ops->write(a->d->ctx, 0, 1, i + 1 == MT_LEN ? '\n' : a->c);
	return NULL;
}

static void test_line_mode_threads(void **state)
{
	static struct mt_host h;
	struct axvm_ns16550 u;
	struct axvm_device_desc d;
	struct axvm_uart_host host = { .arg = &h, .line = h.buf, .line_size = sizeof(h.buf),
				       .tx_line = mt_tx_line };
	struct mt_arg a = { &d, 'A' }, b = { &d, 'B' };
	pthread_t ta, tb;
	(void)state;

	memset(&h, 0, sizeof(h));
	atomic_store(&mt_ready, 0);
	assert_int_equal(axvm_ns16550_init(&u, &host, 0), 0);
	assert_int_equal(axvm_ns16550_desc_bus(&u, AXVM_BUS_PIO, 0x3f8, &d), 0);
	assert_int_equal(pthread_create(&ta, NULL, mt_writer, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, mt_writer, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(axvm_ns16550_flush(&u), 0);
	assert_int_equal(h.bad_chunks, 0);
	assert_int_equal(h.count['A'], MT_LINES * (MT_LEN - 1));
	assert_int_equal(h.count['B'], MT_LINES * (MT_LEN - 1));
	assert_int_equal(h.count['\n'], 2 * MT_LINES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_linux_thre_probe),
		cmocka_unit_test(test_rx_and_priorities),
		cmocka_unit_test(test_dlab_loopback_scratch),
		cmocka_unit_test(test_hostile_accesses),
		cmocka_unit_test(test_port_io_desc),
		cmocka_unit_test(test_lock_free_reads),
		cmocka_unit_test(test_tx_direct),
		cmocka_unit_test(test_line_mode_args),
		cmocka_unit_test(test_line_mode),
		cmocka_unit_test(test_relax_while_contended),
		cmocka_unit_test(test_line_mode_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
