/* SPDX-License-Identifier: Apache-2.0 */
/* The input language of fuzz_devices, shared with its seed generator:
 * five set-up bytes (see setup_from() in fuzz_devices.c), then
 * operations, each an opcode byte FD_OP(kind, device, log2 width) and its
 * operands (little-endian), until the input ends. */
#ifndef AXVM_FUZZ_DEVICES_H
#define AXVM_FUZZ_DEVICES_H

enum fd_dev {
	FD_PL011, FD_NS_MMIO, FD_NS_PIO, FD_TESTDEV, FD_IVC0, FD_IVC1, FD_PLIC,
	FD_NONE, /* an address no device claims */
	FD_NDEV
};

enum fd_kind {
	FD_READ = 0,  /* off:2 reg:1 */
	FD_WRITE = 1, /* off:2 value:8 */
	FD_RAW = 2,   /* addr:8 width:1 value:8, any exit on the device's bus */
	FD_HOST = 3,  /* arg:4, a host call chosen by the device number */
	/* 4, 6: FD_READ; 5, 7: FD_WRITE */
};

#define FD_OP(kind, dev, log2w) ((unsigned)(kind) | (unsigned)(dev) << 3 | (unsigned)(log2w) << 6)

/* off:2 of FD_READ and FD_WRITE: a register number, or with FD_OFF_RAW
 * a byte offset. PLIC register numbers: */
#define FD_OFF_RAW 0x8000u
#define FD_PLIC_PRIO(s) (4u * (s))
#define FD_PLIC_PENDING 1u
#define FD_PLIC_ENABLE(c) (2u + 4u * (c))
#define FD_PLIC_THRESHOLD(c) (3u + 4u * (c))
#define FD_PLIC_CLAIM(c) (FD_PLIC_THRESHOLD(c) | 0x1000u)

#endif
