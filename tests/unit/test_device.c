/* SPDX-License-Identifier: Apache-2.0 */
/* Device buses: registration rules, lookup boundaries, removal, reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "test_env.h"

static int n_destroyed, n_reset;
static int nop_read(void *c, uint64_t o, unsigned w, uint64_t *v)
{
	(void)o; (void)w;
	*v = (uint64_t)(uintptr_t)c;
	return 0;
}
static int nop_write(void *c, uint64_t o, unsigned w, uint64_t v)
{
	(void)c; (void)o; (void)w; (void)v;
	return 0;
}
static void count_destroy(void *c) { (void)c; n_destroyed++; }
static void count_reset(void *c) { (void)c; n_reset++; }
static const struct axvm_device_ops ops = { nop_read, nop_write, count_reset, count_destroy };

static struct axvm_device_desc desc(enum axvm_bus bus, uint64_t base, uint64_t size)
{
	return (struct axvm_device_desc){ .bus = bus, .base = base, .size = size,
					  .ops = &ops, .ctx = (void *)(uintptr_t)base };
}

struct fixture {
	struct test_env env;
	struct axvm_vm *vm;
};

static int setup(void **state)
{
	static struct fixture f;
	struct axvm_config cfg;

	memset(&f, 0, sizeof(f));
	n_destroyed = n_reset = 0;
	if (test_env_init(&f.env))
		return -1;
	test_env_config(&cfg, 1, 1);
	if (axvm_vm_create(f.env.host, &cfg, &f.vm, NULL))
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	axvm_vm_put(f->vm);
	return test_env_fini(&f->env) == 0 ? 0 : -1;
}

static void test_device_overlaps_refused(void **state)
{
	struct fixture *f = *state;
	struct axvm_device_desc d;

	d = desc(AXVM_BUS_MMIO, 0x1000, 0x1000);
	assert_int_equal(axvm_vm_add_device(f->vm, &d), 0);
	/* Inside, straddling either end, covering, identical: all refused. */
	uint64_t bad[][2] = { { 0x1000, 0x1000 }, { 0x1800, 0x10 }, { 0x800, 0x900 },
			      { 0x1fff, 0x10 }, { 0x0, 0x10000 } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = desc(AXVM_BUS_MMIO, bad[i][0], bad[i][1]);
		assert_int_equal(axvm_vm_add_device(f->vm, &d), AXVM_EEXIST);
	}
	/* Adjacent ranges and other buses are fine. */
	d = desc(AXVM_BUS_MMIO, 0x2000, 0x10);
	assert_int_equal(axvm_vm_add_device(f->vm, &d), 0);
	d = desc(AXVM_BUS_MMIO, 0xff0, 0x10);
	assert_int_equal(axvm_vm_add_device(f->vm, &d), 0);
	d = desc(AXVM_BUS_PIO, 0x1000, 0x1000);
	assert_int_equal(axvm_vm_add_device(f->vm, &d), 0);
}

