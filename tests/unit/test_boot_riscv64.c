/* SPDX-License-Identifier: Apache-2.0 */
/* RISC-V Image placement: the header is guest input, so every field that
 * can be wrong is tried, and the arithmetic at the edges of 64 bits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <axvm/boot.h>

#define RAM 0x80000000ull
#define RAM_SIZE (256ull << 20)
#define MiB2 0x200000ull

static void put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A header like Linux 6.1's rv64 Image: text_offset 2 MiB, version 0.2,
 * both magics. */
static void header(uint8_t h[64], uint64_t text_offset, uint64_t size, uint64_t flags)
{
	memset(h, 0, 64);
	put(h, 0x0400006f, 4); /* j +0x40 */
	put(h + 8, text_offset, 8);
	put(h + 16, size, 8);
	put(h + 24, flags, 8);
	put(h + 32, 2, 4);
	put(h + 48, AXVM_RISCV64_IMAGE_MAGIC, 8);
	put(h + 56, AXVM_RISCV64_IMAGE_MAGIC2, 4);
}

static int place(const uint8_t *h, uint64_t file, uint64_t ram, uint64_t ram_size,
		 struct axvm_riscv64_image *o)
{
	return axvm_riscv64_image_place(h, 64, file, ram, ram_size, o);
}

static void test_riscv64_image_linux_kernel(void **state)
{
	uint8_t h[64];
	struct axvm_riscv64_image o;
	(void)state;

	header(h, MiB2, 0x1c5000, 0);
	assert_int_equal(place(h, 0x1c0000, RAM, RAM_SIZE, &o), 0);
	assert_int_equal(o.load_gpa, RAM + MiB2);
	assert_int_equal(o.end_gpa, RAM + MiB2 + 0x1c5000);
	assert_int_equal(o.text_offset, MiB2);
	assert_int_equal(o.image_size, 0x1c5000);
	assert_int_equal(o.version, 2);
	/* file size unknown */
	assert_int_equal(place(h, 0, RAM, RAM_SIZE, &o), 0);
}

static void test_riscv64_image_magics(void **state)
{
	uint8_t h[64];
	struct axvm_riscv64_image o;
	(void)state;

	/* magic2 alone (the old magic may be dropped) */
	header(h, MiB2, 0x100000, 0);
	memset(h + 48, 0, 8);
	assert_int_equal(place(h, 0, RAM, RAM_SIZE, &o), 0);
	/* the old magic alone (header 0.1) */
	header(h, MiB2, 0x100000, 0);
	memset(h + 56, 0, 4);
	assert_int_equal(place(h, 0, RAM, RAM_SIZE, &o), 0);
	/* neither; one byte off each */
	header(h, MiB2, 0x100000, 0);
	h[59] = 0x06;
	h[48] = 'r';
	assert_int_equal(place(h, 0, RAM, RAM_SIZE, &o), AXVM_EINVAL);
	/* an arm64 Image is not a RISC-V one */
	memset(h, 0, 64);
	put(h + 16, 0x100000, 8);
	put(h + 56, AXVM_ARM64_IMAGE_MAGIC, 4);
	assert_int_equal(place(h, 0, RAM, RAM_SIZE, &o), AXVM_EINVAL);
}

static void test_riscv64_image_bad_header(void **state)
{
	uint8_t h[64];
	struct axvm_riscv64_image o;
	(void)state;

	header(h, MiB2, 0x100000, 0);
	assert_int_equal(axvm_riscv64_image_place(h, 63, 0, RAM, RAM_SIZE, &o), AXVM_EINVAL);
	assert_int_equal(axvm_riscv64_image_place(NULL, 64, 0, RAM, RAM_SIZE, &o),
			 AXVM_EINVAL);
	assert_int_equal(axvm_riscv64_image_place(h, 64, 0, RAM, RAM_SIZE, NULL),
			 AXVM_EINVAL);
	header(h, MiB2, 0x100000, 1); /* big-endian */
	assert_int_equal(place(h, 0, RAM, RAM_SIZE, &o), AXVM_ENOTSUP);
	header(h, MiB2, 0, 0); /* no image_size */
	assert_int_equal(place(h, 0, RAM, RAM_SIZE, &o), AXVM_ENOTSUP);
	header(h, MiB2, 0x100000, 0); /* the file is longer than the image */
	assert_int_equal(place(h, 0x100001, RAM, RAM_SIZE, &o), AXVM_EINVAL);
	assert_int_equal(place(h, 0x100000, RAM, RAM_SIZE, &o), 0);
	assert_int_equal(place(h, 10, RAM, RAM_SIZE, &o), AXVM_EINVAL);
}

