/* SPDX-License-Identifier: Apache-2.0 */
/* No leak, no half-done change: each scenario runs once for every k with
 * the k-th HAL allocation failing, until a run no longer reaches k. After
 * each failure the tables must read as before; after destroy the HAL must
 * have nothing live. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

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

typedef void (*scenario_fn)(struct as_env *e, const struct axvm_pt_format *fmt);

static long current_k;

static void for_every_failure(scenario_fn sc, const struct axvm_pt_format *fmt)
{
	for (long k = 1;; k++) {
		struct as_env env;
		bool failed;
		long live;

		current_k = k;
		assert_int_equal(as_env_init(&env), 0);
		env.fh.fail_at = k;
		sc(&env, fmt);
		failed = atomic_load(&env.fh.failed);
		live = as_env_fini(&env);
		if (live)
			fail_msg("%ld allocations leaked when allocation %ld failed", live, k);
		if (!failed)
			break; /* the scenario finished without reaching k */
		assert_true(k < 100000);
	}
}

static uint64_t table_bytes(struct axvm_addrspace *as)
{
	uint64_t b = 0;
	assert_int_equal(axvm_addrspace_table_bytes(as, &b), 0);
	return b;
}

static bool maps_to(struct axvm_addrspace *as, uint64_t gpa, uint64_t hpa,
		    uint32_t flags)
{
	axvm_hpa_t h;
	uint32_t f;

	return axvm_addrspace_translate(as, gpa, &h, &f, NULL) == 0 && h == hpa &&
	       f == flags;
}

static bool unmapped(struct axvm_addrspace *as, uint64_t gpa, uint64_t size)
{
	axvm_hpa_t h;

	for (uint64_t a = gpa; a < gpa + size; a += K4)
		if (axvm_addrspace_translate(as, a, &h, NULL, NULL) != AXVM_EFAULT)
			return false;
	return true;
}

#define EXPECT_NOMEM(rc)                                                      \
	do {                                                                  \
		if ((rc) != AXVM_ENOMEM)                                      \
			fail_msg("k=%ld: rc %d, want AXVM_ENOMEM", current_k, \
				 (int)(rc));                                  \
	} while (0)

/* A small map, then one needing tables on two 1 GiB slots and several
 * 2 MiB slots (4 KiB leaves: hpa is misaligned). */
static void sc_map(struct as_env *e, const struct axvm_pt_format *fmt)
{
	struct axvm_addrspace *as;
	uint64_t root, before, big = 2 * G1 - 2 * K4, big_size = 3 * M2 + 4 * K4;
	int rc = axvm_addrspace_create(&e->fh.hal, fmt, &as);

	if (rc) {
		EXPECT_NOMEM(rc);
		return;
	}
	root = table_bytes(as);
	rc = axvm_addrspace_map(as, 0x1000, 0x5000, K4, R);
	if (rc) {
		EXPECT_NOMEM(rc);
		assert_true(unmapped(as, 0x1000, K4));
		assert_int_equal(table_bytes(as), root);
		goto out;
	}
	before = table_bytes(as);
	rc = axvm_addrspace_map(as, big, 0x7000, big_size, RW);
	if (rc) {
		EXPECT_NOMEM(rc);
		assert_true(unmapped(as, big, big_size));
		assert_int_equal(table_bytes(as), before);
		assert_true(maps_to(as, 0x1000, 0x5000, R));
		goto out;
	}
	assert_true(maps_to(as, big + big_size - K4, 0x7000 + big_size - K4, RW));
	/* Unmapping needs no allocation. */
	assert_int_equal(axvm_addrspace_unmap(as, big, big_size), 0);
	assert_int_equal(table_bytes(as), before);
out:
	axvm_addrspace_destroy(as);
}

/* Splitting a 1 GiB leaf for protect and unmap: a failure leaves every
 * page translating as before. */
static void sc_split(struct as_env *e, const struct axvm_pt_format *fmt)
{
	struct axvm_addrspace *as;
	static const uint64_t probe[] = { 0, M2, M2 + K4, M2 + 2 * K4,
					  5 * M2 + K4, G1 - K4 };
	int rc = axvm_addrspace_create(&e->fh.hal, fmt, &as);

	if (rc) {
		EXPECT_NOMEM(rc);
		return;
	}
	if ((rc = axvm_addrspace_map(as, G1, 3 * G1, G1, RWX))) {
		EXPECT_NOMEM(rc);
		assert_true(unmapped(as, G1, K4));
		goto out;
	}
	if ((rc = axvm_addrspace_protect(as, G1 + M2 + K4, K4, R))) {
		EXPECT_NOMEM(rc);
		for (unsigned i = 0; i < 6; i++)
			assert_true(maps_to(as, G1 + probe[i], 3 * G1 + probe[i], RWX));
		goto out;
	}
	assert_true(maps_to(as, G1 + M2 + K4, 3 * G1 + M2 + K4, R));
	if ((rc = axvm_addrspace_unmap(as, G1 + 5 * M2 + K4, K4))) {
		EXPECT_NOMEM(rc);
		assert_true(maps_to(as, G1 + 5 * M2 + K4, 3 * G1 + 5 * M2 + K4, RWX));
		assert_true(maps_to(as, G1 + M2 + K4, 3 * G1 + M2 + K4, R));
		goto out;
	}
	assert_true(unmapped(as, G1 + 5 * M2 + K4, K4));
	assert_true(maps_to(as, G1 + 5 * M2, 3 * G1 + 5 * M2, RWX));
out:
	axvm_addrspace_destroy(as);
}

