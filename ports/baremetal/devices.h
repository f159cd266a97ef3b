/* SPDX-License-Identifier: Apache-2.0 */
/* Per-VM device state, shared by devices.c and the targets' device code. */
#ifndef BM_DEVICES_H
#define BM_DEVICES_H

#include <axvm/testdev.h>
#include <axvm/uart.h>
#include <axvm/virtio.h>

#include "kernel.h"

/* A guest console line, NUL included: Linux's longest boot lines (the
 * version banner) fit, and "[name] " + line + newline stays inside
 * kprintf's 256 bytes. */
#define BM_LINE_MAX 200

/* A model whose lock the console-input interrupt also takes: guest
 * accesses reach it through bm_masked_wire()'s ops with this CPU's
 * interrupts masked, so that interrupt never finds its own CPU inside. */
struct bm_masked {
	const struct axvm_device_ops *ops; /* the model's */
	void *ctx;
};
/* Serve config entry `cd` (its window kept) by the model `m` describes,
 * through `w`, masked. */
void bm_masked_wire(struct bm_masked *w, const struct axvm_device_desc *m,
		    struct axvm_device_desc *cd);

/* A model's interrupt output moved to `level`: a rising edge is one
 * injection of `irq` (0: none) into vCPU 0 of `v`. Enough for every model
 * here: the guest's handler drains the cause before the line can drop, so
 * an edge while the line was high is not lost. Safe on any vCPU's exit
 * path and in the console-input interrupt. */
void bm_irq_edge(struct bm_vm *v, uint32_t irq, bool level);

struct bm_vm_devs {
	char name[AXVM_NAME_MAX];
	/* The console line: every vCPU of the VM writes it, each from its
	 * own pCPU, and a CPU_OFF flushes it from yet another. */
	atomic_flag line_lock;
	char line[BM_LINE_MAX];
	size_t len;
#if BM_TESTDEV
	struct axvm_testdev testdev; /* at BM_GUEST_TESTDEV_GPA */
#endif
	uint64_t sysreg; /* a register the target emulates (AArch64: ACTLR_EL1) */
	/* The guest UART (the config's node; src/devices model), its
	 * interrupt (GIC INTID or PLIC source, 0: none) and its VM. */
	union {
		struct axvm_pl011 pl011;
		struct axvm_ns16550 ns16550;
	} uart;
	uint32_t uart_irq;
	struct bm_masked uart_masked;
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
