/* SPDX-License-Identifier: Apache-2.0 */
/* Linux host HAL. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "axvm_linux.h"

static int lx_alloc_pages(void *ctx, size_t count, size_t align, axvm_hpa_t *pa)
{
	struct axvm_linux_hal *p = ctx;
	size_t len, map_len;
	uintptr_t base, aligned;
	void *m;

	if (count == 0 || !pa || align < AXVM_PAGE_SIZE || (align & (align - 1)))
		return AXVM_EINVAL;
	if (count > SIZE_MAX / AXVM_PAGE_SIZE)
		return AXVM_ENOMEM;
	if (p->max_pages &&
	    (size_t)atomic_load(&p->live_pages) + count > p->max_pages)
		return AXVM_ENOMEM;
	len = count * AXVM_PAGE_SIZE;
	/* Over-map by align - page and trim, so any power-of-two alignment
	 * works and munmap(len) frees exactly what was handed out. */
	map_len = len + (align - AXVM_PAGE_SIZE);
	if (map_len < len)
		return AXVM_ENOMEM;
	m = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return AXVM_ENOMEM;
	base = (uintptr_t)m;
	aligned = (base + align - 1) & ~(uintptr_t)(align - 1);
	if (aligned > base)
		munmap(m, aligned - base);
	if (aligned + len < base + map_len)
		munmap((void *)(aligned + len), base + map_len - (aligned + len));
	atomic_fetch_add(&p->live_pages, (long)count);
	*pa = (axvm_hpa_t)aligned;
	return 0;
}

static void lx_free_pages(void *ctx, axvm_hpa_t pa, size_t count)
{
	struct axvm_linux_hal *p = ctx;

	if (!pa || !count)
		return;
	munmap((void *)(uintptr_t)pa, count * AXVM_PAGE_SIZE);
	atomic_fetch_sub(&p->live_pages, (long)count);
}

static void *lx_phys_to_virt(void *ctx, axvm_hpa_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

static axvm_hpa_t lx_virt_to_phys(void *ctx, const void *va)
{
	(void)ctx;
	return (axvm_hpa_t)(uintptr_t)va;
}

static void *lx_alloc(void *ctx, size_t size)
{
	struct axvm_linux_hal *p = ctx;
	void *m = calloc(1, size);

	if (m)
		atomic_fetch_add(&p->live_objects, 1);
	return m;
}

static void lx_free(void *ctx, void *ptr, size_t size)
{
	struct axvm_linux_hal *p = ctx;

	(void)size;
	if (!ptr)
		return;
	free(ptr);
	atomic_fetch_sub(&p->live_objects, 1);
}

static uint64_t lx_now_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t lx_current_pcpu(void *ctx)
{
	int cpu = sched_getcpu();

	(void)ctx;
	return cpu < 0 ? 0u : (uint32_t)cpu;
}

/* Threads, not pCPUs, run vCPUs here: a kick wakes every halted waiter
 * (they re-check their own wake flag); backends kick running guests. */
static int lx_kick_pcpu(void *ctx, uint32_t pcpu)
{
	struct axvm_linux_hal *p = ctx;

	(void)pcpu;
	pthread_mutex_lock(&p->lock);
	p->generation++;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

static void lx_wait(void *ctx, uint64_t timeout_ns)
{
	struct axvm_linux_hal *p = ctx;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(timeout_ns / 1000000000u);
	ts.tv_nsec += (long)(timeout_ns % 1000000000u);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->lock);
	unsigned long gen = p->generation;
	while (gen == p->generation) {
		if (pthread_cond_timedwait(&p->cond, &p->lock, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&p->lock);
}

static void lx_log(void *ctx, enum axvm_log_level level, const char *msg)
{
	struct axvm_linux_hal *p = ctx;

	if (level <= p->log_level)
		fprintf(stderr, "%s\n", msg);
}

int axvm_linux_hal_init(struct axvm_linux_hal *port, struct axvm_hal *hal)
{
	pthread_condattr_t attr;

	if (!port || !hal)
		return AXVM_EINVAL;
	atomic_init(&port->live_pages, 0);
	atomic_init(&port->live_objects, 0);
	port->max_pages = 0;
	port->log_level = AXVM_LOG_WARN;
	port->generation = 0;
	if (pthread_mutex_init(&port->lock, NULL))
		return AXVM_ENOMEM;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (pthread_cond_init(&port->cond, &attr)) {
		pthread_condattr_destroy(&attr);
		pthread_mutex_destroy(&port->lock);
		return AXVM_ENOMEM;
	}
	pthread_condattr_destroy(&attr);
	*hal = (struct axvm_hal){
		.ctx = port,
		.alloc_pages = lx_alloc_pages,
		.free_pages = lx_free_pages,
		.phys_to_virt = lx_phys_to_virt,
		.virt_to_phys = lx_virt_to_phys,
		.alloc = lx_alloc,
		.free = lx_free,
		.now_ns = lx_now_ns,
		.current_pcpu = lx_current_pcpu,
		.kick_pcpu = lx_kick_pcpu,
		.wait = lx_wait,
		.log = lx_log,
	};
	return 0;
}

int axvm_linux_hal_fini(struct axvm_linux_hal *port)
{
	if (!port)
		return AXVM_EINVAL;
	if (atomic_load(&port->live_pages) || atomic_load(&port->live_objects))
		return AXVM_EBUSY;
	pthread_cond_destroy(&port->cond);
	pthread_mutex_destroy(&port->lock);
	return 0;
}
