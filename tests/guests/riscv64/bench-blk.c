/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-blk: what a 4 KiB virtio-blk read costs, in instructions, with a
 * virtio-mmio (version 2) driver of its own: one split virtqueue in this
 * guest's RAM, one request in flight, completion polled on the used ring
 * with VRING_AVAIL_F_NO_INTERRUPT set, so no interrupt is in the path.
 * Boot it in vm1 with a disk (scripts/run-riscv64 --disk FILE bench-blk -)
 * that tests/bench/virtio_blk.sh makes: 64-bit word w of sector s holds
 * s + (w << 32), so each sector starts with its number and every byte of
 * every read is checked.
 *
 * Under QEMU -icount shift=0,sleep=off the time CSR advances one tick per
 * 100 instructions the board executes (hypervisor and OpenSBI included);
 * each read is timed from filling its descriptors to seeing its used
 * entry, and the mean over all reads is printed:
 *
 *   bench virtio_blk_read_riscv64 <n> instr
 *
 * Without icount the figure means nothing, but the content check holds:
 * the virtio-blk-guest QEMU case runs it that way.
 */
#include "guest.h"

#define BLK_BASE 0x10008000ul /* as scripts/run-riscv64 --disk places it */

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
#define DEV_BLK 2u
#define F_VERSION_1_HI 1u /* feature bit 32: bit 0 of the second word */

#define VRING_DESC_F_NEXT 1u
#define VRING_DESC_F_WRITE 2u
#define VRING_AVAIL_F_NO_INTERRUPT 1u

#define BLK_T_IN 0u
#define BLK_S_OK 0u

#define QSIZE 4u /* one request of three descriptors at a time */
#define BLOCK 4096u
#define SECTOR 512u
#define INSTR_PER_TICK 100u

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[QSIZE];
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct {
		uint32_t id;
		uint32_t len;
	} ring[QSIZE];
};

