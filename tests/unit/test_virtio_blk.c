/* SPDX-License-Identifier: Apache-2.0 */
/* virtio-blk over the virtio-mmio transport, driven as Linux drives it:
 * the probe, feature negotiation, requests of every type over memory and
 * over a backend, and the requests a driver gets wrong (out of range,
 * unsupported, not whole sectors, buffers outside RAM). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "virtio_driver.h"

#define DISK (64u * 1024)
#define SECTORS (DISK / 512)

static struct fixture {
	struct vdrv v;
	struct axvm_virtio_blk b;
	uint8_t disk[DISK];
	/* the backend's view */
	int fail;
	unsigned reads, writes, flushes;
} F;

static int be_read(void *arg, uint64_t off, void *buf, size_t len)
{
	struct fixture *f = arg;
	assert_true(off % 512 == 0 && len && off + len <= DISK);
	f->reads++;
	if (f->fail)
		return AXVM_EIO;
	memcpy(buf, f->disk + off, len);
	return 0;
}

static int be_write(void *arg, uint64_t off, const void *buf, size_t len)
{
	struct fixture *f = arg;
	assert_true(off % 512 == 0 && len && off + len <= DISK);
	f->writes++;
	if (f->fail)
		return AXVM_EIO;
	memcpy(f->disk + off, buf, len);
	return 0;
}

static int be_flush(void *arg)
{
	struct fixture *f = arg;
	f->flushes++;
	return f->fail ? AXVM_EIO : 0;
}

static const struct axvm_virtio_blk_backend backend = {
	.arg = &F, .read = be_read, .write = be_write, .flush = be_flush,
};

/* A blk device over memory (or the backend) with Linux's set-up done. */
static struct fixture *setup(bool use_backend, bool ro, uint64_t features)
{
	struct fixture *f = &F;
	struct axvm_virtio_blk_config cfg = { .size = DISK, .read_only = ro, .id = "axvm-disk-0" };

	memset(f, 0, sizeof(*f));
	vd_init(&f->v);
	if (use_backend)
		cfg.backend = &backend;
	else
		cfg.mem = f->disk;
	for (unsigned i = 0; i < DISK; i++)
		f->disk[i] = (uint8_t)(i * 7 + i / 512);
	assert_int_equal(axvm_virtio_blk_init(&f->b, &cfg, &f->v.mem, &f->v.host), 0);
	assert_int_equal(axvm_virtio_blk_desc(&f->b, 0xa000000, &f->v.d), 0);
	vd_setup(&f->v, 2, features, 1, 16);
	return f;
}

#define HDR_AT (DATA)
#define BUF_AT (DATA + 0x1000)
#define ST_AT (DATA + 0xf000)

/* A three-descriptor request (header, data, status) at head 0; the used
 * length comes back, the status byte is returned. */
static uint8_t request3(struct fixture *f, uint32_t type, uint64_t sector, uint32_t len,
			bool data_in, uint32_t *used_len)
{
	struct vdrv *v = &f->v;
	uint16_t before = vd_used_idx(v, 0);
	uint32_t id;

	put32(v, HDR_AT, type);
	put32(v, HDR_AT + 4, 0);
	put64(v, HDR_AT + 8, sector);
	*gp(v, ST_AT) = 0xee;
	vd_desc(v, 0, 0, HDR_AT, 16, D_NEXT, 1);
	vd_desc(v, 0, 1, BUF_AT, len, (uint16_t)(D_NEXT | (data_in ? D_WRITE : 0)), 2);
	vd_desc(v, 0, 2, ST_AT, 1, D_WRITE, 0);
	vd_post(v, 0, 0);
	wr(v, R_QUEUE_NOTIFY, 0);
	assert_int_equal(vd_used_idx(v, 0), (uint16_t)(before + 1));
	vd_used(v, 0, before, &id, used_len);
	assert_int_equal(id, 0);
	return *gp(v, ST_AT);
}

