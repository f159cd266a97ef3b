/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arm PrimeCell UART (PL011, r1p5): the registers Linux's amba-pl011
 * driver and its earlycon use, the PrimeCell id registers AMBA probing
 * reads, a 32-byte receive FIFO fed by the host and the combined
 * interrupt output (UARTINTR = RIS & IMSC).
 *
 * Transmit never waits: a byte written to DR goes to the host at once,
 * so TX is always empty (FR.TXFE, never TXFF or BUSY) and the TX
 * interrupt is raised after every write, as the FIFO "drains" through its
 * level; ICR clears it, the next write raises it again. It transmits
 * whether or not the guest set UARTEN/TXE: an earlycon writes to a UART
 * firmware enabled, and no firmware ran here.
 *
 * Receive: RXRIS is a level, FIFO count at or over the IFLS trigger (one
 * byte with the FIFO off). RTRIS, the receive timeout, is a level too:
 * set while the FIFO holds data. The host hands bytes over in bursts, so
 * the timeout has always expired, and where the hardware would raise it
 * again 32 bit times after an ICR that left data behind, this model keeps
 * it up: no byte is ever stranded without an interrupt. Errors
 * (framing, parity, break) never happen; an overrun does: a byte offered
 * to a full FIFO is refused (AXVM_EAGAIN) and OERIS set. With the FIFO
 * off (LCRH.FEN = 0) the guest sees one byte at a time (RXFF, the level)
 * while the rest of a burst waits in the 32-byte ring (uart_fifo.h).
 */
#include <string.h>

#include <axvm/uart.h>

#include "uart_fifo.h"

#define DR 0x000u
#define RSR 0x004u
#define FR 0x018u
#define ILPR 0x020u
#define IBRD 0x024u
#define FBRD 0x028u
#define LCRH 0x02cu
#define CR 0x030u
#define IFLS 0x034u
#define IMSC 0x038u
#define RIS 0x03cu
#define MIS 0x040u
#define ICR 0x044u
#define DMACR 0x048u
#define PERIPH_ID 0xfe0u

#define FR_RXFE (1u << 4)
#define FR_RXFF (1u << 6)
#define FR_TXFE (1u << 7)

#define LCRH_FEN (1u << 4)
#define CR_UARTEN (1u << 0)
#define CR_LBE (1u << 7)
#define CR_RXE (1u << 9)

#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_RT (1u << 6)
#define INT_OE (1u << 10)
#define INT_ALL 0x7ffu

#define DR_OE (1u << 11) /* in a DR read: this byte followed an overrun */
#define RSR_OE (1u << 3)

static uint32_t depth(const struct axvm_pl011 *u)
{
	return (u->lcrh & LCRH_FEN) ? AXVM_PL011_FIFO : 1u;
}

/* IFLS RXIFLSEL: 1/8, 1/4, 1/2, 3/4, 7/8 of the FIFO. */
static uint32_t rx_trigger(const struct axvm_pl011 *u)
{
	static const uint8_t eighths[8] = { 1, 2, 4, 6, 7, 4, 4, 4 };

	if (!(u->lcrh & LCRH_FEN))
		return 1;
	return AXVM_PL011_FIFO * eighths[(u->ifls >> 3) & 7u] / 8u;
}

/* Recompute RXRIS and the output line; report a change. Lock held. */
static void update(struct axvm_pl011 *u)
{
	bool level;

	if (u->rx_count >= rx_trigger(u))
		u->ris |= INT_RX;
	else
		u->ris &= ~INT_RX;
	if (u->rx_count)
		u->ris |= INT_RT;
	else
		u->ris &= ~INT_RT;
	level = (u->ris & u->imsc) != 0;
	if (level != u->level) {
		u->level = level;
		if (u->host.irq)
			u->host.irq(u->host.arg, level);
	}
}

static void reset_regs(struct axvm_pl011 *u)
{
	u->rx_head = u->rx_count = 0;
	u->cr = 0x300u; /* TXE | RXE, as the TRM's reset value */
	u->lcrh = u->ibrd = u->fbrd = u->imsc = u->ris = u->ilpr = u->dmacr = u->rsr = 0;
	u->ifls = 0x12u; /* both levels 1/2 */
}

/* A byte into the receive FIFO (from the host or the loopback). */
static int receive(struct axvm_pl011 *u, uint8_t b)
{
	if (!uart_fifo_push(u->rx, AXVM_PL011_FIFO, u->rx_head, &u->rx_count, b)) {
		u->ris |= INT_OE;
		u->rsr |= RSR_OE;
		u->rx_dropped++;
		update(u);
		return AXVM_EAGAIN;
	}
	update(u);
	return 0;
}

static void pl011_reset(void *ctx)
{
	struct axvm_pl011 *u = ctx;

	uart_lock_host(&u->lock, &u->host);
	reset_regs(u);
	update(u);
	uart_unlock(&u->lock);
}

