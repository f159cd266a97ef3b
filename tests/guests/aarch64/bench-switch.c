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

#define GAPS 12u
#define GAP_TICKS 1000u /* 16,000 instructions: no exit costs that much */

struct gaps {
	uint64_t start[GAPS], end[GAPS];
	volatile uint32_t n;
};
static struct gaps g[2];
static volatile uint32_t up, stop, finished;

static void spin_record(struct gaps *s)
{
	uint64_t last = cntvct();

	while (!stop) {
		uint64_t t = cntvct();
		if (t - last > GAP_TICKS) {
			s->start[s->n] = last;
			s->end[s->n] = t;
			s->n = s->n + 1;
			if (s->n == GAPS)
				stop = 1; /* both stop at the first to fill up */
		}
		last = t;
	}
}

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
	spin_record(&g[0]);
	while (!finished)
		;
	/* For each of vCPU 0's gaps (s, e): vCPU 1's first resume r and its
	 * last switch-out o inside it. */
	for (unsigned i = 0; i < GAPS; i++) {
		uint64_t s = g[0].start[i], e = g[0].end[i], r = 0, o = 0;
		if (i >= g[0].n)
			break;
		for (unsigned j = 0; j < g[1].n; j++) {
			if (g[1].end[j] > s && g[1].end[j] < e && (!r || g[1].end[j] < r))
				r = g[1].end[j];
			if (g[1].start[j] > s && g[1].start[j] < e && g[1].start[j] > o)
				o = g[1].start[j];
		}
		if (r && o > r) {
			sum += (r - s) + (e - o);
			n += 2;
		}
	}
	check(n >= GAPS, "switches seen");
	gprintf("bench-switch: %u and %u gaps, %lu switches paired\n", g[0].n, g[1].n, n);
	if (n)
		bench_print("vcpu_switch_aarch64", ticks_to_instr100(sum) / n);
	done("bench-switch");
}

void secondary_main(uint64_t ctx);
void secondary_main(uint64_t ctx)
{
	(void)ctx;
	up = 1;
	spin_record(&g[1]);
	finished = 1;
	/* Returning powers vCPU 1 off; vCPU 0 then runs alone. */
}
