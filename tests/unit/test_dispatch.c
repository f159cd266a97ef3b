/* SPDX-License-Identifier: Apache-2.0 */
/* Exit dispatch: what the core handles, what it writes back, and what it
 * hands to the program. Each test scripts exits on the mock backend. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>

#include "regdev.h"
#include "test_env.h"

struct fixture {
	struct test_env env;
	struct axvm_vm *vm;
	struct axvm_vcpu *v0;
	struct axvm_config cfg;
};

static struct regdev dev;

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	memset(&dev, 0, sizeof(dev));
	if (test_env_init(&f.env))
		return -1;
	test_env_config(&f.cfg, 1, 4);
	f.cfg.devices[0] = (struct axvm_device_desc){
		.name = "regdev", .bus = AXVM_BUS_MMIO, .base = 0x9000000,
		.size = sizeof(dev.mem), .ops = &regdev_ops, .ctx = &dev };
	f.cfg.devices[1] = (struct axvm_device_desc){
		.name = "port", .bus = AXVM_BUS_PIO, .base = 0x3f8, .size = 8,
		.widths = AXVM_WIDTH_1, .ops = &regdev_ops, .ctx = &dev };
	f.cfg.devices[2] = (struct axvm_device_desc){
		.name = "sysreg", .bus = AXVM_BUS_SYSREG, .base = 0x100, .size = 16,
		.naturally_aligned = true, .ops = &regdev_ops, .ctx = &dev };
	f.cfg.device_count = 3;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	return test_env_fini_refs(&f->env, f->v0, f->vm) == 0 ? 0 : -1;
}

/* Create the VM with `exits` as vCPU 0's script, boot it, run once. */
static int run_script(struct fixture *f, const struct axvm_exit *exits,
		      size_t n, struct axvm_exit *out)
{
	f->env.mock.scripts[0] = (struct axvm_mock_script){
		.exits = exits, .count = n, .end_code = 0 };
	assert_int_equal(axvm_vm_create(f->env.host, &f->cfg, &f->vm, NULL), 0);
	assert_int_equal(axvm_vm_vcpu(f->vm, 0, &f->v0), 0);
	assert_int_equal(axvm_vm_boot(f->vm), 0);
	return axvm_vcpu_run(f->v0, out);
}

static struct axvm_mock_vcpu *rec0(struct fixture *f)
{
	return axvm_mock_vcpu(&f->env.mock, 1, 0);
}

#define MMIO_READ(a, w, rw, sx, r)                                             \
	{ .kind = AXVM_EXIT_MMIO_READ,                                         \
	  .u.read = { .addr = (a), .width = (w), .reg_width = (rw),            \
		      .sign_extend = (sx), .reg = (r) } }
#define MMIO_WRITE(a, w, d)                                                    \
	{ .kind = AXVM_EXIT_MMIO_WRITE,                                        \
	  .u.write = { .addr = (a), .width = (w), .data = (d) } }

static void test_dispatch_mmio_read_sign_extends_into_register(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = {
		MMIO_READ(0x9000000, 1, 8, true, 1),  /* 0x80 -> -128 in X1 */
		MMIO_READ(0x9000000, 1, 8, false, 2), /* 0x80 -> 128 */
		MMIO_READ(0x9000000, 2, 4, true, 3),  /* 0xff80 -> 0xffffff80 (W3) */
		MMIO_READ(0x9000000, 4, 8, true, 4),  /* 0x7fffff80: positive */
		MMIO_READ(0x9000008, 8, 8, false, 5),
		MMIO_READ(0x9000004, 4, 8, true, 6),  /* 0xfffffffe -> -2 */
	};
	struct axvm_exit ex;

	dev.mem[0] = 0x80; dev.mem[1] = 0xff; dev.mem[2] = 0xff; dev.mem[3] = 0x7f;
	dev.mem[4] = 0xfe; dev.mem[5] = 0xff; dev.mem[6] = 0xff; dev.mem[7] = 0xff;
	for (int i = 0; i < 8; i++)
		dev.mem[8 + i] = (uint8_t)(0x11 * (i + 1));
	assert_int_equal(run_script(f, s, 6, &ex), AXVM_ESHUTDOWN);
	assert_int_equal(rec0(f)->gpr[1], (uint64_t)-128);
	assert_int_equal(rec0(f)->gpr[2], 0x80);
	assert_int_equal(rec0(f)->gpr[3], 0xffffff80u);
	assert_int_equal(rec0(f)->gpr[4], 0x7fffff80u);
	assert_int_equal(rec0(f)->gpr[5], 0x8877665544332211ull);
	assert_int_equal(rec0(f)->gpr[6], (uint64_t)-2);
	assert_int_equal(dev.reads, 6);
	uint64_t n;
	assert_int_equal(axvm_vcpu_exit_count(f->v0, AXVM_EXIT_MMIO_READ, &n), 0);
	assert_int_equal(n, 6);
}

