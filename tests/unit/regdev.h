/* SPDX-License-Identifier: Apache-2.0 */
/* The host tests' register-file device: 32 bytes, little-endian, every
 * call counted and the last access remembered, a settable refusal. The
 * checks in it hold for any access the core hands a device (inside the
 * range, data already cut to the width), so every test using it checks
 * the core's side of the device contract too. */
#ifndef AXVM_TEST_REGDEV_H
#define AXVM_TEST_REGDEV_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <axvm/device.h>

struct regdev {
	uint8_t mem[32];
	unsigned reads, writes, resets;
	uint64_t last_off;
	unsigned last_width;
	int fail; /* returned by read and write when non-zero */
};

static int rd_read(void *ctx, uint64_t off, unsigned width, uint64_t *val)
{
	struct regdev *d = ctx;
	uint64_t v = 0;

	d->reads++;
	d->last_off = off;
	d->last_width = width;
	if (d->fail) {
		*val = 0x5a5a5a5a5a5a5a5aull; /* garbage a refusal must not leak */
		return d->fail;
	}
	assert_true(off + width <= sizeof(d->mem));
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)d->mem[off + i] << (8 * i);
	*val = v;
	return 0;
}

static int rd_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	struct regdev *d = ctx;

	d->writes++;
	d->last_off = off;
	d->last_width = width;
	if (d->fail)
		return d->fail;
	assert_true(off + width <= sizeof(d->mem));
	/* The core masks the data to the width before the call. */
	assert_true(width == 8 || (val >> (8 * width)) == 0);
	for (unsigned i = 0; i < width; i++)
		d->mem[off + i] = (uint8_t)(val >> (8 * i));
	return 0;
}

static void rd_reset(void *ctx)
{
	struct regdev *d = ctx;

	d->resets++;
	memset(d->mem, 0, sizeof(d->mem));
}

static const struct axvm_device_ops regdev_ops = {
	.read = rd_read, .write = rd_write, .reset = rd_reset,
};

#endif /* AXVM_TEST_REGDEV_H */
