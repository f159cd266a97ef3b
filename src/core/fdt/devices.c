/* SPDX-License-Identifier: Apache-2.0 */
/* The compatible registry and its device models: the two UARTs are the
 * library's (src/devices/, axvm/uart.h), wired here to the console a host
 * gives axvm_fdt_vm_set_console() and to no interrupt (a port that routes
 * one re-registers the UART with its own host side); the dummy and the
 * placeholders of virtio and ivc nodes are this file's. Every model keeps
 * its whole state in struct axvm_fdt_dev_state, which lives in the
 * caller's struct axvm_fdt_vm: no allocation. */
#include <string.h>

#include "fdt_internal.h"

/* ---- UARTs: the library's models (src/devices/) ---- */

/* A kernel whose guests get one UART kind (ports/baremetal: the PL011 on
 * AArch64, the 16550A on RISC-V and x86_64) builds the parser with
 * AXVM_FDT_UART_PL011_ONLY or AXVM_FDT_UART_NS16550_ONLY: the other model
 * (2 KB of text) is then not linked, and a node of its kind is refused by
 * name at parse time, as the kernel would refuse it after. */
#if defined(AXVM_FDT_UART_PL011_ONLY)
#define UART_BUILT(kind) ((kind) == AXVM_FDT_DEV_PL011)
#elif defined(AXVM_FDT_UART_NS16550_ONLY)
#define UART_BUILT(kind) ((kind) == AXVM_FDT_DEV_NS16550A)
#else
#define UART_BUILT(kind) ((void)(kind), true)
#endif

/* The model's host side: count, then hand the byte to the console. */
static void uart_tx(void *arg, uint8_t byte)
{
	struct axvm_fdt_dev_state *s = arg;

	s->tx_bytes++;
	if (s->console)
		s->console(s->console_arg, s->vm_id, byte);
}

/* (Re)start dev's UART model, wired to its own state, in its reset state,
 * and point desc (base and size as parsed) at it. The host pointer inside
 * the model is dev's address: after a copy, bind calls this again. */
static int uart_wire(struct axvm_fdt_device *dev, struct axvm_device_desc *desc)
{
	struct axvm_fdt_dev_state *s = &dev->state;
	struct axvm_uart_host host;
	struct axvm_device_desc d;
	int rc;

	/* Padding too: the model copies this whole, and a bound VM is the
	 * same bytes however it was filled (test_fdt_builtin compares). */
	memset(&host, 0, sizeof(host));
	host.arg = s;
	host.tx = uart_tx;

	if (UART_BUILT(AXVM_FDT_DEV_PL011) && s->kind == AXVM_FDT_DEV_PL011) {
		rc = axvm_pl011_init(&s->uart.pl011, &host);
		if (!rc)
			rc = axvm_pl011_desc(&s->uart.pl011, desc->base, &d);
	} else if (UART_BUILT(AXVM_FDT_DEV_NS16550A) &&
	           s->kind == AXVM_FDT_DEV_NS16550A) {
		rc = axvm_ns16550_init(&s->uart.ns16550, &host, s->reg_shift);
		if (!rc)
			rc = axvm_ns16550_desc(&s->uart.ns16550, desc->base, &d);
	} else {
		return AXVM_ENOTSUP;
	}
	if (rc)
		return rc;
	desc->ops = d.ops;
	desc->ctx = d.ctx;
	desc->widths = d.widths;
	desc->naturally_aligned = d.naturally_aligned;
	return 0;
}

static bool is_uart(enum axvm_fdt_dev_kind kind)
{
	return kind == AXVM_FDT_DEV_NS16550A || kind == AXVM_FDT_DEV_PL011;
}

static int ns16550_setup(struct axvm_fdt_ctx *c, int node,
                         struct axvm_fdt_device *dev,
                         struct axvm_device_desc *desc)
{
	uint32_t v;
	bool present;
	int rc;

