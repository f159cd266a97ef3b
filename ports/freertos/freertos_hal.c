/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct axvm_hal on FreeRTOS, through the template HAL (src/hal_template):
 * its frame pool, and these OS hooks. Sleepers are the tasks inside the
 * HAL's wait; a kick notifies them all, since the core's halt loop
 * re-checks each vCPU's own wake flag after every wait.
 */
#include <string.h>

#include "axvm_freertos.h"

static uint64_t tick_counter(void *ctx)
{
	struct axvm_freertos_hal *p = ctx;
	uint64_t now;

	if (p->opts.clock_ns)
		return p->opts.clock_ns(p->opts.clock_ctx);
	/* TickType_t may be 32 bits: extend it, noticing each wrap (the
	 * core reads the time far more often than once a wrap period). */
	taskENTER_CRITICAL();
	TickType_t t = xTaskGetTickCount();
	if (t < p->tick_last) /* a 64-bit TickType_t never gets here */
		p->tick_high += (uint64_t)portMAX_DELAY + 1;
	p->tick_last = t;
	now = p->tick_high + (uint64_t)t;
	taskEXIT_CRITICAL();
	return now;
}

static uint32_t core_id(void *ctx)
{
	(void)ctx;
#if defined(configNUMBER_OF_CORES) && configNUMBER_OF_CORES > 1
	return (uint32_t)portGET_CORE_ID();
#else
	return 0;
#endif
}

static void send_ipi(void *ctx, uint32_t cpu)
{
	struct axvm_freertos_hal *p = ctx;
	p->opts.send_ipi(p->opts.ctx, cpu);
}

static void wake_sleepers(void *ctx, uint32_t cpu)
{
	struct axvm_freertos_hal *p = ctx;

	(void)cpu; /* any core: a sleeper checks whether the kick was its */
	if (p->quiet_kick)
		return;
	taskENTER_CRITICAL();
	for (unsigned i = 0; i < AXVM_FREERTOS_MAX_TASKS; i++)
		if (p->sleepers[i])
			xTaskNotifyGive(p->sleepers[i]);
	taskEXIT_CRITICAL();
}

static TickType_t ns_to_ticks(uint64_t ns)
{
	uint64_t ticks = ns / (1000000000ull / configTICK_RATE_HZ);

	if (ticks == 0)
		return 1; /* the tick is the finest sleep FreeRTOS has */
	if (ticks >= portMAX_DELAY)
		return portMAX_DELAY - 1;
	return (TickType_t)ticks;
}

/* Sleep on this task's notification until a kick or max_ns. A kick
 * after the slot is taken is never lost: it leaves the notification
 * pending if it beats the take. One before that is missed; the core
 * bounds every wait (AXVM_HALT_POLL_NS), so that costs latency, never a
 * hang. */
void axvm_freertos_sleep(struct axvm_freertos_hal *p, uint64_t max_ns)
{
	TaskHandle_t self = xTaskGetCurrentTaskHandle();
	int slot = -1;

	taskENTER_CRITICAL();
	for (unsigned i = 0; i < AXVM_FREERTOS_MAX_TASKS && slot < 0; i++)
		if (!p->sleepers[i]) {
			p->sleepers[i] = self;
			slot = (int)i;
		}
	taskEXIT_CRITICAL();
	if (slot >= 0 && p->opts.wake_at && p->opts.clock_ns)
		p->opts.wake_at(p->opts.ctx, p->opts.clock_ns(p->opts.clock_ctx) + max_ns);
	/* No slot: sleep without one; a kick then waits for the timeout. */
	ulTaskNotifyTake(pdTRUE, ns_to_ticks(max_ns));
	if (slot >= 0) {
		taskENTER_CRITICAL();
		p->sleepers[slot] = NULL;
		taskEXIT_CRITICAL();
	}
}

void axvm_freertos_wake_from_isr(struct axvm_freertos_hal *p)
{
	BaseType_t woken = pdFALSE;

	if (!p)
		return;
	for (unsigned i = 0; i < AXVM_FREERTOS_MAX_TASKS; i++)
		if (p->sleepers[i])
			vTaskNotifyGiveFromISR(p->sleepers[i], &woken);
	portYIELD_FROM_ISR(woken);
}

/* The HAL's wait. With wait_outside_run, a vCPU task does not block here,
 * inside run() with its vCPU bound: it notes the timeout and interrupts
 * its own vCPU, so run() unbinds and returns AXVM_EINTR, and the task
 * sleeps there (vcpu_task.c). */
static void sleep_until_kick(void *ctx, uint64_t max_ns)
{
	struct axvm_freertos_hal *p = ctx;

	if (p->opts.wait_outside_run) {
		TaskHandle_t self = xTaskGetCurrentTaskHandle();
		for (unsigned i = 0; i < AXVM_FREERTOS_MAX_TASKS; i++) {
			struct axvm_freertos_vcpu_task *t = p->tasks[i];
			if (t && t->handle == self && !t->done) {
				t->wait_ns = max_ns ? max_ns : 1;
				taskENTER_CRITICAL();
				p->quiet_kick = true;
				axvm_vcpu_interrupt(t->vcpu);
				p->quiet_kick = false;
				taskEXIT_CRITICAL();
				return;
			}
		}
	}
	axvm_freertos_sleep(p, max_ns);
}

static void log_line(void *ctx, const char *line)
{
	struct axvm_freertos_hal *p = ctx;
	p->opts.puts(p->opts.ctx, line);
}

int axvm_freertos_hal_init(struct axvm_freertos_hal *port, struct axvm_hal *hal,
			   void *pool, size_t size, const struct axvm_freertos_opts *opts)
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
		.read_counter = tick_counter,
		.counter_hz = port->opts.clock_ns ? 1000000000ull : configTICK_RATE_HZ,
		.cpu_id = core_id,
		.send_ipi = port->opts.send_ipi ? send_ipi : NULL,
		.wake = wake_sleepers,
		.idle = sleep_until_kick,
		.puts = port->opts.puts ? log_line : NULL,
	};
	if ((rc = axvm_template_hal_init(&port->tmpl, hal, &os, pool, size)))
		return rc;
	port->slice_left = port->opts.slice_ticks ? port->opts.slice_ticks : 1;
	return 0;
}

size_t axvm_freertos_free_pages(const struct axvm_freertos_hal *port)
{
	return port ? port->tmpl.pool.free_pages : 0;
}
