/* SPDX-License-Identifier: Apache-2.0 */
/* The split virtqueue against a driver that gets it wrong, through a
 * virtio-blk device over memory: chains that loop, leave their table, are
 * too long or malformed; rings that are unaligned, mis-sized or outside
 * RAM; notifies at the wrong time; a reset with requests outstanding; and
 * the 16-bit ring indices wrapping. Every broken queue must leave the
 * device DEVICE_NEEDS_RESET with a configuration interrupt and working
 * again after a reset, never touching memory outside the guest buffer
 * (ASan and valgrind watch that). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "virtio_driver.h"

#define DISK (16u * 1024)

static struct fixture {
	struct vdrv v;
	struct axvm_virtio_blk b;
	uint8_t disk[DISK];
} F;

#define HDR_AT (DATA)
#define BUF_AT (DATA + 0x1000)
#define ST_AT (DATA + 0xf000)
#define TABLE (DATA + 0x8000)

static struct fixture *init_only(void)
{
	struct fixture *f = &F;
	struct axvm_virtio_blk_config cfg = { .mem = f->disk, .size = DISK };

	memset(f, 0, sizeof(*f));
	vd_init(&f->v);
	assert_int_equal(axvm_virtio_blk_init(&f->b, &cfg, &f->v.mem, &f->v.host), 0);
	assert_int_equal(axvm_virtio_blk_desc(&f->b, 0xa000000, &f->v.d), 0);
	return f;
}

static struct fixture *setup(uint64_t features, uint32_t num)
{
	struct fixture *f = init_only();

	vd_setup(&f->v, 2, features, 1, num);
	return f;
}

/* A good one-sector read using descriptors base..base+2. */
static void good_request(struct vdrv *v, uint16_t base)
{
	put32(v, HDR_AT, 0);
	put64(v, HDR_AT + 8, 0);
	vd_desc(v, 0, base, HDR_AT, 16, D_NEXT, (uint16_t)(base + 1));
	vd_desc(v, 0, base + 1u, BUF_AT, 512, D_NEXT | D_WRITE, (uint16_t)(base + 2));
	vd_desc(v, 0, base + 2u, ST_AT, 1, D_WRITE, 0);
	vd_post(v, 0, base);
}

/* The device went NEEDS_RESET: config interrupt up, nothing used, and a
 * good request after it is left alone until a reset. */
static void expect_broken(struct fixture *f)
{
	struct vdrv *v = &f->v;
	uint16_t used = vd_used_idx(v, 0);

	assert_true(rd(v, R_STATUS) & S_NEEDS_RESET);
	assert_true(rd(v, R_ISR) & 2);
	assert_true(v->level);
	assert_int_equal(f->b.t.broken, 1);
	good_request(v, 8);
	wr(v, R_QUEUE_NOTIFY, 0);
	assert_int_equal(vd_used_idx(v, 0), used);
	/* a reset brings it back */
	wr(v, R_STATUS, 0);
	assert_int_equal(rd(v, R_STATUS), 0);
	assert_false(v->level);
	memset(v->ram, 0, GRAM_SIZE);
	vd_setup(v, 2, 0, 1, 16);
	good_request(v, 0);
	wr(v, R_QUEUE_NOTIFY, 0);
	assert_int_equal(vd_used_idx(v, 0), 1);
	assert_int_equal(*gp(v, ST_AT), 0);
}

static void post_notify(struct vdrv *v, uint16_t head)
{
	vd_post(v, 0, head);
	wr(v, R_QUEUE_NOTIFY, 0);
}

static void test_virtio_queue_loop(void **state)
{
	struct fixture *f = setup(0, 16);
	(void)state;

	vd_desc(&f->v, 0, 0, HDR_AT, 16, D_NEXT, 1);
	vd_desc(&f->v, 0, 1, BUF_AT, 16, D_NEXT, 0);
	post_notify(&f->v, 0);
	expect_broken(f);
}

static void test_virtio_queue_self_loop_writable(void **state)
{
	struct fixture *f = setup(0, 16);
	(void)state;

	vd_desc(&f->v, 0, 5, ST_AT, 1, D_NEXT | D_WRITE, 5);
	post_notify(&f->v, 5);
	expect_broken(f);
}

static void test_virtio_queue_next_out_of_range(void **state)
{
	struct fixture *f = setup(0, 16);
	(void)state;

	vd_desc(&f->v, 0, 0, HDR_AT, 16, D_NEXT, 16);
	post_notify(&f->v, 0);
	expect_broken(f);
}

