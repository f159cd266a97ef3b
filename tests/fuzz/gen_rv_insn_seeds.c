/* SPDX-License-Identifier: Apache-2.0 */
/* Writes fuzz_rv_insn's seeds into the directory given: every integer
 * load and store a guest driver's MMIO accessors compile to, full-size
 * and compressed, aligned, misaligned and faulting beside the access;
 * the htinst values a hart writes for them; the address space's ends;
 * and the FP, atomic and reserved encodings beside them that must be
 * refused. Compressed encodings are llvm-mc's (-mattr=+c,+d). */
#include <stdint.h>
#include <stdio.h>

#include "fuzz_rv_insn.h"
#include "seed_file.h"

#define X_SP 2u
#define X_A0 10u
#define X_A1 11u
#define X_A5 15u

static uint32_t load(unsigned f3, unsigned rd, unsigned rs1, int imm)
{
	uint32_t i = (uint32_t)imm & 0xfffu;

	return i << 20 | rs1 << 15 | f3 << 12 | rd << 7 | 0x03u;
}

static uint32_t store(unsigned f3, unsigned rs2, unsigned rs1, int imm)
{
	uint32_t i = (uint32_t)imm & 0xfffu;

	return (i >> 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (i & 31u) << 7 | 0x23u;
}

/* The transformed form a hart writes to htinst: no immediate, the
 * address offset in rs1, bit 1 clear for a compressed original. */
static uint32_t transformed(uint32_t w, unsigned offset, int compressed)
{
	uint32_t t = (w & 0x7fu) == 0x03u ? w & 0x000fffffu : w & 0x01fff07fu;

	t = (t & ~(31u << 15)) | offset << 15;
	return compressed ? t & ~2u : t;
}

/* A case at `d` bytes from the anchor (fuzz_rv_insn.h). */
static void near(struct seed *s, uint8_t flags, uint32_t w, int d)
{
	seed_put(s, flags | FI_NEAR, 1);
	seed_put(s, w, 4);
	seed_put(s, (uint64_t)(uint8_t)(int8_t)d, 1);
}

/* A case faulting at `va`. */
static void at(struct seed *s, uint8_t flags, uint32_t w, uint64_t va)
{
	seed_put(s, flags, 1);
	seed_put(s, w, 4);
	seed_put(s, va, 8);
}

/* x[r] = v, then a case `d` bytes from the anchor. */
static void with_reg(struct seed *s, uint8_t flags, unsigned r, uint64_t v, uint32_t w, int d)
{
	seed_put(s, flags | FI_SET_REG | FI_NEAR, 1);
	seed_put(s, r, 1);
	seed_put(s, v, 8);
	seed_put(s, w, 4);
	seed_put(s, (uint64_t)(uint8_t)(int8_t)d, 1);
}

/* Every RV64I load: at its start, a byte either side, misaligned. */
static void loads(struct seed *s)
{
	for (unsigned f3 = 0; f3 < 7; f3++) {
		uint32_t w = load(f3, X_A0, X_A1, 8);

		with_reg(s, 0, X_A1, FI_REG(X_A1), w, 0); /* the registers persist */
		near(s, 0, w, -1);
		near(s, 0, w, 1);
		with_reg(s, 0, X_A1, FI_REG(X_A1) + 1, w, 0);
		with_reg(s, 0, X_A1, FI_REG(X_A1) + 3, w, 4);
	}
	near(s, 0, load(3, 0, X_SP, -16), 0);   /* ld zero,-16(sp): a load into x0 */
	near(s, 0, load(2, 31, 31, 2047), 0);   /* lw t6,2047(t6) */
	near(s, 0, load(2, 31, 31, -2048), 2);  /* lw t6,-2048(t6): misaligned */
}

/* Every RV64I store, likewise. */
static void stores(struct seed *s)
{
	for (unsigned f3 = 0; f3 < 4; f3++) {
		uint32_t w = store(f3, X_A0, X_A1, -8);

		with_reg(s, 0, X_A1, FI_REG(X_A1), w, 0);
		near(s, 0, w, -1);
		near(s, 0, w, 1);
		with_reg(s, 0, X_A1, FI_REG(X_A1) + 6, w, 7);
	}
	near(s, 0, store(3, 0, X_A5, 2040), 0); /* sd zero,2040(a5) */
	near(s, 0, store(0, 31, 0, -1), 0);     /* sb t6,-1(zero) */
}

/* The RV64C loads and stores at a few offsets, a junk upper half on
 * some; the reserved rd = 0 forms and the FP ones in the same slots. */
static void compressed(struct seed *s)
{
	static const uint32_t good[] = {
		0x41c8, /* c.lw a0,4(a1) */
		0x5ffc, /* c.lw a5,124(a5) */
		0x6784, /* c.ld s1,8(a5) */
		0x7ffc, /* c.ld a5,248(a5) */
		0xc018, /* c.sw a4,0(s0) */
		0xea90, /* c.sd a2,16(a3) */
		0x4292, /* c.lwsp t0,4(sp) */
		0x70fe, /* c.ldsp ra,504(sp) */
		0xc66e, /* c.swsp s11,12(sp) */
		0xfffe, /* c.sdsp t6,504(sp) */
	};
	static const uint32_t bad[] = {
		0x4002, /* c.lwsp zero,0(sp): reserved */
		0x6002, /* c.ldsp zero,0(sp): reserved */
		0x2588, /* c.fld fa0,8(a1) */
		0xa588, /* c.fsd fa0,8(a1) */
		0x2522, /* c.fldsp fa0,8(sp) */
		0xa42a, /* c.fsdsp fa0,8(sp) */
		0x8000, /* quadrant 0, funct3 4: reserved (Zcb's c.lbu and others) */
		0x0000, /* the illegal instruction */
	};

	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		near(s, 0, good[i], 0);
		near(s, 0, good[i] | 0xdead0000u, 2);
	}
	with_reg(s, 0, X_SP, FI_REG(X_SP) + 4, 0x70fe, 3); /* c.ldsp misaligned */
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		near(s, 0, bad[i], 0);
}

