/* SPDX-License-Identifier: Apache-2.0 */
/* A virtio-mmio driver for tests, doing what Linux's virtio_mmio and
 * virtio_ring do (probe, negotiate, queue set-up, descriptors, avail ring,
 * notify) against a model whose guest RAM is one static buffer. */
#ifndef AXVM_TEST_VIRTIO_DRIVER_H
#define AXVM_TEST_VIRTIO_DRIVER_H

#include <axvm/virtio.h>

#define GRAM 0x40000000ull       /* guest address of the buffer */
#define GRAM_SIZE (1u << 20)
#define QBASE(q) (GRAM + 0x1000u + 0x8000u * (q)) /* desc; avail +0x1000; used +0x2000 */
#define DATA (GRAM + 0x20000u)   /* request buffers from here */

#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_DEV_FEAT 0x010
#define R_DEV_FEAT_SEL 0x014
#define R_DRV_FEAT 0x020
#define R_DRV_FEAT_SEL 0x024
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM 0x038
#define R_QUEUE_READY 0x044
#define R_QUEUE_NOTIFY 0x050
#define R_ISR 0x060
#define R_ACK 0x064
#define R_STATUS 0x070
#define R_DESC_LO 0x080
#define R_DESC_HI 0x084
#define R_AVAIL_LO 0x090
#define R_AVAIL_HI 0x094
#define R_USED_LO 0x0a0
#define R_USED_HI 0x0a4
#define R_GENERATION 0x0fc
#define R_CONFIG 0x100

#define S_ACK 1u
#define S_DRIVER 2u
#define S_DRIVER_OK 4u
#define S_FEATURES_OK 8u
#define S_NEEDS_RESET 0x40u

#define F_VERSION_1 (1ull << 32)
#define F_INDIRECT (1ull << 28)

#define D_NEXT 1u
#define D_WRITE 2u
#define D_INDIRECT 4u

struct vdrv {
	uint8_t ram[GRAM_SIZE];
	struct axvm_guest_buf gb;
	struct axvm_guest_access mem;
	struct axvm_device_desc d;
	struct axvm_virtio_host host;
	bool level;
	unsigned edges; /* rising edges of the interrupt output */
	uint16_t num[2], avail_idx[2];
	uint8_t tx[4096];
	size_t ntx;
};

static inline void vd_irq(void *arg, bool level)
{
	struct vdrv *v = arg;

	assert_true(level != v->level); /* only changes are reported */
	v->level = level;
	v->edges += level;
}

static inline void vd_tx(void *arg, const uint8_t *buf, size_t len)
{
	struct vdrv *v = arg;

	for (size_t i = 0; i < len; i++)
		if (v->ntx < sizeof(v->tx))
			v->tx[v->ntx++] = buf[i];
}

static inline void vd_init(struct vdrv *v)
{
	memset(v, 0, sizeof(*v));
	v->gb = (struct axvm_guest_buf){ .gpa = GRAM, .base = v->ram, .size = GRAM_SIZE };
	assert_int_equal(axvm_guest_access_buf(&v->mem, &v->gb), 0);
	v->host = (struct axvm_virtio_host){ .arg = v, .irq = vd_irq, .tx = vd_tx };
}

static inline uint8_t *gp(struct vdrv *v, uint64_t gpa)
{
	assert_true(gpa >= GRAM && gpa < GRAM + GRAM_SIZE);
	return v->ram + (gpa - GRAM);
}

static inline void put16(struct vdrv *v, uint64_t gpa, uint16_t x)
{
	uint8_t *p = gp(v, gpa);
	p[0] = (uint8_t)x;
	p[1] = (uint8_t)(x >> 8);
}

static inline void put32(struct vdrv *v, uint64_t gpa, uint32_t x)
{
	put16(v, gpa, (uint16_t)x);
	put16(v, gpa + 2, (uint16_t)(x >> 16));
}

static inline void put64(struct vdrv *v, uint64_t gpa, uint64_t x)
{
	put32(v, gpa, (uint32_t)x);
	put32(v, gpa + 4, (uint32_t)(x >> 32));
}

