/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PLIC model: register file, claim order and the per-context line. Every
 * offset, width and value comes from the guest; none can fault the host.
 */
#include <string.h>

#include <axvm/types.h>

#include "rv_plic.h"

#define PRIO_BASE 0x000000u
#define PENDING 0x001000u
#define ENABLE_BASE 0x002000u
#define ENABLE_STRIDE 0x80u
#define CTX_BASE 0x200000u
#define CTX_STRIDE 0x1000u
#define SOURCES_MASK 0xfffffffeu /* source 0 does not exist */

static void lock(struct rv_plic *p)
{
	while (atomic_exchange_explicit(&p->lock, 1u, memory_order_acquire))
		;
}

static void unlock(struct rv_plic *p)
{
	atomic_store_explicit(&p->lock, 0u, memory_order_release);
}

void rv_plic_init(struct rv_plic *p, uint32_t nctx)
{
	memset(p, 0, sizeof(*p));
	atomic_init(&p->lock, 0u);
	p->nctx = nctx < RV_PLIC_MAX_CTX ? nctx : RV_PLIC_MAX_CTX;
}

/* The source a claim by `ctx` gets: highest priority above the threshold,
 * lowest id among equals; 0 for none. Lock held. */
static uint32_t best(const struct rv_plic *p, uint32_t ctx)
{
	uint32_t cand = atomic_load_explicit(&p->pending, memory_order_relaxed) & ~p->claimed &
			p->enable[ctx], src = 0;
	unsigned top = p->threshold[ctx];

	/* Up to the highest candidate only: every guest entry asks, and
	 * almost always nothing is pending. (No ctz: rv64imac has no Zbb and
	 * the kernel links no libgcc.) */
	for (uint32_t s = 1, c = cand >> 1; c; s++, c >>= 1)
		if ((c & 1u) && p->prio[s] > top) {
			top = p->prio[s];
			src = s;
		}
	return src;
}

/* Which context a per-context register offset belongs to; false if none
 * of this PLIC's. */
static bool ctx_of(const struct rv_plic *p, uint64_t off, uint64_t base, uint64_t stride,
		   uint32_t *ctx, uint64_t *reg)
{
	if (off < base)
		return false;
	uint64_t c = (off - base) / stride;
	if (c >= p->nctx)
		return false;
	*ctx = (uint32_t)c;
	*reg = (off - base) % stride;
	return true;
}

int rv_plic_read(struct rv_plic *p, uint64_t off, unsigned width, uint64_t *val)
{
	uint32_t ctx, v = 0;
	uint64_t reg;

	*val = 0;
	if (width != 4 || (off & 3u) || off >= RV_PLIC_SIZE)
		return 0;
	lock(p);
	if (off < PRIO_BASE + 4u * RV_PLIC_SOURCES)
		v = p->prio[off / 4u]; /* prio[0] stays 0 */
	else if (off == PENDING)
		v = atomic_load_explicit(&p->pending, memory_order_relaxed);
	else if (off < CTX_BASE && ctx_of(p, off, ENABLE_BASE, ENABLE_STRIDE, &ctx, &reg))
		v = reg == 0 ? p->enable[ctx] : 0;
	else if (ctx_of(p, off, CTX_BASE, CTX_STRIDE, &ctx, &reg) && reg == 0)
		v = p->threshold[ctx];
	else if (ctx_of(p, off, CTX_BASE, CTX_STRIDE, &ctx, &reg) && reg == 4) {
		v = best(p, ctx); /* claim */
		if (v) {
			atomic_fetch_and_explicit(&p->pending, ~(1u << v), memory_order_relaxed);
			p->claimed |= 1u << v;
		}
	}
	unlock(p);
	*val = v;
	return 0;
}

int rv_plic_write(struct rv_plic *p, uint64_t off, unsigned width, uint64_t val)
{
	uint32_t ctx;
	uint64_t reg;

	if (width != 4 || (off & 3u) || off >= RV_PLIC_SIZE)
		return 0;
	lock(p);
	if (off >= 4 && off < PRIO_BASE + 4u * RV_PLIC_SOURCES)
		p->prio[off / 4u] = (uint8_t)(val & 7u);
	else if (off < CTX_BASE && ctx_of(p, off, ENABLE_BASE, ENABLE_STRIDE, &ctx, &reg)) {
		if (reg == 0)
			p->enable[ctx] = (uint32_t)val & SOURCES_MASK;
	} else if (ctx_of(p, off, CTX_BASE, CTX_STRIDE, &ctx, &reg) && reg == 0)
		p->threshold[ctx] = (uint8_t)(val & 7u);
	else if (ctx_of(p, off, CTX_BASE, CTX_STRIDE, &ctx, &reg) && reg == 4 &&
		 val < RV_PLIC_SOURCES && (p->enable[ctx] >> val & 1u))
		p->claimed &= ~(1u << val); /* complete; ignored for a source
					       * this context has not enabled */
	unlock(p);
	return 0;
}

int rv_plic_raise(struct rv_plic *p, uint32_t source)
{
	if (source == 0 || source >= RV_PLIC_SOURCES)
		return AXVM_EINVAL;
	lock(p);
	atomic_fetch_or_explicit(&p->pending, 1u << source, memory_order_relaxed);
	unlock(p);
	return 0;
}

/* rv_plic_pending()'s slow half: something is raised. */
bool rv_plic_pending_locked_scan(struct rv_plic *p, uint32_t ctx)
{
	bool on;

	if (ctx >= p->nctx)
		return false;
	lock(p);
	on = best(p, ctx) != 0;
	unlock(p);
	return on;
}

uint64_t rv_plic_raise_targets(struct rv_plic *p, uint32_t source)
{
	uint64_t mask = 0;

	if (source == 0 || source >= RV_PLIC_SOURCES)
		return 0;
	lock(p);
	for (uint32_t c = 0; c < p->nctx; c++)
		if (p->enable[c] >> source & 1u)
			mask |= 1ull << c;
	unlock(p);
	return mask;
}
