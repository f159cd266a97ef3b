/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RISC-V MMIO instruction decoding (src/arch/riscv64/rv_insn.c) against
 * the model of the specs in tests/support/rv_insn_model.h, over whole
 * encoding spaces rather than chosen examples (test_rv_insn.c has those):
 * every 16-bit encoding, the LOAD and STORE opcodes' words, the htinst
 * values of both lengths, and where the access starts around alignment
 * and wrap-around edges. The model itself is pinned to assembler output
 * first, so that both cannot be wrong the same way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <axvm/types.h>

#include "rv_insn.h"
#include "rv_insn_model.h"

static bool agrees(const struct rv_mmio_insn *in, const struct rvm_insn *m)
{
	return in->len == m->len && in->width == m->width && in->store == m->store &&
	       in->sign_extend == m->sign_extend && in->reg == m->reg &&
	       in->transformed == m->transformed && in->rs1 == m->rs1 && in->imm == m->imm;
}

/* Millions of these run under valgrind too: the comparison is plain C,
 * cmocka only reports a difference. */
static void differs(const char *what, uint64_t v, int rc, const struct rv_mmio_insn *in,
		    int want_rc, const struct rvm_insn *m)
{
	print_message("%s %#llx: rc %d len %u width %u store %d sx %d reg %u transformed %d "
		      "rs1 %u imm %d\n", what, (unsigned long long)v, rc, in->len, in->width,
		      in->store, in->sign_extend, in->reg, in->transformed, in->rs1, in->imm);
	print_message("  the model: rc %d len %u width %u store %d sx %d reg %u transformed %d "
		      "rs1 %u imm %d\n", want_rc, m->len, m->width, m->store, m->sign_extend,
		      m->reg, m->transformed, m->rs1, m->imm);
	fail();
}

static void check_decode(uint32_t w)
{
	struct rv_mmio_insn in = { 0 };
	struct rvm_insn m = { 0 };
	int want = rvm_decode(w, &m) ? 0 : AXVM_EINVAL;
	int rc = rv_insn_decode(w, &in);

	if (rc != want || (rc == 0 && !agrees(&in, &m)))
		differs("rv_insn_decode", w, rc, &in, want, &m);
}

static void check_htinst(uint64_t v)
{
	static const int rcs[] = { [RVM_HT_DECODED] = 0, [RVM_HT_NONE] = AXVM_ENOENT,
				   [RVM_HT_REFUSED] = AXVM_EINVAL };
	struct rv_mmio_insn in = { 0 };
	struct rvm_insn m = { 0 };
	int want = rcs[rvm_from_htinst(v, &m)];
	int rc = rv_insn_from_htinst(v, &in);

	if (rc != want || (rc == 0 && !agrees(&in, &m)))
		differs("rv_insn_from_htinst", v, rc, &in, want, &m);
}

/* The model against llvm-mc 14 (-triple=riscv64 -mattr=+c,+d,+f,+a
 * -show-encoding): each form with every offset bit on its own, the
 * extremes, the registers at both ends. Done once for the whole space
 * when the model was written (all 65,536 halfwords and 300,000 words
 * with LOAD, STORE, LOAD-FP, STORE-FP, AMO and OP-IMM opcodes: no
 * difference); this keeps it honest. */
struct asm_ref {
	uint32_t w;
	const char *text;
	unsigned width, reg, rs1;
	bool store, sx;
	int imm;
};

