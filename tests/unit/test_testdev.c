/* SPDX-License-Identifier: Apache-2.0 */
/* The test device in the two layouts its guests expect (bare-metal: 256
 * scratch bytes and an id at 0x100; axvm-run: 64 bytes and a pattern at
 * 0x40), the access counter, refused accesses and bad layouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <axvm/testdev.h>

static const uint8_t id_le[8] = { 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01 };
static const uint8_t pattern[16] = {
	0xbb, 0xaa, 0x99, 0x88, 0xf0, 0xe0, 0xc0, 0x80,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x08,
};

static void make(struct axvm_testdev *t, struct axvm_device_desc *d, bool x86)
{
	const struct axvm_testdev_layout bm = { 256, 0x100, sizeof(id_le), id_le };
	const struct axvm_testdev_layout pc = { 0x40, 0x40, sizeof(pattern), pattern };

	assert_int_equal(axvm_testdev_init(t, x86 ? &pc : &bm), 0);
	assert_int_equal(axvm_testdev_desc(t, 0x0a000000, d), 0);
}

static uint64_t rd(struct axvm_device_desc *d, uint64_t off, unsigned w)
{
	uint64_t v = 0x5555;

	assert_int_equal(d->ops->read(d->ctx, off, w, &v), 0);
	return v;
}

static void test_args(void **state)
{
	struct axvm_testdev t;
	struct axvm_device_desc d;
	struct axvm_testdev_layout l = { 256, 0x100, 8, id_le };
	(void)state;

	assert_int_equal(axvm_testdev_init(NULL, &l), AXVM_EINVAL);
	assert_int_equal(axvm_testdev_init(&t, NULL), AXVM_EINVAL);
	l.scratch_len = 257;
	assert_int_equal(axvm_testdev_init(&t, &l), AXVM_EINVAL);
	l.scratch_len = 256;
	l.ro_off = 0xf8; /* overlaps the scratch */
	assert_int_equal(axvm_testdev_init(&t, &l), AXVM_EINVAL);
	l.ro_off = 0x1fc; /* runs into the counter */
	assert_int_equal(axvm_testdev_init(&t, &l), AXVM_EINVAL);
	l.ro_off = 0x100;
	l.ro_len = 17;
	assert_int_equal(axvm_testdev_init(&t, &l), AXVM_EINVAL);
	l.ro_len = 8;
	l.ro = NULL;
	assert_int_equal(axvm_testdev_init(&t, &l), AXVM_EINVAL);
	l.ro_len = 0; /* no read-only block: ro not needed */
	assert_int_equal(axvm_testdev_init(&t, &l), 0);
	assert_int_equal(axvm_testdev_desc(NULL, 0, &d), AXVM_EINVAL);
	assert_int_equal(axvm_testdev_desc(&t, 0, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_testdev_desc(&t, UINT64_MAX - 0x800, &d), AXVM_EOVERFLOW);
	assert_int_equal(axvm_testdev_desc(&t, 0xfe000000, &d), 0);
	assert_int_equal(d.bus, AXVM_BUS_MMIO);
	assert_int_equal(d.size, AXVM_TESTDEV_SIZE);
	assert_int_equal(d.widths, AXVM_WIDTH_ANY);
	assert_true(d.naturally_aligned);
}