	if (!UART_BUILT(AXVM_FDT_DEV_NS16550A))
		return axvm_fdt_fail(c, AXVM_ENOTSUP, node, "compatible",
		                     "this build models no 16550 UART (pl011 only)");
	if ((rc = axvm_fdt_opt_u32(c, node, "reg-shift", &v, &present)))
		return rc;
	if (present && v > 2)
		return axvm_fdt_fail(c, AXVM_ERANGE, node, "reg-shift",
		                     "must be 0, 1 or 2");
	dev->state.reg_shift = present ? v : 0;
	if ((rc = axvm_fdt_opt_u32(c, node, "reg-io-width", &v, &present)))
		return rc;
	if (present && v != 1 && v != 2 && v != 4)
		return axvm_fdt_fail(c, AXVM_ERANGE, node, "reg-io-width",
		                     "must be 1, 2 or 4");
	if ((rc = axvm_fdt_opt_u32(c, node, "clock-frequency", &v, &present)))
		return rc;
	dev->clock_hz = present ? v : 3686400u;
	if (desc->size < (8u << dev->state.reg_shift))
		return axvm_fdt_fail(c, AXVM_ERANGE, node, "reg",
		                     "smaller than the 8 UART registers");
	if ((rc = uart_wire(dev, desc)))
		return axvm_fdt_fail(c, rc, node, "reg",
		                     "the UART's registers wrap around");
	return 0;
}

static int pl011_setup(struct axvm_fdt_ctx *c, int node,
                       struct axvm_fdt_device *dev,
                       struct axvm_device_desc *desc)
{
	uint32_t v;
	bool present;
	int rc;

	if (!UART_BUILT(AXVM_FDT_DEV_PL011))
		return axvm_fdt_fail(c, AXVM_ENOTSUP, node, "compatible",
		                     "this build models no PL011 UART (ns16550a only)");
	if ((rc = axvm_fdt_opt_u32(c, node, "clock-frequency", &v, &present)))
		return rc;
	dev->clock_hz = present ? v : 24000000u;
	if ((rc = uart_wire(dev, desc)))
		return axvm_fdt_fail(c, rc, node, "reg",
		                     "a PL011 window must start on a 4 KiB "
		                     "boundary");
	return 0;
}

/* ---- axvm,dummy ---- */

static int dummy_read(void *ctx, uint64_t offset, unsigned width,
                      uint64_t *value)
{
	struct axvm_fdt_dev_state *s = ctx;

	(void)offset;
	s->accesses++;
	*value = width >= 8
	             ? s->read_value
	             : s->read_value & ((UINT64_C(1) << (width * 8u)) - 1);
	return 0;
}

static int dummy_write(void *ctx, uint64_t offset, unsigned width,
                       uint64_t value)
{
	struct axvm_fdt_dev_state *s = ctx;

	(void)offset;
	(void)width;
	(void)value;
	s->accesses++;
	return 0;
}

static const struct axvm_device_ops dummy_ops = {
    .read = dummy_read,
    .write = dummy_write,
};

static int dummy_setup(struct axvm_fdt_ctx *c, int node,
                       struct axvm_fdt_device *dev,
                       struct axvm_device_desc *desc)
{
	const void *val;
	uint32_t len;
	int rc;

	(void)desc;
	if ((rc = axvm_fdt_prop(c, node, "read-value", &val, &len)))
		return rc;
	if (!val)
		return 0;
	if (len != 4 && len != 8)
		return axvm_fdt_fail(c, AXVM_EINVAL, node, "read-value",
		                     "must be one or two 32-bit cells");
	dev->state.read_value = axvm_fdt_cells(val, 0, len / 4);
	return 0;
}

/* ---- virtio,mmio ---- */

/* The window reads as zeros (no virtio magic: a driver passes it by) until
 * the host replaces these ops with the library's virtio-blk or
 * virtio-console model (include/axvm/virtio.h), which needs guest memory access and storage
 * only the host has. */
static int virtio_read(void *ctx, uint64_t offset, unsigned width,
                       uint64_t *value)
{
	struct axvm_fdt_dev_state *s = ctx;

	(void)offset;
	(void)width;
	s->accesses++;
	*value = 0;
	return 0;
}

