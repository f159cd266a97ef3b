/* SPDX-License-Identifier: Apache-2.0 */
/* Per-VM device state, shared by devices.c and the targets' device code. */
#ifndef BM_DEVICES_H
#define BM_DEVICES_H

#include "kernel.h"

/* A guest console line, NUL included: Linux's longest boot lines (the
 * version banner) fit, and "[name] " + line + newline stays inside
 * kprintf's 256 bytes. */
#define BM_LINE_MAX 200

struct bm_vm_devs {
	char name[AXVM_NAME_MAX];
	/* The console line: every vCPU of the VM writes it, each from its
	 * own pCPU, and a CPU_OFF flushes it from yet another. */
	atomic_flag line_lock;
	char line[BM_LINE_MAX];
	size_t len;
	uint8_t scratch[256];
	uint64_t accesses;
	uint64_t sysreg; /* a register the target emulates (AArch64: ACTLR_EL1) */
	uint8_t uart[8]; /* UART registers a target's model keeps (RISC-V: NS16550A) */
};

#endif
