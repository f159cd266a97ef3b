/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding a trapped guest load/store for MMIO emulation. Pure C, no
 * hardware access, so it is unit-tested on the build host. */
#ifndef AXVM_RV_INSN_H
#define AXVM_RV_INSN_H

#include <stdbool.h>
#include <stdint.h>

struct rv_mmio_insn {
	uint8_t len;      /* 2 (compressed) or 4: how far to advance sepc */
	uint8_t width;    /* 1, 2, 4 or 8 bytes */
	bool store;
	bool sign_extend; /* loads: sign- (true) or zero-extend to 64 bits */
	uint8_t reg;      /* x-register: rd of a load, rs2 of a store (0..31) */
};

/* Decode a raw instruction (only the low 16 bits when compressed, i.e.
 * bits 1:0 != 0b11). 0, or AXVM_EINVAL when it is not an integer load or
 * store of RV64IC. */
int rv_insn_decode(uint32_t insn, struct rv_mmio_insn *out);

/* Decode htinst as written on a guest load/store page fault: 0;
 * AXVM_ENOENT when it is 0 (the caller fetches the instruction itself);
 * AXVM_EINVAL for the implicit-access pseudoinstructions or anything that
 * is not a transformed integer load/store. */
int rv_insn_from_htinst(uint64_t htinst, struct rv_mmio_insn *out);

#endif /* AXVM_RV_INSN_H */
