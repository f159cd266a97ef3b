/* SPDX-License-Identifier: Apache-2.0 */
/*
 * 16550A UART: the registers Linux's 8250 driver and its earlycon use,
 * a 16-byte receive FIFO fed by the host and the interrupt output (IIR
 * bit 0 clear). Registers sit 1 << reg_shift bytes apart.
 *
 * Transmit never waits: THR goes to the host at once, so LSR.THRE and
 * TEMT are always set. The THR-empty interrupt follows the 16550's rule:
 * pending when ETBEI is turned on or a byte was written (the THR "empties"
 * at once), acknowledged by reading IIR while it is the reported cause or
 * by writing THR. Receive: "data available" is a level (FIFO count at or
 * over the FCR trigger, one byte with the FIFO off); the character
 * timeout is reported whenever data sits below the trigger (bytes arrive
 * in bursts: the timeout has always expired). With the FIFO off the
 * guest sees one byte at a time; the rest of a burst waits in the ring
 * (uart_fifo.h). An overrun sets LSR.OE (a
 * line-status interrupt) until LSR is read. Modem lines: DCD, DSR and
 * CTS asserted, or looped from MCR in loopback mode.
 *
 * What a console driver does per byte stays cheap, as a port-I/O COM1
 * pays a VM exit for each: LSR with nothing received and no error, and
 * the scratch register, are read without the lock; in line mode a THR
 * write that can change no interrupt (no DLAB, no loopback, ETBEI off:
 * `tx_direct`) is a store into the host's line, with no cause recomputed
 * and no call until the line ends.
 */
#include <string.h>

#include <axvm/uart.h>

#include "uart_fifo.h"

enum { RBR_THR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

#define IER_RDI (1u << 0)
#define IER_THRI (1u << 1)
#define IER_RLSI (1u << 2)
#define IER_MSI (1u << 3)

#define IIR_NONE 0x01u
#define IIR_MSI 0x00u
#define IIR_THRI 0x02u
#define IIR_RDI 0x04u
#define IIR_RLSI 0x06u
#define IIR_TIMEOUT 0x0cu
#define IIR_FIFOS 0xc0u

#define FCR_ENABLE (1u << 0)
#define FCR_CLEAR_RX (1u << 1)

#define LCR_DLAB (1u << 7)
#define MCR_LOOP (1u << 4)

#define LSR_DR (1u << 0)
#define LSR_OE (1u << 1)
#define LSR_THRE (1u << 5)
#define LSR_TEMT (1u << 6)

/* FCR bits 7:6: 1, 4, 8 or 14 bytes. */
static uint32_t rx_trigger(const struct axvm_ns16550 *u)
{
	static const uint8_t level[4] = { 1, 4, 8, 14 };

	return (u->fcr & FCR_ENABLE) ? level[u->fcr >> 6] : 1u;
}

/* The highest-priority pending cause, as IIR's low nibble. */
static uint8_t cause(const struct axvm_ns16550 *u)
{
	if ((u->ier & IER_RLSI) && (u->lsr_err & LSR_OE))
		return IIR_RLSI;
	if ((u->ier & IER_RDI) && u->rx_count)
		return u->rx_count >= rx_trigger(u) ? IIR_RDI : IIR_TIMEOUT;
	if ((u->ier & IER_THRI) && u->thre_pending)
		return IIR_THRI;
	/* Modem status never changes outside loopback: no MSI. */
	return IIR_NONE;
}

static void update(struct axvm_ns16550 *u)
{
	bool level = cause(u) != IIR_NONE;

	atomic_store_explicit(&u->lsr_dyn, (uint8_t)(u->lsr_err | (u->rx_count ? LSR_DR : 0)),
			      memory_order_relaxed);

	if (level != u->level) {
		u->level = level;
		if (u->host.irq)
			u->host.irq(u->host.arg, level);
	}
}

/* After any write to IER, LCR or MCR. */
static void set_tx_direct(struct axvm_ns16550 *u)
{
	u->tx_direct = u->host.line && !(u->lcr & LCR_DLAB) && !(u->mcr & MCR_LOOP) &&
		       !(u->ier & IER_THRI);
}

/* Line mode: the bytes so far to the host. Out of line: once a line. */
static __attribute__((noinline)) void flush_line(struct axvm_ns16550 *u)
{
	uint32_t n = u->line_len;

	u->line_len = 0;
	if (n)
		u->host.tx_line(u->host.arg, u->host.line, n);
}

static void transmit(struct axvm_ns16550 *u, uint8_t v)
{
	if (!u->host.line) {
		u->host.tx(u->host.arg, v);
		return;
	}
	u->host.line[u->line_len++] = v;
	if (v == '\n' || u->line_len == u->host.line_size)
		flush_line(u);
}

static void reset_regs(struct axvm_ns16550 *u)
{
	u->rx_head = u->rx_count = 0;
	u->ier = u->lcr = u->mcr = u->lsr_err = u->dlm = u->fcr = 0;
	u->dll = 0x0c; /* 9600 baud at 1.8432 MHz, a usual firmware value */
	u->thre_pending = false;
	atomic_store_explicit(&u->scr, 0, memory_order_relaxed);
	atomic_store_explicit(&u->lsr_dyn, 0, memory_order_relaxed);
	set_tx_direct(u);
}

static int receive(struct axvm_ns16550 *u, uint8_t b)
{
	if (!uart_fifo_push(u->rx, AXVM_NS16550_FIFO, u->rx_head, &u->rx_count, b)) {
		u->lsr_err |= LSR_OE;
		u->rx_dropped++;
		update(u);
		return AXVM_EAGAIN;
	}
	update(u);
	return 0;
}

static uint8_t msr(const struct axvm_ns16550 *u)
{
	if (u->mcr & MCR_LOOP) /* DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD */
		return (uint8_t)(((u->mcr & 1u) << 5) | ((u->mcr & 2u) << 3) |
				 ((u->mcr & 4u) << 4) | ((u->mcr & 8u) << 4));
	return 0xb0u; /* DCD, DSR, CTS */
}

static uint8_t read_reg(struct axvm_ns16550 *u, unsigned r)
{
	uint8_t v;

	switch (r) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		v = uart_fifo_pop(u->rx, AXVM_NS16550_FIFO, &u->rx_head, &u->rx_count);
		update(u);
		return v;
	case IER:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case IIR_FCR:
		v = cause(u);
		if (v == IIR_THRI) { /* reading IIR acknowledges THRE */
			u->thre_pending = false;
			update(u);
		}
		return (uint8_t)(v | ((u->fcr & FCR_ENABLE) ? IIR_FIFOS : 0));
	case LCR:
		return u->lcr;
	case MCR:
		return u->mcr;
	case LSR:
		v = (uint8_t)(LSR_THRE | LSR_TEMT | u->lsr_err | (u->rx_count ? LSR_DR : 0));
		u->lsr_err = 0;
		update(u);
		return v;
	case MSR:
		return msr(u);
	default:
		return atomic_load_explicit(&u->scr, memory_order_relaxed);
	}
}

