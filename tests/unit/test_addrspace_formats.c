/* SPDX-License-Identifier: Apache-2.0 */
/* Bit-exact stage-2 descriptors and root registers, one format at a time.
 * Every expected value is written out here from the manual section named
 * beside it, not computed by the code under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "addrspace_env.h"
#include "core/pt.h"

#define R AXVM_MEM_READ
#define W AXVM_MEM_WRITE
#define X AXVM_MEM_EXEC
#define DEV AXVM_MEM_DEVICE
#define UC AXVM_MEM_UNCACHED

#define GIB (1ull << 30)
#define MIB2 (2ull << 20)

struct fx {
	struct as_env env;
	struct axvm_addrspace *as;
	const struct as_geo *g;
};

static int teardown(void **state)
{
	struct fx *f = *state;
	long live;

	axvm_addrspace_destroy(f->as);
	live = as_env_fini(&f->env);
	free(f);
	return live == 0 ? 0 : -1;
}

static struct fx *setup_fmt(void **state, const struct axvm_pt_format *fmt)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	*state = f;
	assert_int_equal(as_env_init(&f->env), 0);
	assert_int_equal(axvm_addrspace_create(&f->env.fh.hal, fmt, &f->as), 0);
	for (unsigned i = 0; i < AS_NGEOS; i++)
		if (as_geos[i].fmt == fmt)
			f->g = &as_geos[i];
	assert_non_null(f->g);
	return f;
}

/* Map one page-size run and return the descriptor at its leaf level. */
static uint64_t leaf(struct fx *f, uint64_t gpa, uint64_t hpa, uint64_t size,
		     uint32_t flags, unsigned level)
{
	uint64_t *e;

	assert_int_equal(axvm_addrspace_map(f->as, gpa, hpa, size, flags), 0);
	e = as_raw(f->g, axvm_addrspace_root(f->as), gpa, level);
	assert_non_null(e);
	return *e;
}

/* The table descriptors on the way down to `level` for gpa. */
static void check_tables(struct fx *f, uint64_t gpa, unsigned level,
			 uint64_t (*expect)(uint64_t next_pa))
{
	uint64_t *t = (uint64_t *)(uintptr_t)axvm_addrspace_root(f->as);

	for (unsigned lv = f->g->levels - 1; lv > level; lv--) {
		uint64_t e = t[as_index(f->g, gpa, lv)];
		uint64_t next = as_next(f->g, e);
		assert_int_not_equal(next, 0);
		assert_int_equal(e, expect(next));
		t = (uint64_t *)(uintptr_t)next;
	}
}

/* ------------------------------------------------------------------------
 * Arm ARM (DDI 0487), "VMSAv8-64 translation table format descriptors"
 * (D5.3 in issue G, D8.3 in issue J.a), stage 2, 4 KiB granule: [1:0]
 * 0b11 table/page, 0b01 block; MemAttr[5:2] per "Stage 2 memory type and
 * Cacheability attributes" (FWB = 0); S2AP[7:6]; SH[9:8]; AF[10]; XN[54].
 * ------------------------------------------------------------------------ */
static uint64_t arm_table(uint64_t pa)
{
	return pa | 0x3; /* table descriptor; stage 2 has no table attributes */
}

