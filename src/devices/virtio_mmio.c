/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtio-mmio transport, version 2 only (virtio 1.2, 4.2.2): a driver
 * that looks for the legacy interface (version 1) finds version 2 and
 * gives up, and one that does not accept VIRTIO_F_VERSION_1 is refused
 * FEATURES_OK. Registers are 32-bit accesses; the device-specific
 * configuration space from 0x100 takes 8-, 16- and 32-bit reads and is
 * read-only (no device here offers a writable field), so its generation
 * count never moves. Queue addresses and sizes are latched while a queue
 * is not ready and checked when the driver makes it ready: a bad size,
 * an unaligned ring or a ring outside guest RAM leaves the queue not
 * ready and the device DEVICE_NEEDS_RESET.
 */
#include <string.h>

#include "virtio_mmio.h"

#define MAGIC 0x000u
#define VERSION 0x004u
#define DEVICE_ID 0x008u
#define VENDOR_ID 0x00cu
#define DEVICE_FEATURES 0x010u
#define DEVICE_FEATURES_SEL 0x014u
#define DRIVER_FEATURES 0x020u
#define DRIVER_FEATURES_SEL 0x024u
#define QUEUE_SEL 0x030u
#define QUEUE_NUM_MAX 0x034u
#define QUEUE_NUM 0x038u
#define QUEUE_READY 0x044u
#define QUEUE_NOTIFY 0x050u
#define INTERRUPT_STATUS 0x060u
#define INTERRUPT_ACK 0x064u
#define STATUS 0x070u
#define QUEUE_DESC_LOW 0x080u
#define QUEUE_DESC_HIGH 0x084u
#define QUEUE_DRIVER_LOW 0x090u
#define QUEUE_DRIVER_HIGH 0x094u
#define QUEUE_DEVICE_LOW 0x0a0u
#define QUEUE_DEVICE_HIGH 0x0a4u
#define SHM_LEN_LOW 0x0b0u
#define SHM_LEN_HIGH 0x0b4u
#define SHM_BASE_LOW 0x0b8u
#define SHM_BASE_HIGH 0x0bcu
#define CONFIG_GENERATION 0x0fcu
#define CONFIG 0x100u

#define MAGIC_VALUE 0x74726976u /* "virt" */
#define VENDOR_VALUE 0x4d565841u /* "AXVM" */

bool virtio_queue_live(const struct axvm_virtio_mmio *t, unsigned q)
{
	const uint32_t on = VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FEATURES_OK;

	return q < t->dev->num_queues && t->q[q].ready && (t->status & on) == on &&
	       !(t->status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED));
}

void virtio_raise(struct axvm_virtio_mmio *t, uint32_t isr)
{
	bool level;

	t->isr = isr & (VIRTIO_INT_USED | VIRTIO_INT_CONFIG);
	level = t->isr != 0;
	if (level != t->level) {
		t->level = level;
		if (t->host.irq)
			t->host.irq(t->host.arg, level);
	}
}

