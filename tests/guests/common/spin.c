/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spin: busy for three seconds without a single exit (no device access, no
 * WFI, no timer), then powers off. Loaded beside a VM whose vCPU shares its
 * pCPU, it shows time slicing: the other VM makes progress meanwhile, and
 * this guest sees the time it was not running as gaps in its counter.
 */
#include "glib.h"

#define SPIN_US 3000000u
#define GAP_US 1000u

int main(void);
int main(void)
{
	uint64_t start = guest_now_us(), last = start, now, gaps = 0, longest = 0;

	gputs("spin: 3 s with no exits\n");
	while ((now = guest_now_us()) - start < SPIN_US) {
		if (now - last > GAP_US) {
			gaps++;
			if (now - last > longest)
				longest = now - last;
		}
		last = now;
	}
	gprintf("spin: %lu gaps over 1 ms, the longest %lu us\n", gaps, longest);
	done("spin");
}

void secondary_main(void);
void secondary_main(void)
{
}