static void arm_leaves(void **state, const struct axvm_pt_format *fmt)
{
	struct fx *f = setup_fmt(state, fmt);

	/* Page, Normal WB (MemAttr 0b1111), S2AP RW (0b11), inner
	 * shareable (0b11), AF: 0x3 | 0x3c | 0xc0 | 0x300 | 0x400. */
	assert_int_equal(leaf(f, 0x80403000, 0x12345000, 4096, R | W | X, 0),
			 0x00000000123457ffull);
	check_tables(f, 0x80403000, 0, arm_table);
	/* Read-only, XN: S2AP 0b01, bit 54. */
	assert_int_equal(leaf(f, 0x80404000, 0x12346000, 4096, R, 0),
			 0x004000001234677full);
	/* Device-nGnRE (MemAttr 0b0001), RW, XN. */
	assert_int_equal(leaf(f, 0x80405000, 0x12347000, 4096, R | W | DEV, 0),
			 0x00400000123477c7ull);
	/* Normal Non-cacheable (MemAttr 0b0101), RWX. */
	assert_int_equal(leaf(f, 0x80406000, 0x12348000, 4096, R | W | X | UC, 0),
			 0x00000000123487d7ull);
	/* Write-only (S2AP 0b10) and execute-only (S2AP 0b00, XN 0). */
	assert_int_equal(leaf(f, 0x80407000, 0x12349000, 4096, W, 0),
			 0x00400000123497bfull);
	assert_int_equal(leaf(f, 0x80408000, 0x1234a000, 4096, X, 0),
			 0x000000001234a73full);
	/* Level-2 block (2 MiB), RWX: [1:0] = 0b01. */
	assert_int_equal(leaf(f, 0x80600000, 0x40200000, MIB2, R | W | X, 1),
			 0x00000000402007fdull);
	/* Level-1 block (1 GiB), RW, XN. */
	assert_int_equal(leaf(f, 3 * GIB, 2 * GIB, GIB, R | W, 2),
			 0x00400000800007fdull);
}

static void test_addrspace_arm_ipa40_descriptors(void **state)
{
	arm_leaves(state, &axvm_pt_arm_s2_4k_ipa40);
}

static void test_addrspace_arm_ipa48_descriptors(void **state)
{
	arm_leaves(state, &axvm_pt_arm_s2_4k_ipa48);
}

static void test_addrspace_arm_ipa40_concatenated_root(void **state)
{
	/* Arm ARM "Concatenated translation tables for the initial stage 2
	 * lookup" (VTCR_EL2.SL0 = 1, T0SZ = 24): IPA[39:30] indexes 1024
	 * entries over two 4 KiB tables. */
	struct fx *f = setup_fmt(state, &axvm_pt_arm_s2_4k_ipa40);
	uint64_t *root = (uint64_t *)(uintptr_t)axvm_addrspace_root(f->as);
	uint64_t gpa = 1023 * GIB; /* last root entry, in the second table */

	assert_int_equal(axvm_addrspace_map(f->as, gpa, GIB, GIB, R | W | X), 0);
	assert_int_equal(root[1023], 0x00000000400007fdull);
	assert_int_equal(axvm_addrspace_root(f->as) & 0x1fff, 0); /* 8 KiB aligned */
	assert_int_equal(axvm_addrspace_map(f->as, 1024 * GIB - 4096, 0, 4096, R),
			 AXVM_EEXIST);
	assert_int_equal(axvm_addrspace_map(f->as, 1024 * GIB, 0, 4096, R),
			 AXVM_ERANGE);
}

static void test_addrspace_arm_vtcr_and_vttbr(void **state)
{
	struct axvm_pt_info info;
	uint64_t v;

	(void)state;
	/* Arm ARM system register VTCR_EL2: T0SZ[5:0], SL0[7:6], IRGN0/ORGN0 = 0b01 (WBWA),
	 * SH0 = 0b11, TG0 = 0b00 (4 KiB), PS[18:16], VS = 0, bit 31 RES1. */
	assert_int_equal(axvm_pt_format_info(&axvm_pt_arm_s2_4k_ipa40, &info), 0);
	assert_int_equal(info.control, 0x80023558); /* T0SZ 24, SL0 1, PS 0b010 */
	assert_int_equal(info.ia_bits, 40);
	assert_int_equal(info.levels, 3);
	assert_int_equal(info.root_pages, 2);
	assert_int_equal(axvm_pt_format_info(&axvm_pt_arm_s2_4k_ipa48, &info), 0);
	assert_int_equal(info.control, 0x80053590); /* T0SZ 16, SL0 2, PS 0b101 */
	assert_int_equal(info.levels, 4);
	assert_int_equal(info.root_pages, 1);
	/* VTTBR_EL2: BADDR[47:1], VMID[55:48] with an 8-bit VMID. */
	assert_int_equal(axvm_pt_root_register(&axvm_pt_arm_s2_4k_ipa40,
					       0x80002000, 5, &v), 0);
	assert_int_equal(v, 0x0005000080002000ull);
	assert_int_equal(axvm_pt_root_register(&axvm_pt_arm_s2_4k_ipa48,
					       0x80001000, 0xff, &v), 0);
	assert_int_equal(v, 0x00ff000080001000ull);
	assert_int_equal(axvm_pt_root_register(&axvm_pt_arm_s2_4k_ipa48,
					       0x80001000, 0x100, &v), AXVM_ERANGE);
	/* Two concatenated tables: the base must be 8 KiB aligned. */
	assert_int_equal(axvm_pt_root_register(&axvm_pt_arm_s2_4k_ipa40,
					       0x80001000, 1, &v), AXVM_EINVAL);
}

