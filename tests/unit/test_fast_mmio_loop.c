/* SPDX-License-Identifier: Apache-2.0 */
/*
 * axvm_vcpu_fast_mmio(): the core's half of a backend's fast MMIO path.
 * A small backend defined here offers each scripted exit to the fast path
 * from inside its vcpu_run, as the bare-metal backends' world-switch loops
 * do, and returns to the core only what the fast path declines; the tests
 * check that the fast path takes exactly the accesses the full path would
 * give to a device that opted in, with the same results and counts, and
 * touches nothing when it declines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <axvm/arch.h>

#include "regdev.h"
#include "test_env.h"

#define MAX_STEPS 16

/* --- a scripted backend whose run() tries the fast path first ----------- */

struct step_result {
	bool fast;      /* taken by axvm_vcpu_fast_mmio */
	uint64_t value; /* what it returned for a read */
};

struct fvcpu {
	struct axvm_vcpu *core;
	const struct axvm_exit *script;
	size_t count, next;
	struct step_result res[MAX_STEPS];
	uint64_t gpr[32];
};

static struct fvcpu fv;

static int f_vcpu_create(void *vm, uint32_t id, void **out)
{
	(void)vm;
	(void)id;
	*out = &fv;
	return 0;
}

static void f_vcpu_destroy(void *p)
{
	(void)p;
}

static int f_vcpu_setup(void *p, uint64_t entry, axvm_hpa_t root)
{
	(void)p;
	(void)entry;
	(void)root;
	return 0;
}

static int f_vcpu_set_entry(void *p, uint64_t entry, uint64_t arg)
{
	(void)p;
	(void)entry;
	(void)arg;
	return 0;
}

static int f_nop(void *p)
{
	(void)p;
	return 0;
}

static void f_attach(void *p, struct axvm_vcpu *core)
{
	((struct fvcpu *)p)->core = core;
}

static int f_vcpu_run(void *p, struct axvm_exit *exit)
{
	struct fvcpu *v = p;

	while (v->next < v->count) {
		size_t i = v->next++;
		uint64_t val = 0xdeadbeefull; /* must be left alone on decline */

		*exit = v->script[i];
		if (!axvm_vcpu_fast_mmio(v->core, exit, &val)) {
			assert_int_equal(val, 0xdeadbeefull);
			return 0; /* the full exit, as decoded */
		}
		v->res[i].fast = true;
		v->res[i].value = val;
		if (exit->kind == AXVM_EXIT_MMIO_READ && exit->u.read.reg != AXVM_REG_NONE &&
		    exit->u.read.reg < 32)
			v->gpr[exit->u.read.reg] = val;
	}
	exit->kind = AXVM_EXIT_SYSTEM_DOWN;
	exit->u.system_down.code = 0;
	return 0;
}

static int f_get_gpr(void *p, uint32_t reg, uint64_t *value)
{
	if (reg >= 32)
		return AXVM_EINVAL;
	*value = ((struct fvcpu *)p)->gpr[reg];
	return 0;
}

static int f_set_gpr(void *p, uint32_t reg, uint64_t value)
{
	if (reg >= 32)
		return AXVM_EINVAL;
	((struct fvcpu *)p)->gpr[reg] = value;
	return 0;
}

static int f_inject(void *p, uint32_t irq)
{
	(void)p;
	(void)irq;
	return 0;
}

static const struct axvm_arch_ops fast_arch = {
	.name = "fast-test",
	.vcpu_create = f_vcpu_create,
	.vcpu_destroy = f_vcpu_destroy,
	.vcpu_setup = f_vcpu_setup,
	.vcpu_set_entry = f_vcpu_set_entry,
	.vcpu_bind = f_nop,
	.vcpu_unbind = f_nop,
	.vcpu_run = f_vcpu_run,
	.vcpu_get_gpr = f_get_gpr,
	.vcpu_set_gpr = f_set_gpr,
	.vcpu_inject_irq = f_inject,
	.vcpu_attach = f_attach,
};

/* --- a register-file device, fast or not ---------------------------------- */

static struct regdev fastdev, slowdev;

#define FAST_BASE 0x9000000ull
#define SLOW_BASE 0x9001000ull

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
	memset(&fv, 0, sizeof(fv));
	memset(&fastdev, 0, sizeof(fastdev));
	memset(&slowdev, 0, sizeof(slowdev));
	if (test_env_init_hal(&f.env) || axvm_init(&f.env.fh.hal, &fast_arch, &f.env.host))
		return -1;
	test_env_config(&f.cfg, 1, 1);
	f.cfg.devices[0] = (struct axvm_device_desc){
		.name = "fast", .bus = AXVM_BUS_MMIO, .base = FAST_BASE, .size = 32,
		.naturally_aligned = true, .fast = true, .ops = &regdev_ops, .ctx = &fastdev };
	f.cfg.devices[1] = (struct axvm_device_desc){
		.name = "slow", .bus = AXVM_BUS_MMIO, .base = SLOW_BASE, .size = 32,
		.ops = &regdev_ops, .ctx = &slowdev };
	/* fast on another bus means nothing: only MMIO has a fast path. */
	f.cfg.devices[2] = (struct axvm_device_desc){
		.name = "port", .bus = AXVM_BUS_PIO, .base = 0x3f8, .size = 8,
		.fast = true, .ops = &regdev_ops, .ctx = &slowdev };
	f.cfg.device_count = 3;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	return test_env_fini_refs(&f->env, f->v0, f->vm) == 0 ? 0 : -1;
}

