/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libaxvm on FreeRTOS: the HAL (struct axvm_hal) and one task per vCPU.
 *
 *   static uint8_t pool[4 << 20] __attribute__((aligned(4096)));
 *   static struct axvm_freertos_hal port;
 *   struct axvm_hal hal;
 *   axvm_freertos_hal_init(&port, &hal, pool, sizeof(pool), NULL);
 *   axvm_init(&hal, &your_backend, &host);
 *
 * Frames come from the pool you give (FreeRTOS's heaps align to 8 bytes,
 * page tables need 4096); time from the tick count, or from a finer clock
 * you pass in the options; the CPU id from portGET_CORE_ID() on SMP builds
 * (0 otherwise). A halted vCPU sleeps on its task notification; a kick
 * notifies every sleeper, which re-checks its own state. Call
 * axvm_freertos_tick() from vApplicationTickHook() to time-slice vCPU tasks
 * that share a core (docs/ports.md).
 */
#ifndef AXVM_FREERTOS_H
#define AXVM_FREERTOS_H

#include <axvm/axvm.h>

#include "FreeRTOS.h"
#include "task.h"

#include "axvm_hal_template.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXVM_FREERTOS_MAX_TASKS
#define AXVM_FREERTOS_MAX_TASKS 16 /* vCPU tasks, and HAL sleepers */
#endif

struct axvm_freertos_opts {
	/* Optional: a monotonic clock finer than the tick, in ns. */
	uint64_t (*clock_ns)(void *ctx);
	void *clock_ctx;
	/* Optional: interrupt another core (FreeRTOS SMP with a bare-metal
	 * backend); backends with their own kick (KVM) do not need it. */
	void (*send_ipi)(void *ctx, uint32_t core);
	/* Optional, with clock_ns: a one-shot timer finer than the tick. A
	 * sleeper's timeout is armed on it (clock_ns time; the board keeps
	 * the earliest), and its interrupt calls axvm_freertos_wake_from_isr(),
	 * so a halted vCPU whose guest timer is due before the next tick
	 * wakes on time. Called with the sleeper registered. */
	void (*wake_at)(void *ctx, uint64_t deadline_ns);
	/* Optional: where the library's log lines go. */
	void (*puts)(void *ctx, const char *line);
	void *ctx; /* for send_ipi, wake_at and puts */
	/* Ticks a vCPU task runs before axvm_freertos_tick() makes it yield
	 * (0: 1). */
	uint32_t slice_ticks;
	/* Set with a bare-metal backend (AArch64 EL2, RISC-V HS): a bound
	 * vCPU's state lives in this core's registers, so a halted vCPU task
	 * must leave run() (unbind) before it blocks and lets another vCPU
	 * task bind here. Its HAL wait then ends run() with AXVM_EINTR and the
	 * task sleeps outside it. Not needed with KVM, whose state is per
	 * thread. */
	bool wait_outside_run;
};

struct axvm_freertos_vcpu_task;

struct axvm_freertos_hal {
	struct axvm_template_ctx tmpl;
	struct axvm_freertos_opts opts;
	TickType_t tick_last;   /* the tick count extended to 64 bits */
	uint64_t tick_high;
	TaskHandle_t sleepers[AXVM_FREERTOS_MAX_TASKS];
	struct axvm_freertos_vcpu_task *tasks[AXVM_FREERTOS_MAX_TASKS];
	uint32_t slice_left;
	/* A kick a vCPU task makes to leave its own halt (or the tick hook to
	 * end a slice) is nobody else's news: sleepers are left alone then.
	 * Set with interrupts masked on one core; with FreeRTOS SMP it would
	 * have to be per core. */
	bool quiet_kick;
};

/* Fill `hal` for FreeRTOS over the frame pool [pool, pool + size) (4 KiB
 * aligned). `opts` may be NULL. 0, or AXVM_EINVAL for a bad pool. */
int axvm_freertos_hal_init(struct axvm_freertos_hal *port, struct axvm_hal *hal,
			   void *pool, size_t size, const struct axvm_freertos_opts *opts);

/* Frames still free in the pool (for leak checks). */
size_t axvm_freertos_free_pages(const struct axvm_freertos_hal *port);

/* What a vCPU task does when run() returns something it cannot handle
 * itself: return true to run again, false to end the task. Runs in the
 * vCPU's task. */
typedef bool (*axvm_freertos_exit_fn)(void *ctx, struct axvm_vcpu *vcpu, int rc,
				      const struct axvm_exit *exit);

struct axvm_freertos_vcpu_task {
	struct axvm_freertos_hal *port;
	struct axvm_vcpu *vcpu; /* a reference the task owns and puts */
	axvm_freertos_exit_fn on_exit;
	void *ctx;
	TaskHandle_t handle;
	TaskHandle_t notify_on_end; /* gets a notification when the task ends */
	volatile bool done;
	uint64_t wait_ns; /* a halt wait deferred until run() returned */
};

/* Start a task running `vcpu` (its reference passes to the task): it
 * loops in axvm_vcpu_run(), yields when run() returns AXVM_EINTR (a
 * slice ended), waits while the vCPU is off (after a CPU-down exit, until
 * a CPU-up notifies the task or a poll finds it on), ends on AXVM_ESHUTDOWN or
 * when on_exit() says so, then notifies `notify_on_end` (may be NULL).
 * `t` must stay valid until t->done. 0, AXVM_EBUSY (too many tasks) or
 * AXVM_ENOMEM (xTaskCreate failed). */
int axvm_freertos_vcpu_task_start(struct axvm_freertos_hal *port,
				  struct axvm_freertos_vcpu_task *t, struct axvm_vcpu *vcpu,
				  const char *name, UBaseType_t priority,
				  configSTACK_DEPTH_TYPE stack_words, axvm_freertos_exit_fn on_exit,
				  void *ctx, TaskHandle_t notify_on_end);

/* The HAL's wait, for the calling task: sleep on its notification until a
 * kick or max_ns (vcpu_task.c uses it for a deferred halt wait). */
void axvm_freertos_sleep(struct axvm_freertos_hal *port, uint64_t max_ns);

/* From the interrupt of opts.wake_at's timer: wake every sleeper (each
 * re-checks its own state). */
void axvm_freertos_wake_from_isr(struct axvm_freertos_hal *port);

/* From vApplicationTickHook(): every slice_ticks, if the running task is
 * a vCPU task, ask its vCPU to return from run() so the task yields. */
void axvm_freertos_tick(struct axvm_freertos_hal *port);

#ifdef __cplusplus
}
#endif
#endif /* AXVM_FREERTOS_H */