static void write_reg(struct axvm_ns16550 *u, unsigned r, uint8_t v)
{
	switch (r) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
			return;
		}
		if (u->mcr & MCR_LOOP)
			(void)receive(u, v);
		else
			transmit(u, v);
		u->thre_pending = true; /* written, and at once empty again */
		break;
	case IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			return;
		}
		/* ETBEI turned on with the THR empty raises THRE at once. */
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_pending = true;
		u->ier = v & 0x0fu;
		set_tx_direct(u);
		break;
	case IIR_FCR:
		if ((v ^ u->fcr) & FCR_ENABLE || (v & FCR_CLEAR_RX))
			u->rx_head = u->rx_count = 0;
		u->fcr = v & 0xc1u; /* enable and trigger; the clear bits self-clear */
		break;
	case LCR:
		u->lcr = v;
		set_tx_direct(u);
		return;
	case MCR:
		u->mcr = v & 0x1fu;
		set_tx_direct(u);
		return;
	case SCR:
		atomic_store_explicit(&u->scr, v, memory_order_relaxed);
		return;
	default:
		return; /* LSR, MSR: read-only */
	}
	update(u);
}

static __attribute__((noinline)) int read_locked(struct axvm_ns16550 *u, unsigned r,
						  uint64_t *value)
{
	uart_lock_host(&u->lock, &u->host);
	*value = read_reg(u, r);
	uart_unlock(&u->lock);
	return 0;
}

static int ns16550_read(void *ctx, uint64_t off, unsigned width, uint64_t *value)
{
	struct axvm_ns16550 *u = ctx;
	uint64_t stride = 1ull << u->reg_shift;
	unsigned r = (unsigned)(off >> u->reg_shift) & 7u;
	uint8_t dyn;

	(void)width;
	*value = 0;
	if (off & (stride - 1))
		return 0; /* between registers: reads as zero */
	if (r == LSR) {
		/* Nothing to clear and no level to move: the locked read
		 * would return the same. */
		dyn = atomic_load_explicit(&u->lsr_dyn, memory_order_relaxed);
		if (!dyn) {
			*value = LSR_THRE | LSR_TEMT;
			return 0;
		}
	} else if (r == SCR) {
		*value = atomic_load_explicit(&u->scr, memory_order_relaxed);
		return 0;
	}
	return read_locked(u, r, value);
}

/* Takes the lock itself; every write but a transmitted byte or SCR. */
static __attribute__((noinline)) int write_slow(struct axvm_ns16550 *u, uint64_t off,
						uint8_t v)
{
	uint64_t stride = 1ull << u->reg_shift;
	unsigned r = (unsigned)(off >> u->reg_shift) & 7u;

	if (off & (stride - 1))
		return 0; /* between registers: ignored */
	uart_lock_host(&u->lock, &u->host);
	write_reg(u, r, v);
	uart_unlock(&u->lock);
	return 0;
}

