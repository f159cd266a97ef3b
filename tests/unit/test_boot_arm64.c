/* SPDX-License-Identifier: Apache-2.0 */
/* arm64 Image placement: the header is guest input, so every field that
 * can be wrong is tried, and the arithmetic at the edges of 64 bits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <axvm/boot.h>

#define RAM 0x40000000ull
#define RAM_SIZE (256ull << 20)
#define BASE (RAM + 0x200000ull)

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A header like Debian 6.1's: text_offset 0, 27 MiB, LE, 4K, anywhere. */
static void header(uint8_t h[64], uint64_t text_offset, uint64_t size, uint64_t flags)
{
	memset(h, 0, 64);
	put64(h + 8, text_offset);
	put64(h + 16, size);
	put64(h + 24, flags);
	put64(h + 56, AXVM_ARM64_IMAGE_MAGIC);
}

static int place(const uint8_t *h, uint64_t file, uint64_t base, uint64_t ram,
		 uint64_t ram_size, struct axvm_arm64_image *o)
{
	return axvm_arm64_image_place(h, 64, file, base, ram, ram_size, o);
}

static void test_debian_kernel(void **state)
{
	uint8_t h[64];
	struct axvm_arm64_image o;
	(void)state;

	header(h, 0, 0x1ab0000, 0xa);
	assert_int_equal(place(h, 27302400, BASE, RAM, RAM_SIZE, &o), 0);
	assert_int_equal(o.load_gpa, BASE);
	assert_int_equal(o.end_gpa, BASE + 0x1ab0000);
	assert_int_equal(o.image_size, 0x1ab0000);
	assert_int_equal(o.flags, 0xa);
	/* file size unknown */
	assert_int_equal(place(h, 0, BASE, RAM, RAM_SIZE, &o), 0);
}

static void test_text_offset(void **state)
{
	uint8_t h[64];
	struct axvm_arm64_image o;
	(void)state;

	header(h, 0x80000, 0x100000, 0);
	assert_int_equal(place(h, 0, RAM, RAM, RAM_SIZE, &o), 0);
	assert_int_equal(o.load_gpa, RAM + 0x80000);
	assert_int_equal(o.end_gpa, RAM + 0x180000);
	header(h, 0x80001, 0x100000, 0); /* not page aligned */
	assert_int_equal(place(h, 0, RAM, RAM, RAM_SIZE, &o), AXVM_ERANGE);
	header(h, 0x200000, 0x100000, 0); /* not below 2 MiB */
	assert_int_equal(place(h, 0, RAM, RAM, RAM_SIZE, &o), AXVM_ERANGE);
	header(h, UINT64_MAX & ~0xfffull, 0x100000, 0);
	assert_int_equal(place(h, 0, RAM, RAM, RAM_SIZE, &o), AXVM_ERANGE);
}

static void test_bad_header(void **state)
{
	uint8_t h[64];
	struct axvm_arm64_image o;
	(void)state;

	header(h, 0, 0x100000, 0xa);
	assert_int_equal(axvm_arm64_image_place(h, 63, 0, BASE, RAM, RAM_SIZE, &o),
			 AXVM_EINVAL);
	assert_int_equal(axvm_arm64_image_place(NULL, 64, 0, BASE, RAM, RAM_SIZE, &o),
			 AXVM_EINVAL);
	assert_int_equal(axvm_arm64_image_place(h, 64, 0, BASE, RAM, RAM_SIZE, NULL),
			 AXVM_EINVAL);
	h[59] = 0x65; /* magic */
	assert_int_equal(place(h, 0, BASE, RAM, RAM_SIZE, &o), AXVM_EINVAL);
	header(h, 0, 0x100000, 0xb); /* big-endian */
	assert_int_equal(place(h, 0, BASE, RAM, RAM_SIZE, &o), AXVM_ENOTSUP);
	header(h, 0, 0, 0xa); /* pre-3.17: no image_size */
	assert_int_equal(place(h, 0, BASE, RAM, RAM_SIZE, &o), AXVM_ENOTSUP);
	header(h, 0, 0x100000, 0xa); /* the file is longer than the image */
	assert_int_equal(place(h, 0x100001, BASE, RAM, RAM_SIZE, &o), AXVM_EINVAL);
	assert_int_equal(place(h, 0x100000, BASE, RAM, RAM_SIZE, &o), 0);
	assert_int_equal(place(h, 10, BASE, RAM, RAM_SIZE, &o), AXVM_EINVAL);
}

static void test_placement(void **state)
{
	uint8_t h[64];
	struct axvm_arm64_image o;
	(void)state;

	header(h, 0, 0x100000, 0xa);
	/* base not 2 MiB aligned */
	assert_int_equal(place(h, 0, BASE + 0x1000, RAM, RAM_SIZE, &o), AXVM_EINVAL);
	/* below RAM */
	assert_int_equal(place(h, 0, RAM - 0x200000, RAM, RAM_SIZE, &o), AXVM_ERANGE);
	/* ends exactly at the end of RAM, then one page past it */
	header(h, 0, RAM_SIZE - 0x200000, 0xa);
	assert_int_equal(place(h, 0, BASE, RAM, RAM_SIZE, &o), 0);
	assert_int_equal(o.end_gpa, RAM + RAM_SIZE);
	header(h, 0x1000, RAM_SIZE - 0x200000, 0xa);
	assert_int_equal(place(h, 0, BASE, RAM, RAM_SIZE, &o), AXVM_ERANGE);
	/* an image far larger than RAM */
	header(h, 0, 1ull << 62, 0xa);
	assert_int_equal(place(h, 0, BASE, RAM, RAM_SIZE, &o), AXVM_ERANGE);
}

static void test_overflow(void **state)
{
	uint8_t h[64];
	struct axvm_arm64_image o;
	const uint64_t top = UINT64_MAX & ~(AXVM_ARM64_IMAGE_ALIGN - 1);
	(void)state;

	memset(&o, 0x5a, sizeof(o));
	/* base + text_offset fits, + image_size wraps */
	header(h, 0x1ff000, 0x1000, 0xa);
	assert_int_equal(place(h, 0, top, 0, UINT64_MAX, &o), AXVM_EOVERFLOW);
	header(h, 0, UINT64_MAX, 0xa);
	assert_int_equal(place(h, 0, BASE, RAM, RAM_SIZE, &o), AXVM_EOVERFLOW);
	/* RAM's own end wraps */
	header(h, 0, 0x1000, 0xa);
	assert_int_equal(place(h, 0, BASE, RAM, UINT64_MAX, &o), AXVM_EOVERFLOW);
	/* nothing written on failure */
	assert_int_equal(o.load_gpa, 0x5a5a5a5a5a5a5a5aull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_kernel), cmocka_unit_test(test_text_offset),
		cmocka_unit_test(test_bad_header),    cmocka_unit_test(test_placement),
		cmocka_unit_test(test_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
