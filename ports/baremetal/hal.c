/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct axvm_hal for the bare-metal kernel: a bitmap page allocator over a
 * fixed pool; time, kicks and waits from the target (bm_arch_*).
 * Physical and virtual addresses are the same (identity map at EL2).
 */
#include <string.h>

#include "kernel.h"

#define POOL_PAGES (BM_POOL_SIZE / AXVM_PAGE_SIZE)

static uint64_t pool_map[POOL_PAGES / 64];
static size_t pool_used;
static atomic_flag pool_lock = ATOMIC_FLAG_INIT;

static bool page_busy(size_t i)
{
	return (pool_map[i / 64] >> (i % 64)) & 1u;
}

static void mark(size_t first, size_t count, bool busy)
{
	for (size_t i = first; i < first + count; i++) {
		if (busy)
			pool_map[i / 64] |= 1ull << (i % 64);
		else
			pool_map[i / 64] &= ~(1ull << (i % 64));
	}
}

static int bm_alloc_pages(void *ctx, size_t count, size_t align, axvm_hpa_t *pa)
{
	size_t step, i, n;
	int rc = AXVM_ENOMEM;

	(void)ctx;
	if (!pa || !count || count > POOL_PAGES || align < AXVM_PAGE_SIZE ||
	    (align & (align - 1)))
		return AXVM_ENOMEM;
	step = align / AXVM_PAGE_SIZE; /* the pool base is 1 GiB + 16 MiB aligned */
	while (atomic_flag_test_and_set_explicit(&pool_lock, memory_order_acquire))
		;
	for (i = 0; i + count <= POOL_PAGES; i += step) {
		for (n = 0; n < count && !page_busy(i + n); n++)
			;
		if (n == count) {
			mark(i, count, true);
			pool_used += count;
			*pa = BM_POOL_BASE + i * AXVM_PAGE_SIZE;
			rc = 0;
			break;
		}
	}
	atomic_flag_clear_explicit(&pool_lock, memory_order_release);
	/* Zeroed by contract: guest RAM and tables come from here. */
	if (!rc)
		memset((void *)(uintptr_t)*pa, 0, count * AXVM_PAGE_SIZE);
	return rc;
}

static void bm_free_pages(void *ctx, axvm_hpa_t pa, size_t count)
{
	(void)ctx;
	if (pa < BM_POOL_BASE || pa >= BM_POOL_BASE + BM_POOL_SIZE || (pa & (AXVM_PAGE_SIZE - 1)))
		panic("free_pages: %lx is not from the pool", pa);
	size_t first = (pa - BM_POOL_BASE) / AXVM_PAGE_SIZE;
	if (count > POOL_PAGES - first)
		panic("free_pages: %zu pages at %lx overrun the pool", count, pa);
	while (atomic_flag_test_and_set_explicit(&pool_lock, memory_order_acquire))
		;
	mark(first, count, false);
	pool_used -= count;
	atomic_flag_clear_explicit(&pool_lock, memory_order_release);
}

void bm_pool_stats(size_t *used, size_t *total)
{
	*used = pool_used;
	*total = POOL_PAGES;
}

static void *bm_phys_to_virt(void *ctx, axvm_hpa_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

static axvm_hpa_t bm_virt_to_phys(void *ctx, const void *va)
{
	(void)ctx;
	return (axvm_hpa_t)(uintptr_t)va;
}

/* --- time, CPUs, kicks ------------------------------------------------------ */

void time_delay_ns(uint64_t ns)
{
	uint64_t end = time_now_ns() + ns;

	while (time_now_ns() < end)
		;
}

static uint64_t bm_now_ns(void *ctx)
{
	(void)ctx;
	return time_now_ns();
}

static uint32_t bm_current_pcpu(void *ctx)
{
	(void)ctx;
	return this_cpu()->id;
}

static int bm_kick_pcpu(void *ctx, uint32_t pcpu)
{
	(void)ctx;
	if (pcpu >= bm_ncpus)
		return AXVM_EINVAL;
	if (pcpu == this_cpu()->id) {
		this_cpu()->kicked = true; /* we are not in a guest: just note it */
		bm_kick_received();
		return 0;
	}
	bm_arch_send_kick(pcpu);
	return 0;
}

static void bm_wait_until(void *ctx, uint64_t deadline_ns)
{
	struct percpu *c = this_cpu();

	(void)ctx;
	if (bm_halt_yield())
		return;
	c->slice_waiting = true;
	bm_arch_wait_until(deadline_ns);
	c->slice_waiting = false;
}

static void bm_wait(void *ctx, uint64_t timeout_ns)
{
	bm_wait_until(ctx, time_now_ns() + timeout_ns);
}

static void bm_log(void *ctx, enum axvm_log_level level, const char *msg)
{
	/* Rows, not pointers: no table of addresses beside the text. */
	static const char names[][6] = { "error", "warn", "info", "debug", "log" };
	(void)ctx;
	kprintf("%s: %s\n", names[(unsigned)level < 4 ? (unsigned)level : 4], msg);
}

/* libaxvm is built with AXVM_ONE_HAL=bm_hal (CMakeLists.txt): it calls
 * these hooks directly. */
const struct axvm_hal bm_hal = {
	.alloc_pages = bm_alloc_pages,
	.free_pages = bm_free_pages,
	.phys_to_virt = bm_phys_to_virt,
	.virt_to_phys = bm_virt_to_phys,
	.now_ns = bm_now_ns,
	.current_pcpu = bm_current_pcpu,
	.kick_pcpu = bm_kick_pcpu,
	.wait = bm_wait,
	.wait_until = bm_wait_until,
	.log = bm_log,
};
