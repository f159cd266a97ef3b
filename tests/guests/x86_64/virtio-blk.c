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

/* docs/guest-abi-x86_64.md. x86 keeps stores in order and loads in
 * order, so the driver's barriers need only stop the compiler. */
#define VBLK_BASE 0xfe010000ul
#define VBLK_WMB() __asm__ volatile("" ::: "memory")
#define VBLK_IO_WMB() VBLK_WMB()
#define VBLK_RMB() VBLK_WMB()
#include "../common/vblk_driver.h"

#define SECTOR 512u
#define BLOCK 4096u

static uint64_t buf[BLOCK / 8] __attribute__((aligned(BLOCK)));
static int bad;

static void expect(const char *what, uint64_t got, uint64_t want)
{
	bad |= check(what, got, want);
}

static uint8_t blk_request(uint32_t type, uint64_t sector, void *data, uint32_t len)
{
	uint32_t used_len;

	return vblk_request(type, sector, data, len, &used_len);
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
	uint64_t sectors = 0, wrong = 0;
	uint32_t offered = 0;
	const char *failed;
	int can_flush;

	(void)index;
	(void)ram_size;
	(void)arg;
	failed = vblk_init(VBLK_F_FLUSH, &offered, &sectors);
	if (failed)
		expect(failed, 0, 1);
	can_flush = (offered & VBLK_F_FLUSH) != 0;
	expect("capacity: whole 4 KiB blocks", sectors && sectors % (BLOCK / SECTOR) == 0, 1);
	if (bad)
		guest_exit(1);

	for (uint64_t s = 0; s < sectors; s += BLOCK / SECTOR) {
		for (unsigned i = 0; i < BLOCK / 8; i++)
			buf[i] = ~0ull; /* a stale block must not pass */
		expect("read status", blk_request(VBLK_T_IN, s, buf, BLOCK), VBLK_S_OK);
		for (unsigned i = 0; i < BLOCK / 8; i++)
			wrong += buf[i] != pattern(s + i / (SECTOR / 8), i % (SECTOR / 8));
	}
	expect("words read back wrong", wrong, 0);

	for (unsigned i = 0; i < sizeof(id); i++)
		id[i] = 0x55;
	expect("get-id status", blk_request(VBLK_T_GET_ID, 0, id, sizeof(id)), VBLK_S_OK);
	for (unsigned i = 0; i < sizeof(id); i++)
		wrong += id[i] != (i < sizeof(want_id) ? want_id[i] : 0);
	expect("id bytes wrong", wrong, 0);

	for (unsigned i = 0; i < SECTOR; i++)
		((uint8_t *)buf)[i] = (uint8_t)mark[i % 8];
	expect("write status", blk_request(VBLK_T_OUT, 3, buf, SECTOR), VBLK_S_OK);
	for (unsigned i = 0; i < SECTOR / 8; i++)
		buf[i] = 0;
	expect("read-back status", blk_request(VBLK_T_IN, 3, buf, SECTOR), VBLK_S_OK);
	for (unsigned i = 0; i < SECTOR; i++)
		wrong += ((uint8_t *)buf)[i] != (uint8_t)mark[i % 8];
	expect("sector 3 read back wrong (bytes)", wrong, 0);
	expect("sector 4 read status", blk_request(VBLK_T_IN, 4, buf, SECTOR), VBLK_S_OK);
	expect("sector 4 untouched", buf[0], pattern(4, 0));
	if (can_flush)
		expect("flush status", blk_request(VBLK_T_FLUSH, 0, 0, 0), VBLK_S_OK);
	expect("read past the end fails", blk_request(VBLK_T_IN, sectors, buf, SECTOR), VBLK_S_IOERR);
	expect("device still running", vblk_reg(VM_STATUS) & ST_NEEDS_RESET, 0);

	puts("virtio-blk: ");
	put_dec(sectors / (BLOCK / SECTOR));
	puts(" blocks of 4 KiB read and checked, sector 3 written\n");
	puts(bad ? "virtio-blk: FAIL\n" : "virtio-blk: OK\n");
	guest_exit(bad ? 1 : 0);
}
