/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-console (virtio 1.2, 5.3) with one port and no optional feature:
 * queue 0 receives (the guest posts writable buffers, the host fills them
 * through axvm_virtio_console_rx()), queue 1 transmits (each readable
 * buffer goes to the host's tx callback, in pieces of the bounce buffer).
 * The configuration space is there but means nothing without
 * VIRTIO_CONSOLE_F_SIZE or MULTIPORT.
 */
#include <string.h>

#include "virtio_mmio.h"

#define CONSOLE_ID 3u
#define RXQ 0u
#define TXQ 1u

static void console_notify(struct axvm_virtio_mmio *t, unsigned q);

static const struct axvm_virtio_dev console_dev = {
	.device_id = CONSOLE_ID,
	.num_queues = 2,
	.config_len = 12,
	.notify = console_notify,
};

/* Hand the chain's readable bytes to the host. */
static void transmit(struct axvm_virtio_console *c)
{
	struct axvm_virtio_mmio *t = &c->t;
	uint64_t len = t->chain.rlen;

	for (uint64_t done = 0; done < len;) {
		size_t n = len - done < sizeof(c->bounce) ? (size_t)(len - done) : sizeof(c->bounce);

		if (virtq_from_guest(t, done, c->bounce, n))
			return; /* a buffer outside RAM: the rest is dropped */
		t->host.tx(t->host.arg, c->bounce, n);
		done += n;
	}
}

static void console_notify(struct axvm_virtio_mmio *t, unsigned q)
{
	struct axvm_virtio_console *c = (struct axvm_virtio_console *)t;
	bool pushed = false;

	/* Receive buffers wait for the host; only transmit has work here.
	 * One queue's worth at most, as in virtio-blk. */
	if (q != TXQ)
		return;
	for (uint32_t i = 0; i < t->q[q].num; i++) {
		if (virtq_pop(t, q) <= 0)
			break;
		transmit(c);
		if (virtq_push(t, q, t->chain.head, 0))
			break;
		pushed = true;
	}
	if (pushed)
		virtq_done(t, q);
}

int axvm_virtio_console_init(struct axvm_virtio_console *c, const struct axvm_guest_access *mem,
			     const struct axvm_virtio_host *host)
{
	if (!c || !host || !host->tx)
		return AXVM_EINVAL;
	return virtio_mmio_init(&c->t, &console_dev, VIRTIO_RING_F_INDIRECT_DESC, mem, host);
}

int axvm_virtio_console_desc(struct axvm_virtio_console *c, uint64_t base,
			     struct axvm_device_desc *desc)
{
	if (!c)
		return AXVM_EINVAL;
	return virtio_mmio_desc(&c->t, base, "virtio-console", desc);
}

int axvm_virtio_console_rx(struct axvm_virtio_console *c, const void *buf, size_t len,
			   size_t *taken)
{
	struct axvm_virtio_mmio *t;
	const uint8_t *p = buf;
	size_t done = 0;
	bool pushed = false;

	if (!c || !taken || (!buf && len))
		return AXVM_EINVAL;
	t = &c->t;
	*taken = 0;
	virtio_lock(t);
	for (uint32_t i = 0; done < len && virtio_queue_live(t, RXQ) && i < t->q[RXQ].num; i++) {
		size_t n;

		if (virtq_pop(t, RXQ) <= 0)
			break;
		n = t->chain.wlen < len - done ? (size_t)t->chain.wlen : len - done;
		if (n > UINT32_MAX)
			n = UINT32_MAX;
		if (virtq_to_guest(t, 0, p + done, n))
			n = 0; /* a buffer outside RAM: given back empty */
		if (virtq_push(t, RXQ, t->chain.head, (uint32_t)n))
			break;
		pushed = true;
		done += n;
	}
	if (pushed)
		virtq_done(t, RXQ);
	virtio_unlock(t);
	*taken = done;
	return done ? 0 : AXVM_EAGAIN;
}
