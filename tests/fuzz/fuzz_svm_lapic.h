/* SPDX-License-Identifier: Apache-2.0 */
/* The input language of fuzz_svm_lapic, shared with its seed generator:
 * operations, each an opcode byte and its operands (little-endian),
 * until the input ends. */
#ifndef AXVM_FUZZ_SVM_LAPIC_H
#define AXVM_FUZZ_SVM_LAPIC_H

enum fl_op {
	FL_READ = 0,   /* off:2 part:1 (GPR bits 0-3, width 1 << bits 4-5, high byte bit 6) */
	FL_WRITE = 1,  /* off:2 value:8 */
	FL_RDMSR = 2,  /* sel:1 */
	FL_WRMSR = 3,  /* sel:1 value:8 rax_high:4 (junk above EAX) */
	FL_RAISE = 4,  /* vector:1, from another vCPU */
	FL_CLOCK = 5,  /* ns:4, then the timer is looked at */
	FL_ACCEPT = 6, /* the CPU takes the interrupt offered, if any */
	FL_INIT = 7,   /* a reset */
};

/* off:2 of FL_READ and FL_WRITE: a register number (the xAPIC page's
 * offset >> 4), or with FL_OFF_RAW a byte offset (up to 0x1fff). */
#define FL_OFF_RAW 0x8000u

/* sel:1 of the MSR operations: an x2APIC register number (below 0x80),
 * FL_MSR_APIC_BASE, FL_MSR_EFER, or FL_MSR_ANY followed by msr:4. */
#define FL_MSR_APIC_BASE 0x80u
#define FL_MSR_EFER 0x81u
#define FL_MSR_ANY 0xc0u

#endif
