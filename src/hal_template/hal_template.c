/* SPDX-License-Identifier: Apache-2.0 */
/* The template HAL: a bitmap frame allocator over one pool, time from a
 * counter, CPU id, kicks and idle from the OS. */
#include <string.h>

#include "axvm_hal_template.h"

/* ---- frames: first-fit over a bitmap, any power-of-two alignment ---- */

static bool bit(const uint8_t *map, size_t i)
{
	return ((unsigned)map[i / 8] >> (i % 8)) & 1u;
}

static void set_bits(uint8_t *map, size_t first, size_t n, bool on)
{
	for (size_t i = first; i < first + n; i++) {
		if (on)
			map[i / 8] = (uint8_t)((unsigned)map[i / 8] | (1u << (i % 8)));
		else
			map[i / 8] = (uint8_t)((unsigned)map[i / 8] & ~(1u << (i % 8)));
	}
}

static uintptr_t pa_of(const struct axvm_template_ctx *c, const void *va)
{
	return (uintptr_t)va - c->os.virt_offset;
}

static int t_alloc_pages(void *ctx, size_t count, size_t align, axvm_hpa_t *pa)
{
	struct axvm_template_ctx *c = ctx;
	struct axvm_template_pool *p = &c->pool;
	uint8_t *map = p->base;

	if (!count || !pa || align < AXVM_PAGE_SIZE || (align & (align - 1)) ||
	    count > p->free_pages)
		return count && pa && align >= AXVM_PAGE_SIZE && !(align & (align - 1))
			       ? AXVM_ENOMEM
			       : AXVM_EINVAL;
	/* Alignment is of the physical address, which is what stage-2 roots
	 * and huge pages need. */
	for (size_t i = p->reserved; i + count <= p->pages;) {
		uintptr_t frame_pa = pa_of(c, p->base + i * AXVM_PAGE_SIZE);
		if (frame_pa & (align - 1)) {
			i++;
			continue;
		}
		size_t run = 0;
		while (run < count && !bit(map, i + run))
			run++;
		if (run == count) {
			set_bits(map, i, count, true);
			p->free_pages -= count;
			/* The HAL contract: frames arrive zeroed. */
			memset(p->base + i * AXVM_PAGE_SIZE, 0, count * AXVM_PAGE_SIZE);
			*pa = frame_pa;
			return 0;
		}
		i += run + 1;
	}
	return AXVM_ENOMEM;
}

static void t_free_pages(void *ctx, axvm_hpa_t pa, size_t count)
{
	struct axvm_template_ctx *c = ctx;
	struct axvm_template_pool *p = &c->pool;
	uintptr_t first_pa = pa_of(c, p->base);
	size_t i;

	/* A foreign or double free is ignored rather than corrupting the map. */
	if (pa < first_pa || (pa - first_pa) % AXVM_PAGE_SIZE)
		return;
	i = (size_t)((pa - first_pa) / AXVM_PAGE_SIZE);
	if (i < p->reserved || i + count > p->pages)
		return;
	for (size_t k = i; k < i + count; k++)
		if (!bit(p->base, k))
			return;
	set_bits(p->base, i, count, false);
	p->free_pages += count;
}

static void *t_phys_to_virt(void *ctx, axvm_hpa_t pa)
{
	struct axvm_template_ctx *c = ctx;
	return (void *)(uintptr_t)(pa + c->os.virt_offset);
}

static axvm_hpa_t t_virt_to_phys(void *ctx, const void *va)
{
	return pa_of(ctx, va);
}

/* ---- time, CPUs, kicks ---- */

static uint64_t t_now_ns(void *ctx)
{
	struct axvm_template_ctx *c = ctx;
	uint64_t t = c->os.read_counter(c->os.ctx), hz = c->os.counter_hz;
	/* Split to avoid overflowing t * 1e9 for counters in the GHz range. */
	return (t / hz) * 1000000000ull + (t % hz) * 1000000000ull / hz;
}

static uint32_t t_current_pcpu(void *ctx)
{
	struct axvm_template_ctx *c = ctx;
	return c->os.cpu_id(c->os.ctx);
}

static int t_kick_pcpu(void *ctx, uint32_t pcpu)
{
	struct axvm_template_ctx *c = ctx;
	/* A sleeper in idle() may be on any CPU, this one included (another
	 * thread of an RTOS); a running vCPU only on another CPU. */
	if (c->os.wake)
		c->os.wake(c->os.ctx, pcpu);
	if (c->os.send_ipi && pcpu != c->os.cpu_id(c->os.ctx))
		c->os.send_ipi(c->os.ctx, pcpu);
	return 0;
}

static void t_wait(void *ctx, uint64_t timeout_ns)
{
	struct axvm_template_ctx *c = ctx;
	c->os.idle(c->os.ctx, timeout_ns);
}

static void t_log(void *ctx, enum axvm_log_level level, const char *msg)
{
	struct axvm_template_ctx *c = ctx;
	(void)level;
	c->os.puts(c->os.ctx, msg);
}

int axvm_template_hal_init(struct axvm_template_ctx *ctx, struct axvm_hal *hal,
			   const struct axvm_template_os *os, void *mem,
			   size_t size)
{
	size_t pages, map_bytes, reserved;

	if (!ctx || !hal || !os || !mem || !os->read_counter || !os->counter_hz ||
	    !os->cpu_id || ((uintptr_t)mem & (AXVM_PAGE_SIZE - 1)))
		return AXVM_EINVAL;
	pages = size / AXVM_PAGE_SIZE;
	map_bytes = (pages + 7) / 8;
	reserved = (map_bytes + AXVM_PAGE_SIZE - 1) / AXVM_PAGE_SIZE;
	if (pages <= reserved)
		return AXVM_EINVAL;
	memset(ctx, 0, sizeof(*ctx));
	ctx->os = *os;
	ctx->pool.base = mem;
	ctx->pool.pages = pages;
	ctx->pool.reserved = reserved;
	ctx->pool.free_pages = pages - reserved;
	memset(mem, 0, reserved * AXVM_PAGE_SIZE);
	set_bits(mem, 0, reserved, true);
	*hal = (struct axvm_hal){
		.ctx = ctx,
		.alloc_pages = t_alloc_pages,
		.free_pages = t_free_pages,
		.phys_to_virt = t_phys_to_virt,
		.virt_to_phys = t_virt_to_phys,
		/* alloc/free left NULL: the core then uses whole frames for its
		 * bookkeeping, which keeps this template allocator-free. */
		.now_ns = t_now_ns,
		.current_pcpu = t_current_pcpu,
		.kick_pcpu = t_kick_pcpu,
		.wait = os->idle ? t_wait : NULL,
		.log = os->puts ? t_log : NULL,
	};
	return 0;
}