static void test_dispatch_mmio_write_truncates_to_width(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = {
		MMIO_WRITE(0x9000010, 2, 0xdeadbeefcafe1234ull),
		MMIO_WRITE(0x9000018, 8, 0x0102030405060708ull),
	};
	struct axvm_exit ex;

	assert_int_equal(run_script(f, s, 2, &ex), AXVM_ESHUTDOWN);
	assert_int_equal(dev.mem[0x10], 0x34);
	assert_int_equal(dev.mem[0x11], 0x12);
	assert_int_equal(dev.mem[0x12], 0);
	assert_int_equal(dev.mem[0x18], 0x08);
	assert_int_equal(dev.mem[0x1f], 0x01);
	assert_int_equal(dev.last_off, 0x18);
	assert_int_equal(dev.last_width, 8);
}

static void test_dispatch_port_and_sysreg_buses(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = {
		{ .kind = AXVM_EXIT_IO_WRITE,
		  .u.write = { .addr = 0x3f9, .width = 1, .data = 0x41 } },
		{ .kind = AXVM_EXIT_IO_READ,
		  .u.read = { .addr = 0x3f9, .width = 1, .reg_width = 8, .reg = 7 } },
		{ .kind = AXVM_EXIT_SYSREG_WRITE,
		  .u.write = { .addr = 0x108, .width = 8, .data = 0x55aa } },
		{ .kind = AXVM_EXIT_SYSREG_READ,
		  .u.read = { .addr = 0x108, .width = 8, .reg_width = 8, .reg = 8 } },
	};
	struct axvm_exit ex;

	assert_int_equal(run_script(f, s, 4, &ex), AXVM_ESHUTDOWN);
	assert_int_equal(rec0(f)->gpr[7], 0x41);
	assert_int_equal(rec0(f)->gpr[8], 0x55aa);
}

static void test_dispatch_unmapped_access_ignored_and_counted(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = {
		MMIO_READ(0x1000, 4, 8, false, 9),     /* no device */
		MMIO_WRITE(0x1000, 4, 1),              /* no device */
		MMIO_READ(0x900001e, 4, 8, false, 10), /* straddles the end */
		{ .kind = AXVM_EXIT_IO_WRITE,          /* device takes width 1 only */
		  .u.write = { .addr = 0x3f8, .width = 2, .data = 1 } },
		{ .kind = AXVM_EXIT_SYSREG_READ,       /* misaligned, device refuses */
		  .u.read = { .addr = 0x101, .width = 4, .reg_width = 8, .reg = 11 } },
		MMIO_READ(0x9000000, 3, 8, false, 12), /* width 3 is not a width */
		MMIO_READ(UINT64_MAX, 8, 8, false, 13),
	};
	struct axvm_exit ex;
	uint64_t c;

	f->env.mock.scripts[0].end_code = 0;
	rec0(f); /* not created yet: fine, returns NULL */
	assert_int_equal(run_script(f, s, 7, &ex), AXVM_ESHUTDOWN);
	/* Read-as-zero lands in the destination register. */
	assert_int_equal(rec0(f)->gpr[9], 0);
	assert_int_equal(axvm_vm_unhandled_accesses(f->vm, AXVM_BUS_MMIO, &c), 0);
	assert_int_equal(c, 5);
	assert_int_equal(axvm_vm_unhandled_accesses(f->vm, AXVM_BUS_PIO, &c), 0);
	assert_int_equal(c, 1);
	assert_int_equal(axvm_vm_unhandled_accesses(f->vm, AXVM_BUS_SYSREG, &c), 0);
	assert_int_equal(c, 1);
	/* No refused access reached the device. */
	assert_int_equal(dev.reads + dev.writes, 0);
	assert_int_equal(axvm_vm_unhandled_accesses(f->vm, AXVM_BUS_COUNT, &c),
			 AXVM_EINVAL);
}

static void test_dispatch_stop_policy_returns_enodev(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = {
		MMIO_WRITE(0x9000000, 4, 7),
		MMIO_WRITE(0x1000, 4, 1),
		MMIO_WRITE(0x9000000, 4, 8), /* never reached */
	};
	struct axvm_exit ex;
	enum axvm_vcpu_state st;

	f->cfg.unhandled_policy = AXVM_POLICY_STOP;
	assert_int_equal(run_script(f, s, 3, &ex), AXVM_ENODEV);
	assert_int_equal(ex.kind, AXVM_EXIT_MMIO_WRITE);
	assert_int_equal(ex.u.write.addr, 0x1000);
	assert_int_equal(dev.writes, 1);
	/* The vCPU was unbound on the error path too. */
	assert_int_equal(axvm_vcpu_state(f->v0, &st), 0);
	assert_int_equal(st, AXVM_VCPU_FREE);
	assert_int_equal(rec0(f)->binds, rec0(f)->unbinds);
}

