/* SPDX-License-Identifier: Apache-2.0 */
/* AArch64 target internals: GICv3 and PSCI. */
#ifndef BM_A64_PORT_H
#define BM_A64_PORT_H

#include <stdbool.h>
#include <stdint.h>

/* gic.c: the GIC, shared by the EL2 hosts (no kernel state) */
void gic_init_dist(void);
/* Wake and set up the redistributor of the CPU with affinity `mpidr` and
 * this CPU's interface; enable the PPIs/SGIs in the `ppis` mask. Returns
 * the redistributor frame, 0 if the GIC has none for `mpidr`. */
uintptr_t gic_init_redist(uint64_t mpidr, uint32_t ppis);
/* A PPI's active state in redistributor `rd`. */
void gic_redist_ppi_set_active(uintptr_t rd, uint32_t intid, bool active);
/* Redistributor `rd`'s GICR_ISACTIVER0 (active) or GICR_ICACTIVER0: a PPI's
 * bit written there sets or clears its active state. */
volatile uint32_t *gic_redist_ppi_active_reg(uintptr_t rd, bool active);
/* Write PPI `intid`'s bit to such a register, complete before the caller
 * goes on: a guest entered next must not find the PPI still inactive, nor
 * its timer signal before the clear. Inline: the timer's placement on every
 * wake-up calls it. */
static inline void gic_ppi_active_write(volatile uint32_t *reg, uint32_t intid)
{
	*reg = 1u << (intid & 31u);
	__asm__ volatile("dsb sy" ::: "memory");
}
void gic_send_sgi(uint64_t target_mpidr, uint32_t intid);
/* The ICC_SGI1R_EL1 value that sends SGI `intid` to the CPU with affinity
 * `mpidr`, and the send of such a value (an SGI sent often, worked out
 * once). */
uint64_t gic_sgi1r(uint64_t target_mpidr, uint32_t intid);
void gic_send_sgi1r(uint64_t sgi1r);
/* Enable SPI `intid`, Group 1, routed to the CPU with affinity `mpidr`. */
void gic_enable_spi(uint32_t intid, uint64_t mpidr);

/* arch.c: this pCPU's redistributor, for the kernel */
void gic_init_cpu(void);
void gic_ppi_set_active(uint32_t intid, bool active);

/* boot.S: SMC conduit (QEMU virt with virtualization=on). */
uint64_t psci_smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);

/* Exception entry points (boot.S calls them). */
void bm_irq_handler(void);
void bm_fatal_exception(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far);

#endif
