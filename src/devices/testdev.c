/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The test device (include/axvm/testdev.h). Every guest value is an
 * offset and a width the core has already checked against the window and
 * the width mask; the part tests below still keep each access inside the
 * array it reads or writes, whatever the layout.
 *
 * Threads: vCPUs of one VM may touch it at once. The counter is an
 * atomic (see count()); scratch bytes are plain (a guest racing itself on
 * scratch gets torn values, its own business, touching nothing of the
 * host's).
 */
#include <string.h>

#include <axvm/testdev.h>

/* Little-endian loads and stores of 1, 2, 4 or 8 bytes. The benchmark
 * guests time an MMIO read of this device, so an aligned access (the core
 * passes naturally aligned ones, and the parts of a layout start on 8
 * bytes) is one load or store on a little-endian host: the copies below
 * say the alignment, else gcc -Os calls memcpy, a byte loop on bare metal.
 * Anything else goes byte by byte. */
static uint64_t get_bytes(const uint8_t *p, unsigned width)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void put_bytes(uint8_t *p, unsigned width, uint64_t v)
{
	for (unsigned i = 0; i < width; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline __attribute__((always_inline)) uint64_t get_le(const uint8_t *p, unsigned width)
{
	uint64_t d;
	uint32_t w;
	uint16_t h;

	if ((uintptr_t)p & (width - 1))
		return get_bytes(p, width);
	switch (width) {
	case 1:
		return p[0];
	case 2:
		__builtin_memcpy(&h, __builtin_assume_aligned(p, 2), 2);
		return h;
	case 4:
		__builtin_memcpy(&w, __builtin_assume_aligned(p, 4), 4);
		return w;
	default:
		__builtin_memcpy(&d, __builtin_assume_aligned(p, 8), 8);
		return d;
	}
}

static inline __attribute__((always_inline)) void put_le(uint8_t *p, unsigned width, uint64_t v)
{
	uint32_t w = (uint32_t)v;
	uint16_t h = (uint16_t)v;

	if ((uintptr_t)p & (width - 1)) {
		put_bytes(p, width, v);
		return;
	}
	switch (width) {
	case 1:
		p[0] = (uint8_t)v;
		break;
	case 2:
		__builtin_memcpy(__builtin_assume_aligned(p, 2), &h, 2);
		break;
	case 4:
		__builtin_memcpy(__builtin_assume_aligned(p, 4), &w, 4);
		break;
	default:
		__builtin_memcpy(__builtin_assume_aligned(p, 8), &v, 8);
		break;
	}
}
#else
#define get_le get_bytes
#define put_le put_bytes
#endif

/* Count an access. Not a read-modify-write: two vCPUs racing may count
 * one, which a test device can afford, and the exit path stays free of
 * atomic RMW sequences. */
static inline __attribute__((always_inline)) uint64_t count(struct axvm_testdev *t)
{
	uint64_t n = atomic_load_explicit(&t->accesses, memory_order_relaxed) + 1;

	atomic_store_explicit(&t->accesses, n, memory_order_relaxed);
	return n;
}

/* [off, off + width) inside [start, start + len)? Written so that no
 * offset, however large, wraps around. */
static bool inside(uint64_t off, unsigned width, uint32_t start, uint32_t len)
{
	return off >= start && off - start <= len && width <= len - (off - start);
}

static int testdev_read(void *ctx, uint64_t off, unsigned width, uint64_t *val)
{
	struct axvm_testdev *t = ctx;
	uint64_t n = count(t);

	if (width != 1 && width != 2 && width != 4 && width != 8)
		return AXVM_EINVAL;
	if (inside(off, width, 0, t->scratch_len))
		*val = get_le(t->scratch + off, width);
	else if (t->ro_len && inside(off, width, t->ro_off, t->ro_len))
		*val = get_le(t->ro + (off - t->ro_off), width);
	else if (off == AXVM_TESTDEV_COUNTER)
		*val = width == 8 ? n : n & ((1ull << (8 * width)) - 1);
	else
		return AXVM_ENODEV;
	return 0;
}

static int testdev_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	struct axvm_testdev *t = ctx;

	(void)count(t);
	if (width != 1 && width != 2 && width != 4 && width != 8)
		return AXVM_EINVAL;
	if (inside(off, width, 0, t->scratch_len)) {
		put_le(t->scratch + off, width, val);
		return 0;
	}
	/* Any byte of the read-only block or the counter: refused. */
	if ((t->ro_len && off < (uint64_t)t->ro_off + t->ro_len && off + width > t->ro_off) ||
	    inside(off, width, AXVM_TESTDEV_COUNTER, 8))
		return AXVM_EPERM;
	return AXVM_ENODEV;
}

static void testdev_reset(void *ctx)
{
	struct axvm_testdev *t = ctx;

	memset(t->scratch, 0, sizeof(t->scratch));
	atomic_store_explicit(&t->accesses, 0, memory_order_relaxed);
}

static const struct axvm_device_ops testdev_ops = {
	.read = testdev_read,
	.write = testdev_write,
	.reset = testdev_reset,
};

static const uint8_t x86_pattern[16] = {
	0xbb, 0xaa, 0x99, 0x88, 0xf0, 0xe0, 0xc0, 0x80,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x08,
};

const struct axvm_testdev_layout axvm_testdev_x86_layout = {
	.scratch_len = 0x40, .ro_off = 0x40, .ro_len = sizeof(x86_pattern), .ro = x86_pattern,
};

int axvm_testdev_init(struct axvm_testdev *t, const struct axvm_testdev_layout *l)
{
	if (!t || !l || l->scratch_len > AXVM_TESTDEV_SCRATCH_MAX ||
	    l->ro_len > AXVM_TESTDEV_RO_MAX || (l->ro_len && !l->ro))
		return AXVM_EINVAL;
	if (l->ro_len && (l->ro_off < l->scratch_len ||
			  (uint64_t)l->ro_off + l->ro_len > AXVM_TESTDEV_COUNTER))
		return AXVM_EINVAL;
	memset(t, 0, sizeof(*t));
	t->scratch_len = l->scratch_len;
	t->ro_off = l->ro_off;
	t->ro_len = l->ro_len;
	if (l->ro_len)
		memcpy(t->ro, l->ro, l->ro_len);
	atomic_init(&t->accesses, 0);
	return 0;
}

int axvm_testdev_desc(struct axvm_testdev *t, uint64_t base, struct axvm_device_desc *desc)
{
	if (!t || !desc)
		return AXVM_EINVAL;
	if (base + AXVM_TESTDEV_SIZE < base)
		return AXVM_EOVERFLOW;
	memset(desc, 0, sizeof(*desc));
	desc->name = "axvm-testdev";
	desc->bus = AXVM_BUS_MMIO;
	desc->base = base;
	desc->size = AXVM_TESTDEV_SIZE;
	desc->widths = AXVM_WIDTH_ANY;
	desc->naturally_aligned = true;
	/* Its ops touch only the device's own arrays and counter. */
	desc->fast = true;
	desc->ops = &testdev_ops;
	desc->ctx = t;
	return 0;
}
