/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The inter-VM channel's doorbell (include/axvm/ivc.h). Each end is a
 * small register file; the only state shared between the ends is the
 * receiving end's PENDING word, written under that end's lock, so two
 * guests ringing each other at once take one lock each, never two.
 *
 * Every guest access is input: the core already enforces the width mask
 * and natural alignment of the descriptor, and the model checks both
 * again (its ops are public and a port may call them directly), so a
 * stray offset or width is refused and counted, never indexed with.
 */
#include <string.h>

#include <axvm/ivc.h>

#define VERSION 1u

static void lock(struct axvm_ivc_end *e)
{
	while (atomic_flag_test_and_set_explicit(&e->lock, memory_order_acquire))
		;
}

static void unlock(struct axvm_ivc_end *e)
{
	atomic_flag_clear_explicit(&e->lock, memory_order_release);
}

/* Report a change of the line only: a port injecting on rising edges sees
 * one edge per interrupt the guest has to handle. Lock held. */
static void update(struct axvm_ivc_end *e)
{
	bool level = (e->pending & e->irq_enable) != 0 && !e->closed;

	if (level != e->level) {
		e->level = level;
		e->host.irq(e->host.arg, level);
	}
}

/* Bits into the receiving end `to`; dropped when its VM is gone. */
static void deliver(struct axvm_ivc_end *to, uint32_t bits)
{
	lock(to);
	if (!to->closed) {
		to->pending |= bits;
		to->rings_received++;
		update(to);
	}
	unlock(to);
}

static int ring(struct axvm_ivc_end *e, uint32_t bits)
{
	struct axvm_ivc_end *peer;

	lock(e);
	/* A zero write rings nobody: the guest's bug, not an interrupt. */
	if (bits)
		e->rings_sent++;
	peer = e->peer;
	unlock(e);
	if (bits && peer)
		deliver(peer, bits);
	return 0;
}

static bool peer_present(struct axvm_ivc_end *e)
{
	struct axvm_ivc_end *peer = e->peer;
	bool open;

	if (!peer)
		return false;
	lock(peer);
	open = !peer->closed;
	unlock(peer);
	return open;
}

static int bad(struct axvm_ivc_end *e)
{
	lock(e);
	e->bad_accesses++;
	unlock(e);
	return AXVM_ENODEV;
}

static int ivc_read(void *ctx, uint64_t off, unsigned width, uint64_t *value)
{
	struct axvm_ivc_end *e = ctx;
	uint32_t v;

	if (width != 4 || (off & 3u) || off >= AXVM_IVC_WINDOW)
		return bad(e);
	if (off == AXVM_IVC_STATUS) {
		*value = peer_present(e) ? AXVM_IVC_STATUS_PEER : 0;
		return 0;
	}
	lock(e);
	switch (off) {
	case AXVM_IVC_MAGIC: v = AXVM_IVC_MAGIC_VALUE; break;
	case AXVM_IVC_VERSION: v = VERSION; break;
	case AXVM_IVC_CHANNEL: v = e->channel; break;
	case AXVM_IVC_END: v = e->end; break;
	case AXVM_IVC_SHM_LO: v = (uint32_t)e->shm_gpa; break;
	case AXVM_IVC_SHM_HI: v = (uint32_t)(e->shm_gpa >> 32); break;
	case AXVM_IVC_SIZE_LO: v = (uint32_t)e->shm_size; break;
	case AXVM_IVC_SIZE_HI: v = (uint32_t)(e->shm_size >> 32); break;
	case AXVM_IVC_PENDING: v = e->pending; break;
	case AXVM_IVC_IRQ_ENABLE: v = e->irq_enable; break;
	default:
		e->bad_accesses++; /* write-only or unassigned */
		unlock(e);
		return AXVM_ENODEV;
	}
	unlock(e);
	*value = v;
	return 0;
}

static int ivc_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	struct axvm_ivc_end *e = ctx;
	/* A 4-byte store carries 32 bits; anything above is not the guest's. */
	uint32_t v = (uint32_t)value;

	if (width != 4 || (off & 3u) || off >= AXVM_IVC_WINDOW)
		return bad(e);
	switch (off) {
	case AXVM_IVC_DOORBELL:
		return ring(e, v);
	case AXVM_IVC_ACK:
		lock(e);
		e->pending &= ~v;
		update(e);
		unlock(e);
		return 0;
	case AXVM_IVC_IRQ_ENABLE:
		lock(e);
		e->irq_enable = v;
		update(e);
		unlock(e);
		return 0;
	default:
		return bad(e); /* read-only or unassigned */
	}
}

static void ivc_reset(void *ctx)
{
	struct axvm_ivc_end *e = ctx;

	lock(e);
	e->pending = e->irq_enable = 0;
	update(e);
	unlock(e);
}

static void ivc_destroy(void *ctx)
{
	struct axvm_ivc_end *e = ctx;

	lock(e);
	e->pending = e->irq_enable = 0;
	e->closed = true;
	e->level = false; /* no callback: the VM it would reach is going */
	unlock(e);
}

static const struct axvm_device_ops ivc_ops = {
	.read = ivc_read,
	.write = ivc_write,
	.reset = ivc_reset,
	.destroy = ivc_destroy,
};

int axvm_ivc_init(struct axvm_ivc_end *e, const struct axvm_ivc_host *host,
		  uint32_t channel, uint32_t end, uint64_t shm_gpa, uint64_t shm_size)
{
	if (!e || !host || !host->irq || end > 1 || shm_size == 0 ||
	    shm_gpa + shm_size < shm_gpa)
		return AXVM_EINVAL;
	memset(e, 0, sizeof(*e));
	atomic_flag_clear(&e->lock);
	e->host = *host;
	e->channel = channel;
	e->end = end;
	e->shm_gpa = shm_gpa;
	e->shm_size = shm_size;
	return 0;
}

int axvm_ivc_connect(struct axvm_ivc_end *a, struct axvm_ivc_end *b)
{
	if (!a || !b || a == b || a->peer || b->peer || a->channel != b->channel ||
	    a->end == b->end || a->shm_size != b->shm_size)
		return AXVM_EINVAL;
	a->peer = b;
	b->peer = a;
	return 0;
}

int axvm_ivc_desc(struct axvm_ivc_end *e, uint64_t base, struct axvm_device_desc *desc)
{
	if (!e || !desc || (base & (AXVM_IVC_WINDOW - 1)) || base + AXVM_IVC_WINDOW < base)
		return AXVM_EINVAL;
	memset(desc, 0, sizeof(*desc));
	desc->name = "ivc";
	desc->bus = AXVM_BUS_MMIO;
	desc->base = base;
	desc->size = AXVM_IVC_WINDOW;
	desc->widths = AXVM_WIDTH_4;
	desc->naturally_aligned = true;
	desc->ops = &ivc_ops;
	desc->ctx = e;
	return 0;
}

int axvm_ivc_ring(struct axvm_ivc_end *e, uint32_t bits)
{
	if (!e)
		return AXVM_EINVAL;
	return ring(e, bits);
}

int axvm_ivc_stats(struct axvm_ivc_end *e, struct axvm_ivc_stats *st)
{
	if (!e || !st)
		return AXVM_EINVAL;
	lock(e);
	st->rings_sent = e->rings_sent;
	st->rings_received = e->rings_received;
	st->bad_accesses = e->bad_accesses;
	unlock(e);
	return 0;
}
