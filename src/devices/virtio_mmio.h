/* SPDX-License-Identifier: Apache-2.0 */
/* What the virtio devices share: the transport's side facing a device
 * (virtio_mmio.c) and the split virtqueue (virtqueue.c). */
#ifndef AXVM_DEVICES_VIRTIO_MMIO_H
#define AXVM_DEVICES_VIRTIO_MMIO_H

#include <axvm/virtio.h>

#include "uart_fifo.h"

#define VIRTIO_F_VERSION_1 (1ull << 32)
#define VIRTIO_RING_F_INDIRECT_DESC (1ull << 28)

#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 0x40u
#define VIRTIO_STATUS_FAILED 0x80u

#define VIRTIO_INT_USED 1u
#define VIRTIO_INT_CONFIG 2u

/* A device on the transport: its identity and what a notify does. */
struct axvm_virtio_dev {
	uint32_t device_id;
	uint32_t num_queues;
	uint32_t config_len;
	/* The driver notified queue `q` (ready, DRIVER_OK, not broken). Runs
	 * with the lock held; uses virtq_pop/virtq_push/virtq_done. */
	void (*notify)(struct axvm_virtio_mmio *t, unsigned q);
};

static inline void virtio_lock(struct axvm_virtio_mmio *t)
{
	uart_lock(&t->lock);
}

static inline void virtio_unlock(struct axvm_virtio_mmio *t)
{
	uart_unlock(&t->lock);
}

/* Set up `t` for `dev` offering `features` (VERSION_1 is added). */
int virtio_mmio_init(struct axvm_virtio_mmio *t, const struct axvm_virtio_dev *dev,
		     uint64_t features, const struct axvm_guest_access *mem,
		     const struct axvm_virtio_host *host);
int virtio_mmio_desc(struct axvm_virtio_mmio *t, uint64_t base, const char *name,
		     struct axvm_device_desc *desc);

/* Whether queue `q` may be used now: DRIVER_OK, ready, not broken. */
bool virtio_queue_live(const struct axvm_virtio_mmio *t, unsigned q);
/* The driver broke the device: DEVICE_NEEDS_RESET and a config interrupt. */
void virtio_set_broken(struct axvm_virtio_mmio *t);
/* Raise (or drop, with 0 bits left) the interrupt for the bits in `isr`. */
void virtio_raise(struct axvm_virtio_mmio *t, uint32_t isr);

/* Take the next available request of queue `q` into t->chain: 1, 0 when
 * the queue is empty, or a negative code when the driver broke the queue
 * (the device is then marked broken). */
int virtq_pop(struct axvm_virtio_mmio *t, unsigned q);
/* Return request `head` to the driver with `len` bytes written: 0, or
 * negative (device marked broken) when the used ring is not writable. */
int virtq_push(struct axvm_virtio_mmio *t, unsigned q, uint16_t head, uint32_t len);
/* After pushing: interrupt the driver unless it asked not to be. */
void virtq_done(struct axvm_virtio_mmio *t, unsigned q);
/* Whether the ring addresses and size of `vq` are usable. */
bool virtq_valid(const struct axvm_virtio_mmio *t, const struct axvm_virtq *vq);

/* Copy between a host buffer and the chain's readable (from_guest) or
 * writable (to_guest) bytes, starting `off` bytes into them: 0, or
 * AXVM_ERANGE if the chain is too short, AXVM_EFAULT from guest memory. */
int virtq_from_guest(const struct axvm_virtio_mmio *t, uint64_t off, void *dst, size_t len);
int virtq_to_guest(const struct axvm_virtio_mmio *t, uint64_t off, const void *src, size_t len);

static inline uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static inline void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

#endif
