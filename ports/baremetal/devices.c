/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Emulated devices the kernel gives every guest (registered through the
 * VM config, dispatched by the core from MMIO exits):
 *  - the guest console: whatever path the target's UART (or firmware
 *    console) takes, bytes end in bm_devs_putc(), and lines go to the
 *    kernel console prefixed "[vmname] ";
 *  - a test device at BM_GUEST_TESTDEV_GPA (see the guest ABI docs): the
 *    library's (axvm/testdev.h), 256 bytes of scratch registers any width
 *    may access, a read-only 64-bit id at 0x100, an access counter (not
 *    in a kernel built with AXVM_BM_TESTDEV=OFF);
 *  - the guest UART the config names: the library's PL011 or 16550A
 *    (src/devices), transmitting into the console lines, receiving the
 *    board's console input while its VM has the focus (console_in.c),
 *    and raising its interrupt in the VM;
 *  - the target's extras (bm_arch_devs_add).
 */
#include <string.h>

#include "kernel.h"
#include "devices.h"

/* CMakeLists.txt builds the kernel and libaxvm's parser for the one UART
 * kind the target's guests get (bm_guest.uart_kind): the other model is
 * then not linked. */
#if defined(AXVM_FDT_UART_PL011_ONLY)
#define BM_UART_IS_PL011 true
#elif defined(AXVM_FDT_UART_NS16550_ONLY)
#define BM_UART_IS_PL011 false
#else
#define BM_UART_IS_PL011 (bm_guest.uart_kind == AXVM_FDT_DEV_PL011)
#endif

/* --- console lines ------------------------------------------------------------------ */

static void line_lock(struct bm_vm_devs *d)
{
	while (atomic_flag_test_and_set_explicit(&d->line_lock, memory_order_acquire))
		;
}

static void line_unlock(struct bm_vm_devs *d)
{
	atomic_flag_clear_explicit(&d->line_lock, memory_order_release);
}

static void flush_line(struct bm_vm_devs *d)
{
	d->line[d->len] = '\0';
	kprintf("[%s] %s\n", d->name, d->line);
	d->len = 0;
}

void bm_devs_putc(struct bm_vm_devs *d, char c)
{
	line_lock(d);
	if (c == '\n') {
		flush_line(d);
	} else if (c != '\r') {
		/* Guest bytes are input: keep the console printable. A full
		 * line goes out with room left for its NUL. */
		d->line[d->len++] = (c >= 0x20 && c < 0x7f) ? c : '.';
		if (d->len == BM_LINE_MAX - 1)
			flush_line(d);
	}
	line_unlock(d);
}

/* Targets whose devices hold no console bytes of their own keep this. */
__attribute__((weak)) void bm_arch_devs_flush(struct bm_vm_devs *d)
{
	(void)d;
}

void bm_devs_flush(struct bm_vm_devs *d)
{
	if (!d)
		return;
	bm_arch_devs_flush(d); /* the target's bytes join the line first */
	line_lock(d);
	if (d->len)
		flush_line(d);
	line_unlock(d);
}

void bm_devs_report(const struct bm_vm_devs *d)
{
	if (d && d->rx_dropped)
		kprintf("axvm: %s: %lu console input byte(s) refused by its %s\n", d->name,
			d->rx_dropped, atomic_load(&d->vcons) ? "consoles" : "UART");
}

#if BM_TESTDEV
/* --- test device ------------------------------------------------------------------ */

/* The library's test device in the layout the aarch64 and riscv64 guests
 * check: 256 scratch bytes, the id (little-endian) at 0x100. */
static const uint8_t testdev_id[8] = { 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01 };

_Static_assert(BM_GUEST_TESTDEV_SIZE == AXVM_TESTDEV_SIZE, "the platform's test-device window");

static int add_testdev(struct bm_vm_devs *d, struct axvm_config *cfg)
{
	const struct axvm_testdev_layout l = {
		.scratch_len = 256, .ro_off = 0x100, .ro_len = sizeof(testdev_id), .ro = testdev_id,
	};
	struct axvm_device_desc m;
	int rc;

	if ((rc = axvm_testdev_init(&d->testdev, &l)) ||
	    (rc = axvm_testdev_desc(&d->testdev, BM_GUEST_TESTDEV_GPA, &m)))
		return rc;
	m.name = "testdev";
	return axvm_config_add_device(cfg, &m);
}
#endif

/* --- shared wiring ------------------------------------------------------------------ */

void bm_irq_edge(struct bm_vm *v, uint32_t irq, bool level)
{
	if (level && irq && v && v->vcpu[0])
		(void)axvm_vcpu_inject_irq(v->vcpu[0], irq);
}

static int masked_read(void *ctx, uint64_t off, unsigned width, uint64_t *val)
{
	struct bm_masked *w = ctx;
	uint64_t flags = bm_arch_irq_save();
	int rc = w->ops->read(w->ctx, off, width, val);

	bm_arch_irq_restore(flags);
	return rc;
}

