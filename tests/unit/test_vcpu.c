/* SPDX-License-Identifier: Apache-2.0 */
/* vCPU states, references, registers, kicks and interrupts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "test_env.h"

struct fixture {
	struct test_env env;
	struct axvm_vm *vm;
	struct axvm_vcpu *v;
};

static int setup(void **state)
{
	static struct fixture f;
	struct axvm_config cfg;

	memset(&f, 0, sizeof(f));
	if (test_env_init(&f.env))
		return -1;
	/* vCPU 0 parks in the guest until kicked. */
	f.env.mock.scripts[0].block_until_kick = true;
	test_env_config(&cfg, 1, 2);
	if (axvm_vm_create(f.env.host, &cfg, &f.vm, NULL) ||
	    axvm_vm_vcpu(f.vm, 0, &f.v))
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	axvm_vcpu_put(f->v);
	axvm_vm_put(f->vm);
	return test_env_fini(&f->env) == 0 ? 0 : -1;
}

static void wait_state(struct axvm_vcpu *v, enum axvm_vcpu_state want)
{
	enum axvm_vcpu_state st;
	do {
		assert_int_equal(axvm_vcpu_state(v, &st), 0);
		sched_yield();
	} while (st != want);
}

static void test_vcpu_created_vcpus_are_free(void **state)
{
	struct fixture *f = *state;
	enum axvm_vcpu_state st;

	assert_int_equal(axvm_vcpu_state(f->v, &st), 0);
	assert_int_equal(st, AXVM_VCPU_FREE);
	assert_int_equal(axvm_vcpu_state(NULL, &st), AXVM_EINVAL);
	assert_int_equal(axvm_vcpu_state(f->v, NULL), AXVM_EINVAL);
}

static void test_vcpu_run_before_boot_is_illegal(void **state)
{
	struct fixture *f = *state;
	struct axvm_exit ex;

	/* Not powered before boot. */
	assert_int_equal(axvm_vcpu_run(f->v, &ex), AXVM_EAGAIN);
	/* Powered by hand but the VM is not booted: illegal. */
	assert_int_equal(axvm_vcpu_power_on(f->v, 0, 0), 0);
	assert_int_equal(axvm_vcpu_run(f->v, &ex), AXVM_ESTATE);
	assert_int_equal(axvm_vcpu_run(NULL, &ex), AXVM_EINVAL);
	assert_int_equal(axvm_vcpu_run(f->v, NULL), AXVM_EINVAL);
}

static void test_vcpu_second_runner_refused_while_running(void **state)
{
	struct fixture *f = *state;
	struct test_runner r = { .v = f->v };
	struct axvm_exit ex;
	pthread_t t;
	uint64_t val;

	assert_int_equal(axvm_vm_boot(f->vm), 0);
	assert_int_equal(pthread_create(&t, NULL, test_runner_thread, &r), 0);
	wait_state(f->v, AXVM_VCPU_RUNNING);
	/* The same vCPU cannot be run twice, nor its registers touched. */
	assert_int_equal(axvm_vcpu_run(f->v, &ex), AXVM_ESTATE);
	assert_int_equal(axvm_vcpu_get_gpr(f->v, 0, &val), AXVM_EBUSY);
	assert_int_equal(axvm_vcpu_set_gpr(f->v, 0, 1), AXVM_EBUSY);
	/* Reset of a running VM is illegal too. */
	assert_int_equal(axvm_vm_reset(f->vm), AXVM_ESTATE);
	/* Shutdown kicks it out: it finishes and returns ESHUTDOWN. */
	assert_int_equal(axvm_vm_shutdown(f->vm), 0);
	pthread_join(t, NULL);
	assert_int_equal(r.rc, AXVM_ESHUTDOWN);
	struct axvm_mock_vcpu *m = axvm_mock_vcpu(&f->env.mock, 1, 0);
	assert_true(atomic_load(&m->kicks) >= 1);
	assert_int_equal(m->binds, 1);
	assert_int_equal(m->unbinds, 1);
	enum axvm_vm_state st;
	assert_int_equal(axvm_vm_state(f->vm, &st), 0);
	assert_int_equal(st, AXVM_VM_STOPPED);
}

