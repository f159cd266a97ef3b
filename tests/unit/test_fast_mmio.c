/* SPDX-License-Identifier: Apache-2.0 */
/* axvm_vcpu_fast_mmio(): the core's half of a backend's in-switch MMIO
 * path. It must answer exactly what the run loop would for a device that
 * opted in, and leave everything else (nothing called, nothing counted)
 * to the full exit. Called here directly on a booted VM's vCPU, as a
 * backend's vcpu_run would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <axvm/arch.h>

#include "regdev.h"
#include "test_env.h"

#define FAST_BASE 0x9000000ull
#define SLOW_BASE 0x9001000ull
#define NARROW_BASE 0x9002000ull
#define TOP_BASE (UINT64_MAX - 15u)

/* A fast device, a slow one (no opt-in), a fast one taking only aligned
 * 4-byte accesses, a fast one ending at the top of the address space,
 * and a fast-flagged one on the port bus (never fast). */
static struct regdev fast_dev, slow_dev, narrow_dev, top_dev, pio_dev;

struct fixture {
	struct test_env env;
	struct axvm_config cfg;
	struct axvm_vm *vm;
	struct axvm_vcpu *v0;
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	memset(&fast_dev, 0, sizeof(fast_dev));
	memset(&slow_dev, 0, sizeof(slow_dev));
	memset(&narrow_dev, 0, sizeof(narrow_dev));
	memset(&top_dev, 0, sizeof(top_dev));
	memset(&pio_dev, 0, sizeof(pio_dev));
	if (test_env_init(&f.env))
		return -1;
	test_env_config(&f.cfg, 1, 1);
	f.cfg.devices[0] = (struct axvm_device_desc){
		.name = "fast", .bus = AXVM_BUS_MMIO, .base = FAST_BASE, .size = 32,
		.naturally_aligned = true, .fast = true, .ops = &regdev_ops, .ctx = &fast_dev };
	f.cfg.devices[1] = (struct axvm_device_desc){
		.name = "slow", .bus = AXVM_BUS_MMIO, .base = SLOW_BASE, .size = 32,
		.ops = &regdev_ops, .ctx = &slow_dev };
	f.cfg.devices[2] = (struct axvm_device_desc){
		.name = "narrow", .bus = AXVM_BUS_MMIO, .base = NARROW_BASE, .size = 32,
		.widths = AXVM_WIDTH_4, .naturally_aligned = true, .fast = true,
		.ops = &regdev_ops, .ctx = &narrow_dev };
	f.cfg.devices[3] = (struct axvm_device_desc){
		.name = "top", .bus = AXVM_BUS_MMIO, .base = TOP_BASE, .size = 16,
		.fast = true, .ops = &regdev_ops, .ctx = &top_dev };
	f.cfg.devices[4] = (struct axvm_device_desc){
		.name = "pio", .bus = AXVM_BUS_PIO, .base = 0x3f8, .size = 8,
		.fast = true, .ops = &regdev_ops, .ctx = &pio_dev };
	f.cfg.device_count = 5;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	return test_env_fini_refs(&f->env, f->v0, f->vm) == 0 ? 0 : -1;
}

static void boot(struct fixture *f)
{
	assert_int_equal(axvm_vm_create(f->env.host, &f->cfg, &f->vm, NULL), 0);
	assert_int_equal(axvm_vm_vcpu(f->vm, 0, &f->v0), 0);
	assert_int_equal(axvm_vm_boot(f->vm), 0);
}

static struct axvm_exit rd(uint64_t addr, unsigned width, unsigned reg_width, bool sx)
{
	return (struct axvm_exit){ .kind = AXVM_EXIT_MMIO_READ,
				   .u.read = { .addr = addr, .width = (uint8_t)width,
					       .reg_width = (uint8_t)reg_width,
					       .sign_extend = sx, .reg = 1 } };
}

