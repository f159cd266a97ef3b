/* SPDX-License-Identifier: Apache-2.0 */
/* What a guest's ID registers hide (a64_idregs.h): EL2 and AArch32 at EL1,
 * SVE and SME (their
 * state is not switched and CPTR_EL2 traps them), pointer authentication
 * (keys not switched; HCR_EL2.API/APK trap), MTE, MPAM, AMU, NMI, GCS, and
 * the PMU, statistical profiling, trace and branch records (MDCR_EL2 traps
 * their registers to read-as-zero). A hidden feature's field reads 0, "not
 * implemented", in every register that has one. */
#include "a64_idregs.h"

/* A 4-bit ID field at bit `lsb`. */
#define FIELD(lsb) (0xfull << (lsb))

uint64_t a64_id_sanitize(uint32_t crm, uint32_t op2, uint64_t v)
{
	if (crm < 1 || crm > 7 || op2 > 7)
		return 0;
	switch (crm * 8 + op2) {
	case 1 * 8 + 2: /* ID_DFR0_EL1 (AArch32 view): PerfMon */
		return v & ~FIELD(24);
	case 4 * 8 + 0: /* ID_AA64PFR0_EL1: SVE, MPAM, AMU; EL2 is not
			 * the guest's (0); EL1 is AArch64 only (HCR_EL2.RW, 1) */
		v &= ~(FIELD(32) | FIELD(40) | FIELD(44) | FIELD(8));
		return (v & ~FIELD(4)) | (1ull << 4);
	case 4 * 8 + 1: /* ID_AA64PFR1_EL1: MTE, MPAM_frac, SME, NMI, GCS */
		return v & ~(FIELD(8) | FIELD(16) | FIELD(24) | FIELD(36) | FIELD(44));
	case 4 * 8 + 4: /* ID_AA64ZFR0_EL1 (SVE) */
	case 4 * 8 + 5: /* ID_AA64SMFR0_EL1 (SME) */
		return 0;
	case 5 * 8 + 0: /* ID_AA64DFR0_EL1: TraceVer, PMUVer, PMSVer,
			 * TraceFilt, TraceBuffer, MTPMU, BRBE */
		return v & ~(FIELD(4) | FIELD(8) | FIELD(32) | FIELD(40) | FIELD(44) |
			     FIELD(48) | FIELD(52));
	case 6 * 8 + 1: /* ID_AA64ISAR1_EL1: APA, API, GPA, GPI */
		return v & ~(FIELD(4) | FIELD(8) | FIELD(24) | FIELD(28));
	case 6 * 8 + 2: /* ID_AA64ISAR2_EL1: GPA3, APA3 */
		return v & ~(FIELD(8) | FIELD(12));
	default:
		return v;
	}
}