static void test_virtio_blk_args(void **state)
{
	struct vdrv *v = &F.v;
	struct axvm_virtio_blk *b = &F.b;
	struct axvm_virtio_blk_config cfg = { .mem = F.disk, .size = DISK };
	struct axvm_virtio_blk_config bad;
	struct axvm_guest_access nomem = { 0 };
	struct axvm_virtio_blk_backend noread = { .write = be_write };
	(void)state;

	vd_init(v);
	assert_int_equal(axvm_virtio_blk_init(NULL, &cfg, &v->mem, &v->host), AXVM_EINVAL);
	assert_int_equal(axvm_virtio_blk_init(b, NULL, &v->mem, &v->host), AXVM_EINVAL);
	assert_int_equal(axvm_virtio_blk_init(b, &cfg, NULL, &v->host), AXVM_EINVAL);
	assert_int_equal(axvm_virtio_blk_init(b, &cfg, &nomem, &v->host), AXVM_EINVAL);
	assert_int_equal(axvm_virtio_blk_init(b, &cfg, &v->mem, NULL), AXVM_EINVAL);
	bad = cfg;
	bad.size = 0;
	assert_int_equal(axvm_virtio_blk_init(b, &bad, &v->mem, &v->host), AXVM_EINVAL);
	bad.size = DISK - 1;
	assert_int_equal(axvm_virtio_blk_init(b, &bad, &v->mem, &v->host), AXVM_EINVAL);
	bad = cfg;
	bad.backend = &backend; /* both backings */
	assert_int_equal(axvm_virtio_blk_init(b, &bad, &v->mem, &v->host), AXVM_EINVAL);
	bad.mem = NULL;
	bad.backend = &noread;
	assert_int_equal(axvm_virtio_blk_init(b, &bad, &v->mem, &v->host), AXVM_EINVAL);
	bad = cfg;
	bad.mem = NULL; /* neither */
	assert_int_equal(axvm_virtio_blk_init(b, &bad, &v->mem, &v->host), AXVM_EINVAL);
	bad = cfg;
	bad.blk_size = 1000;
	assert_int_equal(axvm_virtio_blk_init(b, &bad, &v->mem, &v->host), AXVM_EINVAL);
	bad.blk_size = 256;
	assert_int_equal(axvm_virtio_blk_init(b, &bad, &v->mem, &v->host), AXVM_EINVAL);
	assert_int_equal(axvm_virtio_blk_init(b, &cfg, &v->mem, &v->host), 0);
	assert_int_equal(axvm_virtio_blk_desc(b, 0xa000100, &v->d), AXVM_EINVAL);
	assert_int_equal(axvm_virtio_blk_desc(NULL, 0xa000000, &v->d), AXVM_EINVAL);
	assert_int_equal(axvm_virtio_blk_desc(b, 0xa000200, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_virtio_blk_desc(b, 0xa000200, &v->d), 0);
	assert_int_equal(v->d.size, 0x200);
}

/* What vm_probe and virtblk_probe read. */
static void test_virtio_blk_probe_and_config(void **state)
{
	struct fixture *f = &F;
	struct vdrv *v = &f->v;
	struct axvm_virtio_blk_config cfg = { .mem = F.disk, .size = DISK, .blk_size = 4096 };
	uint64_t feat, x = 0;
	(void)state;

	vd_init(v);
	assert_int_equal(axvm_virtio_blk_init(&f->b, &cfg, &v->mem, &v->host), 0);
	assert_int_equal(axvm_virtio_blk_desc(&f->b, 0xa000000, &v->d), 0);
	feat = vd_probe(v, 2);
	assert_true(feat & F_VERSION_1);
	assert_true(feat & F_INDIRECT);
	assert_true(feat & (1u << 2)); /* SEG_MAX */
	assert_true(feat & (1u << 6)); /* BLK_SIZE */
	assert_true(feat & (1u << 9)); /* FLUSH */
	assert_false(feat & (1u << 5)); /* not RO */
	assert_int_equal(rd(v, 0x00c), 0x4d565841); /* vendor "AXVM" */
	/* capacity, as Linux reads a u64: two 32-bit halves */
	assert_int_equal(rd(v, R_CONFIG), SECTORS);
	assert_int_equal(rd(v, R_CONFIG + 4), 0);
	assert_int_equal(rd(v, R_CONFIG + 12), AXVM_VIRTIO_MAX_SEGS - 2);
	assert_int_equal(rd(v, R_CONFIG + 20), 4096);
	/* byte and halfword reads of the config space */
	assert_int_equal(v->d.ops->read(v->d.ctx, R_CONFIG + 21, 1, &x), 0);
	assert_int_equal(x, 0x10);
	assert_int_equal(v->d.ops->read(v->d.ctx, R_CONFIG + 20, 2, &x), 0);
	assert_int_equal(x, 0x1000);
	assert_int_equal(rd(v, R_CONFIG + 0x80), 0); /* past the config */
	assert_int_equal(rd(v, R_GENERATION), 0);
	/* one queue: its max, then none */
	wr(v, R_QUEUE_SEL, 0);
	assert_int_equal(rd(v, R_QUEUE_NUM_MAX), AXVM_VIRTIO_QUEUE_MAX);
	wr(v, R_QUEUE_SEL, 1);
	assert_int_equal(rd(v, R_QUEUE_NUM_MAX), 0);
	wr(v, R_QUEUE_SEL, 0xffffffff);
	assert_int_equal(rd(v, R_QUEUE_NUM_MAX), 0);
	wr(v, R_QUEUE_READY, 1); /* no such queue: ignored */
	assert_int_equal(rd(v, R_QUEUE_READY), 0);
	assert_int_equal(rd(v, 0x0b0), 0xffffffff); /* no shared memory */
	/* registers are 32-bit: a byte read of one reads 0 */
	assert_int_equal(v->d.ops->read(v->d.ctx, R_MAGIC, 1, &x), 0);
	assert_int_equal(x, 0);
	/* the config space is read-only */
	wr(v, R_CONFIG, 0);
	assert_int_equal(rd(v, R_CONFIG), SECTORS);
}

/* The legacy interface is refused: a driver that does not accept
 * VERSION_1, or accepts what was not offered, gets no FEATURES_OK. */
static void test_virtio_blk_features_refused(void **state)
{
	struct fixture *f = &F;
	struct vdrv *v = &f->v;
	struct axvm_virtio_blk_config cfg = { .mem = F.disk, .size = DISK };
	(void)state;

	vd_init(v);
	assert_int_equal(axvm_virtio_blk_init(&f->b, &cfg, &v->mem, &v->host), 0);
	assert_int_equal(axvm_virtio_blk_desc(&f->b, 0xa000000, &v->d), 0);
	vd_probe(v, 2);
	assert_false(vd_features(v, 1u << 9));                  /* no VERSION_1 */
	vd_probe(v, 2);
	assert_false(vd_features(v, F_VERSION_1 | (1u << 29))); /* EVENT_IDX: not offered */
	vd_probe(v, 2);
	assert_false(vd_features(v, F_VERSION_1 | (1ull << 33)));
	vd_probe(v, 2);
	assert_true(vd_features(v, F_VERSION_1 | (1u << 9)));
	/* after FEATURES_OK the features are fixed */
	wr(v, R_DRV_FEAT_SEL, 0);
	wr(v, R_DRV_FEAT, 1u << 29);
	wr(v, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_true(rd(v, R_STATUS) & S_FEATURES_OK);
	/* a driver cannot set NEEDS_RESET itself */
	wr(v, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_NEEDS_RESET);
	assert_false(rd(v, R_STATUS) & S_NEEDS_RESET);
}

static void test_virtio_blk_write_then_read(void **state)
{
	struct fixture *f = setup(false, false, 0);
	struct vdrv *v = &f->v;
	uint32_t used;
	(void)state;

	for (unsigned i = 0; i < 1024; i++)
		*gp(v, BUF_AT + i) = (uint8_t)(0xa5 ^ i);
	assert_int_equal(request3(f, 1, 3, 1024, false, &used), 0); /* OUT */
	assert_int_equal(used, 1);
	assert_memory_equal(f->disk + 3 * 512, gp(v, BUF_AT), 1024);
	assert_true(v->level);
	assert_int_equal(rd(v, R_ISR), 1);
	wr(v, R_ACK, 1);
	assert_false(v->level);
	assert_int_equal(rd(v, R_ISR), 0);

	memset(gp(v, BUF_AT), 0, 2048);
	assert_int_equal(request3(f, 0, 2, 2048, true, &used), 0); /* IN */
	assert_int_equal(used, 2049);
	assert_memory_equal(gp(v, BUF_AT), f->disk + 2 * 512, 2048);
	assert_int_equal(v->edges, 2);
	assert_int_equal(f->b.t.broken, 0);
}

static void test_virtio_blk_flush_and_get_id(void **state)
{
	struct fixture *f = setup(true, false, 0);
	struct vdrv *v = &f->v;
	uint32_t used;
	(void)state;

	assert_int_equal(request3(f, 4, 0, 0, false, &used), 0);
	assert_int_equal(f->flushes, 1);
	assert_int_equal(request3(f, 8, 0, 20, true, &used), 0);
	assert_int_equal(used, 21);
	assert_memory_equal(gp(v, BUF_AT), "axvm-disk-0\0\0\0\0\0\0\0\0\0", 20);
	f->fail = 1;
	assert_int_equal(request3(f, 4, 0, 0, false, &used), 1); /* IOERR */
}

static void test_virtio_blk_out_of_range(void **state)
{
	struct fixture *f = setup(false, false, 0);
	uint8_t copy[DISK];
	uint32_t used;
	(void)state;

	memcpy(copy, f->disk, DISK);
	assert_int_equal(request3(f, 1, SECTORS, 512, false, &used), 1);     /* past the end */
	assert_int_equal(request3(f, 1, SECTORS - 1, 1024, false, &used), 1); /* across it */
	assert_int_equal(request3(f, 0, UINT64_MAX / 512 + 2, 512, true, &used), 1); /* wraps */
	assert_int_equal(request3(f, 0, UINT64_MAX, 512, true, &used), 1);
	assert_int_equal(request3(f, 1, 0, 100, false, &used), 1);            /* not sectors */
	assert_int_equal(request3(f, 0, 0, 0xffffffffu, true, &used), 1);    /* huge */
	assert_int_equal(request3(f, 1, SECTORS - 1, 512, false, &used), 0); /* the last one */
	memcpy(copy + DISK - 512, f->disk + DISK - 512, 512);
	assert_memory_equal(copy, f->disk, DISK);
	assert_int_equal(f->b.t.broken, 0);
}

static void test_virtio_blk_unsupported(void **state)
{
	struct fixture *f = setup(false, false, 0);
	uint32_t used;
	(void)state;

	assert_int_equal(request3(f, 11, 0, 512, false, &used), 2); /* DISCARD */
	assert_int_equal(request3(f, 0xffffffffu, 0, 512, false, &used), 2);
	assert_int_equal(used, 1);
}

static void test_virtio_blk_read_only(void **state)
{
	struct fixture *f = setup(false, true, 0);
	struct vdrv *v = &f->v;
	uint8_t first = f->disk[0];
	uint32_t used;
	(void)state;

	wr(v, R_DEV_FEAT_SEL, 0);
	assert_true(rd(v, R_DEV_FEAT) & (1u << 5));
	memset(gp(v, BUF_AT), (uint8_t)~first, 512);
	assert_int_equal(request3(f, 1, 0, 512, false, &used), 1);
	assert_int_equal(f->disk[0], first);
	assert_int_equal(request3(f, 0, 0, 512, true, &used), 0);
}

/* A backend sees whole sectors in pieces no larger than the bounce
 * buffer, whatever the descriptors look like; its errors are IOERR. */
static void test_virtio_blk_backend_and_scatter(void **state)
{
	struct fixture *f = setup(true, false, 0);
	struct vdrv *v = &f->v;
	uint32_t id, used;
	(void)state;

	/* header split 5+11, data in 3 segments of odd sizes (12 KiB), the
	 * status byte in a descriptor of its own */
	put32(v, HDR_AT, 1);
	put32(v, HDR_AT + 4, 0);
	put64(v, HDR_AT + 8, 8);
	for (unsigned i = 0; i < 12288; i++)
		*gp(v, BUF_AT + i) = (uint8_t)(i ^ (i >> 8));
	vd_desc(v, 0, 3, HDR_AT, 5, D_NEXT, 7);
	vd_desc(v, 0, 7, HDR_AT + 5, 11, D_NEXT, 1);
	vd_desc(v, 0, 1, BUF_AT, 1000, D_NEXT, 9);
	vd_desc(v, 0, 9, BUF_AT + 1000, 7000, D_NEXT, 2);
	vd_desc(v, 0, 2, BUF_AT + 8000, 4288, D_NEXT, 4);
	vd_desc(v, 0, 4, ST_AT, 1, D_WRITE, 0);
	vd_post(v, 0, 3);
	wr(v, R_QUEUE_NOTIFY, 0);
	assert_int_equal(vd_used_idx(v, 0), 1);
	vd_used(v, 0, 0, &id, &used);
	assert_int_equal(id, 3);
	assert_int_equal(*gp(v, ST_AT), 0);
	assert_memory_equal(f->disk + 8 * 512, gp(v, BUF_AT), 12288);
	assert_int_equal(f->writes, 3);

	/* read it back into one writable run: data 12 KiB + status */
	memset(gp(v, BUF_AT), 0, 12289);
	put32(v, HDR_AT, 0);
	vd_desc(v, 0, 5, HDR_AT, 16, D_NEXT, 6);
	vd_desc(v, 0, 6, BUF_AT, 12289, D_WRITE, 0);
	vd_post(v, 0, 5);
	wr(v, R_QUEUE_NOTIFY, 0);
	vd_used(v, 0, 1, &id, &used);
	assert_int_equal(id, 5);
	assert_int_equal(used, 12289);
	assert_int_equal(*gp(v, BUF_AT + 12288), 0);
	assert_memory_equal(f->disk + 8 * 512, gp(v, BUF_AT), 12288);

	f->fail = 1;
	assert_int_equal(request3(f, 0, 0, 512, true, &used), 1);
	assert_int_equal(request3(f, 1, 0, 512, false, &used), 1);
}

/* The same request through an indirect table, once negotiated. */
static void test_virtio_blk_indirect(void **state)
{
	struct fixture *f = setup(false, false, F_INDIRECT);
	struct vdrv *v = &f->v;
	const uint64_t table = DATA + 0x8000;
	uint32_t id, used;
	(void)state;

	put32(v, HDR_AT, 0);
	put64(v, HDR_AT + 8, 1);
	vd_desc_in(v, table, 0, HDR_AT, 16, D_NEXT, 1);
	vd_desc_in(v, table, 1, BUF_AT, 512, D_NEXT | D_WRITE, 2);
	vd_desc_in(v, table, 2, ST_AT, 1, D_WRITE, 0);
	vd_desc(v, 0, 0, table, 48, D_INDIRECT, 0);
	vd_post(v, 0, 0);
	wr(v, R_QUEUE_NOTIFY, 0);
	vd_used(v, 0, 0, &id, &used);
	assert_int_equal(used, 513);
	assert_int_equal(*gp(v, ST_AT), 0);
	assert_memory_equal(gp(v, BUF_AT), f->disk + 512, 512);
}

/* Buffers outside guest RAM fail the request; the device stays usable. */
static void test_virtio_blk_buffers_outside_ram(void **state)
{
	struct fixture *f = setup(false, false, 0);
	struct vdrv *v = &f->v;
	uint32_t id, used;
	(void)state;

	put32(v, HDR_AT, 0);
	put64(v, HDR_AT + 8, 0);
	vd_desc(v, 0, 0, HDR_AT, 16, D_NEXT, 1);
	vd_desc(v, 0, 1, GRAM + GRAM_SIZE - 256, 512, D_NEXT | D_WRITE, 2); /* runs off RAM */
	vd_desc(v, 0, 2, ST_AT, 1, D_WRITE, 0);
	vd_post(v, 0, 0);
	vd_desc(v, 0, 3, 0x9000000, 16, D_NEXT, 4); /* header in "MMIO" */
	vd_desc(v, 0, 4, ST_AT + 1, 1, D_WRITE, 0);
	vd_post(v, 0, 3);
	vd_desc(v, 0, 5, HDR_AT, 16, D_NEXT, 6);
	vd_desc(v, 0, 6, 0, 1, D_WRITE, 0); /* status at 0: nowhere to say */
	vd_post(v, 0, 5);
	wr(v, R_QUEUE_NOTIFY, 0);
	assert_int_equal(vd_used_idx(v, 0), 3);
	assert_int_equal(*gp(v, ST_AT), 1);
	assert_int_equal(*gp(v, ST_AT + 1), 1);
	vd_used(v, 0, 2, &id, &used);
	assert_int_equal(id, 5);
	assert_int_equal(used, 0);
	assert_int_equal(f->b.t.broken, 0);
	assert_int_equal(request3(f, 0, 0, 512, true, &used), 0);
}

/* A request with no header, or nothing but zero-length descriptors. */
static void test_virtio_blk_zero_length(void **state)
{
	struct fixture *f = setup(false, false, 0);
	struct vdrv *v = &f->v;
	uint32_t id, used;
	(void)state;

	vd_desc(v, 0, 0, HDR_AT, 0, D_NEXT, 1);
	vd_desc(v, 0, 1, BUF_AT, 0, D_NEXT | D_WRITE, 2);
	vd_desc(v, 0, 2, ST_AT, 1, D_WRITE, 0);
	vd_post(v, 0, 0);
	vd_desc(v, 0, 3, 0, 0, 0, 0); /* no writable byte at all */
	vd_post(v, 0, 3);
	*gp(v, ST_AT) = 0xee;
	wr(v, R_QUEUE_NOTIFY, 0);
	assert_int_equal(vd_used_idx(v, 0), 2);
	assert_int_equal(*gp(v, ST_AT), 1);
	vd_used(v, 0, 1, &id, &used);
	assert_int_equal(id, 3);
	assert_int_equal(used, 0);
	assert_int_equal(f->b.t.broken, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virtio_blk_args),
		cmocka_unit_test(test_virtio_blk_probe_and_config),
		cmocka_unit_test(test_virtio_blk_features_refused),
		cmocka_unit_test(test_virtio_blk_write_then_read),
		cmocka_unit_test(test_virtio_blk_flush_and_get_id),
		cmocka_unit_test(test_virtio_blk_out_of_range),
		cmocka_unit_test(test_virtio_blk_unsupported),
		cmocka_unit_test(test_virtio_blk_read_only),
		cmocka_unit_test(test_virtio_blk_backend_and_scatter),
		cmocka_unit_test(test_virtio_blk_indirect),
		cmocka_unit_test(test_virtio_blk_buffers_outside_ram),
		cmocka_unit_test(test_virtio_blk_zero_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