static int masked_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	struct bm_masked *w = ctx;
	uint64_t flags = bm_arch_irq_save();
	int rc = w->ops->write(w->ctx, off, width, val);

	bm_arch_irq_restore(flags);
	return rc;
}

static void masked_reset(void *ctx)
{
	struct bm_masked *w = ctx;
	uint64_t flags = bm_arch_irq_save();

	if (w->ops->reset)
		w->ops->reset(w->ctx);
	bm_arch_irq_restore(flags);
}

static const struct axvm_device_ops masked_ops = {
	.read = masked_read, .write = masked_write, .reset = masked_reset,
};

void bm_masked_wire(struct bm_masked *w, const struct axvm_device_desc *m,
		    struct axvm_device_desc *cd)
{
	w->ops = m->ops;
	w->ctx = m->ctx;
	cd->ops = &masked_ops;
	cd->ctx = w;
	cd->widths = m->widths;
	cd->naturally_aligned = m->naturally_aligned;
}

/* Device state lives as long as the kernel (one per VM, never freed). */
static struct bm_vm_devs devs[BM_MAX_VMS];
static atomic_uint ndevs;

struct bm_vm_devs *bm_devs_create(const char *vm_name)
{
	unsigned i = atomic_fetch_add(&ndevs, 1);
	if (i >= BM_MAX_VMS)
		return NULL;
	struct bm_vm_devs *d = &devs[i];
	memset(d, 0, sizeof(*d));
	atomic_flag_clear(&d->line_lock);
	for (size_t k = 0; k + 1 < sizeof(d->name) && vm_name[k]; k++)
		d->name[k] = vm_name[k];
	return d;
}

/* --- the guest UART ---------------------------------------------------------------- */

static void uart_tx(void *arg, uint8_t byte)
{
	bm_devs_putc(arg, (char)byte);
}

static void uart_irq(void *arg, bool level)
{
	struct bm_vm_devs *d = arg;

	bm_irq_edge(d->vm, d->uart_irq, level);
}

static int pl011_rx(void *model, uint8_t byte)
{
	return axvm_pl011_rx(model, byte);
}

static int ns16550_rx(void *model, uint8_t byte)
{
	return axvm_ns16550_rx(model, byte);
}

/* The config's UART node (the parser gave it the library's polled model
 * state) is served by this VM's src/devices model: the device entry is
 * re-pointed at it, keeping the node's window. */
static int set_up_uart(struct bm_vm_devs *d, struct bm_vm *v)
{
	struct axvm_config *cfg = &v->fdt->cfg;
	const struct axvm_uart_host host = { .arg = d, .tx = uart_tx, .irq = uart_irq };
	struct axvm_device_desc m;
	int rc;

	d->vm = v;
	for (uint32_t i = 0; i < cfg->device_count; i++) {
		const struct axvm_fdt_device *fd = &v->fdt->devices[i];
		if (fd->kind != bm_guest.uart_kind)
			continue;
		if (BM_UART_IS_PL011) {
			if ((rc = axvm_pl011_init(&d->uart.pl011, &host)) ||
			    (rc = axvm_pl011_desc(&d->uart.pl011, cfg->devices[i].base, &m)))
				return rc;
			d->uart_rx = pl011_rx;
		} else {
			if ((rc = axvm_ns16550_init(&d->uart.ns16550, &host, fd->state.reg_shift)) ||
			    (rc = axvm_ns16550_desc(&d->uart.ns16550, cfg->devices[i].base, &m)))
				return rc;
			d->uart_rx = ns16550_rx;
		}
		d->uart_irq = fd->irq;
		bm_masked_wire(&d->uart_masked, &m, &cfg->devices[i]);
		return 0; /* one console UART per VM */
	}
	return 0;
}

/* Called with interrupts masked or from the interrupt itself. The
 * virtio-console takes the byte when its driver has a receive buffer
 * posted; otherwise (or with none) the UART, as without one. */
int bm_devs_input(struct bm_vm_devs *d, uint8_t byte)
{
	struct axvm_virtio_console *vc = BM_VIRTIO ? atomic_load(&d->vcons) : NULL;
	size_t taken = 0;
	int rc;

	if (vc && axvm_virtio_console_rx(vc, &byte, 1, &taken) == 0 && taken == 1)
		return 0;
	rc = d->uart_rx ? d->uart_rx(&d->uart, byte) : AXVM_ENODEV;

	if (rc)
		d->rx_dropped++;
	return rc;
}

int bm_devs_add(struct bm_vm_devs *d, struct bm_vm *v)
{
	int rc;

	if ((rc = set_up_uart(d, v)) || (rc = bm_virtio_add(v)))
		return rc;
#if BM_TESTDEV
	if ((rc = add_testdev(d, &v->fdt->cfg)))
		return rc;
#endif
	return bm_arch_devs_add(d, &v->fdt->cfg);
}
