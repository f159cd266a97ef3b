/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostile: guest input the hypervisor must survive. Garbage PSCI and SMCCC
 * arguments, SGIs to nobody, every GIC register offset at every width,
 * trapped registers nobody emulates, addresses past the end of RAM and of
 * the IPA space, and instructions the VM does not offer (which must come
 * back to the guest as Undefined Instruction, not stop the VM).
 */
#include "guest.h"

static volatile uint64_t last_esr;
static volatile uint32_t undefs;

static uint64_t on_sync(uint64_t esr, uint64_t elr, uint64_t far)
{
	(void)far;
	last_esr = esr;
	undefs = undefs + 1;
	return elr + 4; /* skip the offending instruction */
}

int main(uint64_t dtb);
int main(uint64_t dtb)
{
	(void)dtb;
	gputs("hostile: garbage in, hypervisor still up\n");

	/* PSCI / SMCCC with nonsense arguments. */
	check_eq((uint64_t)hvc(PSCI_AFFINITY_INFO, UINT64_MAX, 0, 0), (uint64_t)-2,
		 "AFFINITY_INFO(~0)");
	check_eq((uint64_t)hvc(PSCI_CPU_ON, 0, 0x40080000, 0), (uint64_t)-4,
		 "CPU_ON(self) is ALREADY_ON");
	check_eq((uint64_t)hvc(0x84000003u, 0x100000001ull, 0x41000000, 0), (uint64_t)-9,
		 "CPU_ON32 uses 32-bit arguments");
	check_eq((uint64_t)hvc(PSCI_CPU_ON, 1, 0x40080002, 0), (uint64_t)-9,
		 "CPU_ON with a misaligned entry");
	check_eq((uint64_t)hvc(0x8400001fu, 1, 2, 3), (uint64_t)-1, "unknown PSCI id");
	check_eq((uint64_t)hvc(0xc400ffffu, 1, 2, 3), (uint64_t)-1, "unknown standard service");
	check_eq((uint64_t)hvc(0xffffffffu, 1, 2, 3), (uint64_t)-1, "hypercall ~0 is unknown");
	check_eq((uint64_t)smc(0x12345678u, 1, 2, 3), (uint64_t)-1, "random SMC");
	{
		register uint64_t x0 __asm__("x0") = HC_ADD;
		register uint64_t x1 __asm__("x1") = 2;
		register uint64_t x2 __asm__("x2") = 3;
		register uint64_t x3 __asm__("x3") = 0, x4 __asm__("x4") = 0,
				      x5 __asm__("x5") = 0, x6 __asm__("x6") = 0;
		__asm__ volatile("hvc #0xffff"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6)
				 :: "memory");
		uint64_t r0 = x0, r1 = x1; /* before any call clobbers them */
		check_eq(r0, 5, "HVC immediate is ignored");
		check_eq(r1, 2, "HVC leaves X1 alone");
	}

	/* SGIs to vCPUs that do not exist, and to all (vCPU 1 is off). */
	uint64_t sgis[] = { 0xffffull | 0xffull << 16 | 0xfull << 24 | 0xfull << 44,
			    0x8000ull | 0x01ull << 16 | 5ull << 24, 1ull << 40 | 2ull << 24,
			    UINT64_MAX };
	for (unsigned i = 0; i < sizeof(sgis) / sizeof(sgis[0]); i++)
		__asm__ volatile("msr icc_sgi1r_el1, %0; isb" ::"r"(sgis[i]));
	__asm__ volatile("msr icc_sgi0r_el1, %0; msr icc_asgi1r_el1, %0; isb" ::"r"(UINT64_MAX));
	check(true, "SGIs to nobody");

	/* Every 32-bit GIC register, read and written with ones; then the
	 * 8-byte and 1-byte views of a few. The vGIC must only stay sane. */
	for (uintptr_t off = 0; off < 0x10000; off += 4) {
		if (off == 0x0 || (off >= 0x100 && off < 0x200))
			continue; /* keep CTLR and the enables for the checks below */
		(void)r32(GICD_BASE + off);
		w32(GICD_BASE + off, 0xffffffffu);
	}
	for (uintptr_t off = 0; off < 2 * GICR_STRIDE; off += 4) {
		(void)r32(GICR_BASE + off);
		w32(GICR_BASE + off, 0xffffffffu);
	}
	for (uintptr_t off = 0x6000; off < 0x7000; off += 8) {
		(void)r64(GICD_BASE + off);
		w64(GICD_BASE + off, UINT64_MAX);
	}
	for (uintptr_t off = 0x400; off < 0x800; off++)
		w8(GICD_BASE + off, 0xff);
	/* A narrow load fills only its width, whatever the register holds
	 * (IROUTER: all ones now); LDRB/LDRH zero-extend into the register. */
	uint64_t narrow[2];
	__asm__ volatile("ldrb %w0, [%2]\n\tldrh %w1, [%2]"
			 : "=&r"(narrow[0]), "=&r"(narrow[1])
			 : "r"(GICD_BASE + 0x6100)
			 : "memory");
	check(narrow[0] <= 0xff && narrow[1] <= 0xffff, "IROUTER's byte and halfword loads");
	check_eq(r32(GICD_BASE + 0xffe8) >> 4 & 0xf, 3, "GICD still a GICv3");
	check_eq(r64(GICR_BASE + GICR_STRIDE + 8) >> 32, 1, "GICR1 affinity intact");
	/* Past the last redistributor: ordinary unclaimed MMIO. */
	check_eq(r32(GICR_BASE + 2 * GICR_STRIDE + 8), 0, "no third redistributor");

	/* Registers that trap and that nobody emulates read as zero. */
	uint64_t v = 1;
	__asm__ volatile("mrs %0, pmcr_el0" : "=r"(v));
	check_eq(v, 0, "PMCR_EL0 (trapped PMU register)");
	__asm__ volatile("msr pmcr_el0, %0" ::"r"(UINT64_MAX));
	v = 1;
	__asm__ volatile("mrs %0, mdscr_el1" : "=r"(v));
	check_eq(v, 0, "MDSCR_EL1 (trapped debug register)");
	v = 1;
	__asm__ volatile("mrs %0, cntp_ctl_el0" : "=r"(v));
	check_eq(v, 0, "CNTP_CTL_EL0 (physical timer is not the guest's)");
	__asm__ volatile("msr cntp_ctl_el0, %0; msr cntp_cval_el0, %0" ::"r"(UINT64_MAX));
	/* An implementation-defined register: trapped (TIDCP) and read as
	 * zero, or undefined where the CPU model decodes it at EL1 first. */
	sync_hook = on_sync;
	v = 0;
	__asm__ volatile("mrs %0, s3_0_c15_c0_0" : "+r"(v));
	check(v == 0, "an implementation-defined register (TIDCP)");
	sync_hook = NULL;
	undefs = 0;
	__asm__ volatile("mrs xzr, actlr_el1; msr actlr_el1, xzr");
	__asm__ volatile("mrs %0, actlr_el1" : "=r"(v));
	check_eq(v, 0, "msr actlr_el1, xzr writes zero");

	/* Past RAM, past the 40-bit IPA space: unclaimed, reads zero. */
	check_eq(r32(0x41000000), 0, "just past RAM");
	check_eq(r32(0x10000001000ull), 0, "past the 40-bit IPA space");

	/* Instructions the VM does not offer come back as Undefined. */
	sync_hook = on_sync;
	uint64_t cpacr = 3ull << 20 | 3ull << 16; /* FPEN, ZEN: no EL1 trap */
	__asm__ volatile("msr cpacr_el1, %0; isb" ::"r"(cpacr));
	__asm__ volatile(".inst 0x04a03000" ::: "memory"); /* SVE: index z0.s, #0, #0 */
	check_eq(undefs, 1, "SVE instruction is undefined");
	check_eq(last_esr >> 26, 0, "as an unknown-reason exception");
	uint64_t sctlr;
	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	__asm__ volatile("msr sctlr_el1, %0; isb" ::"r"(sctlr | 1ull << 31)); /* EnIA */
	__asm__ volatile(".inst 0xdac10020" ::: "x0", "memory"); /* pacia x0, x1 */
	__asm__ volatile("msr sctlr_el1, %0; isb" ::"r"(sctlr));
	check_eq(undefs, 2, "pointer authentication is undefined");
	sync_hook = NULL;

	/* WFE is not trapped: it returns (event or spurious), the VM goes on. */
	__asm__ volatile("sevl; wfe; wfe" ::: "memory");
	check(true, "WFE returns");
	done("hostile");
}

void secondary_main(uint64_t ctx);
void secondary_main(uint64_t ctx)
{
	(void)ctx;
}