void virtio_set_broken(struct axvm_virtio_mmio *t)
{
	if (t->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	t->status |= VIRTIO_STATUS_NEEDS_RESET;
	t->broken++;
	if (t->status & VIRTIO_STATUS_DRIVER_OK)
		virtio_raise(t, t->isr | VIRTIO_INT_CONFIG);
}

static void reset_state(struct axvm_virtio_mmio *t)
{
	t->drv_features = 0;
	t->dev_features_sel = t->drv_features_sel = t->queue_sel = 0;
	t->status = 0;
	memset(t->q, 0, sizeof(t->q));
	virtio_raise(t, 0);
}

static struct axvm_virtq *selected(struct axvm_virtio_mmio *t)
{
	return t->queue_sel < t->dev->num_queues ? &t->q[t->queue_sel] : NULL;
}

static uint32_t read_reg(struct axvm_virtio_mmio *t, uint64_t off)
{
	struct axvm_virtq *vq = selected(t);

	switch (off) {
	case MAGIC:
		return MAGIC_VALUE;
	case VERSION:
		return 2;
	case DEVICE_ID:
		return t->dev->device_id;
	case VENDOR_ID:
		return VENDOR_VALUE;
	case DEVICE_FEATURES:
		if (t->dev_features_sel > 1)
			return 0;
		return (uint32_t)(t->dev_features >> (32 * t->dev_features_sel));
	case QUEUE_NUM_MAX:
		return vq ? AXVM_VIRTIO_QUEUE_MAX : 0;
	case QUEUE_NUM:
		return vq ? vq->num : 0;
	case QUEUE_READY:
		return vq ? vq->ready : 0;
	case INTERRUPT_STATUS:
		return t->isr;
	case STATUS:
		return t->status;
	case QUEUE_DESC_LOW:
	case QUEUE_DESC_HIGH:
		return vq ? (uint32_t)(vq->desc >> (off & 4u ? 32 : 0)) : 0;
	case QUEUE_DRIVER_LOW:
	case QUEUE_DRIVER_HIGH:
		return vq ? (uint32_t)(vq->avail >> (off & 4u ? 32 : 0)) : 0;
	case QUEUE_DEVICE_LOW:
	case QUEUE_DEVICE_HIGH:
		return vq ? (uint32_t)(vq->used >> (off & 4u ? 32 : 0)) : 0;
	case SHM_LEN_LOW:
	case SHM_LEN_HIGH:
	case SHM_BASE_LOW:
	case SHM_BASE_HIGH:
		return 0xffffffffu; /* no shared memory region */
	case CONFIG_GENERATION:
		return t->generation;
	default:
		return 0;
	}
}

static bool features_acceptable(const struct axvm_virtio_mmio *t)
{
	return !(t->drv_features & ~t->dev_features) && (t->drv_features & VIRTIO_F_VERSION_1);
}

static void notify_all(struct axvm_virtio_mmio *t)
{
	for (unsigned q = 0; q < t->dev->num_queues; q++)
		if (virtio_queue_live(t, q))
			t->dev->notify(t, q);
}

static void write_status(struct axvm_virtio_mmio *t, uint32_t v)
{
	uint32_t was = t->status;

	if (!v) {
		reset_state(t);
		return;
	}
	v &= 0xffu & ~VIRTIO_STATUS_NEEDS_RESET;
	if ((v & VIRTIO_STATUS_FEATURES_OK) && !(was & VIRTIO_STATUS_FEATURES_OK) &&
	    !features_acceptable(t))
		v &= ~VIRTIO_STATUS_FEATURES_OK; /* the driver reads it back: refused */
	t->status = v | (was & VIRTIO_STATUS_NEEDS_RESET);
	/* Requests the driver posted (and notified) before DRIVER_OK were
	 * left alone; take them now. */
	if ((v & VIRTIO_STATUS_DRIVER_OK) && !(was & VIRTIO_STATUS_DRIVER_OK))
		notify_all(t);
}

static void set_half(uint64_t *reg, uint64_t off, uint32_t v)
{
	if (off & 4u)
		*reg = (*reg & 0xffffffffu) | (uint64_t)v << 32;
	else
		*reg = (*reg & ~(uint64_t)0xffffffffu) | v;
}

static void write_queue(struct axvm_virtio_mmio *t, uint64_t off, uint32_t v)
{
	struct axvm_virtq *vq = selected(t);

	if (!vq)
		return;
	if (off == QUEUE_READY) {
		if (!(v & 1u)) {
			vq->ready = false;
		} else if (!vq->ready) {
			if (!virtq_valid(t, vq)) {
				virtio_set_broken(t);
				return;
			}
			vq->last_avail = vq->used_idx = 0;
			vq->ready = true;
		}
		return;
	}
	if (vq->ready)
		return; /* the driver must not change a live queue: ignored */
	switch (off) {
	case QUEUE_NUM:
		vq->num = v;
		break;
	case QUEUE_DESC_LOW:
	case QUEUE_DESC_HIGH:
		set_half(&vq->desc, off, v);
		break;
	case QUEUE_DRIVER_LOW:
	case QUEUE_DRIVER_HIGH:
		set_half(&vq->avail, off, v);
		break;
	default:
		set_half(&vq->used, off, v);
		break;
	}
}

static void write_reg(struct axvm_virtio_mmio *t, uint64_t off, uint32_t v)
{
	switch (off) {
	case DEVICE_FEATURES_SEL:
		t->dev_features_sel = v;
		break;
	case DRIVER_FEATURES:
		if (t->status & VIRTIO_STATUS_FEATURES_OK || t->drv_features_sel > 1)
			break; /* negotiation is over, or no such word */
		set_half(&t->drv_features, t->drv_features_sel ? 4u : 0u, v);
		break;
	case DRIVER_FEATURES_SEL:
		t->drv_features_sel = v;
		break;
	case QUEUE_SEL:
		t->queue_sel = v;
		break;
	case QUEUE_NUM:
	case QUEUE_READY:
	case QUEUE_DESC_LOW:
	case QUEUE_DESC_HIGH:
	case QUEUE_DRIVER_LOW:
	case QUEUE_DRIVER_HIGH:
	case QUEUE_DEVICE_LOW:
	case QUEUE_DEVICE_HIGH:
		write_queue(t, off, v);
		break;
	case QUEUE_NOTIFY:
		if (virtio_queue_live(t, v))
			t->dev->notify(t, v);
		break;
	case INTERRUPT_ACK:
		virtio_raise(t, t->isr & ~v);
		break;
	case STATUS:
		write_status(t, v);
		break;
	default:
		break; /* read-only and reserved: ignored */
	}
}

static int mmio_read(void *ctx, uint64_t off, unsigned width, uint64_t *value)
{
	struct axvm_virtio_mmio *t = ctx;
	uint64_t v = 0;

	virtio_lock(t);
	if (off >= CONFIG) {
		for (unsigned i = 0; i < width; i++) {
			uint64_t at = off - CONFIG + i;
			if (at < t->dev->config_len)
				v |= (uint64_t)t->config[at] << (8 * i);
		}
	} else if (width == 4) {
		v = read_reg(t, off);
	}
	virtio_unlock(t);
	*value = v;
	return 0;
}

static int mmio_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	struct axvm_virtio_mmio *t = ctx;

	if (off >= CONFIG || width != 4)
		return 0; /* config space is read-only; registers are 32-bit */
	virtio_lock(t);
	write_reg(t, off, (uint32_t)value);
	virtio_unlock(t);
	return 0;
}

