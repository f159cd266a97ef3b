/* SPDX-License-Identifier: Apache-2.0 */
/* What the UART models share: their lock and their receive ring. */
#ifndef AXVM_DEVICES_UART_FIFO_H
#define AXVM_DEVICES_UART_FIFO_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

static inline void uart_lock(atomic_flag *l)
{
	while (atomic_flag_test_and_set_explicit(l, memory_order_acquire))
		;
}

static inline void uart_unlock(atomic_flag *l)
{
	atomic_flag_clear_explicit(l, memory_order_release);
}

/* A ring of `cap` bytes (cap a power of two); `depth` <= cap is how many
 * it may hold now (a UART with its FIFO off holds one). */
static inline bool uart_fifo_push(uint8_t *buf, uint32_t cap, uint32_t depth,
				  uint32_t head, uint32_t *count, uint8_t b)
{
	if (*count >= depth)
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
