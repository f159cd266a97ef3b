/* SPDX-License-Identifier: Apache-2.0 */
/* Stage-2 data abort addresses of the AArch64 backend
 * (src/arch/aarch64/a64_fault.c): HPFAR_EL2 names the faulting page,
 * FAR_EL2 a byte of the access (not always its first), the instruction
 * says where the access starts, and an access crossing a page may fault
 * on either of its pages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "a64_fault.h"

/* HPFAR_EL2 for an IPA page: FIPA in bits [43:4]. */
static uint64_t hpfar_of(uint64_t ipa)
{
	return (ipa >> 12) << 4;
}

static void hpfar_page(void **state)
{
	(void)state;
	assert_int_equal(a64_hpfar_page(hpfar_of(0x41000000)), 0x41000000);
	assert_int_equal(a64_hpfar_page(hpfar_of(0xfffffffff000ull)), 0xfffffffff000ull);
	/* 52-bit IPAs (FEAT_LPA): FIPA reaches bit 43. */
	assert_int_equal(a64_hpfar_page(hpfar_of(0xf000000000000ull)), 0xf000000000000ull);
	/* NS (bit 63) and the RES0 low bits are not address. */
	assert_int_equal(a64_hpfar_page(hpfar_of(0x9000000) | 1ull << 63 | 0xf),
			 0x9000000);
}

static void straddles(void **state)
{
	(void)state;
	assert_false(a64_access_straddles(0x40fffff8, 8)); /* last 8 bytes */
	assert_true(a64_access_straddles(0x40fffffc, 8));  /* the finding */
	assert_true(a64_access_straddles(0x40ffffff, 2));
	assert_false(a64_access_straddles(0x40ffffff, 1));
	assert_false(a64_access_straddles(0x41000000, 8));
	assert_true(a64_access_straddles(0x3ffffffd, 4));
	/* No syndrome: width unknown, never taken as crossing. */
	assert_false(a64_access_straddles(0x40ffffff, 0));
	/* The top of the address space does not wrap into page 0. */
	assert_true(a64_access_straddles(UINT64_MAX - 3, 8));
}

/* An access inside one page: HPFAR's page, FAR's offset. */
static void one_page(void **state)
{
	(void)state;
	assert_int_equal(a64_dabt_ipa(0x0a000104, hpfar_of(0x0a000000), 4, A64_IPA_UNKNOWN),
			 0x0a000104);
	/* Guest MMU on: FAR is a VA, the page comes from HPFAR alone. */
	assert_int_equal(a64_dabt_ipa(0xffff000012345678ull, hpfar_of(0x09000000), 4,
				      A64_IPA_UNKNOWN),
			 0x09000678);
}

/* The finding: 8 bytes at RAM end - 4, the fault on the page after RAM.
 * The IPA is that page's first byte, not its offset 0xffc. */
static void straddle_second_page(void **state)
{
	(void)state;
	assert_int_equal(a64_dabt_ipa(0x40fffffc, hpfar_of(0x41000000), 8, 0x40fff000),
			 0x41000000);
	/* FAR's stage-1 page unknown: still the page, never FAR's offset. */
	assert_int_equal(a64_dabt_ipa(0x40fffffc, hpfar_of(0x41000000), 8, A64_IPA_UNKNOWN),
			 0x41000000);
	/* Guest MMU on, pages not adjacent in IPA space. */
	assert_int_equal(a64_dabt_ipa(0x7ffffffe, hpfar_of(0x0c000000), 4, 0x40123000),
			 0x0c000000);
}

/* The same access faulting on its first page: FAR's byte is the IPA. */
static void straddle_first_page(void **state)
{
	(void)state;
	assert_int_equal(a64_dabt_ipa(0x3ffffffc, hpfar_of(0x3ffff000), 8, 0x3ffff000),
			 0x3ffffffc);
	assert_int_equal(a64_dabt_ipa(0x7ffffffe, hpfar_of(0x40123000), 4, 0x40123000),
			 0x40123ffe);
}

static const uint64_t regs[31] = {
	[0] = 0x40fffff0, [1] = 0x0c, [2] = 0xfffffffffffffffcull, [3] = 0x100000004ull,
	[30] = 0x40fff000,
};
static const struct a64_addr_regs r = { .x = regs, .sp = 0x40ffff00, .pc = 0x40080000 };

