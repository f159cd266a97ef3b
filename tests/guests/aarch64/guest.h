/* SPDX-License-Identifier: Apache-2.0 */
/* Test-guest support: console, PSCI and hypercalls, GIC, timer, checks.
 * The guest side of docs/guest-abi-aarch64.md. */
#ifndef GUEST_H
#define GUEST_H

#include "glib.h"

/* Guest-physical map */
#define UART_BASE 0x09000000ul
#define TESTDEV_BASE 0x0a000000ul
#define GICD_BASE 0x08000000ul
#define GICR_BASE 0x080a0000ul
#define GICR_STRIDE 0x20000ul
#define UNMAPPED_MMIO 0x0c000000ul
/* The inter-VM channel the ivc QEMU cases configure (docs/ivc.md). */
#define IVC_DOORBELL 0x0b000000ul
#define IVC_SHM 0x50000000ul
#define IVC_IRQ 40u /* SPI 8 */
#define GUEST_ARCH "aarch64"

/* PSCI function ids */
#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0xc4000003u
#define PSCI_AFFINITY_INFO 0xc4000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au

/* The bare-metal kernel's hypercalls */
#define HC_ADD 0x100u
#define HC_PUTNUM 0x101u
#define HC_RAISE_IRQ 0x102u

#define IRQ_VTIMER 27u

/* SMCCC calls */
int64_t hvc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
int64_t hvc6(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
	     uint64_t a5, uint64_t a6);
int64_t smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
void psci_system_off(void);
void psci_cpu_off(void);
extern char guest_secondary_entry[];

_Noreturn void guest_fatal(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far);

/* FP/SIMD (fp.S) */
void fp_enable(void);
void fp_fill(uint64_t seed);
unsigned fp_check(uint64_t seed);
unsigned fp_nonzero(void);

/* identity */
uint32_t cpu_index(void);

/* GIC (emulated distributor/redistributor, virtual CPU interface) */
void gic_dist_enable(void);
void gic_cpu_init(void);
void gic_enable_irq(uint32_t intid);
void gic_disable_irq(uint32_t intid);
void gic_send_sgi(uint32_t intid, uint32_t target_index);
extern void (*irq_hook)(uint32_t intid);
/* Synchronous exceptions at EL1 go here when set; returns where to resume. */
extern uint64_t (*sync_hook)(uint64_t esr, uint64_t elr, uint64_t far);
static inline void irq_enable(void) { __asm__ volatile("msr daifclr, #2" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("msr daifset, #2" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("dsb sy; wfi" ::: "memory"); }

/* timer */
static inline uint64_t cntfrq(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}
static inline uint64_t cntvct(void)
{
	uint64_t v;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}
static inline void cntv_tval(uint64_t v) { __asm__ volatile("msr cntv_tval_el0, %0; isb" ::"r"(v)); }
static inline void cntv_ctl(uint64_t v) { __asm__ volatile("msr cntv_ctl_el0, %0; isb" ::"r"(v)); }
static inline uint64_t cntv_ctl_read(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, cntv_ctl_el0" : "=r"(v));
	return v;
}

/* MMIO: plain LDR/STR, never a writeback or pair form the compiler might
 * pick for a loop (those carry no syndrome, see the guest ABI). */
static inline void w32(uintptr_t a, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" ::"r"(v), "r"(a) : "memory");
}
static inline uint32_t r32(uintptr_t a)
{
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}
static inline void w64(uintptr_t a, uint64_t v)
{
	__asm__ volatile("str %0, [%1]" ::"r"(v), "r"(a) : "memory");
}
static inline uint64_t r64(uintptr_t a)
{
	uint64_t v;
	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}
static inline void w8(uintptr_t a, uint8_t v)
{
	__asm__ volatile("strb %w0, [%1]" ::"r"(v), "r"(a) : "memory");
}
static inline uint8_t r8(uintptr_t a)
{
	uint32_t v;
	__asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return (uint8_t)v;
}
static inline void w16(uintptr_t a, uint16_t v)
{
	__asm__ volatile("strh %w0, [%1]" ::"r"(v), "r"(a) : "memory");
}
static inline uint16_t r16(uintptr_t a)
{
	uint32_t v;
	__asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return (uint16_t)v;
}

/* Ordering for docs/ivc.md: stores to shared memory before a doorbell
 * (an MMIO store), and shared-memory stores among themselves. */
static inline void io_wmb(void) { __asm__ volatile("dsb st" ::: "memory"); }

/* For guests that wait on one device interrupt (tests/guests/common):
 * route `irq` to vCPU 0 and call fn when it arrives; wait for it with
 * interrupts masked (they are taken, then masked again); the counter. */
void guest_irq_route(uint32_t irq, void (*fn)(void));
void guest_wait_irq(void);
static inline uint64_t guest_ticks(void) { return cntvct(); }
static inline uint64_t guest_ticks_hz(void) { return cntfrq(); }

#endif
