/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding a trapped guest load/store for MMIO emulation. Pure C, no
 * hardware access, so it is unit-tested on the build host. */
#ifndef AXVM_RV_INSN_H
#define AXVM_RV_INSN_H

#include <stdbool.h>
#include <stdint.h>

/* 8-byte aligned so a copy (rv_exit.c keeps the last decode) is two
 * loads and stores, not a call to the bare-metal libc's byte memcpy. */
struct rv_mmio_insn {
	_Alignas(8) uint8_t len; /* 2 (compressed) or 4: how far to advance sepc */
	uint8_t width;    /* 1, 2, 4 or 8 bytes */
	bool store;
	bool sign_extend; /* loads: sign- (true) or zero-extend to 64 bits */
	uint8_t reg;      /* x-register: rd of a load, rs2 of a store (0..31) */
	/* Where the access starts: x[rs1] + imm for an instruction read from
	 * memory. A transformed htinst has no immediate and carries, in the
	 * rs1 field, the distance from the start to the faulting address. */
	bool transformed;
	uint8_t rs1;      /* base register, or (transformed) that distance */
	int16_t imm;      /* -2048..2047, or a compressed form's 0..504 */
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

/* What the host may do with a decoded access whose faulting guest-virtual
 * address (stval) is `fault_va`, the guest's registers being `x`. Sets
 * *va to the address the access starts at, and returns:
 *  0 (RV_ACCESS_EMULATE): naturally aligned, it faulted at its start;
 *  RV_ACCESS_MISALIGNED: not naturally aligned (the guest takes the
 *    address-misaligned exception with tval = *va);
 *  AXVM_EINVAL: the fault is not inside this access, so the decoded
 *    instruction is not the one that trapped (rewritten since, say). */
#define RV_ACCESS_EMULATE 0
#define RV_ACCESS_MISALIGNED 1
int rv_insn_check_access(const struct rv_mmio_insn *in, const uint64_t x[32],
			 uint64_t fault_va, uint64_t *va);

#endif /* AXVM_RV_INSN_H */
