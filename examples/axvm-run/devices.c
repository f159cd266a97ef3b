/* SPDX-License-Identifier: Apache-2.0 */
/* axvm-run's device models. */
#include <sched.h>
#include <string.h>

#include "axvm_kvm.h"
#include "devices.h"

/* ---- 16550 UART ---------------------------------------------------- */

#define LCR_DLAB 0x80u
#define LSR_THRE 0x20u
#define LSR_TEMT 0x40u

/* The vCPU threads of an SMP guest share the UART. Held for a handful of
 * stores, and across the stdio call of a finished line so lines leave in
 * the order the guest finished them; a waiter yields rather than burn the
 * CPU the holder may need. */
static __attribute__((noinline)) void uart_lock_slow(struct uart16550 *u)
{
	while (atomic_flag_test_and_set_explicit(&u->busy, memory_order_acquire))
		sched_yield();
}

static inline void uart_lock(struct uart16550 *u)
{
	if (atomic_flag_test_and_set_explicit(&u->busy, memory_order_acquire))
		uart_lock_slow(u);
}

static inline void uart_unlock(struct uart16550 *u)
{
	atomic_flag_clear_explicit(&u->busy, memory_order_release);
}

/* Under the lock. Out of line: once a line, not once a byte. */
static __attribute__((noinline)) void uart_flush_line(struct uart16550 *u)
{
	if (u->line_len == 0)
		return;
	fwrite(u->line, 1, u->line_len, u->out);
	fflush(u->out);
	u->line_len = 0;
}

static int uart_read(void *ctx, uint64_t off, unsigned width, uint64_t *val)
{
	struct uart16550 *u = ctx;
	uint8_t v = 0;

	(void)width; /* registered for 1-byte accesses only */
	/* What a polled driver reads before each byte takes no lock: LSR is
	 * constant, scratch is its own atomic. */
	switch (off) {
	case 5:
		*val = LSR_THRE | LSR_TEMT; /* always ready */
		return 0;
	case 6:
		*val = 0xb0; /* DCD, DSR, CTS */
		return 0;
	case 7:
		*val = atomic_load_explicit(&u->scr, memory_order_relaxed);
		return 0;
	default:
		break;
	}
	uart_lock(u);
	switch (off) {
	case 0:
		v = (u->lcr & LCR_DLAB) ? u->dll : 0;
		break; /* RBR: empty */
	case 1:
		v = (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
		break;
	case 2:
		v = (uint8_t)(0x01u | ((u->fcr & 1u) ? 0xc0u : 0u));
		break;
	case 3:
		v = u->lcr;
		break;
	case 4:
		v = u->mcr;
		break;
	default:
		break;
	}
	uart_unlock(u);
	*val = v;
	return 0;
}

/* Under the lock: every register write but a transmitted byte. */
static __attribute__((noinline)) void uart_write_reg(struct uart16550 *u,
                                                     uint64_t off, uint8_t v)
{
	switch (off) {
	case 0:
		u->dll = v; /* DLAB set, or the caller took the byte */
		break;
	case 1:
		if (u->lcr & LCR_DLAB)
			u->dlm = v;
		else
			u->ier = v & 0x0fu;
		break;
	case 2:
		u->fcr = v;
		break;
	case 3:
		u->lcr = v;
		break;
	case 4:
		u->mcr = v & 0x1fu;
		break;
	default:
		break; /* LSR, MSR: read-only */
	}
}

/* A transmitted byte's line is full or ended: to stdio, then unlock. */
static __attribute__((noinline)) int uart_flush_unlock(struct uart16550 *u)
{
	uart_flush_line(u);
	uart_unlock(u);
	return 0;
}

static __attribute__((noinline)) int uart_write_reg_unlock(struct uart16550 *u,
                                                           uint64_t off,
                                                           uint8_t v)
{
	uart_write_reg(u, off, v);
	uart_unlock(u);
	return 0;
}

/* With the lock held; unlocks. */
static inline int uart_write_locked(struct uart16550 *u, uint64_t off,
                                    uint8_t v)
{
	unsigned n;

	if (off != 0 || (u->lcr & LCR_DLAB))
		return uart_write_reg_unlock(u, off, v);
	if (u->out) {
		n = u->line_len;
		u->line[n++] = (char)v;
		u->line_len = n;
		if (v == '\n' || n == sizeof(u->line))
			return uart_flush_unlock(u);
	}
	uart_unlock(u);
	return 0;
}

static __attribute__((noinline)) int
uart_write_contended(struct uart16550 *u, uint64_t off, uint8_t v)
{
	uart_lock_slow(u);
	return uart_write_locked(u, off, v);
}

/* A transmitted byte costs the lock and a store; everything rarer ends in
 * a tail call, so this path saves no registers. */
static int uart_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	struct uart16550 *u = ctx;
	uint8_t v = (uint8_t)val;

	(void)width;
	if (off == 7) {
		atomic_store_explicit(&u->scr, v, memory_order_relaxed);
		return 0;
	}
	if (atomic_flag_test_and_set_explicit(&u->busy, memory_order_acquire))
		return uart_write_contended(u, off, v);
	return uart_write_locked(u, off, v);
}

