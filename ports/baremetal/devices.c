/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Emulated devices the kernel gives every guest (registered through the
 * VM config, dispatched by the core from MMIO and system-register exits):
 *  - a PL011 UART at 0x0900_0000: every byte the guest writes is one
 *    trapped MMIO write; lines go to the console prefixed "[vmname] ";
 *  - a test device at 0x0a00_0000 (docs/guest-abi-aarch64.md): 256 bytes
 *    of scratch registers any width may access, a read-only 64-bit id,
 *    and an access counter;
 *  - ACTLR_EL1 (trapped by HCR_EL2.TACR) as a plain 64-bit register.
 */
#include <string.h>

#include "axvm_aarch64.h"
#include "kernel.h"

#define LINE_MAX 160
#define TESTDEV_ID 0x0123456789abcdefull
#define ACTLR_RESET 0x5a5aull

struct bm_vm_devs {
	char name[AXVM_NAME_MAX];
	char line[LINE_MAX];
	size_t len;
	uint8_t scratch[256];
	uint64_t accesses;
	uint64_t actlr;
};

/* --- PL011 (transmit side, polled) ---------------------------------------------- */

static void uart_flush_line(struct bm_vm_devs *d)
{
	d->line[d->len] = '\0';
	kprintf("[%s] %s\n", d->name, d->line);
	d->len = 0;
}

static int uart_read(void *ctx, uint64_t off, unsigned width, uint64_t *val)
{
	static const uint8_t id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

	(void)ctx;
	(void)width;
	if (off == 0x18)
		*val = 1u << 4; /* FR: RX FIFO empty, TX never full */
	else if (off >= 0xfe0 && off < 0x1000 && !(off & 3))
		*val = id[(off - 0xfe0) / 4];
	else
		*val = 0;
	return 0;
}

static int uart_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	struct bm_vm_devs *d = ctx;
	char c = (char)(val & 0xff);

	(void)width;
	if (off != 0)
		return 0; /* control registers: accepted, no effect */
	if (c == '\n' || d->len == LINE_MAX - 1) {
		if (c != '\n')
			d->line[d->len++] = c;
		uart_flush_line(d);
	} else if (c != '\r') {
		/* Guest bytes are input: keep the console printable. */
		d->line[d->len++] = (c >= 0x20 && c < 0x7f) ? c : '.';
	}
	return 0;
}

void bm_devs_flush(struct bm_vm_devs *d)
{
	if (d && d->len)
		uart_flush_line(d);
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
	d->actlr = ACTLR_RESET;
}

/* --- ACTLR_EL1 ------------------------------------------------------------------------ */

static int actlr_read(void *ctx, uint64_t off, unsigned width, uint64_t *val)
{
	struct bm_vm_devs *d = ctx;
	(void)off;
	(void)width;
	*val = d->actlr;
	return 0;
}

static int actlr_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	struct bm_vm_devs *d = ctx;
	(void)off;
	(void)width;
	d->actlr = val;
	return 0;
}

static const struct axvm_device_ops uart_ops = { .read = uart_read, .write = uart_write };
static const struct axvm_device_ops testdev_ops = {
	.read = testdev_read, .write = testdev_write, .reset = testdev_reset,
};
static const struct axvm_device_ops actlr_ops = { .read = actlr_read, .write = actlr_write };

/* Device state lives as long as the kernel (one slot per VM, never freed). */
#define MAX_DEVS 8
static struct bm_vm_devs devs[MAX_DEVS];
static atomic_uint ndevs;

struct bm_vm_devs *bm_devs_create(const char *vm_name)
{
	unsigned i = atomic_fetch_add(&ndevs, 1);
	if (i >= MAX_DEVS)
		return NULL;
	struct bm_vm_devs *d = &devs[i];
	memset(d, 0, sizeof(*d));
	for (size_t k = 0; k + 1 < sizeof(d->name) && vm_name[k]; k++)
		d->name[k] = vm_name[k];
	d->actlr = ACTLR_RESET;
	return d;
}

int bm_devs_add(struct bm_vm_devs *d, struct axvm_config *cfg)
{
	const struct axvm_device_desc descs[] = {
		{ .name = "pl011", .bus = AXVM_BUS_MMIO, .base = BM_GUEST_UART_GPA,
		  .size = 0x1000, .widths = AXVM_WIDTH_ANY, .ops = &uart_ops, .ctx = d },
		{ .name = "testdev", .bus = AXVM_BUS_MMIO, .base = BM_GUEST_TESTDEV_GPA,
		  .size = BM_GUEST_TESTDEV_SIZE, .widths = AXVM_WIDTH_ANY,
		  .naturally_aligned = true, .ops = &testdev_ops, .ctx = d },
		{ .name = "actlr_el1", .bus = AXVM_BUS_SYSREG,
		  .base = AXVM_A64_SYSREG_ACTLR_EL1, .size = 8, .widths = AXVM_WIDTH_8,
		  .ops = &actlr_ops, .ctx = d },
	};
	int rc;

	for (size_t i = 0; i < sizeof(descs) / sizeof(descs[0]); i++)
		if ((rc = axvm_config_add_device(cfg, &descs[i])))
			return rc;
	return 0;
}
