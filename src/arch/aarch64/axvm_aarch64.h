/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AArch64 EL2 backend (axvm_arch_aarch64): what a port and a host
 * program need beyond arch.h. Register ids for axvm_vcpu_get/set_gpr, the
 * system-register ids used on the SYSREG bus, and the guest-physical map of
 * the emulated GICv3. The guest-side contract is docs/guest-abi-aarch64.md.
 *
 * Host requirements (what the port must have done before the first bind):
 *  - running at EL2, non-VHE (HCR_EL2.E2H = 0), on SP_EL2 (SPSel = 1);
 *  - GICv3 system-register interface at EL2: ICC_SRE_EL2.SRE = 1 and
 *    ICC_SRE_EL2.Enable = 1 (lets guests use their ICC_* registers);
 *  - PPIs 25 (GIC maintenance) and 27 (EL1 virtual timer) enabled as Group 1
 *    in the host GIC, so they make the guest exit; the backend keeps both
 *    quiet whenever the host runs, so the host's handler never sees them;
 *  - PPI 27 at a priority value >= 0xf0 (the lowest) and every interrupt
 *    the host itself handles below 0xf0: while a guest's timer interrupt
 *    is being handled by the guest, the backend runs it with ICC_PMR_EL1 =
 *    0xf0 so the timer's still-high level does not cause exits (unless it
 *    is HW-mapped, see axvm_a64_set_ppi_active). PPI 27 must also be below
 *    the host's own mask as the GIC keeps it: QEMU's keeps 5 priority bits,
 *    so PMR 0xff reads back 0xf8 and a PPI at 0xf8 is never signalled
 *    (0xf0 works);
 *  - HCR_EL2.IMO = 1 while the host runs (its own IRQs taken at EL2);
 *  - no FP/SIMD use in EL2 host code on a pCPU once a vCPU has been bound
 *    there (guest FP state stays live in the registers between bind and
 *    unbind, and CPTR_EL2.TFP stays set after it);
 *  - the EL2 controls the backend sets for guests stay as it left them
 *    once a vCPU has been bound on a pCPU: HCR_EL2, CPTR_EL2, MDCR_EL2,
 *    CNTHCTL_EL2, VTCR_EL2, VPIDR_EL2 and ICH_HCR_EL2 (0) are written at
 *    the first bind there and not given back at unbind (non-VHE, their
 *    guest values govern only EL1 and EL0, apart from CPTR's FP, SVE and
 *    SME traps, and the guest HCR_EL2 routes IRQs, FIQs and SErrors to
 *    EL2 as the host's own must). A bind finds them in place by reading
 *    HCR_EL2: a host that wants its own values back, or sets a pCPU up
 *    again (after a power-down), writes its own HCR_EL2 first (any value
 *    but the backend's), and the next bind there writes them all again.
 *    VTTBR_EL2 is 0 (VMID 0, which no VM gets) while no vCPU is bound;
 *  - stage-1 MMU and data cache on at EL2 (the backend writes stage-2
 *    tables through the cache; the walker reads them cacheable).
 * The backend masks interrupts around the world switch itself and restores
 * the caller's DAIF afterwards, so pending host IRQs are taken right after
 * an exit through the host's VBAR_EL2. That may be the backend's own table,
 * axvm_a64_vectors, kept there for good: its current-EL entries branch to
 * the host's axvm_a64_host_sync, _irq, _fiq and _serror (assembly, entered
 * as a vector is; without them the pCPU stops), so a host needs no 2 KiB
 * table of its own.
 */
#ifndef AXVM_AARCH64_H
#define AXVM_AARCH64_H

#include <axvm/arch.h>
#include <axvm/backends.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The backend's EL2 vector table (2 KiB-aligned; see above). */
extern char axvm_a64_vectors[];

/* Register ids (axvm_vcpu_get_gpr / axvm_vcpu_set_gpr). */
#define AXVM_A64_REG_X(n) ((uint32_t)(n)) /* X0..X30 */
#define AXVM_A64_REG_XZR 31u              /* reads 0, writes ignored */
#define AXVM_A64_REG_PC 32u               /* where the guest resumes */
#define AXVM_A64_REG_PSTATE 33u           /* SPSR_EL2 image of PSTATE */
#define AXVM_A64_REG_SP_EL0 34u
#define AXVM_A64_REG_SP_EL1 35u
/* Write-only pseudo register: a core result written here lands in X0 as
 * the matching PSCI return code (CPU_ON's 0 / AXVM_E*, AFFINITY_INFO's
 * enum axvm_cpu_status). */
#define AXVM_A64_REG_PSCI_RET 0x100u

/* Address of a system register on the SYSREG bus and in SYSREG exits.
 * The bus is addressed like memory (an access of width w covers w
 * addresses), so each 64-bit register gets an 8-byte slot: the 16-bit
 * MRS/MSR operand encoding op0:op1:CRn:CRm:op2 times 8. A device serving
 * one register registers base AXVM_A64_SYSREG(...) and size 8. */
#define AXVM_A64_SYSREG(op0, op1, crn, crm, op2)                              \
	((uint64_t)(((op0) << 14) | ((op1) << 11) | ((crn) << 7) |            \
		    ((crm) << 3) | (op2)) << 3)
#define AXVM_A64_SYSREG_ACTLR_EL1 AXVM_A64_SYSREG(3, 0, 1, 0, 1)

/* Guest-physical map of the emulated GICv3 (QEMU virt's addresses). */
#define AXVM_A64_GICD_BASE 0x08000000u
#define AXVM_A64_GICD_SIZE 0x10000u
#define AXVM_A64_GICR_BASE 0x080A0000u
#define AXVM_A64_GICR_STRIDE 0x20000u /* RD_base + SGI_base frames */

/* Interrupt ids (INTIDs) the emulated GIC knows. */
#define AXVM_A64_NR_SPIS 64u                    /* SPIs 32 .. 95 */
#define AXVM_A64_NR_IRQS (32u + AXVM_A64_NR_SPIS)
#define AXVM_A64_IRQ_VTIMER 27u                 /* EL1 virtual timer PPI */
#define AXVM_A64_IRQ_MAINT 25u                  /* host: GIC maintenance */

/* Codes in a SYSTEM_DOWN exit from PSCI. */
#define AXVM_A64_DOWN_OFF 0u   /* PSCI SYSTEM_OFF */
#define AXVM_A64_DOWN_RESET 1u /* PSCI SYSTEM_RESET */

/* The guest MPIDR of vCPU `index`: Aff0 = index % 16, Aff1 = index / 16. */
uint64_t axvm_a64_vcpu_mpidr(uint32_t index);

/*
 * Optional, set once before the first bind: how the backend sets and
 * clears the physical active state of a PPI on the calling pCPU (the port
 * writes its own redistributor's GICR_ISACTIVER0 / GICR_ICACTIVER0; called
 * with interrupts masked). With it the guest's virtual timer interrupt is
 * mapped to the physical one, as KVM does: its list register carries the
 * HW bit and pINTID 27, the physical PPI is held active while the guest
 * has it, and the guest's own deactivation ends both, so a timer tick
 * costs one exit (the PPI), not two (the PPI and an EOI maintenance
 * interrupt). Without it (NULL, the default) the backend asks for the
 * maintenance interrupt. Returns 0.
 */
typedef void (*axvm_a64_ppi_active_fn)(uint32_t intid, bool active);
int axvm_a64_set_ppi_active(axvm_a64_ppi_active_fn fn);

/*
 * Optional, set once before the first bind: true if the HAL's now_ns() is
 * the physical counter in nanoseconds, floor(CNTPCT_EL0 * 1e9 / CNTFRQ_EL0)
 * (the bare-metal port's time). A halted vCPU's timer deadline is then the
 * time of the counter tick its CVAL names, worked out from CVAL and the
 * VM's counter offset alone: exact, where the general way (the ticks left,
 * added to a now_ns() read made after the counter read) lands on the next
 * tick whenever the two reads straddle one. Default false. Returns 0.
 */
int axvm_a64_set_time_is_counter(bool on);

#ifdef __cplusplus
}
#endif
#endif /* AXVM_AARCH64_H */
