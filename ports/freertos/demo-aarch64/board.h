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
/* What the board saw, for the report. */
uint64_t board_ticks(void);
uint64_t board_stray_irqs(void);
/* PSCI SYSTEM_OFF: QEMU exits with status 0. */
_Noreturn void board_power_off(void);

#endif