/* What the aarch64 and riscv64 mmio guests check. */
static void test_baremetal_layout(void **state)
{
	struct axvm_testdev t;
	struct axvm_device_desc d;
	uint64_t v;
	(void)state;

	make(&t, &d, false);
	assert_int_equal(d.ops->write(d.ctx, 0, 8, 0x1122334455667788ull), 0);
	assert_int_equal(d.ops->write(d.ctx, 1, 1, 0xab), 0);
	assert_int_equal(d.ops->write(d.ctx, 2, 2, 0xcdef), 0);
	assert_int_equal(rd(&d, 0, 8), 0x11223344cdefab88ull);
	assert_int_equal(d.ops->write(d.ctx, 0xf8, 8, 0x0102030405060708ull), 0);
	assert_int_equal(rd(&d, 0xfc, 4), 0x01020304);
	assert_int_equal(d.ops->write(d.ctx, 0x40, 8, 7), 0); /* scratch here */
	assert_int_equal(rd(&d, 0x40, 8), 7);
	assert_int_equal(rd(&d, 0x100, 8), 0x0123456789abcdefull);
	assert_int_equal(rd(&d, 0x100, 1), 0xef);
	assert_int_equal(rd(&d, 0x102, 2), 0x89ab);
	assert_int_equal(rd(&d, 0x104, 4), 0x01234567);
	assert_int_equal(d.ops->write(d.ctx, 0x100, 8, 0), AXVM_EPERM);
	assert_int_equal(rd(&d, 0x100, 8), 0x0123456789abcdefull);
	/* Every access so far counted, this read included. */
	uint64_t n0 = rd(&d, 0x200, 8), n1 = rd(&d, 0x200, 8);
	assert_int_equal(n0, 15);
	assert_int_equal(n1, n0 + 1);
	assert_int_equal(rd(&d, 0x200, 1), (n1 + 1) & 0xff);
	assert_int_equal(d.ops->write(d.ctx, 0x200, 8, 0), AXVM_EPERM);
	assert_int_equal(d.ops->read(d.ctx, 0x108, 8, &v), AXVM_ENODEV);
	assert_int_equal(d.ops->read(d.ctx, 0x208, 8, &v), AXVM_ENODEV);
	assert_int_equal(d.ops->write(d.ctx, 0x300, 4, 1), AXVM_ENODEV);
	d.ops->reset(d.ctx);
	assert_int_equal(rd(&d, 0, 8), 0);
	assert_int_equal(rd(&d, 0x200, 8), 2);
	assert_int_equal(rd(&d, 0x100, 8), 0x0123456789abcdefull); /* the id stays */
}

/* What the x86_64 mmio guest checks: the pattern, read-only, right after
 * 64 scratch bytes. */
static void test_x86_layout(void **state)
{
	struct axvm_testdev t;
	struct axvm_device_desc d;
	uint64_t v;
	(void)state;

	make(&t, &d, true);
	assert_int_equal(d.ops->write(d.ctx, 0x38, 8, 0x8877665544332211ull), 0);
	assert_int_equal(rd(&d, 0x3c, 4), 0x88776655);
	assert_int_equal(rd(&d, 0x40, 4), 0x8899aabbu);
	assert_int_equal(rd(&d, 0x48, 8), 0x0877665544332211ull);
	assert_int_equal(rd(&d, 0x4f, 1), 0x08);
	assert_int_equal(d.ops->write(d.ctx, 0x40, 4, 0), AXVM_EPERM);
	assert_int_equal(d.ops->write(d.ctx, 0x4e, 2, 0), AXVM_EPERM);
	assert_int_equal(rd(&d, 0x40, 4), 0x8899aabbu);
	assert_int_equal(d.ops->read(d.ctx, 0x50, 8, &v), AXVM_ENODEV);
	assert_int_equal(d.ops->write(d.ctx, 0x50, 8, 0), AXVM_ENODEV);
	assert_int_equal(d.ops->write(d.ctx, 0xff8, 8, 0), AXVM_ENODEV);
}

/* Offsets and widths the core would not pass still stay inside. */
static void test_hostile(void **state)
{
	struct axvm_testdev t;
	struct axvm_device_desc d;
	uint64_t v;
	(void)state;

	make(&t, &d, false);
	for (uint64_t off = 0; off < AXVM_TESTDEV_SIZE + 16; off++) {
		for (unsigned w = 1; w <= 8; w *= 2) {
			int rc = d.ops->write(d.ctx, off, w, UINT64_MAX);
			assert_true(rc == 0 || rc == AXVM_EPERM || rc == AXVM_ENODEV);
			rc = d.ops->read(d.ctx, off, w, &v);
			assert_true(rc == 0 || rc == AXVM_ENODEV);
		}
	}
	assert_int_equal(d.ops->read(d.ctx, 0, 16, &v), AXVM_EINVAL);
	assert_int_equal(d.ops->write(d.ctx, 0, 0, 0), AXVM_EINVAL);
	assert_int_equal(d.ops->read(d.ctx, UINT64_MAX - 3, 8, &v), AXVM_ENODEV);
	assert_int_equal(d.ops->write(d.ctx, UINT64_MAX - 3, 8, 0), AXVM_ENODEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_baremetal_layout),
		cmocka_unit_test(test_x86_layout),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
