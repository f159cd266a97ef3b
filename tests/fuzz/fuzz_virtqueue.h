/* SPDX-License-Identifier: Apache-2.0 */
/* The input language of fuzz_virtqueue, shared with the seed generator:
 * byte 0 picks the device, then operations follow, each an opcode byte
 * and its operands (little-endian), until the input ends. */
#ifndef AXVM_FUZZ_VIRTQUEUE_H
#define AXVM_FUZZ_VIRTQUEUE_H

#define FV_GPA 0x10000u    /* guest RAM: FV_SIZE bytes from here */
#define FV_SIZE 0x10000u
#define FV_RING(q) (FV_GPA + 0x1000u + 0x4000u * (q)) /* desc; avail +0x1000; used +0x2000 */
#define FV_DISK 0x4000u    /* disk bytes */

enum fv_device {
	FV_BLK_MEM = 0,     /* virtio-blk over host memory */
	FV_BLK_BACKEND = 1, /* virtio-blk over callbacks */
	FV_CONSOLE = 2,
	FV_DEVICES
};

enum fv_op {
	FV_MMIO_WRITE = 0, /* off:2 width:1 value:4 */
	FV_MMIO_READ = 1,  /* off:2 width:1 */
	FV_MEM_WRITE = 2,  /* off:2 len:1 bytes:len (guest RAM offset, wraps) */
	FV_SETUP = 3,      /* flags:1 (bits 0-3 log2 num, bit 4 INDIRECT): Linux's probe */
	FV_DESC = 4,       /* q:1 idx:2 addr:8 len:4 flags:2 next:2 (into the FV_RING table) */
	FV_POST = 5,       /* q:1 head:2 (avail entry, idx + 1, notify) */
	FV_RX = 6,         /* len:1 bytes:len (console receive) */
	FV_RESET = 7,      /* VM reset of the device */
	FV_OPS
};

#endif
