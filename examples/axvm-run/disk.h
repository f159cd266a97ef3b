/* SPDX-License-Identifier: Apache-2.0 */
/* axvm-run --disk FILE: the library's virtio-blk (axvm/virtio.h) on a
 * virtio-mmio window at DISK_MMIO_BASE, backed by the file through
 * pread/pwrite (docs/guest-abi-x86_64.md). No interrupt line: axvm-run
 * has no interrupt controller, so the guest's driver polls the used ring.
 */
#ifndef AXVM_RUN_DISK_H
#define AXVM_RUN_DISK_H

#include <axvm/axvm.h>
#include <axvm/virtio.h>

#define DISK_MMIO_BASE 0xfe010000ull

struct disk {
	int fd;
	struct axvm_vm *vm; /* set once the VM exists; guest memory before is refused */
	struct axvm_virtio_blk_backend backend;
	struct axvm_virtio_blk blk;
};

/* Open `path` read-write (its size a non-zero multiple of 512 bytes) and
 * put the model in its reset state: 0, or -1 with the reason in `msg`. */
int disk_open(struct disk *d, const char *path, char *msg, size_t msg_len);
/* The model's descriptor, at DISK_MMIO_BASE. */
void disk_desc(struct disk *d, struct axvm_device_desc *desc);
/* Close the file (fd -1: nothing to do). */
void disk_close(struct disk *d);

#endif