/* ------------------------------------------------------------------------
 * RISC-V Privileged Architecture, "Hypervisor Extension": "Two-Stage
 * Address Translation" / "Guest Physical Address Translation" (Sv39x4,
 * Sv48x4: 16 KiB root, G-stage leaves need U = 1) and "hgatp"; PTE layout
 * from "Sv39": V0 R1 W2 X3 U4 G5 A6 D7 RSW[9:8] PPN[53:10].
 * ------------------------------------------------------------------------ */
static uint64_t rv_table(uint64_t pa)
{
	return (pa >> 12) << 10 | 0x1; /* non-leaf: V only, R=W=X=0 */
}

static void rv_leaves(void **state, const struct axvm_pt_format *fmt)
{
	struct fx *f = setup_fmt(state, fmt);

	/* V|R|W|X|U|A|D = 0xdf; PPN 0x12345 << 10 = 0x48d1400. */
	assert_int_equal(leaf(f, 0x80403000, 0x12345000, 4096, R | W | X, 0),
			 0x00000000048d14dfull);
	check_tables(f, 0x80403000, 0, rv_table);
	/* Read-only: V|R|U|A|D = 0xd3. */
	assert_int_equal(leaf(f, 0x80404000, 0x12345000, 4096, R, 0),
			 0x00000000048d14d3ull);
	/* DEVICE is a PMA on RISC-V; kept in RSW bit 8 for the host. */
	assert_int_equal(leaf(f, 0x80405000, 0x12345000, 4096, R | W | DEV, 0),
			 0x00000000048d15d7ull);
	/* UNCACHED in RSW bit 9; R|X. */
	assert_int_equal(leaf(f, 0x80406000, 0x12345000, 4096, R | X | UC, 0),
			 0x00000000048d16dbull);
	/* Execute-only is a valid leaf (R=0, X=1). */
	assert_int_equal(leaf(f, 0x80407000, 0x12345000, 4096, X, 0),
			 0x00000000048d14d9ull);
	/* Megapage (2 MiB) RWX at 0x40200000: PPN 0x40200 << 10. */
	assert_int_equal(leaf(f, 0x80600000, 0x40200000, MIB2, R | W | X, 1),
			 0x00000000100800dfull);
	/* Gigapage RW at 2 GiB: PPN 0x80000 << 10. */
	assert_int_equal(leaf(f, 3 * GIB, 2 * GIB, GIB, R | W, 2),
			 0x00000000200000d7ull);
	/* W without R is reserved; W|X too. */
	assert_int_equal(axvm_addrspace_map(f->as, 0x90000000, 0, 4096, W),
			 AXVM_ENOTSUP);
	assert_int_equal(axvm_addrspace_map(f->as, 0x90000000, 0, 4096, W | X),
			 AXVM_ENOTSUP);
}

static void test_addrspace_riscv_sv39x4_descriptors(void **state)
{
	rv_leaves(state, &axvm_pt_riscv_sv39x4);
}

static void test_addrspace_riscv_sv48x4_descriptors(void **state)
{
	rv_leaves(state, &axvm_pt_riscv_sv48x4);
}

