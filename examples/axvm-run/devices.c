/* SPDX-License-Identifier: Apache-2.0 */
/* axvm-run's device models. */
#include <sched.h>
#include <string.h>

#include <axvm/test_hypercall.h>

#include "axvm_kvm.h"
#include "devices.h"

/* ---- 16550 UART ---------------------------------------------------- */

/* The library's 16550A (src/devices/ns16550.c) on COM1's ports, in line
 * mode: the model fills `line` and hands over each finished line with its
 * own lock held, which orders the lines of every vCPU thread. */

static void uart_tx_line(void *arg, const uint8_t *bytes, uint32_t n)
{
	struct uart16550 *u = arg;

	fwrite(bytes, 1, n, u->out);
	fflush(u->out);
}

/* The vCPU threads of an SMP guest share the UART: a waiter yields rather
 * than burn the CPU the holder (perhaps writing a line out) may need. */
static void uart_relax(void *arg)
{
	(void)arg;
	sched_yield();
}

/* No output file: the bytes are dropped. */
static void uart_tx_drop(void *arg, const uint8_t *bytes, uint32_t n)
{
	(void)arg;
	(void)bytes;
	(void)n;
}

void uart16550_init(struct uart16550 *u, FILE *out)
{
	const struct axvm_uart_host host = {
	    .arg = u,
	    .line = u->line,
	    .line_size = sizeof(u->line),
	    .tx_line = out ? uart_tx_line : uart_tx_drop,
	    .relax = uart_relax,
	};

	memset(u, 0, sizeof(*u));
	u->out = out;
	/* Cannot fail: the arguments are valid. */
	(void)axvm_ns16550_init(&u->model, &host, 0);
}

/* A guest that stopped mid-line still has its last bytes shown. */
void uart16550_fini(struct uart16550 *u)
{
	(void)axvm_ns16550_flush(&u->model);
	if (u->out)
		fflush(u->out);
}

void uart16550_desc(struct uart16550 *u, struct axvm_device_desc *d)
{
	/* Cannot fail: COM1's 8 ports fit below 0x10000. */
	(void)axvm_ns16550_desc_bus(&u->model, AXVM_BUS_PIO, AXVM_KVM_UART_PORT,
	                            d);
	d->name = "uart16550";
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

void testdev_init(struct axvm_testdev *t)
{
	/* A valid layout: cannot fail. */
	(void)axvm_testdev_init(t, &axvm_testdev_x86_layout);
}

void testdev_desc(struct axvm_testdev *t, struct axvm_device_desc *d)
{
	(void)axvm_testdev_desc(t, TESTDEV_BASE, d); /* cannot fail */
}

int x86_abi_hypercall(void *ctx, struct axvm_vcpu *vcpu, uint64_t nr,
                      const uint64_t args[6], uint64_t *ret)
{
	(void)ctx;
	(void)vcpu;
	*ret = axvm_x86_test_hypercall(nr, args); /* unknown numbers: ENOSYS */
	return 0;
}
