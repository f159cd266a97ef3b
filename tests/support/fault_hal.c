/* SPDX-License-Identifier: Apache-2.0 */
#include "fault_hal.h"

static struct fault_hal *F(void *ctx) { return ctx; }

/* The allocation counter decides: fail exactly the fail_at-th attempt. */
static int should_fail(struct fault_hal *f)
{
	long n = atomic_fetch_add(&f->allocs, 1) + 1;
	if (f->fail_at && n == f->fail_at) {
		atomic_store(&f->failed, true);
		return 1;
	}
	return 0;
}

static int fh_alloc_pages(void *ctx, size_t count, size_t align, axvm_hpa_t *pa)
{
	struct fault_hal *f = F(ctx);
	int rc;

	if (should_fail(f))
		return AXVM_ENOMEM;
	rc = f->base->alloc_pages(f->base->ctx, count, align, pa);
	if (!rc) {
		atomic_fetch_add(&f->live, 1);
		atomic_fetch_add(&f->live_pages, (long)count);
	}
	return rc;
}

static void fh_free_pages(void *ctx, axvm_hpa_t pa, size_t count)
{
	struct fault_hal *f = F(ctx);
	atomic_fetch_sub(&f->live, 1);
	atomic_fetch_sub(&f->live_pages, (long)count);
	f->base->free_pages(f->base->ctx, pa, count);
}

static void *fh_alloc(void *ctx, size_t size)
{
	struct fault_hal *f = F(ctx);
	void *p;

	if (should_fail(f))
		return NULL;
	p = f->base->alloc(f->base->ctx, size);
	if (p)
		atomic_fetch_add(&f->live, 1);
	return p;
}

static void fh_free(void *ctx, void *ptr, size_t size)
{
	struct fault_hal *f = F(ctx);
	if (!ptr)
		return;
	atomic_fetch_sub(&f->live, 1);
	f->base->free(f->base->ctx, ptr, size);
}

static void *fh_p2v(void *ctx, axvm_hpa_t pa) { return F(ctx)->base->phys_to_virt(F(ctx)->base->ctx, pa); }
static axvm_hpa_t fh_v2p(void *ctx, const void *va) { return F(ctx)->base->virt_to_phys(F(ctx)->base->ctx, va); }
static uint64_t fh_now(void *ctx) { return F(ctx)->base->now_ns(F(ctx)->base->ctx); }
static uint32_t fh_pcpu(void *ctx) { return F(ctx)->base->current_pcpu(F(ctx)->base->ctx); }
static int fh_kick(void *ctx, uint32_t pcpu) { return F(ctx)->base->kick_pcpu(F(ctx)->base->ctx, pcpu); }
static void fh_wait(void *ctx, uint64_t ns) { F(ctx)->base->wait(F(ctx)->base->ctx, ns); }
static void fh_log(void *ctx, enum axvm_log_level l, const char *m) { F(ctx)->base->log(F(ctx)->base->ctx, l, m); }

void fault_hal_init(struct fault_hal *f, const struct axvm_hal *base)
{
	f->base = base;
	atomic_init(&f->allocs, 0);
	atomic_init(&f->live, 0);
	atomic_init(&f->live_pages, 0);
	atomic_init(&f->failed, false);
	f->fail_at = 0;
	f->hal = (struct axvm_hal){
		.ctx = f,
		.alloc_pages = fh_alloc_pages,
		.free_pages = fh_free_pages,
		.phys_to_virt = fh_p2v,
		.virt_to_phys = fh_v2p,
		.alloc = base->alloc ? fh_alloc : NULL,
		.free = base->free ? fh_free : NULL,
		.now_ns = fh_now,
		.current_pcpu = fh_pcpu,
		.kick_pcpu = fh_kick,
		.wait = base->wait ? fh_wait : NULL,
		.log = base->log ? fh_log : NULL,
	};
}
