/* SPDX-License-Identifier: Apache-2.0 */
/* ID registers guests of the AArch64 backend read
 * (src/arch/aarch64/a64_idregs.c): the host's values minus the features
 * the backend does not give guests, everything else untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "a64_idregs.h"

#define ALL UINT64_MAX
#define F(v, lsb) (((v) >> (lsb)) & 0xfu)

/* QEMU -cpu max's ID_AA64PFR0_EL1 (SVE 1, GIC 1, EL0-EL3 AArch64+32). */
static void pfr0(void **state)
{
	const uint64_t host = 0x1101011000112222ull | (1ull << 32);
	uint64_t g = a64_id_sanitize(4, 0, host);
	(void)state;

	assert_int_equal(F(g, 32), 0); /* SVE */
	assert_int_equal(F(g, 40), 0); /* MPAM */
	assert_int_equal(F(g, 44), 0); /* AMU */
	assert_int_equal(F(g, 24), F(host, 24)); /* GIC system registers kept */
	assert_int_equal(F(g, 0), 2);  /* EL0: AArch64 and AArch32, kept */
	assert_int_equal(F(g, 4), 1);  /* EL1: AArch64 only (HCR_EL2.RW) */
	assert_int_equal(F(g, 8), 0);  /* EL2: not the guest's */
	assert_int_equal(F(g, 12), 2); /* EL3: kept */
	assert_int_equal(a64_id_sanitize(4, 0, ALL),
			 (ALL & ~(0xfull << 32 | 0xfull << 40 | 0xfull << 44 | 0xfull << 8 |
				  0xfull << 4)) | 1ull << 4);
	assert_int_equal(F(a64_id_sanitize(4, 0, 0), 4), 1);
}

static void hidden_features(void **state)
{
	(void)state;
	/* PFR1: MTE, MPAM_frac, SME, NMI, GCS; BT and SSBS kept */
	uint64_t g = a64_id_sanitize(4, 1, ALL);
	assert_int_equal(F(g, 8) | F(g, 16) | F(g, 24) | F(g, 36) | F(g, 44), 0);
	assert_int_equal(F(g, 0), 0xf);
	assert_int_equal(F(g, 4), 0xf);
	/* whole SVE and SME feature registers */
	assert_int_equal(a64_id_sanitize(4, 4, ALL), 0);
	assert_int_equal(a64_id_sanitize(4, 5, ALL), 0);
	/* DFR0: trace, PMU, SPE, BRBE gone; DebugVer, BRPs, WRPs kept */
	g = a64_id_sanitize(5, 0, ALL);
	assert_int_equal(F(g, 4) | F(g, 8) | F(g, 32) | F(g, 40) | F(g, 44) | F(g, 48) |
				 F(g, 52),
			 0);
	assert_int_equal(F(g, 0), 0xf);
	assert_int_equal(F(g, 12), 0xf);
	assert_int_equal(F(g, 20), 0xf);
	/* pointer authentication in ISAR1 and ISAR2; the rest kept */
	g = a64_id_sanitize(6, 1, ALL);
	assert_int_equal(F(g, 4) | F(g, 8) | F(g, 24) | F(g, 28), 0);
	assert_int_equal(F(g, 0), 0xf); /* DPB */
	assert_int_equal(F(g, 20), 0xf); /* LRCPC */
	g = a64_id_sanitize(6, 2, ALL);
	assert_int_equal(F(g, 8) | F(g, 12), 0);
	assert_int_equal(F(g, 0), 0xf);
	/* AArch32 DFR0: PerfMon */
	assert_int_equal(F(a64_id_sanitize(1, 2, ALL), 24), 0);
}

static void untouched(void **state)
{
	(void)state;
	/* MMFR0-2, ISAR0, the AArch32 ISARs and MVFRs pass through */
	assert_int_equal(a64_id_sanitize(7, 0, 0x1122334455667788ull), 0x1122334455667788ull);
	assert_int_equal(a64_id_sanitize(7, 2, ALL), ALL);
	assert_int_equal(a64_id_sanitize(6, 0, ALL), ALL);
	assert_int_equal(a64_id_sanitize(2, 0, 0x02101110u), 0x02101110u);
	assert_int_equal(a64_id_sanitize(3, 0, 0x10110222u), 0x10110222u);
}

static void outside_the_group(void **state)
{
	(void)state;
	assert_int_equal(a64_id_sanitize(0, 0, ALL), 0); /* MIDR etc.: not ID group 3 */
	assert_int_equal(a64_id_sanitize(8, 0, ALL), 0);
	assert_int_equal(a64_id_sanitize(1, 8, ALL), 0);
	assert_int_equal(a64_id_sanitize(UINT32_MAX, UINT32_MAX, ALL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pfr0),
		cmocka_unit_test(hidden_features),
		cmocka_unit_test(untouched),
		cmocka_unit_test(outside_the_group),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
