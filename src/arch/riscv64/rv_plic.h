/* SPDX-License-Identifier: Apache-2.0 */
/* The emulated PLIC of a RISC-V VM (docs/guest-abi-riscv64.md): 31
 * sources, priorities 0..7, one S-mode context per hart, and the gateway
 * of the PLIC spec: a claimed source is not delivered again until its
 * completion (a raise meanwhile stays pending). Pure C, shared by the
 * VM's harts under its own lock, unit-tested on the build host. */
#ifndef AXVM_RV_PLIC_H
#define AXVM_RV_PLIC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define RV_PLIC_SOURCES 32u /* source 0 does not exist */
#define RV_PLIC_MAX_CTX 64u
#define RV_PLIC_SIZE 0x400000ull

struct rv_plic {
	_Atomic uint32_t lock; /* a word: RV64A has no byte AMO */
	uint32_t nctx;
	/* bit n: source n. Changed under the lock; atomic so that a guest
	 * entry can see "nothing pending" without taking it. */
	_Atomic uint32_t pending;
	uint32_t claimed;               /* claimed, not yet completed */
	uint8_t prio[RV_PLIC_SOURCES];
	uint32_t enable[RV_PLIC_MAX_CTX];
	uint8_t threshold[RV_PLIC_MAX_CTX];
};

/* Reset to power-on state (nothing enabled or pending) with `nctx`
 * contexts (clamped to RV_PLIC_MAX_CTX). */
void rv_plic_init(struct rv_plic *p, uint32_t nctx);
/* Guest register access at offset `off` of the window. Only aligned
 * 32-bit accesses act; anything else reads 0 / is ignored. Always 0. */
int rv_plic_read(struct rv_plic *p, uint64_t off, unsigned width, uint64_t *val);
int rv_plic_write(struct rv_plic *p, uint64_t off, unsigned width, uint64_t val);
/* Make source 1..31 pending; AXVM_EINVAL for any other number. */
int rv_plic_raise(struct rv_plic *p, uint32_t source);
/* Whether context `ctx` has an enabled pending source above its threshold
 * (its hart's external interrupt line); false for a context it lacks. */
bool rv_plic_pending_locked_scan(struct rv_plic *p, uint32_t ctx);
static inline __attribute__((always_inline)) bool rv_plic_pending(struct rv_plic *p, uint32_t ctx)
{
	/* Nothing raised: the answer every entry of a quiet VM gets, inline
	 * and without the lock (asked on every entry and WFI, 13 instructions
	 * as the call gcc -Os made of a plain inline). A raise that this load
	 * misses is followed by a kick of the vCPU, whose next entry asks
	 * again. */
	if (!atomic_load_explicit(&p->pending, memory_order_relaxed))
		return false;
	return rv_plic_pending_locked_scan(p, ctx);
}
/* Contexts (bit i = context i) with `source` enabled: whose line a raise
 * of it may have changed. */
uint64_t rv_plic_raise_targets(struct rv_plic *p, uint32_t source);

#endif /* AXVM_RV_PLIC_H */
