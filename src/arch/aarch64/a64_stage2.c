/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Minimal private stage-2 tables: 4 KiB granule, 32-bit IPA (4 GiB guest
 * physical space), walk starting at level 1; 2 MiB blocks where the range
 * allows, 4 KiB pages elsewhere. This stands in for the core's generic
 * page-table engine (addrspace.h's ARMv8 stage-2 format) until it lands;
 * the backend then takes the root the core hands to vcpu_setup().
 */
#include <string.h>

#include "a64.h"
#include "a64_sysreg.h"

#define S2_IPA_BITS 32u
#define S2_VALID (1ull << 0)
#define S2_TABLE (1ull << 1)       /* table (L1/L2) or page (L3) */
#define S2_MEMATTR_NORMAL (0xfull << 2) /* outer/inner write-back */
#define S2_MEMATTR_DEVICE (0x1ull << 2) /* Device-nGnRE */
#define S2_AP_R (1ull << 6)
#define S2_AP_W (1ull << 7)
#define S2_SH_INNER (3ull << 8)
#define S2_AF (1ull << 10)
#define S2_XN (1ull << 54)
#define S2_ADDR_MASK 0x0000fffffffff000ull

static uint64_t *table_va(const struct axvm_hal *hal, axvm_hpa_t pa)
{
	return hal->phys_to_virt(hal->ctx, pa);
}

int a64_s2_init(const struct axvm_hal *hal, struct a64_s2 *s2)
{
	axvm_hpa_t pa;

	if (hal->alloc_pages(hal->ctx, 1, AXVM_PAGE_SIZE, &pa))
		return AXVM_ENOMEM;
	memset(table_va(hal, pa), 0, AXVM_PAGE_SIZE);
	s2->root = pa;
	s2->tables = 1;
	return 0;
}

static void free_level(const struct axvm_hal *hal, axvm_hpa_t pa, unsigned level)
{
	uint64_t *t = table_va(hal, pa);

	for (unsigned i = 0; level < 3 && i < 512; i++) {
		if ((t[i] & (S2_VALID | S2_TABLE)) == (S2_VALID | S2_TABLE))
			free_level(hal, t[i] & S2_ADDR_MASK, level + 1);
	}
	hal->free_pages(hal->ctx, pa, 1);
}

void a64_s2_destroy(const struct axvm_hal *hal, struct a64_s2 *s2)
{
	if (s2->root)
		free_level(hal, s2->root, 1);
	s2->root = 0;
	s2->tables = 0;
}

static uint64_t leaf_attrs(uint32_t flags)
{
	uint64_t d = S2_VALID | S2_AF;

	if (flags & (AXVM_MEM_DEVICE | AXVM_MEM_UNCACHED))
		d |= S2_MEMATTR_DEVICE;
	else
		d |= S2_MEMATTR_NORMAL | S2_SH_INNER;
	if (flags & AXVM_MEM_READ)
		d |= S2_AP_R;
	if (flags & AXVM_MEM_WRITE)
		d |= S2_AP_W;
	if (!(flags & AXVM_MEM_EXEC) || (flags & AXVM_MEM_DEVICE))
		d |= S2_XN;
	return d;
}

/* The next-level table under entry `e`, allocating it if absent. */
static int next_table(const struct axvm_hal *hal, struct a64_s2 *s2,
		      uint64_t *e, uint64_t **out)
{
	axvm_hpa_t pa;

	if (!(*e & S2_VALID)) {
		if (hal->alloc_pages(hal->ctx, 1, AXVM_PAGE_SIZE, &pa))
			return AXVM_ENOMEM;
		memset(table_va(hal, pa), 0, AXVM_PAGE_SIZE);
		s2->tables++;
		*e = pa | S2_VALID | S2_TABLE;
	} else if (!(*e & S2_TABLE)) {
		return AXVM_EEXIST; /* a block already maps this range */
	}
	*out = table_va(hal, *e & S2_ADDR_MASK);
	return 0;
}

int a64_s2_map(const struct axvm_hal *hal, struct a64_s2 *s2, uint64_t gpa,
	       uint64_t hpa, uint64_t size, uint32_t flags)
{
	const uint64_t block = 1ull << 21;
	uint64_t attrs = leaf_attrs(flags);
	int rc = 0;

	if (!s2->root || !size || ((gpa | hpa | size) & (AXVM_PAGE_SIZE - 1)))
		return AXVM_EINVAL;
	if (gpa >= (1ull << S2_IPA_BITS) || size > (1ull << S2_IPA_BITS) - gpa ||
	    hpa > S2_ADDR_MASK || size > S2_ADDR_MASK - hpa)
		return AXVM_ERANGE;
	while (size && !rc) {
		uint64_t *l1 = table_va(hal, s2->root), *l2, *l3;
		uint64_t *e1 = &l1[(gpa >> 30) & 511];

		if ((rc = next_table(hal, s2, e1, &l2)))
			break;
		uint64_t *e2 = &l2[(gpa >> 21) & 511];
		if (!((gpa | hpa) & (block - 1)) && size >= block) {
			if (*e2 & S2_VALID) {
				rc = AXVM_EEXIST;
				break;
			}
			*e2 = hpa | attrs; /* block: bits[1:0] = 01 */
			gpa += block;
			hpa += block;
			size -= block;
			continue;
		}
		if ((rc = next_table(hal, s2, e2, &l3)))
			break;
		uint64_t *e3 = &l3[(gpa >> 12) & 511];
		if (*e3 & S2_VALID) {
			rc = AXVM_EEXIST;
			break;
		}
		*e3 = hpa | attrs | S2_TABLE; /* page: bits[1:0] = 11 */
		gpa += AXVM_PAGE_SIZE;
		hpa += AXVM_PAGE_SIZE;
		size -= AXVM_PAGE_SIZE;
	}
	/* Tables are written through the data cache and walked cacheable
	 * (VTCR_EL2 IRGN/ORGN = WB, SH = inner): a barrier is enough. */
	a64_dsb_ishst();
	return rc;
}

/* VTCR_EL2: T0SZ = 32 (4 GiB IPA), SL0 = 1 (start at level 1), inner and
 * outer write-back walks, inner shareable, 4 KiB granule, PS = the CPU's
 * physical address size (capped at 48 bits), 8-bit VMID. */
uint64_t a64_s2_vtcr(void)
{
	uint64_t ps = rd_id_aa64mmfr0_el1() & 0xf;

	if (ps > 5)
		ps = 5;
	return (64u - S2_IPA_BITS) | (1u << 6) | (1u << 8) | (1u << 10) |
	       (3u << 12) | (0u << 14) | (ps << 16) | (1ull << 31);
}

/* Drop every stage-1+2 TLB entry tagged with vttbr's VMID, on all pCPUs. */
void a64_s2_flush_vmid(uint64_t vttbr)
{
	uint64_t daif = a64_irq_save();
	uint64_t old = rd_vttbr_el2();

	wr_vttbr_el2(vttbr);
	a64_isb();
	__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	a64_dsb_ish();
	wr_vttbr_el2(old);
	a64_isb();
	wr_daif(daif);
}
