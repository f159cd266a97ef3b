/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-blk (virtio 1.2, 5.2): read, write, flush and get-id on one
 * request queue, over host memory or a port's backend. A request is a
 * 16-byte header (type, reserved, sector) in the readable bytes, data, and
 * a status byte, the last writable byte; the driver may split these over
 * descriptors any way it likes, so they are read and written by byte
 * offset into the chain. Data lengths must be whole 512-byte sectors and
 * lie inside the disk, or the request fails with IOERR before any byte
 * moves. Writes through the memory backing land at once, so flush has
 * nothing to do there and is offered anyway (the guest then orders its
 * writes by it, which a backend needs).
 */
#include <string.h>

#include "virtio_mmio.h"

#define BLK_ID 2u
#define BLK_F_SEG_MAX (1ull << 2)
#define BLK_F_RO (1ull << 5)
#define BLK_F_BLK_SIZE (1ull << 6)
#define BLK_F_FLUSH (1ull << 9)

#define T_IN 0u
#define T_OUT 1u
#define T_FLUSH 4u
#define T_GET_ID 8u

#define S_OK 0u
#define S_IOERR 1u
#define S_UNSUPP 2u

#define SECTOR 512u
#define HDR 16u
#define ID_LEN 20u

static void blk_notify(struct axvm_virtio_mmio *t, unsigned q);

static const struct axvm_virtio_dev blk_dev = {
	.device_id = BLK_ID,
	.num_queues = 1,
	.config_len = 24,
	.notify = blk_notify,
};

/* Move `len` bytes at `sector` between the disk and the chain, starting
 * `off` bytes into its writable (IN) or readable (OUT) part. */
static uint8_t xfer(struct axvm_virtio_blk *b, uint64_t sector, uint64_t off, uint64_t len,
		    bool in)
{
	struct axvm_virtio_mmio *t = &b->t;
	uint64_t pos, done;

	if (len % SECTOR || sector > b->cfg.size / SECTOR)
		return S_IOERR;
	pos = sector * SECTOR;
	if (len > b->cfg.size - pos || (!in && b->cfg.read_only))
		return S_IOERR;
	if (b->cfg.mem) {
		/* size fits host memory, so len fits size_t. */
		if (in)
			return virtq_to_guest(t, off, b->cfg.mem + pos, (size_t)len) ? S_IOERR : S_OK;
		return virtq_from_guest(t, off, b->cfg.mem + pos, (size_t)len) ? S_IOERR : S_OK;
	}
	for (done = 0; done < len;) {
		size_t n = len - done < sizeof(b->bounce) ? (size_t)(len - done) : sizeof(b->bounce);

		if (in) {
			if (b->backend.read(b->backend.arg, pos + done, b->bounce, n) ||
			    virtq_to_guest(t, off + done, b->bounce, n))
				return S_IOERR;
		} else {
			if (virtq_from_guest(t, off + done, b->bounce, n) ||
			    b->backend.write(b->backend.arg, pos + done, b->bounce, n))
				return S_IOERR;
		}
		done += n;
	}
	return S_OK;
}

/* Serve t->chain; the bytes written into it, for the used ring. */
static uint32_t request(struct axvm_virtio_blk *b)
{
	struct axvm_virtio_mmio *t = &b->t;
	const struct axvm_virtq_chain *c = &t->chain;
	uint8_t hdr[HDR], status;
	uint64_t data, written = 0;

	if (!c->wlen)
		return 0; /* no room for a status: nothing to tell the driver */
	data = c->wlen - 1;
	if (virtq_from_guest(t, 0, hdr, sizeof(hdr))) {
		status = S_IOERR;
	} else {
		switch (le32(hdr)) {
		case T_IN:
			status = xfer(b, le64(hdr + 8), 0, data, true);
			if (status == S_OK)
				written = data;
			break;
		case T_OUT:
			status = xfer(b, le64(hdr + 8), HDR, c->rlen - HDR, false);
			break;
		case T_FLUSH:
			status = S_OK;
			if (!b->cfg.mem && b->backend.flush && b->backend.flush(b->backend.arg))
				status = S_IOERR;
			break;
		case T_GET_ID:
			written = data < ID_LEN ? data : ID_LEN;
			status = virtq_to_guest(t, 0, b->cfg.id, (size_t)written) ? S_IOERR : S_OK;
			break;
		default:
			status = S_UNSUPP;
			break;
		}
	}
	if (virtq_to_guest(t, data, &status, 1))
		return 0;
	written++;
	return written > UINT32_MAX ? UINT32_MAX : (uint32_t)written;
}

static void blk_notify(struct axvm_virtio_mmio *t, unsigned q)
{
	struct axvm_virtio_blk *b = (struct axvm_virtio_blk *)t;
	bool pushed = false;

	/* At most one queue's worth: a driver that keeps adding requests sees
	 * used entries and notifies again, so none is stranded, and a guest
	 * refilling the ring from another vCPU cannot hold this one forever. */
	for (uint32_t i = 0; i < t->q[q].num; i++) {
		if (virtq_pop(t, q) <= 0)
			break;
		if (virtq_push(t, q, t->chain.head, request(b)))
			break;
		pushed = true;
	}
	if (pushed)
		virtq_done(t, q);
}

int axvm_virtio_blk_init(struct axvm_virtio_blk *b, const struct axvm_virtio_blk_config *cfg,
			 const struct axvm_guest_access *mem, const struct axvm_virtio_host *host)
{
	uint64_t features = BLK_F_SEG_MAX | BLK_F_BLK_SIZE | BLK_F_FLUSH |
			    VIRTIO_RING_F_INDIRECT_DESC;
	uint32_t bs;
	int rc;

	if (!b || !cfg || !cfg->size || cfg->size % SECTOR || !cfg->mem == !cfg->backend)
		return AXVM_EINVAL;
	if (cfg->backend && (!cfg->backend->read || (!cfg->backend->write && !cfg->read_only)))
		return AXVM_EINVAL;
	bs = cfg->blk_size ? cfg->blk_size : SECTOR;
	if (bs < SECTOR || bs > 65536u || (bs & (bs - 1)))
		return AXVM_EINVAL;
	if (cfg->read_only)
		features |= BLK_F_RO;
	if ((rc = virtio_mmio_init(&b->t, &blk_dev, features, mem, host)))
		return rc;
	b->cfg = *cfg;
	b->cfg.blk_size = bs;
	if (cfg->backend)
		b->backend = *cfg->backend;
	put_le64(b->t.config, cfg->size / SECTOR);     /* capacity */
	put_le32(b->t.config + 12, AXVM_VIRTIO_MAX_SEGS - 2); /* seg_max */
	put_le32(b->t.config + 20, bs);                /* blk_size */
	return 0;
}

int axvm_virtio_blk_desc(struct axvm_virtio_blk *b, uint64_t base, struct axvm_device_desc *desc)
{
	if (!b)
		return AXVM_EINVAL;
	return virtio_mmio_desc(&b->t, base, "virtio-blk", desc);
}