static void test_dispatch_device_error_follows_policy(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = { MMIO_READ(0x9000000, 4, 8, false, 3) };
	struct axvm_exit ex;
	uint64_t c;

	dev.fail = AXVM_ENOTSUP;
	dev.mem[0] = 0xff;
	assert_int_equal(run_script(f, s, 1, &ex), AXVM_ESHUTDOWN);
	assert_int_equal(rec0(f)->gpr[3], 0);
	assert_int_equal(axvm_vm_unhandled_accesses(f->vm, AXVM_BUS_MMIO, &c), 0);
	assert_int_equal(c, 1);
}

static void test_dispatch_read_into_bad_register_is_an_error(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = {
		MMIO_READ(0x9000000, 4, 8, false, AXVM_MOCK_BAD_REG),
	};
	struct axvm_exit ex;

	assert_int_equal(run_script(f, s, 1, &ex), AXVM_EINVAL);
	assert_int_equal(rec0(f)->binds, rec0(f)->unbinds);
}

static int hc_handler(void *ctx, struct axvm_vcpu *vcpu, uint64_t nr,
		      const uint64_t args[6], uint64_t *ret)
{
	(void)vcpu;
	(*(int *)ctx)++;
	if (nr == 99)
		return AXVM_EUNHANDLED;
	if (nr == 98)
		return AXVM_EIO;
	*ret = nr + args[0] + args[5];
	return 0;
}

static void test_dispatch_hypercall_result_written_to_ret_reg(void **state)
{
	struct fixture *f = *state;
	int calls = 0;
	struct axvm_vm_callbacks cb = { .ctx = &calls, .hypercall = hc_handler };
	const struct axvm_exit s[] = {
		{ .kind = AXVM_EXIT_HYPERCALL,
		  .u.hypercall = { .nr = 5, .args = { 10, 0, 0, 0, 0, 100 }, .ret_reg = 0 } },
		{ .kind = AXVM_EXIT_HYPERCALL,
		  .u.hypercall = { .nr = 99, .ret_reg = 0 } },
	};
	struct axvm_exit ex;

	f->env.mock.scripts[0] = (struct axvm_mock_script){ .exits = s, .count = 2 };
	assert_int_equal(axvm_vm_create(f->env.host, &f->cfg, &f->vm, NULL), 0);
	assert_int_equal(axvm_vm_set_callbacks(f->vm, &cb), 0);
	assert_int_equal(axvm_vm_vcpu(f->vm, 0, &f->v0), 0);
	assert_int_equal(axvm_vm_boot(f->vm), 0);
	/* First handled (115 into X0); the second is unhandled -> caller. */
	assert_int_equal(axvm_vcpu_run(f->v0, &ex), 0);
	assert_int_equal(ex.kind, AXVM_EXIT_HYPERCALL);
	assert_int_equal(ex.u.hypercall.nr, 99);
	assert_int_equal(rec0(f)->gpr[0], 115);
	assert_int_equal(calls, 2);
}

static void test_dispatch_hypercall_handler_error_stops_run(void **state)
{
	struct fixture *f = *state;
	int calls = 0;
	struct axvm_vm_callbacks cb = { .ctx = &calls, .hypercall = hc_handler };
	const struct axvm_exit s[] = {
		{ .kind = AXVM_EXIT_HYPERCALL, .u.hypercall = { .nr = 98 } },
	};
	struct axvm_exit ex;

	f->env.mock.scripts[0] = (struct axvm_mock_script){ .exits = s, .count = 1 };
	assert_int_equal(axvm_vm_create(f->env.host, &f->cfg, &f->vm, NULL), 0);
	assert_int_equal(axvm_vm_set_callbacks(f->vm, &cb), 0);
	assert_int_equal(axvm_vm_vcpu(f->vm, 0, &f->v0), 0);
	assert_int_equal(axvm_vm_boot(f->vm), 0);
	assert_int_equal(axvm_vcpu_run(f->v0, &ex), AXVM_EIO);
}

static void test_dispatch_hypercall_without_handler_goes_to_caller(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = {
		{ .kind = AXVM_EXIT_HYPERCALL, .u.hypercall = { .nr = 1, .ret_reg = 0 } },
	};
	struct axvm_exit ex;

	assert_int_equal(run_script(f, s, 1, &ex), 0);
	assert_int_equal(ex.kind, AXVM_EXIT_HYPERCALL);
	assert_int_equal(rec0(f)->nwrites, 0);
}

