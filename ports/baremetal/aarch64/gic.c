/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host GICv3: distributor (once), this CPU's redistributor and its system-
 * register CPU interface, for every EL2 host on QEMU virt (the bare-metal
 * kernel, the FreeRTOS firmware): nothing here knows the host's CPUs. Group 1 only (QEMU virt's GIC has one security
 * state). Priorities follow what the AArch64 backend asks of its host
 * (axvm_aarch64.h): the guest's virtual-timer PPI 27 at the lowest
 * priority, everything the kernel handles above 0xf0.
 */
#include "platform.h"
#include "port.h"

#define GICD_CTLR 0x0000
#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_GRP1 (1u << 1)

#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER 0x6000

#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_SGI 0x10000
#define GICR_IGROUPR0 (GICR_SGI + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI + 0x0100)
#define GICR_ICENABLER0 (GICR_SGI + 0x0180)
#define GICR_ISACTIVER0 (GICR_SGI + 0x0300)
#define GICR_ICACTIVER0 (GICR_SGI + 0x0380)
#define GICR_IPRIORITYR (GICR_SGI + 0x0400)

#define PRIO_HOST 0x80u
#define PRIO_VTIMER 0xf0u /* >= 0xf0: see axvm_aarch64.h */

static volatile uint32_t *reg32(uintptr_t base, unsigned off)
{
	return (volatile uint32_t *)(base + off);
}

void gic_init_dist(void)
{
	*reg32(BM_GICD_BASE, GICD_CTLR) = 0;
	while (*reg32(BM_GICD_BASE, GICD_CTLR) & GICD_CTLR_RWP)
		;
	*reg32(BM_GICD_BASE, GICD_CTLR) = GICD_CTLR_ARE | GICD_CTLR_GRP1;
	while (*reg32(BM_GICD_BASE, GICD_CTLR) & GICD_CTLR_RWP)
		;
}

/* The redistributor frame whose GICR_TYPER affinity matches `mpidr`; 0
 * if there is none. */
static uintptr_t find_redist(uint64_t mpidr)
{
	uint64_t aff = (mpidr & 0xffffffu) | ((mpidr >> 8) & 0xff000000u);

	for (unsigned i = 0; i < 64; i++) {
		uintptr_t rd = BM_GICR_BASE + i * BM_GICR_STRIDE;
		uint64_t typer = *(volatile uint64_t *)(rd + GICR_TYPER);
		if ((typer >> 32) == aff)
			return rd;
		if (typer & (1u << 4)) /* Last */
			break;
	}
	return 0;
}

uintptr_t gic_init_redist(uint64_t mpidr, uint32_t ppis)
{
	uintptr_t rd = find_redist(mpidr);
	uint64_t v;

	if (!rd)
		return 0;
	*reg32(rd, GICR_WAKER) &= ~(1u << 1); /* ProcessorSleep = 0 */
	while (*reg32(rd, GICR_WAKER) & (1u << 2))
		;
	*reg32(rd, GICR_ICENABLER0) = 0xffffffffu;
	*reg32(rd, GICR_IGROUPR0) = 0xffffffffu;
	for (unsigned i = 0; i < 32; i++)
		*(volatile uint8_t *)(rd + GICR_IPRIORITYR + i) =
			(uint8_t)(i == BM_IRQ_VTIMER ? PRIO_VTIMER : PRIO_HOST);
	*reg32(rd, GICR_ISENABLER0) = ppis;

	/* System registers at EL2 (SRE), bypass off, and let EL1 use its own
	 * ICC_SRE_EL1 (Enable): guests reach the virtual interface through it. */
	v = 0xf;
	__asm__ volatile("msr icc_sre_el2, %0; isb" ::"r"(v));
	v = 0xff;
	__asm__ volatile("msr icc_pmr_el1, %0" ::"r"(v));
	v = 0;
	__asm__ volatile("msr icc_bpr1_el1, %0" ::"r"(v));
	__asm__ volatile("msr icc_ctlr_el1, %0" ::"r"(v)); /* EOImode 0 */
	v = 1;
	__asm__ volatile("msr icc_igrpen1_el1, %0; isb" ::"r"(v));
	return rd;
}

uint64_t gic_sgi1r(uint64_t mpidr, uint32_t intid)
{
	uint64_t aff0 = mpidr & 0xf, rs = (mpidr & 0xff) >> 4;

	return ((uint64_t)intid << 24) | (1ull << aff0) | (rs << 44) |
	       (((mpidr >> 8) & 0xff) << 16) | (((mpidr >> 16) & 0xff) << 32) |
	       (((mpidr >> 32) & 0xff) << 48);
}

void gic_send_sgi1r(uint64_t sgi1r)
{
	__asm__ volatile("dsb ishst; msr icc_sgi1r_el1, %0; isb" ::"r"(sgi1r) : "memory");
}

void gic_send_sgi(uint64_t mpidr, uint32_t intid)
{
	gic_send_sgi1r(gic_sgi1r(mpidr, intid));
}

void gic_redist_ppi_set_active(uintptr_t rd, uint32_t intid, bool active)
{
	gic_ppi_active_write(gic_redist_ppi_active_reg(rd, active), intid);
}

volatile uint32_t *gic_redist_ppi_active_reg(uintptr_t rd, bool active)
{
	return reg32(rd, active ? GICR_ISACTIVER0 : GICR_ICACTIVER0);
}

void gic_enable_spi(uint32_t intid, uint64_t mpidr)
{
	uint32_t word = 4 * (intid / 32), bit = 1u << (intid % 32);

	*reg32(BM_GICD_BASE, GICD_IGROUPR + word) |= bit;
	*(volatile uint8_t *)(BM_GICD_BASE + GICD_IPRIORITYR + intid) = PRIO_HOST;
	*(volatile uint64_t *)(BM_GICD_BASE + GICD_IROUTER + 8 * intid) = mpidr & 0xff00ffffffull;
	*reg32(BM_GICD_BASE, GICD_ISENABLER + word) = bit;
}
