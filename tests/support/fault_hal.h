/* SPDX-License-Identifier: Apache-2.0 */
/* A HAL wrapper for tests: counts every allocation made through it and can
 * fail the k-th one, to prove each error path frees what it took. */
#ifndef AXVM_FAULT_HAL_H
#define AXVM_FAULT_HAL_H

#include <axvm/hal.h>
#include <stdatomic.h>

struct fault_hal {
	struct axvm_hal hal;        /* what to hand to libaxvm */
	const struct axvm_hal *base; /* the real HAL underneath */
	atomic_long allocs;         /* successful allocations so far */
	atomic_long live;           /* allocations not yet freed */
	atomic_long live_pages;
	long fail_at;               /* 1-based allocation to fail; 0 = none */
	atomic_bool failed;         /* the injected failure happened */
};

/* Wrap `base`; every hook is forwarded, allocations counted. */
void fault_hal_init(struct fault_hal *f, const struct axvm_hal *base);

#endif