static int unhandled_cb(void *ctx, struct axvm_vcpu *vcpu, struct axvm_exit *ex)
{
	(void)vcpu;
	int *seen = ctx;
	seen[ex->kind]++;
	if (ex->kind == AXVM_EXIT_FAIL_ENTRY)
		return AXVM_EGUEST;
	if (ex->kind == AXVM_EXIT_NESTED_PAGE_FAULT)
		return AXVM_EUNHANDLED;
	return 0;
}

static void test_dispatch_unhandled_callback_decides(void **state)
{
	struct fixture *f = *state;
	int seen[AXVM_EXIT_KIND_COUNT] = { 0 };
	struct axvm_vm_callbacks cb = { .ctx = seen, .unhandled_exit = unhandled_cb };
	const struct axvm_exit s[] = {
		{ .kind = AXVM_EXIT_HYPERCALL, .u.hypercall = { .nr = 1, .ret_reg = AXVM_REG_NONE } },
		{ .kind = AXVM_EXIT_NESTED_PAGE_FAULT,
		  .u.page_fault = { .addr = 0xdead000, .access = AXVM_ACCESS_WRITE } },
		{ .kind = AXVM_EXIT_FAIL_ENTRY, .u.fail_entry = { .reason = 33 } },
	};
	struct axvm_exit ex;

	f->env.mock.scripts[0] = (struct axvm_mock_script){ .exits = s, .count = 3 };
	assert_int_equal(axvm_vm_create(f->env.host, &f->cfg, &f->vm, NULL), 0);
	assert_int_equal(axvm_vm_set_callbacks(f->vm, &cb), 0);
	assert_int_equal(axvm_vm_vcpu(f->vm, 0, &f->v0), 0);
	assert_int_equal(axvm_vm_boot(f->vm), 0);
	/* Hypercall handled by the callback (0); the page fault handed back. */
	assert_int_equal(axvm_vcpu_run(f->v0, &ex), 0);
	assert_int_equal(ex.kind, AXVM_EXIT_NESTED_PAGE_FAULT);
	assert_int_equal(ex.u.page_fault.addr, 0xdead000);
	assert_int_equal(ex.u.page_fault.access, AXVM_ACCESS_WRITE);
	/* The entry failure: the callback's error stops the run. */
	assert_int_equal(axvm_vcpu_run(f->v0, &ex), AXVM_EGUEST);
	assert_int_equal(ex.kind, AXVM_EXIT_FAIL_ENTRY);
	assert_int_equal(seen[AXVM_EXIT_HYPERCALL], 1);
	assert_int_equal(seen[AXVM_EXIT_NESTED_PAGE_FAULT], 1);
	assert_int_equal(seen[AXVM_EXIT_FAIL_ENTRY], 1);
}

static void powered_cb(void *ctx, struct axvm_vm *vm, uint32_t id)
{
	(void)vm;
	((int *)ctx)[id]++;
}

static void test_dispatch_cpu_up_powers_target(void **state)
{
	struct fixture *f = *state;
	int ups[4] = { 0 };
	struct axvm_vm_callbacks cb = { .ctx = ups, .vcpu_powered_on = powered_cb };
	const struct axvm_exit s[] = {
		{ .kind = AXVM_EXIT_CPU_UP,
		  .u.cpu_up = { .target = 2, .entry = 0x80000, .arg = 0x77, .ret_reg = 0 } },
		{ .kind = AXVM_EXIT_CPU_UP, /* again: already on */
		  .u.cpu_up = { .target = 2, .entry = 0x1, .arg = 0, .ret_reg = 1 } },
		{ .kind = AXVM_EXIT_CPU_UP, /* hostile target index */
		  .u.cpu_up = { .target = 1ull << 40, .ret_reg = 2 } },
		{ .kind = AXVM_EXIT_CPU_UP,
		  .u.cpu_up = { .target = 4, .ret_reg = 3 } },
	};
	struct axvm_exit ex;
	struct axvm_vcpu *v2, *v1;
	bool on;

	f->env.mock.scripts[0] = (struct axvm_mock_script){ .exits = s, .count = 4 };
	assert_int_equal(axvm_vm_create(f->env.host, &f->cfg, &f->vm, NULL), 0);
	assert_int_equal(axvm_vm_set_callbacks(f->vm, &cb), 0);
	assert_int_equal(axvm_vm_vcpu(f->vm, 0, &f->v0), 0);
	assert_int_equal(axvm_vm_vcpu(f->vm, 2, &v2), 0);
	assert_int_equal(axvm_vm_vcpu(f->vm, 1, &v1), 0);
	assert_int_equal(axvm_vm_boot(f->vm), 0);
	/* An AP is not runnable before it is powered on. */
	assert_int_equal(axvm_vcpu_run(v2, &ex), AXVM_EAGAIN);
	assert_int_equal(axvm_vcpu_run(f->v0, &ex), AXVM_ESHUTDOWN);
	assert_int_equal(rec0(f)->gpr[0], 0);
	assert_int_equal((int64_t)rec0(f)->gpr[1], AXVM_EEXIST);
	assert_int_equal((int64_t)rec0(f)->gpr[2], AXVM_EINVAL);
	assert_int_equal((int64_t)rec0(f)->gpr[3], AXVM_EINVAL);
	assert_int_equal(axvm_vcpu_powered(v2, &on), 0);
	assert_true(on);
	assert_int_equal(axvm_vcpu_powered(v1, &on), 0);
	assert_false(on);
	struct axvm_mock_vcpu *r2 = axvm_mock_vcpu(&f->env.mock, 1, 2);
	assert_int_equal(r2->entry, 0x80000);
	assert_int_equal(r2->arg, 0x77);
	assert_int_equal(ups[2], 1);
	assert_int_equal(ups[1] + ups[3] + ups[0], 0);
	assert_int_equal(axvm_vcpu_put(v2), 0);
	assert_int_equal(axvm_vcpu_put(v1), 0);
}

