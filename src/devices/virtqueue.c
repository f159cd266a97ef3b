/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Split virtqueues (virtio 1.2, 2.7), device side, against a driver that
 * may be hostile. Everything read from the rings is copied out of guest
 * memory first and checked after: the avail index may not run more than a
 * queue ahead, a head or next index must lie inside its table, a chain may
 * not visit more descriptors than its table holds (so a loop ends) nor
 * more than AXVM_VIRTIO_MAX_SEGS in all, an indirect table must be a
 * whole number of descriptors and may not nest, and a readable descriptor
 * may not follow a writable one. Breaking any of these marks the device
 * DEVICE_NEEDS_RESET; the buffers themselves are checked by the guest
 * memory interface when a device copies through them.
 */
#include <string.h>

#include "virtio_mmio.h"

#define DESC_F_NEXT 1u
#define DESC_F_WRITE 2u
#define DESC_F_INDIRECT 4u
#define AVAIL_F_NO_INTERRUPT 1u
#define DESC_SIZE 16u

static int rd(const struct axvm_virtio_mmio *t, uint64_t gpa, void *dst, size_t len)
{
	return t->mem.read(t->mem.ctx, gpa, dst, len) ? AXVM_EFAULT : 0;
}

static int rd16(const struct axvm_virtio_mmio *t, uint64_t gpa, uint16_t *v)
{
	uint8_t b[2];

	if (rd(t, gpa, b, sizeof(b)))
		return AXVM_EFAULT;
	*v = le16(b);
	return 0;
}

bool virtq_valid(const struct axvm_virtio_mmio *t, const struct axvm_virtq *vq)
{
	uint64_t n = vq->num;
	uint64_t dlen = DESC_SIZE * n, alen = 6 + 2 * n, ulen = 6 + 8 * n;
	uint8_t b;

	if (!n || n > AXVM_VIRTIO_QUEUE_MAX || (n & (n - 1)))
		return false;
	if ((vq->desc & 15u) || (vq->avail & 1u) || (vq->used & 3u))
		return false;
	if (vq->desc > UINT64_MAX - dlen || vq->avail > UINT64_MAX - alen ||
	    vq->used > UINT64_MAX - ulen)
		return false;
	/* The rings must be guest RAM from end to end, or the first request
	 * would find out; a page in the middle of a ring that is not RAM
	 * still breaks the queue later, when it is reached. */
	return !rd(t, vq->desc, &b, 1) && !rd(t, vq->desc + dlen - 1, &b, 1) &&
	       !rd(t, vq->avail, &b, 1) && !rd(t, vq->avail + alen - 1, &b, 1) &&
	       !rd(t, vq->used, &b, 1) && !rd(t, vq->used + ulen - 1, &b, 1);
}

static int broken(struct axvm_virtio_mmio *t)
{
	virtio_set_broken(t);
	return AXVM_EINVAL;
}

/* Walk the chain from `head` into t->chain. */
static int gather(struct axvm_virtio_mmio *t, const struct axvm_virtq *vq, uint16_t head)
{
	struct axvm_virtq_chain *c = &t->chain;
	bool indirect_ok = (t->drv_features & VIRTIO_RING_F_INDIRECT_DESC) != 0;
	bool indirect = false;
	uint64_t table = vq->desc;
	uint32_t size = vq->num, steps = 0, i = head;
	uint8_t d[DESC_SIZE];

	c->head = head;
	c->n = 0;
	c->rlen = c->wlen = 0;
	for (;;) {
		uint64_t addr;
		uint32_t len;
		uint16_t flags;

		if (i >= size || ++steps > size)
			return AXVM_EINVAL; /* out of the table, or a loop */
		if (rd(t, table + (uint64_t)DESC_SIZE * i, d, sizeof(d)))
			return AXVM_EFAULT;
		addr = le64(d);
		len = le32(d + 8);
		flags = le16(d + 12);
		if (flags & DESC_F_INDIRECT) {
			if (!indirect_ok || indirect || (flags & DESC_F_NEXT) || !len ||
			    len % DESC_SIZE || addr > UINT64_MAX - len)
				return AXVM_EINVAL;
			indirect = true;
			table = addr;
			size = len / DESC_SIZE;
			steps = 0;
			i = 0;
			continue;
		}
		if (c->n >= AXVM_VIRTIO_MAX_SEGS)
			return AXVM_E2BIG;
		if (!(flags & DESC_F_WRITE) && c->wlen)
			return AXVM_EINVAL; /* readable after writable */
		if (len && addr > UINT64_MAX - (len - 1))
			return AXVM_EOVERFLOW;
		c->seg[c->n].addr = addr;
		c->seg[c->n].len = len;
		c->seg[c->n].write = (flags & DESC_F_WRITE) != 0;
		c->n++;
		if (flags & DESC_F_WRITE)
			c->wlen += len;
		else
			c->rlen += len;
		if (!(flags & DESC_F_NEXT))
			return 0;
		i = le16(d + 14);
	}
}

