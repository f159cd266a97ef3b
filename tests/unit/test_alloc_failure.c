/* SPDX-License-Identifier: Apache-2.0 */
/* Fail the k-th HAL allocation, for every k, in a whole VM lifetime: each
 * run must end in a clean error and leave zero live allocations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "test_env.h"

static const struct axvm_exit script[] = {
	{ .kind = AXVM_EXIT_MMIO_WRITE, .u.write = { .addr = 0x9000000, .width = 4, .data = 1 } },
	{ .kind = AXVM_EXIT_IO_READ, .u.read = { .addr = 0x60, .width = 1, .reg_width = 8, .reg = 0 } },
	{ .kind = AXVM_EXIT_CPU_UP, .u.cpu_up = { .target = 1, .entry = 0x1000, .ret_reg = 1 } },
};

/* The scenario; returns 0 when it completed, else the first error. */
static int scenario(struct test_env *e)
{
	struct axvm_config cfg;
	struct axvm_mem_region ram = { .gpa = 0, .size = 1 << 20,
				       .flags = AXVM_MEM_RWX, .type = AXVM_MAP_ALLOCATED };
	struct axvm_device_desc extra = { .bus = AXVM_BUS_MMIO, .base = 0xa000000,
					  .size = 0x1000, .ops = &test_nop_device };
	struct axvm_vm *vm;
	struct axvm_vcpu *v;
	struct axvm_exit ex;
	int rc;

	test_env_config(&cfg, 1, 2);
	cfg.bsp_entry = cfg.ap_entry = 0x1000;
	axvm_config_add_region(&cfg, &ram);
	cfg.devices[0] = (struct axvm_device_desc){
		.bus = AXVM_BUS_MMIO, .base = 0x9000000, .size = 0x1000, .ops = &test_nop_device };
	cfg.devices[1] = (struct axvm_device_desc){
		.bus = AXVM_BUS_PIO, .base = 0x60, .size = 4, .ops = &test_nop_device };
	cfg.device_count = 2;
	if ((rc = axvm_vm_create(e->host, &cfg, &vm, NULL)))
		return rc;
	if ((rc = axvm_vm_add_device(vm, &extra)))
		goto out_vm;
	if ((rc = axvm_vm_vcpu(vm, 0, &v)))
		goto out_vm;
	if ((rc = axvm_vm_boot(vm)))
		goto out_vcpu;
	rc = axvm_vcpu_run(v, &ex);
	if (rc == AXVM_ESHUTDOWN)
		rc = 0;
	axvm_vm_shutdown(vm);
out_vcpu:
	axvm_vcpu_put(v);
out_vm:
	axvm_vm_put(vm);
	return rc;
}

static void test_alloc_failure_every_k_is_clean(void **state)
{
	long k;
	(void)state;

	for (k = 1;; k++) {
		struct test_env e;
		int rc;

		assert_int_equal(test_env_init(&e), 0);
		e.mock.scripts[0] = (struct axvm_mock_script){ .exits = script, .count = 3 };
		/* Count from here: the host's own allocation is not in play. */
		e.fh.fail_at = atomic_load(&e.fh.allocs) + k;
		rc = scenario(&e);
		bool failed = atomic_load(&e.fh.failed);
		if (failed && rc != AXVM_ENOMEM)
			fail_msg("k=%ld: injected failure returned %d (%s), not ENOMEM",
				 k, rc, axvm_strerror(rc));
		if (!failed)
			assert_int_equal(rc, 0);
		long live = test_env_fini(&e);
		if (live != 0)
			fail_msg("k=%ld: %ld allocations live after the scenario", k, live);
		if (!failed)
			break; /* k is past the last allocation: all covered */
	}
	print_message("scenario makes %ld allocations; each failure was clean\n", k - 1);
	/* The scenario really allocates (VM, vCPUs, backend, memory, buses). */
	assert_true(k > 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_failure_every_k_is_clean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