static void test_dispatch_cpu_down_returns_and_powers_off(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = { { .kind = AXVM_EXIT_CPU_DOWN } };
	struct axvm_exit ex;
	bool on;

	assert_int_equal(run_script(f, s, 1, &ex), 0);
	assert_int_equal(ex.kind, AXVM_EXIT_CPU_DOWN);
	assert_int_equal(axvm_vcpu_powered(f->v0, &on), 0);
	assert_false(on);
	assert_int_equal(axvm_vcpu_run(f->v0, &ex), AXVM_EAGAIN);
	/* Powering it on again is allowed (PSCI CPU_ON after CPU_OFF). */
	assert_int_equal(axvm_vcpu_power_on(f->v0, 0x1000, 0), 0);
	assert_int_equal(axvm_vcpu_power_on(f->v0, 0x1000, 0), AXVM_EEXIST);
}

/* A sibling that sees a CPU_DOWN's vCPU off may power it on at once, so
 * it must not be off while the backend still holds its context. A
 * power-on tried from inside the backend's unbind of that run is taken,
 * but its entry is written only after the unbind (the mock refuses
 * set_entry on a bound vCPU), and the vCPU is on when run() returns; a
 * second power-on meanwhile is refused. */
static struct {
	struct fixture *f;
	int (*unbind)(void *);
	int power_on_rc, again_rc;
	uint32_t set_entries;
	bool on;
} in_unbind;

static int unbind_then_power_on(void *p)
{
	axvm_vcpu_powered(in_unbind.f->v0, &in_unbind.on);
	in_unbind.power_on_rc = axvm_vcpu_power_on(in_unbind.f->v0, 0x2000, 7);
	in_unbind.again_rc = axvm_vcpu_power_on(in_unbind.f->v0, 0x3000, 0);
	in_unbind.set_entries = axvm_mock_vcpu(&in_unbind.f->env.mock, 1, 0)->set_entries;
	return in_unbind.unbind(p);
}

static void test_dispatch_cpu_down_is_off_only_after_unbind(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = { { .kind = AXVM_EXIT_CPU_DOWN } };
	struct axvm_exit ex;
	bool on;

	in_unbind.f = f;
	in_unbind.unbind = f->env.mock.ops.vcpu_unbind;
	in_unbind.power_on_rc = in_unbind.again_rc = 1;
	f->env.mock.ops.vcpu_unbind = unbind_then_power_on;
	assert_int_equal(run_script(f, s, 1, &ex), 0);
	f->env.mock.ops.vcpu_unbind = in_unbind.unbind;
	assert_int_equal(ex.kind, AXVM_EXIT_CPU_DOWN);
	assert_false(in_unbind.on);
	assert_int_equal(in_unbind.power_on_rc, 0);
	assert_int_equal(in_unbind.again_rc, AXVM_EEXIST);
	assert_int_equal(in_unbind.set_entries, 0);
	assert_int_equal(rec0(f)->set_entries, 1);
	assert_int_equal(rec0(f)->entry, 0x2000);
	assert_int_equal(axvm_vcpu_powered(f->v0, &on), 0);
	assert_true(on);
	assert_int_equal(axvm_vcpu_power_on(f->v0, 0x2000, 0), AXVM_EEXIST);
}

/* While a CPU_DOWN's run() is still unbinding, a sibling asking about it
 * hears "on" through PSCI (no such state there) and OFF_PENDING through
 * an interface that has one (SBI HSM STOP_PENDING). */
static struct {
	struct fixture *f;
	int (*unbind)(void *);
	int rc;
} probe;