int virtq_pop(struct axvm_virtio_mmio *t, unsigned q)
{
	struct axvm_virtq *vq = &t->q[q];
	uint16_t idx, head;

	if (rd16(t, vq->avail + 2, &idx))
		return broken(t);
	if (idx == vq->last_avail)
		return 0;
	if ((uint16_t)(idx - vq->last_avail) > vq->num)
		return broken(t); /* more requests than the queue has slots */
	/* The driver wrote the ring entry and descriptors before idx. */
	atomic_thread_fence(memory_order_acquire);
	if (rd16(t, vq->avail + 4 + 2u * (vq->last_avail & (vq->num - 1)), &head))
		return broken(t);
	vq->last_avail++;
	if (gather(t, vq, head))
		return broken(t);
	return 1;
}

int virtq_push(struct axvm_virtio_mmio *t, unsigned q, uint16_t head, uint32_t len)
{
	struct axvm_virtq *vq = &t->q[q];
	uint8_t e[8], idx[2];

	put_le32(e, head);
	put_le32(e + 4, len);
	if (t->mem.write(t->mem.ctx, vq->used + 4 + 8u * (vq->used_idx & (vq->num - 1)), e,
			 sizeof(e)))
		return broken(t);
	/* The element must be visible before the index that publishes it. */
	atomic_thread_fence(memory_order_release);
	put_le16(idx, (uint16_t)(vq->used_idx + 1));
	if (t->mem.write(t->mem.ctx, vq->used + 2, idx, sizeof(idx)))
		return broken(t);
	vq->used_idx++;
	return 0;
}

void virtq_done(struct axvm_virtio_mmio *t, unsigned q)
{
	uint16_t flags;

	atomic_thread_fence(memory_order_seq_cst);
	if (!rd16(t, t->q[q].avail, &flags) && (flags & AVAIL_F_NO_INTERRUPT))
		return;
	virtio_raise(t, t->isr | VIRTIO_INT_USED);
}

static int copy(const struct axvm_virtio_mmio *t, bool to_guest, uint64_t off, uint8_t *buf,
		size_t len)
{
	const struct axvm_virtq_chain *c = &t->chain;

	for (uint32_t i = 0; i < c->n && len; i++) {
		const struct axvm_virtq_seg *s = &c->seg[i];
		size_t n;
		int rc;

		if (s->write != to_guest)
			continue;
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - off < len ? (size_t)(s->len - off) : len;
		rc = to_guest ? t->mem.write(t->mem.ctx, s->addr + off, buf, n)
			      : t->mem.read(t->mem.ctx, s->addr + off, buf, n);
		if (rc)
			return AXVM_EFAULT;
		buf += n;
		len -= n;
		off = 0;
	}
	return len ? AXVM_ERANGE : 0;
}

int virtq_from_guest(const struct axvm_virtio_mmio *t, uint64_t off, void *dst, size_t len)
{
	return copy(t, false, off, dst, len);
}

int virtq_to_guest(const struct axvm_virtio_mmio *t, uint64_t off, const void *src, size_t len)
{
	/* copy() only reads from buf when writing to the guest. */
	return copy(t, true, off, (uint8_t *)(uintptr_t)src, len);
}
