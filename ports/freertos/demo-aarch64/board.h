/* SPDX-License-Identifier: Apache-2.0 */
/* QEMU virt at EL2 for the FreeRTOS firmware: console, GICv3, the tick,
 * the clock, power. The EL2 entry, identity map and vectors are the
 * bare-metal kernel's (ports/baremetal/aarch64/boot.S), which calls
 * bm_main(), bm_irq_handler() and bm_fatal_exception(). */
#ifndef FREERTOS_A64_BOARD_H
#define FREERTOS_A64_BOARD_H

#include <stdbool.h>
#include <stdint.h>

/* Console UART and GIC (distributor, this CPU's redistributor, its
 * system-register interface at EL2). Interrupts stay masked. */
void board_init(void);
/* The counter CNTPCT in ns (the HAL's clock, the guests' time base). */
uint64_t board_now_ns(void);
/* A one-shot wake-up beside the tick, on the same EL2 timer (the
 * earliest pending deadline wins): at deadline_ns (board_now_ns() time)
 * the timer interrupt calls fn(arg). fn is set once; ctx is unused (the
 * HAL's wake_at signature). */
void board_set_wake_handler(void (*fn)(void *arg), void *arg);
void board_wake_at(void *ctx, uint64_t deadline_ns);
/* What the board saw, for the report. */
uint64_t board_ticks(void);
uint64_t board_stray_irqs(void);
uint64_t board_wakes(void); /* board_wake_at() deadlines reached */
/* PSCI SYSTEM_OFF: QEMU exits with status 0. */
_Noreturn void board_power_off(void);

#endif
