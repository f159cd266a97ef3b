/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct axvm_hal on Zephyr, through the template HAL (src/hal_template):
 * its frame pool, and these OS hooks.
 */
#include <string.h>

#include <zephyr/sys/printk.h>

#include "axvm_zephyr.h"

/* The counter the template turns into ns, and its rate. */
static uint64_t read_counter(void *ctx)
{
	struct axvm_zephyr_hal *p = ctx;

	if (p->opts.clock_ns)
		return p->opts.clock_ns(p->opts.clock_ctx);
#ifdef CONFIG_AXVM_CLOCK_CYCLES
	return k_cycle_get_64();
#else
	return (uint64_t)k_uptime_ticks();
#endif
}

static uint64_t counter_hz(const struct axvm_zephyr_hal *p)
{
	if (p->opts.clock_ns)
		return 1000000000ull;
#ifdef CONFIG_AXVM_CLOCK_CYCLES
	return (uint64_t)sys_clock_hw_cycles_per_sec();
#else
	return CONFIG_SYS_CLOCK_TICKS_PER_SEC;
#endif
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
 * and several vCPU threads may sleep on one. The gives happen outside
 * the spinlock so a woken thread can preempt us at once; one that lands
 * on a slot freed (or retaken) meanwhile is only a spurious wake-up. */
static void wake_all(void *ctx, uint32_t cpu)
{
	struct axvm_zephyr_hal *p = ctx;
	bool busy[CONFIG_AXVM_MAX_SLEEPERS];
	k_spinlock_key_t key = k_spin_lock(&p->lock);

	(void)cpu;
	for (unsigned i = 0; i < CONFIG_AXVM_MAX_SLEEPERS; i++)
		busy[i] = p->sleepers[i].busy;
	k_spin_unlock(&p->lock, key);
	for (unsigned i = 0; i < CONFIG_AXVM_MAX_SLEEPERS; i++)
		if (busy[i])
			k_sem_give(&p->sleepers[i].sem); /* ISR-safe */
}

/* Sleep on a slot's semaphore until a kick or max_ns. A kick that lands
 * before the slot is taken is missed; the core bounds every wait
 * (AXVM_HALT_POLL_NS), so that costs latency, never a hang. */
static void sleep_until_kick(void *ctx, uint64_t max_ns)
{
	struct axvm_zephyr_hal *p = ctx;
	struct axvm_zephyr_sleeper *s = NULL;
	k_spinlock_key_t key = k_spin_lock(&p->lock);

	for (unsigned i = 0; i < CONFIG_AXVM_MAX_SLEEPERS && !s; i++)
		if (!p->sleepers[i].busy) {
			s = &p->sleepers[i];
			s->busy = true;
			/* Drop a stale give (one that landed after the
			 * previous sleeper left); from here on every kick
			 * counts. */
			k_sem_reset(&s->sem);
		}
	k_spin_unlock(&p->lock, key);
	k_timeout_t t = K_NSEC(max_ns > INT64_MAX ? INT64_MAX : (int64_t)max_ns);
	if (!s) { /* every slot taken: a plain timed sleep */
		k_sleep(t);
		return;
	}
	(void)k_sem_take(&s->sem, t);
	key = k_spin_lock(&p->lock);
	s->busy = false;
	k_spin_unlock(&p->lock, key);
}

#ifdef CONFIG_AXVM_LOG
static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	printk("axvm: %s\n", line);
}
#endif

int axvm_zephyr_hal_init(struct axvm_zephyr_hal *port, struct axvm_hal *hal, void *pool,
			 size_t size, const struct axvm_zephyr_opts *opts)
{
	struct axvm_template_os os;
	int rc;

	if (!port || !hal)
		return AXVM_EINVAL;
	memset(port, 0, sizeof(*port));
	if (opts)
		port->opts = *opts;
	os = (struct axvm_template_os){
		.ctx = port,
		.read_counter = read_counter,
		.counter_hz = counter_hz(port),
		.cpu_id = cpu_id,
		.wake = wake_all,
		.idle = sleep_until_kick,
#ifdef CONFIG_AXVM_LOG
		.puts = log_line,
#endif
	};
	if (!pool) {
		pool = port->allocated = k_aligned_alloc(AXVM_PAGE_SIZE, size);
		if (!pool)
			return AXVM_ENOMEM;
	}
	for (unsigned i = 0; i < CONFIG_AXVM_MAX_SLEEPERS; i++)
		k_sem_init(&port->sleepers[i].sem, 0, 1);
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
