/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-switch: the cost of a time-slice switch between two vCPUs sharing
 * a pCPU, in instructions under QEMU -icount shift=0,sleep=off (bench.h).
 * Load into vm1 and boot with one pCPU (--smp 1), so both of its vCPUs
 * take turns on pCPU 0.
 *
 * Both vCPUs spin reading the virtual counter (one counter: same VM) and
 * note every gap longer than GAP_TICKS: the time they were switched out.
 * For each gap of vCPU 0 the other vCPU's resume inside it and its next
 * switch-out inside it give the two switches: vCPU 0 out -> vCPU 1 in,
 * vCPU 1 out -> vCPU 0 in. Printed: vcpu_switch_aarch64, the mean of
 * those (the last counter read before a switch to the first after it, so
 * a few instructions of the spinning loop are in it).
 */
#include "bench.h"

#define SWITCH_GAP_TICKS 1000u /* 16,000 instructions: no exit costs that much */
#define SWITCH_NOW() cntvct()
#include "../common/switch_gaps.h"

static volatile uint32_t up, finished;

int main(uint64_t dtb);
int main(uint64_t dtb)
{
	uint64_t sum = 0, n = 0;

	(void)dtb;
	gputs("bench-switch: two vCPUs spinning on one pCPU\n");
	if (guest_cpu_on(1, 0) != 0) {
		check(false, "vCPU 1 powers on (load bench-switch into vm1)");
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
	if (n)
		bench_print("vcpu_switch_aarch64", ticks_to_instr100(sum) / n);
	done("bench-switch");
}

void secondary_main(uint64_t ctx);
void secondary_main(uint64_t ctx)
{
	(void)ctx;
	up = 1;
	switch_spin_record(&switch_g[1]);
	finished = 1;
	/* Returning powers vCPU 1 off; vCPU 0 then runs alone. */
}
