/* SPDX-License-Identifier: Apache-2.0 */
/* The input language of fuzz_rv_insn, shared with its seed generator:
 * cases, each an opcode byte and its operands (little-endian), until the
 * input ends. The registers start every input as FI_REG(r), x0 as 0.
 *
 * Each case:
 *   op:1       FI_* flags below
 *   [r:1 v:8]  with FI_SET_REG: x[r % 32] = v first (x0 stays 0, as the
 *              caller keeps it)
 *   word:4     the instruction word, and bits 31:0 of the htinst value
 *   [hi:4]     with FI_HTINST_HI: bits 63:32 of the htinst value (else 0)
 *   fault      with FI_NEAR: d:1, the anchor plus d as a signed byte; the
 *              anchor is where the model says the word's access starts
 *              (x[rs1] + imm), x1 when it is no load or store or the
 *              htinst decode is checked (whose start follows from the
 *              fault). Else va:8, the faulting address itself.
 * Both decodes are checked every case; the access check takes the one
 * FI_HTINST picks, when it decoded.
 */
#ifndef AXVM_FUZZ_RV_INSN_H
#define AXVM_FUZZ_RV_INSN_H

#define FI_HTINST 0x01u    /* the access is checked for the htinst decode */
#define FI_NEAR 0x02u      /* the fault is a byte away from the anchor */
#define FI_HTINST_HI 0x04u /* htinst bits 63:32 follow the word */
#define FI_SET_REG 0x08u   /* a register is set before the case */

/* Every register's value at the start of an input: 4 KiB apart, in
 * something like RAM, so that an immediate of 0 gives an aligned access. */
#define FI_REG(r) (0x80000000ull + ((unsigned long long)(r) << 12))

#endif
