/* SPDX-License-Identifier: Apache-2.0 */
/* Per-VM device state, shared by devices.c and the targets' device code. */
#ifndef BM_DEVICES_H
#define BM_DEVICES_H

#include <axvm/uart.h>
#include <axvm/virtio.h>

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
	/* The guest UART (the config's node; src/devices model), its
	 * interrupt (GIC INTID or PLIC source, 0: none) and its VM. */
	union {
		struct axvm_pl011 pl011;
		struct axvm_ns16550 ns16550;
	} uart;
	uint32_t uart_irq;
	const struct axvm_device_ops *uart_ops; /* the model's, called masked */
	void *uart_ctx;
	int (*uart_rx)(void *model, uint8_t byte); /* NULL: no console UART */
	struct bm_vm *vm;
	/* The VM's virtio-console (virtio.c), NULL: none. Console input
	 * goes to it first, to the UART when it has no buffer posted. */
	struct axvm_virtio_console *_Atomic vcons;
	/* Console input the guest's UART did not take (FIFO full, or its
	 * receiver off: the model counts only the first), reported at the
	 * VM's end. */
	uint64_t rx_dropped;
};

#endif
