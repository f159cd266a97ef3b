/* SPDX-License-Identifier: Apache-2.0 */
/* Address-space behaviour: leaf sizes, splits, table reclaim, the flush
 * hook, hostile inputs, regions of every type, lazy faults and copies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "addrspace_env.h"
#include "axvm_mock.h"

#define R AXVM_MEM_READ
#define W AXVM_MEM_WRITE
#define X AXVM_MEM_EXEC
#define RW (R | W)
#define RWX (R | W | X)
#define K4 4096ull
#define M2 (2ull << 20)
#define G1 (1ull << 30)

/* What the flush hook saw. */
static struct {
	unsigned calls;
	uint64_t gpa[64], size[64];
	long live_pages; /* frames live when the last flush ran */
	struct fault_hal *fh;
} fl;

static void rec_flush(void *ctx, axvm_gpa_t gpa, uint64_t size)
{
	(void)ctx;
	if (fl.calls < 64) {
		fl.gpa[fl.calls] = gpa;
		fl.size[fl.calls] = size;
	}
	fl.calls++;
	if (fl.fh)
		fl.live_pages = atomic_load(&fl.fh->live_pages);
}

struct fx {
	struct as_env env;
	struct axvm_addrspace *as;
	/* VM tests */
	struct axvm_mock mock;
	struct axvm_host *host;
	struct axvm_vm *vm;
	axvm_hpa_t linear;  /* host memory behind a LINEAR region */
};

static struct fx *fx_new(void **state, const struct axvm_pt_format *fmt)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	*state = f;
	memset(&fl, 0, sizeof(fl));
	fl.fh = &f->env.fh;
	assert_int_equal(as_env_init(&f->env), 0);
	if (fmt)
		assert_int_equal(axvm_addrspace_create(&f->env.fh.hal, fmt, &f->as), 0);
	return f;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	long live;

	if (f->vm) {
		axvm_vm_shutdown(f->vm);
		assert_int_equal(axvm_vm_put(f->vm), 0);
	}
	if (f->host)
		assert_int_equal(axvm_fini(f->host), 0);
	if (f->linear)
		f->env.base.free_pages(f->env.base.ctx, f->linear, 16);
	axvm_addrspace_destroy(f->as);
	live = as_env_fini(&f->env);
	free(f);
	return live == 0 ? 0 : -1;
}

static uint64_t page_size_at(struct axvm_addrspace *as, uint64_t gpa,
			     uint64_t expect_hpa)
{
	axvm_hpa_t hpa = 0;
	uint64_t size = 0;

	assert_int_equal(axvm_addrspace_translate(as, gpa, &hpa, NULL, &size), 0);
	assert_int_equal(hpa, expect_hpa);
	return size;
}

static bool mapped(struct axvm_addrspace *as, uint64_t gpa)
{
	axvm_hpa_t hpa;
	return axvm_addrspace_translate(as, gpa, &hpa, NULL, NULL) == 0;
}

static uint64_t table_bytes(struct axvm_addrspace *as)
{
	uint64_t b = 0;
	assert_int_equal(axvm_addrspace_table_bytes(as, &b), 0);
	return b;
}

/* ---- leaves ------------------------------------------------------------- */

static void test_addrspace_map_picks_largest_aligned_leaves(void **state)
{
	struct fx *f = fx_new(state, &axvm_pt_arm_s2_4k_ipa48);
	uint64_t gpa = G1 - M2 - K4, off = 0x100000000ull;
	uint64_t size = K4 + M2 + G1 + M2 + K4;

	assert_int_equal(axvm_addrspace_map(f->as, gpa, gpa + off, size, RWX), 0);
	assert_int_equal(page_size_at(f->as, gpa, gpa + off), K4);
	assert_int_equal(page_size_at(f->as, G1 - M2, G1 - M2 + off), M2);
	assert_int_equal(page_size_at(f->as, G1 + 12345, G1 + 12345 + off), G1);
	assert_int_equal(page_size_at(f->as, 2 * G1, 2 * G1 + off), M2);
	assert_int_equal(page_size_at(f->as, 2 * G1 + M2, 2 * G1 + M2 + off), K4);
	assert_false(mapped(f->as, gpa - K4));
	assert_false(mapped(f->as, gpa + size));
}

static void test_addrspace_map_misaligned_hpa_uses_4k_pages(void **state)
{
	struct fx *f = fx_new(state, &axvm_pt_arm_s2_4k_ipa48);

	assert_int_equal(axvm_addrspace_map(f->as, 2 * M2, 5 * M2 + K4, 2 * M2, RW), 0);
	for (uint64_t a = 2 * M2; a < 4 * M2; a += 256 * K4)
		assert_int_equal(page_size_at(f->as, a, a + 3 * M2 + K4), K4);
	/* root + level-2 + level-1 tables + two leaf tables */
	assert_int_equal(table_bytes(f->as), 5 * K4);
}

