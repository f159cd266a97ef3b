/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The vcpu_switch_<arch> benchmark's measurement, shared by the targets'
 * bench-switch guests: two vCPUs spin on one pCPU reading the counter,
 * each noting the gaps in its own reading (the time it was switched out),
 * and a switch's cost is what the other vCPU did not see of such a gap.
 * Header-only; the includer defines SWITCH_NOW() (its counter) and
 * SWITCH_GAP_TICKS (longer than any exit, shorter than a time slice).
 */
#ifndef AXVM_GUEST_SWITCH_GAPS_H
#define AXVM_GUEST_SWITCH_GAPS_H

#include <stdint.h>

#define SWITCH_GAPS 12u

struct switch_gaps {
	uint64_t start[SWITCH_GAPS], end[SWITCH_GAPS];
	volatile uint32_t n;
};

/* One per vCPU; `switch_stop` ends both at the first to fill up. */
static struct switch_gaps switch_g[2];
static volatile uint32_t switch_stop;

static void switch_spin_record(struct switch_gaps *s)
{
	uint64_t last = SWITCH_NOW();

	while (!switch_stop) {
		uint64_t t = SWITCH_NOW();
		if (t - last > SWITCH_GAP_TICKS) {
			s->start[s->n] = last;
			s->end[s->n] = t;
			s->n = s->n + 1;
			if (s->n == SWITCH_GAPS)
				switch_stop = 1;
		}
		last = t;
	}
}

/* For each of vCPU 0's gaps (s, e): vCPU 1's first resume r and its last
 * switch-out o inside it; (r - s) and (e - o) are two switches. Their sum
 * in ticks, and *count how many. */
static uint64_t switch_pair(uint64_t *count)
{
	uint64_t sum = 0, n = 0;

	for (unsigned i = 0; i < SWITCH_GAPS && i < switch_g[0].n; i++) {
		uint64_t s = switch_g[0].start[i], e = switch_g[0].end[i], r = 0, o = 0;
		for (unsigned j = 0; j < switch_g[1].n && j < SWITCH_GAPS; j++) {
			uint64_t b = switch_g[1].start[j], f = switch_g[1].end[j];
			if (f > s && f < e && (!r || f < r))
				r = f;
			if (b > s && b < e && b > o)
				o = b;
		}
		if (r && o > r) {
			sum += (r - s) + (e - o);
			n += 2;
		}
	}
	*count = n;
	return sum;
}

#endif /* AXVM_GUEST_SWITCH_GAPS_H */
