/* SPDX-License-Identifier: Apache-2.0 */
/* System-register accessors for the AArch64 backend: one static inline
 * read/write pair per register, so call sites stay plain C. */
#ifndef AXVM_A64_SYSREG_H
#define AXVM_A64_SYSREG_H

#include <stdint.h>

#define A64_SYSREG_R(name)                                                    \
	static inline uint64_t rd_##name(void)                                \
	{                                                                     \
		uint64_t v;                                                   \
		__asm__ volatile("mrs %0, " #name : "=r"(v));                 \
		return v;                                                     \
	}
#define A64_SYSREG_W(name)                                                    \
	static inline void wr_##name(uint64_t v)                              \
	{                                                                     \
		__asm__ volatile("msr " #name ", %x0" ::"rZ"(v) : "memory");   \
	}
#define A64_SYSREG_RW(name) A64_SYSREG_R(name) A64_SYSREG_W(name)

/* EL2 control */
A64_SYSREG_RW(hcr_el2)
A64_SYSREG_RW(vttbr_el2)
A64_SYSREG_RW(vtcr_el2)
A64_SYSREG_RW(vmpidr_el2)
A64_SYSREG_RW(vpidr_el2)
A64_SYSREG_RW(cptr_el2)
A64_SYSREG_RW(mdcr_el2)
A64_SYSREG_RW(cnthctl_el2)
A64_SYSREG_RW(cntvoff_el2)
A64_SYSREG_RW(vbar_el2)
A64_SYSREG_RW(daif)
A64_SYSREG_R(esr_el2)
A64_SYSREG_R(far_el2)
A64_SYSREG_R(hpfar_el2)
A64_SYSREG_R(midr_el1)
A64_SYSREG_R(id_aa64mmfr0_el1)

/* EL1 state a guest owns (switched at bind/unbind) */
A64_SYSREG_RW(sctlr_el1)
A64_SYSREG_RW(cpacr_el1)
A64_SYSREG_RW(ttbr0_el1)
A64_SYSREG_RW(ttbr1_el1)
A64_SYSREG_RW(tcr_el1)
A64_SYSREG_RW(esr_el1)
A64_SYSREG_RW(afsr0_el1)
A64_SYSREG_RW(afsr1_el1)
A64_SYSREG_RW(far_el1)
A64_SYSREG_RW(mair_el1)
A64_SYSREG_RW(amair_el1)
A64_SYSREG_RW(vbar_el1)
A64_SYSREG_RW(contextidr_el1)
A64_SYSREG_RW(tpidr_el0)
A64_SYSREG_RW(tpidrro_el0)
A64_SYSREG_RW(tpidr_el1)
A64_SYSREG_RW(cntkctl_el1)
A64_SYSREG_RW(par_el1)
A64_SYSREG_RW(sp_el0)
A64_SYSREG_RW(sp_el1)
A64_SYSREG_RW(elr_el1)
A64_SYSREG_RW(spsr_el1)
A64_SYSREG_RW(csselr_el1)

/* Generic timer */
A64_SYSREG_R(cntfrq_el0)
A64_SYSREG_R(cntvct_el0)
A64_SYSREG_R(cntpct_el0)
A64_SYSREG_RW(cntv_ctl_el0)
A64_SYSREG_RW(cntv_cval_el0)

/* GICv3 virtual interface */
A64_SYSREG_RW(icc_pmr_el1)
A64_SYSREG_R(icc_hppir1_el1)
A64_SYSREG_RW(ich_hcr_el2)
A64_SYSREG_R(ich_vtr_el2)
A64_SYSREG_RW(ich_vmcr_el2)
A64_SYSREG_R(ich_elrsr_el2)
A64_SYSREG_R(ich_misr_el2)
A64_SYSREG_R(ich_eisr_el2)
A64_SYSREG_RW(ich_ap0r0_el2)
A64_SYSREG_RW(ich_ap0r1_el2)
A64_SYSREG_RW(ich_ap0r2_el2)
A64_SYSREG_RW(ich_ap0r3_el2)
A64_SYSREG_RW(ich_ap1r0_el2)
A64_SYSREG_RW(ich_ap1r1_el2)
A64_SYSREG_RW(ich_ap1r2_el2)
A64_SYSREG_RW(ich_ap1r3_el2)

static inline void a64_isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}

static inline void a64_dsb_ish(void)
{
	__asm__ volatile("dsb ish" ::: "memory");
}

static inline void a64_dsb_ishst(void)
{
	__asm__ volatile("dsb ishst" ::: "memory");
}

/* Mask D, A, I, F; return the previous DAIF for restore. */
static inline uint64_t a64_irq_save(void)
{
	uint64_t f = rd_daif();
	__asm__ volatile("msr daifset, #0xf" ::: "memory");
	return f;
}

#endif /* AXVM_A64_SYSREG_H */