static void uart_reset(void *ctx)
{
	struct uart16550 *u = ctx;

	uart_lock(u);
	u->ier = u->lcr = u->mcr = u->fcr = u->dll = u->dlm = 0;
	uart_unlock(u);
	atomic_store(&u->scr, 0);
}

static const struct axvm_device_ops uart_ops = {
    .read = uart_read,
    .write = uart_write,
    .reset = uart_reset,
};

void uart16550_init(struct uart16550 *u, FILE *out)
{
	memset(u, 0, sizeof(*u));
	atomic_flag_clear(&u->busy);
	u->out = out;
	atomic_init(&u->scr, 0);
}

/* A guest that stopped mid-line still has its last bytes shown. */
void uart16550_fini(struct uart16550 *u)
{
	if (!u->out)
		return;
	uart_lock(u);
	uart_flush_line(u);
	uart_unlock(u);
	fflush(u->out);
}

void uart16550_desc(struct uart16550 *u, struct axvm_device_desc *d)
{
	*d = (struct axvm_device_desc){
	    .name = "uart16550",
	    .bus = AXVM_BUS_PIO,
	    .base = AXVM_KVM_UART_PORT,
	    .size = 8,
	    .widths = AXVM_WIDTH_1,
	    .ops = &uart_ops,
	    .ctx = u,
	};
}

/* ---- exit port ----------------------------------------------------- */

static int exit_read(void *ctx, uint64_t off, unsigned width, uint64_t *val)
{
	(void)ctx;
	(void)off;
	(void)width;
	*val = 0;
	return 0;
}

static int exit_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	struct exit_port *e = ctx;
	bool first = false;

	(void)off;
	(void)width;
	if (atomic_compare_exchange_strong(&e->written, &first, true))
		atomic_store(&e->code, (uint8_t)val);
	if (e->vm)
		axvm_vm_shutdown(e->vm); /* safe on a vCPU thread */
	return 0;
}

static void exit_reset(void *ctx)
{
	struct exit_port *e = ctx;

	atomic_store(&e->written, false);
	atomic_store(&e->code, 0);
}

static const struct axvm_device_ops exit_ops = {
    .read = exit_read,
    .write = exit_write,
    .reset = exit_reset,
};

void exit_port_desc(struct exit_port *e, struct axvm_device_desc *d)
{
	*d = (struct axvm_device_desc){
	    .name = "exit-port",
	    .bus = AXVM_BUS_PIO,
	    .base = AXVM_KVM_EXIT_PORT,
	    .size = 1,
	    .widths = AXVM_WIDTH_1 | AXVM_WIDTH_2 | AXVM_WIDTH_4,
	    .ops = &exit_ops,
	    .ctx = e,
	};
}

/* ---- test device --------------------------------------------------- */

static const uint8_t testdev_pattern[16] = {
    0xbb, 0xaa, 0x99, 0x88, 0xf0, 0xe0, 0xc0, 0x80,
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x08,
};

static int testdev_read(void *ctx, uint64_t off, unsigned width, uint64_t *val)
{
	struct testdev *t = ctx;
	uint64_t v = 0;

	if (off > sizeof(t->bytes) || width > sizeof(t->bytes) - off)
		return AXVM_ENODEV;
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)t->bytes[off + i] << (8 * i);
	*val = v;
	return 0;
}

static int testdev_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	struct testdev *t = ctx;

	if (off > 0x40 || width > 0x40 - off)
		return AXVM_EPERM; /* the pattern is read-only */
	for (unsigned i = 0; i < width; i++)
		t->bytes[off + i] = (uint8_t)(val >> (8 * i));
	return 0;
}

static void testdev_reset(void *ctx)
{
	testdev_init(ctx);
}

static const struct axvm_device_ops testdev_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .reset = testdev_reset,
};

void testdev_init(struct testdev *t)
{
	memset(t->bytes, 0, sizeof(t->bytes));
	memcpy(t->bytes + 0x40, testdev_pattern, sizeof(testdev_pattern));
}

void testdev_desc(struct testdev *t, struct axvm_device_desc *d)
{
	*d = (struct axvm_device_desc){
	    .name = "axvm-testdev",
	    .bus = AXVM_BUS_MMIO,
	    .base = TESTDEV_BASE,
	    .size = TESTDEV_SIZE,
	    .widths = AXVM_WIDTH_ANY,
	    .naturally_aligned = true,
	    .ops = &testdev_ops,
	    .ctx = t,
	};
}

int x86_abi_hypercall(void *ctx, struct axvm_vcpu *vcpu, uint64_t nr,
                      const uint64_t args[6], uint64_t *ret)
{
	(void)ctx;
	(void)vcpu;
	switch (nr) {
	case X86_ABI_HC_VERSION:
		*ret = X86_ABI_VERSION;
		break;
	case X86_ABI_HC_SUM:
		*ret = args[0] + args[1] + args[2] + args[3] + args[4] + args[5];
		break;
	default:
		*ret = (uint64_t)(int64_t)AXVM_ENOSYS;
		break;
	}
	return 0;
}
