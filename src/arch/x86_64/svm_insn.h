/* SPDX-License-Identifier: Apache-2.0 */
/* The x86 instructions an MMIO access may be, decoded from the guest's
 * bytes (64-bit mode, or 32- and 16-bit code): MOV to and from memory (88, 89, 8A, 8B, C6, C7),
 * MOV with an absolute address (A0..A3), MOVZX/MOVSX (0F B6/B7/BE/BF) and
 * MOVSXD (63, 64-bit mode only, with a 32- or 64-bit destination).
 * Anything else is refused: the guest is stopped with a reason, never
 * emulated wrongly. Refused although a CPU runs them (no compiler emits
 * them): a REX byte not right before the opcode (the CPU ignores it), and
 * 66 63, MOVSXD into a 16-bit register. */
#ifndef AXVM_SVM_INSN_H
#define AXVM_SVM_INSN_H

#include <stdbool.h>
#include <stdint.h>

struct svm_insn {
	uint8_t len;      /* bytes, prefixes included */
	bool write;       /* memory is the destination */
	uint8_t width;    /* memory access: 1, 2, 4, 8 */
	/* A write's source is `imm` when has_imm, else GPR `reg`; a read's
	 * destination is GPR `reg`. */
	bool has_imm;
	uint64_t imm;
	uint8_t reg;      /* GPR number 0..15 */
	bool high;        /* AH, CH, DH, BH: bits 15:8 of GPR reg */
	uint8_t dst_size; /* read: the destination register's size */
	bool sign_extend; /* read: MOVSX/MOVSXD */
};

/* Which legacy prefixes (any order) b[0..n) starts with. */
struct svm_prefixes {
	bool osz; /* 0x66: operand size */
	bool asz; /* 0x67: address size */
	bool rep; /* F2 or F3 */
	uint8_t seg; /* the last segment override: 1 + SVM_SEG_*, 0 for none */
};

/* Segment registers in the hardware's order (the VMCB's, EXITINFO1's). */
enum { SVM_SEG_ES, SVM_SEG_CS, SVM_SEG_SS, SVM_SEG_DS, SVM_SEG_FS, SVM_SEG_GS };

/* How many legacy prefix bytes b[0..n) starts with; *p says which. */
unsigned svm_insn_prefixes(const uint8_t *b, unsigned n, struct svm_prefixes *p);

/* The address size in bytes of an instruction in code of `code` bytes
 * (as below), with or without 0x67: 0x67 swaps 32 and 16 bits, 64-bit
 * mode addresses with 64. */
static inline unsigned svm_insn_asize(unsigned code, bool asz)
{
	if (code == 8)
		return asz ? 4 : 8;
	return (code == 4) != asz ? 4 : 2;
}

/* 0, or AXVM_EINVAL for bytes that are not one of the instructions above
 * (or are cut short: `n` is how many bytes could be fetched). `code` is
 * the code's size in bytes: 8 in 64-bit mode, else 4 or 2 (the code
 * segment's default operand and address size, CS.D). */
int svm_insn_decode(const uint8_t *b, unsigned n, unsigned code, struct svm_insn *out);

#endif