static void test_virtio_queue_head_out_of_range(void **state)
{
	struct fixture *f = setup(0, 16);
	(void)state;

	post_notify(&f->v, 0xffff);
	expect_broken(f);
}

/* The driver claims more requests than the queue has entries. */
static void test_virtio_queue_avail_runs_ahead(void **state)
{
	struct fixture *f = setup(0, 16);
	struct vdrv *v = &f->v;
	(void)state;

	good_request(v, 0);
	put16(v, QBASE(0) + 0x1002, 17);
	wr(v, R_QUEUE_NOTIFY, 0);
	expect_broken(f);
}

static void test_virtio_queue_readable_after_writable(void **state)
{
	struct fixture *f = setup(0, 16);
	(void)state;

	vd_desc(&f->v, 0, 0, HDR_AT, 16, D_NEXT | D_WRITE, 1);
	vd_desc(&f->v, 0, 1, BUF_AT, 16, 0, 0);
	post_notify(&f->v, 0);
	expect_broken(f);
}

static void test_virtio_queue_buffer_wraps_address_space(void **state)
{
	struct fixture *f = setup(0, 16);
	(void)state;

	vd_desc(&f->v, 0, 0, UINT64_MAX - 10, 100, D_NEXT, 1);
	vd_desc(&f->v, 0, 1, ST_AT, 1, D_WRITE, 0);
	post_notify(&f->v, 0);
	expect_broken(f);
}

/* More descriptors than a request may have, through an indirect table of
 * 200 entries (legal by the table, beyond seg_max). */
static void test_virtio_queue_chain_too_long(void **state)
{
	struct fixture *f = setup(F_INDIRECT, 16);
	(void)state;

	for (uint16_t i = 0; i < 200; i++)
		vd_desc_in(&f->v, TABLE, i, BUF_AT, 1, i < 199 ? D_NEXT : 0, (uint16_t)(i + 1));
	vd_desc(&f->v, 0, 0, TABLE, 200 * 16, D_INDIRECT, 0);
	post_notify(&f->v, 0);
	expect_broken(f);
}

static void test_virtio_queue_indirect_loop(void **state)
{
	struct fixture *f = setup(F_INDIRECT, 16);
	(void)state;

	vd_desc_in(&f->v, TABLE, 0, HDR_AT, 16, D_NEXT, 1);
	vd_desc_in(&f->v, TABLE, 1, HDR_AT, 16, D_NEXT, 0);
	vd_desc(&f->v, 0, 0, TABLE, 32, D_INDIRECT, 0);
	post_notify(&f->v, 0);
	expect_broken(f);
}

/* Each of these is one way an indirect descriptor is malformed. */
static void indirect_case(uint64_t features, uint64_t addr, uint32_t len, uint16_t flags,
			  bool nested)
{
	struct fixture *f = setup(features, 16);

	vd_desc_in(&f->v, TABLE, 0, HDR_AT, 16, D_NEXT, 1);
	vd_desc_in(&f->v, TABLE, 1, ST_AT, 1, D_WRITE, 0);
	if (nested)
		vd_desc_in(&f->v, TABLE, 1, TABLE, 32, D_INDIRECT, 0);
	if (addr >= GRAM && addr <= GRAM + GRAM_SIZE - 16) /* a first entry that goes on */
		vd_desc_in(&f->v, addr, 0, HDR_AT, 16, D_NEXT, 1);
	vd_desc(&f->v, 0, 0, addr, len, flags, 1);
	vd_desc(&f->v, 0, 1, ST_AT, 1, D_WRITE, 0);
	post_notify(&f->v, 0);
	expect_broken(f);
}

static void test_virtio_queue_indirect_malformed(void **state)
{
	(void)state;
	indirect_case(0, TABLE, 32, D_INDIRECT, false);                   /* not negotiated */
	indirect_case(F_INDIRECT, TABLE, 32, D_INDIRECT | D_NEXT, false); /* with NEXT */
	indirect_case(F_INDIRECT, TABLE, 40, D_INDIRECT, false);          /* not whole entries */
	indirect_case(F_INDIRECT, TABLE, 0, D_INDIRECT, false);           /* empty */
	indirect_case(F_INDIRECT, TABLE, 32, D_INDIRECT, true);           /* nested */
	indirect_case(F_INDIRECT, UINT64_MAX - 15, 32, D_INDIRECT, false); /* wraps */
	indirect_case(F_INDIRECT, GRAM + GRAM_SIZE - 16, 32, D_INDIRECT, false); /* off RAM */
}

