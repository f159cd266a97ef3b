/* SPDX-License-Identifier: Apache-2.0 */
/* Threads racing every lifecycle call on shared VMs. Run under TSan in the
 * tsan preset; the counting HAL proves nothing leaked or was freed twice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "test_env.h"

enum { THREADS = 8, SLOTS = 3, VCPUS = 3 };

static unsigned iterations(void)
{
	const char *s = getenv("AXVM_STRESS_ITERS");
	return s ? (unsigned)strtoul(s, NULL, 10) : 100000u;
}

/* Each vCPU replays this 31 times, then its script ends in SYSTEM_DOWN,
 * so every run ends by itself even if no thread calls shutdown. */
static const struct axvm_exit script[] = {
	{ .kind = AXVM_EXIT_MMIO_WRITE, .u.write = { .addr = 0x1000, .width = 4, .data = 1 } },
	{ .kind = AXVM_EXIT_MMIO_READ,
	  .u.read = { .addr = 0x1000, .width = 4, .reg_width = 8, .reg = 1 } },
	{ .kind = AXVM_EXIT_CPU_UP, .u.cpu_up = { .target = 1, .ret_reg = 2 } },
	{ .kind = AXVM_EXIT_CPU_UP, .u.cpu_up = { .target = 2, .ret_reg = 2 } },
	{ .kind = AXVM_EXIT_SEND_IPI, .u.ipi = { .to_all = true, .vector = 3 } },
	{ .kind = AXVM_EXIT_NOTHING },
};

static struct test_env env;

/* CMocka's asserts longjmp to the main thread: from a worker that is
 * undefined. Workers record the first failure; main asserts on it. */
static atomic_int failures;
static char first_failure[256];
#define CHECK(cond, rc)                                                        \
	do {                                                                   \
		if (!(cond) && atomic_fetch_add(&failures, 1) == 0)            \
			snprintf(first_failure, sizeof(first_failure),         \
				 "%s:%d: %s (rc %d: %s)", __FILE__, __LINE__,  \
				 #cond, (int)(rc), axvm_strerror((int)(rc)));   \
	} while (0)
/* Owning references, one per slot; NULL while the slot is empty. */
static struct axvm_vm *_Atomic slots[SLOTS];
static atomic_ulong runs_ok, creates, destroys;

static unsigned rnd(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) & 0x7fff;
}

static void create_into(unsigned slot)
{
	struct axvm_config cfg;
	struct axvm_vm *vm, *expected = NULL;

	test_env_config(&cfg, slot + 1, VCPUS);
	cfg.devices[0] = (struct axvm_device_desc){
		.bus = AXVM_BUS_MMIO, .base = 0x1000, .size = 0x100, .ops = &test_nop_device };
	cfg.device_count = 1;
	/* EEXIST while an old VM with this id still has references. */
	int rc = axvm_vm_create(env.host, &cfg, &vm, NULL);
	CHECK(rc == 0 || rc == AXVM_EEXIST, rc);
	if (rc)
		return;
	if (!atomic_compare_exchange_strong(&slots[slot], &expected, vm)) {
		{ int r_ = axvm_vm_put(vm); CHECK(r_ == 0, r_); }
		return;
	}
	atomic_fetch_add(&creates, 1);
}

static void exercise(struct axvm_vm *vm, unsigned *seed)
{
	struct axvm_vcpu *v;
	struct axvm_exit ex;
	int rc;

	switch (rnd(seed) % 6) {
	case 0:
	case 1:
		{ int r_ = axvm_vm_vcpu(vm, rnd(seed) % VCPUS, &v); CHECK(r_ == 0, r_); }
		rc = axvm_vcpu_run(v, &ex);
		/* Not booted / someone else runs it (ESTATE), AP not up yet
		 * (EAGAIN), or it ran until a shutdown (ESHUTDOWN). */
		CHECK(rc == AXVM_ESHUTDOWN || rc == AXVM_ESTATE ||
			    rc == AXVM_EAGAIN, rc);
		if (rc == AXVM_ESHUTDOWN)
			atomic_fetch_add(&runs_ok, 1);
		{ int r_ = axvm_vcpu_put(v); CHECK(r_ == 0, r_); }
		break;
	case 2:
		rc = axvm_vm_boot(vm);
		CHECK(rc == 0 || rc == AXVM_ESTATE, rc);
		break;
	case 3:
		rc = axvm_vm_shutdown(vm);
		CHECK(rc == 0 || rc == AXVM_ESTATE, rc);
		break;
	case 4:
		rc = axvm_vm_reset(vm);
		CHECK(rc == 0 || rc == AXVM_ESTATE, rc);
		break;
	default:
		{ int r_ = axvm_vm_get(vm); CHECK(r_ == 0, r_); }
		{ int r_ = axvm_vm_put(vm); CHECK(r_ == 0, r_); }
		break;
	}
}

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg * 7919u + 1u;
	unsigned n = iterations();

	for (unsigned i = 0; i < n; i++) {
		unsigned slot = rnd(&seed) % SLOTS;
		unsigned op = rnd(&seed) % 16;
		struct axvm_vm *vm;

		if (op == 0) {
			/* Destroy: take the owning reference out of the slot,
			 * start a shutdown and drop it. Others may still hold
			 * references; the last put frees. */
			vm = atomic_exchange(&slots[slot], NULL);
			if (vm) {
				axvm_vm_shutdown(vm);
				{ int r_ = axvm_vm_put(vm); CHECK(r_ == 0, r_); }
				atomic_fetch_add(&destroys, 1);
			}
			continue;
		}
		if (op == 1) {
			create_into(slot);
			continue;
		}
		if (axvm_vm_lookup(env.host, slot + 1, &vm))
			continue;
		exercise(vm, &seed);
		{ int r_ = axvm_vm_put(vm); CHECK(r_ == 0, r_); }
	}
	return NULL;
}