static const struct axvm_device_ops virtio_ops = {
    .read = virtio_read,
    .write = dummy_write,
};

static int virtio_setup(struct axvm_fdt_ctx *c, int node,
                        struct axvm_fdt_device *dev,
                        struct axvm_device_desc *desc)
{
	const void *val, *cval;
	uint32_t len, clen;
	int rc;

	if (!AXVM_FDT_VIRTIO_BUILT)
		return axvm_fdt_fail(c, AXVM_ENOTSUP, node, "compatible",
		                     "this build has no virtio-mmio devices "
		                     "(AXVM_FDT_NO_VIRTIO)");
	if (desc->base & 0x1ffu)
		return axvm_fdt_fail(
		    c, AXVM_EINVAL, node, "reg",
		    "a virtio-mmio window must be 0x200-aligned");
	if ((rc = axvm_fdt_prop(c, node, "axvm,console", &cval, &clen)) ||
	    (rc = axvm_fdt_prop(c, node, "axvm,disk", &val, &len)))
		return rc;
	if (cval && val)
		return axvm_fdt_fail(c, AXVM_EINVAL, node, "axvm,console",
		                     "a virtio-mmio node is a disk or a "
		                     "console, not both (axvm,disk is there)");
	if (cval) {
		if (clen != 0)
			return axvm_fdt_fail(c, AXVM_EINVAL, node,
			                     "axvm,console",
			                     "a boolean property takes no "
			                     "value");
		dev->kind = AXVM_FDT_DEV_VIRTIO_CONSOLE;
		dev->state.kind = AXVM_FDT_DEV_VIRTIO_CONSOLE;
		desc->widths = AXVM_WIDTH_1 | AXVM_WIDTH_2 | AXVM_WIDTH_4;
		desc->naturally_aligned = true;
		return 0;
	}
	if (!val)
		return axvm_fdt_fail(c, AXVM_ENOENT, node, "axvm,disk",
		                     "missing required property (or "
		                     "axvm,console)");
	if (len != 16)
		return axvm_fdt_fail(
		    c, AXVM_EINVAL, node, "axvm,disk",
		    "must be <host-address size>, two cells each");
	dev->disk_addr = axvm_fdt_cells(val, 0, 2);
	dev->disk_size = axvm_fdt_cells(val, 2, 2);
	if (!dev->disk_size || dev->disk_size % 512u)
		return axvm_fdt_fail(c, AXVM_EINVAL, node, "axvm,disk",
		                     "size must be a non-zero multiple of 512");
	if (dev->disk_addr + (dev->disk_size - 1) < dev->disk_addr)
		return axvm_fdt_fail(c, AXVM_EOVERFLOW, node, "axvm,disk",
		                     "address + size wraps around");
	desc->widths = AXVM_WIDTH_1 | AXVM_WIDTH_2 | AXVM_WIDTH_4;
	desc->naturally_aligned = true;
	return 0;
}

/* ---- axvm,ivc (until a port wires the channel's model) ---- */

/* A window that reads 0 (so MAGIC says "no channel") and drops writes:
 * a host that does not wire the channel (include/axvm/ivc.h) leaves its
 * guests nothing to ring. The channel's own properties are read in
 * parse.c, which knows the VM's address cells. */
static const struct axvm_device_ops ivc_unwired_ops = {
    .read = dummy_read,
    .write = dummy_write,
};

static int ivc_setup(struct axvm_fdt_ctx *c, int node,
                     struct axvm_fdt_device *dev,
                     struct axvm_device_desc *desc)
{
	(void)dev;
	if (!AXVM_FDT_IVC_BUILT)
		return axvm_fdt_fail(c, AXVM_ENOTSUP, node, "compatible",
		                     "this build has no inter-VM channels "
		                     "(AXVM_FDT_NO_IVC)");
	if (desc->base & 0xfffu)
		return axvm_fdt_fail(c, AXVM_EINVAL, node, "reg",
		                     "the doorbell window must be page "
		                     "aligned (4 KiB)");
	desc->widths = AXVM_WIDTH_4;
	desc->naturally_aligned = true;
	return 0;
}