static void test_addrspace_riscv_x4_root_is_16k(void **state)
{
	/* Sv39x4: GPA[40:30] indexes a 2048-entry, 16 KiB-aligned root. */
	struct fx *f = setup_fmt(state, &axvm_pt_riscv_sv39x4);
	uint64_t *root = (uint64_t *)(uintptr_t)axvm_addrspace_root(f->as);

	assert_int_equal(axvm_addrspace_root(f->as) & 0x3fff, 0);
	assert_int_equal(axvm_addrspace_map(f->as, 2047 * GIB, GIB, GIB, R | W), 0);
	assert_int_equal(root[2047], 0x00000000100000d7ull);
	assert_int_equal(axvm_addrspace_map(f->as, 2048 * GIB, 0, 4096, R),
			 AXVM_ERANGE); /* 41-bit GPA */
}

static void test_addrspace_riscv_hgatp(void **state)
{
	struct axvm_pt_info info;
	uint64_t v;

	(void)state;
	/* hgatp: MODE[63:60] (8 = Sv39x4, 9 = Sv48x4), VMID[57:44], PPN[43:0]. */
	assert_int_equal(axvm_pt_root_register(&axvm_pt_riscv_sv39x4,
					       0x80004000, 3, &v), 0);
	assert_int_equal(v, 0x8000300000080004ull);
	assert_int_equal(axvm_pt_root_register(&axvm_pt_riscv_sv48x4,
					       0x80004000, 0x3fff, &v), 0);
	assert_int_equal(v, 0x93fff00000080004ull);
	assert_int_equal(axvm_pt_root_register(&axvm_pt_riscv_sv48x4,
					       0x80004000, 0x4000, &v), AXVM_ERANGE);
	/* The root must be 16 KiB aligned. */
	assert_int_equal(axvm_pt_root_register(&axvm_pt_riscv_sv39x4,
					       0x80002000, 0, &v), AXVM_EINVAL);
	assert_int_equal(axvm_pt_format_info(&axvm_pt_riscv_sv39x4, &info), 0);
	assert_int_equal(info.ia_bits, 41);
	assert_int_equal(info.root_pages, 4);
	assert_int_equal(axvm_pt_format_info(&axvm_pt_riscv_sv48x4, &info), 0);
	assert_int_equal(info.ia_bits, 50);
	assert_int_equal(info.levels, 4);
}

/* ------------------------------------------------------------------------
 * Intel SDM Vol. 3C 29.3.2 "EPT Translation Mechanism", tables 29-1..29-6:
 * R0 W1 X2, memory type [5:3] (0 UC, 6 WB), IPAT 6, page size 7 (PDPTE,
 * PDE), address [51:12]; 25.6.11 "Extended-Page-Table Pointer (EPTP)".
 * ------------------------------------------------------------------------ */
static uint64_t ept_table(uint64_t pa)
{
	return pa | 0x7; /* non-leaf: RWX, bits 7:3 zero */
}

static void test_addrspace_ept_descriptors(void **state)
{
	struct fx *f = setup_fmt(state, &axvm_pt_x86_ept4);
	uint64_t v;

	/* RWX, WB (6 << 3), IPAT: 0x77. */
	assert_int_equal(leaf(f, 0x80403000, 0x12345000, 4096, R | W | X, 0),
			 0x0000000012345077ull);
	check_tables(f, 0x80403000, 0, ept_table);
	/* Read-only WB. */
	assert_int_equal(leaf(f, 0x80404000, 0x12345000, 4096, R, 0),
			 0x0000000012345071ull);
	/* DEVICE: UC, IPAT clear (guest PAT may still pick WC). */
	assert_int_equal(leaf(f, 0x80405000, 0x12345000, 4096, R | W | DEV, 0),
			 0x0000000012345003ull);
	/* UNCACHED: UC with IPAT. */
	assert_int_equal(leaf(f, 0x80406000, 0x12345000, 4096, R | W | UC, 0),
			 0x0000000012345043ull);
	/* 2 MiB (PDE bit 7) and 1 GiB (PDPTE bit 7). */
	assert_int_equal(leaf(f, 0x80600000, 0x40200000, MIB2, R | W | X, 1),
			 0x00000000402000f7ull);
	assert_int_equal(leaf(f, 3 * GIB, 2 * GIB, GIB, R | W, 2),
			 0x00000000800000f3ull);
	/* Write without read is an EPT misconfiguration (29.3.3.1). */
	assert_int_equal(axvm_addrspace_map(f->as, 0x90000000, 0, 4096, W),
			 AXVM_ENOTSUP);
	/* EPTP: WB (bits 2:0 = 6), walk length 4 - 1 (bits 5:3 = 3). */
	assert_int_equal(axvm_pt_root_register(&axvm_pt_x86_ept4, 0x12345000, 9,
					       &v), 0);
	assert_int_equal(v, 0x000000001234501eull);
	assert_int_equal(axvm_addrspace_root_register(f->as, 0, &v), 0);
	assert_int_equal(v, axvm_addrspace_root(f->as) | 0x1e);
}