static const struct asm_ref refs[] = {
	{ 0x4000, "c.lw s0, 0(s0)", 4, 8, 8, false, true, 0 },
	{ 0x4040, "c.lw s0, 4(s0)", 4, 8, 8, false, true, 4 },
	{ 0x4400, "c.lw s0, 8(s0)", 4, 8, 8, false, true, 8 },
	{ 0x4800, "c.lw s0, 16(s0)", 4, 8, 8, false, true, 16 },
	{ 0x5000, "c.lw s0, 32(s0)", 4, 8, 8, false, true, 32 },
	{ 0x4020, "c.lw s0, 64(s0)", 4, 8, 8, false, true, 64 },
	{ 0x5ffc, "c.lw a5, 124(a5)", 4, 15, 15, false, true, 124 },
	{ 0x6400, "c.ld s0, 8(s0)", 8, 8, 8, false, false, 8 },
	{ 0x6800, "c.ld s0, 16(s0)", 8, 8, 8, false, false, 16 },
	{ 0x7000, "c.ld s0, 32(s0)", 8, 8, 8, false, false, 32 },
	{ 0x6020, "c.ld s0, 64(s0)", 8, 8, 8, false, false, 64 },
	{ 0x6040, "c.ld s0, 128(s0)", 8, 8, 8, false, false, 128 },
	{ 0x7ffc, "c.ld a5, 248(a5)", 8, 15, 15, false, false, 248 },
	{ 0xc040, "c.sw s0, 4(s0)", 4, 8, 8, true, false, 4 },
	{ 0xc020, "c.sw s0, 64(s0)", 4, 8, 8, true, false, 64 },
	{ 0xdffc, "c.sw a5, 124(a5)", 4, 15, 15, true, false, 124 },
	{ 0xe040, "c.sd s0, 128(s0)", 8, 8, 8, true, false, 128 },
	{ 0xe020, "c.sd s0, 64(s0)", 8, 8, 8, true, false, 64 },
	{ 0xfffc, "c.sd a5, 248(a5)", 8, 15, 15, true, false, 248 },
	{ 0x4092, "c.lwsp ra, 4(sp)", 4, 1, 2, false, true, 4 },
	{ 0x40a2, "c.lwsp ra, 8(sp)", 4, 1, 2, false, true, 8 },
	{ 0x40c2, "c.lwsp ra, 16(sp)", 4, 1, 2, false, true, 16 },
	{ 0x5082, "c.lwsp ra, 32(sp)", 4, 1, 2, false, true, 32 },
	{ 0x4086, "c.lwsp ra, 64(sp)", 4, 1, 2, false, true, 64 },
	{ 0x408a, "c.lwsp ra, 128(sp)", 4, 1, 2, false, true, 128 },
	{ 0x5ffe, "c.lwsp t6, 252(sp)", 4, 31, 2, false, true, 252 },
	{ 0x60a2, "c.ldsp ra, 8(sp)", 8, 1, 2, false, false, 8 },
	{ 0x60c2, "c.ldsp ra, 16(sp)", 8, 1, 2, false, false, 16 },
	{ 0x7082, "c.ldsp ra, 32(sp)", 8, 1, 2, false, false, 32 },
	{ 0x6086, "c.ldsp ra, 64(sp)", 8, 1, 2, false, false, 64 },
	{ 0x608a, "c.ldsp ra, 128(sp)", 8, 1, 2, false, false, 128 },
	{ 0x6092, "c.ldsp ra, 256(sp)", 8, 1, 2, false, false, 256 },
	{ 0x7ffe, "c.ldsp t6, 504(sp)", 8, 31, 2, false, false, 504 },
	{ 0xc206, "c.swsp ra, 4(sp)", 4, 1, 2, true, false, 4 },
	{ 0xd006, "c.swsp ra, 32(sp)", 4, 1, 2, true, false, 32 },
	{ 0xc086, "c.swsp ra, 64(sp)", 4, 1, 2, true, false, 64 },
	{ 0xc106, "c.swsp ra, 128(sp)", 4, 1, 2, true, false, 128 },
	{ 0xdffe, "c.swsp t6, 252(sp)", 4, 31, 2, true, false, 252 },
	{ 0xe406, "c.sdsp ra, 8(sp)", 8, 1, 2, true, false, 8 },
	{ 0xf006, "c.sdsp ra, 32(sp)", 8, 1, 2, true, false, 32 },
	{ 0xe086, "c.sdsp ra, 64(sp)", 8, 1, 2, true, false, 64 },
	{ 0xe206, "c.sdsp ra, 256(sp)", 8, 1, 2, true, false, 256 },
	{ 0xfffe, "c.sdsp t6, 504(sp)", 8, 31, 2, true, false, 504 },
	{ 0x80000003, "lb zero, -2048(zero)", 1, 0, 0, false, true, -2048 },
	{ 0x7fff9f83, "lh t6, 2047(t6)", 2, 31, 31, false, true, 2047 },
	{ 0x0010a083, "lw ra, 1(ra)", 4, 1, 1, false, true, 1 },
	{ 0x02013103, "ld sp, 32(sp)", 8, 2, 2, false, false, 32 },
	{ 0xfff1c183, "lbu gp, -1(gp)", 1, 3, 3, false, false, -1 },
	{ 0x40025203, "lhu tp, 1024(tp)", 2, 4, 4, false, false, 1024 },
	{ 0x8002e283, "lwu t0, -2048(t0)", 4, 5, 5, false, false, -2048 },
	{ 0x80000023, "sb zero, -2048(zero)", 1, 0, 0, true, false, -2048 },
	{ 0x7fff9fa3, "sh t6, 2047(t6)", 2, 31, 31, true, false, 2047 },
	{ 0x0010a0a3, "sw ra, 1(ra)", 4, 1, 1, true, false, 1 },
	{ 0x0221b023, "sd sp, 32(gp)", 8, 2, 3, true, false, 32 },
	{ 0xfe11bfa3, "sd ra, -1(gp)", 8, 1, 3, true, false, -1 },
	{ 0x02113823, "sd ra, 48(sp)", 8, 1, 2, true, false, 48 },
};

