/* SPDX-License-Identifier: Apache-2.0 */
/* VM lifecycle: create, lookup, references, boot, shutdown, reset, destroy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "test_env.h"

static int setup(void **state)
{
	static struct test_env env;
	if (test_env_init(&env))
		return -1;
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	struct test_env *e = *state;
	/* Every test must have released everything it created. */
	return test_env_fini(e) == 0 ? 0 : -1;
}

static struct axvm_vm *make_vm(struct test_env *e, uint32_t id, uint32_t vcpus)
{
	struct axvm_config cfg;
	struct axvm_vm *vm = NULL;

	test_env_config(&cfg, id, vcpus);
	assert_int_equal(axvm_vm_create(e->host, &cfg, &vm, NULL), 0);
	assert_non_null(vm);
	return vm;
}

static void test_vm_create_starts_created_with_one_reference(void **state)
{
	struct test_env *e = *state;
	struct axvm_vm *vm = make_vm(e, 1, 2);
	enum axvm_vm_state st;
	uint32_t id, n;

	assert_int_equal(axvm_vm_state(vm, &st), 0);
	assert_int_equal(st, AXVM_VM_CREATED);
	assert_int_equal(axvm_vm_id(vm, &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(axvm_vm_vcpu_count(vm, &n), 0);
	assert_int_equal(n, 2);
	/* Each vCPU was created and set up: Free, entry written once. */
	for (uint32_t i = 0; i < 2; i++) {
		struct axvm_mock_vcpu *r = axvm_mock_vcpu(&e->mock, 1, i);
		assert_non_null(r);
		assert_int_equal(r->setups, 1);
	}
	assert_int_equal(axvm_vm_put(vm), 0);
	/* The last put destroyed it: the backend forgot it too. */
	assert_null(axvm_mock_vcpu(&e->mock, 1, 0));
}

static void test_vm_create_rejects_bad_config_with_message(void **state)
{
	struct test_env *e = *state;
	struct axvm_config cfg;
	struct axvm_config_error err;
	struct axvm_vm *vm = (void *)1;

	test_env_config(&cfg, 1, 1);
	cfg.vcpu_count = 0;
	assert_int_equal(axvm_vm_create(e->host, &cfg, &vm, &err), AXVM_EINVAL);
	assert_null(vm);
	assert_string_equal(err.field, "vcpu_count");
	assert_non_null(strstr(err.message, "zero"));
}

static void test_vm_create_null_arguments(void **state)
{
	struct test_env *e = *state;
	struct axvm_config cfg;
	struct axvm_vm *vm;

	test_env_config(&cfg, 1, 1);
	assert_int_equal(axvm_vm_create(NULL, &cfg, &vm, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_vm_create(e->host, NULL, &vm, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_vm_create(e->host, &cfg, NULL, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_vm_get(NULL), AXVM_EINVAL);
	assert_int_equal(axvm_vm_put(NULL), AXVM_EINVAL);
	assert_int_equal(axvm_vm_boot(NULL), AXVM_EINVAL);
	assert_int_equal(axvm_vm_shutdown(NULL), AXVM_EINVAL);
	assert_int_equal(axvm_vm_reset(NULL), AXVM_EINVAL);
	assert_int_equal(axvm_vm_state(NULL, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_vm_lookup(NULL, 1, &vm), AXVM_EINVAL);
	assert_int_equal(axvm_vm_lookup(e->host, 1, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_vm_vcpu(NULL, 0, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_vm_exit_code(NULL, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_vm_set_callbacks(NULL, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_fini(NULL), AXVM_EINVAL);
}

static void test_vm_duplicate_id_refused(void **state)
{
	struct test_env *e = *state;
	struct axvm_vm *a = make_vm(e, 7, 1), *b = (void *)1;
	struct axvm_config cfg;
	struct axvm_config_error err;
	long live = atomic_load(&e->fh.live);

	test_env_config(&cfg, 7, 1);
	assert_int_equal(axvm_vm_create(e->host, &cfg, &b, &err), AXVM_EEXIST);
	assert_null(b);
	assert_string_equal(err.field, "id");
	/* The refused VM left nothing behind. */
	assert_int_equal(atomic_load(&e->fh.live), live);
	assert_int_equal(axvm_vm_put(a), 0);
	/* Once the first is gone the id is free again. */
	b = make_vm(e, 7, 1);
	assert_int_equal(axvm_vm_put(b), 0);
}

static void test_vm_lookup_takes_a_reference(void **state)
{
	struct test_env *e = *state;
	struct axvm_vm *a = make_vm(e, 1, 1), *b = make_vm(e, 2, 1), *f = NULL;

	assert_int_equal(axvm_vm_lookup(e->host, 2, &f), 0);
	assert_ptr_equal(f, b);
	assert_int_equal(axvm_vm_lookup(e->host, 3, &f), AXVM_ENOENT);
	assert_null(f);
	/* b survives its creator's put because lookup took a reference. */
	assert_int_equal(axvm_vm_put(b), 0);
	assert_int_equal(axvm_vm_lookup(e->host, 2, &f), 0);
	assert_int_equal(axvm_vm_put(f), 0);
	assert_int_equal(axvm_vm_put(f), 0); /* the lookup's own reference */
	assert_int_equal(axvm_vm_lookup(e->host, 2, &f), AXVM_ENOENT);
	assert_int_equal(axvm_vm_put(a), 0);
}

static void test_vm_fini_refused_while_vms_live(void **state)
{
	struct test_env *e = *state;
	struct axvm_vm *vm = make_vm(e, 1, 1);

	assert_int_equal(axvm_fini(e->host), AXVM_EBUSY);
	assert_int_equal(axvm_vm_put(vm), 0);
}

static void test_vm_boot_twice_is_illegal(void **state)
{
	struct test_env *e = *state;
	struct axvm_vm *vm = make_vm(e, 1, 1);
	bool on;
	struct axvm_vcpu *v;

	assert_int_equal(axvm_vm_vcpu(vm, 0, &v), 0);
	assert_int_equal(axvm_vcpu_powered(v, &on), 0);
	assert_false(on);
	assert_int_equal(axvm_vm_boot(vm), 0);
	assert_int_equal(axvm_vcpu_powered(v, &on), 0);
	assert_true(on);
	assert_int_equal(axvm_vm_boot(vm), AXVM_ESTATE);
	assert_int_equal(axvm_vm_shutdown(vm), 0);
	assert_int_equal(axvm_vcpu_put(v), 0);
	assert_int_equal(axvm_vm_put(vm), 0);
}

static void test_vm_shutdown_before_boot_is_illegal(void **state)
{
	struct test_env *e = *state;
	struct axvm_vm *vm = make_vm(e, 1, 1);
	enum axvm_vm_state st;

	assert_int_equal(axvm_vm_shutdown(vm), AXVM_ESTATE);
	assert_int_equal(axvm_vm_state(vm, &st), 0);
	assert_int_equal(st, AXVM_VM_CREATED);
	assert_int_equal(axvm_vm_put(vm), 0);
}

static void test_vm_shutdown_idle_vm_stops_at_once(void **state)
{
	struct test_env *e = *state;
	struct axvm_vm *vm = make_vm(e, 1, 1);
	enum axvm_vm_state st;

	assert_int_equal(axvm_vm_boot(vm), 0);
	assert_int_equal(axvm_vm_shutdown(vm), 0);
	assert_int_equal(axvm_vm_state(vm, &st), 0);
	assert_int_equal(st, AXVM_VM_STOPPED);
	assert_int_equal(axvm_vm_shutdown(vm), 0); /* idempotent */
	assert_int_equal(axvm_vm_put(vm), 0);
}

static void test_vm_reset_and_boot_again(void **state)
{
	struct test_env *e = *state;
	static const struct axvm_exit script[] = {
		{ .kind = AXVM_EXIT_NOTHING },
	};
	struct axvm_vm *vm;
	struct axvm_vcpu *v;
	struct axvm_exit ex;
	uint64_t code, n;

	e->mock.scripts[0] = (struct axvm_mock_script){
		.exits = script, .count = 1, .end_code = 42 };
	vm = make_vm(e, 1, 1);
	assert_int_equal(axvm_vm_vcpu(vm, 0, &v), 0);
	for (int round = 0; round < 3; round++) {
		enum axvm_vm_state st;
		assert_int_equal(axvm_vm_exit_code(vm, &code), AXVM_EAGAIN);
		assert_int_equal(axvm_vm_boot(vm), 0);
		/* NOTHING, then the script's end: SYSTEM_DOWN with code 42. */
		assert_int_equal(axvm_vcpu_run(v, &ex), AXVM_ESHUTDOWN);
		assert_int_equal(ex.kind, AXVM_EXIT_SYSTEM_DOWN);
		assert_int_equal(axvm_vm_exit_code(vm, &code), 0);
		assert_int_equal(code, 42);
		assert_int_equal(axvm_vm_state(vm, &st), 0);
		assert_int_equal(st, AXVM_VM_STOPPED);
		assert_int_equal(axvm_vcpu_run(v, &ex), AXVM_ESHUTDOWN);
		assert_int_equal(axvm_vcpu_exit_count(v, AXVM_EXIT_NOTHING, &n), 0);
		assert_int_equal(n, 1);
		assert_int_equal(axvm_vm_reset(vm), 0);
		assert_int_equal(axvm_vm_state(vm, &st), 0);
		assert_int_equal(st, AXVM_VM_CREATED);
		/* Counters start over after a reset. */
		assert_int_equal(axvm_vcpu_exit_count(v, AXVM_EXIT_NOTHING, &n), 0);
		assert_int_equal(n, 0);
	}
	/* Setup ran once at creation and once per reset. */
	assert_int_equal(axvm_mock_vcpu(&e->mock, 1, 0)->setups, 4);
	assert_int_equal(axvm_vcpu_put(v), 0);
	assert_int_equal(axvm_vm_put(vm), 0);
}

static void test_vm_reset_while_running_is_illegal(void **state)
{
	struct test_env *e = *state;
	struct axvm_vm *vm = make_vm(e, 1, 1);

	assert_int_equal(axvm_vm_boot(vm), 0);
	assert_int_equal(axvm_vm_reset(vm), AXVM_ESTATE);
	assert_int_equal(axvm_vm_shutdown(vm), 0);
	assert_int_equal(axvm_vm_reset(vm), 0);
	assert_int_equal(axvm_vm_put(vm), 0);
}

static void test_vm_vcpu_index_out_of_range(void **state)
{
	struct test_env *e = *state;
	struct axvm_vm *vm = make_vm(e, 1, 2);
	struct axvm_vcpu *v = (void *)1;

	assert_int_equal(axvm_vm_vcpu(vm, 2, &v), AXVM_ENOENT);
	assert_null(v);
	assert_int_equal(axvm_vm_vcpu(vm, UINT32_MAX, &v), AXVM_ENOENT);
	assert_int_equal(axvm_vm_put(vm), 0);
}

static void test_vm_vcpu_reference_keeps_vm_alive(void **state)
{
	struct test_env *e = *state;
	struct axvm_vm *vm = make_vm(e, 5, 1), *back;
	struct axvm_vcpu *v;
	uint32_t idx;

	assert_int_equal(axvm_vm_vcpu(vm, 0, &v), 0);
	assert_int_equal(axvm_vm_put(vm), 0);
	/* Still alive: the vCPU reference holds the VM. */
	assert_int_equal(axvm_vcpu_vm(v, &back), 0);
	assert_ptr_equal(back, vm);
	assert_int_equal(axvm_vcpu_index(v, &idx), 0);
	assert_int_equal(idx, 0);
	assert_non_null(axvm_mock_vcpu(&e->mock, 5, 0));
	assert_int_equal(axvm_vcpu_put(v), 0);
	assert_null(axvm_mock_vcpu(&e->mock, 5, 0));
}

static void test_vm_callbacks_refused_while_running(void **state)
{
	struct test_env *e = *state;
	struct axvm_vm *vm = make_vm(e, 1, 1);
	struct axvm_vm_callbacks cb = { 0 };

	assert_int_equal(axvm_vm_set_callbacks(vm, &cb), 0);
	assert_int_equal(axvm_vm_boot(vm), 0);
	assert_int_equal(axvm_vm_set_callbacks(vm, &cb), AXVM_EBUSY);
	assert_int_equal(axvm_vm_shutdown(vm), 0);
	assert_int_equal(axvm_vm_set_callbacks(vm, NULL), 0);
	assert_int_equal(axvm_vm_put(vm), 0);
}

static void test_vm_backend_init_failure_is_returned(void **state)
{
	struct test_env *e = *state;
	struct axvm_config cfg;
	struct axvm_vm *vm;
	long live = atomic_load(&e->fh.live);

	e->mock.fail_vm_init = AXVM_EIO;
	test_env_config(&cfg, 1, 1);
	assert_int_equal(axvm_vm_create(e->host, &cfg, &vm, NULL), AXVM_EIO);
	e->mock.fail_vm_init = 0;
	assert_int_equal(atomic_load(&e->fh.live), live);
}

static void test_vm_two_hosts_are_independent(void **state)
{
	struct test_env *e = *state;
	struct axvm_host *h2;
	struct axvm_config cfg;
	struct axvm_vm *a = make_vm(e, 1, 1), *b, *f;

	assert_int_equal(axvm_init(&e->fh.hal, &e->mock.ops, &h2), 0);
	test_env_config(&cfg, 1, 1); /* same id, other host: fine */
	assert_int_equal(axvm_vm_create(h2, &cfg, &b, NULL), 0);
	assert_int_equal(axvm_vm_lookup(h2, 1, &f), 0);
	assert_ptr_equal(f, b);
	assert_int_equal(axvm_vm_put(f), 0);
	assert_int_equal(axvm_vm_put(b), 0);
	assert_int_equal(axvm_fini(h2), 0);
	assert_int_equal(axvm_vm_put(a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vm_create_starts_created_with_one_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_create_rejects_bad_config_with_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_create_null_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_duplicate_id_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_lookup_takes_a_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_fini_refused_while_vms_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_boot_twice_is_illegal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_shutdown_before_boot_is_illegal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_shutdown_idle_vm_stops_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_reset_and_boot_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_reset_while_running_is_illegal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_vcpu_index_out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_vcpu_reference_keeps_vm_alive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_callbacks_refused_while_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_backend_init_failure_is_returned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_two_hosts_are_independent, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
