/* SPDX-License-Identifier: Apache-2.0 */
/* What the UART models share: their lock and their receive ring. */
#ifndef AXVM_DEVICES_UART_FIFO_H
#define AXVM_DEVICES_UART_FIFO_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <axvm/uart.h>

static inline void uart_lock(atomic_flag *l)
{
	while (atomic_flag_test_and_set_explicit(l, memory_order_acquire))
		;
}

/* Contended: try again, giving the host's relax hook (a yield on a
 * hosted OS: the holder may be a preempted thread) the time between
 * tries. Out of line: the uncontended path is one exchange. */
static __attribute__((unused, noinline)) void uart_lock_wait(atomic_flag *l,
							   const struct axvm_uart_host *h)
{
	while (atomic_flag_test_and_set_explicit(l, memory_order_acquire))
		if (h->relax)
			h->relax(h->arg);
}

/* A UART model's lock, taken with its host's relax hook. */
static inline void uart_lock_host(atomic_flag *l, const struct axvm_uart_host *h)
{
	if (atomic_flag_test_and_set_explicit(l, memory_order_acquire))
		uart_lock_wait(l, h);
}

static inline void uart_unlock(atomic_flag *l)
{
	atomic_flag_clear_explicit(l, memory_order_release);
}

/* A ring of `cap` bytes (cap a power of two). With its FIFO off a UART
 * shows the guest one byte at a time, but the ring still holds what the
 * host delivered in a burst: those bytes are "still on the line" and come
 * in as the guest reads, as they would at line rate on a real wire. */
static inline bool uart_fifo_push(uint8_t *buf, uint32_t cap, uint32_t head, uint32_t *count,
				  uint8_t b)
{
	if (*count >= cap)
		return false;
	buf[(head + *count) & (cap - 1)] = b;
	(*count)++;
	return true;
}

static inline uint8_t uart_fifo_pop(const uint8_t *buf, uint32_t cap, uint32_t *head,
				    uint32_t *count)
{
	uint8_t b;

	if (!*count)
		return 0;
	b = buf[*head & (cap - 1)];
	*head = (*head + 1) & (cap - 1);
	(*count)--;
	return b;
}

#endif
