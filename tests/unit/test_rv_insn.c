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
};

static const struct ref good[] = {
	{ 0x00058503, "lb a0,0(a1)", 4, 1, 10, false, true },
	{ 0x00841283, "lh t0,8(s0)", 4, 2, 5, false, true },
	{ 0xffc12483, "lw s1,-4(sp)", 4, 4, 9, false, true },
	{ 0x0107bf83, "ld t6,16(a5)", 4, 8, 31, false, false },
	{ 0x0016c603, "lbu a2,1(a3)", 4, 1, 12, false, false },
	{ 0x00275003, "lhu zero,2(a4)", 4, 2, 0, false, false },
	{ 0x0001e083, "lwu ra,0(gp)", 4, 4, 1, false, false },
	{ 0x00a58023, "sb a0,0(a1)", 4, 1, 10, true, false },
	{ 0x00661123, "sh t1,2(a2)", 4, 2, 6, true, false },
	{ 0x01222223, "sw s2,4(tp)", 4, 4, 18, true, false },
	{ 0x01f2b423, "sd t6,8(t0)", 4, 8, 31, true, false },
	{ 0x00053023, "sd zero,0(a0)", 4, 8, 0, true, false },
	{ 0x41c8, "c.lw a0,4(a1)", 2, 4, 10, false, true },
	{ 0x6784, "c.ld s1,8(a5)", 2, 8, 9, false, false },
	{ 0xc018, "c.sw a4,0(s0)", 2, 4, 14, true, false },
	{ 0xea90, "c.sd a2,16(a3)", 2, 8, 12, true, false },
	{ 0x4292, "c.lwsp t0,4(sp)", 2, 4, 5, false, true },
	{ 0x60a2, "c.ldsp ra,8(sp)", 2, 8, 1, false, false },
	{ 0xc66e, "c.swsp s11,12(sp)", 2, 4, 27, true, false },
	{ 0xec7e, "c.sdsp t6,24(sp)", 2, 8, 31, true, false },
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
	assert_false(in->store && in->sign_extend);
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
		if (!rc)
			shape(&in, 4);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rv_insn_decodes_every_integer_load_store),
		cmocka_unit_test(test_rv_insn_refuses_fp_atomics_and_others),
		cmocka_unit_test(test_rv_insn_compressed_ignores_upper_half),
		cmocka_unit_test(test_rv_insn_htinst_transformed_and_pseudo),
		cmocka_unit_test(test_rv_insn_sweep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
