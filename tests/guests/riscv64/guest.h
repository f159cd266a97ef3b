/* SPDX-License-Identifier: Apache-2.0 */
/* Test-guest support: console, SBI and hypercalls, PLIC, timer, traps,
 * checks. The guest side of docs/guest-abi-riscv64.md. */
#ifndef GUEST_H
#define GUEST_H

#include "glib.h"

/* Guest-physical map */
#define UART_BASE 0x10000000ul
#define TESTDEV_BASE 0x11000000ul
#define PLIC_BASE 0x0c000000ul
#define UNMAPPED_MMIO 0x20000000ul
/* The inter-VM channel the ivc QEMU cases configure (docs/ivc.md). */
#define IVC_DOORBELL 0x12000000ul
#define IVC_SHM 0x90000000ul
#define IVC_IRQ 6u /* PLIC source */
#define GUEST_ARCH "riscv64"
#define RAM_BASE 0x80000000ul
#define TIMEBASE_HZ 10000000ull

/* SBI extensions */
#define SBI_EXT_LEGACY_SET_TIMER 0x00u
#define SBI_EXT_LEGACY_PUTCHAR 0x01u
#define SBI_EXT_LEGACY_GETCHAR 0x02u
#define SBI_EXT_LEGACY_SHUTDOWN 0x08u
#define SBI_EXT_BASE 0x10u
#define SBI_EXT_TIME 0x54494d45u
#define SBI_EXT_IPI 0x735049u
#define SBI_EXT_RFENCE 0x52464e43u
#define SBI_EXT_HSM 0x48534du
#define SBI_EXT_SRST 0x53525354u
#define SBI_EXT_DBCN 0x4442434eu
#define SBI_EXT_HYPERCALL 0x0a000000u

#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)
#define SBI_ERR_INVALID_ADDRESS (-5)
#define SBI_ERR_ALREADY_AVAILABLE (-6)

/* The bare-metal kernel's hypercalls (a6 = number) */
#define HC_ADD 0x100u
#define HC_PUTNUM 0x101u
#define HC_RAISE_IRQ 0x102u

/* scause values */
#define CAUSE_IRQ (1ull << 63)
#define IRQ_SOFT 1u
#define IRQ_TIMER 5u
#define IRQ_EXT 9u
#define SIE_SSIE (1ul << 1)
#define SIE_STIE (1ul << 5)
#define SIE_SEIE (1ul << 9)

/* Sv39 page-table entry bits and satp's mode, for guests that page. */
#define PTE_V (1ul << 0)
#define PTE_R (1ul << 1)
#define PTE_W (1ul << 2)
#define PTE_X (1ul << 3)
#define PTE_A (1ul << 6)
#define PTE_D (1ul << 7)
#define SATP_SV39 (8ul << 60)

struct sbiret {
	int64_t error;
	uint64_t value;
};

struct sbiret sbi6(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2,
		   uint64_t a3, uint64_t a4, uint64_t a5);
static inline struct sbiret sbi(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1,
				uint64_t a2)
{
	return sbi6(ext, fid, a0, a1, a2, 0, 0, 0);
}
void set_timer(uint64_t when);
void send_ipi(uint64_t mask, uint64_t base);
extern char guest_secondary_entry[];
extern char guest_secondary_entry_rvc[]; /* the same, at 2 mod 4 */

/* Traps: interrupts go to irq_hook (cause without the top bit);
 * exceptions to exc_hook, which returns where to resume; without a hook
 * an exception fails the guest. */
extern void (*irq_hook)(uint64_t irq);
extern uint64_t (*exc_hook)(uint64_t cause, uint64_t epc, uint64_t tval);

static inline void irq_enable(void) { __asm__ volatile("csrsi sstatus, 2" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("csrci sstatus, 2" ::: "memory"); }
static inline void sie_set(unsigned long b) { __asm__ volatile("csrs sie, %0" ::"r"(b) : "memory"); }
static inline void sie_clear(unsigned long b) { __asm__ volatile("csrc sie, %0" ::"r"(b) : "memory"); }
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
static inline uint64_t rdtime(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

/* PLIC (the emulated one: context = hart id) */
void plic_set_priority(uint32_t src, uint32_t prio);
void plic_enable(uint32_t ctx, uint32_t src);
void plic_set_threshold(uint32_t ctx, uint32_t t);
uint32_t plic_claim(uint32_t ctx);
void plic_complete(uint32_t ctx, uint32_t src);

/* MMIO: full-size loads and stores, whatever the compiler would pick. */
#define MMIO_RD(name, insn, type)                                                   \
	static inline type name(uintptr_t a)                                        \
	{                                                                           \
		uint64_t v;                                                         \
		__asm__ volatile(".option push\n.option norvc\n" insn " %0, 0(%1)\n" \
				 ".option pop" : "=r"(v) : "r"(a) : "memory");      \
		return (type)v;                                                     \
	}
#define MMIO_WR(name, insn, type)                                                   \
	static inline void name(uintptr_t a, type v)                                \
	{                                                                           \
		__asm__ volatile(".option push\n.option norvc\n" insn " %0, 0(%1)\n" \
				 ".option pop" ::"r"(v), "r"(a) : "memory");        \
	}
MMIO_RD(r8, "lbu", uint8_t)
MMIO_RD(r16, "lhu", uint16_t)
MMIO_RD(r32, "lwu", uint32_t)
MMIO_RD(r64, "ld", uint64_t)
MMIO_RD(r8s, "lb", int64_t)
MMIO_RD(r16s, "lh", int64_t)
MMIO_RD(r32s, "lw", int64_t)
MMIO_WR(w8, "sb", uint8_t)
MMIO_WR(w16, "sh", uint16_t)
MMIO_WR(w32, "sw", uint32_t)
MMIO_WR(w64, "sd", uint64_t)

/* Ordering for docs/ivc.md: stores to shared memory before a doorbell
 * (an MMIO store). */
static inline void io_wmb(void) { __asm__ volatile("fence w,o" ::: "memory"); }

/* For guests that wait on one device interrupt (tests/guests/common):
 * route PLIC source `irq` to hart 0 and call fn when it arrives; wait
 * for it with interrupts masked (they are taken, then masked again). */
void guest_irq_route(uint32_t irq, void (*fn)(void));
void guest_wait_irq(void);
static inline uint64_t guest_ticks(void) { return rdtime(); }
static inline uint64_t guest_ticks_hz(void) { return TIMEBASE_HZ; }

#endif