struct blk_req {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* Guest-physical is guest-virtual here (no paging), so these addresses
 * go to the device as they are. used and status change under the
 * compiler's feet (the device writes them during the notify); avail's
 * stores must stay where the fences put them: all three volatile. */
static struct vring_desc desc[QSIZE] __attribute__((aligned(16)));
static volatile struct vring_avail avail __attribute__((aligned(2)));
static volatile struct vring_used used __attribute__((aligned(4)));
static struct blk_req req;
static volatile uint8_t status;
static uint64_t buf[BLOCK / 8] __attribute__((aligned(BLOCK)));

static inline uint32_t reg(uint32_t off) { return r32(BLK_BASE + off); }
static inline void set_reg(uint32_t off, uint32_t v) { w32(BLK_BASE + off, v); }
/* The device's writes to the ring and buffer, seen before what they
 * announce is read: used.idx first, then the rest. */
static inline void rmb(void) { __asm__ volatile("fence r,r" ::: "memory"); }

static void set_addr(uint32_t off, const volatile void *p)
{
	set_reg(off, (uint32_t)(uintptr_t)p);
	set_reg(off + 4, (uint32_t)((uintptr_t)p >> 32));
}

/* Probe, negotiate VERSION_1 only and bring queue 0 up; returns the
 * capacity in sectors. */
static uint64_t blk_init(void)
{
	check_eq(reg(VM_MAGIC), VIRTIO_MAGIC, "virtio-mmio magic");
	check_eq(reg(VM_VERSION), 2, "virtio-mmio version");
	check_eq(reg(VM_DEVICE_ID), DEV_BLK, "a block device");

	set_reg(VM_STATUS, 0);
	set_reg(VM_STATUS, ST_ACK);
	set_reg(VM_STATUS, ST_ACK | ST_DRIVER);
	set_reg(VM_DEV_FEATURES_SEL, 1);
	check((reg(VM_DEV_FEATURES) & F_VERSION_1_HI) != 0, "VERSION_1 offered");
	set_reg(VM_DRV_FEATURES_SEL, 0);
	set_reg(VM_DRV_FEATURES, 0);
	set_reg(VM_DRV_FEATURES_SEL, 1);
	set_reg(VM_DRV_FEATURES, F_VERSION_1_HI);
	set_reg(VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK);
	check((reg(VM_STATUS) & ST_FEATURES_OK) != 0, "FEATURES_OK accepted");

	set_reg(VM_QUEUE_SEL, 0);
	check(reg(VM_QUEUE_NUM_MAX) >= QSIZE, "queue 0 holds a request");
	set_reg(VM_QUEUE_NUM, QSIZE);
	set_addr(VM_QUEUE_DESC, desc);
	set_addr(VM_QUEUE_AVAIL, &avail);
	set_addr(VM_QUEUE_USED, &used);
	/* Polled: the device need not raise its line for this driver. */
	avail.flags = VRING_AVAIL_F_NO_INTERRUPT;
	set_reg(VM_QUEUE_READY, 1);
	check_eq(reg(VM_QUEUE_READY), 1, "queue 0 ready");
	set_reg(VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	check((reg(VM_STATUS) & ST_NEEDS_RESET) == 0, "device running");

	return (uint64_t)reg(VM_CONFIG) | (uint64_t)reg(VM_CONFIG + 4) << 32;
}

/* One 4 KiB read at `sector` into buf; the used entry's length (bytes
 * written: data and status) or 0 if the device did not complete it. */
static uint32_t blk_read(uint64_t sector)
{
	const uint16_t idx = avail.idx;

	req.type = BLK_T_IN;
	req.reserved = 0;
	req.sector = sector;
	desc[0] = (struct vring_desc){ (uintptr_t)&req, sizeof(req), VRING_DESC_F_NEXT, 1 };
	desc[1] = (struct vring_desc){ (uintptr_t)buf, BLOCK, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2 };
	desc[2] = (struct vring_desc){ (uintptr_t)&status, 1, VRING_DESC_F_WRITE, 0 };
	status = 0xff;
	avail.ring[idx % QSIZE] = 0;
	/* The chain before the index that publishes it, both before the notify. */
	__asm__ volatile("fence w,w" ::: "memory");
	avail.idx = (uint16_t)(idx + 1);
	io_wmb();
	set_reg(VM_QUEUE_NOTIFY, 0);
	/* This device serves a notify before the store returns; a bound keeps
	 * a broken one from hanging the guest. */
	for (unsigned spin = 0; used.idx != (uint16_t)(idx + 1); spin++)
		if (spin == 1000000u)
			return 0;
	rmb();
	return used.ring[idx % QSIZE].id == 0 && status == BLK_S_OK ? used.ring[idx % QSIZE].len : 0;
}

/* Every word of the block at `sector` (tests/bench/virtio_blk.sh's pattern). */
static bool block_ok(uint64_t sector)
{
	for (unsigned i = 0; i < BLOCK / 8; i++)
		if (buf[i] != (sector + i / (SECTOR / 8)) + ((uint64_t)(i % (SECTOR / 8)) << 32))
			return false;
	return true;
}

int main(uint64_t hartid, uint64_t dtb);
int main(uint64_t hartid, uint64_t dtb)
{
	uint64_t ticks = 0, sectors, reads, bad = 0;

	(void)hartid;
	(void)dtb;
	gputs("bench-blk: 4 KiB virtio-blk reads, polled\n");
	sectors = blk_init();
	check(sectors >= BLOCK / SECTOR && sectors % (BLOCK / SECTOR) == 0,
	      "capacity a whole number of 4 KiB blocks");
	reads = sectors / (BLOCK / SECTOR);
	for (uint64_t n = 0; n < reads; n++) {
		const uint64_t s = n * (BLOCK / SECTOR);
		uint64_t t0, len;

		for (unsigned i = 0; i < BLOCK / 8; i++)
			buf[i] = ~0ull; /* a stale block must not pass */
		t0 = rdtime();
		len = blk_read(s);
		ticks += rdtime() - t0;
		if (len != BLOCK + 1 || !block_ok(s)) {
			if (bad++ == 0)
				gprintf("bench-blk: block at sector %lu: length %lu, content %s\n", s,
					len, block_ok(s) ? "ok" : "wrong");
		}
	}
	check_eq(bad, 0, "blocks read back wrong (count)");
	if (bad)
		done("bench-blk"); /* no figure for a path that does not work */
	gprintf("bench-blk: %lu blocks of 4 KiB read and checked\n", reads);
	gprintf("bench virtio_blk_read_riscv64 %lu.%02lu instr\n",
		ticks * INSTR_PER_TICK / reads, ticks * INSTR_PER_TICK * 100u / reads % 100);
	done("bench-blk");
}

void secondary_main(uint64_t hartid, uint64_t opaque);
void secondary_main(uint64_t hartid, uint64_t opaque)
{
	(void)hartid;
	(void)opaque;
	for (;;)
		wfi();
}