static void test_riscv64_image_text_offset(void **state)
{
	uint8_t h[64];
	struct axvm_riscv64_image o;
	(void)state;

	header(h, 0, 0x100000, 0); /* at RAM's start (M-mode kernels) */
	assert_int_equal(place(h, 0, RAM, RAM_SIZE, &o), 0);
	assert_int_equal(o.load_gpa, RAM);
	header(h, 0x400000, 0x100000, 0); /* rv32's 4 MiB: aligned, fine */
	assert_int_equal(place(h, 0, RAM, RAM_SIZE, &o), 0);
	assert_int_equal(o.load_gpa, RAM + 0x400000);
	header(h, 0x1000, 0x100000, 0); /* not 2 MiB aligned */
	assert_int_equal(place(h, 0, RAM, RAM_SIZE, &o), AXVM_ERANGE);
	header(h, MiB2 + 0x80000, 0x100000, 0);
	assert_int_equal(place(h, 0, RAM, RAM_SIZE, &o), AXVM_ERANGE);
	header(h, RAM_SIZE, 0x1000, 0); /* at RAM's end */
	assert_int_equal(place(h, 0, RAM, RAM_SIZE, &o), AXVM_ERANGE);
	header(h, UINT64_MAX & ~(MiB2 - 1), 0x1000, 0);
	assert_int_equal(place(h, 0, RAM, RAM_SIZE, &o), AXVM_ERANGE);
}

static void test_riscv64_image_placement(void **state)
{
	uint8_t h[64];
	struct axvm_riscv64_image o;
	(void)state;

	header(h, MiB2, 0x100000, 0);
	/* RAM not 2 MiB aligned */
	assert_int_equal(place(h, 0, RAM + 0x1000, RAM_SIZE, &o), AXVM_EINVAL);
	/* ends exactly at the end of RAM, then one byte past it */
	header(h, MiB2, RAM_SIZE - MiB2, 0);
	assert_int_equal(place(h, 0, RAM, RAM_SIZE, &o), 0);
	assert_int_equal(o.end_gpa, RAM + RAM_SIZE);
	header(h, MiB2, RAM_SIZE - MiB2 + 1, 0);
	assert_int_equal(place(h, 0, RAM, RAM_SIZE, &o), AXVM_ERANGE);
	/* an image far larger than RAM */
	header(h, MiB2, 1ull << 62, 0);
	assert_int_equal(place(h, 0, RAM, RAM_SIZE, &o), AXVM_ERANGE);
	/* no RAM at all */
	header(h, 0, 0x1000, 0);
	assert_int_equal(place(h, 0, RAM, 0, &o), AXVM_ERANGE);
}

static void test_riscv64_image_overflow(void **state)
{
	uint8_t h[64];
	struct axvm_riscv64_image o;
	const uint64_t top = UINT64_MAX & ~(MiB2 - 1);
	(void)state;

	memset(&o, 0x5a, sizeof(o));
	/* RAM up to the top of the address space: load + image_size wraps */
	header(h, 0, UINT64_MAX, 0);
	assert_int_equal(place(h, 0, top, MiB2 - 1, &o), AXVM_EOVERFLOW);
	header(h, MiB2, UINT64_MAX, 0);
	assert_int_equal(place(h, 0, RAM, RAM_SIZE, &o), AXVM_EOVERFLOW);
	/* RAM's own end wraps */
	header(h, 0, 0x1000, 0);
	assert_int_equal(place(h, 0, RAM, UINT64_MAX, &o), AXVM_EOVERFLOW);
	/* nothing written on failure */
	assert_int_equal(o.load_gpa, 0x5a5a5a5a5a5a5a5aull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_riscv64_image_linux_kernel),
		cmocka_unit_test(test_riscv64_image_magics),
		cmocka_unit_test(test_riscv64_image_bad_header),
		cmocka_unit_test(test_riscv64_image_text_offset),
		cmocka_unit_test(test_riscv64_image_placement),
		cmocka_unit_test(test_riscv64_image_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
