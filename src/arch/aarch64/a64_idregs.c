/* SPDX-License-Identifier: Apache-2.0 */
/* The ID registers a guest reads (HCR_EL2.TID3 traps ID group 3 reads:
 * Op0 3, Op1 0, CRn 0, CRm 1-7). A guest sees the host CPU's values minus
 * the features this backend does not give it, so that an OS that believes
 * its ID registers (Linux does) never uses one: SVE and SME (their state
 * is not switched and CPTR_EL2 traps them), pointer authentication (keys
 * not switched; HCR_EL2.API/APK trap), MTE, MPAM, AMU, NMI, GCS, and the
 * PMU, statistical profiling, trace and branch records (MDCR_EL2 traps
 * their registers to read-as-zero). Read at every trap: boot-time only
 * for an OS, and nothing to keep per VM. */
#include <stdint.h>

#include "a64.h"

/* Reads the host's register by encoding; the assembler needs each one
 * spelled out, and reserved encodings in this space read as zero. */
#define MRS_ID(crm, op2)                                                      \
	case (crm) * 8 + (op2):                                               \
		__asm__ volatile("mrs %0, S3_0_C0_C" #crm "_" #op2 : "=r"(v)); \
		break;
#define MRS_ROW(crm)                                                          \
	MRS_ID(crm, 0) MRS_ID(crm, 1) MRS_ID(crm, 2) MRS_ID(crm, 3)          \
	MRS_ID(crm, 4) MRS_ID(crm, 5) MRS_ID(crm, 6) MRS_ID(crm, 7)

static uint64_t host_id_reg(uint32_t crm, uint32_t op2)
{
	uint64_t v = 0;

	switch (crm * 8 + op2) {
	MRS_ROW(1) MRS_ROW(2) MRS_ROW(3) MRS_ROW(4) MRS_ROW(5) MRS_ROW(6) MRS_ROW(7)
	default:
		break;
	}
	return v;
}

/* A 4-bit ID field at bit `lsb`. */
#define FIELD(lsb) (0xfull << (lsb))

uint64_t a64_guest_id_reg(uint32_t crm, uint32_t op2)
{
	uint64_t v;

	if (crm < 1 || crm > 7 || op2 > 7)
		return 0;
	v = host_id_reg(crm, op2);
	switch (crm * 8 + op2) {
	case 1 * 8 + 2: /* ID_DFR0_EL1 (AArch32 view): PerfMon */
		v &= ~FIELD(24);
		break;
	case 4 * 8 + 0: /* ID_AA64PFR0_EL1: SVE, MPAM, AMU */
		v &= ~(FIELD(32) | FIELD(40) | FIELD(44));
		break;
	case 4 * 8 + 1: /* ID_AA64PFR1_EL1: MTE, MPAM_frac, SME, NMI, GCS */
		v &= ~(FIELD(8) | FIELD(16) | FIELD(24) | FIELD(36) | FIELD(44));
		break;
	case 4 * 8 + 4: /* ID_AA64ZFR0_EL1 (SVE) */
	case 4 * 8 + 5: /* ID_AA64SMFR0_EL1 (SME) */
		v = 0;
		break;
	case 5 * 8 + 0: /* ID_AA64DFR0_EL1: TraceVer, PMUVer, PMSVer,
			 * TraceFilt, TraceBuffer, MTPMU, BRBE */
		v &= ~(FIELD(4) | FIELD(8) | FIELD(32) | FIELD(40) | FIELD(44) |
		       FIELD(48) | FIELD(52));
		break;
	case 6 * 8 + 1: /* ID_AA64ISAR1_EL1: APA, API, GPA, GPI */
		v &= ~(FIELD(4) | FIELD(8) | FIELD(24) | FIELD(28));
		break;
	case 6 * 8 + 2: /* ID_AA64ISAR2_EL1: GPA3, APA3 */
		v &= ~(FIELD(8) | FIELD(12));
		break;
	default:
		break;
	}
	return v;
}