static void mmio_reset(void *ctx)
{
	struct axvm_virtio_mmio *t = ctx;

	virtio_lock(t);
	reset_state(t);
	virtio_unlock(t);
}

static const struct axvm_device_ops virtio_mmio_ops = {
	.read = mmio_read,
	.write = mmio_write,
	.reset = mmio_reset,
};

int virtio_mmio_init(struct axvm_virtio_mmio *t, const struct axvm_virtio_dev *dev,
		     uint64_t features, const struct axvm_guest_access *mem,
		     const struct axvm_virtio_host *host)
{
	if (!mem || !mem->read || !mem->write || !host)
		return AXVM_EINVAL;
	memset(t, 0, sizeof(*t));
	atomic_flag_clear(&t->lock);
	t->dev = dev;
	t->mem = *mem;
	t->host = *host;
	t->dev_features = features | VIRTIO_F_VERSION_1;
	return 0;
}

int virtio_mmio_desc(struct axvm_virtio_mmio *t, uint64_t base, const char *name,
		     struct axvm_device_desc *desc)
{
	if (!desc || (base & (AXVM_VIRTIO_MMIO_SIZE - 1)))
		return AXVM_EINVAL;
	memset(desc, 0, sizeof(*desc));
	desc->name = name;
	desc->bus = AXVM_BUS_MMIO;
	desc->base = base;
	desc->size = AXVM_VIRTIO_MMIO_SIZE;
	desc->widths = AXVM_WIDTH_1 | AXVM_WIDTH_2 | AXVM_WIDTH_4;
	desc->naturally_aligned = true;
	desc->ops = &virtio_mmio_ops;
	desc->ctx = t;
	return 0;
}
