/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The test device (src/devices/testdev.c): what this project's test and
 * benchmark guests poke to check MMIO emulation. One 4 KiB-or-larger MMIO
 * window holding
 *   - scratch bytes at offset 0 (`scratch_len`, up to 256) any access
 *     width may read and write, little-endian;
 *   - a read-only block (`ro`, up to 16 bytes at `ro_off`): writes to it
 *     are refused with AXVM_EPERM;
 *   - at AXVM_TESTDEV_COUNTER, the number of guest accesses so far (read
 *     only; reset clears it).
 * Anything else is refused with AXVM_ENODEV; the VM's unhandled-access
 * policy decides what the guest sees. The caller owns the storage.
 */
#ifndef AXVM_TESTDEV_H
#define AXVM_TESTDEV_H

#include <stdatomic.h>

#include <axvm/device.h>
#include <axvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AXVM_TESTDEV_SCRATCH_MAX 256u
#define AXVM_TESTDEV_RO_MAX 16u
#define AXVM_TESTDEV_COUNTER 0x200u
#define AXVM_TESTDEV_SIZE 0x1000u

struct axvm_testdev_layout {
	uint32_t scratch_len; /* 0..AXVM_TESTDEV_SCRATCH_MAX */
	uint32_t ro_off;      /* at or past the scratch, ending by the counter */
	uint32_t ro_len;      /* 0..AXVM_TESTDEV_RO_MAX */
	const uint8_t *ro;    /* ro_len bytes, copied */
};

/* Fields are the model's. */
struct axvm_testdev {
	uint8_t scratch[AXVM_TESTDEV_SCRATCH_MAX];
	uint8_t ro[AXVM_TESTDEV_RO_MAX];
	uint32_t scratch_len, ro_off, ro_len;
	atomic_uint_fast64_t accesses; /* may miss one of two racing vCPUs */
};

/* The layout of docs/guest-abi-x86_64.md (the x86_64 mmio guest checks
 * the ISA's zero- and sign-extension rules against it): 64 bytes of
 * scratch, then a 16-byte read-only pattern at 0x40. */
extern const struct axvm_testdev_layout axvm_testdev_x86_layout;

/* Set `t` up with `layout` and clear it: AXVM_EINVAL if a part is too big
 * or the parts overlap (ro_off and ro_len multiples of 8 keep every
 * naturally aligned access inside one part). */
int axvm_testdev_init(struct axvm_testdev *t, const struct axvm_testdev_layout *layout);
/* Fill an MMIO descriptor for `t` at `base` (AXVM_TESTDEV_SIZE bytes, any
 * width, naturally aligned). */
int axvm_testdev_desc(struct axvm_testdev *t, uint64_t base, struct axvm_device_desc *desc);

#ifdef __cplusplus
}
#endif
#endif /* AXVM_TESTDEV_H */
