/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio over MMIO (src/devices/): the modern (version 2) transport of the
 * virtio 1.2 specification with split virtqueues, and two devices on it,
 * virtio-blk and virtio-console (one port). As with the UARTs, the caller
 * owns the storage (no allocation anywhere), registers the device with
 * axvm_vm_add_device() using the descriptor a *_desc() call fills, and
 * wires the host callbacks.
 *
 * Guest memory is reached only through a struct axvm_guest_access, so every
 * descriptor, ring index, address and length the guest supplies is checked
 * by the model and then by the interface: a chain that loops, leaves the
 * queue, or is longer than the model can hold marks the device
 * DEVICE_NEEDS_RESET; a buffer outside guest RAM fails its request.
 *
 * Threads: guest accesses (a vCPU's exit path) and host calls may run at
 * once; each device serialises them with a spinlock of its own. A queue
 * notify processes the queue's requests before the MMIO write returns, so
 * a block request holds that lock for as long as its copy takes.
 */
#ifndef AXVM_VIRTIO_H
#define AXVM_VIRTIO_H

#include <stdatomic.h>
#include <stddef.h>

#include <axvm/device.h>
#include <axvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Guest memory ------------------------------------------------------ */

/* How a device model reads and writes guest memory. Each call copies the
 * whole range or nothing and returns 0 or a negative AXVM_E* code; a range
 * that is not guest RAM (MMIO, unmapped, wrapping) must fail. */
struct axvm_guest_access {
	void *ctx;
	int (*read)(void *ctx, uint64_t gpa, void *dst, size_t len);
	int (*write)(void *ctx, uint64_t gpa, const void *src, size_t len);
};

struct axvm_vm;

/* Fill `m` to reach `vm`'s RAM through axvm_copy_from/to_guest(). */
int axvm_guest_access_vm(struct axvm_guest_access *m, struct axvm_vm *vm);
/* The same for the VM `*slot` will hold: devices made from a config exist
 * before their VM does, so each access reads the slot (AXVM_EFAULT while
 * it is still NULL). `slot` must outlive `m`. */
int axvm_guest_access_vm_slot(struct axvm_guest_access *m, struct axvm_vm *const *slot);

/* Guest RAM that is one host buffer: `size` bytes at `base`, seen by the
 * guest at `gpa` (tests, fuzzing, ports with a flat guest). */
struct axvm_guest_buf {
	uint64_t gpa;
	uint8_t *base;
	size_t size;
};

/* Fill `m` to reach the buffer `b` describes (`b` must outlive `m`). */
int axvm_guest_access_buf(struct axvm_guest_access *m, struct axvm_guest_buf *b);

/* ---- Transport ----------------------------------------------------------- */

#define AXVM_VIRTIO_MMIO_SIZE 0x200u /* register window; base 0x200-aligned */
#define AXVM_VIRTIO_QUEUE_MAX 256u   /* QueueNumMax of every queue */
#define AXVM_VIRTIO_MAX_SEGS 130u    /* descriptors one request may use */
#define AXVM_VIRTIO_MAX_QUEUES 2u
#define AXVM_VIRTIO_CONFIG_MAX 32u

/* The host side of a virtio device. Callbacks run with the device's lock
 * held: they must not call back into the device. */
struct axvm_virtio_host {
	void *arg;
	/* The interrupt output changed to `level` (high = asserted; it stays
	 * high until the guest acknowledges every cause). Optional. */
	void (*irq)(void *arg, bool level);
	/* virtio-console only, required there: bytes the guest transmitted. */
	void (*tx)(void *arg, const uint8_t *buf, size_t len);
};

/* Fields below are the model's: use them only through the calls here. */
struct axvm_virtq {
	uint64_t desc, avail, used; /* ring addresses the driver wrote */
	uint32_t num;               /* QueueNum */
	bool ready;
	uint16_t last_avail;        /* next avail entry the device takes */
	uint16_t used_idx;          /* the used ring's idx as last written */
};

struct axvm_virtq_seg {
	uint64_t addr;
	uint32_t len;
	bool write; /* device-writable */
};

/* One request as the device sees it: readable segments, then writable. */
struct axvm_virtq_chain {
	uint16_t head;
	uint32_t n;
	uint64_t rlen, wlen; /* readable and writable bytes */
	struct axvm_virtq_seg seg[AXVM_VIRTIO_MAX_SEGS];
};

struct axvm_virtio_dev;

struct axvm_virtio_mmio {
	atomic_flag lock;
	bool level;
	const struct axvm_virtio_dev *dev;
	struct axvm_guest_access mem;
	struct axvm_virtio_host host;
	uint64_t dev_features, drv_features;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	uint32_t status, isr, generation;
	struct axvm_virtq q[AXVM_VIRTIO_MAX_QUEUES];
	uint8_t config[AXVM_VIRTIO_CONFIG_MAX];
	struct axvm_virtq_chain chain; /* the request being processed */
	uint64_t broken;               /* times the device went NEEDS_RESET */
};

/* ---- virtio-blk ------------------------------------------------------------ */

/* A port's disk: byte offsets and lengths are multiples of 512 and inside
 * the capacity the device was given. Each returns 0 or a negative AXVM_E*
 * code (the guest sees VIRTIO_BLK_S_IOERR). flush is optional. */
struct axvm_virtio_blk_backend {
	void *arg;
	int (*read)(void *arg, uint64_t offset, void *buf, size_t len);
	int (*write)(void *arg, uint64_t offset, const void *buf, size_t len);
	int (*flush)(void *arg);
};

/* The disk: either host memory (`mem`, `size` bytes) or `backend` with
 * `size` bytes of capacity. size is a non-zero multiple of 512. */
struct axvm_virtio_blk_config {
	uint8_t *mem;
	const struct axvm_virtio_blk_backend *backend;
	uint64_t size;
	uint32_t blk_size;  /* reported logical block size; 0 means 512 */
	bool read_only;     /* offer VIRTIO_BLK_F_RO; writes fail */
	char id[20];        /* GET_ID answer (NUL-padded) */
};

#define AXVM_VIRTIO_BLK_BOUNCE 4096u

struct axvm_virtio_blk {
	struct axvm_virtio_mmio t; /* first: the transport's context */
	struct axvm_virtio_blk_config cfg;
	struct axvm_virtio_blk_backend backend;
	uint8_t bounce[AXVM_VIRTIO_BLK_BOUNCE]; /* backend transfers */
};

/* Put a virtio-blk in its reset state over the disk `cfg` names, reaching
 * guest memory through `mem` and raising interrupts through `host`. */
int axvm_virtio_blk_init(struct axvm_virtio_blk *b, const struct axvm_virtio_blk_config *cfg,
			 const struct axvm_guest_access *mem, const struct axvm_virtio_host *host);
/* Fill an MMIO descriptor for `b` at `base` (AXVM_VIRTIO_MMIO_SIZE window). */
int axvm_virtio_blk_desc(struct axvm_virtio_blk *b, uint64_t base, struct axvm_device_desc *desc);

/* ---- virtio-console ---------------------------------------------------------- */

#define AXVM_VIRTIO_CONSOLE_BOUNCE 256u

struct axvm_virtio_console {
	struct axvm_virtio_mmio t; /* first: the transport's context */
	uint8_t bounce[AXVM_VIRTIO_CONSOLE_BOUNCE]; /* transmitted bytes */
};

/* Put a one-port virtio-console in its reset state; host->tx required. */
int axvm_virtio_console_init(struct axvm_virtio_console *c, const struct axvm_guest_access *mem,
			     const struct axvm_virtio_host *host);
/* Fill an MMIO descriptor for `c` at `base` (AXVM_VIRTIO_MMIO_SIZE window). */
int axvm_virtio_console_desc(struct axvm_virtio_console *c, uint64_t base,
			     struct axvm_device_desc *desc);
/* Offer `len` received bytes: 0 with *taken (may be < len) bytes placed in
 * the guest's receive buffers, or AXVM_EAGAIN if it has none posted. */
int axvm_virtio_console_rx(struct axvm_virtio_console *c, const void *buf, size_t len,
			   size_t *taken);

#ifdef __cplusplus
}
#endif
#endif /* AXVM_VIRTIO_H */
