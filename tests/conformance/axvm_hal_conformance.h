/* SPDX-License-Identifier: Apache-2.0 */
/* HAL conformance suite: checks a port's struct axvm_hal does what the core
 * relies on. Plain C with no test framework, so a port can run it inside
 * its own OS (an RTOS task, a bare-metal kernel) as well as on a host. */
#ifndef AXVM_HAL_CONFORMANCE_H
#define AXVM_HAL_CONFORMANCE_H

#include <axvm/hal.h>

struct axvm_hal_conformance {
	/* Pages the port can hand out before it must fail with AXVM_ENOMEM;
	 * 0 skips the exhaustion check (a host with "infinite" memory). */
	size_t exhaust_limit_pages;
	/* Called once per check; `detail` says what went wrong (or "ok"). */
	void (*report)(void *ctx, const char *check, bool ok, const char *detail);
	void *ctx;
};

/* Run every check; returns the number that failed (0 = conformant). */
int axvm_hal_conformance_run(const struct axvm_hal *hal,
			     const struct axvm_hal_conformance *opts);

#endif
