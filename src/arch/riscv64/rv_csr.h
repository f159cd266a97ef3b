/* SPDX-License-Identifier: Apache-2.0 */
/* CSR access for the RISC-V backend. Hypervisor and Sstc CSRs by number:
 * the toolchain's -march has no H extension, and numbers cannot drift. */
#ifndef AXVM_RV_CSR_H
#define AXVM_RV_CSR_H

#include <stdint.h>

#define CSR_SSTATUS 0x100
#define CSR_SIE 0x104
#define CSR_STVEC 0x105
#define CSR_SSCRATCH 0x140
#define CSR_STIMECMP 0x14d
#define CSR_TIME 0xc01
#define CSR_VSSTATUS 0x200
#define CSR_VSIE 0x204
#define CSR_VSTVEC 0x205
#define CSR_VSSCRATCH 0x240
#define CSR_VSEPC 0x241
#define CSR_VSCAUSE 0x242
#define CSR_VSTVAL 0x243
#define CSR_VSIP 0x244
#define CSR_VSATP 0x280
#define CSR_HSTATUS 0x600
#define CSR_HEDELEG 0x602
#define CSR_HIDELEG 0x603
#define CSR_HIE 0x604
#define CSR_HTIMEDELTA 0x605
#define CSR_HCOUNTEREN 0x606
#define CSR_HENVCFG 0x60a
#define CSR_HIP 0x644
#define CSR_HVIP 0x645
#define CSR_HGATP 0x680

#define RV_STR2(x) #x
#define RV_STR(x) RV_STR2(x)
#define csr_read(csr)                                                          \
	({                                                                     \
		uint64_t v_;                                                   \
		__asm__ volatile("csrr %0, " RV_STR(csr) : "=r"(v_)::"memory"); \
		v_;                                                            \
	})
#define csr_write(csr, val)                                                    \
	__asm__ volatile("csrw " RV_STR(csr) ", %0" ::"rK"((uint64_t)(val)) : "memory")
#define csr_set(csr, val)                                                      \
	__asm__ volatile("csrs " RV_STR(csr) ", %0" ::"rK"((uint64_t)(val)) : "memory")
#define csr_clear(csr, val)                                                    \
	__asm__ volatile("csrc " RV_STR(csr) ", %0" ::"rK"((uint64_t)(val)) : "memory")

#define SSTATUS_SIE (1ull << 1)
#define SSTATUS_SPIE (1ull << 5)
#define SSTATUS_SPP (1ull << 8)
#define SSTATUS_FS (3ull << 13)
#define SSTATUS_FS_INITIAL (1ull << 13)
#define SSTATUS_FS_CLEAN (2ull << 13)
#define SSTATUS_FS_DIRTY (3ull << 13)

#define HSTATUS_VSBE (1ull << 5)
#define HSTATUS_GVA (1ull << 6)
#define HSTATUS_SPV (1ull << 7)
#define HSTATUS_SPVP (1ull << 8)
#define HSTATUS_HU (1ull << 9)
#define HSTATUS_VTVM (1ull << 20)
#define HSTATUS_VTW (1ull << 21)
#define HSTATUS_VTSR (1ull << 22)

/* Interrupts off around a critical section; returns the old sstatus. */
static inline __attribute__((always_inline)) uint64_t rv_irq_save(void)
{
	uint64_t s;
	__asm__ volatile("csrrci %0, sstatus, 2" : "=r"(s)::"memory");
	return s;
}

static inline __attribute__((always_inline)) void rv_irq_restore(uint64_t s)
{
	if (s & SSTATUS_SIE)
		csr_set(CSR_SSTATUS, SSTATUS_SIE);
}

#endif /* AXVM_RV_CSR_H */
