/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The x86_64 AMD SVM backend (axvm_arch_x86_64): what a port and a host
 * program need beyond arch.h. The guest-side contract is
 * docs/guest-abi-x86_64.md (the same entry state, memory layout, doorbell
 * and exit port as the KVM backend's).
 *
 * Host requirements (what the port must have done before the first bind):
 *  - 64-bit mode at CPL 0 on a CPU with SVM and nested paging (CPUID
 *    0x8000_0001 ECX.SVM, 0x8000_000A EDX.NP), SVM not disabled by the
 *    firmware (VM_CR.SVMDIS clear); the backend sets EFER.SVME and
 *    VM_HSAVE_PA on each pCPU the first time a vCPU binds there;
 *  - CR4.OSFXSR set (guest FPU/SSE state is switched with FXSAVE/FXRSTOR at
 *    bind/unbind) and no x87/SSE use in host code;
 *  - the HAL's current_pcpu() below AXVM_X86_MAX_PCPUS, and its
 *    virt_to_phys() good for the backend's static data;
 *  - host interrupts as it likes: the backend holds GIF clear across the
 *    world switch; with the host's RFLAGS.IF set, a host interrupt that
 *    arrives while a guest runs ends the run (an INTR exit) and is taken
 *    right after, when GIF is set again.
 */
#ifndef AXVM_X86_64_H
#define AXVM_X86_64_H

#include <axvm/arch.h>
#include <axvm/backends.h>

#ifdef __cplusplus
extern "C" {
#endif

/* pCPUs the backend serves (8 KiB of static state each). */
#define AXVM_X86_MAX_PCPUS 8u

/* Register ids (axvm_vcpu_get_gpr / axvm_vcpu_set_gpr): the GPRs in the
 * instruction encoding's order, then RIP and RFLAGS. */
#define AXVM_X86_REG_RAX 0u
#define AXVM_X86_REG_RCX 1u
#define AXVM_X86_REG_RDX 2u
#define AXVM_X86_REG_RBX 3u
#define AXVM_X86_REG_RSP 4u
#define AXVM_X86_REG_RBP 5u
#define AXVM_X86_REG_RSI 6u
#define AXVM_X86_REG_RDI 7u
#define AXVM_X86_REG_R(n) ((uint32_t)(n)) /* 0..15 */
#define AXVM_X86_REG_RIP 16u
#define AXVM_X86_REG_RFLAGS 17u
/* Write-only pseudo registers for read results, as x86 writes a
 * destination of that size: width 1 and 2 merge into the low bits (with
 * `high`, bits 15:8: AH, CH, DH, BH), width 4 zero-extends, 8 replaces. */
#define AXVM_X86_REG_PART(gpr, width, high) \
	(0x1000u | (uint32_t)(gpr) | ((uint32_t)(width) << 4) | ((high) ? 0x100u : 0u))
/* RDMSR's result: EDX:EAX (each zero-extended). */
#define AXVM_X86_REG_MSR 0x2000u
/* The element an `ins` reads: stored at the guest's ES:RDI. */
#define AXVM_X86_REG_STR_IN 0x2001u

/* Ports the backend decodes (docs/guest-abi-x86_64.md). */
#define AXVM_X86_HYPERCALL_PORT 0xf5u /* `out` of 1/2/4 bytes: a hypercall */
#define AXVM_X86_EXIT_PORT 0x501u     /* `out` of v: SYSTEM_DOWN, code v & 0xff */
#define AXVM_X86_HC_CPU_UP 1u         /* RDI target vCPU, RSI entry, RDX arg */

/* The emulated local APIC (docs/guest-abi-x86_64.md): the xAPIC page at
 * this guest-physical address and the x2APIC MSRs 0x800..0x8ff; APIC id =
 * vCPU index. axvm_vcpu_inject_irq(v, AXVM_X86_IRQ_LAPIC(vec)) makes
 * fixed vector vec (16..255) pending in v's APIC (priority-ordered, needs
 * EOI); a plain vector 32..255 is an external interrupt (no APIC, no EOI). */
#define AXVM_X86_LAPIC_BASE 0xfee00000ull
#define AXVM_X86_IRQ_LAPIC(vec) (0x100u | ((uint32_t)(vec) & 0xffu))
/* A CPU_UP entry with this bit is a SIPI's: real mode at CS = vector << 8,
 * IP = 0, where bits 19:12 hold the vector (the APIC's CPU_UP exits). */
#define AXVM_X86_SIPI_ENTRY (1ull << 63)

/* Optional port hook for the guest's APIC timer while the guest runs:
 * called on the pCPU with interrupts off, `deadline_ns` (HAL time) before
 * a VMRUN of a vCPU whose timer is counting, and 0 right after it. The
 * port makes its own timer interrupt the guest by then (the earlier of
 * its own deadline and this one) and puts its own deadline back on 0.
 * Without it, a guest timer fires on the next exit or halt after its
 * deadline. Returns 0. */
int axvm_x86_64_set_timer_hook(void (*hook)(uint64_t deadline_ns));

/* SYSTEM_DOWN codes: the exit port's byte (0..255); a triple fault is a
 * FAIL_ENTRY exit instead (see below), never a code the guest chose. */

/* FAIL_ENTRY reasons: the SVM exit code (VMEXIT_SHUTDOWN 0x7f for a
 * triple fault, VMEXIT_INVALID as 0xffffffff), or one of these for exits
 * the backend could not turn into an access (bits 63:32 say which). */
#define AXVM_X86_FAIL_SHUTDOWN 0x7full
#define AXVM_X86_FAIL_INVALID 0xffffffffull
#define AXVM_X86_FAIL_DECODE (1ull << 32)   /* | guest RIP low bits: MMIO insn */
#define AXVM_X86_FAIL_FETCH (2ull << 32)    /* insn bytes not readable */
#define AXVM_X86_FAIL_EXIT (3ull << 32)     /* | exit code: not handled */

#ifdef __cplusplus
}
#endif
#endif /* AXVM_X86_64_H */
