/* SPDX-License-Identifier: Apache-2.0 */
/* Offsets shared by rv_entry.S and rv.h (whose static asserts check them). */
#ifndef AXVM_RV_OFFSETS_H
#define AXVM_RV_OFFSETS_H

#define RV_REGS_SEPC 256
#define RV_REGS_SSTATUS 264
#define RV_REGS_HSTATUS 272
#define RV_REGS_SCAUSE 280
#define RV_REGS_STVAL 288
#define RV_REGS_HTVAL 296
#define RV_REGS_HTINST 304
#define RV_REGS_HOST_SP 312
#define RV_REGS_HOST_STVEC 320
#define RV_REGS_HOST_RA 328
#define RV_REGS_HOST_S0 336
#define RV_REGS_HOST_GP 344
#define RV_REGS_HOST_TP 352
#define RV_FP_FCSR 256

#endif /* AXVM_RV_OFFSETS_H */