static int unbind_then_status(void *p)
{
	struct axvm_vcpu *v1 = NULL;
	struct axvm_exit ex;

	probe.rc = axvm_vm_vcpu(probe.f->vm, 1, &v1);
	if (probe.rc == 0 && (probe.rc = axvm_vcpu_power_on(v1, 0x3000, 0)) == 0)
		probe.rc = axvm_vcpu_run(v1, &ex);
	if (v1)
		axvm_vcpu_put(v1);
	return probe.unbind(p);
}

static void test_dispatch_cpu_status_of_a_stopping_vcpu(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = { { .kind = AXVM_EXIT_CPU_DOWN } };
	/* vCPU 1's run, from inside vCPU 0's unbind */
	const struct axvm_exit s1[] = {
		{ .kind = AXVM_EXIT_CPU_STATUS,
		  .u.cpu_status = { .target = 0, .ret_reg = 6, .has_off_pending = true } },
		{ .kind = AXVM_EXIT_CPU_STATUS,
		  .u.cpu_status = { .target = 0, .ret_reg = 7, .has_off_pending = false } },
		{ .kind = AXVM_EXIT_CPU_DOWN },
	};
	struct axvm_mock_vcpu *r1;
	struct axvm_exit ex;

	f->env.mock.scripts[1] = (struct axvm_mock_script){ .exits = s1, .count = 3 };
	probe.f = f;
	probe.unbind = f->env.mock.ops.vcpu_unbind;
	probe.rc = 1;
	f->env.mock.ops.vcpu_unbind = unbind_then_status;
	assert_int_equal(run_script(f, s, 1, &ex), 0);
	assert_int_equal(ex.kind, AXVM_EXIT_CPU_DOWN);
	f->env.mock.ops.vcpu_unbind = probe.unbind;
	assert_int_equal(probe.rc, 0);
	r1 = axvm_mock_vcpu(&f->env.mock, 1, 1);
	assert_int_equal(r1->gpr[6], AXVM_CPU_STATUS_OFF_PENDING);
	assert_int_equal(r1->gpr[7], AXVM_CPU_STATUS_ON);
}

/* Power status comes from the core's own power word: OFF until CPU_UP,
 * ON after it, OFF again once the run() of a CPU_DOWN has returned; a hostile
 * index is refused. */
static void test_dispatch_cpu_status_follows_core_power(void **state)
{
	struct fixture *f = *state;
#define STATUS(t, r) { .kind = AXVM_EXIT_CPU_STATUS, .u.cpu_status = { .target = (t), .ret_reg = (r) } }
	const struct axvm_exit s[] = {
		STATUS(1, 0),
		{ .kind = AXVM_EXIT_CPU_UP, .u.cpu_up = { .target = 1, .ret_reg = AXVM_REG_NONE } },
		STATUS(1, 1),
		STATUS(0, 2),
		STATUS(1ull << 40, 3),
		STATUS(4, 4),
		STATUS(1, AXVM_REG_NONE),
		{ .kind = AXVM_EXIT_CPU_DOWN },
		STATUS(0, 5),
	};
#undef STATUS
	/* vCPU 1 asks about vCPU 0 once vCPU 0 is down. */
	const struct axvm_exit s1[] = { s[8] };
	struct axvm_vcpu *v1;
	struct axvm_exit ex;

	f->env.mock.scripts[1] = (struct axvm_mock_script){ .exits = s1, .count = 1 };
	assert_int_equal(run_script(f, s, 8, &ex), 0);
	assert_int_equal(ex.kind, AXVM_EXIT_CPU_DOWN);
	assert_int_equal(rec0(f)->gpr[0], AXVM_CPU_STATUS_OFF);
	assert_int_equal(rec0(f)->gpr[1], AXVM_CPU_STATUS_ON);
	assert_int_equal(rec0(f)->gpr[2], AXVM_CPU_STATUS_ON);
	assert_int_equal((int64_t)rec0(f)->gpr[3], AXVM_EINVAL);
	assert_int_equal((int64_t)rec0(f)->gpr[4], AXVM_EINVAL);
	assert_int_equal(axvm_vm_vcpu(f->vm, 1, &v1), 0);
	assert_int_equal(axvm_vcpu_run(v1, &ex), AXVM_ESHUTDOWN);
	assert_int_equal(axvm_mock_vcpu(&f->env.mock, 1, 1)->gpr[5], AXVM_CPU_STATUS_OFF);
	assert_int_equal(axvm_vcpu_put(v1), 0);
}

