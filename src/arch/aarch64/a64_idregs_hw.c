/* SPDX-License-Identifier: Apache-2.0 */
/* Reads the host's ID group 3 registers for a64_id_sanitize()
 * (a64_idregs.h). At every trap: an OS reads them at boot, and there is
 * nothing to keep per VM. */
#include <stdint.h>

#include "a64_idregs.h"

/* The assembler needs each encoding spelled out; reserved encodings in
 * this space read as zero. */
#define MRS_ID(crm, op2)                                                      \
	case (crm) * 8 + (op2):                                               \
		__asm__ volatile("mrs %0, S3_0_C0_C" #crm "_" #op2 : "=r"(v)); \
		break;
#define MRS_ROW(crm)                                                          \
	MRS_ID(crm, 0) MRS_ID(crm, 1) MRS_ID(crm, 2) MRS_ID(crm, 3)          \
	MRS_ID(crm, 4) MRS_ID(crm, 5) MRS_ID(crm, 6) MRS_ID(crm, 7)

uint64_t a64_guest_id_reg(uint32_t crm, uint32_t op2)
{
	uint64_t v = 0;

	if (crm < 1 || crm > 7 || op2 > 7)
		return 0;
	switch (crm * 8 + op2) {
	MRS_ROW(1) MRS_ROW(2) MRS_ROW(3) MRS_ROW(4) MRS_ROW(5) MRS_ROW(6) MRS_ROW(7)
	default:
		break;
	}
	return a64_id_sanitize(crm, op2, v);
}
