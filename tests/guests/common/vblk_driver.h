/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The test guests' virtio-blk driver: virtio-mmio version 2, one split
 * virtqueue of VBLK_QSIZE in the guest's identity-mapped RAM, one request
 * in flight, completion polled on the used ring with
 * VRING_AVAIL_F_NO_INTERRUPT set, so no interrupt is in the path (the
 * riscv64 bench-blk guest times it; the x86_64 virtio-blk guest checks a
 * disk through it). Header-only: one guest, one translation unit.
 *
 * The includer defines, before including it:
 *   VBLK_BASE      the device's guest-physical address;
 *   VBLK_WMB()     orders the descriptor chain before the avail index;
 *   VBLK_IO_WMB()  orders the avail index before the notify store;
 *   VBLK_RMB()     orders the used index before the loads it announces.
 */
#ifndef AXVM_GUEST_VBLK_DRIVER_H
#define AXVM_GUEST_VBLK_DRIVER_H

#include <stdint.h>

/* virtio-mmio version 2 registers (virtio 1.2, 4.2.2) */
#define VM_MAGIC 0x000u
#define VM_VERSION 0x004u
#define VM_DEVICE_ID 0x008u
#define VM_DEV_FEATURES 0x010u
#define VM_DEV_FEATURES_SEL 0x014u
#define VM_DRV_FEATURES 0x020u
#define VM_DRV_FEATURES_SEL 0x024u
#define VM_QUEUE_SEL 0x030u
#define VM_QUEUE_NUM_MAX 0x034u
#define VM_QUEUE_NUM 0x038u
#define VM_QUEUE_READY 0x044u
#define VM_QUEUE_NOTIFY 0x050u
#define VM_STATUS 0x070u
#define VM_QUEUE_DESC 0x080u
#define VM_QUEUE_AVAIL 0x090u
#define VM_QUEUE_USED 0x0a0u
#define VM_CONFIG 0x100u

#define ST_ACK 1u
#define ST_DRIVER 2u
#define ST_DRIVER_OK 4u
#define ST_FEATURES_OK 8u
#define ST_NEEDS_RESET 64u

#define VIRTIO_MAGIC 0x74726976u
#define VIRTIO_DEV_BLK 2u
#define VBLK_F_FLUSH (1u << 9) /* VIRTIO_BLK_F_FLUSH, feature word 0 */
#define VBLK_F_VERSION_1_HI 1u /* feature bit 32: bit 0 of word 1 */

#define VRING_DESC_F_NEXT 1u
#define VRING_DESC_F_WRITE 2u
#define VRING_AVAIL_F_NO_INTERRUPT 1u

#define VBLK_T_IN 0u
#define VBLK_T_OUT 1u
#define VBLK_T_FLUSH 4u
#define VBLK_T_GET_ID 8u
#define VBLK_S_OK 0u
#define VBLK_S_IOERR 1u
/* vblk_request()'s own answers: never completed, completed another id. */
#define VBLK_S_TIMEOUT 0xffu
#define VBLK_S_WRONG_ID 0xfeu

#define VBLK_QSIZE 4u /* one request of up to three descriptors */

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[VBLK_QSIZE];
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct {
		uint32_t id;
		uint32_t len;
	} ring[VBLK_QSIZE];
};