static void test_device_bad_descriptors_refused(void **state)
{
	struct fixture *f = *state;
	struct axvm_device_desc d = desc(AXVM_BUS_MMIO, 0x1000, 0);
	const struct axvm_device_ops half = { nop_read, NULL, NULL, NULL };

	assert_int_equal(axvm_vm_add_device(f->vm, &d), AXVM_EINVAL);
	d = desc(AXVM_BUS_MMIO, UINT64_MAX - 1, 3);
	assert_int_equal(axvm_vm_add_device(f->vm, &d), AXVM_EOVERFLOW);
	d = desc(AXVM_BUS_COUNT, 0, 1);
	assert_int_equal(axvm_vm_add_device(f->vm, &d), AXVM_EINVAL);
	d = desc(AXVM_BUS_MMIO, 0, 1);
	d.ops = &half;
	assert_int_equal(axvm_vm_add_device(f->vm, &d), AXVM_EINVAL);
	d.ops = NULL;
	assert_int_equal(axvm_vm_add_device(f->vm, &d), AXVM_EINVAL);
	assert_int_equal(axvm_vm_add_device(f->vm, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_vm_add_device(NULL, &d), AXVM_EINVAL);
	/* A range ending exactly at the top of the address space is valid. */
	d = desc(AXVM_BUS_MMIO, UINT64_MAX - 0xfff, 0x1000);
	assert_int_equal(axvm_vm_add_device(f->vm, &d), 0);
}

static void test_device_lookup_boundaries(void **state)
{
	struct fixture *f = *state;
	struct axvm_device_desc d = desc(AXVM_BUS_MMIO, 0x1000, 0x100);
	const struct axvm_bus_table *t = &f->vm->buses[AXVM_BUS_MMIO];

	assert_int_equal(axvm_vm_add_device(f->vm, &d), 0);
	d = desc(AXVM_BUS_MMIO, UINT64_MAX - 7, 8);
	assert_int_equal(axvm_vm_add_device(f->vm, &d), 0);
	assert_null(axvm_bus_find(t, 0xfff, 1));
	assert_non_null(axvm_bus_find(t, 0x1000, 8));
	assert_non_null(axvm_bus_find(t, 0x10ff, 1));
	assert_null(axvm_bus_find(t, 0x10ff, 2)); /* runs past the end */
	assert_null(axvm_bus_find(t, 0x1100, 1));
	assert_non_null(axvm_bus_find(t, UINT64_MAX - 7, 8));
	assert_null(axvm_bus_find(t, UINT64_MAX, 2)); /* would wrap */
	assert_non_null(axvm_bus_find(t, UINT64_MAX, 1));
}

/* Many random disjoint devices: every address resolves to the right one. */
static void test_device_lookup_many_random(void **state)
{
	struct fixture *f = *state;
	const struct axvm_bus_table *t = &f->vm->buses[AXVM_BUS_MMIO];
	enum { N = 300 };
	uint64_t base[N];
	unsigned seed = 12345;

	for (int i = 0; i < N; i++) {
		/* Slot i owns [i*0x10000, +0x10000); the device sits inside. */
		seed = seed * 1103515245u + 12345u;
		base[i] = (uint64_t)i * 0x10000 + (seed % 0x8000);
	}
	/* Insert in a scrambled order to exercise the sorted insert. */
	for (int k = 0; k < N; k++) {
		int i = (k * 7919) % N;
		struct axvm_device_desc d = desc(AXVM_BUS_MMIO, base[i], 0x100);
		assert_int_equal(axvm_vm_add_device(f->vm, &d), 0);
	}
	assert_int_equal(t->count, N);
	for (uint32_t i = 1; i < t->count; i++)
		assert_true(t->entries[i - 1].last < t->entries[i].base);
	for (int i = 0; i < N; i++) {
		const struct axvm_bus_entry *e = axvm_bus_find(t, base[i] + 0x80, 4);
		assert_non_null(e);
		assert_int_equal(e->base, base[i]);
		assert_null(axvm_bus_find(t, base[i] + 0x100, 1));
		if (base[i] > 0)
			assert_true(axvm_bus_find(t, base[i] - 1, 1) == NULL ||
				    axvm_bus_find(t, base[i] - 1, 1)->base != base[i]);
	}
}

/* The unrolled power-of-two search agrees with a linear scan for every
 * table size 1..300 and addresses around every boundary. */
static const struct axvm_bus_entry *linear_find(const struct axvm_bus_table *t,
						uint64_t addr, unsigned width)
{
	for (uint32_t i = 0; i < t->count; i++) {
		const struct axvm_bus_entry *e = &t->entries[i];
		if (addr >= e->base && addr <= e->last && e->last - addr >= width - 1)
			return e;
	}
	return NULL;
}

static void test_device_search_matches_linear_scan(void **state)
{
	struct fixture *f = *state;
	unsigned seed = 99;

	for (uint32_t n = 1; n <= 300; n++) {
		struct axvm_bus_table t = { 0 };
		uint64_t next = seed % 64;
		for (uint32_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			uint64_t size = 1 + (seed >> 8) % 32;
			struct axvm_device_desc d = desc(AXVM_BUS_MMIO, next, size);
			assert_int_equal(axvm_bus_add(f->vm->hal, &t, &d), 0);
			next += size + (seed >> 20) % 8; /* gaps of 0..7 */
		}
		for (uint32_t i = 0; i < n; i++) {
			const struct axvm_bus_entry *e = &t.entries[i];
			uint64_t probes[] = { e->base - 1, e->base, e->base + 1, e->last,
					      e->last + 1, e->last - 1 };
			for (size_t k = 0; k < 6; k++)
				for (unsigned w = 1; w <= 8; w *= 2)
					assert_ptr_equal(axvm_bus_find(&t, probes[k], w),
							 linear_find(&t, probes[k], w));
		}
		assert_null(axvm_bus_find(&t, UINT64_MAX, 1));
		axvm_bus_destroy(f->vm->hal, &t);
	}
}

static void test_device_bus_capacity_is_bounded(void **state)
{
	struct fixture *f = *state;
	struct axvm_bus_table t = { 0 };

	for (uint32_t i = 0; i < AXVM_BUS_MAX_DEVICES; i++) {
		struct axvm_device_desc d = desc(AXVM_BUS_PIO, i, 1);
		assert_int_equal(axvm_bus_add(f->vm->hal, &t, &d), 0);
	}
	struct axvm_device_desc d = desc(AXVM_BUS_PIO, AXVM_BUS_MAX_DEVICES, 1);
	assert_int_equal(axvm_bus_add(f->vm->hal, &t, &d), AXVM_E2BIG);
	/* The search still finds the first, the last and a middle one. */
	assert_int_equal(axvm_bus_find(&t, 0, 1)->base, 0);
	assert_int_equal(axvm_bus_find(&t, 40000, 1)->base, 40000);
	assert_int_equal(axvm_bus_find(&t, AXVM_BUS_MAX_DEVICES - 1, 1)->base,
			 AXVM_BUS_MAX_DEVICES - 1);
	assert_null(axvm_bus_find(&t, AXVM_BUS_MAX_DEVICES, 1));
	n_destroyed = 0;
	axvm_bus_destroy(f->vm->hal, &t);
	assert_int_equal(n_destroyed, AXVM_BUS_MAX_DEVICES);
}

static void test_device_remove_and_destroy_hooks(void **state)
{
	struct fixture *f = *state;
	struct axvm_device_desc d = desc(AXVM_BUS_PIO, 0x60, 4);

	assert_int_equal(axvm_vm_add_device(f->vm, &d), 0);
	d = desc(AXVM_BUS_PIO, 0x70, 4);
	assert_int_equal(axvm_vm_add_device(f->vm, &d), 0);
	assert_int_equal(axvm_vm_remove_device(f->vm, AXVM_BUS_PIO, 0x61), AXVM_ENOENT);
	assert_int_equal(axvm_vm_remove_device(f->vm, AXVM_BUS_MMIO, 0x60), AXVM_ENOENT);
	assert_int_equal(axvm_vm_remove_device(f->vm, AXVM_BUS_PIO, 0x60), 0);
	assert_int_equal(n_destroyed, 1);
	assert_null(axvm_bus_find(&f->vm->buses[AXVM_BUS_PIO], 0x60, 1));
	/* The range is free again. */
	d = desc(AXVM_BUS_PIO, 0x60, 4);
	assert_int_equal(axvm_vm_add_device(f->vm, &d), 0);
	assert_int_equal(axvm_vm_remove_device(f->vm, AXVM_BUS_COUNT, 0), AXVM_EINVAL);
	/* VM reset resets every device; destroy (teardown) destroys them. */
	assert_int_equal(axvm_vm_reset(f->vm), 0);
	assert_int_equal(n_reset, 2);
}

static void test_device_changes_refused_while_running(void **state)
{
	struct fixture *f = *state;
	struct axvm_device_desc d = desc(AXVM_BUS_MMIO, 0x1000, 0x10);

	assert_int_equal(axvm_vm_add_device(f->vm, &d), 0);
	assert_int_equal(axvm_vm_boot(f->vm), 0);
	d.base = 0x2000;
	assert_int_equal(axvm_vm_add_device(f->vm, &d), AXVM_EBUSY);
	assert_int_equal(axvm_vm_remove_device(f->vm, AXVM_BUS_MMIO, 0x1000), AXVM_EBUSY);
	assert_int_equal(axvm_vm_shutdown(f->vm), 0);
	assert_int_equal(axvm_vm_add_device(f->vm, &d), 0);
}

static void test_device_registration_allocation_failure(void **state)
{
	struct fixture *f = *state;
	struct axvm_device_desc d = desc(AXVM_BUS_MMIO, 0x1000, 0x10);

	f->env.fh.fail_at = atomic_load(&f->env.fh.allocs) + 1;
	assert_int_equal(axvm_vm_add_device(f->vm, &d), AXVM_ENOMEM);
	f->env.fh.fail_at = 0;
	assert_null(axvm_bus_find(&f->vm->buses[AXVM_BUS_MMIO], 0x1000, 1));
	assert_int_equal(axvm_vm_add_device(f->vm, &d), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_device_overlaps_refused),
		T(test_device_bad_descriptors_refused),
		T(test_device_lookup_boundaries),
		T(test_device_lookup_many_random),
		T(test_device_search_matches_linear_scan),
		T(test_device_bus_capacity_is_bounded),
		T(test_device_remove_and_destroy_hooks),
		T(test_device_changes_refused_while_running),
		T(test_device_registration_allocation_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
