/* SPDX-License-Identifier: Apache-2.0 */
/* CPUID for the guest: the host CPU's answer, less what this backend does
 * not give a guest (SVM itself, VMX, MONITOR, TSC-deadline, OSXSAVE, which
 * follows the host's CR4, not the guest's), with the APIC and x2APIC the
 * emulated local APIC provides (svm_lapic.c), the initial APIC id = the
 * vCPU index (as the KVM backend sets it) and the hypervisor bit. */
#include "svm.h"

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

void svm_cpuid(struct svm_vcpu *v)
{
	uint32_t leaf = (uint32_t)svm_gpr(v, AXVM_X86_REG_RAX);
	uint32_t sub = (uint32_t)svm_gpr(v, AXVM_X86_REG_RCX);
	uint32_t r[4];

	cpuid(leaf, sub, r);
	switch (leaf) {
	case 1:
		r[1] = (r[1] & 0x00ffffffu) | ((v->id & 0xffu) << 24);
		r[2] &= ~((1u << 3) | (1u << 5) | (1u << 24) | (1u << 27));
		r[2] |= (1u << 21) | (1u << 31);
		r[3] |= 1u << 9;
		break;
	case 0xb:
	case 0x1f:
		r[3] = v->id;
		break;
	case 0x80000001:
		r[2] &= ~(1u << 2); /* SVM */
		break;
	case 0x8000000a:
		r[0] = r[1] = r[2] = r[3] = 0;
		break;
	default:
		break;
	}
	svm_set_gpr(v, AXVM_X86_REG_RAX, r[0]);
	svm_set_gpr(v, AXVM_X86_REG_RBX, r[1]);
	svm_set_gpr(v, AXVM_X86_REG_RCX, r[2]);
	svm_set_gpr(v, AXVM_X86_REG_RDX, r[3]);
}
