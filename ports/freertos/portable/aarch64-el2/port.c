/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FreeRTOS on AArch64 at EL2 (non-VHE), cooperative: see portmacro.h for
 * why. A task's saved context is the frame vPortYield() pushes on its own
 * stack (portASM.S), so a new task starts as if it had yielded once.
 */
#include "FreeRTOS.h"
#include "task.h"

#if configUSE_PREEMPTION != 0
#error "aarch64-el2: tasks switch only where they yield; set configUSE_PREEMPTION 0"
#endif
#if configNUMBER_OF_CORES > 1
#error "aarch64-el2: single core only"
#endif

/* The frame portASM.S saves and loads (keep in step with it): X19..X30,
 * then DAIF, the critical nesting and the DAIF the outermost critical
 * section found, then one pad word to keep SP 16-byte aligned. */
enum {
	FRAME_X19 = 0,
	FRAME_X20 = 1,
	FRAME_X29 = 10,
	FRAME_X30 = 11,
	FRAME_DAIF = 12,
	FRAME_NESTING = 13,
	FRAME_SAVED_DAIF = 14,
	FRAME_WORDS = 16,
};

#define DAIF_I (1u << 7)

/* Not zero before the scheduler runs: kernel calls made by main() (task
 * creation) enter and leave critical sections, and must not unmask IRQs
 * there. The first task's frame sets it to 0. */
portDONT_DISCARD volatile uint64_t ullPortCriticalNesting = 0xaaaaaaaaULL;
portDONT_DISCARD volatile uint64_t ullPortSavedDaif = DAIF_I;

void vPortStartFirstTask(void);  /* portASM.S */
void vPortTaskTrampoline(void);  /* portASM.S */

static void prvTaskExitError(void)
{
	/* A task function returned: FreeRTOS tasks end with vTaskDelete(). */
	configASSERT(0);
	portDISABLE_INTERRUPTS();
	for (;;)
		__asm volatile("wfi");
}

StackType_t *pxPortInitialiseStack(StackType_t *pxTopOfStack, TaskFunction_t pxCode,
				   void *pvParameters)
{
	StackType_t *sp = (StackType_t *)((uintptr_t)pxTopOfStack & ~(uintptr_t)15);

	sp -= FRAME_WORDS;
	for (int i = 0; i < FRAME_WORDS; i++)
		sp[i] = 0;
	sp[FRAME_X19] = (StackType_t)(uintptr_t)pvParameters;
	sp[FRAME_X20] = (StackType_t)(uintptr_t)pxCode;
	sp[FRAME_X29] = 0; /* end of the frame chain */
	sp[FRAME_X30] = (StackType_t)(uintptr_t)vPortTaskTrampoline;
	sp[FRAME_DAIF] = 0; /* IRQs on */
	sp[FRAME_NESTING] = 0;
	sp[FRAME_SAVED_DAIF] = 0;
	return sp;
}

/* Called from vPortTaskTrampoline when a task function returns. */
portDONT_DISCARD void vPortTaskReturned(void);
void vPortTaskReturned(void)
{
	prvTaskExitError();
}

BaseType_t xPortStartScheduler(void)
{
	portDISABLE_INTERRUPTS();
	configSETUP_TICK_INTERRUPT();
	vPortStartFirstTask();
	return pdFALSE; /* not reached */
}

void vPortEndScheduler(void)
{
	/* Not supported: the firmware powers the board off instead. */
}

static inline uint64_t daif_read(void)
{
	uint64_t v;
	__asm volatile("mrs %0, daif" : "=r"(v));
	return v;
}

void vPortEnterCritical(void)
{
	uint64_t daif = daif_read();

	portDISABLE_INTERRUPTS();
	if (ullPortCriticalNesting++ == 0)
		ullPortSavedDaif = daif;
}

void vPortExitCritical(void)
{
	if (ullPortCriticalNesting == 0)
		return;
	if (--ullPortCriticalNesting == 0)
		__asm volatile("msr daif, %0" ::"r"(ullPortSavedDaif) : "memory");
}

UBaseType_t uxPortSetInterruptMask(void)
{
	uint64_t daif = daif_read();

	portDISABLE_INTERRUPTS();
	return (UBaseType_t)daif;
}

void vPortClearInterruptMask(UBaseType_t mask)
{
	__asm volatile("msr daif, %0" ::"r"((uint64_t)mask) : "memory");
}