/* ---- registry ---- */

static const struct axvm_fdt_model models[] = {
    /* The UARTs' setup points the descriptor at the library's model. */
    {"ns16550a", ns16550_setup, 8, AXVM_FDT_DEV_NS16550A},
    {"ns16550", ns16550_setup, 8, AXVM_FDT_DEV_NS16550A},
    {"arm,pl011", pl011_setup, 0x1000, AXVM_FDT_DEV_PL011},
    {"axvm,dummy", dummy_setup, 1, AXVM_FDT_DEV_DUMMY},
    {"virtio,mmio", virtio_setup, 0x200, AXVM_FDT_DEV_VIRTIO_BLK},
    {"axvm,ivc", ivc_setup, 0x1000, AXVM_FDT_DEV_IVC},
};

/* The ops of a model that keeps its state in struct axvm_fdt_dev_state
 * (the UARTs' come from uart_wire()). By kind, not from the registry, so
 * that binding a config compiled into an image (axvm-config -c) links no
 * parser. */
static const struct axvm_device_ops *state_ops(enum axvm_fdt_dev_kind kind)
{
	switch (kind) {
	case AXVM_FDT_DEV_DUMMY:
		return &dummy_ops;
	/* None in a build without them: its parser refuses them, and so does
	 * the build of a config compiled in. */
	case AXVM_FDT_DEV_VIRTIO_BLK:
	case AXVM_FDT_DEV_VIRTIO_CONSOLE:
		return AXVM_FDT_VIRTIO_BUILT ? &virtio_ops : NULL;
	case AXVM_FDT_DEV_IVC:
		return AXVM_FDT_IVC_BUILT ? &ivc_unwired_ops : NULL;
	default:
		return NULL;
	}
}

const struct axvm_fdt_model *axvm_fdt_find_model(const char *compatible)
{
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
		if (strcmp(models[i].compatible, compatible) == 0)
			return &models[i];
	return NULL;
}

const char *axvm_fdt_dev_kind_name(enum axvm_fdt_dev_kind kind)
{
	switch (kind) {
	case AXVM_FDT_DEV_NS16550A:
		return "ns16550a";
	case AXVM_FDT_DEV_PL011:
		return "pl011";
	case AXVM_FDT_DEV_DUMMY:
		return "dummy";
	case AXVM_FDT_DEV_VIRTIO_BLK:
		return "virtio-blk";
	case AXVM_FDT_DEV_IVC:
		return "ivc";
	case AXVM_FDT_DEV_VIRTIO_CONSOLE:
		return "virtio-console";
	default:
		return "none";
	}
}

int axvm_fdt_vm_bind(struct axvm_fdt_vm *vm)
{
	if (!vm || vm->cfg.device_count > AXVM_MAX_CONFIG_DEVICES)
		return AXVM_EINVAL;
	for (uint32_t i = 0; i < vm->cfg.device_count; i++) {
		struct axvm_fdt_device *dev = &vm->devices[i];
		struct axvm_device_desc *desc = &vm->cfg.devices[i];
		int rc;

		desc->name = dev->node;
		dev->state.vm_id = vm->cfg.id;
		if (is_uart(dev->state.kind)) {
			if ((rc = uart_wire(dev, desc)))
				return rc;
		} else if (!(desc->ops = state_ops(dev->state.kind))) {
			return AXVM_EINVAL;
		} else {
			desc->ctx = &dev->state;
		}
	}
	return 0;
}

int axvm_fdt_vm_set_console(struct axvm_fdt_vm *vm, axvm_fdt_console_fn fn,
                            void *arg)
{
	if (!vm || vm->cfg.device_count > AXVM_MAX_CONFIG_DEVICES)
		return AXVM_EINVAL;
	for (uint32_t i = 0; i < vm->cfg.device_count; i++) {
		struct axvm_fdt_dev_state *s = &vm->devices[i].state;
		if (is_uart(s->kind)) {
			s->console = fn;
			s->console_arg = arg;
		}
	}
	return 0;
}
