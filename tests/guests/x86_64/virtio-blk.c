/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-blk: axvm-run --disk FILE's virtio-mmio (version 2) block device
 * at 0xfe010000, driven by a polled driver of its own: one split
 * virtqueue in this guest's RAM, one request in flight, completion seen
 * on the used ring (axvm-run has no interrupt controller; the device
 * serves a notify before the MMIO write returns).
 *
 * The disk tests/integration/virtio_blk.sh makes: 64-bit word w of sector
 * s holds s + (w << 32). The guest reads every sector and checks every
 * word, asks for the id, writes sector 3 with "written!" repeated (the
 * test finds it in the file afterwards), reads it back, checks sector 4
 * is untouched, flushes, and checks that a read past the end fails.
 * Prints "virtio-blk: OK" and exits 0, or FAIL lines and exits 1.
 */
#include "guest.h"

#define BLK_BASE 0xfe010000ul /* docs/guest-abi-x86_64.md */

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

#define F_FLUSH (1u << 9)    /* VIRTIO_BLK_F_FLUSH, feature word 0 */
#define F_VERSION_1_HI 1u    /* feature bit 32: bit 0 of word 1 */

#define DESC_F_NEXT 1u
#define DESC_F_WRITE 2u
#define AVAIL_F_NO_INTERRUPT 1u

#define T_IN 0u
#define T_OUT 1u
#define T_FLUSH 4u
#define T_GET_ID 8u
#define S_OK 0u
#define S_IOERR 1u

#define QSIZE 4u
#define SECTOR 512u
#define BLOCK 4096u

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

/* Identity-mapped: these addresses go to the device as they are. The
 * device writes used, status and the buffers during the notify, so the
 * compiler must not keep them in registers across it. */
static struct vring_desc desc[QSIZE] __attribute__((aligned(16)));
static volatile struct vring_avail avail __attribute__((aligned(2)));
static volatile struct vring_used used __attribute__((aligned(4)));
static struct blk_req req;
static volatile uint8_t status;
static uint64_t buf[BLOCK / 8] __attribute__((aligned(BLOCK)));

static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }

static inline uint32_t reg(uint32_t off)
{
	return *(volatile uint32_t *)(BLK_BASE + off);
}

static inline void set_reg(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(BLK_BASE + off) = v;
}

static void set_addr(uint32_t off, const volatile void *p)
{
	set_reg(off, (uint32_t)(uintptr_t)p);
	set_reg(off + 4, (uint32_t)((uintptr_t)p >> 32));
}

static int bad;

static void expect(const char *what, uint64_t got, uint64_t want)
{
	bad |= check(what, got, want);
}

/* Probe and bring queue 0 up; the capacity in sectors, and whether the
 * device flushes. */