static void test_stress_lifecycle_races(void **state)
{
	pthread_t t[THREADS];
	(void)state;

	assert_int_equal(test_env_init(&env), 0);
	for (unsigned v = 0; v < VCPUS; v++)
		env.mock.scripts[v] = (struct axvm_mock_script){
			.exits = script, .count = 6, .repeat = 30 };
	for (unsigned s = 0; s < SLOTS; s++)
		create_into(s);
	for (uintptr_t i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)i), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	for (unsigned s = 0; s < SLOTS; s++) {
		struct axvm_vm *vm = atomic_exchange(&slots[s], NULL);
		if (vm) {
			axvm_vm_shutdown(vm);
			assert_int_equal(axvm_vm_put(vm), 0);
		}
	}
	if (atomic_load(&failures))
		fail_msg("%d failures in workers; first: %s", atomic_load(&failures),
			 first_failure);
	print_message("creates %lu destroys %lu runs-to-shutdown %lu\n",
		      atomic_load(&creates), atomic_load(&destroys),
		      atomic_load(&runs_ok));
	/* The races really happened: VMs came and went, vCPUs ran. */
	assert_true(atomic_load(&destroys) > 0);
	assert_true(atomic_load(&runs_ok) > 0);
	/* Nothing leaked, nothing freed twice: after the host is gone the
	 * counting HAL's live allocations are exactly zero. */
	assert_int_equal(test_env_fini(&env), 0);
}

/* A guest's CPU-down racing a sibling's CPU-up, as Linux's CPU hotplug
 * does: vCPU 1's thread runs it to each CPU_DOWN while this thread powers
 * it on as soon as a power-on is taken. Whether that lands before the
 * run()'s unbind (the entry left for that run(): RESTARTING) or after it
 * (OFF), it is taken once per CPU_DOWN and its entry written once, never
 * into a bound context (the mock refuses that with AXVM_EBUSY). Two
 * threads run vCPU 1, as a port may: one that saw the vCPU ON just before
 * the other's CPU_DOWN must not bind it while a power-on writes the entry. */
enum { DOWN_UP_RUNNERS = 2 };
static struct axvm_vcpu *down_up_v1;
static atomic_uint downs;
static atomic_bool down_up_done;

static void *down_up_runner(void *arg)
{
	struct axvm_exit ex;
	(void)arg;

	while (!atomic_load(&down_up_done)) {
		int rc = axvm_vcpu_run(down_up_v1, &ex);
		/* ESTATE: the other runner has it bound. */
		CHECK(rc == 0 || rc == AXVM_EAGAIN || rc == AXVM_ESTATE, rc);
		if (rc == 0) {
			CHECK(ex.kind == AXVM_EXIT_CPU_DOWN, ex.kind);
			atomic_fetch_add(&downs, 1);
		} else {
			sched_yield();
		}
	}
	return NULL;
}

static void test_stress_cpu_down_races_cpu_up(void **state)
{
	static const struct axvm_exit down[] = { { .kind = AXVM_EXIT_CPU_DOWN } };
	const unsigned n = iterations() / 10 + 100;
	struct axvm_config cfg;
	struct axvm_vm *vm;
	pthread_t t[DOWN_UP_RUNNERS];
	unsigned ons = 0;
	(void)state;

	assert_int_equal(test_env_init(&env), 0);
	env.mock.scripts[1] = (struct axvm_mock_script){ .exits = down, .count = 1,
							 .repeat = UINT64_MAX };
	test_env_config(&cfg, 1, 2);
	assert_int_equal(axvm_vm_create(env.host, &cfg, &vm, NULL), 0);
	assert_int_equal(axvm_vm_boot(vm), 0);
	assert_int_equal(axvm_vm_vcpu(vm, 1, &down_up_v1), 0);
	for (unsigned i = 0; i < DOWN_UP_RUNNERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, down_up_runner, NULL), 0);
	while (atomic_load(&downs) < n && !atomic_load(&failures)) {
		int rc = axvm_vcpu_power_on(down_up_v1, 0x1000 + ons, ons);
		CHECK(rc == 0 || rc == AXVM_EEXIST, rc);
		if (rc == 0)
			ons++;
		else
			sched_yield();
	}
	atomic_store(&down_up_done, true);
	for (unsigned i = 0; i < DOWN_UP_RUNNERS; i++)
		pthread_join(t[i], NULL);
	if (atomic_load(&failures))
		fail_msg("%d failures; first: %s", atomic_load(&failures), first_failure);
	/* One power-on per CPU_DOWN, and at most one still waiting to run. */
	assert_true(ons == atomic_load(&downs) || ons == atomic_load(&downs) + 1);
	assert_int_equal(axvm_mock_vcpu(&env.mock, 1, 1)->set_entries, ons);
	assert_int_equal(axvm_mock_vcpu(&env.mock, 1, 1)->entry, 0x1000 + ons - 1);
	print_message("cpu downs %u, power-ons %u\n", atomic_load(&downs), ons);
	assert_int_equal(axvm_vcpu_put(down_up_v1), 0);
	axvm_vm_shutdown(vm);
	assert_int_equal(axvm_vm_put(vm), 0);
	assert_int_equal(test_env_fini(&env), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stress_lifecycle_races),
		cmocka_unit_test(test_stress_cpu_down_races_cpu_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