/* A ring the driver sets up wrong is refused at QueueReady. */
static void bad_ring(uint32_t num, uint64_t desc, uint64_t avail, uint64_t used)
{
	struct fixture *f = init_only();
	struct vdrv *v = &f->v;

	vd_probe(v, 2);
	assert_true(vd_features(v, F_VERSION_1));
	assert_false(vd_queue_at(v, 0, num, desc, avail, used));
	assert_true(rd(v, R_STATUS) & S_NEEDS_RESET);
	/* not DRIVER_OK yet: no interrupt */
	assert_false(v->level);
	wr(v, R_STATUS, 0);
	assert_true(vd_queue(v, 0, 16));
}

static void test_virtio_queue_bad_rings(void **state)
{
	const uint64_t d = QBASE(0), a = d + 0x1000, u = d + 0x2000;
	(void)state;

	bad_ring(16, d + 8, a, u);      /* descriptors not 16-aligned */
	bad_ring(16, d, a + 1, u);      /* avail not 2-aligned */
	bad_ring(16, d, a, u + 2);      /* used not 4-aligned */
	bad_ring(0, d, a, u);           /* no entries */
	bad_ring(12, d, a, u);          /* not a power of two */
	bad_ring(512, d, a, u);         /* over QueueNumMax */
	bad_ring(0x80000000u, d, a, u);
	bad_ring(256, GRAM + GRAM_SIZE - 0x800, a, u); /* descriptors run off RAM */
	bad_ring(16, d, GRAM + GRAM_SIZE - 8, u);       /* avail runs off RAM */
	bad_ring(16, d, a, 0x1000);                     /* used not in RAM */
	bad_ring(16, UINT64_MAX - 15, a, u);            /* wraps */
	bad_ring(16, d, a, UINT64_MAX - 3);
}

/* Notifies that must do nothing: before the queue is ready, before
 * DRIVER_OK, for a queue that does not exist. DRIVER_OK then takes what
 * was posted. */
