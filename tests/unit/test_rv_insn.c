/* SPDX-License-Identifier: Apache-2.0 */
/* RISC-V MMIO instruction decoding (src/arch/riscv64/rv_insn.c). Reference
 * encodings from GNU as (-march=rv64gc), mnemonic beside each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <axvm/types.h>

#include "rv_insn.h"

struct ref {
	uint32_t insn;
	const char *what;
	uint8_t len, width, reg;
	bool store, sx;
	uint8_t rs1;
	int16_t imm;
};

static const struct ref good[] = {
	{ 0x00058503, "lb a0,0(a1)", 4, 1, 10, false, true, 11, 0 },
	{ 0x00841283, "lh t0,8(s0)", 4, 2, 5, false, true, 8, 8 },
	{ 0xffc12483, "lw s1,-4(sp)", 4, 4, 9, false, true, 2, -4 },
	{ 0x0107bf83, "ld t6,16(a5)", 4, 8, 31, false, false, 15, 16 },
	{ 0x0016c603, "lbu a2,1(a3)", 4, 1, 12, false, false, 13, 1 },
	{ 0x00275003, "lhu zero,2(a4)", 4, 2, 0, false, false, 14, 2 },
	{ 0x0001e083, "lwu ra,0(gp)", 4, 4, 1, false, false, 3, 0 },
	{ 0x00a58023, "sb a0,0(a1)", 4, 1, 10, true, false, 11, 0 },
	{ 0x00661123, "sh t1,2(a2)", 4, 2, 6, true, false, 12, 2 },
	{ 0x01222223, "sw s2,4(tp)", 4, 4, 18, true, false, 4, 4 },
	{ 0x01f2b423, "sd t6,8(t0)", 4, 8, 31, true, false, 5, 8 },
	{ 0x00053023, "sd zero,0(a0)", 4, 8, 0, true, false, 10, 0 },
	{ 0x41c8, "c.lw a0,4(a1)", 2, 4, 10, false, true, 11, 4 },
	{ 0x6784, "c.ld s1,8(a5)", 2, 8, 9, false, false, 15, 8 },
	{ 0xc018, "c.sw a4,0(s0)", 2, 4, 14, true, false, 8, 0 },
	{ 0xea90, "c.sd a2,16(a3)", 2, 8, 12, true, false, 13, 16 },
	{ 0x4292, "c.lwsp t0,4(sp)", 2, 4, 5, false, true, 2, 4 },
	{ 0x60a2, "c.ldsp ra,8(sp)", 2, 8, 1, false, false, 2, 8 },
	{ 0xc66e, "c.swsp s11,12(sp)", 2, 4, 27, true, false, 2, 12 },
	{ 0xec7e, "c.sdsp t6,24(sp)", 2, 8, 31, true, false, 2, 24 },
	/* immediates at their limits and every offset bit of the compressed forms */
	{ 0x7ff5a503, "lw a0,2047(a1)", 4, 4, 10, false, true, 11, 2047 },
	{ 0x8005a503, "lw a0,-2048(a1)", 4, 4, 10, false, true, 11, -2048 },
	{ 0xfff03f83, "ld t6,-1(zero)", 4, 8, 31, false, false, 0, -1 },
	{ 0x81f2b023, "sd t6,-2048(t0)", 4, 8, 31, true, false, 5, -2048 },
	{ 0x7f222fa3, "sw s2,2047(tp)", 4, 4, 18, true, false, 4, 2047 },
	{ 0xfe661ea3, "sh t1,-3(a2)", 4, 2, 6, true, false, 12, -3 },
	{ 0xfea10fa3, "sb a0,-1(sp)", 4, 1, 10, true, false, 2, -1 },
	{ 0x5de8, "c.lw a0,124(a1)", 2, 4, 10, false, true, 11, 124 },
	{ 0x7fe4, "c.ld s1,248(a5)", 2, 8, 9, false, false, 15, 248 },
	{ 0xdc78, "c.sw a4,124(s0)", 2, 4, 14, true, false, 8, 124 },
	{ 0xfef0, "c.sd a2,248(a3)", 2, 8, 12, true, false, 13, 248 },
	{ 0x40bc, "c.lw a5,64(s1)", 2, 4, 15, false, true, 9, 64 },
	{ 0x52fe, "c.lwsp t0,252(sp)", 2, 4, 5, false, true, 2, 252 },
	{ 0x70fe, "c.ldsp ra,504(sp)", 2, 8, 1, false, false, 2, 504 },
	{ 0xdfee, "c.swsp s11,252(sp)", 2, 4, 27, true, false, 2, 252 },
	{ 0xfffe, "c.sdsp t6,504(sp)", 2, 8, 31, true, false, 2, 504 },
	{ 0x7082, "c.ldsp ra,32(sp)", 2, 8, 1, false, false, 2, 32 },
	{ 0x5282, "c.lwsp t0,32(sp)", 2, 4, 5, false, true, 2, 32 },
	{ 0xe0fe, "c.sdsp t6,64(sp)", 2, 8, 31, true, false, 2, 64 },
	{ 0xc16e, "c.swsp s11,128(sp)", 2, 4, 27, true, false, 2, 128 },
};

