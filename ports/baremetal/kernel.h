/* SPDX-License-Identifier: Apache-2.0 */
/* The bare-metal kernel's internal interfaces. */
#ifndef BM_KERNEL_H
#define BM_KERNEL_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <axvm/axvm.h>

#include "platform.h"

/* One per physical CPU; TPIDR_EL2 points at the running CPU's. */
struct percpu {
	uint32_t id;
	uint64_t mpidr;
	volatile bool kicked;      /* set by the kick SGI's handler */
	atomic_bool online;
	uint64_t irqs;             /* interrupts handled */
	uint64_t kicks;            /* kick SGIs received */
	uint64_t waits, early_waits; /* HAL waits, and those ended early */
	uint64_t stray_irqs;       /* interrupts that were not ours */
};

extern struct percpu bm_cpus[BM_MAX_CPUS];
extern uint32_t bm_ncpus;

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ volatile("mrs %0, tpidr_el2" : "=r"(p));
	return p;
}

/* console.c */
void uart_init(void);
void uart_putc(char c);
void kputs(const char *s);   /* whole string under the console lock */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* gic.c */
void gic_init_dist(void);
void gic_init_cpu(void);
void gic_send_sgi(uint64_t target_mpidr, uint32_t intid);

/* time (hal.c) */
uint64_t time_now_ns(void);
void time_delay_ns(uint64_t ns);

/* psci (boot.S): SMC conduit (QEMU virt with virtualization=on). */
uint64_t psci_smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
_Noreturn void board_power_off(void);

/* hal.c */
void bm_hal_init(struct axvm_hal *hal);
void bm_pool_stats(size_t *used, size_t *total);

/* devices.c: the emulated devices the kernel gives each guest. */
#define BM_GUEST_UART_GPA 0x09000000ull
#define BM_GUEST_TESTDEV_GPA 0x0a000000ull
#define BM_GUEST_TESTDEV_SIZE 0x1000ull
struct bm_vm_devs;
struct bm_vm_devs *bm_devs_create(const char *vm_name);
int bm_devs_add(struct bm_vm_devs *d, struct axvm_config *cfg);
void bm_devs_flush(struct bm_vm_devs *d);

/* main.c */
void bm_irq_handler(void);

#endif
