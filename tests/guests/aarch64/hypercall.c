/* SPDX-License-Identifier: Apache-2.0 */
/* hypercall: PSCI queries answered by the backend, the kernel's own
 * hypercalls, trapped SMCs, and hostile PSCI arguments. */
#include "guest.h"

int main(uint64_t dtb);
int main(uint64_t dtb)
{
	(void)dtb;
	check_eq((uint64_t)hvc(PSCI_VERSION, 0, 0, 0), 0x10000, "PSCI_VERSION is 1.0");
	check_eq((uint64_t)hvc(PSCI_FEATURES, PSCI_CPU_ON, 0, 0), 0, "PSCI_FEATURES(CPU_ON)");
	check_eq((uint64_t)hvc(PSCI_FEATURES, 0x8400001f, 0, 0), (uint64_t)-1,
		 "PSCI_FEATURES(unknown) is NOT_SUPPORTED");
	check_eq((uint64_t)hvc(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0), 2, "MIGRATE_INFO_TYPE");
	/* SMCCC 1.1, as Linux discovers it: PSCI_FEATURES(SMCCC_VERSION),
	 * then VERSION, then ARCH_FEATURES of each call it would make. */
	check_eq((uint64_t)hvc(PSCI_FEATURES, 0x80000000u, 0, 0), 0,
		 "PSCI_FEATURES(SMCCC_VERSION)");
	check_eq((uint64_t)hvc(0x80000000u, 0, 0, 0), 0x10001, "SMCCC_VERSION is 1.1");
	check_eq((uint64_t)hvc(0x80000001u, 0x80000001u, 0, 0), 0,
		 "ARCH_FEATURES(ARCH_FEATURES)");
	check_eq((uint64_t)hvc(0x80000001u, 0x80008000u, 0, 0), (uint64_t)-1,
		 "ARCH_FEATURES(WORKAROUND_1) is NOT_SUPPORTED");
	check_eq((uint64_t)hvc(0x80000001u, 0xffffffff80000000ull, 0, 0), 0,
		 "ARCH_FEATURES (SMC32) ignores the upper half of X1");
	check_eq((uint64_t)hvc(0x80000002u, 0, 0, 0), (uint64_t)-1, "SOC_ID is NOT_SUPPORTED");
	check_eq((uint64_t)hvc(0x80008000u, 0, 0, 0), (uint64_t)-1,
		 "WORKAROUND_1 is NOT_SUPPORTED");
	check_eq((uint64_t)hvc(PSCI_AFFINITY_INFO, 0, 0, 0), 0, "AFFINITY_INFO(self) is ON");
	check_eq((uint64_t)hvc(PSCI_AFFINITY_INFO, 0, 1, 0), (uint64_t)-2,
		 "AFFINITY_INFO level 1 is INVALID_PARAMETERS");
	check_eq((uint64_t)hvc(PSCI_CPU_ON, 0xff00ff0f07ull, 0x40080000, 0), (uint64_t)-2,
		 "CPU_ON(garbage MPIDR) is INVALID_PARAMETERS");
	check_eq((uint64_t)hvc(PSCI_CPU_ON, 0, 0xdead0000beefull, 0), (uint64_t)-9,
		 "CPU_ON(entry outside RAM) is INVALID_ADDRESS");

	gprintf("hypercall: HC_ADD(1..6)\n");
	check_eq((uint64_t)hvc6(HC_ADD, 1, 2, 3, 4, 5, 6), 21, "HC_ADD sums X1..X6");
	check_eq((uint64_t)hvc6(HC_ADD, UINT64_MAX, 2, 0, 0, 0, 0), 1, "HC_ADD wraps");
	check_eq((uint64_t)hvc(HC_PUTNUM, 4242, 0, 0), 0, "HC_PUTNUM returns 0");
	check_eq((uint64_t)hvc(0x4242, 0, 0, 0), (uint64_t)-1, "unknown hypercall is -1");

	/* SMC traps (HCR_EL2.TSC): it must reach the hypervisor, not the
	 * board's firmware, and behave like HVC. */
	check_eq((uint64_t)smc(PSCI_VERSION, 0, 0, 0), 0x10000, "SMC PSCI_VERSION traps");
	check_eq((uint64_t)smc(HC_ADD, 40, 2, 0), 42, "SMC hypercall");
	done("hypercall");
}

void secondary_main(uint64_t ctx);
void secondary_main(uint64_t ctx)
{
	(void)ctx;
}
