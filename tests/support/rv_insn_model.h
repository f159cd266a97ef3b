/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A model of the trapped RV64 integer loads and stores the RISC-V backend
 * emulates (src/arch/riscv64/rv_insn.c), for test_rv_insn_model and
 * fuzz_rv_insn to check that decoder against. It is read off the specs'
 * tables, not off rv_insn.c: opcodes and funct3 values are looked up in
 * tables, and every immediate is gathered bit by bit from the positions
 * the spec lists, so a slipped shift or mask in the decoder is not made
 * again here.
 *
 * Sources: the unprivileged spec's RV32I/RV64I LOAD (opcode 0x03) and
 * STORE (0x23) encodings and the RVC chapter's quadrant 0 and 2 tables
 * (CL, CS, CI and CSS formats, each form's expansion); the privileged
 * spec's "transformed instruction or pseudoinstruction for htinst".
 * Header-only, as the fuzz target does not link the test support library.
 */
#ifndef AXVM_TEST_RV_INSN_MODEL_H
#define AXVM_TEST_RV_INSN_MODEL_H

#include <stdbool.h>
#include <stdint.h>

/* What an accepted instruction is, in plain ints. */
struct rvm_insn {
	unsigned len;     /* bytes of the instruction: 2 or 4 */
	unsigned width;   /* bytes accessed */
	bool store;
	bool sign_extend; /* a load that sign-extends (LD has nothing to extend: false) */
	unsigned reg;     /* rd of a load, rs2 of a store */
	bool transformed; /* from htinst: no base register, no immediate */
	unsigned rs1;     /* the base register, or (transformed) the address offset */
	int imm;          /* added to x[rs1]: 0 when transformed */
};

/* Bit n of w. */
static inline unsigned rvm_bit(uint32_t w, unsigned n)
{
	return (w >> n) & 1u;
}

/* Bits hi..lo of w, one at a time. */
static inline unsigned rvm_bits(uint32_t w, unsigned hi, unsigned lo)
{
	unsigned v = 0;

	for (unsigned n = hi + 1; n-- > lo;)
		v = v * 2u + rvm_bit(w, n);
	return v;
}

/* An immediate whose bit n sits at instruction bit at[n]; `nbits` of
 * them. An entry of 0 is a bit the encoding leaves out (always 0): bit 0
 * of an instruction is part of its opcode, never an immediate's. */
static inline unsigned rvm_gather(uint32_t w, const uint8_t *at, unsigned nbits)
{
	unsigned v = 0;

	for (unsigned n = 0; n < nbits; n++)
		if (at[n] && rvm_bit(w, at[n]))
			v += 1u << n;
	return v;
}

/* --- full-size: opcode LOAD 0000011 and STORE 0100011 ------------------------- */

#define RVM_OP_LOAD 0x03u
#define RVM_OP_STORE 0x23u

/* By funct3; width 0 is reserved (LDU and SQ are RV128's, the rest unused). */
static const struct {
	const char *name;
	unsigned width;
	bool sign_extend;
} rvm_loads[8] = {
	{ "lb", 1, true },  { "lh", 2, true },   { "lw", 4, true },   { "ld", 8, false },
	{ "lbu", 1, false }, { "lhu", 2, false }, { "lwu", 4, false }, { "(ldu)", 0, false },
}, rvm_stores[8] = {
	{ "sb", 1, false }, { "sh", 2, false }, { "sw", 4, false }, { "sd", 8, false },
	{ "(sq)", 0, false }, { "", 0, false }, { "", 0, false }, { "", 0, false },
};

/* I-type imm[11:0] = inst[31:20]; S-type imm[11:5|4:0] = inst[31:25|11:7]. */
static const uint8_t rvm_i_imm[12] = { 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31 };
static const uint8_t rvm_s_imm[12] = { 7, 8, 9, 10, 11, 25, 26, 27, 28, 29, 30, 31 };

/* A 12-bit immediate's two's-complement value. */
static inline int rvm_sext12(unsigned v)
{
	return v >= 2048u ? (int)v - 4096 : (int)v;
}

/* A 32-bit load or store: LOAD and STORE funct3 tables, the I- and S-type
 * immediates. False for anything else. */
static inline bool rvm_decode32(uint32_t w, struct rvm_insn *m)
{
	unsigned op = rvm_bits(w, 6, 0), f3 = rvm_bits(w, 14, 12);

	*m = (struct rvm_insn){ .len = 4, .rs1 = rvm_bits(w, 19, 15) };
	if (op == RVM_OP_LOAD && rvm_loads[f3].width) {
		m->width = rvm_loads[f3].width;
		m->sign_extend = rvm_loads[f3].sign_extend;
		m->reg = rvm_bits(w, 11, 7);
		m->imm = rvm_sext12(rvm_gather(w, rvm_i_imm, 12));
		return true;
	}
	if (op == RVM_OP_STORE && rvm_stores[f3].width) {
		m->width = rvm_stores[f3].width;
		m->store = true;
		m->reg = rvm_bits(w, 24, 20);
		m->imm = rvm_sext12(rvm_gather(w, rvm_s_imm, 12));
		return true;
	}
	return false;
}

/* --- compressed: RVC quadrants 0 and 2 ------------------------------------------- */

/* One compressed load/store form, as the RVC table gives it: its quadrant
 * (bits 1:0) and funct3 (bits 15:13), the RV64I instruction it expands to
 * (its funct3 in the LOAD or STORE table), and where each bit of its
 * zero-extended, scaled offset is. The sp forms address x2 and name a full
 * register, rd in bits 11:7 or rs2 in 6:2; the others x8 + rs1' (bits 9:7)
 * and x8 + rd'/rs2' (bits 4:2). Everything else in quadrants 0-2, the FP
 * forms C.FLD/C.FSD/C.FLDSP/C.FSDSP among them, is no integer access. */
struct rvm_cform {
	const char *name;
	unsigned quadrant, funct3;
	bool store, sp;
	unsigned expands_to;
	uint8_t at[9]; /* offset bit n is instruction bit at[n]; 0: not encoded */
};

static const struct rvm_cform rvm_cforms[] = {
	/* CL/CS: offset[5:3] in 12:10; c.lw/c.sw offset[2|6] in 6|5, c.ld/c.sd offset[7:6] in 6:5 */
	{ "c.lw", 0, 2, false, false, 2, { [5] = 12, [4] = 11, [3] = 10, [2] = 6, [6] = 5 } },
	{ "c.ld", 0, 3, false, false, 3, { [5] = 12, [4] = 11, [3] = 10, [7] = 6, [6] = 5 } },
	{ "c.sw", 0, 6, true, false, 2, { [5] = 12, [4] = 11, [3] = 10, [2] = 6, [6] = 5 } },
	{ "c.sd", 0, 7, true, false, 3, { [5] = 12, [4] = 11, [3] = 10, [7] = 6, [6] = 5 } },
	/* CI: offset[5] in 12; c.lwsp offset[4:2|7:6] in 6:2, c.ldsp offset[4:3|8:6] */
	{ "c.lwsp", 2, 2, false, true, 2, { [5] = 12, [4] = 6, [3] = 5, [2] = 4, [7] = 3, [6] = 2 } },
	{ "c.ldsp", 2, 3, false, true, 3, { [5] = 12, [4] = 6, [3] = 5, [8] = 4, [7] = 3, [6] = 2 } },
	/* CSS: c.swsp offset[5:2|7:6] in 12:7, c.sdsp offset[5:3|8:6] */
	{ "c.swsp", 2, 6, true, true, 2, { [5] = 12, [4] = 11, [3] = 10, [2] = 9, [7] = 8, [6] = 7 } },
	{ "c.sdsp", 2, 7, true, true, 3, { [5] = 12, [4] = 11, [3] = 10, [8] = 9, [7] = 8, [6] = 7 } },
};

/* A 16-bit instruction (bits 1:0 not 11). C.LWSP and C.LDSP with rd = x0
 * are reserved, so refused. */
static inline bool rvm_decode16(uint16_t h, struct rvm_insn *m)
{
	*m = (struct rvm_insn){ 0 }; /* defined when refused too */
	for (unsigned i = 0; i < sizeof(rvm_cforms) / sizeof(rvm_cforms[0]); i++) {
		const struct rvm_cform *f = &rvm_cforms[i];

		if (rvm_bits(h, 1, 0) != f->quadrant || rvm_bits(h, 15, 13) != f->funct3)
			continue;
		*m = (struct rvm_insn){ .len = 2, .store = f->store,
					.imm = (int)rvm_gather(h, f->at, 9) };
		if (f->store) {
			m->width = rvm_stores[f->expands_to].width;
		} else {
			m->width = rvm_loads[f->expands_to].width;
			m->sign_extend = rvm_loads[f->expands_to].sign_extend;
		}
		if (f->sp) {
			m->rs1 = 2;
			m->reg = f->store ? rvm_bits(h, 6, 2) : rvm_bits(h, 11, 7);
			return f->store || m->reg != 0;
		}
		m->rs1 = 8 + rvm_bits(h, 9, 7);
		m->reg = 8 + rvm_bits(h, 4, 2);
		return true;
	}
	return false;
}

/* rv_insn_decode()'s contract: a compressed instruction is the low 16
 * bits of the word when bits 1:0 are not 11; the rest is ignored. */
static inline bool rvm_decode(uint32_t w, struct rvm_insn *m)
{
	if (rvm_bits(w, 1, 0) == 3u)
		return rvm_decode32(w, m);
	return rvm_decode16((uint16_t)rvm_bits(w, 15, 0), m);
}

/* --- htinst ---------------------------------------------------------------------------- */

enum rvm_htinst {
	RVM_HT_DECODED, /* a transformed integer load/store */
	RVM_HT_NONE,    /* 0: the hart gave nothing, the instruction is to be fetched */
	RVM_HT_REFUSED, /* a pseudoinstruction, a custom value, anything else */
};

/* The implicit VS-stage page-table accesses: 32/64-bit read, 32/64-bit
 * write (for A/D bits). Bits 1:0 are 00, as no transformed instruction's. */
static const uint32_t rvm_pseudo[4] = { 0x00002000u, 0x00003000u, 0x00002020u, 0x00003020u };

/* A transformed load/store is the (expanded, for a compressed original)
 * 32-bit instruction with its immediate fields zeroed, the offset of the
 * faulting address into the access in the rs1 field, and bits 1:0 01 for
 * a compressed original, 11 otherwise. Like every value the spec defines,
 * it is a 32-bit one; bits 63:32 set make it no transformed instruction.
 * Immediate bits, which a hart writes as 0, are ignored (as
 * test_rv_insn's htinst test pins down for rv_insn.c). */
static inline enum rvm_htinst rvm_from_htinst(uint64_t v, struct rvm_insn *m)
{
	uint32_t w = (uint32_t)v;

	if (v == 0)
		return RVM_HT_NONE;
	if (v > 0xffffffffu)
		return RVM_HT_REFUSED;
	for (unsigned i = 0; i < 4; i++)
		if (w == rvm_pseudo[i])
			return RVM_HT_REFUSED;
	if (rvm_bit(w, 0) != 1u)
		return RVM_HT_REFUSED;
	/* bit 1 set again gives the standard encoding */
	if (!rvm_decode32(w | 2u, m))
		return RVM_HT_REFUSED;
	m->len = rvm_bit(w, 1) ? 4u : 2u;
	m->transformed = true;
	m->rs1 = rvm_bits(w, 19, 15);
	m->imm = 0;
	return RVM_HT_DECODED;
}

/* --- the access ------------------------------------------------------------------------- */

enum rvm_access {
	RVM_EMULATE,    /* naturally aligned, faulted at its start */
	RVM_MISALIGNED, /* not naturally aligned, faulted on one of its bytes */
	RVM_NOT_IT,     /* the fault is on none of its bytes (as far as a hart reports) */
};

/* Where `m` starts, its registers being x (x0 reads 0, whatever x[0]
 * holds): x[rs1] + imm modulo 2^64, or for a transformed one the fault
 * less the offset. */
static inline uint64_t rvm_start(const struct rvm_insn *m, const uint64_t x[32], uint64_t fault)
{
	uint64_t base;

	if (m->transformed)
		return fault - m->rs1;
	base = m->rs1 ? x[m->rs1] : 0;
	return m->imm < 0 ? base - (uint64_t)-m->imm : base + (uint64_t)m->imm;
}

/* What the hart says with a fault at `fault` for access m: an aligned
 * access lies in one page, so the hart reports its start; a misaligned
 * one may fault on any of its bytes (the address space wraps). */
static inline enum rvm_access rvm_check_access(const struct rvm_insn *m, const uint64_t x[32],
					       uint64_t fault, uint64_t *start)
{
	*start = rvm_start(m, x, fault);
	if (*start % m->width == 0)
		return fault == *start ? RVM_EMULATE : RVM_NOT_IT;
	for (unsigned k = 0; k < m->width; k++)
		if (*start + k == fault)
			return RVM_MISALIGNED;
	return RVM_NOT_IT;
}

#endif /* AXVM_TEST_RV_INSN_MODEL_H */
