/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libaxvm on Zephyr: the HAL (struct axvm_hal) and one k_thread per vCPU.
 *
 *   static struct axvm_zephyr_hal port;
 *   struct axvm_hal hal;
 *   axvm_zephyr_hal_init(&port, &hal, NULL, 4 << 20, NULL); // k_aligned_alloc'd
 *   axvm_init(&hal, &axvm_arch_kvm, &host);
 *
 * Frames come from one 4 KiB-aligned pool (yours, or k_aligned_alloc()
 * from the system heap); time from the 64-bit cycle counter
 * (CONFIG_AXVM_CLOCK_CYCLES) or k_uptime_ticks(), or from a clock you pass
 * in the options; the CPU id from arch_curr_cpu()->id on SMP builds. A
 * halted vCPU sleeps on its own k_sem in a sleeper slot; a kick gives
 * every occupied slot's semaphore, and each sleeper re-checks its own
 * vCPU. See docs/ports.md.
 */
#ifndef AXVM_ZEPHYR_H
#define AXVM_ZEPHYR_H

#include <zephyr/kernel.h>
#include <zephyr/spinlock.h>

#include <axvm/axvm.h>

#include "axvm_hal_template.h"

#ifdef __cplusplus
extern "C" {
#endif

struct axvm_zephyr_opts {
	/* Optional: a monotonic clock in ns to use instead of the kernel's.
	 * native_sim needs one: its kernel time is simulated and stands
	 * still while a thread runs (a vCPU in KVM_RUN, a busy loop). */
	uint64_t (*clock_ns)(void *ctx);
	void *clock_ctx;
};

/* A thread inside the HAL's wait hook; `sem` is what a kick gives. */
struct axvm_zephyr_sleeper {
	struct k_sem sem;
	bool busy;
};

struct axvm_zephyr_hal {
	struct axvm_template_ctx tmpl;
	struct axvm_zephyr_opts opts;
	struct k_spinlock lock; /* guards sleepers[].busy */
	struct axvm_zephyr_sleeper sleepers[CONFIG_AXVM_MAX_SLEEPERS];
	void *allocated; /* the pool, when the HAL allocated it */
};

/* Fill `hal` over the frame pool [pool, pool + size) (4 KiB aligned), or
 * over `size` bytes from k_aligned_alloc() when pool is NULL. `opts` may
 * be NULL. 0, AXVM_ENOMEM, or AXVM_EINVAL for a bad pool. */
int axvm_zephyr_hal_init(struct axvm_zephyr_hal *port, struct axvm_hal *hal, void *pool,
			 size_t size, const struct axvm_zephyr_opts *opts);
/* Give back a pool the HAL allocated (after axvm_fini()). */
void axvm_zephyr_hal_fini(struct axvm_zephyr_hal *port);
/* Frames still free in the pool (for leak checks). */
size_t axvm_zephyr_free_pages(const struct axvm_zephyr_hal *port);

/* What a vCPU thread does when run() returns something it cannot handle
 * itself: true to run again, false to end the thread. */
typedef bool (*axvm_zephyr_exit_fn)(void *ctx, struct axvm_vcpu *vcpu, int rc,
				    const struct axvm_exit *exit);

struct axvm_zephyr_vcpu_thread {
	struct k_thread thread;
	struct axvm_vcpu *vcpu; /* a reference the thread owns and puts */
	axvm_zephyr_exit_fn on_exit;
	void *ctx;
	struct k_sem *done_sem; /* given when the thread ends (may be NULL) */
	volatile bool done;
};

/* Start a thread running `vcpu` on `stack` (K_THREAD_STACK_DEFINE'd, of
 * `stack_size`): it loops in axvm_vcpu_run(), yields on AXVM_EINTR, sleeps
 * while the vCPU is off, ends on AXVM_ESHUTDOWN or when on_exit() says so.
 * The vCPU reference passes to the thread. 0 or AXVM_EINVAL. */
int axvm_zephyr_vcpu_thread_start(struct axvm_zephyr_vcpu_thread *t, struct axvm_vcpu *vcpu,
				  k_thread_stack_t *stack, size_t stack_size, int prio,
				  axvm_zephyr_exit_fn on_exit, void *ctx, struct k_sem *done_sem);

#ifdef __cplusplus
}
#endif
#endif /* AXVM_ZEPHYR_H */