static void test_virtio_queue_notify_too_early(void **state)
{
	struct fixture *f = init_only();
	struct vdrv *v = &f->v;
	(void)state;

	vd_probe(v, 2);
	assert_true(vd_features(v, F_VERSION_1));
	wr(v, R_QUEUE_NOTIFY, 0); /* nothing set up */
	wr(v, R_QUEUE_SEL, 0);
	wr(v, R_QUEUE_NUM, 16);
	v->num[0] = 16;
	good_request(v, 0);
	wr(v, R_QUEUE_NOTIFY, 0); /* rings not even given */
	assert_true(vd_queue(v, 0, 16));
	good_request(v, 0); /* vd_queue reset the driver's index */
	wr(v, R_QUEUE_NOTIFY, 0); /* ready, but no DRIVER_OK */
	wr(v, R_QUEUE_NOTIFY, 1);
	wr(v, R_QUEUE_NOTIFY, 0xffffffffu);
	assert_int_equal(vd_used_idx(v, 0), 0);
	wr(v, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	assert_int_equal(vd_used_idx(v, 0), 1);
	assert_int_equal(*gp(v, ST_AT), 0);
	wr(v, R_QUEUE_NOTIFY, 7);
	assert_int_equal(f->b.t.broken, 0);
}

/* A live queue's size and addresses cannot change under the device;
 * QueueReady 0 stops it. */
static void test_virtio_queue_live_registers_fixed(void **state)
{
	struct fixture *f = setup(0, 16);
	struct vdrv *v = &f->v;
	(void)state;

	wr(v, R_QUEUE_SEL, 0);
	wr(v, R_QUEUE_NUM, 4);
	wr(v, R_DESC_LO, 0x1234);
	assert_int_equal(rd(v, R_QUEUE_NUM), 16);
	assert_int_equal(rd(v, R_DESC_LO), (uint32_t)QBASE(0));
	good_request(v, 0);
	wr(v, R_QUEUE_NOTIFY, 0);
	assert_int_equal(vd_used_idx(v, 0), 1);
	wr(v, R_QUEUE_READY, 0);
	assert_int_equal(rd(v, R_QUEUE_READY), 0);
	good_request(v, 0);
	wr(v, R_QUEUE_NOTIFY, 0);
	assert_int_equal(vd_used_idx(v, 0), 1);
}

/* The device is reset with a request posted and one completed but not
 * acknowledged: the interrupt drops, nothing more is used, and after a
 * fresh set-up the device starts from index 0. A VM reset does the same. */
static void test_virtio_queue_reset_mid_request(void **state)
{
	struct fixture *f = setup(0, 16);
	struct vdrv *v = &f->v;
	(void)state;

	good_request(v, 0);
	wr(v, R_QUEUE_NOTIFY, 0);
	assert_true(v->level);
	good_request(v, 3);
	wr(v, R_STATUS, 0);
	assert_false(v->level);
	assert_int_equal(rd(v, R_ISR), 0);
	wr(v, R_QUEUE_NOTIFY, 0);
	assert_int_equal(vd_used_idx(v, 0), 1);

	memset(gp(v, QBASE(0)), 0, 0x3000); /* the driver's fresh rings */
	vd_setup(v, 2, 0, 1, 16);
	good_request(v, 0);
	wr(v, R_QUEUE_NOTIFY, 0);
	assert_int_equal(vd_used_idx(v, 0), 1);
	assert_true(v->level);

	v->d.ops->reset(v->d.ctx);
	assert_false(v->level);
	assert_int_equal(rd(v, R_STATUS), 0);
	wr(v, R_QUEUE_SEL, 0);
	assert_int_equal(rd(v, R_QUEUE_READY), 0);
}

/* VRING_AVAIL_F_NO_INTERRUPT is honoured. */
static void test_virtio_queue_no_interrupt(void **state)
{
	struct fixture *f = setup(0, 16);
	struct vdrv *v = &f->v;
	(void)state;

	put16(v, QBASE(0) + 0x1000, 1);
	good_request(v, 0);
	wr(v, R_QUEUE_NOTIFY, 0);
	assert_int_equal(vd_used_idx(v, 0), 1);
	assert_false(v->level);
	put16(v, QBASE(0) + 0x1000, 0);
	good_request(v, 0);
	wr(v, R_QUEUE_NOTIFY, 0);
	assert_true(v->level);
}

/* 70000 requests through a 4-entry queue: both 16-bit indices wrap. */
static void test_virtio_queue_indices_wrap(void **state)
{
	struct fixture *f = setup(0, 4);
	struct vdrv *v = &f->v;
	uint32_t id, len;
	(void)state;

	put32(v, HDR_AT, 4); /* FLUSH */
	vd_desc(v, 0, 2, HDR_AT, 16, D_NEXT, 3);
	vd_desc(v, 0, 3, ST_AT, 1, D_WRITE, 0);
	for (unsigned i = 0; i < 70000; i++) {
		vd_post(v, 0, 2);
		if (i % 3 == 2)
			wr(v, R_QUEUE_NOTIFY, 0);
	}
	wr(v, R_QUEUE_NOTIFY, 0);
	assert_int_equal(vd_used_idx(v, 0), (uint16_t)70000);
	vd_used(v, 0, 69999, &id, &len);
	assert_int_equal(id, 2);
	assert_int_equal(len, 1);
	assert_int_equal(f->b.t.broken, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virtio_queue_loop),
		cmocka_unit_test(test_virtio_queue_self_loop_writable),
		cmocka_unit_test(test_virtio_queue_next_out_of_range),
		cmocka_unit_test(test_virtio_queue_head_out_of_range),
		cmocka_unit_test(test_virtio_queue_avail_runs_ahead),
		cmocka_unit_test(test_virtio_queue_readable_after_writable),
		cmocka_unit_test(test_virtio_queue_buffer_wraps_address_space),
		cmocka_unit_test(test_virtio_queue_chain_too_long),
		cmocka_unit_test(test_virtio_queue_indirect_loop),
		cmocka_unit_test(test_virtio_queue_indirect_malformed),
		cmocka_unit_test(test_virtio_queue_bad_rings),
		cmocka_unit_test(test_virtio_queue_notify_too_early),
		cmocka_unit_test(test_virtio_queue_live_registers_fixed),
		cmocka_unit_test(test_virtio_queue_reset_mid_request),
		cmocka_unit_test(test_virtio_queue_no_interrupt),
		cmocka_unit_test(test_virtio_queue_indices_wrap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
