/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RV64 integer loads and stores, full-size and compressed (the privileged
 * spec's "transformed instruction" form in htinst is a full-size one with
 * bit 1 telling the original length). Everything else is refused: the
 * host emulates no FP, atomic or vector access to a device.
 */
#include <axvm/types.h>

#include "rv_insn.h"

#define OP_LOAD 0x03u
#define OP_STORE 0x23u

static void set(struct rv_mmio_insn *o, unsigned len, unsigned log2w, bool store,
		bool sx, unsigned reg)
{
	o->len = (uint8_t)len;
	o->width = (uint8_t)(1u << log2w);
	o->store = store;
	o->sign_extend = sx;
	o->reg = (uint8_t)reg;
}

/* The address operand: x[rs1] + imm. */
static int at(struct rv_mmio_insn *o, unsigned rs1, int imm)
{
	o->transformed = false;
	o->rs1 = (uint8_t)rs1;
	o->imm = (int16_t)imm;
	return 0;
}

/* Bits hi..lo of an instruction, as a number. */
static unsigned field(uint32_t i, unsigned hi, unsigned lo)
{
	return (i >> lo) & ((1u << (hi - lo + 1u)) - 1u);
}

/* A 12-bit two's-complement immediate, without relying on how the
 * compiler shifts negative numbers. */
static int sext12(unsigned v)
{
	return (int)(v & 0xfffu) - (int)((v & 0x800u) << 1);
}

static int decode32(uint32_t i, unsigned len, struct rv_mmio_insn *o)
{
	unsigned f3 = field(i, 14, 12), rs1 = field(i, 19, 15);

	switch (i & 0x7fu) {
	case OP_LOAD: /* lb lh lw ld lbu lhu lwu; f3 = 7 is reserved */
		if (f3 == 7)
			return AXVM_EINVAL;
		set(o, len, f3 & 3u, false, f3 < 4 && f3 != 3, field(i, 11, 7));
		return at(o, rs1, sext12(field(i, 31, 20)));
	case OP_STORE: /* sb sh sw sd */
		if (f3 > 3)
			return AXVM_EINVAL;
		set(o, len, f3, true, false, field(i, 24, 20));
		return at(o, rs1, sext12(field(i, 31, 25) << 5 | field(i, 11, 7)));
	default:
		return AXVM_EINVAL;
	}
}

/* The scaled, zero-extended offsets of the compressed forms: rd'/rs1'
 * based (quadrant 0), sp-based loads and sp-based stores (quadrant 2);
 * dw for the doubleword forms. */
static unsigned c_off(uint32_t i, bool dw)
{
	return dw ? field(i, 12, 10) << 3 | field(i, 6, 5) << 6
		  : field(i, 12, 10) << 3 | field(i, 6, 6) << 2 | field(i, 5, 5) << 6;
}

static unsigned c_off_lsp(uint32_t i, bool dw)
{
	return dw ? field(i, 12, 12) << 5 | field(i, 6, 5) << 3 | field(i, 4, 2) << 6
		  : field(i, 12, 12) << 5 | field(i, 6, 4) << 2 | field(i, 3, 2) << 6;
}

static unsigned c_off_ssp(uint32_t i, bool dw)
{
	return dw ? field(i, 12, 10) << 3 | field(i, 9, 7) << 6
		  : field(i, 12, 9) << 2 | field(i, 8, 7) << 6;
}

/* Quadrants 0 and 2 hold the compressed loads and stores; funct3 2/3 are
 * the word/doubleword loads, 6/7 the stores; rd'/rs1'/rs2' name x8..x15,
 * the sp forms use x2. The FP forms share the encoding space and are
 * refused. */
static int decode16(uint32_t i, struct rv_mmio_insn *o)
{
	unsigned f3 = field(i, 15, 13), rd = field(i, 11, 7);
	bool dw = f3 & 1u, store = f3 & 4u;

	if ((f3 & 3u) < 2)
		return AXVM_EINVAL;
	switch (i & 3u) {
	case 0: /* c.lw c.ld c.sw c.sd */
		set(o, 2, dw ? 3 : 2, store, !store && !dw, 8u + field(i, 4, 2));
		return at(o, 8u + field(i, 9, 7), (int)c_off(i, dw));
	case 2: /* c.lwsp c.ldsp (rd = 0 is reserved) c.swsp c.sdsp */
		if (!store && !rd)
			return AXVM_EINVAL;
		set(o, 2, dw ? 3 : 2, store, !store && !dw, store ? field(i, 6, 2) : rd);
		return at(o, 2, (int)(store ? c_off_ssp(i, dw) : c_off_lsp(i, dw)));
	default:
		return AXVM_EINVAL;
	}
}

int rv_insn_decode(uint32_t insn, struct rv_mmio_insn *out)
{
	if (!out)
		return AXVM_EINVAL;
	if ((insn & 3u) == 3u)
		return decode32(insn, 4, out);
	return decode16(insn & 0xffffu, out);
}

int rv_insn_from_htinst(uint64_t htinst, struct rv_mmio_insn *out)
{
	if (!out)
		return AXVM_EINVAL;
	if (!htinst)
		return AXVM_ENOENT;
	/* Bit 0 clear: a pseudoinstruction (implicit VS-stage page-table
	 * access: 0x2000, 0x3000, 0x2020, 0x3020) or a custom value. */
	if (!(htinst & 1u) || htinst > UINT32_MAX)
		return AXVM_EINVAL;
	if (decode32((uint32_t)htinst | 3u, (htinst & 2u) ? 4u : 2u, out))
		return AXVM_EINVAL;
	/* No immediate; rs1 holds the faulting address's offset into the
	 * access (nonzero when a misaligned access faulted past its start). */
	out->transformed = true;
	out->imm = 0;
	return 0;
}

int rv_insn_check_access(const struct rv_mmio_insn *in, const uint64_t x[32],
			 uint64_t fault_va, uint64_t *va)
{
	uint64_t start, into;

	if (in->transformed)
		start = fault_va - in->rs1;
	else
		/* wraps around as the hart's address arithmetic does */
		start = x[in->rs1 & 31u] + (uint64_t)(int64_t)in->imm;
	into = fault_va - start;
	*va = start;
	/* An aligned access of up to 8 bytes stays inside one naturally
	 * aligned doubleword, so inside one page and one side of RAM's end:
	 * it faults at its start. A misaligned one may fault at a later part
	 * (its second page), and the hart reports that part's address. */
	if (start & (in->width - 1u))
		return into < in->width ? RV_ACCESS_MISALIGNED : AXVM_EINVAL;
	return into == 0 ? RV_ACCESS_EMULATE : AXVM_EINVAL;
}