static void test_vcpu_kick_returns_nothing_and_loop_continues(void **state)
{
	struct fixture *f = *state;
	struct test_runner r = { .v = f->v };
	pthread_t t;
	uint64_t n;

	assert_int_equal(axvm_vm_boot(f->vm), 0);
	assert_int_equal(pthread_create(&t, NULL, test_runner_thread, &r), 0);
	wait_state(f->v, AXVM_VCPU_RUNNING);
	assert_int_equal(axvm_vcpu_kick(f->v), 0);
	/* The NOTHING exit is absorbed by the core; the vCPU re-enters. */
	do {
		assert_int_equal(axvm_vcpu_exit_count(f->v, AXVM_EXIT_NOTHING, &n), 0);
	} while (n < 1);
	wait_state(f->v, AXVM_VCPU_RUNNING);
	assert_int_equal(axvm_vm_shutdown(f->vm), 0);
	pthread_join(t, NULL);
	assert_int_equal(r.rc, AXVM_ESHUTDOWN);
	assert_int_equal(axvm_vcpu_kick(NULL), AXVM_EINVAL);
}

static void test_vcpu_interrupt_makes_run_return(void **state)
{
	struct fixture *f = *state;
	struct test_runner r = { .v = f->v };
	pthread_t t;
	enum axvm_vcpu_state st;
	enum axvm_vm_state vst;

	assert_int_equal(axvm_vm_boot(f->vm), 0);
	assert_int_equal(pthread_create(&t, NULL, test_runner_thread, &r), 0);
	wait_state(f->v, AXVM_VCPU_RUNNING);
	/* A host scheduler ends the time slice: run() returns, the VM runs on. */
	assert_int_equal(axvm_vcpu_interrupt(f->v), 0);
	pthread_join(t, NULL);
	assert_int_equal(r.rc, AXVM_EINTR);
	assert_int_equal(axvm_vcpu_state(f->v, &st), 0);
	assert_int_equal(st, AXVM_VCPU_FREE);
	assert_int_equal(axvm_vm_state(f->vm, &vst), 0);
	assert_int_equal(vst, AXVM_VM_RUNNING);
	/* A request made while not running is consumed by the next run(). */
	assert_int_equal(axvm_vcpu_interrupt(f->v), 0);
	assert_int_equal(axvm_vcpu_run(f->v, &r.ex), AXVM_EINTR);
	/* ...only once: the next run() goes into the guest again. */
	assert_int_equal(pthread_create(&t, NULL, test_runner_thread, &r), 0);
	wait_state(f->v, AXVM_VCPU_RUNNING);
	assert_int_equal(axvm_vm_shutdown(f->vm), 0);
	pthread_join(t, NULL);
	assert_int_equal(r.rc, AXVM_ESHUTDOWN);
	assert_int_equal(axvm_vcpu_interrupt(NULL), AXVM_EINVAL);
}

/* The mock backend has a kick of its own, so a running vCPU gets the full
 * axvm_vcpu_interrupt(); a Free one only the request, which the next
 * run() consumes, as with the full call. */
static void test_vcpu_interrupt_local(void **state)
{
	struct fixture *f = *state;
	struct test_runner r = { .v = f->v };
	pthread_t t;

	assert_int_equal(axvm_vcpu_interrupt_local(NULL), AXVM_EINVAL);
	assert_int_equal(axvm_vm_boot(f->vm), 0);
	assert_int_equal(axvm_vcpu_interrupt_local(f->v), 0);
	assert_int_equal(axvm_vcpu_run(f->v, &r.ex), AXVM_EINTR);
	assert_int_equal(pthread_create(&t, NULL, test_runner_thread, &r), 0);
	wait_state(f->v, AXVM_VCPU_RUNNING);
	assert_int_equal(axvm_vcpu_interrupt_local(f->v), 0);
	pthread_join(t, NULL);
	assert_int_equal(r.rc, AXVM_EINTR);
	assert_int_equal(axvm_vm_shutdown(f->vm), 0);
}

