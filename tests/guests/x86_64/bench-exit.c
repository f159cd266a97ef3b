/* SPDX-License-Identifier: Apache-2.0 */
/* bench-exit: the cost of an exit in instructions, timed with RDTSC, which
 * under QEMU's -icount shift=0 advances by one per instruction the board
 * executes (guest and host alike): a null hypercall (the doorbell, number
 * 0) and a port write the host's device model takes (the UART's scratch
 * register). Each figure is the mean over many calls, the loop included.
 * Prints "bench <name> <n> instr" lines (tests/bench/exit_cost_x86_64.sh). */
#include "guest.h"

#define ROUNDS 2000u

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static void report(const char *name, uint64_t total)
{
	puts("bench ");
	puts(name);
	putc(' ');
	put_dec(total / ROUNDS);
	puts(" instr\n");
}

int guest_main(uint64_t index, uint64_t ram_size, uint64_t arg)
{
	uint64_t t0, t1;

	(void)index;
	(void)ram_size;
	(void)arg;
	for (unsigned i = 0; i < 16; i++) /* first touches out of the way */
		hypercall(HC_VERSION, 0, 0, 0, 0, 0, 0);
	t0 = rdtsc();
	for (unsigned i = 0; i < ROUNDS; i++)
		hypercall(HC_VERSION, 0, 0, 0, 0, 0, 0);
	t1 = rdtsc();
	report("exit_null_call_x86_64", t1 - t0);
	t0 = rdtsc();
	for (unsigned i = 0; i < ROUNDS; i++)
		outb(UART + 7, (uint8_t)i);
	t1 = rdtsc();
	report("exit_io_x86_64", t1 - t0);
	return 0;
}