static struct axvm_exit wr(uint64_t addr, unsigned width, uint64_t data)
{
	return (struct axvm_exit){ .kind = AXVM_EXIT_MMIO_WRITE,
				   .u.write = { .addr = addr, .width = (uint8_t)width,
						.data = data } };
}

static uint64_t exits(struct fixture *f, enum axvm_exit_kind k)
{
	uint64_t n = 0;

	assert_int_equal(axvm_vcpu_exit_count(f->v0, k, &n), 0);
	return n;
}

static uint64_t unhandled(struct fixture *f)
{
	uint64_t n = 0;

	assert_int_equal(axvm_vm_unhandled_accesses(f->vm, AXVM_BUS_MMIO, &n), 0);
	return n;
}

/* Nothing happened: no device called, nothing counted, *value untouched. */
static void assert_declined(struct fixture *f, const struct axvm_exit *e)
{
	unsigned calls = fast_dev.reads + fast_dev.writes + slow_dev.reads +
			 slow_dev.writes + narrow_dev.reads + narrow_dev.writes +
			 top_dev.reads + top_dev.writes + pio_dev.reads + pio_dev.writes;
	uint64_t r = exits(f, AXVM_EXIT_MMIO_READ), w = exits(f, AXVM_EXIT_MMIO_WRITE);
	uint64_t u = unhandled(f), val = 0xfeedull;

	assert_false(axvm_vcpu_fast_mmio(f->v0, e, &val));
	assert_int_equal(val, 0xfeedull);
	assert_int_equal(fast_dev.reads + fast_dev.writes + slow_dev.reads +
				 slow_dev.writes + narrow_dev.reads + narrow_dev.writes +
				 top_dev.reads + top_dev.writes + pio_dev.reads + pio_dev.writes,
			 calls);
	assert_int_equal(exits(f, AXVM_EXIT_MMIO_READ), r);
	assert_int_equal(exits(f, AXVM_EXIT_MMIO_WRITE), w);
	assert_int_equal(unhandled(f), u);
}

static void test_fast_mmio_read_extends_and_counts(void **state)
{
	struct fixture *f = *state;
	struct axvm_exit e;
	uint64_t val;

	boot(f);
	fast_dev.mem[0] = 0x80;
	fast_dev.mem[1] = 0xff;
	for (int i = 0; i < 8; i++)
		fast_dev.mem[8 + i] = (uint8_t)(0x11 * (i + 1));

	e = rd(FAST_BASE, 1, 8, true);
	assert_true(axvm_vcpu_fast_mmio(f->v0, &e, &val));
	assert_int_equal(val, (uint64_t)-128);
	e = rd(FAST_BASE, 1, 8, false);
	assert_true(axvm_vcpu_fast_mmio(f->v0, &e, &val));
	assert_int_equal(val, 0x80);
	e = rd(FAST_BASE, 2, 4, true); /* AArch64 LDRSH Wn: cut to 32 bits */
	assert_true(axvm_vcpu_fast_mmio(f->v0, &e, &val));
	assert_int_equal(val, 0xffffff80u);
	e = rd(FAST_BASE + 8, 8, 8, false);
	assert_true(axvm_vcpu_fast_mmio(f->v0, &e, &val));
	assert_int_equal(val, 0x8877665544332211ull);
	e = rd(FAST_BASE + 8, 4, 8, true); /* 0x44332211: positive */
	assert_true(axvm_vcpu_fast_mmio(f->v0, &e, &val));
	assert_int_equal(val, 0x44332211u);

	assert_int_equal(fast_dev.reads, 5);
	assert_int_equal(exits(f, AXVM_EXIT_MMIO_READ), 5);
	assert_int_equal(exits(f, AXVM_EXIT_MMIO_WRITE), 0);
	assert_int_equal(unhandled(f), 0);
}

