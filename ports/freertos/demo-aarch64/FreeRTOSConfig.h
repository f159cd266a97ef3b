/* SPDX-License-Identifier: Apache-2.0 */
/* FreeRTOS for the EL2 firmware: one core, cooperative (the port layer
 * requires it: ../portable/aarch64-el2/portmacro.h), a 1 kHz tick from the
 * EL2 physical timer, vCPU tasks time-sliced by the tick hook. */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#define configUSE_PREEMPTION 0
#define configUSE_TIME_SLICING 0
#define configUSE_PORT_OPTIMISED_TASK_SELECTION 0
#define configUSE_TICKLESS_IDLE 0
#define configTICK_RATE_HZ 1000
#define configCPU_CLOCK_HZ 1000000000UL
#define configMAX_PRIORITIES 5
#define configMINIMAL_STACK_SIZE 1024 /* words */
#define configMAX_TASK_NAME_LEN 16
#define configTICK_TYPE_WIDTH_IN_BITS TICK_TYPE_WIDTH_64_BITS
#define configIDLE_SHOULD_YIELD 1
#define configTASK_NOTIFICATION_ARRAY_ENTRIES 1
#define configUSE_TASK_NOTIFICATIONS 1
#define configQUEUE_REGISTRY_SIZE 0
#define configUSE_MUTEXES 0
#define configUSE_RECURSIVE_MUTEXES 0
#define configUSE_COUNTING_SEMAPHORES 0
#define configSTACK_DEPTH_TYPE size_t
#define configSUPPORT_STATIC_ALLOCATION 0
#define configSUPPORT_DYNAMIC_ALLOCATION 1
#define configTOTAL_HEAP_SIZE (2 * 1024 * 1024)
#define configUSE_IDLE_HOOK 1 /* WFI while every task waits */
#define configUSE_TICK_HOOK 1 /* axvm_freertos_tick(): vCPU time slices */
#define configUSE_MALLOC_FAILED_HOOK 0
#define configCHECK_FOR_STACK_OVERFLOW 0
#define configUSE_TIMERS 0
#define configUSE_CO_ROUTINES 0
#define configUSE_TRACE_FACILITY 0
#define configGENERATE_RUN_TIME_STATS 0
#define configUSE_STATS_FORMATTING_FUNCTIONS 0

#define INCLUDE_vTaskDelete 1
#define INCLUDE_vTaskDelay 1
#define INCLUDE_xTaskGetCurrentTaskHandle 1
#define INCLUDE_xTaskGetSchedulerState 1

/* board.c: the EL2 physical timer (CNTHP, PPI 26) at configTICK_RATE_HZ. */
void board_tick_start(void);
#define configSETUP_TICK_INTERRUPT() board_tick_start()

void board_assert_failed(const char *file, int line);
#define configASSERT(x)                                                        \
	do {                                                                   \
		if (!(x))                                                      \
			board_assert_failed(__FILE__, __LINE__);               \
	} while (0)

#endif