/* ------------------------------------------------------------------------
 * AMD APM Vol. 2, 15.25 "Nested Paging" over the long-mode formats of
 * 5.3.3 (figures 5-18..5-23): P0 R/W1 U/S2 PWT3 PCD4 PS7 NX63; nested
 * walks are user accesses, so U/S = 1 at every level; nCR3 as CR3.
 * ------------------------------------------------------------------------ */
static uint64_t npt_table(uint64_t pa)
{
	return pa | 0x7; /* P | R/W | U/S */
}

static void test_addrspace_npt_descriptors(void **state)
{
	struct fx *f = setup_fmt(state, &axvm_pt_amd_npt4);
	uint64_t v;

	assert_int_equal(leaf(f, 0x80403000, 0x12345000, 4096, R | W | X, 0),
			 0x0000000012345007ull);
	check_tables(f, 0x80403000, 0, npt_table);
	/* Read-only, NX. */
	assert_int_equal(leaf(f, 0x80404000, 0x12345000, 4096, R, 0),
			 0x8000000012345005ull);
	/* DEVICE: PCD|PWT = PAT entry 3 (UC) with the power-on PAT. */
	assert_int_equal(leaf(f, 0x80405000, 0x12345000, 4096, R | W | X | DEV, 0),
			 0x000000001234501full);
	/* UNCACHED: PCD = PAT entry 2 (UC-), NX. */
	assert_int_equal(leaf(f, 0x80406000, 0x12345000, 4096, R | W | UC, 0),
			 0x8000000012345017ull);
	/* 2 MiB PDE and 1 GiB PDPE: PS = bit 7. */
	assert_int_equal(leaf(f, 0x80600000, 0x40200000, MIB2, R | W | X, 1),
			 0x0000000040200087ull);
	assert_int_equal(leaf(f, 3 * GIB, 2 * GIB, GIB, R | W, 2),
			 0x8000000080000087ull);
	/* Present means readable: no write-only or execute-only. */
	assert_int_equal(axvm_addrspace_map(f->as, 0x90000000, 0, 4096, X),
			 AXVM_ENOTSUP);
	/* nCR3 carries only the PML4 address (PWT/PCD 0: WB walks). */
	assert_int_equal(axvm_pt_root_register(&axvm_pt_amd_npt4, 0x12345000, 7,
					       &v), 0);
	assert_int_equal(v, 0x12345000ull);
	assert_int_equal(axvm_pt_root_register(&axvm_pt_amd_npt4, 0x12345800, 0,
					       &v), AXVM_EINVAL);
}

