/* SPDX-License-Identifier: Apache-2.0 */
/* The input language of fuzz_svm_insn, shared with its seed generator:
 * one byte choosing the code size, then the instruction bytes as fetched
 * (at most FI_MAX_BYTES; any more are ignored). */
#ifndef AXVM_FUZZ_SVM_INSN_H
#define AXVM_FUZZ_SVM_INSN_H

/* The first byte modulo 3: svm_insn_decode's `code`. */
enum fi_code {
	FI_CODE64 = 0, /* 64-bit mode, code 8 */
	FI_CODE32 = 1, /* 32-bit code, code 4 */
	FI_CODE16 = 2, /* 16-bit code, code 2 */
};

/* The most an x86 instruction is, and what the exit path fetches. */
#define FI_MAX_BYTES 15u

#endif
