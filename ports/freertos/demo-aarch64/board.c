/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The board under the FreeRTOS firmware: QEMU virt, EL2, GICv3, one CPU.
 * Interrupt priorities follow what the AArch64 backend asks of its host
 * (axvm_aarch64.h): the guest's virtual-timer PPI 27 at 0xf0, the lowest
 * the GIC keeps, and the firmware's own (the FreeRTOS tick) above it.
 */
#include "FreeRTOS.h"
#include "task.h"

#include "axvm_aarch64.h"
#include "board.h"
#include "kernel.h" /* the bare-metal console's hooks and kprintf */
#include "port.h"   /* psci_smc(), the vector hooks */

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1u << 5)

static uintptr_t redist; /* this CPU's redistributor */
static uint64_t tick_period, tick_cval;
static uint64_t wake_cval = UINT64_MAX; /* board_wake_at(), in counter ticks */
static void (*wake_fn)(void *arg);
static void *wake_arg;
static volatile uint64_t ticks, stray_irqs, wakes;

static volatile uint32_t *reg32(uintptr_t base, unsigned off)
{
	return (volatile uint32_t *)(base + off);
}

/* --- console: the bare-metal console.c prints through these ---------------- */

void bm_arch_putc(char c)
{
	while (*reg32(BM_UART_BASE, UART_FR) & UART_FR_TXFF)
		;
	*reg32(BM_UART_BASE, UART_DR) = (uint32_t)(unsigned char)c;
}

uint64_t bm_arch_irq_save(void)
{
	uint64_t daif;

	__asm__ volatile("mrs %0, daif; msr daifset, #2" : "=r"(daif)::"memory");
	return daif;
}

void bm_arch_irq_restore(uint64_t flags)
{
	__asm__ volatile("msr daif, %0" ::"r"(flags) : "memory");
}

/* --- GICv3 ----------------------------------------------------------------------- */

/* The backend's hook (axvm_a64_set_ppi_active): while a guest holds its
 * HW-mapped virtual timer interrupt, the physical PPI stays active. */
static void ppi_set_active(uint32_t intid, bool active)
{
	gic_redist_ppi_set_active(redist, intid, active);
}

static void gic_init(void)
{
	uint64_t mpidr;

	gic_init_dist();
	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	/* The tick, and the two PPIs that make a running guest exit. */
	redist = gic_init_redist(mpidr, (1u << BM_IRQ_HYP_TIMER) | (1u << BM_IRQ_MAINT) |
					       (1u << BM_IRQ_VTIMER));
	if (!redist) {
		kprintf("freertos-a64: no GIC redistributor for this CPU\n");
		board_power_off();
	}
}

void board_init(void)
{
	gic_init();
	axvm_a64_set_ppi_active(ppi_set_active);
}

/* --- time and the tick ----------------------------------------------------------- */

static uint64_t cntfrq(void)
{
	uint64_t f;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	return f;
}

static uint64_t cntpct(void)
{
	uint64_t c;
	__asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(c));
	return c;
}

uint64_t board_now_ns(void)
{
	uint64_t f = cntfrq(), c = cntpct();

	return (c / f) * 1000000000ull + (c % f) * 1000000000ull / f;
}

/* The EL2 physical timer (CNTHP) is the firmware's: the backend switches
 * only the guest's EL1 timers. It goes off at the next tick or the
 * earliest wake-up, whichever comes first. Called with IRQs masked. */
static void timer_program(void)
{
	uint64_t cval = wake_cval < tick_cval ? wake_cval : tick_cval;

	__asm__ volatile("msr cnthp_cval_el2, %0; mov x9, #1; msr cnthp_ctl_el2, x9; isb"
			 ::"r"(cval) : "x9", "memory");
}

void board_tick_start(void)
{
	tick_period = cntfrq() / configTICK_RATE_HZ;
	tick_cval = cntpct() + tick_period;
	timer_program();
}

void board_set_wake_handler(void (*fn)(void *arg), void *arg)
{
	wake_fn = fn;
	wake_arg = arg;
}

void board_wake_at(void *ctx, uint64_t deadline_ns)
{
	const uint64_t f = cntfrq(), s = deadline_ns / 1000000000ull;
	/* ns to counter ticks, rounded up; beyond ~500 years: never. */
	uint64_t cval = s > UINT64_MAX / f / 2
				? UINT64_MAX
				: s * f + ((deadline_ns % 1000000000ull) * f + 999999999ull) / 1000000000ull;
	uint64_t flags = bm_arch_irq_save();

	(void)ctx;
	if (cval < wake_cval) {
		wake_cval = cval;
		if (tick_period) /* the scheduler runs: the timer is ours */
			timer_program();
	}
	bm_arch_irq_restore(flags);
}

/* FreeRTOS time follows the counter: ticks missed while QEMU's CPU was
 * descheduled (a loaded host) or IRQs were masked are counted now, up to
 * a second's worth; beyond that the tick restarts from now. */
static void timer_irq(void)
{
	uint64_t now = cntpct();
	unsigned n = 0;

	if (wake_cval <= now) {
		wake_cval = UINT64_MAX;
		wakes++;
		if (wake_fn)
			wake_fn(wake_arg);
	}
	while (tick_cval <= now && n < configTICK_RATE_HZ) {
		tick_cval += tick_period;
		ticks++;
		n++;
		/* Cooperative kernel: a task this unblocks runs at the next
		 * yield, so the result (switch wanted) is not acted on. */
		(void)xTaskIncrementTick();
	}
	if (tick_cval <= now)
		tick_cval = now + tick_period;
	timer_program();
}

uint64_t board_ticks(void)
{
	return ticks;
}

uint64_t board_stray_irqs(void)
{
	return stray_irqs;
}

uint64_t board_wakes(void)
{
	return wakes;
}

/* --- the vectors' hooks ------------------------------------------------------------ */

void bm_irq_handler(void)
{
	for (int n = 0; n < 16; n++) {
		uint64_t iar;
		__asm__ volatile("mrs %0, icc_iar1_el1" : "=r"(iar));
		uint32_t id = (uint32_t)(iar & 0xffffff);
		if (id >= 1020)
			break;
		if (id == BM_IRQ_HYP_TIMER)
			timer_irq();
		else
			stray_irqs++; /* a guest's PPI, caught in a window */
		__asm__ volatile("msr icc_eoir1_el1, %0; isb" ::"r"(iar));
	}
}

void bm_fatal_exception(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far)
{
	kprintf("freertos-a64: EL2 exception %lu: ESR %lx ELR %lx FAR %lx\nfreertos-a64: FAIL\n",
		kind, esr, elr, far);
	board_power_off();
}

void board_assert_failed(const char *file, int line)
{
	kprintf("freertos-a64: FreeRTOS assertion failed at %s:%d\nfreertos-a64: FAIL\n", file,
		line);
	board_power_off();
}

_Noreturn void board_power_off(void)
{
	psci_smc(0x84000008, 0, 0, 0); /* SYSTEM_OFF */
	for (;;)
		__asm__ volatile("wfi");
}

/* FreeRTOS here is single-core: the other CPUs are never started. */
void bm_secondary_main(uint64_t id)
{
	(void)id;
	for (;;)
		__asm__ volatile("wfi");
}