static __attribute__((noinline)) int write_thr_locked(struct axvm_ns16550 *u, uint8_t v)
{
	write_reg(u, RBR_THR, v);
	uart_unlock(&u->lock);
	return 0;
}

/* Another thread holds the lock: wait (a call, which the fast path must
 * not make, or it would save registers on every byte). */
static __attribute__((noinline)) int write_thr_contended(struct axvm_ns16550 *u, uint8_t v)
{
	uart_lock_wait(&u->lock, &u->host);
	return write_thr_locked(u, v);
}

static __attribute__((noinline)) int flush_unlock(struct axvm_ns16550 *u)
{
	flush_line(u);
	uart_unlock(&u->lock);
	return 0;
}

/* Offset 0 is THR whatever the stride: the byte a console sends. The
 * rarer cases end in tail calls, so this path saves no register. */
static int ns16550_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	struct axvm_ns16550 *u = ctx;
	uint8_t v = (uint8_t)value;
	uint32_t n;

	(void)width;
	if (off != 0) {
		/* The scratch register needs no lock: stored here, without the
		 * call to write_slow and the registers it saves (a port-I/O exit
		 * to SCR is what exit_io_x86_64 measures: 302 -> 280). Tested
		 * behind off != 0 so a console byte does not pay for it. */
		if (off == (uint64_t)SCR << u->reg_shift) {
			atomic_store_explicit(&u->scr, v, memory_order_relaxed);
			return 0;
		}
		return write_slow(u, off, v);
	}
	if (atomic_flag_test_and_set_explicit(&u->lock, memory_order_acquire))
		return write_thr_contended(u, v);
	if (!u->tx_direct)
		return write_thr_locked(u, v);
	/* The THR empties at once, but with ETBEI off thre_pending is
	 * moot: turning ETBEI on sets it anyway. */
	n = u->line_len;
	u->host.line[n++] = v;
	u->line_len = n;
	if (v == '\n' || n == u->host.line_size)
		return flush_unlock(u);
	uart_unlock(&u->lock);
	return 0;
}

static void ns16550_reset(void *ctx)
{
	struct axvm_ns16550 *u = ctx;

	uart_lock_host(&u->lock, &u->host);
	if (u->host.line)
		flush_line(u); /* those bytes were sent */
	reset_regs(u);
	update(u);
	uart_unlock(&u->lock);
}

static const struct axvm_device_ops ns16550_ops = {
	.read = ns16550_read,
	.write = ns16550_write,
	.reset = ns16550_reset,
};

int axvm_ns16550_init(struct axvm_ns16550 *u, const struct axvm_uart_host *host,
		      unsigned reg_shift)
{
	bool line = host && (host->line || host->line_size || host->tx_line);

	if (!u || !host || reg_shift > 2)
		return AXVM_EINVAL;
	if (line ? !host->line || !host->line_size || !host->tx_line : !host->tx)
		return AXVM_EINVAL;
	memset(u, 0, sizeof(*u));
	atomic_flag_clear(&u->lock);
	u->host = *host;
	u->reg_shift = (uint8_t)reg_shift;
	reset_regs(u);
	return 0;
}

int axvm_ns16550_desc(struct axvm_ns16550 *u, uint64_t base, struct axvm_device_desc *desc)
{
	return axvm_ns16550_desc_bus(u, AXVM_BUS_MMIO, base, desc);
}

int axvm_ns16550_desc_bus(struct axvm_ns16550 *u, enum axvm_bus bus, uint64_t base,
			  struct axvm_device_desc *desc)
{
	if (!u || !desc || (bus != AXVM_BUS_MMIO && bus != AXVM_BUS_PIO))
		return AXVM_EINVAL;
	if (base + (8ull << u->reg_shift) < base)
		return AXVM_EOVERFLOW;
	if (bus == AXVM_BUS_PIO && (base > 0x10000u || 0x10000u - base < (8ull << u->reg_shift)))
		return AXVM_EINVAL; /* x86 ports are 16 bits */
	memset(desc, 0, sizeof(*desc));
	desc->name = "ns16550a";
	desc->bus = bus;
	desc->base = base;
	desc->size = 8ull << u->reg_shift;
	desc->widths = (uint8_t)((AXVM_WIDTH_1 | AXVM_WIDTH_2 | AXVM_WIDTH_4) &
				 ((2u << u->reg_shift) - 1u));
	desc->naturally_aligned = true;
	desc->ops = &ns16550_ops;
	desc->ctx = u;
	return 0;
}

int axvm_ns16550_rx(struct axvm_ns16550 *u, uint8_t byte)
{
	int rc;

	if (!u)
		return AXVM_EINVAL;
	uart_lock_host(&u->lock, &u->host);
	rc = receive(u, byte);
	uart_unlock(&u->lock);
	return rc;
}

int axvm_ns16550_flush(struct axvm_ns16550 *u)
{
	if (!u)
		return AXVM_EINVAL;
	uart_lock_host(&u->lock, &u->host);
	if (u->host.line)
		flush_line(u);
	uart_unlock(&u->lock);
	return 0;
}
