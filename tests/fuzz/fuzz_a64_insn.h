/* SPDX-License-Identifier: Apache-2.0 */
/* The input of fuzz_a64_insn, shared with its seed generator: fields in
 * this order, little-endian; bytes past the input's end read as zero. */
#ifndef AXVM_FUZZ_A64_INSN_H
#define AXVM_FUZZ_A64_INSN_H

/*
 * insn:4            the word at the guest's PC
 * pc:8 sp:8         the instruction's address, the stack pointer
 * x:8 * 31          X0..X30
 * mode:1            the fault the word is decoded for (FI_* below)
 * far:8             FAR_EL2, or (FI_NEAR) a signed byte off the access
 * hpfar:8           HPFAR_EL2
 * start_ipa:8       the access start's IPA page (unless FI_SAME_PAGE)
 */
#define FI_NR_X 31u

#define FI_SAS 0x03u       /* the access is 1 << SAS bytes wide ... */
#define FI_NO_ISV 0x04u    /* ... unless there is no syndrome (width 0) */
#define FI_NEAR 0x08u      /* FAR is the decoded address + (int8_t)far */
#define FI_SAME_PAGE 0x10u /* the start translates to HPFAR's page */

#endif
