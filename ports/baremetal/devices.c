/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Emulated devices the kernel gives every guest (registered through the
 * VM config, dispatched by the core from MMIO exits):
 *  - the guest console: whatever path the target's UART (or firmware
 *    console) takes, bytes end in bm_devs_putc(), and lines go to the
 *    kernel console prefixed "[vmname] ";
 *  - a test device at BM_GUEST_TESTDEV_GPA (see the guest ABI docs): 256
 *    bytes of scratch registers any width may access, a read-only 64-bit
 *    id, and an access counter;
 *  - the guest UART the config names, served by the target's model;
 *  - the target's extras (bm_arch_devs_add).
 */
#include <string.h>

#include "kernel.h"
#include "devices.h"

#define TESTDEV_ID 0x0123456789abcdefull

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

void bm_devs_flush(struct bm_vm_devs *d)
{
	if (!d)
		return;
	line_lock(d);
	if (d->len)
		flush_line(d);
	line_unlock(d);
}

/* --- test device ------------------------------------------------------------------ */

static int testdev_read(void *ctx, uint64_t off, unsigned width, uint64_t *val)
{
	struct bm_vm_devs *d = ctx;
	uint64_t v = 0;

	d->accesses++;
	if (off + width <= sizeof(d->scratch)) {
		for (unsigned i = 0; i < width; i++)
			v |= (uint64_t)d->scratch[off + i] << (8 * i);
	} else if (off >= 0x100 && off + width <= 0x108) {
		v = TESTDEV_ID >> (8 * (off - 0x100));
	} else if (off == 0x200) {
		v = d->accesses;
	} else {
		return AXVM_ENODEV; /* the VM's unhandled-access policy applies */
	}
	*val = v;
	return 0;
}

static int testdev_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	struct bm_vm_devs *d = ctx;

	d->accesses++;
	if (off + width > sizeof(d->scratch))
		return AXVM_ENODEV;
	for (unsigned i = 0; i < width; i++)
		d->scratch[off + i] = (uint8_t)(val >> (8 * i));
	return 0;
}

static void testdev_reset(void *ctx)
{
	struct bm_vm_devs *d = ctx;
	memset(d->scratch, 0, sizeof(d->scratch));
	d->accesses = 0;
}

static const struct axvm_device_ops testdev_ops = {
	.read = testdev_read, .write = testdev_write, .reset = testdev_reset,
};

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

/* One UART model per VM: the config's UART node (the parser made it a
 * library model) is served by the port's, which feeds the console lines
 * above and which every guest and Linux are tested against. Its window
 * is the node's; any access width, as the port's model takes. */
static void use_port_uart(struct bm_vm_devs *d, struct bm_vm *v)
{
	struct axvm_config *cfg = &v->fdt.cfg;

	for (uint32_t i = 0; i < cfg->device_count; i++) {
		if (v->fdt.devices[i].kind != bm_guest.uart_kind)
			continue;
		cfg->devices[i].ops = bm_guest.uart_ops;
		cfg->devices[i].ctx = d;
		cfg->devices[i].widths = AXVM_WIDTH_ANY;
		cfg->devices[i].naturally_aligned = false;
	}
}

int bm_devs_add(struct bm_vm_devs *d, struct bm_vm *v)
{
	const struct axvm_device_desc testdev = {
		.name = "testdev", .bus = AXVM_BUS_MMIO, .base = BM_GUEST_TESTDEV_GPA,
		.size = BM_GUEST_TESTDEV_SIZE, .widths = AXVM_WIDTH_ANY,
		.naturally_aligned = true, .ops = &testdev_ops, .ctx = d,
	};
	int rc;

	use_port_uart(d, v);
	if ((rc = axvm_config_add_device(&v->fdt.cfg, &testdev)))
		return rc;
	return bm_arch_devs_add(d, &v->fdt.cfg);
}
