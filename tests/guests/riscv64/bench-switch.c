/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-switch: the cost of a time-slice switch between two vCPUs sharing
 * a pCPU, in instructions under QEMU -icount shift=0,sleep=off. Load into
 * vm1 and boot with one pCPU (--smp 1), so both of its harts take turns
 * on pCPU 0.
 *
 * Both harts spin reading the instret CSR and note every gap longer than
 * SWITCH_GAP: the time they were switched out. Under icount QEMU's
 * instret is the board's instruction count (its virtual clock at shift
 * 0), the same clock on both harts: one instruction a count, where the
 * time CSR ticks once per 100 instructions and the slice timer, landing
 * at the same point of the loop on every switch, kept that rounding from
 * averaging out (a cut of ten instructions could print 14 more). For each
 * gap of hart 0, hart 1's first resume inside it and its last switch-out
 * inside it give the two switches: hart 0 out -> hart 1 in, hart 1 out ->
 * hart 0 in. Printed: vcpu_switch_riscv64, the mean of those (the last
 * read before a switch to the first after it, so the few instructions of
 * the spinning loop between two reads are in it).
 */
#include "guest.h"

static inline uint64_t rdinstret(void)
{
	uint64_t n;

	__asm__ volatile("csrr %0, instret" : "=r"(n));
	return n;
}

#define SWITCH_GAP_TICKS 100000u /* instructions: no exit costs that much */
#define SWITCH_NOW() rdinstret()
#include "../common/switch_gaps.h"

static volatile uint32_t up, finished;

int main(uint64_t hartid, uint64_t dtb);
int main(uint64_t hartid, uint64_t dtb)
{
	uint64_t sum = 0, n = 0;

	(void)hartid;
	(void)dtb;
	gputs("bench-switch: two harts spinning on one pCPU\n");
	if (guest_cpu_on(1, 0) != 0) {
		check(false, "hart 1 powers on (load bench-switch into vm1)");
		done("bench-switch");
	}
	while (!up)
		;
	switch_spin_record(&switch_g[0]);
	while (!finished)
		;
	sum = switch_pair(&n);
	check(n >= SWITCH_GAPS, "switches seen");
	gprintf("bench-switch: %u and %u gaps, %lu switches paired\n", switch_g[0].n, switch_g[1].n, n);
	if (n) {
		uint64_t v100 = sum * 100u / n;
		gprintf("bench vcpu_switch_riscv64 %lu.%02lu instr\n", v100 / 100, v100 % 100);
	}
	done("bench-switch");
}

void secondary_main(uint64_t hartid, uint64_t opaque);
void secondary_main(uint64_t hartid, uint64_t opaque)
{
	(void)hartid;
	(void)opaque;
	up = 1;
	switch_spin_record(&switch_g[1]);
	finished = 1;
	/* Returning stops hart 1 (SBI hart_stop); hart 0 then runs alone. */
}