static const uint32_t bad[] = {
	0x0005a507, /* flw fa0,0(a1) */
	0x0005b507, /* fld fa0,0(a1) */
	0x00a5a027, /* fsw fa0,0(a1) */
	0x00a5b027, /* fsd fa0,0(a1) */
	0x2588,     /* c.fld fa0,8(a1) */
	0xa588,     /* c.fsd fa0,8(a1) */
	0x2522,     /* c.fldsp fa0,8(sp) */
	0xa42a,     /* c.fsdsp fa0,8(sp) */
	0x00b6252f, /* amoadd.w a0,a1,(a2) */
	0x1005b52f, /* lr.d a0,(a1) */
	0x18b6252f, /* sc.w a0,a1,(a2) */
	0x0505,     /* c.addi a0,1 */
	0x0808,     /* c.addi4spn a0,sp,16 */
	0x4505,     /* c.li a0,1 */
	0x00150513, /* addi a0,a0,1 */
	0x0005f503, /* load funct3 7: reserved */
	0x00a5c023, /* store funct3 4: reserved */
	0x4002,     /* c.lwsp with rd = 0: reserved */
	0x6002,     /* c.ldsp with rd = 0: reserved */
	0x0000,     /* the all-zero illegal instruction */
	0xffffffff,
};

static void check(const struct ref *r, const struct rv_mmio_insn *in)
{
	assert_int_equal(in->len, r->len);
	assert_int_equal(in->width, r->width);
	assert_int_equal(in->reg, r->reg);
	assert_int_equal(in->store, r->store);
	assert_int_equal(in->sign_extend, r->sx);
	assert_false(in->transformed);
	assert_int_equal(in->rs1, r->rs1);
	assert_int_equal(in->imm, r->imm);
}

static void test_rv_insn_decodes_every_integer_load_store(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct rv_mmio_insn in;
		print_message("%s\n", good[i].what);
		assert_int_equal(rv_insn_decode(good[i].insn, &in), 0);
		check(&good[i], &in);
	}
}

static void test_rv_insn_refuses_fp_atomics_and_others(void **state)
{
	struct rv_mmio_insn in;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(rv_insn_decode(bad[i], &in), AXVM_EINVAL);
	assert_int_equal(rv_insn_decode(0x00058503, NULL), AXVM_EINVAL);
}

/* A compressed instruction is its low 16 bits: whatever follows it in
 * the fetched word does not matter. */
static void test_rv_insn_compressed_ignores_upper_half(void **state)
{
	struct rv_mmio_insn in;

	(void)state;
	assert_int_equal(rv_insn_decode(0xdead0000u | 0x41c8u, &in), 0);
	check(&good[12], &in);
}

/* htinst: the transformed form is the 32-bit instruction with rs1 and the
 * offset zeroed; bit 1 clear says the original was compressed. */