/* htinst as a hart writes it: transformed loads and stores of both
 * lengths, faulting at the start or (misaligned) past it; then 0, the
 * pseudoinstructions, and bits past 31. */
static void htinst(struct seed *s)
{
	static const uint32_t pseudo[] = { 0x00002000, 0x00003000, 0x00002020, 0x00003020 };
	const uint64_t base = 0x10000000;

	for (unsigned f3 = 0; f3 < 7; f3++) {
		at(s, FI_HTINST, transformed(load(f3, X_A0, 0, 0), 0, 0), base);
		at(s, FI_HTINST, transformed(load(f3, X_A0, 0, 0), 0, 1), base + 8);
	}
	for (unsigned f3 = 0; f3 < 4; f3++)
		at(s, FI_HTINST, transformed(store(f3, X_A0, 0, 0), 0, f3 & 1u), base);
	at(s, FI_HTINST, transformed(load(3, X_A0, 0, 0), 4, 0), base + 0x1000); /* ld, 4 bytes in */
	at(s, FI_HTINST, transformed(store(2, X_A0, 0, 0), 1, 1), base + 2);     /* c.sw, 1 byte in */
	at(s, FI_HTINST, transformed(load(2, X_A0, 0, 0), 4, 0), base + 4);      /* past a word */
	at(s, FI_HTINST, transformed(load(2, 9, X_SP, -4), 0, 0) | 0xfff00000u, base); /* imm bits */
	at(s, FI_HTINST, 0, base);
	for (unsigned i = 0; i < 4; i++)
		at(s, FI_HTINST, pseudo[i], base);
	seed_put(s, FI_HTINST | FI_HTINST_HI, 1);
	seed_put(s, transformed(load(3, X_A0, 0, 0), 0, 0), 4);
	seed_put(s, 1, 4);
	seed_put(s, base, 8);
}

/* The ends of the address space: accesses that wrap past 2^64. */
static void edges(struct seed *s)
{
	uint32_t ld = load(3, X_A0, 0, -1); /* ld a0,-1(zero) */

	at(s, 0, ld, UINT64_MAX);
	at(s, 0, ld, 0);
	at(s, 0, ld, 6);
	at(s, 0, ld, 7);
	with_reg(s, 0, X_A1, UINT64_MAX - 3, load(2, X_A0, X_A1, 4), 0);   /* lw: exactly 0 */
	with_reg(s, 0, X_A1, UINT64_MAX - 3, load(3, X_A0, X_A1, 2), 7);   /* ld over the top */
	with_reg(s, 0, X_A1, 2047, load(1, X_A0, X_A1, -2048), -1);        /* lh at -1 */
	with_reg(s, 0, X_A1, UINT64_MAX, store(3, X_A0, X_A1, 2047), 0);
	at(s, FI_HTINST, transformed(load(3, X_A0, 0, 0), 3, 0), 1);      /* start wraps below 0 */
}

/* Encodings beside the integer loads and stores, all refused. */
static void refused(struct seed *s)
{
	static const uint32_t words[] = {
		0x0005a507, /* flw fa0,0(a1) */
		0x0005b507, /* fld fa0,0(a1) */
		0x00a5a027, /* fsw fa0,0(a1) */
		0x00a5b027, /* fsd fa0,0(a1) */
		0x00b6252f, /* amoadd.w a0,a1,(a2) */
		0x1005b52f, /* lr.d a0,(a1) */
		0x00150513, /* addi a0,a0,1 */
		0x0005f503, /* LOAD funct3 7 */
		0x00a5c023, /* STORE funct3 4 */
		0x00a5f023, /* STORE funct3 7 */
		0xffffffff,
	};

	for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		near(s, 0, words[i], 0);
		near(s, FI_HTINST, words[i] & ~2u, 0);
	}
}

int main(int argc, char **argv)
{
	static const struct seed_kind kinds[] = {
		{ "loads", loads }, { "stores", stores }, { "compressed", compressed },
		{ "htinst", htinst }, { "edges", edges }, { "refused", refused },
	};

	return seed_main(argc, argv, kinds, sizeof(kinds) / sizeof(kinds[0]));
}