static void test_dispatch_system_down_shuts_vm_down(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = {
		{ .kind = AXVM_EXIT_SYSTEM_DOWN, .u.system_down = { .code = 3 } },
		MMIO_WRITE(0x9000000, 4, 1), /* never reached */
	};
	struct axvm_exit ex;
	enum axvm_vm_state st;
	uint64_t code;

	assert_int_equal(run_script(f, s, 2, &ex), AXVM_ESHUTDOWN);
	assert_int_equal(ex.kind, AXVM_EXIT_SYSTEM_DOWN);
	assert_int_equal(dev.writes, 0);
	assert_int_equal(axvm_vm_exit_code(f->vm, &code), 0);
	assert_int_equal(code, 3);
	assert_int_equal(axvm_vm_state(f->vm, &st), 0);
	assert_int_equal(st, AXVM_VM_STOPPED);
	/* Run after shutdown is refused. */
	assert_int_equal(axvm_vcpu_run(f->v0, &ex), AXVM_ESHUTDOWN);
}

static void test_dispatch_send_ipi_targets(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = {
		{ .kind = AXVM_EXIT_SEND_IPI, .u.ipi = { .target = 3, .vector = 5 } },
		{ .kind = AXVM_EXIT_SEND_IPI, .u.ipi = { .to_all = true, .vector = 6 } },
		{ .kind = AXVM_EXIT_SEND_IPI, .u.ipi = { .to_self = true, .vector = 7 } },
		{ .kind = AXVM_EXIT_SEND_IPI, .u.ipi = { .target = 99, .vector = 8 } },
	};
	struct axvm_exit ex;

	assert_int_equal(run_script(f, s, 4, &ex), AXVM_ESHUTDOWN);
	struct axvm_mock_vcpu *r[4];
	for (uint32_t i = 0; i < 4; i++)
		r[i] = axvm_mock_vcpu(&f->env.mock, 1, i);
	assert_int_equal(atomic_load(&r[0]->irqs), 1); /* self */
	assert_int_equal(atomic_load(&r[0]->last_irq), 7);
	assert_int_equal(atomic_load(&r[1]->irqs), 1); /* all-but-self */
	assert_int_equal(atomic_load(&r[2]->irqs), 1);
	assert_int_equal(atomic_load(&r[3]->irqs), 2); /* target + all */
	assert_int_equal(atomic_load(&r[3]->last_irq), 6);
}

static void test_dispatch_invalid_exit_kind_is_eio(void **state)
{
	struct fixture *f = *state;
	struct axvm_exit s[1];
	struct axvm_exit ex;

	memset(s, 0, sizeof(s));
	s[0].kind = (enum axvm_exit_kind)1234;
	assert_int_equal(run_script(f, s, 1, &ex), AXVM_EIO);
	assert_int_equal(rec0(f)->binds, rec0(f)->unbinds);
}

static void test_dispatch_backend_error_unbinds(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = { { .kind = AXVM_EXIT_NOTHING },
				       { .kind = AXVM_EXIT_NOTHING } };
	struct axvm_exit ex;
	enum axvm_vcpu_state st;

	f->env.mock.scripts[0] = (struct axvm_mock_script){
		.exits = s, .count = 2, .fail_at = 2 };
	assert_int_equal(axvm_vm_create(f->env.host, &f->cfg, &f->vm, NULL), 0);
	assert_int_equal(axvm_vm_vcpu(f->vm, 0, &f->v0), 0);
	assert_int_equal(axvm_vm_boot(f->vm), 0);
	assert_int_equal(axvm_vcpu_run(f->v0, &ex), AXVM_EIO);
	assert_int_equal(axvm_vcpu_state(f->v0, &st), 0);
	assert_int_equal(st, AXVM_VCPU_FREE);
	assert_int_equal(rec0(f)->binds, 1);
	assert_int_equal(rec0(f)->unbinds, 1);
	/* The vCPU can run again after the error. */
	assert_int_equal(axvm_vcpu_run(f->v0, &ex), AXVM_ESHUTDOWN);
}

static void test_dispatch_page_fault_outside_memory_goes_to_caller(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = {
		{ .kind = AXVM_EXIT_NESTED_PAGE_FAULT,
		  .u.page_fault = { .addr = 0x12345000, .access = AXVM_ACCESS_READ } },
	};
	struct axvm_exit ex;

	assert_int_equal(run_script(f, s, 1, &ex), 0);
	assert_int_equal(ex.kind, AXVM_EXIT_NESTED_PAGE_FAULT);
	assert_int_equal(ex.u.page_fault.addr, 0x12345000);
}

/* Boot with `exits` as vCPU 0's script, run it on a thread and return once
 * the vCPU is parked in the Blocked state (the script starts with a HALT). */
static void start_halted(struct fixture *f, const struct axvm_exit *exits,
			 size_t n, struct test_runner *h, pthread_t *t)
{
	enum axvm_vcpu_state st;

	f->env.mock.scripts[0] = (struct axvm_mock_script){ .exits = exits, .count = n };
	assert_int_equal(axvm_vm_create(f->env.host, &f->cfg, &f->vm, NULL), 0);
	assert_int_equal(axvm_vm_vcpu(f->vm, 0, &f->v0), 0);
	assert_int_equal(axvm_vm_boot(f->vm), 0);
	h->v = f->v0;
	assert_int_equal(pthread_create(t, NULL, test_runner_thread, h), 0);
	do {
		assert_int_equal(axvm_vcpu_state(f->v0, &st), 0);
	} while (st != AXVM_VCPU_BLOCKED);
}