struct vblk_req {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* The device writes used, the status and the buffers during the notify:
 * volatile, so the compiler keeps no copy across it. */
static struct vring_desc vblk_desc[VBLK_QSIZE] __attribute__((aligned(16)));
static volatile struct vring_avail vblk_avail __attribute__((aligned(2)));
static volatile struct vring_used vblk_used __attribute__((aligned(4)));
static struct vblk_req vblk_hdr;
static volatile uint8_t vblk_status;

static inline uint32_t vblk_reg(uint32_t off)
{
	return *(volatile uint32_t *)(uintptr_t)(VBLK_BASE + off);
}

static inline void vblk_set_reg(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(VBLK_BASE + off) = v;
}

static inline void vblk_set_addr(uint32_t off, const volatile void *p)
{
	vblk_set_reg(off, (uint32_t)(uintptr_t)p);
	vblk_set_reg(off + 4, (uint32_t)((uintptr_t)p >> 32));
}

/* Probe, negotiate VERSION_1 plus what of `want0` (feature word 0) the
 * device offers, and bring queue 0 up. NULL when it is running, with
 * *offered0 the device's word 0 and *sectors its capacity; else the step
 * that failed. */
static const char *vblk_init(uint32_t want0, uint32_t *offered0, uint64_t *sectors)
{
	uint32_t f0;

	if (vblk_reg(VM_MAGIC) != VIRTIO_MAGIC)
		return "virtio-mmio magic";
	if (vblk_reg(VM_VERSION) != 2)
		return "virtio-mmio version 2";
	if (vblk_reg(VM_DEVICE_ID) != VIRTIO_DEV_BLK)
		return "a block device";
	vblk_set_reg(VM_STATUS, 0);
	vblk_set_reg(VM_STATUS, ST_ACK);
	vblk_set_reg(VM_STATUS, ST_ACK | ST_DRIVER);
	vblk_set_reg(VM_DEV_FEATURES_SEL, 0);
	f0 = vblk_reg(VM_DEV_FEATURES);
	vblk_set_reg(VM_DEV_FEATURES_SEL, 1);
	if (!(vblk_reg(VM_DEV_FEATURES) & VBLK_F_VERSION_1_HI))
		return "VERSION_1 offered";
	vblk_set_reg(VM_DRV_FEATURES_SEL, 0);
	vblk_set_reg(VM_DRV_FEATURES, f0 & want0);
	vblk_set_reg(VM_DRV_FEATURES_SEL, 1);
	vblk_set_reg(VM_DRV_FEATURES, VBLK_F_VERSION_1_HI);
	vblk_set_reg(VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK);
	if (!(vblk_reg(VM_STATUS) & ST_FEATURES_OK))
		return "FEATURES_OK accepted";
	vblk_set_reg(VM_QUEUE_SEL, 0);
	if (vblk_reg(VM_QUEUE_NUM_MAX) < VBLK_QSIZE)
		return "queue 0 holds a request";
	vblk_set_reg(VM_QUEUE_NUM, VBLK_QSIZE);
	vblk_set_addr(VM_QUEUE_DESC, vblk_desc);
	vblk_set_addr(VM_QUEUE_AVAIL, &vblk_avail);
	vblk_set_addr(VM_QUEUE_USED, &vblk_used);
	vblk_avail.flags = VRING_AVAIL_F_NO_INTERRUPT; /* polled */
	vblk_set_reg(VM_QUEUE_READY, 1);
	if (vblk_reg(VM_QUEUE_READY) != 1)
		return "queue 0 ready";
	vblk_set_reg(VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	if (vblk_reg(VM_STATUS) & ST_NEEDS_RESET)
		return "device running";
	*offered0 = f0;
	*sectors = (uint64_t)vblk_reg(VM_CONFIG) | (uint64_t)vblk_reg(VM_CONFIG + 4) << 32;
	return 0;
}

/* One request: the header, `len` bytes at `data` (none for a flush; the
 * device writes them for IN and GET_ID) and the status byte. The status,
 * or VBLK_S_TIMEOUT / VBLK_S_WRONG_ID; *used_len gets the bytes the
 * device says it wrote (data and status). */
static uint8_t vblk_request(uint32_t type, uint64_t sector, void *data, uint32_t len,
			    uint32_t *used_len)
{
	const uint16_t idx = vblk_avail.idx;
	const uint16_t in = (type == VBLK_T_IN || type == VBLK_T_GET_ID) ? VRING_DESC_F_WRITE : 0;
	unsigned n = 1;

	vblk_hdr.type = type;
	vblk_hdr.reserved = 0;
	vblk_hdr.sector = sector;
	vblk_desc[0] = (struct vring_desc){ (uintptr_t)&vblk_hdr, sizeof(vblk_hdr), VRING_DESC_F_NEXT, 1 };
	if (len) {
		vblk_desc[1] = (struct vring_desc){ (uintptr_t)data, len, VRING_DESC_F_NEXT | in, 2 };
		n = 2;
	}
	vblk_desc[n] = (struct vring_desc){ (uintptr_t)&vblk_status, 1, VRING_DESC_F_WRITE, 0 };
	vblk_status = 0xff;
	vblk_avail.ring[idx % VBLK_QSIZE] = 0;
	VBLK_WMB();
	vblk_avail.idx = (uint16_t)(idx + 1);
	VBLK_IO_WMB();
	vblk_set_reg(VM_QUEUE_NOTIFY, 0);
	/* The device serves a notify before the store returns; a bound keeps
	 * a broken one from hanging the guest. */
	for (unsigned spin = 0; vblk_used.idx != (uint16_t)(idx + 1); spin++)
		if (spin == 1000000u)
			return VBLK_S_TIMEOUT;
	VBLK_RMB();
	*used_len = vblk_used.ring[idx % VBLK_QSIZE].len;
	if (vblk_used.ring[idx % VBLK_QSIZE].id != 0)
		return VBLK_S_WRONG_ID;
	return vblk_status;
}

#endif /* AXVM_GUEST_VBLK_DRIVER_H */