static void test_fast_mmio_write_masks_to_width(void **state)
{
	struct fixture *f = *state;
	struct axvm_exit e;
	uint64_t val = 0xfeed;

	boot(f);
	e = wr(FAST_BASE + 0x10, 2, 0xdeadbeefcafe1234ull);
	assert_true(axvm_vcpu_fast_mmio(f->v0, &e, &val));
	assert_int_equal(val, 0xfeed); /* a write gives no value */
	e = wr(FAST_BASE + 0x18, 8, 0x0102030405060708ull);
	assert_true(axvm_vcpu_fast_mmio(f->v0, &e, &val));
	assert_int_equal(fast_dev.mem[0x10], 0x34);
	assert_int_equal(fast_dev.mem[0x11], 0x12);
	assert_int_equal(fast_dev.mem[0x12], 0);
	assert_int_equal(fast_dev.mem[0x18], 0x08);
	assert_int_equal(fast_dev.mem[0x1f], 0x01);
	assert_int_equal(fast_dev.writes, 2);
	assert_int_equal(exits(f, AXVM_EXIT_MMIO_WRITE), 2);
}

/* A device that did not opt in, or sits on another bus, is the loop's. */
static void test_fast_mmio_declines_devices_that_did_not_opt_in(void **state)
{
	struct fixture *f = *state;
	struct axvm_exit e;

	boot(f);
	e = rd(SLOW_BASE, 4, 8, false);
	assert_declined(f, &e);
	e = wr(SLOW_BASE + 4, 4, 1);
	assert_declined(f, &e);
	/* The port device's fast flag does not make its port an MMIO address,
	 * nor a port exit a fast one. */
	e = rd(0x3f8, 1, 8, false);
	assert_declined(f, &e);
	e = (struct axvm_exit){ .kind = AXVM_EXIT_IO_READ,
				.u.read = { .addr = 0x3f8, .width = 1, .reg_width = 8, .reg = 1 } };
	assert_declined(f, &e);
	/* After a remembered slow device, a fast one is still found, and the
	 * other way round. */
	uint64_t val;
	e = rd(FAST_BASE, 4, 8, false);
	assert_true(axvm_vcpu_fast_mmio(f->v0, &e, &val));
	e = rd(SLOW_BASE, 4, 8, false);
	assert_declined(f, &e);
	e = rd(FAST_BASE + 4, 4, 8, false);
	assert_true(axvm_vcpu_fast_mmio(f->v0, &e, &val));
	assert_int_equal(fast_dev.reads, 2);
}

/* Holes, straddles and hostile widths: the full exit decides (refused,
 * counted, or STOP), never the fast path. */
static void test_fast_mmio_declines_hostile_accesses(void **state)
{
	struct fixture *f = *state;
	static const unsigned widths[] = { 0, 3, 5, 6, 7, 9, 16, 64, 128, 255 };
	struct axvm_exit e;

	boot(f);
	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		e = rd(FAST_BASE, widths[i], 8, false);
		assert_declined(f, &e);
		e = wr(FAST_BASE, widths[i], ~0ull);
		assert_declined(f, &e);
	}
	e = rd(FAST_BASE - 1, 1, 8, false); /* just below */
	assert_declined(f, &e);
	e = rd(FAST_BASE + 32, 1, 8, false); /* just above */
	assert_declined(f, &e);
	e = rd(FAST_BASE + 28, 8, 8, false); /* runs past the end: unaligned too */
	assert_declined(f, &e);
	e = rd(0, 8, 8, false);
	assert_declined(f, &e);
	e = rd(UINT64_MAX - 16, 8, 8, false); /* last bytes below "top" */
	assert_declined(f, &e);
	/* Unaligned on a naturally aligned device; a width it refuses. */
	e = rd(FAST_BASE + 2, 4, 8, false);
	assert_declined(f, &e);
	e = wr(FAST_BASE + 1, 2, 0);
	assert_declined(f, &e);
	e = rd(NARROW_BASE, 1, 8, false);
	assert_declined(f, &e);
	e = rd(NARROW_BASE, 8, 8, false);
	assert_declined(f, &e);
	/* Other exit kinds, even with an MMIO-looking payload. */
	e = rd(FAST_BASE, 4, 8, false);
	e.kind = AXVM_EXIT_SYSREG_READ;
	assert_declined(f, &e);
	e.kind = AXVM_EXIT_HYPERCALL;
	assert_declined(f, &e);
	e.kind = (enum axvm_exit_kind)AXVM_EXIT_KIND_COUNT;
	assert_declined(f, &e);
	/* The narrow device still takes what it accepts. */
	uint64_t val;
	e = rd(NARROW_BASE + 4, 4, 8, false);
	assert_true(axvm_vcpu_fast_mmio(f->v0, &e, &val));
	assert_int_equal(narrow_dev.reads, 1);
}

