/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_virtqueue: arbitrary guest memory and register accesses against
 * the virtio-mmio transport with virtio-blk (over memory and over a
 * backend) and virtio-console. Guest RAM and the disk are heap buffers of
 * exactly their size, so ASan sees any access outside them; the backend
 * and interrupt callbacks trap on a contract the model broke (a transfer
 * outside the disk or not in sectors, a level reported twice). The input
 * language is in fuzz_virtqueue.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <axvm/virtio.h>

#include "fuzz_virtqueue.h"

struct run {
	const uint8_t *p;
	size_t n;
	uint8_t *ram, *disk;
	struct axvm_guest_buf gb;
	struct axvm_guest_access mem;
	struct axvm_device_desc d;
	bool level;
	union {
		struct axvm_virtio_blk blk;
		struct axvm_virtio_console con;
	} dev;
	uint16_t avail_idx[2];
	uint32_t num;
};

static bool take(struct run *r, void *dst, size_t len)
{
	if (r->n < len)
		return false;
	memcpy(dst, r->p, len);
	r->p += len;
	r->n -= len;
	return true;
}

static uint64_t le(const uint8_t *b, unsigned len)
{
	uint64_t v = 0;

	while (len--)
		v = v << 8 | b[len];
	return v;
}

static void on_irq(void *arg, bool level)
{
	struct run *r = arg;

	if (level == r->level)
		__builtin_trap();
	r->level = level;
}

static void on_tx(void *arg, const uint8_t *buf, size_t len)
{
	volatile uint8_t sink = 0;

	(void)arg;
	for (size_t i = 0; i < len; i++) /* ASan checks every byte handed over */
		sink ^= buf[i];
	(void)sink;
}

static void check_range(uint64_t off, size_t len)
{
	if (!len || off % 512 || len % 512 || off > FV_DISK || len > FV_DISK - off)
		__builtin_trap();
}

static int be_read(void *arg, uint64_t off, void *buf, size_t len)
{
	struct run *r = arg;

	check_range(off, len);
	memcpy(buf, r->disk + off, len);
	return (off / 512) % 7 == 6 ? AXVM_EIO : 0; /* some sectors fail */
}

static int be_write(void *arg, uint64_t off, const void *buf, size_t len)
{
	struct run *r = arg;

	check_range(off, len);
	memcpy(r->disk + off, buf, len);
	return 0;
}

static int be_flush(void *arg)
{
	(void)arg;
	return 0;
}

static void mmio_write(struct run *r, uint64_t off, unsigned width, uint32_t v)
{
	(void)r->d.ops->write(r->d.ctx, off, width, v);
}

static void mmio_access(struct run *r, bool write)
{
	uint8_t b[7];
	uint64_t off, v = 0;
	unsigned width;

	if (!take(r, b, write ? 7 : 3))
		return;
	width = 1u << (b[2] % 3);
	off = le(b, 2) % AXVM_VIRTIO_MMIO_SIZE & ~(uint64_t)(width - 1);
	if (write)
		mmio_write(r, off, width, (uint32_t)le(b + 3, 4));
	else
		(void)r->d.ops->read(r->d.ctx, off, width, &v);
}

/* What Linux's probe writes, so the fuzzer starts from a live device. */
static void setup(struct run *r)
{
	uint8_t f;
	uint64_t feat = 1ull << 32;

	if (!take(r, &f, 1))
		return;
	r->num = 1u << (f & 15u) % 9;
	if (f & 16u)
		feat |= 1ull << 28;
	mmio_write(r, 0x70, 4, 0);
	mmio_write(r, 0x70, 4, 3);
	mmio_write(r, 0x24, 4, 1);
	mmio_write(r, 0x20, 4, (uint32_t)(feat >> 32));
	mmio_write(r, 0x24, 4, 0);
	mmio_write(r, 0x20, 4, (uint32_t)feat);
	mmio_write(r, 0x70, 4, 11);
	for (unsigned q = 0; q < 2; q++) {
		mmio_write(r, 0x30, 4, q);
		mmio_write(r, 0x38, 4, r->num);
		mmio_write(r, 0x80, 4, FV_RING(q));
		mmio_write(r, 0x84, 4, 0);
		mmio_write(r, 0x90, 4, FV_RING(q) + 0x1000);
		mmio_write(r, 0x94, 4, 0);
		mmio_write(r, 0xa0, 4, FV_RING(q) + 0x2000);
		mmio_write(r, 0xa4, 4, 0);
		mmio_write(r, 0x44, 4, 1);
		r->avail_idx[q] = 0;
	}
	mmio_write(r, 0x70, 4, 15);
}