/* ... and what it refuses: the FP forms in the same slots, reserved ones. */
static const uint32_t asm_refused[] = {
	0x2000, /* c.fld fs0, 0(s0) */
	0xa000, /* c.fsd fs0, 0(s0) */
	0x2082, /* c.fldsp ft1, 0(sp) */
	0xa006, /* c.fsdsp ft1, 0(sp) */
	0x4002, /* c.lwsp zero: reserved */
	0x6002, /* c.ldsp zero: reserved */
	0x8000, /* quadrant 0 funct3 4: reserved in RV64C (Zcb's, not ours) */
	0x00002007, /* flw ft0, 0(zero) */
	0x00003027, /* fsd ft0, 0(zero) */
	0x1000302f, /* lr.d zero, (zero) */
	0x00007003, /* LOAD funct3 7 */
	0x00004023, /* STORE funct3 4 */
};

static void test_rv_insn_model_matches_the_assembler(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		const struct asm_ref *r = &refs[i];
		struct rvm_insn m;

		print_message("%s\n", r->text);
		assert_true(rvm_decode(r->w, &m));
		assert_int_equal(m.len, (r->w & 3u) == 3u ? 4 : 2);
		assert_int_equal(m.width, r->width);
		assert_int_equal(m.store, r->store);
		assert_int_equal(m.sign_extend, r->sx);
		assert_int_equal(m.reg, r->reg);
		assert_false(m.transformed);
		assert_int_equal(m.rs1, r->rs1);
		assert_int_equal(m.imm, r->imm);
	}
	for (size_t i = 0; i < sizeof(asm_refused) / sizeof(asm_refused[0]); i++) {
		struct rvm_insn m;

		assert_false(rvm_decode(asm_refused[i], &m));
	}
}

/* Every 16-bit value: a compressed one alone and under two other upper
 * halves (which it must ignore); the rest as the low half of a word. */
static void test_rv_insn_model_every_halfword(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 0x10000u; i++) {
		check_decode(i);
		if ((i & 3u) != 3u) {
			check_decode(i | 0xffff0000u);
			check_decode(i | (i ^ 0xa5a5u) << 16);
		}
	}
}

/*
 * Full-size words. All 2^25 of each of LOAD and STORE, with the 2^27
 * htinst values below, take 20 s in a debug build and minutes under
 * valgrind (run once: no difference). Here: every funct3, rd or rs2 and
 * rs1 together, under immediates with each bit set alone and clear
 * alone, 0 and -1 (a misplaced or dropped immediate bit changes the
 * result for one of them); and every value of bits 14:0, where the
 * opcode and funct3 are, under a few upper halves. fuzz_rv_insn covers
 * the rest.
 */