/* Every format decodes what it encodes; USER is not a stage-2 attribute. */
static void test_addrspace_translate_reports_encoded_flags(void **state)
{
	(void)state;
	for (unsigned i = 0; i < AS_NGEOS; i++) {
		struct as_env env;
		struct axvm_addrspace *as;
		uint64_t hpa, size;
		uint32_t fl;

		assert_int_equal(as_env_init(&env), 0);
		assert_int_equal(axvm_addrspace_create(&env.fh.hal, as_geos[i].fmt,
						       &as), 0);
		assert_int_equal(axvm_addrspace_map(as, MIB2, 0x7000000, MIB2,
						    R | W | UC | AXVM_MEM_USER), 0);
		assert_int_equal(axvm_addrspace_translate(as, MIB2 + 0x1234, &hpa,
							  &fl, &size), 0);
		assert_int_equal(hpa, 0x7001234);
		assert_int_equal(fl, R | W | UC);
		assert_int_equal(size, MIB2);
		/* DEVICE wins over UNCACHED. */
		assert_int_equal(axvm_addrspace_map(as, 0, 0x9000000, 4096,
						    R | DEV | UC), 0);
		assert_int_equal(axvm_addrspace_translate(as, 0, &hpa, &fl, NULL), 0);
		assert_int_equal(fl, R | DEV);
		axvm_addrspace_destroy(as);
		assert_int_equal(as_env_fini(&env), 0);
	}
}

static void test_addrspace_format_info_rejects_null(void **state)
{
	struct axvm_pt_info info;
	uint64_t v;

	(void)state;
	assert_int_equal(axvm_pt_format_info(NULL, &info), AXVM_EINVAL);
	assert_int_equal(axvm_pt_format_info(&axvm_pt_x86_ept4, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_pt_root_register(NULL, 0, 0, &v), AXVM_EINVAL);
	assert_int_equal(axvm_pt_root_register(&axvm_pt_x86_ept4, 0, 0, NULL),
			 AXVM_EINVAL);
	assert_int_equal(axvm_pt_root_register(&axvm_pt_x86_ept4, 1ull << 52, 0, &v),
			 AXVM_EINVAL);
}

/* A new format is data: a descriptor that contradicts itself is refused
 * at create time instead of building tables the hardware would misread. */
static void test_addrspace_create_rejects_inconsistent_format(void **state)
{
	struct as_env env;
	struct axvm_addrspace *as = NULL;
	struct axvm_pt_format bad;

	(void)state;
	assert_int_equal(as_env_init(&env), 0);
	bad = axvm_pt_amd_npt4;
	bad.perm_ok |= 1u << 4; /* X-only: present implies readable on x86 */
	assert_int_equal(axvm_addrspace_create(&env.fh.hal, &bad, &as), AXVM_EINVAL);
	bad = axvm_pt_riscv_sv39x4;
	bad.ia_bits = 42; /* does not match 3 levels and a 16 KiB root */
	assert_int_equal(axvm_addrspace_create(&env.fh.hal, &bad, &as), AXVM_EINVAL);
	bad = axvm_pt_x86_ept4;
	bad.leaf_bits[1] = 0; /* 2 MiB leaf without the page-size bit */
	assert_int_equal(axvm_addrspace_create(&env.fh.hal, &bad, &as), AXVM_EINVAL);
	bad = axvm_pt_amd_npt4;
	bad.oa_bits = 64;
	assert_int_equal(axvm_addrspace_create(&env.fh.hal, &bad, &as), AXVM_EINVAL);
	assert_null(as);
	assert_int_equal(as_env_fini(&env), 0);
}

#define T(fn) cmocka_unit_test_teardown(fn, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_addrspace_arm_ipa40_descriptors),
		T(test_addrspace_arm_ipa48_descriptors),
		T(test_addrspace_arm_ipa40_concatenated_root),
		cmocka_unit_test(test_addrspace_arm_vtcr_and_vttbr),
		T(test_addrspace_riscv_sv39x4_descriptors),
		T(test_addrspace_riscv_sv48x4_descriptors),
		T(test_addrspace_riscv_x4_root_is_16k),
		cmocka_unit_test(test_addrspace_riscv_hgatp),
		T(test_addrspace_ept_descriptors),
		T(test_addrspace_npt_descriptors),
		cmocka_unit_test(test_addrspace_translate_reports_encoded_flags),
		cmocka_unit_test(test_addrspace_format_info_rejects_null),
		cmocka_unit_test(test_addrspace_create_rejects_inconsistent_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
