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

/* As scripts/run-riscv64 --disk places it. The device's writes to the
 * ring and buffer are seen once used.idx is: fence r,r between. */
#define VBLK_BASE 0x10008000ul
#define VBLK_WMB() __asm__ volatile("fence w,w" ::: "memory")
#define VBLK_IO_WMB() io_wmb()
#define VBLK_RMB() __asm__ volatile("fence r,r" ::: "memory")
#include "../common/vblk_driver.h"

#define BLOCK 4096u
#define SECTOR 512u
#define INSTR_PER_TICK 100u

static uint64_t buf[BLOCK / 8] __attribute__((aligned(BLOCK)));

/* One 4 KiB read at `sector` into buf; the used entry's length (bytes
 * written: data and status) or 0 if the device did not complete it. */
static uint32_t blk_read(uint64_t sector)
{
	uint32_t len = 0;

	return vblk_request(VBLK_T_IN, sector, buf, BLOCK, &len) == VBLK_S_OK ? len : 0;
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
	uint64_t ticks = 0, sectors = 0, reads, bad = 0;
	uint32_t offered;
	const char *failed;

	(void)hartid;
	(void)dtb;
	gputs("bench-blk: 4 KiB virtio-blk reads, polled\n");
	failed = vblk_init(0, &offered, &sectors);
	check(!failed, failed ? failed : "virtio-blk up");
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
