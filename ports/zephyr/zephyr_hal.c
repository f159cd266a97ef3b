/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct axvm_hal on Zephyr, through the template HAL (src/hal_template):
 * its frame pool, and these OS hooks.
 */
#include <string.h>

#include <zephyr/sys/printk.h>

#include "axvm_zephyr.h"

static uint64_t uptime_ticks(void *ctx)
{
	(void)ctx;
	return (uint64_t)k_uptime_ticks();
}

static uint32_t cpu_id(void *ctx)
{
	(void)ctx;
#ifdef CONFIG_SMP
	return (uint32_t)arch_curr_cpu()->id;
#else
	return 0;
#endif
}

/* Every sleeper wakes and re-checks its own vCPU: a kick names a CPU,
 * and several vCPU threads may sleep on one. */
static void wake_all(void *ctx, uint32_t cpu)
{
	struct axvm_zephyr_hal *p = ctx;

	(void)cpu;
	k_mutex_lock(&p->lock, K_FOREVER);
	k_condvar_broadcast(&p->kicked);
	k_mutex_unlock(&p->lock);
}

static void sleep_until_kick(void *ctx, uint64_t max_ns)
{
	struct axvm_zephyr_hal *p = ctx;

	k_mutex_lock(&p->lock, K_FOREVER);
	k_condvar_wait(&p->kicked, &p->lock, K_NSEC(max_ns > INT64_MAX ? INT64_MAX : max_ns));
	k_mutex_unlock(&p->lock);
}

#ifdef CONFIG_AXVM_LOG
static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	printk("axvm: %s\n", line);
}
#endif

int axvm_zephyr_hal_init(struct axvm_zephyr_hal *port, struct axvm_hal *hal, void *pool,
			 size_t size)
{
	struct axvm_template_os os = {
		.ctx = port,
		.read_counter = uptime_ticks,
		.counter_hz = CONFIG_SYS_CLOCK_TICKS_PER_SEC,
		.cpu_id = cpu_id,
		.wake = wake_all,
		.idle = sleep_until_kick,
#ifdef CONFIG_AXVM_LOG
		.puts = log_line,
#endif
	};
	int rc;

	if (!port || !hal)
		return AXVM_EINVAL;
	memset(port, 0, sizeof(*port));
	if (!pool) {
		pool = port->allocated = k_aligned_alloc(AXVM_PAGE_SIZE, size);
		if (!pool)
			return AXVM_ENOMEM;
	}
	k_mutex_init(&port->lock);
	k_condvar_init(&port->kicked);
	if ((rc = axvm_template_hal_init(&port->tmpl, hal, &os, pool, size))) {
		k_free(port->allocated);
		port->allocated = NULL;
	}
	return rc;
}

void axvm_zephyr_hal_fini(struct axvm_zephyr_hal *port)
{
	if (port && port->allocated) {
		k_free(port->allocated);
		port->allocated = NULL;
	}
}

size_t axvm_zephyr_free_pages(const struct axvm_zephyr_hal *port)
{
	return port ? port->tmpl.pool.free_pages : 0;
}