static void test_rv_insn_htinst_transformed_and_pseudo(void **state)
{
	struct rv_mmio_insn in;

	(void)state;
	assert_int_equal(rv_insn_from_htinst(0, &in), AXVM_ENOENT);
	/* lw s1,-4(sp) transformed: rs1 = 0, imm = 0 */
	assert_int_equal(rv_insn_from_htinst(0x00002483, &in), 0);
	assert_int_equal(in.len, 4);
	assert_int_equal(in.width, 4);
	assert_int_equal(in.reg, 9);
	assert_true(in.sign_extend);
	assert_true(in.transformed);
	assert_int_equal(in.rs1, 0);
	assert_int_equal(in.imm, 0);
	/* the rs1 field is the address offset; stray immediate bits count
	 * for nothing */
	assert_int_equal(rv_insn_from_htinst(0xfff22483, &in), 0);
	assert_true(in.transformed);
	assert_int_equal(in.rs1, 4);
	assert_int_equal(in.imm, 0);
	/* c.sd a2,16(a3) -> sd a2 with bit 1 clear: length 2 */
	assert_int_equal(rv_insn_from_htinst(0x00c03021, &in), 0);
	assert_int_equal(in.len, 2);
	assert_int_equal(in.width, 8);
	assert_true(in.store);
	assert_int_equal(in.reg, 12);
	/* c.lw a0 transformed */
	assert_int_equal(rv_insn_from_htinst(0x00002501, &in), 0);
	assert_int_equal(in.len, 2);
	assert_int_equal(in.reg, 10);
	/* implicit page-table accesses, custom values, FP, oversized */
	assert_int_equal(rv_insn_from_htinst(0x00002000, &in), AXVM_EINVAL);
	assert_int_equal(rv_insn_from_htinst(0x00003000, &in), AXVM_EINVAL);
	assert_int_equal(rv_insn_from_htinst(0x00002020, &in), AXVM_EINVAL);
	assert_int_equal(rv_insn_from_htinst(0x00003020, &in), AXVM_EINVAL);
	assert_int_equal(rv_insn_from_htinst(0x00003007, &in), AXVM_EINVAL); /* fld */
	assert_int_equal(rv_insn_from_htinst(0x100000003ull, &in), AXVM_EINVAL);
	assert_int_equal(rv_insn_from_htinst(0x2483, NULL), AXVM_EINVAL);
}

/* Every 16-bit value and a sweep of 32-bit ones: an accepted instruction
 * always has a sane shape, and the classification agrees with a direct
 * reading of the opcode map. */
static bool expect16(uint32_t i)
{
	unsigned q = i & 3u, f3 = (i >> 13) & 7u, rd = (i >> 7) & 31u;
	if (q == 0)
		return f3 == 2 || f3 == 3 || f3 == 6 || f3 == 7;
	if (q == 2)
		return ((f3 == 2 || f3 == 3) && rd) || f3 == 6 || f3 == 7;
	return false;
}

static bool expect32(uint32_t i)
{
	unsigned op = i & 0x7fu, f3 = (i >> 12) & 7u;
	return (op == 0x03 && f3 != 7) || (op == 0x23 && f3 <= 3);
}

static void shape(const struct rv_mmio_insn *in, unsigned len)
{
	assert_int_equal(in->len, len);
	assert_true(in->width == 1 || in->width == 2 || in->width == 4 || in->width == 8);
	assert_true(in->reg < 32);
	assert_true(in->rs1 < 32);
	assert_false(in->store && in->sign_extend);
	assert_false(in->transformed);
	if (len == 2) {
		/* compressed offsets: scaled by the width, below 64 units */
		assert_true(in->imm >= 0 && in->imm < 64 * in->width);
		assert_int_equal(in->imm % in->width, 0);
		assert_true(in->rs1 == 2 || (in->rs1 >= 8 && in->rs1 < 16));
	}
}

/* The 32-bit immediates read another way: arithmetic shifts of the
 * signed instruction word (what gcc and clang do with them). */