static const uint32_t some_imms[] = {
	0x000, 0xfff, 0x001, 0x002, 0x004, 0x008, 0x010, 0x020, 0x040, 0x080, 0x100, 0x200,
	0x400, 0x800, 0xffe, 0xffd, 0xffb, 0xff7, 0xfef, 0xfdf, 0xfbf, 0xf7f, 0xeff, 0xdff,
	0xbff, 0x7ff,
};

static const uint32_t uppers[] = { 0x00000000, 0xffff8000, 0x00a58000, 0x7ff18000 };

/* The word with opcode `op` (LOAD or STORE, bit 1 as given), funct3 f3,
 * rd or rs2 `reg`, rs1 and the 12-bit immediate where the model's tables
 * put it. */
static uint32_t word(uint32_t op, uint32_t f3, uint32_t reg, uint32_t rs1, uint32_t imm)
{
	bool load = (op | 2u) == RVM_OP_LOAD;
	const uint8_t *at = load ? rvm_i_imm : rvm_s_imm;
	uint32_t w = op | f3 << 12 | rs1 << 15 | reg << (load ? 7 : 20);

	for (unsigned n = 0; n < 12; n++)
		w |= (imm >> n & 1u) << at[n];
	return w;
}

static void test_rv_insn_model_load_store_words(void **state)
{
	static const uint32_t ops[] = { RVM_OP_LOAD, RVM_OP_STORE };

	(void)state;
	for (unsigned o = 0; o < 2; o++)
		for (uint32_t f3 = 0; f3 < 8; f3++)
			for (uint32_t reg = 0; reg < 32; reg++)
				for (uint32_t rs1 = 0; rs1 < 32; rs1++)
					for (unsigned i = 0; i < sizeof(some_imms) / sizeof(some_imms[0]); i++)
						check_decode(word(ops[o], f3, reg, rs1, some_imms[i]));
	for (uint32_t low = 0; low < 1u << 15; low++)
		for (unsigned k = 0; k < sizeof(uppers) / sizeof(uppers[0]); k++)
			check_decode(uppers[k] | low);
}

/*
 * htinst: the LOAD and STORE opcodes with bit 1 set and clear (a
 * full-size or a compressed original), as above, and every low 15 bits;
 * the pseudoinstructions and their neighbours; bits past 31.
 */
static void test_rv_insn_model_htinst(void **state)
{
	static const uint32_t ops[] = { 0x03, 0x01, 0x23, 0x21 };

	(void)state;
	for (unsigned o = 0; o < 4; o++)
		for (uint32_t f3 = 0; f3 < 8; f3++)
			for (uint32_t reg = 0; reg < 32; reg++)
				for (uint32_t rs1 = 0; rs1 < 32; rs1++)
					for (unsigned i = 0; i < sizeof(some_imms) / sizeof(some_imms[0]); i++)
						check_htinst(word(ops[o], f3, reg, rs1, some_imms[i]));
	for (uint32_t low = 0; low < 1u << 15; low++)
		for (unsigned k = 0; k < sizeof(uppers) / sizeof(uppers[0]); k++)
			check_htinst(uppers[k] | low);
	for (unsigned i = 0; i < 4; i++)
		for (uint32_t d = 0; d < 64; d++)
			check_htinst(rvm_pseudo[i] ^ d);
	for (unsigned b = 32; b < 64; b++) {
		check_htinst(1ull << b | 0x00002483u);
		check_htinst(1ull << b);
	}
	check_htinst(UINT64_MAX);
}

/* --- where the access starts, and what the host may do with it --- */

static void check_access(const struct rv_mmio_insn *in, const struct rvm_insn *m,
			 const uint64_t x[32], uint64_t fault)
{
	static const int rcs[] = { [RVM_EMULATE] = RV_ACCESS_EMULATE,
				   [RVM_MISALIGNED] = RV_ACCESS_MISALIGNED,
				   [RVM_NOT_IT] = AXVM_EINVAL };
	uint64_t va = 0x5a5a5a5a5a5a5a5aull, want_va;
	int want = rcs[rvm_check_access(m, x, fault, &want_va)];
	int rc = rv_insn_check_access(in, x, fault, &va);

	if (rc != want || va != want_va) {
		print_message("width %u transformed %d rs1 %u imm %d x[rs1] %#llx fault %#llx: "
			      "rc %d va %#llx; the model: rc %d va %#llx\n", m->width,
			      m->transformed, m->rs1, m->imm, (unsigned long long)x[m->rs1 & 31u],
			      (unsigned long long)fault, rc, (unsigned long long)va, want,
			      (unsigned long long)want_va);
		fail();
	}
}