static void test_addrspace_map_refuses_overlap_atomically(void **state)
{
	struct fx *f = fx_new(state, &axvm_pt_x86_ept4);
	uint64_t before;

	assert_int_equal(axvm_addrspace_map(f->as, 0x410000, 0x10000, 4 * K4, RW), 0);
	before = table_bytes(f->as);
	/* Starts in a 2 MiB slot that has no table yet (one is made), then
	 * runs into the mapping: all of it is undone, the new table freed. */
	assert_int_equal(axvm_addrspace_map(f->as, 0x3f0000, 0x900000, 0x40000, RW),
			 AXVM_EEXIST);
	assert_false(mapped(f->as, 0x3f0000));
	assert_false(mapped(f->as, 0x3ff000));
	assert_int_equal(table_bytes(f->as), before);
	/* Over a huge leaf, and a huge leaf over small pages. */
	assert_int_equal(axvm_addrspace_map(f->as, G1, G1, G1, RW), 0);
	assert_int_equal(axvm_addrspace_map(f->as, G1 + M2, 0, K4, RW), AXVM_EEXIST);
	assert_int_equal(axvm_addrspace_map(f->as, 0x400000, 0x400000, M2, RW),
			 AXVM_EEXIST);
	assert_int_equal(page_size_at(f->as, 0x410000, 0x10000), K4);
}

static void test_addrspace_unmap_partial_huge_leaf_splits(void **state)
{
	struct fx *f = fx_new(state, &axvm_pt_riscv_sv39x4);
	uint64_t hole = G1 + M2 + 2 * K4;

	assert_int_equal(axvm_addrspace_map(f->as, G1, 3 * G1, G1, RWX), 0);
	assert_int_equal(table_bytes(f->as), 4 * K4); /* just the 16 KiB root */
	assert_int_equal(axvm_addrspace_unmap(f->as, hole, K4), 0);
	assert_false(mapped(f->as, hole));
	assert_int_equal(page_size_at(f->as, G1, 3 * G1), M2);
	assert_int_equal(page_size_at(f->as, hole - K4, hole - K4 + 2 * G1), K4);
	assert_int_equal(page_size_at(f->as, hole + K4, hole + K4 + 2 * G1), K4);
	assert_int_equal(page_size_at(f->as, G1 + 2 * M2, 3 * G1 + 2 * M2), M2);
	assert_int_equal(page_size_at(f->as, 2 * G1 - 1, 4 * G1 - 1), M2);
	/* Unmapping the rest empties and frees both split tables. */
	assert_int_equal(axvm_addrspace_unmap(f->as, G1, G1), 0);
	assert_int_equal(table_bytes(f->as), 4 * K4);
}

static void test_addrspace_protect_partial_huge_leaf_splits(void **state)
{
	struct fx *f = fx_new(state, &axvm_pt_amd_npt4);
	uint32_t fl_out;
	axvm_hpa_t hpa;

	assert_int_equal(axvm_addrspace_map(f->as, M2, 4 * M2, M2, RW), 0);
	assert_int_equal(axvm_addrspace_protect(f->as, M2 + 5 * K4, K4, R | X), 0);
	assert_int_equal(axvm_addrspace_translate(f->as, M2 + 5 * K4, &hpa, &fl_out,
						  NULL), 0);
	assert_int_equal(hpa, 4 * M2 + 5 * K4);
	assert_int_equal(fl_out, R | X);
	assert_int_equal(axvm_addrspace_translate(f->as, M2 + 6 * K4, &hpa, &fl_out,
						  NULL), 0);
	assert_int_equal(fl_out, RW);
	/* A whole huge leaf keeps its size. */
	assert_int_equal(axvm_addrspace_map(f->as, 4 * M2, 0, M2, RW), 0);
	assert_int_equal(axvm_addrspace_protect(f->as, 4 * M2, M2, R), 0);
	assert_int_equal(axvm_addrspace_translate(f->as, 4 * M2, &hpa, &fl_out, NULL), 0);
	assert_int_equal(fl_out, R);
	assert_int_equal(page_size_at(f->as, 4 * M2, 0), M2);
	/* Holes are skipped; bad flags change nothing. */
	assert_int_equal(axvm_addrspace_protect(f->as, 0, 8 * M2, RW), 0);
	assert_false(mapped(f->as, 0));
	assert_int_equal(axvm_addrspace_protect(f->as, M2, K4, W), AXVM_ENOTSUP);
	assert_int_equal(axvm_addrspace_protect(f->as, M2, K4, 0), AXVM_EINVAL);
	assert_int_equal(axvm_addrspace_protect(f->as, M2, K4, 1u << 9), AXVM_EINVAL);
}

