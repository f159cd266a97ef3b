/* SPDX-License-Identifier: Apache-2.0 */
/* The Linux KVM backend (x86_64 host, x86_64 guests): what a host program
 * needs beyond axvm_arch_kvm itself — register ids for axvm_vcpu_get_gpr /
 * set_gpr, the guest ABI's fixed numbers (docs/guest-abi-x86_64.md) and the
 * codes a FAIL_ENTRY exit carries. */
#ifndef AXVM_KVM_H
#define AXVM_KVM_H

#include <axvm/axvm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Register ids: the x86 encoding order for the sixteen GPRs, then RIP and
 * RFLAGS. */
enum axvm_kvm_reg {
	AXVM_KVM_REG_RAX = 0,
	AXVM_KVM_REG_RCX = 1,
	AXVM_KVM_REG_RDX = 2,
	AXVM_KVM_REG_RBX = 3,
	AXVM_KVM_REG_RSP = 4,
	AXVM_KVM_REG_RBP = 5,
	AXVM_KVM_REG_RSI = 6,
	AXVM_KVM_REG_RDI = 7,
	AXVM_KVM_REG_R8 = 8,
	AXVM_KVM_REG_R9 = 9,
	AXVM_KVM_REG_R10 = 10,
	AXVM_KVM_REG_R11 = 11,
	AXVM_KVM_REG_R12 = 12,
	AXVM_KVM_REG_R13 = 13,
	AXVM_KVM_REG_R14 = 14,
	AXVM_KVM_REG_R15 = 15,
	AXVM_KVM_REG_RIP = 16,
	AXVM_KVM_REG_RFLAGS = 17,
	AXVM_KVM_REG_GPR_COUNT = 18,
	/* Pseudo-registers: the data of the port-I/O or MMIO read in
	 * progress, which KVM moves into the guest's register (with any
	 * sign or zero extension the instruction asks for) on the next
	 * entry. Valid only between that read exit and the next run(). */
	AXVM_KVM_REG_IO_DATA = 0x100,
	AXVM_KVM_REG_MMIO_DATA = 0x101,
};

/* Guest ABI (docs/guest-abi-x86_64.md). */
#define AXVM_KVM_UART_PORT 0x3f8u /* 16550 registers 0x3f8..0x3ff */
#define AXVM_KVM_EXIT_PORT 0x501u /* byte v: VM down, status v */
/* Hypercall doorbell: `out %al, $0xf5`. Below 0x100 so the port is an
 * immediate and DX stays free for the third argument. */
#define AXVM_KVM_HYPERCALL_PORT 0xf5u
#define AXVM_KVM_RAM_MIN        0x200000u /* RAM at gpa 0, at least 2 MiB */
#define AXVM_KVM_IMAGE_MIN      0x100000u /* images at or above 1 MiB */
#define AXVM_KVM_STACK_SIZE     0x10000u  /* per vCPU, down from the RAM top */
#define AXVM_KVM_MAPPED_LIMIT   0x100000000ull /* identity map: low 4 GiB */

/* Hypercall numbers (RAX). The backend turns CPU_UP into an
 * AXVM_EXIT_CPU_UP exit; every other number reaches the program as an
 * AXVM_EXIT_HYPERCALL. */
#define AXVM_KVM_HC_CPU_UP 1u /* RDI target vCPU, RSI entry, RDX arg */

/* FAIL_ENTRY reasons: the class in bits 63..32, detail below. */
#define AXVM_KVM_FAIL_CLASS(r)  ((uint32_t)((uint64_t)(r) >> 32))
#define AXVM_KVM_FAIL_DETAIL(r) ((uint32_t)(r))
enum axvm_kvm_fail_class {
	AXVM_KVM_FAIL_HARDWARE = 0,     /* KVM_EXIT_FAIL_ENTRY; detail: the
	                                 * hardware entry-failure reason */
	AXVM_KVM_FAIL_TRIPLE_FAULT = 1, /* KVM_EXIT_SHUTDOWN */
	AXVM_KVM_FAIL_INTERNAL = 2,     /* KVM_EXIT_INTERNAL_ERROR; detail:
	                                 * the suberror (1 = emulation) */
	AXVM_KVM_FAIL_BAD_EXIT = 3,     /* malformed exit data from KVM */
	AXVM_KVM_FAIL_UNKNOWN = 4,      /* an exit reason the backend does
	                                 * not know; detail: KVM's number */
};
#define AXVM_KVM_FAIL(cls, detail)                                             \
	(((uint64_t)(cls) << 32) | (uint32_t)(detail))

/* Optional backend parameters: copy axvm_arch_kvm, point .ctx here. */
struct axvm_kvm_params {
	const char *device; /* NULL: "/dev/kvm" */
	int kick_signal;    /* 0: SIGUSR1. Installed (empty handler) when
	                     * its disposition is the default. */
};

/* A one-line description of a FAIL_ENTRY reason, e.g. "triple fault". */
const char *axvm_kvm_fail_name(uint64_t reason);

#ifdef __cplusplus
}
#endif
#endif /* AXVM_KVM_H */