/* The top of the address space: no wrap-around in the range test. */
static void test_fast_mmio_top_of_address_space(void **state)
{
	struct fixture *f = *state;
	struct axvm_exit e;
	uint64_t val = 0;

	boot(f);
	top_dev.mem[15] = 0xab;
	e = rd(UINT64_MAX, 1, 8, false);
	assert_true(axvm_vcpu_fast_mmio(f->v0, &e, &val));
	assert_int_equal(val, 0xab);
	e = rd(UINT64_MAX - 7, 8, 8, false);
	assert_true(axvm_vcpu_fast_mmio(f->v0, &e, &val));
	e = rd(UINT64_MAX - 6, 8, 8, false); /* would wrap */
	assert_declined(f, &e);
	e = rd(UINT64_MAX, 2, 8, false);
	assert_declined(f, &e);
	assert_int_equal(top_dev.reads, 2);
}

/* A fast device refusing an access under IGNORE: answered as the loop
 * would (counted as an exit and as unhandled; a read gives zero). */
static void test_fast_mmio_refusal_under_ignore_reads_zero(void **state)
{
	struct fixture *f = *state;
	struct axvm_exit e;
	uint64_t val = 0xfeed;

	boot(f);
	fast_dev.fail = AXVM_EPERM;
	e = rd(FAST_BASE, 8, 8, false);
	assert_true(axvm_vcpu_fast_mmio(f->v0, &e, &val));
	assert_int_equal(val, 0);
	e = wr(FAST_BASE, 8, 1);
	assert_true(axvm_vcpu_fast_mmio(f->v0, &e, &val));
	assert_int_equal(unhandled(f), 2);
	assert_int_equal(exits(f, AXVM_EXIT_MMIO_READ), 1);
	assert_int_equal(exits(f, AXVM_EXIT_MMIO_WRITE), 1);
}

/* Under STOP a refusal must end run(): the fast path takes nothing. */
static void test_fast_mmio_stop_policy_declines(void **state)
{
	struct fixture *f = *state;
	struct axvm_exit e;

	f->cfg.unhandled_policy = AXVM_POLICY_STOP;
	boot(f);
	e = rd(FAST_BASE, 4, 8, false);
	assert_declined(f, &e);
	e = wr(FAST_BASE, 4, 1);
	assert_declined(f, &e);
}

/* The path agrees with the run loop: the same reads through both give
 * the same register values, sign extension and cut included. */