static void put(struct run *r, uint64_t gpa, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		r->ram[(gpa - FV_GPA + i) % FV_SIZE] = b[i];
}

static void desc(struct run *r)
{
	uint8_t b[19];
	unsigned q;

	if (!take(r, b, sizeof(b)))
		return;
	q = b[0] & 1u;
	put(r, FV_RING(q) + 16u * (le(b + 1, 2) % 256u), b + 3, 16);
}

static void post(struct run *r)
{
	uint8_t b[3], e[2];
	unsigned q;
	uint32_t num = r->num ? r->num : 1;

	if (!take(r, b, sizeof(b)))
		return;
	q = b[0] & 1u;
	put(r, FV_RING(q) + 0x1004 + 2u * (r->avail_idx[q] % num), b + 1, 2);
	r->avail_idx[q]++;
	e[0] = (uint8_t)r->avail_idx[q];
	e[1] = (uint8_t)(r->avail_idx[q] >> 8);
	put(r, FV_RING(q) + 0x1002, e, 2);
	mmio_write(r, 0x50, 4, q);
}

static void mem_write(struct run *r)
{
	uint8_t b[3];
	size_t len;

	if (!take(r, b, sizeof(b)))
		return;
	len = b[2] < r->n ? b[2] : r->n;
	put(r, FV_GPA + le(b, 2), r->p, len);
	r->p += len;
	r->n -= len;
}

static void rx(struct run *r, enum fv_device dev)
{
	uint8_t len;
	size_t n, taken;

	if (!take(r, &len, 1))
		return;
	n = len < r->n ? len : r->n;
	if (dev == FV_CONSOLE && !axvm_virtio_console_rx(&r->dev.con, r->p, n, &taken) &&
	    (taken == 0 || taken > n))
		__builtin_trap();
	r->p += n;
	r->n -= n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run r; /* big (the models' own buffers): not on the stack */
	const struct axvm_virtio_blk_backend be = {
		.arg = &r, .read = be_read, .write = be_write, .flush = be_flush,
	};
	struct axvm_virtio_blk_config bc = { .size = FV_DISK, .id = "fuzz" };
	struct axvm_virtio_host host = { .arg = &r, .irq = on_irq, .tx = on_tx };
	enum fv_device dev;
	int rc;

	if (size < 1)
		return 0;
	memset(&r, 0, sizeof(r));
	r.p = data + 1;
	r.n = size - 1;
	r.ram = calloc(1, FV_SIZE);
	r.disk = calloc(1, FV_DISK);
	if (!r.ram || !r.disk)
		goto out;
	r.gb = (struct axvm_guest_buf){ .gpa = FV_GPA, .base = r.ram, .size = FV_SIZE };
	if (axvm_guest_access_buf(&r.mem, &r.gb))
		__builtin_trap();
	dev = (enum fv_device)(data[0] % FV_DEVICES);
	if (dev == FV_CONSOLE) {
		rc = axvm_virtio_console_init(&r.dev.con, &r.mem, &host) ||
		     axvm_virtio_console_desc(&r.dev.con, 0xa000000, &r.d);
	} else {
		if (dev == FV_BLK_MEM)
			bc.mem = r.disk;
		else
			bc.backend = &be;
		bc.read_only = data[0] & 0x80;
		rc = axvm_virtio_blk_init(&r.dev.blk, &bc, &r.mem, &host) ||
		     axvm_virtio_blk_desc(&r.dev.blk, 0xa000000, &r.d);
	}
	if (rc)
		__builtin_trap();
	while (r.n) {
		uint8_t op = *r.p++;

		r.n--;
		switch (op % FV_OPS) {
		case FV_MMIO_WRITE:
			mmio_access(&r, true);
			break;
		case FV_MMIO_READ:
			mmio_access(&r, false);
			break;
		case FV_MEM_WRITE:
			mem_write(&r);
			break;
		case FV_SETUP:
			setup(&r);
			break;
		case FV_DESC:
			desc(&r);
			break;
		case FV_POST:
			post(&r);
			break;
		case FV_RX:
			rx(&r, dev);
			break;
		default:
			r.d.ops->reset(r.d.ctx);
			break;
		}
	}
out:
	free(r.ram);
	free(r.disk);
	return 0;
}