/* Regions: allocated backing plus tables, then lazy faults. */
static void sc_regions(struct as_env *e, const struct axvm_pt_format *fmt)
{
	const struct axvm_mem_region ram = { .gpa = 0x40000000, .size = M2 + K4,
					     .flags = RWX,
					     .type = AXVM_MAP_ALLOCATED };
	const struct axvm_mem_region lazy = { .gpa = 0x80000000, .size = M2,
					      .flags = RW, .type = AXVM_MAP_LAZY };
	struct axvm_addrspace *as;
	int rc = axvm_addrspace_create(&e->fh.hal, fmt, &as);

	if (rc) {
		EXPECT_NOMEM(rc);
		return;
	}
	if ((rc = axvm_addrspace_add_region(as, &ram))) {
		EXPECT_NOMEM(rc);
		assert_null(axvm_addrspace_region_hva(as, 0));
		assert_true(unmapped(as, ram.gpa, ram.size));
		goto out;
	}
	assert_int_equal(axvm_addrspace_add_region(as, &lazy), 0);
	for (uint64_t a = lazy.gpa + 0x1ff000; a >= lazy.gpa + 0x1fd000; a -= K4) {
		if ((rc = axvm_addrspace_handle_fault(as, a + 8, W))) {
			EXPECT_NOMEM(rc);
			assert_true(unmapped(as, a, K4));
			goto out;
		}
	}
	assert_int_equal(axvm_addrspace_unmap(as, lazy.gpa, lazy.size), 0);
	assert_true(unmapped(as, lazy.gpa + 0x1fd000, 3 * K4));
out:
	axvm_addrspace_destroy(as); /* frees the lazy frames still mapped */
}

/* A whole VM on core-owned tables: creation and a copy into lazy memory. */
static void sc_vm(struct as_env *e, const struct axvm_pt_format *fmt)
{
	static struct axvm_mock mock;
	const struct axvm_mem_region ram = { .gpa = 0x80000000, .size = M2,
					     .flags = RWX,
					     .type = AXVM_MAP_ALLOCATED };
	const struct axvm_mem_region lazy = { .gpa = 0x80200000, .size = M2,
					      .flags = RW, .type = AXVM_MAP_LAZY };
	struct axvm_host *host;
	struct axvm_vm *vm;
	struct axvm_addrspace *as;
	struct axvm_config cfg;
	uint8_t buf[3 * 4096];
	int rc;

	axvm_mock_init(&mock);
	mock.ops.pt_format = fmt;
	if ((rc = axvm_init(&e->fh.hal, &mock.ops, &host))) {
		EXPECT_NOMEM(rc);
		return;
	}
	axvm_config_init(&cfg, 1);
	cfg.bsp_entry = ram.gpa;
	axvm_config_add_region(&cfg, &ram);
	axvm_config_add_region(&cfg, &lazy);
	if ((rc = axvm_vm_create(host, &cfg, &vm, NULL))) {
		EXPECT_NOMEM(rc);
		goto out;
	}
	assert_int_equal(axvm_vm_addrspace(vm, &as), 0);
	memset(buf, 0x5a, sizeof(buf));
	rc = axvm_copy_to_guest(vm, lazy.gpa + 0x1000, buf, sizeof(buf));
	if (rc) {
		axvm_hpa_t hpa;
		EXPECT_NOMEM(rc);
		/* Pages backed before the failure hold zeros: nothing copied. */
		for (uint64_t a = lazy.gpa + 0x1000; a < lazy.gpa + 0x4000; a += K4)
			if (axvm_addrspace_translate(as, a, &hpa, NULL, NULL) == 0)
				for (unsigned i = 0; i < K4; i++)
					assert_int_equal(((uint8_t *)(uintptr_t)hpa)[i], 0);
	}
	assert_int_equal(axvm_vm_put(vm), 0);
out:
	assert_int_equal(axvm_fini(host), 0);
}

static void test_addrspace_map_failure_leaks_nothing(void **state)
{
	(void)state;
	for (unsigned i = 0; i < AS_NGEOS; i++)
		for_every_failure(sc_map, as_geos[i].fmt);
}

static void test_addrspace_split_failure_keeps_mapping(void **state)
{
	(void)state;
	for (unsigned i = 0; i < AS_NGEOS; i++)
		for_every_failure(sc_split, as_geos[i].fmt);
}

static void test_addrspace_region_failure_leaks_nothing(void **state)
{
	(void)state;
	for (unsigned i = 0; i < AS_NGEOS; i++)
		for_every_failure(sc_regions, as_geos[i].fmt);
}

static void test_addrspace_vm_failure_leaks_nothing(void **state)
{
	(void)state;
	for_every_failure(sc_vm, &axvm_pt_riscv_sv39x4);
	for_every_failure(sc_vm, &axvm_pt_arm_s2_4k_ipa40);
	for_every_failure(sc_vm, NULL); /* the flat path, for comparison */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addrspace_map_failure_leaks_nothing),
		cmocka_unit_test(test_addrspace_split_failure_keeps_mapping),
		cmocka_unit_test(test_addrspace_region_failure_leaks_nothing),
		cmocka_unit_test(test_addrspace_vm_failure_leaks_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