static int imm32(uint32_t i)
{
	int32_t s = (int32_t)i;

	if ((i & 0x7fu) == 0x03u)
		return s >> 20;
	return (s >> 25) * 32 + (int)((i >> 7) & 31u);
}

static void test_rv_insn_sweep(void **state)
{
	struct rv_mmio_insn in;
	uint64_t x = 0x9e3779b97f4a7c15ull;

	(void)state;
	for (uint32_t i = 0; i < 0x10000u; i++) {
		if ((i & 3u) == 3u)
			continue;
		int rc = rv_insn_decode(i, &in);
		assert_int_equal(rc == 0, expect16(i));
		if (!rc)
			shape(&in, 2);
	}
	for (unsigned n = 0; n < 2000000u; n++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint32_t i = (uint32_t)x | 3u;
		/* half the samples on the two opcodes that matter */
		if (n & 1)
			i = (i & ~0x7fu) | ((x >> 40) & 1 ? 0x03u : 0x23u);
		int rc = rv_insn_decode(i, &in);
		assert_int_equal(rc == 0, expect32(i));
		if (!rc) {
			shape(&in, 4);
			assert_int_equal(in.rs1, (i >> 15) & 31u);
			assert_int_equal(in.imm, imm32(i));
		}
	}
}

/* --- where an access starts, and whether the host may emulate it --- */

#define PLIC 0x0c000000ull
#define TESTDEV 0x11000000ull
#define RAM_END 0x81000000ull

static struct rv_mmio_insn decoded(uint32_t insn)
{
	struct rv_mmio_insn in;

	assert_int_equal(rv_insn_decode(insn, &in), 0);
	return in;
}

static struct rv_mmio_insn transformed(uint64_t htinst)
{
	struct rv_mmio_insn in;

	assert_int_equal(rv_insn_from_htinst(htinst, &in), 0);
	return in;
}

static void expect_access(const struct rv_mmio_insn *in, const uint64_t *x,
			  uint64_t fault_va, int want, uint64_t want_va)
{
	uint64_t va = 0;

	assert_int_equal(rv_insn_check_access(in, x, fault_va, &va), want);
	if (want >= 0)
		assert_int_equal(va, want_va);
}

/* An instruction read from memory: the address is x[rs1] + imm. */
static void test_rv_insn_access_from_registers(void **state)
{
	uint64_t x[32] = { 0 };
	struct rv_mmio_insn in;

	(void)state;
	/* lw s1,-4(sp) at PLIC+4: aligned, emulated */
	x[2] = PLIC + 8;
	in = decoded(0xffc12483);
	expect_access(&in, x, PLIC + 4, RV_ACCESS_EMULATE, PLIC + 4);
	/* lw a0,2047(a1) at PLIC+6: misaligned */
	x[11] = PLIC + 6 - 2047;
	in = decoded(0x7ff5a503);
	expect_access(&in, x, PLIC + 6, RV_ACCESS_MISALIGNED, PLIC + 6);
	/* sd t6,-2048(t0) at the test device + 3 */
	x[5] = TESTDEV + 3 + 2048;
	in = decoded(0x81f2b023);
	expect_access(&in, x, TESTDEV + 3, RV_ACCESS_MISALIGNED, TESTDEV + 3);
	/* c.lwsp t0,4(sp) and c.sd a2,16(a3), misaligned */
	x[2] = TESTDEV + 2;
	in = decoded(0x4292);
	expect_access(&in, x, TESTDEV + 6, RV_ACCESS_MISALIGNED, TESTDEV + 6);
	x[13] = TESTDEV + 0x11;
	in = decoded(0xea90);
	expect_access(&in, x, TESTDEV + 0x21, RV_ACCESS_MISALIGNED, TESTDEV + 0x21);
	/* ld t6,16(a5) across RAM's end: the hart faults on the part past
	 * it; the access still starts (misaligned) 4 bytes before. */
	x[15] = RAM_END - 4 - 16;
	in = decoded(0x0107bf83);
	expect_access(&in, x, RAM_END, RV_ACCESS_MISALIGNED, RAM_END - 4);
	expect_access(&in, x, RAM_END - 4, RV_ACCESS_MISALIGNED, RAM_END - 4);
	/* ld t6,-1(zero): x0 is 0, the address wraps to 2^64 - 1 */
	in = decoded(0xfff03f83);
	expect_access(&in, x, UINT64_MAX, RV_ACCESS_MISALIGNED, UINT64_MAX);
	/* a byte is never misaligned */
	x[11] = TESTDEV + 7;
	in = decoded(0x00058503);
	expect_access(&in, x, TESTDEV + 7, RV_ACCESS_EMULATE, TESTDEV + 7);
}