static void test_fast_mmio_matches_the_run_loop(void **state)
{
	struct fixture *f = *state;
	static const struct { uint8_t w, rw; bool sx; } cases[] = {
		{ 1, 8, true }, { 1, 4, true }, { 1, 8, false }, { 2, 8, true },
		{ 2, 4, true }, { 2, 4, false }, { 4, 8, true }, { 4, 4, true },
		{ 4, 8, false }, { 8, 8, true }, { 8, 4, false }, { 8, 0, true },
	};
	struct axvm_exit script[sizeof(cases) / sizeof(cases[0])], ex;
	uint64_t fast[sizeof(cases) / sizeof(cases[0])];
	const size_t n = sizeof(cases) / sizeof(cases[0]);

	for (unsigned i = 0; i < 32; i++)
		fast_dev.mem[i] = (uint8_t)(0x80u | (i * 7u));
	for (size_t i = 0; i < n; i++) {
		script[i] = rd(FAST_BASE + 8, cases[i].w, cases[i].rw, cases[i].sx);
		script[i].u.read.reg = (uint32_t)(i + 1);
	}
	f->env.mock.scripts[0] = (struct axvm_mock_script){
		.exits = script, .count = n, .end_code = 0 };
	boot(f);
	for (size_t i = 0; i < n; i++)
		assert_true(axvm_vcpu_fast_mmio(f->v0, &script[i], &fast[i]));
	assert_int_equal(axvm_vcpu_run(f->v0, &ex), AXVM_ESHUTDOWN);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(axvm_mock_vcpu(&f->env.mock, 1, 0)->gpr[i + 1], fast[i]);
	assert_int_equal(exits(f, AXVM_EXIT_MMIO_READ), 2 * n);
}

/* A fast device added at run time over a memory region stays on the full
 * path (a backend skips its RAM test only for fast devices); elsewhere it
 * is fast. */
static void test_fast_mmio_runtime_device_over_memory_is_not_fast(void **state)
{
	struct fixture *f = *state;
	static struct regdev over, beside;
	struct axvm_device_desc d;
	struct axvm_exit e;
	uint64_t val;

	memset(&over, 0, sizeof(over));
	memset(&beside, 0, sizeof(beside));
	f->cfg.regions[0] = (struct axvm_mem_region){
		.gpa = 0x40000000, .size = 0x10000, .flags = AXVM_MEM_RWX, .type = AXVM_MAP_LAZY };
	f->cfg.region_count = 1;
	f->cfg.bsp_entry = 0x40000000;
	assert_int_equal(axvm_vm_create(f->env.host, &f->cfg, &f->vm, NULL), 0);
	d = (struct axvm_device_desc){ .name = "over", .bus = AXVM_BUS_MMIO,
				       .base = 0x4000fff0, .size = 32, .fast = true,
				       .ops = &regdev_ops, .ctx = &over };
	assert_int_equal(axvm_vm_add_device(f->vm, &d), 0);
	d = (struct axvm_device_desc){ .name = "beside", .bus = AXVM_BUS_MMIO,
				       .base = 0x40010100, .size = 32, .fast = true,
				       .ops = &regdev_ops, .ctx = &beside };
	assert_int_equal(axvm_vm_add_device(f->vm, &d), 0);
	assert_int_equal(axvm_vm_vcpu(f->vm, 0, &f->v0), 0);
	assert_int_equal(axvm_vm_boot(f->vm), 0);
	uint64_t before = exits(f, AXVM_EXIT_MMIO_READ);
	val = 0xfeed;
	assert_false(axvm_vcpu_fast_mmio(f->v0, &(struct axvm_exit){ .kind = AXVM_EXIT_MMIO_READ,
		.u.read = { .addr = 0x4000fff8, .width = 4, .reg_width = 8, .reg = 1 } }, &val));
	assert_int_equal(val, 0xfeed);
	assert_int_equal(over.reads, 0);
	assert_int_equal(exits(f, AXVM_EXIT_MMIO_READ), before);
	e = rd(0x40010104, 4, 8, false);
	assert_true(axvm_vcpu_fast_mmio(f->v0, &e, &val));
	assert_int_equal(beside.reads, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fast_mmio_read_extends_and_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_mmio_write_masks_to_width, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_mmio_declines_devices_that_did_not_opt_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_mmio_declines_hostile_accesses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_mmio_top_of_address_space, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_mmio_refusal_under_ignore_reads_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_mmio_stop_policy_declines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_mmio_matches_the_run_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_mmio_runtime_device_over_memory_is_not_fast, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
