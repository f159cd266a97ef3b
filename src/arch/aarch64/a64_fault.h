/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where a stage-2 data abort is, from what the CPU reports about it: plain
 * arithmetic on FAR_EL2, HPFAR_EL2 and the faulting instruction, no
 * system-register access, so it is unit-tested on the build host
 * (tests/unit/test_a64_fault.c).
 *
 * HPFAR_EL2 names the IPA page whose stage-2 translation faulted; FAR_EL2
 * is a virtual address in the access. For an access inside one page the
 * two agree. A misaligned access can cross into the next page and fault
 * on either page, and FAR need not be its first byte then: QEMU, for one,
 * reports the first byte of the second page for a fault there. So the
 * access's start comes from the instruction when FAR may be past a page
 * boundary the access crossed.
 */
#ifndef AXVM_A64_FAULT_H
#define AXVM_A64_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#define A64_PAGE 0x1000u
/* A stage-1 result that matches no page (not page aligned). */
#define A64_IPA_UNKNOWN UINT64_MAX

/* The faulting IPA page HPFAR_EL2 names: FIPA, bits [43:4], is IPA [51:12]
 * (bits above, e.g. NS, are not address). */
#define A64_HPFAR_FIPA 0x00000ffffffffff0ull
#define A64_PAGE_OFF(a) ((a) & (uint64_t)(A64_PAGE - 1u))

/* These small ones are inline: they are on every MMIO exit. */
static inline uint64_t a64_hpfar_page(uint64_t hpfar)
{
	return (hpfar & A64_HPFAR_FIPA) << 8;
}

/* Does an access of `width` bytes at virtual address `va` cross into the
 * next page? An unknown width (0: no syndrome) never does. */
static inline bool a64_access_straddles(uint64_t va, unsigned width)
{
	return width > 1u && A64_PAGE_OFF(va) + width > A64_PAGE;
}

/* Could FAR be past a page boundary the access crossed (FAR near a page
 * start, within the first width - 1 bytes)? Only then is the instruction
 * worth decoding. */
static inline bool a64_far_may_follow_start(uint64_t far, unsigned width)
{
	return width > 1u && A64_PAGE_OFF(far) < width - 1u;
}

/* Registers an address computation reads: X0..X30, the stack pointer of
 * the exception level the access came from, and the instruction's PC. */
struct a64_addr_regs {
	const uint64_t *x;
	uint64_t sp;
	uint64_t pc;
};

/* The virtual address a single-register load or store accesses, from its
 * encoding: LDR/STR (unsigned immediate, unscaled LDUR/STUR, unprivileged
 * LDTR/STTR, register offset) and LDR (literal), general registers only.
 * False for anything else (writeback forms, pairs and SIMD carry no
 * syndrome; acquire/release forms must be aligned and never cross). */
bool a64_ldst_va(uint32_t insn, const struct a64_addr_regs *r, uint64_t *va);

/* The access's first byte: `decoded` (from the instruction, if `have`) when
 * the `width` bytes there contain FAR, else FAR itself. A guest that
 * rewrites the instruction after it faulted cannot move the access away
 * from the address the CPU reported. */
static inline uint64_t a64_access_start(uint64_t far, unsigned width, bool have,
					uint64_t decoded)
{
	if (have && far - decoded < width)
		return decoded;
	return far;
}

/* The IPA of the first byte the fault is about, for an access starting at
 * virtual address `start`. `start_ipa_page` is the IPA page `start`
 * translates to at stage 1 (A64_IPA_UNKNOWN if not known); it is used only
 * for an access that straddles, to tell a fault on its first page (at
 * `start`) from one on the next (at that page's first byte). */
static inline uint64_t a64_dabt_ipa(uint64_t start, uint64_t hpfar, unsigned width,
				    uint64_t start_ipa_page)
{
	uint64_t page = a64_hpfar_page(hpfar);

	if (a64_access_straddles(start, width) && start_ipa_page != page)
		return page; /* the fault is on the next page */
	return page | A64_PAGE_OFF(start);
}

#endif /* AXVM_A64_FAULT_H */