static uint32_t read_reg(struct axvm_pl011 *u, uint64_t off)
{
	const uint64_t id = (uint64_t)0xb105f00du << 32 | AXVM_PL011_PERIPHID; /* PCellID:PeriphID */
	uint32_t v;

	switch (off) {
	case DR:
		v = uart_fifo_pop(u->rx, AXVM_PL011_FIFO, &u->rx_head, &u->rx_count);
		if (u->rsr & RSR_OE)
			v |= DR_OE;
		u->rsr = 0;
		update(u);
		return v;
	case RSR:
		return u->rsr;
	case FR:
		return FR_TXFE | (u->rx_count ? 0 : FR_RXFE) |
		       (u->rx_count >= depth(u) ? FR_RXFF : 0);
	case ILPR:
		return u->ilpr;
	case IBRD:
		return u->ibrd;
	case FBRD:
		return u->fbrd;
	case LCRH:
		return u->lcrh;
	case CR:
		return u->cr;
	case IFLS:
		return u->ifls;
	case IMSC:
		return u->imsc;
	case RIS:
		return u->ris;
	case MIS:
		return u->ris & u->imsc;
	case DMACR:
		return u->dmacr;
	default:
		if (off >= PERIPH_ID && off < PERIPH_ID + 32 && !(off & 3u))
			return (uint32_t)(id >> (8 * ((off - PERIPH_ID) / 4))) & 0xffu;
		return 0; /* reserved and test registers */
	}
}

static void write_reg(struct axvm_pl011 *u, uint64_t off, uint32_t v)
{
	switch (off) {
	case DR:
		if (u->cr & CR_LBE)
			(void)receive(u, (uint8_t)v);
		else
			u->host.tx(u->host.arg, (uint8_t)v);
		u->ris |= INT_TX;
		break;
	case RSR: /* ECR: any write clears the errors */
		u->rsr = 0;
		break;
	case ILPR:
		u->ilpr = v & 0xffu;
		break;
	case IBRD:
		u->ibrd = v & 0xffffu;
		break;
	case FBRD:
		u->fbrd = v & 0x3fu;
		break;
	case LCRH:
		/* Turning the FIFO off or on flushes it, as the TRM says
		 * disabling does; keep it simple: flush on any change. */
		if ((v ^ u->lcrh) & LCRH_FEN)
			u->rx_head = u->rx_count = 0;
		u->lcrh = v & 0xffu;
		break;
	case CR:
		u->cr = v & 0xff87u;
		break;
	case IFLS:
		u->ifls = v & 0x3fu;
		break;
	case IMSC:
		u->imsc = v & INT_ALL;
		break;
	case ICR:
		u->ris &= ~(v & INT_ALL);
		break;
	case DMACR:
		u->dmacr = v & 0x7u;
		break;
	default:
		return; /* read-only and reserved: ignored */
	}
	update(u);
}

static int pl011_read(void *ctx, uint64_t off, unsigned width, uint64_t *value)
{
	struct axvm_pl011 *u = ctx;

	(void)width; /* 1, 2 or 4 (the descriptor's mask); the low bits matter */
	uart_lock_host(&u->lock, &u->host);
	*value = read_reg(u, off & ~3ull) >> (8 * (off & 3u));
	uart_unlock(&u->lock);
	return 0;
}

static int pl011_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	struct axvm_pl011 *u = ctx;

	(void)width;
	if (off & 3u)
		return 0; /* a sub-word write to the middle of a register: ignored */
	uart_lock_host(&u->lock, &u->host);
	write_reg(u, off, (uint32_t)value);
	uart_unlock(&u->lock);
	return 0;
}

static const struct axvm_device_ops pl011_ops = {
	.read = pl011_read,
	.write = pl011_write,
	.reset = pl011_reset,
};

int axvm_pl011_init(struct axvm_pl011 *u, const struct axvm_uart_host *host)
{
	if (!u || !host || !host->tx || host->line || host->tx_line)
		return AXVM_EINVAL;
	memset(u, 0, sizeof(*u));
	atomic_flag_clear(&u->lock);
	u->host = *host;
	reset_regs(u);
	return 0;
}

int axvm_pl011_desc(struct axvm_pl011 *u, uint64_t base, struct axvm_device_desc *desc)
{
	if (!u || !desc || (base & 0xfffu))
		return AXVM_EINVAL;
	memset(desc, 0, sizeof(*desc));
	desc->name = "pl011";
	desc->bus = AXVM_BUS_MMIO;
	desc->base = base;
	desc->size = 0x1000;
	desc->widths = AXVM_WIDTH_1 | AXVM_WIDTH_2 | AXVM_WIDTH_4;
	desc->naturally_aligned = true;
	desc->ops = &pl011_ops;
	desc->ctx = u;
	return 0;
}

int axvm_pl011_rx(struct axvm_pl011 *u, uint8_t byte)
{
	int rc;

	if (!u)
		return AXVM_EINVAL;
	uart_lock_host(&u->lock, &u->host);
	if ((u->cr & (CR_UARTEN | CR_RXE)) != (CR_UARTEN | CR_RXE))
		rc = AXVM_EAGAIN;
	else
		rc = receive(u, byte);
	uart_unlock(&u->lock);
	return rc;
}
