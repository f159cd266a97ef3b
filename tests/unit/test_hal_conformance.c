/* SPDX-License-Identifier: Apache-2.0 */
/* The HAL conformance suite against the ports in this tree: the Linux host
 * HAL and the copy-me template HAL. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "axvm_hal_conformance.h"
#include "axvm_hal_template.h"
#include "axvm_linux.h"

static void report(void *ctx, const char *check, bool ok, const char *detail)
{
	(void)ctx;
	if (!ok)
		print_error("conformance: %s: %s\n", check, detail);
}

static void test_hal_conformance_linux_port(void **state)
{
	struct axvm_linux_hal port;
	struct axvm_hal hal;
	struct axvm_hal_conformance o = { .exhaust_limit_pages = 2048, .report = report };
	(void)state;

	assert_int_equal(axvm_linux_hal_init(&port, &hal), 0);
	port.max_pages = 2048;
	assert_int_equal(axvm_hal_conformance_run(&hal, &o), 0);
	assert_int_equal(axvm_linux_hal_fini(&port), 0);
}

static uint64_t host_counter(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
static uint32_t cpu0(void *ctx) { (void)ctx; return 0; }
/* An RTOS's wake: counts, and checks the hook gets the OS context. */
static void wake(void *ctx, uint32_t cpu) { ((unsigned *)ctx)[cpu == 0 ? 0 : 1]++; }
static void idle(void *ctx, uint64_t ns)
{
	(void)ctx;
	struct timespec ts = { 0, (long)(ns < 1000000 ? ns : 1000000) };
	nanosleep(&ts, NULL);
}

static void test_hal_conformance_template_port(void **state)
{
	/* A 4 MiB pool, itself 2 MiB aligned as a linker section would be. */
	size_t size = 4u << 20;
	void *mem = aligned_alloc(2u << 20, size);
	struct axvm_template_ctx ctx;
	struct axvm_hal hal;
	unsigned wakes[2] = { 0, 0 };
	struct axvm_template_os os = { .ctx = wakes, .read_counter = host_counter,
				       .counter_hz = 1000000000u, .cpu_id = cpu0,
				       .wake = wake, .idle = idle };
	struct axvm_hal_conformance o = { .exhaust_limit_pages = 1024, .report = report };
	(void)state;

	assert_non_null(mem);
	assert_int_equal(axvm_template_hal_init(&ctx, &hal, &os, mem, size), 0);
	size_t before = ctx.pool.free_pages;
	assert_int_equal(axvm_hal_conformance_run(&hal, &o), 0);
	/* Everything the suite took came back. */
	assert_int_equal(ctx.pool.free_pages, before);
	/* A kick of this very CPU still wakes its sleepers (an RTOS thread). */
	wakes[0] = wakes[1] = 0;
	assert_int_equal(hal.kick_pcpu(hal.ctx, 0), 0);
	assert_int_equal(wakes[0], 1);
	assert_int_equal(wakes[1], 0);
	/* Bad pools are refused. */
	assert_int_equal(axvm_template_hal_init(&ctx, &hal, &os, (char *)mem + 1, size),
			 AXVM_EINVAL);
	assert_int_equal(axvm_template_hal_init(&ctx, &hal, &os, mem, 4096), AXVM_EINVAL);
	os.read_counter = NULL;
	assert_int_equal(axvm_template_hal_init(&ctx, &hal, &os, mem, size), AXVM_EINVAL);
	free(mem);
}

/* A broken HAL is caught: the suite is not a rubber stamp. */
static int bad_alloc(void *ctx, size_t count, size_t align, axvm_hpa_t *pa)
{
	(void)ctx; (void)count; (void)align;
	static _Alignas(8192) uint8_t page[3 * 4096];
	*pa = (axvm_hpa_t)(uintptr_t)(page + 4096); /* never 8 KiB aligned... */
	return 0;
}
static void nop_free(void *ctx, axvm_hpa_t pa, size_t n) { (void)ctx; (void)pa; (void)n; }

static void test_hal_conformance_detects_broken_hal(void **state)
{
	struct axvm_linux_hal port;
	struct axvm_hal hal;
	struct axvm_hal_conformance o = { 0 };
	(void)state;

	assert_int_equal(axvm_linux_hal_init(&port, &hal), 0);
	hal.alloc_pages = bad_alloc;
	hal.free_pages = nop_free;
	assert_true(axvm_hal_conformance_run(&hal, &o) > 0);
	hal.kick_pcpu = NULL;
	assert_int_equal(axvm_hal_conformance_run(&hal, &o), 1);
	assert_int_equal(axvm_linux_hal_fini(&port), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hal_conformance_linux_port),
		cmocka_unit_test(test_hal_conformance_template_port),
		cmocka_unit_test(test_hal_conformance_detects_broken_hal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
