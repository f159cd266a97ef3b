/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bare-metal kernel's internal interfaces. The kernel is one program
 * for every target: main.c (VMs and the per-pCPU scheduler), hal.c (the
 * page pool and the HAL), console.c and devices.c are shared; each target
 * directory (aarch64/, riscv64/) supplies boot code, platform.h and the
 * `bm_arch_*` hooks below.
 */
#ifndef BM_KERNEL_H
#define BM_KERNEL_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <axvm/axvm.h>

#include "platform.h"

/* One per physical CPU. */
struct percpu {
	uint32_t id;
	uint64_t hwid;             /* MPIDR or hart id */
	volatile bool kicked;      /* set by the kick interrupt's handler */
	atomic_bool online;
	uint64_t irqs;             /* interrupts handled */
	uint64_t kicks;            /* kick interrupts received */
	uint64_t waits, early_waits; /* HAL waits, and those ended early */
	uint64_t stray_irqs;       /* interrupts that were not ours */
	/* The vCPU running on a time slice (when others share this pCPU),
	 * and when the slice ends; set and read on this CPU only, by the
	 * scheduler and the timer interrupt. */
	struct axvm_vcpu *volatile slice_vcpu;
	volatile uint64_t slice_end; /* UINT64_MAX: until a kick */
	volatile bool slice_waiting; /* the slice's vCPU is halted in the HAL's wait */
	volatile bool slice_idle;    /* it gave up the pCPU while halted */
	uint64_t slices;           /* slices that ended with a switch */
};

extern struct percpu bm_cpus[BM_MAX_CPUS];
extern uint32_t bm_ncpus;

/* console.c */
void kputs(const char *s);   /* whole string under the console lock */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* hal.c */
void bm_hal_init(struct axvm_hal *hal);
void bm_pool_stats(size_t *used, size_t *total);
void time_delay_ns(uint64_t ns);

/* devices.c: the emulated devices the kernel gives each guest. */
struct bm_vm_devs;
struct bm_vm_devs *bm_devs_create(const char *vm_name);
int bm_devs_add(struct bm_vm_devs *d, struct axvm_config *cfg);
void bm_devs_flush(struct bm_vm_devs *d);
/* A byte the guest wrote to its console, by whatever path: lines go to
 * the kernel console prefixed "[vmname] ". */
void bm_devs_putc(struct bm_vm_devs *d, char c);

/* --- what each target supplies (aarch64/arch.c, riscv64/arch.c) --------------- */

/* Boot CPU: console and shared interrupt hardware, before anything prints. */
void bm_arch_early_init(void);
/* This CPU: its percpu pointer, local interrupt setup, interrupts on. */
void bm_arch_cpu_setup(struct percpu *c);
/* Start the other CPUs (each ends in bm_secondary_main); sets bm_ncpus. */
void bm_arch_start_secondaries(void);
/* Wait until CPU `id`, which its firmware took to start, is online
 * (main.c); panics if it never comes. */
void bm_wait_online(uint32_t id);
struct percpu *this_cpu(void);
void bm_arch_putc(char c);
uint64_t time_now_ns(void);
/* Interrupt CPU `pcpu` (its handler sets ->kicked). */
void bm_arch_send_kick(uint32_t pcpu);
/* Sleep until an interrupt or `timeout_ns`; returns at once if this CPU
 * was kicked (the flag is checked with interrupts masked). Leaves the host
 * timer armed for this CPU's time slice, if one runs. */
void bm_arch_wait(uint64_t timeout_ns);
/* Counter ticks at `hz` for `ns`, rounded up: a timer compare value that
 * fires at or after the time (no overflow for any ns below UINT64_MAX). */
static inline uint64_t bm_ticks_at_or_after(uint64_t ns, uint64_t hz)
{
	return ns / 1000000000ull * hz + (ns % 1000000000ull * hz + 999999999ull) / 1000000000ull;
}
/* Arm this CPU's host timer for time_now_ns() == deadline_ns (0 or
 * UINT64_MAX: disarm). Its interrupt, silenced, calls bm_timer_fired(). */
void bm_arch_timer_at(uint64_t deadline_ns);
_Noreturn void board_power_off(void);
/* The backend, set up for this machine. */
const struct axvm_arch_ops *bm_arch_ops(void);
/* How the CPU runs the kernel, for the banner ("CurrentEL = 2"). */
void bm_arch_describe(char *buf, size_t size);
/* The target's guest contract, as data the shared kernel acts on. */
struct bm_guest_contract {
	uint32_t image_magic;     /* at entry + 0x38: the Linux image header's */
	uint32_t dtb_reg;         /* boot vCPU register for the DTB's address */
	uint64_t down_reset;      /* the SYSTEM_DOWN code that asks for a reboot */
	const char *down_off_name, *down_reset_name, *cpu_off_name; /* for the log */
};
extern const struct bm_guest_contract bm_guest;
/* The Linux layout (built with AXVM_BM_LINUX; BM_LINUX_SLOT): an
 * image loaded at host `ram_hpa + image_off`, whose
 * boot protocol header is checked and, if it asks, moved to where it
 * wants to be; `*entry_gpa` is then its entry. 0 or a negative AXVM_E*. */
int bm_arch_linux_place(uint64_t ram_hpa, uint64_t ram_size, uint64_t image_off,
			uint64_t *entry_gpa);
/* The guest UART and any target-only devices. */
int bm_arch_devs_add(struct bm_vm_devs *d, struct axvm_config *cfg);

/* main.c */
void bm_main(void);
void bm_secondary_main(uint64_t id);
/* The host timer went off on this CPU (interrupt context). */
void bm_timer_fired(void);
/* A kick reached this CPU (interrupt context, or a kick to itself). */
void bm_kick_received(void);
/* Called by the HAL's wait, i.e. by a halted vCPU: true if it was told to
 * give the pCPU to a vCPU with work (its run() returns AXVM_EINTR). */
bool bm_halt_yield(void);

#endif