/* Starts near the bottom and top of the address space, a page end and an
 * arbitrary place, each at every low-bit offset up to 15, the fault up
 * to 9 bytes either side of the start. */
static const uint64_t bases[] = { 0, 0x1000 - 16, 0x80000000ull, UINT64_MAX - 15 };

static void sweep_access(const struct rv_mmio_insn *in, const struct rvm_insn *m,
			 uint64_t x[32])
{
	for (unsigned b = 0; b < sizeof(bases) / sizeof(bases[0]); b++)
		for (uint64_t lo = 0; lo < 16; lo++) {
			uint64_t start;

			/* put the start there: through x[rs1], or the fault for
			 * a transformed one, whose start follows from it */
			if (!m->transformed && m->rs1)
				x[m->rs1] = bases[b] + lo - (uint64_t)(int64_t)m->imm;
			start = m->transformed ? bases[b] + lo : rvm_start(m, x, 0);
			for (int d = -9; d <= 9; d++)
				check_access(in, m, x, start + (uint64_t)(int64_t)d);
		}
}

static void test_rv_insn_model_access(void **state)
{
	static const int imms[] = { 0, 1, 3, 7, -1, -8, 2047, -2048 };
	uint64_t x[32] = { 0 };

	(void)state;
	/* every width and kind of load and store, through a register and
	 * through x0 (kept 0 by the caller, rv.h) */
	for (uint32_t op = 0x03; op <= 0x23; op += 0x20)
		for (uint32_t f3 = 0; f3 < 8; f3++)
			for (unsigned i = 0; i < sizeof(imms) / sizeof(imms[0]); i++)
				for (uint32_t rs1 = 0; rs1 < 32; rs1 += 17) {
					uint32_t imm = (uint32_t)imms[i] & 0xfffu;
					uint32_t w = f3 << 12 | rs1 << 15 | 9u << 7 | op;
					struct rv_mmio_insn in;
					struct rvm_insn m;

					w |= op == 0x03 ? imm << 20
							: (imm >> 5) << 25 | (imm & 31u) << 7;
					if (!rvm_decode(w, &m))
						continue;
					assert_int_equal(rv_insn_decode(w, &in), 0);
					sweep_access(&in, &m, x);
				}
	/* the compressed forms at their largest offsets */
	for (unsigned i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		struct rv_mmio_insn in;
		struct rvm_insn m;

		if ((refs[i].w & 3u) == 3u)
			continue;
		assert_true(rvm_decode(refs[i].w, &m));
		assert_int_equal(rv_insn_decode(refs[i].w, &in), 0);
		sweep_access(&in, &m, x);
	}
	/* transformed: every width, every offset the rs1 field holds; the
	 * registers, which it does not use, hold something else */
	for (unsigned k = 1; k < 32; k++)
		x[k] = 0x1111111111111111ull * k;
	for (uint32_t f3 = 0; f3 < 4; f3++)
		for (uint32_t off = 0; off < 32; off++) {
			uint64_t v = f3 << 12 | off << 15 | 9u << 7 | 0x03u;
			struct rv_mmio_insn in;
			struct rvm_insn m;

			assert_int_equal(rvm_from_htinst(v, &m), RVM_HT_DECODED);
			assert_int_equal(rv_insn_from_htinst(v, &in), 0);
			sweep_access(&in, &m, x);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rv_insn_model_matches_the_assembler),
		cmocka_unit_test(test_rv_insn_model_every_halfword),
		cmocka_unit_test(test_rv_insn_model_load_store_words),
		cmocka_unit_test(test_rv_insn_model_htinst),
		cmocka_unit_test(test_rv_insn_model_access),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