/* A fault outside the access the instruction makes: not the instruction
 * that trapped (a guest rewrote it meanwhile). Refused, never emulated. */
static void test_rv_insn_access_not_the_trapped_one(void **state)
{
	uint64_t x[32] = { 0 };
	struct rv_mmio_insn in;

	(void)state;
	x[2] = PLIC + 8;
	in = decoded(0xffc12483); /* lw s1,-4(sp): PLIC+4..PLIC+7 */
	expect_access(&in, x, PLIC + 8, AXVM_EINVAL, 0);
	expect_access(&in, x, PLIC + 5, AXVM_EINVAL, 0); /* aligned: only at its start */
	expect_access(&in, x, PLIC, AXVM_EINVAL, 0);
	expect_access(&in, x, TESTDEV, AXVM_EINVAL, 0);
	x[11] = PLIC + 6 - 2047;
	in = decoded(0x7ff5a503); /* lw a0,2047(a1): PLIC+6..PLIC+9 */
	expect_access(&in, x, PLIC + 9, RV_ACCESS_MISALIGNED, PLIC + 6);
	expect_access(&in, x, PLIC + 10, AXVM_EINVAL, 0);
	expect_access(&in, x, PLIC + 5, AXVM_EINVAL, 0);
}

/* A transformed htinst: the start is stval less the offset in rs1; the
 * registers do not matter. */
static void test_rv_insn_access_from_htinst(void **state)
{
	uint64_t x[32];
	struct rv_mmio_insn in;

	(void)state;
	for (unsigned i = 0; i < 32; i++)
		x[i] = 0xdead0000u + i;
	in = transformed(0x00002483); /* lw s1, offset 0 */
	expect_access(&in, x, PLIC + 4, RV_ACCESS_EMULATE, PLIC + 4);
	expect_access(&in, x, PLIC + 6, RV_ACCESS_MISALIGNED, PLIC + 6);
	in = transformed(0x00c03021); /* c.sd a2, offset 0 */
	expect_access(&in, x, TESTDEV + 3, RV_ACCESS_MISALIGNED, TESTDEV + 3);
	in = transformed(0x00023483); /* ld s1 that faulted 4 bytes in */
	expect_access(&in, x, RAM_END, RV_ACCESS_MISALIGNED, RAM_END - 4);
	in = transformed(0x00022483); /* lw s1 "faulted 4 bytes in": past it */
	expect_access(&in, x, PLIC + 6, AXVM_EINVAL, 0);
	expect_access(&in, x, PLIC + 8, AXVM_EINVAL, 0);
	in = transformed(0x000fb483); /* ld s1, offset 31 */
	expect_access(&in, x, RAM_END, AXVM_EINVAL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rv_insn_decodes_every_integer_load_store),
		cmocka_unit_test(test_rv_insn_refuses_fp_atomics_and_others),
		cmocka_unit_test(test_rv_insn_compressed_ignores_upper_half),
		cmocka_unit_test(test_rv_insn_htinst_transformed_and_pseudo),
		cmocka_unit_test(test_rv_insn_sweep),
		cmocka_unit_test(test_rv_insn_access_from_registers),
		cmocka_unit_test(test_rv_insn_access_not_the_trapped_one),
		cmocka_unit_test(test_rv_insn_access_from_htinst),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