static uint64_t blk_init(int *can_flush)
{
	uint32_t f0;

	expect("virtio-mmio magic", reg(VM_MAGIC), 0x74726976u);
	expect("virtio-mmio version", reg(VM_VERSION), 2);
	expect("device id (block)", reg(VM_DEVICE_ID), 2);
	set_reg(VM_STATUS, 0);
	set_reg(VM_STATUS, ST_ACK);
	set_reg(VM_STATUS, ST_ACK | ST_DRIVER);
	set_reg(VM_DEV_FEATURES_SEL, 0);
	f0 = reg(VM_DEV_FEATURES);
	set_reg(VM_DEV_FEATURES_SEL, 1);
	expect("VERSION_1 offered", reg(VM_DEV_FEATURES) & F_VERSION_1_HI, F_VERSION_1_HI);
	*can_flush = (f0 & F_FLUSH) != 0;
	set_reg(VM_DRV_FEATURES_SEL, 0);
	set_reg(VM_DRV_FEATURES, f0 & F_FLUSH);
	set_reg(VM_DRV_FEATURES_SEL, 1);
	set_reg(VM_DRV_FEATURES, F_VERSION_1_HI);
	set_reg(VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK);
	expect("FEATURES_OK accepted", reg(VM_STATUS) & ST_FEATURES_OK, ST_FEATURES_OK);
	set_reg(VM_QUEUE_SEL, 0);
	expect("queue 0 holds a request", reg(VM_QUEUE_NUM_MAX) >= QSIZE, 1);
	set_reg(VM_QUEUE_NUM, QSIZE);
	set_addr(VM_QUEUE_DESC, desc);
	set_addr(VM_QUEUE_AVAIL, &avail);
	set_addr(VM_QUEUE_USED, &used);
	avail.flags = AVAIL_F_NO_INTERRUPT;
	set_reg(VM_QUEUE_READY, 1);
	set_reg(VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	expect("device running", reg(VM_STATUS) & ST_NEEDS_RESET, 0);
	return (uint64_t)reg(VM_CONFIG) | (uint64_t)reg(VM_CONFIG + 4) << 32;
}

/* One request: the header, `len` bytes of `data` (none for a flush; the
 * device writes them for IN and GET_ID) and the status byte. Returns the
 * status, or 0xff if the device never completed it. */
static uint8_t blk_request(uint32_t type, uint64_t sector, void *data, uint32_t len)
{
	const uint16_t idx = avail.idx;
	const uint16_t in = (type == T_IN || type == T_GET_ID) ? DESC_F_WRITE : 0;
	unsigned n;

	req.type = type;
	req.reserved = 0;
	req.sector = sector;
	desc[0] = (struct vring_desc){ (uintptr_t)&req, sizeof(req), DESC_F_NEXT, 1 };
	n = 1;
	if (len) {
		desc[1] = (struct vring_desc){ (uintptr_t)data, len, DESC_F_NEXT | in, 2 };
		n = 2;
	}
	desc[n] = (struct vring_desc){ (uintptr_t)&status, 1, DESC_F_WRITE, 0 };
	status = 0xff;
	avail.ring[idx % QSIZE] = 0;
	barrier(); /* the chain, then the index that publishes it */
	avail.idx = (uint16_t)(idx + 1);
	barrier();
	set_reg(VM_QUEUE_NOTIFY, 0);
	for (unsigned spin = 0; used.idx != (uint16_t)(idx + 1); spin++)
		if (spin == 1000000u)
			return 0xff;
	barrier();
	if (used.ring[idx % QSIZE].id != 0)
		return 0xfe;
	return status;
}

static uint64_t pattern(uint64_t sector, unsigned word)
{
	return sector + ((uint64_t)word << 32);
}

int guest_main(uint64_t index, uint64_t ram_size, uint64_t arg)
{
	static const char mark[] = "written!";
	static const char want_id[] = "axvm-run-disk"; /* NUL-padded to 20 */
	char id[20];
	uint64_t sectors, wrong = 0;
	int can_flush = 0;

	(void)index;
	(void)ram_size;
	(void)arg;
	sectors = blk_init(&can_flush);
	expect("capacity: whole 4 KiB blocks", sectors && sectors % (BLOCK / SECTOR) == 0, 1);
	if (bad)
		guest_exit(1);

	for (uint64_t s = 0; s < sectors; s += BLOCK / SECTOR) {
		for (unsigned i = 0; i < BLOCK / 8; i++)
			buf[i] = ~0ull; /* a stale block must not pass */
		expect("read status", blk_request(T_IN, s, buf, BLOCK), S_OK);
		for (unsigned i = 0; i < BLOCK / 8; i++)
			wrong += buf[i] != pattern(s + i / (SECTOR / 8), i % (SECTOR / 8));
	}
	expect("words read back wrong", wrong, 0);

	for (unsigned i = 0; i < sizeof(id); i++)
		id[i] = 0x55;
	expect("get-id status", blk_request(T_GET_ID, 0, id, sizeof(id)), S_OK);
	for (unsigned i = 0; i < sizeof(id); i++)
		wrong += id[i] != (i < sizeof(want_id) ? want_id[i] : 0);
	expect("id bytes wrong", wrong, 0);

	for (unsigned i = 0; i < SECTOR; i++)
		((uint8_t *)buf)[i] = (uint8_t)mark[i % 8];
	expect("write status", blk_request(T_OUT, 3, buf, SECTOR), S_OK);
	for (unsigned i = 0; i < SECTOR / 8; i++)
		buf[i] = 0;
	expect("read-back status", blk_request(T_IN, 3, buf, SECTOR), S_OK);
	for (unsigned i = 0; i < SECTOR; i++)
		wrong += ((uint8_t *)buf)[i] != (uint8_t)mark[i % 8];
	expect("sector 3 read back wrong (bytes)", wrong, 0);
	expect("sector 4 read status", blk_request(T_IN, 4, buf, SECTOR), S_OK);
	expect("sector 4 untouched", buf[0], pattern(4, 0));
	if (can_flush)
		expect("flush status", blk_request(T_FLUSH, 0, 0, 0), S_OK);
	expect("read past the end fails", blk_request(T_IN, sectors, buf, SECTOR), S_IOERR);
	expect("device still running", reg(VM_STATUS) & ST_NEEDS_RESET, 0);

	puts("virtio-blk: ");
	put_dec(sectors / (BLOCK / SECTOR));
	puts(" blocks of 4 KiB read and checked, sector 3 written\n");
	puts(bad ? "virtio-blk: FAIL\n" : "virtio-blk: OK\n");
	guest_exit(bad ? 1 : 0);
}
