/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FreeRTOS firmware that is a hypervisor: FreeRTOS-Kernel at EL2 on QEMU
 * virt (our port layer, ../portable/aarch64-el2), libaxvm's AArch64
 * backend underneath, the HAL and vCPU tasks of ports/freertos. It boots
 * the guests the manifest names (guests.h), one FreeRTOS task per vCPU,
 * checks that each went down with PASS, checks that the frame pool is
 * whole again, prints PASS or FAIL and powers the board off.
 */
#include "FreeRTOS.h"
#include "task.h"

#include "axvm_aarch64.h"
#include "axvm_freertos.h"
#include "board.h"
#include "guests.h"
#include "kernel.h" /* kprintf, the placement scheme (platform.h) */

#define GUEST_TIMEOUT_MS 20000u
#define MAIN_STACK_WORDS 4096u

static struct axvm_freertos_hal port;
static struct axvm_hal hal;

static uint64_t clock_ns(void *ctx)
{
	(void)ctx;
	return board_now_ns();
}

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	kprintf("axvm: %s\n", line);
}

/* board_wake_at()'s deadline came: a halted vCPU's guest timer is due. */
static void wake_sleepers(void *arg)
{
	axvm_freertos_wake_from_isr(arg);
}

static void main_task(void *arg)
{
	/* Same page pool as the bare-metal kernel's (platform.h): VM, vCPU
	 * and stage-2 table pages. */
	const struct axvm_freertos_opts opts = {
		.clock_ns = clock_ns, .wake_at = board_wake_at, .puts = log_line,
		.slice_ticks = 1, .wait_outside_run = true,
	};
	struct axvm_host *host = NULL;
	size_t free_before = 0, free_after = 0;
	unsigned failed = 0;
	int rc;

	(void)arg;
	board_set_wake_handler(wake_sleepers, &port);
	rc = axvm_freertos_hal_init(&port, &hal, (void *)BM_POOL_BASE, BM_POOL_SIZE, &opts);
	free_before = axvm_freertos_free_pages(&port); /* before the host's own pages */
	if (rc || (rc = axvm_init(&hal, &axvm_arch_aarch64, &host))) {
		kprintf("freertos-a64: libaxvm setup failed: %s\n", axvm_strerror(rc));
		failed++;
	} else {
		failed += guests_run(host, &port, GUEST_TIMEOUT_MS);
		if ((rc = axvm_fini(host))) {
			kprintf("freertos-a64: axvm_fini: %s\n", axvm_strerror(rc));
			failed++;
		}
		free_after = axvm_freertos_free_pages(&port);
		kprintf("freertos-a64: frame pool: %lu of %lu free pages back\n",
			(unsigned long)free_after, (unsigned long)free_before);
		failed += free_after != free_before;
	}
	kprintf("freertos-a64: %lu FreeRTOS ticks, %lu timed wake-ups, %lu stray guest interrupts\n",
		(unsigned long)board_ticks(), (unsigned long)board_wakes(),
		(unsigned long)board_stray_irqs());
	kprintf("freertos-a64: %s\n", failed ? "FAIL" : "PASS");
	board_power_off();
}

/* boot.S: CPU 0 at EL2, MMU and caches on, IRQs masked, on its boot
 * stack; FreeRTOS takes over from here. */
void bm_main(void)
{
	uint64_t el;

	board_init();
	__asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
	kprintf("freertos-a64: FreeRTOS-Kernel %s (revision %s) at EL%lu, non-VHE, one core\n",
		tskKERNEL_VERSION_NUMBER, AXVM_FREERTOS_REVISION, (unsigned long)(el >> 2));
	if (xTaskCreate(main_task, "main", MAIN_STACK_WORDS, NULL, tskIDLE_PRIORITY + 1, NULL) !=
	    pdPASS) {
		kprintf("freertos-a64: cannot create the main task\nfreertos-a64: FAIL\n");
		board_power_off();
	}
	vTaskStartScheduler();
	kprintf("freertos-a64: the scheduler returned\nfreertos-a64: FAIL\n");
	board_power_off();
}

/* --- FreeRTOS hooks --------------------------------------------------------------- */

void vApplicationTickHook(void);
void vApplicationTickHook(void)
{
	axvm_freertos_tick(&port);
}

/* Every task waits: sleep until the next interrupt (the tick at least). */
void vApplicationIdleHook(void);
void vApplicationIdleHook(void)
{
	__asm__ volatile("dsb sy; wfi" ::: "memory");
}