/* Run vCPU 0 through `n` scripted exits, one run() call per full exit,
 * until the script's SYSTEM_DOWN; the last run()'s result. */
static int run_script(struct fixture *f, const struct axvm_exit *s, size_t n)
{
	struct axvm_exit ex;
	int rc;

	assert_true(n <= MAX_STEPS);
	fv.script = s;
	fv.count = n;
	assert_int_equal(axvm_vm_create(f->env.host, &f->cfg, &f->vm, NULL), 0);
	assert_int_equal(axvm_vm_vcpu(f->vm, 0, &f->v0), 0);
	assert_ptr_equal(fv.core, f->v0); /* vcpu_attach named the core's vCPU */
	assert_int_equal(axvm_vm_boot(f->vm), 0);
	rc = axvm_vcpu_run(f->v0, &ex);
	return rc;
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

#define READ(a, w, rw, sx, r)                                                  \
	{ .kind = AXVM_EXIT_MMIO_READ,                                         \
	  .u.read = { .addr = (a), .width = (w), .reg_width = (rw),            \
		      .sign_extend = (sx), .reg = (r) } }
#define WRITE(a, w, d)                                                         \
	{ .kind = AXVM_EXIT_MMIO_WRITE,                                        \
	  .u.write = { .addr = (a), .width = (w), .data = (d) } }

static void test_fast_mmio_reads_extend_like_the_full_path(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = {
		READ(FAST_BASE, 1, 8, true, 1),      /* 0x80 -> -128 */
		READ(FAST_BASE, 2, 4, true, 2),      /* 0xff80 -> 0xffffff80 (W2) */
		READ(FAST_BASE + 4, 4, 8, true, 3),  /* 0xfffffffe -> -2 */
		READ(FAST_BASE + 8, 8, 8, false, 4),
		READ(FAST_BASE, 4, 8, false, AXVM_REG_NONE),
	};

	fastdev.mem[0] = 0x80;
	fastdev.mem[1] = 0xff;
	memset(fastdev.mem + 4, 0xff, 4);
	fastdev.mem[4] = 0xfe;
	for (int i = 0; i < 8; i++)
		fastdev.mem[8 + i] = (uint8_t)(0x11 * (i + 1));
	assert_int_equal(run_script(f, s, 5), AXVM_ESHUTDOWN);
	for (int i = 0; i < 5; i++)
		assert_true(fv.res[i].fast);
	assert_int_equal(fv.gpr[1], (uint64_t)-128);
	assert_int_equal(fv.gpr[2], 0xffffff80u);
	assert_int_equal(fv.gpr[3], (uint64_t)-2);
	assert_int_equal(fv.gpr[4], 0x8877665544332211ull);
	assert_int_equal(fastdev.reads, 5);
	/* Counted as MMIO exits, as the full path counts them. */
	assert_int_equal(exits(f, AXVM_EXIT_MMIO_READ), 5);
	assert_int_equal(unhandled(f), 0);
}

static void test_fast_mmio_writes_truncate_to_width(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = {
		WRITE(FAST_BASE + 0x10, 2, 0xdeadbeefcafe1234ull),
		WRITE(FAST_BASE + 0x18, 8, 0x0102030405060708ull),
	};

	assert_int_equal(run_script(f, s, 2), AXVM_ESHUTDOWN);
	assert_true(fv.res[0].fast && fv.res[1].fast);
	assert_int_equal(fastdev.mem[0x10], 0x34);
	assert_int_equal(fastdev.mem[0x11], 0x12);
	assert_int_equal(fastdev.mem[0x12], 0);
	assert_int_equal(fastdev.mem[0x18], 0x08);
	assert_int_equal(fastdev.mem[0x1f], 0x01);
	assert_int_equal(exits(f, AXVM_EXIT_MMIO_WRITE), 2);
}

/* Everything the fast path must leave to the full exit: it declines
 * without calling any device, and the full path then does what it always
 * did (devices called, refusals counted). */
static void test_fast_mmio_declines_what_it_does_not_fully_handle(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = {
		READ(SLOW_BASE, 4, 8, false, 1),          /* not a fast device */
		WRITE(SLOW_BASE + 4, 4, 9),               /* not a fast device */
		READ(0x1000, 4, 8, false, 2),             /* no device */
		READ(FAST_BASE + 1, 4, 8, false, 3),      /* misaligned */
		READ(FAST_BASE + 30, 4, 8, false, 4),     /* straddles the end */
		READ(FAST_BASE - 2, 4, 8, false, 5),      /* straddles the start */
		READ(FAST_BASE, 3, 8, false, 6),          /* not a width */
		READ(FAST_BASE, 0, 8, false, 7),          /* not a width */
		READ(FAST_BASE, 16, 8, false, 8),         /* not a width */
		READ(FAST_BASE, 255, 8, false, 9),        /* not a width */
		READ(UINT64_MAX, 8, 8, false, 10),        /* wraps */
		{ .kind = AXVM_EXIT_IO_WRITE,             /* fast flag ignored off MMIO */
		  .u.write = { .addr = 0x3f8, .width = 1, .data = 1 } },
		{ .kind = AXVM_EXIT_NOTHING },            /* not an access */
	};

	memset(slowdev.mem, 0x5a, sizeof(slowdev.mem));
	assert_int_equal(run_script(f, s, 13), AXVM_ESHUTDOWN);
	for (int i = 0; i < 13; i++)
		assert_false(fv.res[i].fast);
	assert_int_equal(fastdev.reads + fastdev.writes, 0);
	/* The full path took the slow device's accesses and the port write. */
	assert_int_equal(fv.gpr[1], 0x5a5a5a5au);
	assert_int_equal(slowdev.mem[4], 9);
	assert_int_equal(slowdev.reads, 1);
	assert_int_equal(slowdev.writes, 2);
	/* Refused: no device, misaligned, two straddles, four widths, wrap. */
	assert_int_equal(unhandled(f), 9);
	assert_int_equal(exits(f, AXVM_EXIT_MMIO_READ), 10);
	assert_int_equal(exits(f, AXVM_EXIT_MMIO_WRITE), 1);
}

/* A fast device that refuses an access under IGNORE: answered in place
 * as the full path would (counted, read as zero), never offered twice. */
static void test_fast_mmio_device_refusal_under_ignore(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = {
		READ(FAST_BASE, 4, 8, false, 3),
		WRITE(FAST_BASE, 4, 1),
	};

	fastdev.fail = AXVM_ENOTSUP;
	fastdev.mem[0] = 0xff;
	fv.gpr[3] = 0x1234;
	assert_int_equal(run_script(f, s, 2), AXVM_ESHUTDOWN);
	assert_true(fv.res[0].fast && fv.res[1].fast);
	assert_int_equal(fv.res[0].value, 0);
	assert_int_equal(fv.gpr[3], 0);
	assert_int_equal(fastdev.reads, 1);
	assert_int_equal(fastdev.writes, 1);
	assert_int_equal(unhandled(f), 2);
}

/* Under STOP a refusal must end run(), which the fast path cannot do: it
 * declines every access and the full path stops at the refused one. */
static void test_fast_mmio_stop_policy_takes_the_full_exit(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = {
		READ(FAST_BASE, 4, 8, false, 1),
		READ(FAST_BASE + 1, 4, 8, false, 2), /* misaligned: refused */
		READ(FAST_BASE, 4, 8, false, 3),     /* never reached */
	};

	f->cfg.unhandled_policy = AXVM_POLICY_STOP;
	fastdev.mem[0] = 7;
	assert_int_equal(run_script(f, s, 3), AXVM_ENODEV);
	assert_false(fv.res[0].fast);
	assert_int_equal(fv.gpr[1], 7);
	assert_int_equal(fastdev.reads, 1);
	assert_int_equal(fv.next, 2);
}

/* Fast and full accesses interleaved on two devices: the remembered
 * device of one never answers for the other. */
static void test_fast_mmio_interleaved_with_full_exits(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = {
		READ(FAST_BASE, 1, 8, false, 1),
		READ(SLOW_BASE, 1, 8, false, 2),
		READ(FAST_BASE + 31, 1, 8, false, 3),
		READ(SLOW_BASE + 31, 1, 8, false, 4),
		READ(FAST_BASE + 32, 1, 8, false, 5), /* just past: nothing */
	};

	fastdev.mem[0] = 1;
	fastdev.mem[31] = 3;
	slowdev.mem[0] = 2;
	slowdev.mem[31] = 4;
	fv.gpr[5] = 0x55;
	assert_int_equal(run_script(f, s, 5), AXVM_ESHUTDOWN);
	assert_true(fv.res[0].fast && fv.res[2].fast);
	assert_false(fv.res[1].fast || fv.res[3].fast || fv.res[4].fast);
	for (int i = 1; i <= 4; i++)
		assert_int_equal(fv.gpr[i], (uint64_t)i);
	assert_int_equal(fv.gpr[5], 0);
	assert_int_equal(exits(f, AXVM_EXIT_MMIO_READ), 5);
	assert_int_equal(unhandled(f), 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_fast_mmio_reads_extend_like_the_full_path),
		T(test_fast_mmio_writes_truncate_to_width),
		T(test_fast_mmio_declines_what_it_does_not_fully_handle),
		T(test_fast_mmio_device_refusal_under_ignore),
		T(test_fast_mmio_stop_policy_takes_the_full_exit),
		T(test_fast_mmio_interleaved_with_full_exits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
