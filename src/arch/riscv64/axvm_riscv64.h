/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The RISC-V H-extension backend (axvm_arch_riscv64): what a port and a host
 * program need beyond arch.h. The guest-side contract is
 * docs/guest-abi-riscv64.md.
 *
 * Host requirements (what the port must have done before the first bind):
 *  - running in HS-mode (S-mode with the H extension) under an SBI firmware
 *    that implements RFENCE's remote HFENCE calls (OpenSBI does);
 *  - its trap vector in stvec; the backend swaps stvec only around the
 *    world switch and around its own guest-memory reads;
 *  - host interrupts enabled or not, as it likes: the backend clears
 *    sstatus.SIE around the world switch and restores it afterwards, so a
 *    host interrupt that made the guest exit is taken right after run();
 *  - no floating point in host code (guest FP state stays live in the
 *    registers between bind and unbind, and bind trusts the registers to
 *    hold what the last unbind on that hart left there);
 *  - hedeleg, hideleg, hcounteren, henvcfg and htimedelta left to the
 *    backend on every hart it binds on (they act only at V = 1): the first
 *    bind there sets them for guests and they stay so; unbind leaves
 *    hgatp Bare and hvip zero;
 *  - sscratch free for the backend while a vCPU runs;
 *  - the time CSR readable (the guest reads the same counter).
 * The host passes its timebase and whether the hart has Sstc through
 * struct axvm_rv_host in the ops' ctx:
 *
 *     static struct axvm_rv_host rv = { .timebase_hz = 10000000, .sstc = true };
 *     struct axvm_arch_ops ops = axvm_arch_riscv64;
 *     ops.ctx = &rv;
 */
#ifndef AXVM_RISCV64_H
#define AXVM_RISCV64_H

#include <axvm/arch.h>
#include <axvm/backends.h>

#ifdef __cplusplus
extern "C" {
#endif

struct axvm_rv_host {
	uint64_t timebase_hz; /* the time CSR's frequency (DT timebase-frequency) */
	/* Sstc present (stimecmp usable in HS-mode): while a guest runs the
	 * backend lowers stimecmp to the guest timer's deadline, so a busy
	 * guest exits and gets its timer interrupt on time, and puts the
	 * host's value back at exit. Without it a running guest sees its
	 * timer at its next exit (a halted vCPU still wakes on time). */
	bool sstc;
};

/* Register ids (axvm_vcpu_get_gpr / axvm_vcpu_set_gpr). */
#define AXVM_RV_REG_X(n) ((uint32_t)(n)) /* x0..x31; x0 reads 0, writes ignored */
#define AXVM_RV_REG_PC 32u               /* where the guest resumes (sepc) */
/* Write-only pseudo registers for results the core hands back:
 * SBI_RET   a core status: >= 0 gives a0 = 0 (success), a1 = the value
 *           (an enum axvm_cpu_status); an AXVM_E* code gives a0 = the
 *           matching SBI error (EEXIST -6, EINVAL -3, others -1);
 * SBI_VALUE a hypercall result: a0 = 0, a1 = the value. */
#define AXVM_RV_REG_SBI_RET 0x100u
#define AXVM_RV_REG_SBI_VALUE 0x101u

/* Interrupt numbers for axvm_vcpu_inject_irq() and SEND_IPI exits:
 * 1..AXVM_RV_PLIC_SOURCES-1 raise that source of the VM's emulated PLIC;
 * AXVM_RV_IRQ_SOFT makes the supervisor software interrupt pending. */
#define AXVM_RV_PLIC_SOURCES 32u
#define AXVM_RV_IRQ_SOFT 0x1000u

/* Guest-physical window of the emulated PLIC (handled in the backend). */
#define AXVM_RV_PLIC_BASE 0x0c000000ull
#define AXVM_RV_PLIC_SIZE 0x00400000ull

/* SBI console output (legacy putchar, DBCN) arrives as 1-byte IO_WRITE
 * exits at this port: register a device there to see it. */
#define AXVM_RV_SBI_CONSOLE_PORT 0u

/* SBI extension id of the host program's hypercalls (function id = number). */
#define AXVM_RV_SBI_EXT_HYPERCALL 0x0a000000u

/* SYSTEM_DOWN codes (axvm_vm_exit_code) */
#define AXVM_RV_DOWN_OFF 0u    /* SRST shutdown, legacy shutdown */
#define AXVM_RV_DOWN_RESET 1u  /* SRST cold or warm reboot */

#ifdef __cplusplus
}
#endif
#endif /* AXVM_RISCV64_H */
