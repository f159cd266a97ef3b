/* SPDX-License-Identifier: Apache-2.0 */
/* The host side of a UART model under test: what it transmitted and the
 * interrupt levels it reported (each must be a change). */
#ifndef AXVM_TEST_UART_SINK_H
#define AXVM_TEST_UART_SINK_H

struct uart_sink {
	uint8_t tx[64];
	unsigned ntx;
	bool levels[64];
	unsigned nlevels;
	bool level; /* the last one reported */
};

static void sink_tx(void *arg, uint8_t b)
{
	struct uart_sink *s = arg;
	if (s->ntx < sizeof(s->tx))
		s->tx[s->ntx] = b;
	s->ntx++;
}

static void sink_irq(void *arg, bool level)
{
	struct uart_sink *s = arg;
	assert_true(level != s->level); /* only changes are reported */
	s->level = level;
	if (s->nlevels < 64)
		s->levels[s->nlevels] = level;
	s->nlevels++;
}

#endif