static void test_dispatch_halt_blocks_until_interrupt(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = {
		{ .kind = AXVM_EXIT_HALT },
		MMIO_WRITE(0x9000000, 1, 0x5a),
	};
	struct test_runner h = { 0 };
	pthread_t t;

	start_halted(f, s, 2, &h, &t);
	assert_int_equal(dev.writes, 0);
	assert_int_equal(axvm_vcpu_inject_irq(f->v0, 27), 0);
	pthread_join(t, NULL);
	assert_int_equal(h.rc, AXVM_ESHUTDOWN);
	assert_int_equal(dev.writes, 1);
	assert_int_equal(atomic_load(&rec0(f)->last_irq), 27);
}

static void test_dispatch_interrupt_ends_a_halt(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = { { .kind = AXVM_EXIT_HALT } };
	struct test_runner h = { 0 };
	pthread_t t;

	start_halted(f, s, 1, &h, &t);
	assert_int_equal(axvm_vcpu_interrupt(f->v0), 0);
	pthread_join(t, NULL);
	assert_int_equal(h.rc, AXVM_EINTR);
	assert_int_equal(h.ex.kind, AXVM_EXIT_HALT);
}

static void test_dispatch_halt_without_wait_hook_goes_to_caller(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = { { .kind = AXVM_EXIT_HALT } };
	struct axvm_exit ex;

	/* A port that cannot block: the halt is the caller's to handle. */
	f->env.fh.hal.wait = NULL;
	assert_int_equal(axvm_fini(f->env.host), 0);
	assert_int_equal(axvm_init(&f->env.fh.hal, &f->env.mock.ops, &f->env.host), 0);
	assert_int_equal(run_script(f, s, 1, &ex), 0);
	assert_int_equal(ex.kind, AXVM_EXIT_HALT);
}

static void test_dispatch_external_irq_and_nothing_continue(void **state)
{
	struct fixture *f = *state;
	const struct axvm_exit s[] = {
		{ .kind = AXVM_EXIT_EXTERNAL_IRQ, .u.external_irq = { .vector = 32 } },
		{ .kind = AXVM_EXIT_NOTHING },
		{ .kind = AXVM_EXIT_SYSTEM_DOWN, .u.system_down = { .code = 9 } },
	};
	struct axvm_exit ex;
	uint64_t n;

	assert_int_equal(run_script(f, s, 3, &ex), AXVM_ESHUTDOWN);
	assert_int_equal(axvm_vcpu_exit_count(f->v0, AXVM_EXIT_EXTERNAL_IRQ, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(axvm_vcpu_exit_count(f->v0, AXVM_EXIT_SYSTEM_DOWN, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(axvm_vcpu_exit_count(f->v0, AXVM_EXIT_KIND_COUNT, &n),
			 AXVM_EINVAL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_dispatch_mmio_read_sign_extends_into_register),
		T(test_dispatch_mmio_write_truncates_to_width),
		T(test_dispatch_port_and_sysreg_buses),
		T(test_dispatch_unmapped_access_ignored_and_counted),
		T(test_dispatch_stop_policy_returns_enodev),
		T(test_dispatch_device_error_follows_policy),
		T(test_dispatch_read_into_bad_register_is_an_error),
		T(test_dispatch_hypercall_result_written_to_ret_reg),
		T(test_dispatch_hypercall_handler_error_stops_run),
		T(test_dispatch_hypercall_without_handler_goes_to_caller),
		T(test_dispatch_unhandled_callback_decides),
		T(test_dispatch_cpu_up_powers_target),
		T(test_dispatch_cpu_status_follows_core_power),
		T(test_dispatch_cpu_status_of_a_stopping_vcpu),
		T(test_dispatch_cpu_down_returns_and_powers_off),
		T(test_dispatch_cpu_down_is_off_only_after_unbind),
		T(test_dispatch_system_down_shuts_vm_down),
		T(test_dispatch_send_ipi_targets),
		T(test_dispatch_invalid_exit_kind_is_eio),
		T(test_dispatch_backend_error_unbinds),
		T(test_dispatch_page_fault_outside_memory_goes_to_caller),
		T(test_dispatch_halt_blocks_until_interrupt),
		T(test_dispatch_interrupt_ends_a_halt),
		T(test_dispatch_halt_without_wait_hook_goes_to_caller),
		T(test_dispatch_external_irq_and_nothing_continue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