/* Encodings from GNU as, mnemonic beside each. */
static void ldst_va(void **state)
{
	static const struct {
		uint32_t insn;
		const char *what;
		uint64_t va;
	} good[] = {
		{ 0xf9400401, "ldr x1, [x0, #8]", 0x40fffff8 },
		{ 0xb9000c01, "str w1, [x0, #12]", 0x40fffffc },
		{ 0x79400001, "ldrh w1, [x0]", 0x40fffff0 },
		{ 0x39bffc01, "ldrsb x1, [x0, #4095]", 0x41000fef },
		{ 0xf94003e1, "ldr x1, [sp]", 0x40ffff00 },
		{ 0xf85fc001, "ldur x1, [x0, #-4]", 0x40ffffec },
		{ 0xf800c3c1, "stur x1, [x30, #12]", 0x40fff00c },
		{ 0xf8400801, "ldtr x1, [x0]", 0x40fffff0 },
		{ 0xf8616801, "ldr x1, [x0, x1]", 0x40fffffc },
		{ 0xf8617801, "ldr x1, [x0, x1, lsl #3]", 0x41000050 },
		{ 0xb862c801, "ldr w1, [x0, w2, sxtw]", 0x40ffffec },
		{ 0xb8634801, "ldr w1, [x0, w3, uxtw]", 0x40fffff4 },
		{ 0xf87f6801, "ldr x1, [x0, xzr]", 0x40fffff0 },
		{ 0x58000041, "ldr x1, #8 (literal)", 0x40080008 },
		{ 0x18ffffe1, "ldr w1, #-4 (literal)", 0x4007fffc },
		/* opc 1x next to the unallocated pairs below */
		{ 0x79c00401, "ldrsh w1, [x0, #2]", 0x40fffff2 },
		{ 0xf9800400, "prfm pldl1keep, [x0, #8]", 0x40fffff8 },
		{ 0xb8808801, "ldtrsw x1, [x0, #8]", 0x40fffff8 },
		{ 0xf89fc001, "prfum pldl1strm, [x0, #-4]", 0x40ffffec },
		{ 0xf8a17800, "prfm pldl1keep, [x0, x1, lsl #3]", 0x41000050 },
	};
	static const struct {
		uint32_t insn;
		const char *what;
	} bad[] = {
		{ 0xf8408401, "ldr x1, [x0], #8 (post-index)" },
		{ 0xf8408c01, "ldr x1, [x0, #8]! (pre-index)" },
		{ 0xa9400401, "ldp x1, x1, [x0]" },
		{ 0xfd400401, "ldr d1, [x0, #8] (SIMD)" },
		{ 0xc8dffc01, "ldar x1, [x0]" },
		{ 0xf8210001, "ldadd x1, x1, [x0]" },
		{ 0xf8612801, "ldr x1, [x0, x1, #unallocated option 001]" },
		/* size:opc no load or store has: opc 11 sign-extends to 32 bits,
		 * which words and doublewords cannot; LDTR has no prefetch */
		{ 0xb9c00401, "size 10 opc 11, unsigned immediate" },
		{ 0xf9c00401, "size 11 opc 11, unsigned immediate" },
		{ 0xb8c00001, "size 10 opc 11, unscaled" },
		{ 0xf8c0c3c1, "size 11 opc 11, unscaled" },
		{ 0xb8c00801, "size 10 opc 11, unprivileged" },
		{ 0xf8800801, "size 11 opc 10, unprivileged" },
		{ 0xb8e16801, "size 10 opc 11, register offset" },
		{ 0xf8e17801, "size 11 opc 11, register offset" },
		{ 0xd503201f, "nop" },
	};
	uint64_t va;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		va = 0;
		if (!a64_ldst_va(good[i].insn, &r, &va) || va != good[i].va)
			fail_msg("%s: 0x%llx", good[i].what, (unsigned long long)va);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (a64_ldst_va(bad[i].insn, &r, &va))
			fail_msg("%s decoded", bad[i].what);
}

/* FAR near a page start may be past the access's start; elsewhere not. */
static void far_may_follow(void **state)
{
	(void)state;
	assert_true(a64_far_may_follow_start(0x41000000, 8));
	assert_true(a64_far_may_follow_start(0x41000006, 8));
	assert_false(a64_far_may_follow_start(0x41000007, 8));
	assert_false(a64_far_may_follow_start(0x41000000, 1));
	assert_false(a64_far_may_follow_start(0x41000000, 0));
	assert_false(a64_far_may_follow_start(0x40fffffc, 8));
}

/* The decoded start counts only if its access contains FAR. */
static void access_start(void **state)
{
	(void)state;
	/* QEMU: FAR is the second page's first byte. */
	assert_int_equal(a64_access_start(0x41000000, 8, true, 0x40fffffc), 0x40fffffc);
	assert_int_equal(a64_access_start(0x41000000, 8, true, 0x40fffff9), 0x40fffff9);
	/* An instruction rewritten after the fault, or not decodable. */
	assert_int_equal(a64_access_start(0x41000000, 8, true, 0x40fffff8), 0x41000000);
	assert_int_equal(a64_access_start(0x41000000, 8, true, 0x41000001), 0x41000000);
	assert_int_equal(a64_access_start(0x41000000, 8, true, 0x9000000), 0x41000000);
	assert_int_equal(a64_access_start(0x41000000, 8, false, 0x40fffffc), 0x41000000);
	assert_int_equal(a64_access_start(0x41000000, 8, true, UINT64_MAX), 0x41000000);
}

/* End to end on QEMU's report of the finding: FAR = 0x41000000, HPFAR
 * the same page, the instruction ldr x1, [x0] with x0 = RAM end - 4. */
static void finding_as_qemu_reports_it(void **state)
{
	static const uint64_t x[31] = { [0] = 0x40fffffc };
	const struct a64_addr_regs q = { .x = x, .pc = 0x40081000 };
	uint64_t va = 0, start;

	(void)state;
	assert_true(a64_far_may_follow_start(0x41000000, 8));
	assert_true(a64_ldst_va(0xf9400001 /* ldr x1, [x0] */, &q, &va));
	start = a64_access_start(0x41000000, 8, true, va);
	assert_int_equal(start, 0x40fffffc);
	assert_true(a64_access_straddles(start, 8));
	assert_int_equal(a64_dabt_ipa(start, hpfar_of(0x41000000), 8, 0x40fff000),
			 0x41000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hpfar_page),
		cmocka_unit_test(straddles),
		cmocka_unit_test(one_page),
		cmocka_unit_test(straddle_second_page),
		cmocka_unit_test(straddle_first_page),
		cmocka_unit_test(ldst_va),
		cmocka_unit_test(far_may_follow),
		cmocka_unit_test(access_start),
		cmocka_unit_test(finding_as_qemu_reports_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