static void test_addrspace_unmap_frees_emptied_tables(void **state)
{
	struct fx *f = fx_new(state, &axvm_pt_arm_s2_4k_ipa40);
	static const uint64_t at[] = { 0, 0x1234000, 0x7fff000, 0x80000000,
				       0xfffffff000ull, 0x40000000 };
	long base_pages = atomic_load(&f->env.fh.live_pages);

	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(axvm_addrspace_map(f->as, at[i], 0x5000, K4, R), 0);
	assert_true(table_bytes(f->as) > 2 * K4);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(axvm_addrspace_unmap(f->as, at[i], K4), 0);
	assert_int_equal(table_bytes(f->as), 2 * K4); /* 8 KiB root only */
	assert_int_equal(atomic_load(&f->env.fh.live_pages), base_pages);
	/* Unmapping nothing is fine. */
	assert_int_equal(axvm_addrspace_unmap(f->as, 0, G1), 0);
}

/* ---- flush hook ----------------------------------------------------------- */

static void test_addrspace_flush_follows_every_live_change(void **state)
{
	struct fx *f = fx_new(state, &axvm_pt_x86_ept4);

	assert_int_equal(axvm_addrspace_set_flush(f->as, rec_flush, NULL), 0);
	assert_int_equal(axvm_addrspace_map(f->as, M2, M2, 2 * M2, RW), 0);
	assert_int_equal(fl.calls, 1);
	assert_int_equal(fl.gpa[0], M2);
	assert_int_equal(fl.size[0], 2 * M2);
	assert_int_equal(axvm_addrspace_protect(f->as, M2, M2, R), 0);
	assert_int_equal(fl.calls, 2);
	/* Same flags again: nothing changed, nothing to flush. */
	assert_int_equal(axvm_addrspace_protect(f->as, M2, M2, R), 0);
	assert_int_equal(fl.calls, 2);
	/* A split: the block is broken (flushed) before the table goes in,
	 * then the unmapped page is flushed. */
	assert_int_equal(axvm_addrspace_unmap(f->as, 2 * M2, K4), 0);
	assert_int_equal(fl.calls, 4);
	assert_int_equal(fl.gpa[2], 2 * M2);
	assert_int_equal(fl.size[2], M2);
	assert_int_equal(fl.gpa[3], 2 * M2);
	assert_int_equal(fl.size[3], K4);
	/* A hole: nothing changed. */
	assert_int_equal(axvm_addrspace_unmap(f->as, 8 * M2, M2), 0);
	assert_int_equal(fl.calls, 4);
	/* Hook removed: changes still work. */
	assert_int_equal(axvm_addrspace_set_flush(f->as, NULL, NULL), 0);
	assert_int_equal(axvm_addrspace_unmap(f->as, M2, 2 * M2), 0);
	assert_int_equal(fl.calls, 4);
}

static void test_addrspace_unmap_flushes_before_freeing(void **state)
{
	struct fx *f = fx_new(state, &axvm_pt_riscv_sv48x4);
	long before;

	assert_int_equal(axvm_addrspace_set_flush(f->as, rec_flush, NULL), 0);
	/* Scattered pages: many tables to free, more than one reclaim batch. */
	for (uint64_t i = 0; i < 40; i++)
		assert_int_equal(axvm_addrspace_map(f->as, i * G1, 0, K4, R), 0);
	before = atomic_load(&f->env.fh.live_pages);
	fl.calls = 0;
	assert_int_equal(axvm_addrspace_unmap(f->as, 0, 40 * G1), 0);
	assert_true(fl.calls >= 1);
	/* The first flush ran while every table was still allocated. */
	assert_int_equal(fl.gpa[0], 0);
	assert_int_equal(fl.size[0], 40 * G1);
	assert_true(atomic_load(&f->env.fh.live_pages) < before);
	assert_int_equal(table_bytes(f->as), 4 * K4);
}

static long live_at_first_flush;

static void first_flush(void *ctx, axvm_gpa_t gpa, uint64_t size)
{
	struct fault_hal *fh = ctx;
	(void)gpa;
	(void)size;
	if (!live_at_first_flush)
		live_at_first_flush = atomic_load(&fh->live_pages);
}

