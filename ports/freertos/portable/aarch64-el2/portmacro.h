/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FreeRTOS port layer for AArch64 at EL2 without VHE (libaxvm's own; the
 * kernel's GCC/ARM_AARCH64* ports run at EL1 or EL3 only). FreeRTOS shares
 * EL2 with libaxvm's AArch64 backend, which owns the EL1 registers of the
 * vCPU bound to this core, so tasks switch only where a task yields (a
 * plain call, no exception-level registers involved) and never from an
 * interrupt: the backend's per-core guest state stays with the task that
 * bound it. Hence configUSE_PREEMPTION must be 0; time slices between vCPU
 * tasks come from axvm_freertos_tick() (ports/freertos/axvm_freertos.h).
 *
 * The board supplies the tick: FreeRTOSConfig.h defines
 * configSETUP_TICK_INTERRUPT() (called before the first task runs), and
 * the board's tick interrupt calls xTaskIncrementTick().
 */
#ifndef PORTMACRO_H
#define PORTMACRO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define portCHAR char
#define portFLOAT float
#define portDOUBLE double
#define portLONG long
#define portSHORT short
#define portSTACK_TYPE uint64_t
#define portBASE_TYPE long

typedef portSTACK_TYPE StackType_t;
typedef long BaseType_t;
typedef unsigned long UBaseType_t;

#if configTICK_TYPE_WIDTH_IN_BITS != TICK_TYPE_WIDTH_64_BITS
#error "aarch64-el2: set configTICK_TYPE_WIDTH_IN_BITS to TICK_TYPE_WIDTH_64_BITS"
#endif
typedef uint64_t TickType_t;
#define portMAX_DELAY ((TickType_t)0xffffffffffffffffULL)
#define portTICK_TYPE_IS_ATOMIC 1 /* one 64-bit load */

#define portSTACK_GROWTH (-1)
#define portTICK_PERIOD_MS ((TickType_t)1000 / configTICK_RATE_HZ)
#define portBYTE_ALIGNMENT 16
#define portPOINTER_SIZE_TYPE uint64_t

/* Scheduling: a yield is a call that saves the callee-saved registers. */
void vPortYield(void);
#define portYIELD() vPortYield()
/* Interrupts never switch tasks (see above): a task woken from an ISR
 * runs at the next yield, which a cooperative kernel makes soon. */
#define portEND_SWITCHING_ISR(x) ((void)(x))
#define portYIELD_FROM_ISR(x) portEND_SWITCHING_ISR(x)

/* Critical sections mask IRQs (PSTATE.I) and nest; the state before the
 * outermost one comes back at its end, so they are safe in an ISR too. */
void vPortEnterCritical(void);
void vPortExitCritical(void);
UBaseType_t uxPortSetInterruptMask(void);
void vPortClearInterruptMask(UBaseType_t mask);

#define portDISABLE_INTERRUPTS() __asm volatile("msr daifset, #2" ::: "memory")
#define portENABLE_INTERRUPTS() __asm volatile("msr daifclr, #2" ::: "memory")
#define portENTER_CRITICAL() vPortEnterCritical()
#define portEXIT_CRITICAL() vPortExitCritical()
#define portSET_INTERRUPT_MASK_FROM_ISR() uxPortSetInterruptMask()
#define portCLEAR_INTERRUPT_MASK_FROM_ISR(x) vPortClearInterruptMask(x)

#define portTASK_FUNCTION_PROTO(vFunction, pvParameters) void vFunction(void *pvParameters)
#define portTASK_FUNCTION(vFunction, pvParameters) void vFunction(void *pvParameters)

#define portNOP() __asm volatile("nop")
#define portINLINE __inline
#define portFORCE_INLINE inline __attribute__((always_inline))
#define portMEMORY_BARRIER() __asm volatile("" ::: "memory")
#define portDONT_DISCARD __attribute__((used))

#ifdef __cplusplus
}
#endif
#endif /* PORTMACRO_H */