static inline uint32_t get32(struct vdrv *v, uint64_t gpa)
{
	uint8_t *p = gp(v, gpa);
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint16_t get16(struct vdrv *v, uint64_t gpa)
{
	return (uint16_t)get32(v, gpa); /* rings are followed by more RAM */
}

static inline uint32_t rd(struct vdrv *v, uint64_t off)
{
	uint64_t x = 0xdeadbeef;
	assert_int_equal(v->d.ops->read(v->d.ctx, off, 4, &x), 0);
	return (uint32_t)x;
}

static inline void wr(struct vdrv *v, uint64_t off, uint32_t x)
{
	assert_int_equal(v->d.ops->write(v->d.ctx, off, 4, x), 0);
}

/* Linux's vm_probe plus virtio_dev_probe's feature read. */
static inline uint64_t vd_probe(struct vdrv *v, uint32_t id)
{
	uint64_t f;

	assert_int_equal(rd(v, R_MAGIC), 0x74726976);
	assert_int_equal(rd(v, R_VERSION), 2);
	assert_int_equal(rd(v, R_DEVICE_ID), id);
	wr(v, R_STATUS, 0);
	wr(v, R_STATUS, S_ACK);
	wr(v, R_STATUS, S_ACK | S_DRIVER);
	wr(v, R_DEV_FEAT_SEL, 1);
	f = (uint64_t)rd(v, R_DEV_FEAT) << 32;
	wr(v, R_DEV_FEAT_SEL, 0);
	return f | rd(v, R_DEV_FEAT);
}

/* Write the driver's features and set FEATURES_OK: whether it stuck. */
static inline bool vd_features(struct vdrv *v, uint64_t f)
{
	wr(v, R_DRV_FEAT_SEL, 1);
	wr(v, R_DRV_FEAT, (uint32_t)(f >> 32));
	wr(v, R_DRV_FEAT_SEL, 0);
	wr(v, R_DRV_FEAT, (uint32_t)f);
	wr(v, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	return (rd(v, R_STATUS) & S_FEATURES_OK) != 0;
}

/* vm_setup_vq with explicit ring addresses: whether the queue went ready. */
static inline bool vd_queue_at(struct vdrv *v, unsigned q, uint32_t num, uint64_t desc, uint64_t avail,
			uint64_t used)
{
	wr(v, R_QUEUE_SEL, q);
	assert_int_equal(rd(v, R_QUEUE_READY), 0);
	wr(v, R_QUEUE_NUM, num); /* a hostile driver may exceed QueueNumMax */
	wr(v, R_DESC_LO, (uint32_t)desc);
	wr(v, R_DESC_HI, (uint32_t)(desc >> 32));
	wr(v, R_AVAIL_LO, (uint32_t)avail);
	wr(v, R_AVAIL_HI, (uint32_t)(avail >> 32));
	wr(v, R_USED_LO, (uint32_t)used);
	wr(v, R_USED_HI, (uint32_t)(used >> 32));
	wr(v, R_QUEUE_READY, 1);
	v->num[q] = (uint16_t)num;
	v->avail_idx[q] = 0;
	return rd(v, R_QUEUE_READY) == 1;
}

static inline bool vd_queue(struct vdrv *v, unsigned q, uint32_t num)
{
	wr(v, R_QUEUE_SEL, q);
	assert_true(rd(v, R_QUEUE_NUM_MAX) >= num);
	return vd_queue_at(v, q, num, QBASE(q), QBASE(q) + 0x1000, QBASE(q) + 0x2000);
}

/* The whole of a Linux probe: features `f` (plus VERSION_1), `nq` queues
 * of `num` entries, DRIVER_OK. */
static inline void vd_setup(struct vdrv *v, uint32_t id, uint64_t f, unsigned nq, uint32_t num)
{
	uint64_t offered = vd_probe(v, id);

	assert_true(offered & F_VERSION_1);
	assert_true(vd_features(v, f | F_VERSION_1));
	for (unsigned q = 0; q < nq; q++)
		assert_true(vd_queue(v, q, num));
	wr(v, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

static inline void vd_desc_in(struct vdrv *v, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
		       uint16_t flags, uint16_t next)
{
	uint64_t at = table + 16ull * i;

	put64(v, at, addr);
	put32(v, at + 8, len);
	put16(v, at + 12, flags);
	put16(v, at + 14, next);
}

static inline void vd_desc(struct vdrv *v, unsigned q, unsigned i, uint64_t addr, uint32_t len,
		    uint16_t flags, uint16_t next)
{
	vd_desc_in(v, QBASE(q), i, addr, len, flags, next);
}

/* Make `head` available (no notify). */
static inline void vd_post(struct vdrv *v, unsigned q, uint16_t head)
{
	uint64_t avail = QBASE(q) + 0x1000;

	put16(v, avail + 4 + 2u * (v->avail_idx[q] % v->num[q]), head);
	v->avail_idx[q]++;
	put16(v, avail + 2, v->avail_idx[q]);
}

static inline uint16_t vd_used_idx(struct vdrv *v, unsigned q)
{
	return get16(v, QBASE(q) + 0x2002);
}

static inline void vd_used(struct vdrv *v, unsigned q, unsigned n, uint32_t *id, uint32_t *len)
{
	uint64_t e = QBASE(q) + 0x2004 + 8u * (n % v->num[q]);

	*id = get32(v, e);
	*len = get32(v, e + 4);
}

#endif