static void test_addrspace_unmap_frees_only_after_flush(void **state)
{
	struct fx *f = fx_new(state, &axvm_pt_arm_s2_4k_ipa48);
	long before;

	for (uint64_t i = 0; i < 3; i++)
		assert_int_equal(axvm_addrspace_map(f->as, i * G1, 0, K4, R), 0);
	assert_int_equal(axvm_addrspace_set_flush(f->as, first_flush, &f->env.fh), 0);
	before = atomic_load(&f->env.fh.live_pages);
	live_at_first_flush = 0;
	assert_int_equal(axvm_addrspace_unmap(f->as, 0, 3 * G1), 0);
	assert_int_equal(live_at_first_flush, before);
	/* one level-2, three level-1 and three leaf tables */
	assert_int_equal(atomic_load(&f->env.fh.live_pages), before - 7);
}

/* ---- hostile inputs ----------------------------------------------------- */

static void test_addrspace_rejects_hostile_ranges(void **state)
{
	struct fx *f = fx_new(state, &axvm_pt_x86_ept4);
	axvm_hpa_t hpa;
	uint64_t v;

	assert_int_equal(axvm_addrspace_map(f->as, UINT64_MAX - K4 + 1, 0, 2 * K4, R),
			 AXVM_ERANGE);
	assert_int_equal(axvm_addrspace_map(f->as, K4, 0, UINT64_MAX - K4 + 1, R),
			 AXVM_ERANGE);
	assert_int_equal(axvm_addrspace_map(f->as, 1ull << 48, 0, K4, R), AXVM_ERANGE);
	assert_int_equal(axvm_addrspace_map(f->as, (1ull << 48) - K4, 0, 2 * K4, R),
			 AXVM_ERANGE);
	assert_int_equal(axvm_addrspace_map(f->as, 0, 0, 0, R), AXVM_EINVAL);
	assert_int_equal(axvm_addrspace_map(f->as, 1, 0, K4, R), AXVM_EINVAL);
	assert_int_equal(axvm_addrspace_map(f->as, 0, 1, K4, R), AXVM_EINVAL);
	assert_int_equal(axvm_addrspace_map(f->as, 0, 0, K4 + 1, R), AXVM_EINVAL);
	assert_int_equal(axvm_addrspace_map(f->as, 0, 1ull << 52, K4, R), AXVM_ERANGE);
	assert_int_equal(axvm_addrspace_map(f->as, 0, UINT64_MAX - K4 + 1, 2 * K4, R),
			 AXVM_ERANGE);
	assert_int_equal(axvm_addrspace_map(f->as, 0, 0, K4, 0x80), AXVM_EINVAL);
	assert_int_equal(axvm_addrspace_unmap(f->as, UINT64_MAX & ~(K4 - 1), K4),
			 AXVM_ERANGE);
	assert_int_equal(axvm_addrspace_unmap(f->as, 0, 0), AXVM_EINVAL);
	assert_int_equal(axvm_addrspace_protect(f->as, K4, UINT64_MAX & ~(K4 - 1), R),
			 AXVM_ERANGE);
	assert_int_equal(axvm_addrspace_translate(f->as, UINT64_MAX, &hpa, NULL, NULL),
			 AXVM_EFAULT);
	assert_int_equal(axvm_addrspace_translate(f->as, 1ull << 48, &hpa, NULL, NULL),
			 AXVM_EFAULT);
	assert_int_equal(axvm_addrspace_handle_fault(f->as, UINT64_MAX, 7), AXVM_EFAULT);
	assert_int_equal(axvm_addrspace_handle_fault(f->as, 0, 0xffffffffu), AXVM_EFAULT);
	/* NULLs. */
	assert_int_equal(axvm_addrspace_map(NULL, 0, 0, K4, R), AXVM_EINVAL);
	assert_int_equal(axvm_addrspace_unmap(NULL, 0, K4), AXVM_EINVAL);
	assert_int_equal(axvm_addrspace_protect(NULL, 0, K4, R), AXVM_EINVAL);
	assert_int_equal(axvm_addrspace_translate(NULL, 0, &hpa, NULL, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_addrspace_translate(f->as, 0, NULL, NULL, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_addrspace_set_flush(NULL, NULL, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_addrspace_root_register(NULL, 0, &v), AXVM_EINVAL);
	assert_int_equal(axvm_addrspace_root_register(f->as, 0, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_addrspace_table_bytes(NULL, &v), AXVM_EINVAL);
	assert_int_equal(axvm_addrspace_handle_fault(NULL, 0, 1), AXVM_EFAULT);
	assert_int_equal(axvm_addrspace_create(NULL, &axvm_pt_x86_ept4, &f->as),
			 AXVM_EINVAL);
	assert_int_equal(table_bytes(f->as), K4);
}

static void test_addrspace_without_format_refuses_table_calls(void **state)
{
	struct fx *f = fx_new(state, NULL);
	struct axvm_mem_region r = { .gpa = 0x10000, .size = 4 * K4,
				     .type = AXVM_MAP_LAZY, .flags = RW };
	axvm_hpa_t hpa;
	uint32_t flags;
	uint64_t v;

	assert_int_equal(axvm_addrspace_create(&f->env.fh.hal, NULL, &f->as), 0);
	assert_int_equal(axvm_addrspace_map(f->as, 0, 0, K4, R), AXVM_ENOTSUP);
	assert_int_equal(axvm_addrspace_unmap(f->as, 0, K4), AXVM_ENOTSUP);
	assert_int_equal(axvm_addrspace_protect(f->as, 0, K4, R), AXVM_ENOTSUP);
	assert_int_equal(axvm_addrspace_root_register(f->as, 0, &v), AXVM_ENOTSUP);
	assert_int_equal(axvm_addrspace_set_flush(f->as, rec_flush, NULL), 0);
	assert_int_equal(axvm_addrspace_root(f->as), 0);
	assert_int_equal(table_bytes(f->as), 0);
	/* The region path as before: LAZY is backed up front, contiguous. */
	assert_int_equal(axvm_addrspace_add_region(f->as, &r), 0);
	assert_non_null(axvm_addrspace_region_hva(f->as, 0));
	assert_int_equal(axvm_addrspace_translate(f->as, 0x11000, &hpa, &flags, &v), 0);
	assert_int_equal(hpa, (axvm_hpa_t)(uintptr_t)axvm_addrspace_region_hva(f->as, 0) + K4);
	assert_int_equal(flags, RW);
	assert_int_equal(axvm_addrspace_translate(f->as, 0x20000, &hpa, NULL, NULL),
			 AXVM_EFAULT);
	assert_int_equal(axvm_addrspace_handle_fault(f->as, 0x10000, R), AXVM_EFAULT);
	assert_int_equal(axvm_addrspace_add_region(f->as, &r), AXVM_EEXIST);
}

/* ---- regions on page tables ------------------------------------------------ */

static void test_addrspace_lazy_region_needs_unmapped_range(void **state)
{
	struct fx *f = fx_new(state, &axvm_pt_arm_s2_4k_ipa40);
	struct axvm_mem_region r = { .gpa = 0x100000, .size = 16 * K4,
				     .type = AXVM_MAP_LAZY, .flags = RW };

	assert_int_equal(axvm_addrspace_map(f->as, 0x108000, 0, K4, R), 0);
	assert_int_equal(axvm_addrspace_add_region(f->as, &r), AXVM_EEXIST);
	assert_int_equal(axvm_addrspace_unmap(f->as, 0x108000, K4), 0);
	assert_int_equal(axvm_addrspace_add_region(f->as, &r), 0);
	/* Nobody else may map into it. */
	assert_int_equal(axvm_addrspace_map(f->as, 0x108000, 0, K4, R), AXVM_EEXIST);
	assert_int_equal(axvm_addrspace_map(f->as, 0xff000, 0, 2 * K4, R), AXVM_EEXIST);
	/* Regions must suit the format too. */
	r.gpa = 1ull << 40;
	assert_int_equal(axvm_addrspace_add_region(f->as, &r), AXVM_ERANGE);
	r.gpa = 0x200000;
	r.flags = 0;
	assert_int_equal(axvm_addrspace_add_region(f->as, &r), AXVM_EINVAL);
}

static void test_addrspace_lazy_fault_fills_zeroed_frame(void **state)
{
	struct fx *f = fx_new(state, &axvm_pt_riscv_sv39x4);
	struct axvm_mem_region r = { .gpa = 0x80000000, .size = 64 * K4,
				     .type = AXVM_MAP_LAZY, .flags = R | X };
	long pages = atomic_load(&f->env.fh.live_pages);
	axvm_hpa_t hpa, hpa2;
	uint32_t flags;
	const uint8_t *p;

	assert_int_equal(axvm_addrspace_set_flush(f->as, rec_flush, NULL), 0);
	assert_int_equal(axvm_addrspace_add_region(f->as, &r), 0);
	assert_null(axvm_addrspace_region_hva(f->as, 0));
	assert_false(mapped(f->as, 0x80003000));
	/* A write to a read/execute region is the caller's problem. */
	assert_int_equal(axvm_addrspace_handle_fault(f->as, 0x80003010, W), AXVM_EFAULT);
	assert_false(mapped(f->as, 0x80003000));
	assert_int_equal(axvm_addrspace_handle_fault(f->as, 0x80003010, R), 0);
	assert_int_equal(axvm_addrspace_translate(f->as, 0x80003010, &hpa, &flags, NULL), 0);
	assert_int_equal(flags, R | X);
	assert_int_equal(fl.calls, 1); /* RISC-V may cache the invalid entry */
	p = (const uint8_t *)(uintptr_t)(hpa & ~(K4 - 1));
	for (unsigned i = 0; i < K4; i++)
		assert_int_equal(p[i], 0);
	/* A second vCPU faulting on the same page just resumes. */
	assert_int_equal(axvm_addrspace_handle_fault(f->as, 0x80003ff8, X), 0);
	assert_int_equal(axvm_addrspace_translate(f->as, 0x80003000, &hpa2, NULL, NULL), 0);
	assert_int_equal(hpa2, hpa & ~(K4 - 1));
	/* ...but not when the mapping forbids the access. */
	assert_int_equal(axvm_addrspace_handle_fault(f->as, 0x80003000, W), AXVM_EFAULT);
	assert_int_equal(axvm_addrspace_handle_fault(f->as, 0x80003000, 0), AXVM_EFAULT);
	/* Outside any region. */
	assert_int_equal(axvm_addrspace_handle_fault(f->as, 0x80040000, R), AXVM_EFAULT);
	/* the frame and the two tables below the root */
	assert_int_equal(atomic_load(&f->env.fh.live_pages), pages + 3);
	/* Unmapping a lazy page frees its frame; the next touch refills. */
	assert_int_equal(axvm_addrspace_unmap(f->as, 0x80000000, 64 * K4), 0);
	assert_int_equal(atomic_load(&f->env.fh.live_pages), pages);
	assert_int_equal(axvm_addrspace_handle_fault(f->as, 0x80003000, R), 0);
	/* Destroy (teardown) frees the lazily filled frame. */
}

static void test_addrspace_regions_map_by_type(void **state)
{
	struct fx *f = fx_new(state, &axvm_pt_x86_ept4);
	const struct axvm_mem_region regs[] = {
		{ .gpa = 0, .size = 16 * K4, .hpa = 0x10000000, .flags = RWX,
		  .type = AXVM_MAP_LINEAR },
		{ .gpa = 0x40000000, .size = 2 * M2 + K4, .flags = RWX,
		  .type = AXVM_MAP_ALLOCATED },
		{ .gpa = 0xfe000000, .size = 16 * K4, .hpa = 0xfe000000,
		  .flags = RW | AXVM_MEM_DEVICE, .type = AXVM_MAP_DEVICE },
	};
	axvm_hpa_t hpa;
	uint32_t flags;
	uint64_t size;
	uint8_t *hva;

	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(axvm_addrspace_add_region(f->as, &regs[i]), 0);
	assert_int_equal(axvm_addrspace_add_region(f->as, &regs[0]), AXVM_EEXIST);
	/* Linear: gpa + offset -> hpa + offset. */
	assert_int_equal(page_size_at(f->as, 0x3000, 0x10003000), K4);
	/* Allocated: backed contiguously, 2 MiB aligned -> huge leaves. */
	hva = axvm_addrspace_region_hva(f->as, 1);
	assert_non_null(hva);
	assert_int_equal((uintptr_t)hva & (M2 - 1), 0);
	assert_int_equal(axvm_addrspace_translate(f->as, 0x40000000 + M2 + 8, &hpa,
						  &flags, &size), 0);
	assert_int_equal(hpa, (uintptr_t)hva + M2 + 8);
	assert_int_equal(size, M2);
	assert_int_equal(flags, RWX);
	assert_int_equal(page_size_at(f->as, 0x40000000 + 2 * M2,
				      (uintptr_t)hva + 2 * M2), K4);
	/* Device: passthrough, marked as such, no host pointer. */
	assert_int_equal(axvm_addrspace_translate(f->as, 0xfe001000, &hpa, &flags,
						  NULL), 0);
	assert_int_equal(hpa, 0xfe001000);
	assert_int_equal(flags, RW | AXVM_MEM_DEVICE);
	assert_null(axvm_addrspace_region_hva(f->as, 2));
	/* No fault is handled in them. */
	assert_int_equal(axvm_addrspace_handle_fault(f->as, 0x20000, R), AXVM_EFAULT);
}

/* ---- through a VM (mock backend, core-owned tables) ------------------------ */

static uint64_t flush_calls_vm;

static void vm_flush(void *vm_arch, axvm_gpa_t gpa, uint64_t size)
{
	(void)vm_arch;
	(void)gpa;
	(void)size;
	flush_calls_vm++;
}

#define RAM 0x80000000ull
#define LAZY 0x80200000ull
#define MMIO 0x10000000ull

static struct fx *vm_new(void **state, const struct axvm_exit *script,
			 size_t n)
{
	struct fx *f = fx_new(state, NULL);
	struct axvm_config cfg;
	struct axvm_mem_region ram = { .gpa = RAM, .size = M2, .flags = RWX,
				       .type = AXVM_MAP_ALLOCATED };
	struct axvm_mem_region lazy = { .gpa = LAZY, .size = M2, .flags = RW,
					.type = AXVM_MAP_LAZY };
	struct axvm_mem_region lin = { .gpa = 0x90000000, .size = 16 * K4,
				       .flags = RW, .type = AXVM_MAP_LINEAR };
	struct axvm_mem_region dev = { .gpa = MMIO, .size = 16 * K4,
				       .hpa = 0x10000000,
				       .flags = RW | AXVM_MEM_DEVICE,
				       .type = AXVM_MAP_DEVICE };

	assert_int_equal(f->env.base.alloc_pages(f->env.base.ctx, 16, K4, &f->linear), 0);
	lin.hpa = f->linear;
	axvm_mock_init(&f->mock);
	f->mock.ops.pt_format = &axvm_pt_riscv_sv39x4;
	f->mock.ops.flush_stage2 = vm_flush;
	f->mock.scripts[0] = (struct axvm_mock_script){ .exits = script, .count = n };
	assert_int_equal(axvm_init(&f->env.fh.hal, &f->mock.ops, &f->host), 0);
	assert_int_equal(axvm_config_init(&cfg, 7), 0);
	cfg.bsp_entry = RAM;
	assert_int_equal(axvm_config_add_region(&cfg, &ram), 0);
	assert_int_equal(axvm_config_add_region(&cfg, &lazy), 0);
	assert_int_equal(axvm_config_add_region(&cfg, &lin), 0);
	assert_int_equal(axvm_config_add_region(&cfg, &dev), 0);
	flush_calls_vm = 0;
	assert_int_equal(axvm_vm_create(f->host, &cfg, &f->vm, NULL), 0);
	return f;
}

static void test_addrspace_vm_lazy_fault_resumes_vcpu(void **state)
{
	const struct axvm_exit s[] = {
		{ .kind = AXVM_EXIT_NESTED_PAGE_FAULT,
		  .u.page_fault = { .addr = LAZY + 0x5008, .access = AXVM_ACCESS_WRITE } },
		{ .kind = AXVM_EXIT_NESTED_PAGE_FAULT,
		  .u.page_fault = { .addr = MMIO + 0x40000, .access = AXVM_ACCESS_READ } },
	};
	struct fx *f = vm_new(state, s, 2);
	struct axvm_addrspace *as;
	struct axvm_vcpu *v;
	struct axvm_exit ex;
	struct axvm_mock_vcpu *rec;
	uint64_t reg;
	axvm_hpa_t hpa;

	assert_int_equal(flush_calls_vm, 0); /* tables built before any vCPU */
	assert_int_equal(axvm_vm_addrspace(f->vm, &as), 0);
	/* The backend got the root of these tables. */
	rec = axvm_mock_vcpu(&f->mock, 7, 0);
	assert_non_null(rec);
	assert_int_equal(rec->s2_root, axvm_addrspace_root(as));
	assert_int_equal(axvm_addrspace_root_register(as, 1, &reg), 0);
	assert_int_equal(reg, 0x8000100000000000ull | axvm_addrspace_root(as) >> 12);
	assert_int_equal(axvm_vm_vcpu(f->vm, 0, &v), 0);
	assert_int_equal(axvm_vm_boot(f->vm), 0);
	/* The lazy fault is handled inside run(); the stray one comes out. */
	assert_int_equal(axvm_vcpu_run(v, &ex), 0);
	assert_int_equal(ex.kind, AXVM_EXIT_NESTED_PAGE_FAULT);
	assert_int_equal(ex.u.page_fault.addr, MMIO + 0x40000);
	assert_int_equal(ex.u.page_fault.access, AXVM_ACCESS_READ);
	assert_int_equal(axvm_addrspace_translate(as, LAZY + 0x5008, &hpa, NULL, NULL), 0);
	assert_int_equal(flush_calls_vm, 1);
	assert_int_equal(axvm_gpa_to_hpa(f->vm, LAZY + 0x5008, &hpa), 0);
	assert_int_equal(axvm_gpa_to_hpa(f->vm, LAZY + 0x6000, &hpa), AXVM_EFAULT);
	assert_int_equal(axvm_gpa_to_hpa(f->vm, MMIO, &hpa), AXVM_EFAULT);
	assert_int_equal(axvm_vcpu_put(v), 0);
}

static void test_addrspace_vm_copy_is_all_or_nothing(void **state)
{
	struct fx *f = vm_new(state, NULL, 0);
	uint8_t buf[3 * 4096], back[3 * 4096];
	struct axvm_addrspace *as;
	uint8_t *ram;

	assert_int_equal(axvm_vm_addrspace(f->vm, &as), 0);
	ram = axvm_addrspace_region_hva(as, 0);
	assert_non_null(ram);
	memset(buf, 0xab, sizeof(buf));
	/* RAM into the lazy region right after it: backs the lazy pages. */
	assert_int_equal(axvm_copy_to_guest(f->vm, LAZY - 4096, buf, sizeof(buf)), 0);
	assert_int_equal(ram[M2 - 4096], 0xab);
	memset(back, 0, sizeof(back));
	assert_int_equal(axvm_copy_from_guest(f->vm, back, LAZY - 4096, sizeof(back)), 0);
	assert_memory_equal(back, buf, sizeof(buf));
	/* Across the end of the lazy region into a hole: refused, untouched. */
	memset(buf, 0xcd, sizeof(buf));
	assert_int_equal(axvm_copy_to_guest(f->vm, LAZY + M2 - 4096, buf, sizeof(buf)),
			 AXVM_EFAULT);
	memset(back, 0x11, sizeof(back));
	assert_int_equal(axvm_copy_from_guest(f->vm, back, LAZY + M2 - 8, sizeof(back)),
			 AXVM_EFAULT);
	for (unsigned i = 0; i < sizeof(back); i++)
		assert_int_equal(back[i], 0x11);
	/* RAM before RAM start, device memory, and the linear region. */
	assert_int_equal(axvm_copy_to_guest(f->vm, RAM - 8, buf, 16), AXVM_EFAULT);
	assert_int_equal(ram[0], 0);
	assert_int_equal(axvm_copy_to_guest(f->vm, MMIO, buf, 4), AXVM_EFAULT);
	assert_int_equal(axvm_copy_to_guest(f->vm, 0x90000000 + 8, buf, 16), 0);
	assert_int_equal(((uint8_t *)(uintptr_t)f->linear)[8], 0xcd);
	/* Hostile lengths. */
	assert_int_equal(axvm_copy_from_guest(f->vm, back, UINT64_MAX - 2, 8),
			 AXVM_EOVERFLOW);
	assert_int_equal(axvm_copy_from_guest(f->vm, back, UINT64_MAX - 8, 8),
			 AXVM_EFAULT);
	assert_int_equal(axvm_copy_to_guest(f->vm, RAM, NULL, 8), AXVM_EINVAL);
	assert_int_equal(axvm_copy_to_guest(f->vm, RAM, buf, 0), 0);
	/* A lazy page emptied by unmap reads back as zero. */
	assert_int_equal(axvm_addrspace_unmap(as, LAZY, 4096), 0);
	assert_int_equal(axvm_copy_from_guest(f->vm, back, LAZY, 16), 0);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(back[i], 0);
}

#define T(fn) cmocka_unit_test_teardown(fn, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_addrspace_map_picks_largest_aligned_leaves),
		T(test_addrspace_map_misaligned_hpa_uses_4k_pages),
		T(test_addrspace_map_refuses_overlap_atomically),
		T(test_addrspace_unmap_partial_huge_leaf_splits),
		T(test_addrspace_protect_partial_huge_leaf_splits),
		T(test_addrspace_unmap_frees_emptied_tables),
		T(test_addrspace_flush_follows_every_live_change),
		T(test_addrspace_unmap_flushes_before_freeing),
		T(test_addrspace_unmap_frees_only_after_flush),
		T(test_addrspace_rejects_hostile_ranges),
		T(test_addrspace_without_format_refuses_table_calls),
		T(test_addrspace_lazy_region_needs_unmapped_range),
		T(test_addrspace_lazy_fault_fills_zeroed_frame),
		T(test_addrspace_regions_map_by_type),
		T(test_addrspace_vm_lazy_fault_resumes_vcpu),
		T(test_addrspace_vm_copy_is_all_or_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
