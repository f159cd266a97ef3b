/* SPDX-License-Identifier: Apache-2.0 */
/* Exit-dispatch benchmark on the mock backend: MMIO reads to no-op devices
 * with 1, 16 and 256 devices registered. Prints `bench <name> <value> <unit>`.
 *   bench_dispatch                      all figures (wall clock)
 *   bench_dispatch --exits N --devices D  one quiet run (for callgrind) */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_env.h"

enum { SCRIPT = 256 };
static struct axvm_exit script[SCRIPT];

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench_dispatch: %s: %s\n", what, axvm_strerror(rc));
	exit(1);
}

/* Run `exits` MMIO-read exits spread over `devices` devices; returns the
 * wall time of the run loop and the HAL allocations made inside it. */
static void measure(unsigned devices, uint64_t exits, double *ns_per_exit,
		    long *allocs_in_loop)
{
	struct test_env e;
	struct axvm_config cfg;
	struct axvm_vm *vm;
	struct axvm_vcpu *v;
	struct axvm_exit ex;
	int rc;

	if ((rc = test_env_init(&e)))
		die("init", rc);
	for (unsigned i = 0; i < SCRIPT; i++) {
		unsigned d = (i * 7u) % devices;
		script[i] = (struct axvm_exit){ .kind = AXVM_EXIT_MMIO_READ,
			.u.read = { .addr = 0x10000000ull + d * 0x1000ull + 8, .width = 4,
				    .reg_width = 8, .sign_extend = true, .reg = 1 } };
	}
	e.mock.scripts[0] = (struct axvm_mock_script){
		.exits = script, .count = SCRIPT, .repeat = exits / SCRIPT - 1 };
	test_env_config(&cfg, 1, 1);
	if ((rc = axvm_vm_create(e.host, &cfg, &vm, NULL)))
		die("create", rc);
	for (unsigned d = 0; d < devices; d++) {
		struct axvm_device_desc desc = { .bus = AXVM_BUS_MMIO,
			.base = 0x10000000ull + d * 0x1000ull, .size = 0x100, .ops = &test_nop_device };
		if ((rc = axvm_vm_add_device(vm, &desc)))
			die("add_device", rc);
	}
	if ((rc = axvm_vm_vcpu(vm, 0, &v)) || (rc = axvm_vm_boot(vm)))
		die("boot", rc);
	long a0 = atomic_load(&e.fh.allocs);
	uint64_t t0 = e.base.now_ns(e.base.ctx);
	rc = axvm_vcpu_run(v, &ex);
	uint64_t t1 = e.base.now_ns(e.base.ctx);
	long a1 = atomic_load(&e.fh.allocs);
	if (rc != AXVM_ESHUTDOWN)
		die("run", rc);
	uint64_t n;
	axvm_vcpu_exit_count(v, AXVM_EXIT_MMIO_READ, &n);
	if (n != exits / SCRIPT * SCRIPT) {
		fprintf(stderr, "bench_dispatch: %llu exits, expected %llu\n",
			(unsigned long long)n, (unsigned long long)exits);
		exit(1);
	}
	*ns_per_exit = (double)(t1 - t0) / (double)n;
	*allocs_in_loop = a1 - a0;
	axvm_vcpu_put(v);
	axvm_vm_put(vm);
	if (test_env_fini(&e))
		die("leak", AXVM_EBUSY);
}

static void lifecycle(void)
{
	struct test_env e;
	struct axvm_config cfg;
	enum { ROUNDS = 2000 };
	int rc;

	if ((rc = test_env_init(&e)))
		die("init", rc);
	test_env_config(&cfg, 1, 4);
	uint64_t t0 = e.base.now_ns(e.base.ctx);
	for (int i = 0; i < ROUNDS; i++) {
		struct axvm_vm *vm;
		if ((rc = axvm_vm_create(e.host, &cfg, &vm, NULL)) ||
		    (rc = axvm_vm_boot(vm)) || (rc = axvm_vm_shutdown(vm)))
			die("lifecycle", rc);
		axvm_vm_put(vm);
	}
	uint64_t t1 = e.base.now_ns(e.base.ctx);
	printf("bench vm_create_boot_shutdown_destroy_ns %.0f ns\n",
	       (double)(t1 - t0) / ROUNDS);
	if (test_env_fini(&e))
		die("leak", AXVM_EBUSY);
}

int main(int argc, char **argv)
{
	static const unsigned counts[] = { 1, 16, 256 };
	double ns;
	long allocs;

	if (argc == 5 && !strcmp(argv[1], "--exits") && !strcmp(argv[3], "--devices")) {
		uint64_t n = strtoull(argv[2], NULL, 10);
		unsigned d = (unsigned)strtoul(argv[4], NULL, 10);
		if (n < SCRIPT || d == 0 || d > 4096)
			return 2;
		measure(d, n, &ns, &allocs);
		return 0;
	}
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		measure(counts[i], 1u << 22, &ns, &allocs);
		printf("bench dispatch_ns_per_exit_%udev %.1f ns\n", counts[i], ns);
		printf("bench dispatch_allocs_in_run_loop_%udev %ld allocs\n", counts[i], allocs);
	}
	lifecycle();
	return 0;
}