static void test_vcpu_registers_roundtrip_when_free(void **state)
{
	struct fixture *f = *state;
	uint64_t v;

	assert_int_equal(axvm_vcpu_set_gpr(f->v, 3, 0xabcdef), 0);
	assert_int_equal(axvm_vcpu_get_gpr(f->v, 3, &v), 0);
	assert_int_equal(v, 0xabcdef);
	/* A register the backend does not have is its error, passed through. */
	assert_int_equal(axvm_vcpu_get_gpr(f->v, 1000, &v), AXVM_EINVAL);
	assert_int_equal(axvm_vcpu_get_gpr(f->v, 0, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_vcpu_set_gpr(NULL, 0, 0), AXVM_EINVAL);
}

static void test_vcpu_inject_reaches_backend(void **state)
{
	struct fixture *f = *state;
	struct axvm_mock_vcpu *m = axvm_mock_vcpu(&f->env.mock, 1, 0);

	assert_int_equal(axvm_vcpu_inject_irq(f->v, 33), 0);
	assert_int_equal(atomic_load(&m->irqs), 1);
	assert_int_equal(atomic_load(&m->last_irq), 33);
	assert_int_equal(axvm_vcpu_inject_irq(NULL, 1), AXVM_EINVAL);
}

static void test_vcpu_double_put_refused(void **state)
{
	struct fixture *f = *state;
	struct axvm_vcpu *extra;

	assert_int_equal(axvm_vm_vcpu(f->vm, 1, &extra), 0);
	assert_int_equal(axvm_vcpu_get(extra), 0);
	assert_int_equal(axvm_vcpu_put(extra), 0);
	assert_int_equal(axvm_vcpu_put(extra), 0);
	/* One more than taken: refused, the VM's own reference survives. */
	assert_int_equal(axvm_vcpu_put(extra), AXVM_ESTATE);
	assert_int_equal(axvm_vcpu_put(extra), AXVM_ESTATE);
	enum axvm_vcpu_state st;
	assert_int_equal(axvm_vcpu_state(extra, &st), 0);
	assert_int_equal(st, AXVM_VCPU_FREE);
	assert_int_equal(axvm_vcpu_get(NULL), AXVM_EINVAL);
	assert_int_equal(axvm_vcpu_put(NULL), AXVM_EINVAL);
}

static void test_vcpu_run_time_accumulates(void **state)
{
	struct fixture *f = *state;
	struct test_runner r = { .v = f->v };
	pthread_t t;
	uint64_t ns;

	assert_int_equal(axvm_vcpu_run_time_ns(f->v, &ns), 0);
	assert_int_equal(ns, 0);
	assert_int_equal(axvm_vm_boot(f->vm), 0);
	assert_int_equal(pthread_create(&t, NULL, test_runner_thread, &r), 0);
	wait_state(f->v, AXVM_VCPU_RUNNING);
	assert_int_equal(axvm_vm_shutdown(f->vm), 0);
	pthread_join(t, NULL);
	assert_int_equal(axvm_vcpu_run_time_ns(f->v, &ns), 0);
	assert_true(ns > 0);
	assert_int_equal(axvm_vcpu_run_time_ns(NULL, &ns), AXVM_EINVAL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_vcpu_created_vcpus_are_free),
		T(test_vcpu_run_before_boot_is_illegal),
		T(test_vcpu_second_runner_refused_while_running),
		T(test_vcpu_kick_returns_nothing_and_loop_continues),
		T(test_vcpu_interrupt_makes_run_return),
		T(test_vcpu_interrupt_local),
		T(test_vcpu_registers_roundtrip_when_free),
		T(test_vcpu_inject_reaches_backend),
		T(test_vcpu_double_put_refused),
		T(test_vcpu_run_time_accumulates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
