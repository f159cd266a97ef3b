/* SPDX-License-Identifier: Apache-2.0 */
/* Stage-2 data abort addresses (see a64_fault.h). */
#include "a64_fault.h"


static uint64_t sext(uint64_t v, unsigned bits)
{
	uint64_t sign = 1ull << (bits - 1u);

	return (v ^ sign) - sign;
}

/* Rn as a base register: 31 is the stack pointer. */
static uint64_t base_reg(const struct a64_addr_regs *r, uint32_t n)
{
	return n == 31u ? r->sp : r->x[n];
}

/* Rm as an offset register: 31 is XZR. */
static uint64_t index_reg(const struct a64_addr_regs *r, uint32_t m)
{
	return m == 31u ? 0 : r->x[m];
}

/* Register-offset form: Rm extended by option[15:13], shifted by the
 * access size when S[12] is set. */
static bool reg_offset(uint32_t insn, const struct a64_addr_regs *r, uint64_t *off)
{
	uint64_t m = index_reg(r, (insn >> 16) & 0x1fu);
	unsigned shift = ((insn >> 12) & 1u) ? insn >> 30 : 0u;

	switch ((insn >> 13) & 7u) {
	case 2: /* UXTW */
		m &= UINT32_MAX;
		break;
	case 6: /* SXTW */
		m = sext(m & UINT32_MAX, 32);
		break;
	case 3: /* LSL (UXTX) */
	case 7: /* SXTX */
		break;
	default:
		return false; /* unallocated */
	}
	*off = m << shift;
	return true;
}

/* size:opc (bits [31:30], [23:22]) as one index 0..15. */
static unsigned size_opc(uint32_t insn)
{
	return ((insn >> 28) & 0xcu) | ((insn >> 22) & 3u);
}

/* The size:opc pairs no load, store or prefetch has: opc 11 with a word
 * or doubleword (it sign-extends to 32 bits); the unprivileged forms also
 * lack size 11 opc 10 (PRFM has none). They never fault, so only a guest
 * that rewrote the word after its fault shows one, and no address may
 * come of it. One mask test, not one per form: the MMIO path of a
 * register at a page start decodes on every access. */
#define A64_SIZE_OPC_UNALLOCATED ((1u << 0xbu) | (1u << 0xfu))
#define A64_SIZE_OPC_PRFM 0xeu

bool a64_ldst_va(uint32_t insn, const struct a64_addr_regs *r, uint64_t *va)
{
	uint32_t rn = (insn >> 5) & 0x1fu;
	uint64_t off;

	/* bits [29:27] 111: every form below but the literal one */
	if ((insn & 0x38000000u) == 0x38000000u &&
	    ((A64_SIZE_OPC_UNALLOCATED >> size_opc(insn)) & 1u))
		return false;
	if ((insn & 0x3f000000u) == 0x39000000u) {
		/* unsigned immediate: imm12 scaled by the size */
		*va = base_reg(r, rn) + ((uint64_t)((insn >> 10) & 0xfffu) << (insn >> 30));
		return true;
	}
	if ((insn & 0x3f200400u) == 0x38000000u) {
		/* unscaled (LDUR) or unprivileged (LDTR, bit 11): signed imm9 */
		if ((insn & 0x800u) && size_opc(insn) == A64_SIZE_OPC_PRFM)
			return false;
		*va = base_reg(r, rn) + sext((insn >> 12) & 0x1ffu, 9);
		return true;
	}
	if ((insn & 0x3f200c00u) == 0x38200800u) {
		if (!reg_offset(insn, r, &off))
			return false;
		*va = base_reg(r, rn) + off;
		return true;
	}
	if ((insn & 0x3f000000u) == 0x18000000u) {
		/* literal: PC + imm19 words */
		*va = r->pc + (sext((insn >> 5) & 0x7ffffu, 19) << 2);
		return true;
	}
	return false;
}
