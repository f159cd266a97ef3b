/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ID registers a guest reads. HCR_EL2.TID3 traps ID group 3 reads
 * (Op0 3, Op1 0, CRn 0, CRm 1-7); the backend answers with the host CPU's
 * value minus the features it does not give guests, so that an OS that
 * believes its ID registers (Linux does) never uses one. The filtering is
 * plain arithmetic, unit-tested on the build host
 * (tests/unit/test_a64_idregs.c); reading the host's register is
 * a64_idregs_hw.c.
 */
#ifndef AXVM_A64_IDREGS_H
#define AXVM_A64_IDREGS_H

#include <stdint.h>

/* The guest's view of ID register (3, 0, 0, crm, op2) whose host value is
 * `host`: 0 outside CRm 1-7 / Op2 0-7. */
uint64_t a64_id_sanitize(uint32_t crm, uint32_t op2, uint64_t host);

/* The same, reading the host's register (a64_idregs_hw.c; EL2 only). */
uint64_t a64_guest_id_reg(uint32_t crm, uint32_t op2);

#endif
