/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sub-word atomics. RISC-V has word and doubleword AMOs only; GCC 12 turns
 * a 1-byte exchange (atomic_bool) into a call to libatomic, which a
 * freestanding kernel does not link. This is that call: a CAS loop on the
 * aligned word holding the byte, sequentially consistent.
 */
#include <stdint.h>

unsigned char __atomic_exchange_1(volatile void *p, unsigned char v, int order);
unsigned char __atomic_exchange_1(volatile void *p, unsigned char v, int order)
{
	uintptr_t a = (uintptr_t)p;
	volatile uint32_t *w = (volatile uint32_t *)(a & ~(uintptr_t)3);
	unsigned shift = (unsigned)(a & 3) * 8;
	uint32_t mask = 0xffu << shift, old = __atomic_load_n(w, __ATOMIC_RELAXED), nw;

	(void)order;
	do
		nw = (old & ~mask) | ((uint32_t)v << shift);
	while (!__atomic_compare_exchange_n(w, &old, nw, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
	return (unsigned char)(old >> shift);
}
