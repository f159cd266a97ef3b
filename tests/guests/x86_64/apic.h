/* SPDX-License-Identifier: Apache-2.0 */
/* The local APIC as the APIC test guests drive it: the xAPIC page at
 * 0xfee00000 (mapped uncached by the ABI's page tables) and the x2APIC
 * MSRs (docs/guest-abi-x86_64.md, "Local APIC"). */
#ifndef GUEST_APIC_H
#define GUEST_APIC_H

#include <stdint.h>

/* Accessors usable from interrupt handlers: they keep every register
 * (no_caller_saved_registers), as clang insists there. */
#define APIC_BASE_GPA 0xfee00000ul
#define APIC_ID 0x020
#define APIC_VER 0x030
#define APIC_TPR 0x080
#define APIC_PPR 0x0a0
#define APIC_EOI 0x0b0
#define APIC_SVR 0x0f0
#define APIC_ISR 0x100
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_TMR_INIT 0x380
#define APIC_TMR_CUR 0x390
#define APIC_TMR_DIV 0x3e0

#define MSR_APIC_BASE 0x1bu
#define MSR_X2APIC(reg) (0x800u + ((reg) >> 4))
#define MSR_X2APIC_SELF_IPI 0x83fu

#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define ICR_INIT 0x4500u /* INIT, assert */
#define ICR_SIPI 0x4600u /* | vector */
#define ICR_SELF (1u << 18)
#define ICR_ALL (2u << 18)
#define ICR_OTHERS (3u << 18)

__attribute__((no_caller_saved_registers)) static inline uint32_t apic_read(unsigned reg)
{
	return *(volatile uint32_t *)(APIC_BASE_GPA + reg);
}

__attribute__((no_caller_saved_registers)) static inline void apic_write(unsigned reg, uint32_t v)
{
	*(volatile uint32_t *)(APIC_BASE_GPA + reg) = v;
}

__attribute__((no_caller_saved_registers)) static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

__attribute__((no_caller_saved_registers)) static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
	                 : "memory");
}

/* An IPI through the xAPIC ICR: destination first, the low word sends. */
static inline void apic_ipi(uint32_t dest, uint32_t icr)
{
	apic_write(APIC_ICR_HI, dest << 24);
	apic_write(APIC_ICR_LO, icr);
}

static inline void apic_enable(void)
{
	apic_write(APIC_SVR, 0x100u | 0xffu); /* software enable, spurious 0xff */
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

#endif
