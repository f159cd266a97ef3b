/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the benchmark guests (bench-exit.c, bench-switch.c): timing
 * with the virtual counter, meant to run under QEMU's
 * -icount shift=0,sleep=off, where the counter advances with every
 * instruction the board executes (one nanosecond each), hypervisor
 * included. A figure is printed as "bench <name> <value> instr", the line
 * tests/bench/exit_cost.sh collects.
 */
#ifndef BENCH_H
#define BENCH_H

#include "guest.h"

/* Counter ticks -> instructions, times 100 (1 instruction = 1 ns). */
static inline uint64_t ticks_to_instr100(uint64_t ticks)
{
	uint64_t f = cntfrq();

	return ticks / f * 100000000000ull + ticks % f * 100000000000ull / f;
}

/* value100 / 100 with two decimals. */
static inline void bench_print(const char *name, uint64_t value100)
{
	gprintf("bench %s %lu.%02lu instr\n", name, value100 / 100, value100 % 100);
}

#endif
