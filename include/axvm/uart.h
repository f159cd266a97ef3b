/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Emulated UARTs (src/devices/): an Arm PL011 and a 16550A, each complete
 * enough for Linux's drivers: transmit, a receive FIFO the host feeds,
 * status flags and an interrupt output. The caller owns the storage (no
 * allocation), registers the device with axvm_vm_add_device() using the
 * descriptor a *_desc() call fills, and wires the two host callbacks.
 *
 * Threads: guest accesses (a vCPU's exit path) and host calls (input from
 * another CPU or thread) may run at once; each model serialises them with
 * a spinlock of its own, held only for a few register operations (and the
 * host callbacks).
 */
#ifndef AXVM_UART_H
#define AXVM_UART_H

#include <stdatomic.h>

#include <axvm/device.h>
#include <axvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The host side of a UART. Both callbacks run with the model's lock held
 * (so levels arrive in order): they must not call back into the model. */
struct axvm_uart_host {
	void *arg;
	/* A byte the guest transmitted (not in loopback). Required, unless
	 * the 16550A's line mode below is used. */
	void (*tx)(void *arg, uint8_t byte);
	/* The interrupt output changed to `level` (high = asserted). Optional:
	 * a level-triggered line; with edge-only injection, inject on rising
	 * edges (the guest's handler drains the cause before the line drops). */
	void (*irq)(void *arg, bool level);
	/* Optional: called while waiting for the model's lock another thread
	 * holds (a hosted OS's sched_yield: the holder may be preempted, and
	 * in line mode it may be writing a line out). NULL: spin. */
	void (*relax)(void *arg);
	/* Line mode (16550A only; the PL011 refuses it): transmitted bytes
	 * collect in `line` (`line_size` bytes, the caller's) and go to
	 * tx_line at each newline, when the buffer is full, and at
	 * axvm_ns16550_flush() or reset; tx is then not called. A console
	 * byte then costs a store, not a call (a VM exit each on COM1). */
	uint8_t *line;
	uint32_t line_size;
	void (*tx_line)(void *arg, const uint8_t *bytes, uint32_t n);
};

#define AXVM_PL011_FIFO 32u
/* The PL011's PeriphID0..3 as one value (part 0x011, Arm, revision 3 =
 * r1p5: Linux sizes the FIFO by it); a guest DT says the same in
 * arm,primecell-periphid. */
#define AXVM_PL011_PERIPHID 0x00341011u
#define AXVM_NS16550_FIFO 16u

/* Fields are the model's: read them only through the calls below. */
struct axvm_pl011 {
	struct axvm_uart_host host;
	atomic_flag lock;
	bool level;
	uint8_t rx[AXVM_PL011_FIFO];
	uint32_t rx_head, rx_count;
	uint32_t cr, lcrh, ibrd, fbrd, ifls, imsc, ris, ilpr, dmacr, rsr;
	uint64_t rx_dropped; /* bytes the host offered while RX was full */
};

struct axvm_ns16550 {
	struct axvm_uart_host host;
	atomic_flag lock;
	bool level;
	bool thre_pending; /* THR-empty interrupt not yet acknowledged */
	bool tx_direct;    /* a THR write only fills the line (see ns16550.c) */
	uint32_t line_len; /* line mode: bytes in host.line */
	uint8_t rx[AXVM_NS16550_FIFO];
	uint32_t rx_head, rx_count;
	uint8_t ier, lcr, mcr, lsr_err, dll, dlm, fcr;
	/* Read without the lock: LSR's changing bits (0: only THRE|TEMT)
	 * and the scratch register. */
	atomic_uchar lsr_dyn, scr;
	uint8_t reg_shift; /* register stride is 1 << reg_shift bytes */
	uint64_t rx_dropped;
};

/* Put a PL011 in its reset state, wired to `host` (tx required). */
int axvm_pl011_init(struct axvm_pl011 *u, const struct axvm_uart_host *host);
/* Fill an MMIO descriptor for `u` at guest address `base` (4 KiB window). */
int axvm_pl011_desc(struct axvm_pl011 *u, uint64_t base, struct axvm_device_desc *desc);
/* Offer a received byte: 0, or AXVM_EAGAIN if the FIFO is full or the
 * guest has not enabled the receiver (the byte is not taken). */
int axvm_pl011_rx(struct axvm_pl011 *u, uint8_t byte);

/* Put a 16550A in its reset state; registers 1 << reg_shift bytes apart
 * (reg_shift 0..2). `host` gives tx, or line mode (all three fields). */
int axvm_ns16550_init(struct axvm_ns16550 *u, const struct axvm_uart_host *host,
		      unsigned reg_shift);
/* Fill an MMIO descriptor for `u` at `base` (8 registers; any width up to
 * the stride, so reg-io-width 1, 2 or 4 all work). */
int axvm_ns16550_desc(struct axvm_ns16550 *u, uint64_t base, struct axvm_device_desc *desc);
/* The same on `bus`: AXVM_BUS_MMIO, or AXVM_BUS_PIO (a PC COM port such as
 * 0x3f8; the window must end at or below port 0x10000). */
int axvm_ns16550_desc_bus(struct axvm_ns16550 *u, enum axvm_bus bus, uint64_t base,
			  struct axvm_device_desc *desc);
/* Offer a received byte: 0, or AXVM_EAGAIN if the FIFO is full. */
int axvm_ns16550_rx(struct axvm_ns16550 *u, uint8_t byte);
/* Line mode: hand a partial line to tx_line now (e.g. the VM stopped). */
int axvm_ns16550_flush(struct axvm_ns16550 *u);

#ifdef __cplusplus
}
#endif
#endif /* AXVM_UART_H */
