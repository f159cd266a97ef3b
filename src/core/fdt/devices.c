/* SPDX-License-Identifier: Apache-2.0 */
/* The compatible registry and its device models: two polled UARTs (16550
 * and PL011) and a dummy. Each model keeps its whole state in struct
 * axvm_fdt_dev_state, which lives in the caller's struct axvm_fdt_vm: no
 * allocation. They raise no interrupts (that needs the backend's vIRQ
 * path); guests drive them by polling, as earlycon and boot code do. */
#include <string.h>

#include "fdt_internal.h"

/* ---- shared ---- */

static void uart_tx(struct axvm_fdt_dev_state *s, uint64_t byte)
{
	s->tx_bytes++;
	if (s->console)
		s->console(s->console_arg, s->vm_id, (uint8_t)byte);
}

/* ---- ns16550a ---- */

enum { U_IER, U_LCR, U_MCR, U_SCR, U_DLL, U_DLM, U_FCR };

#define UART_LCR_DLAB      0x80u
#define UART_MCR_LOOP      0x10u
#define UART_IER_THRI      0x02u
#define UART_LSR_THRE_TEMT 0x60u
#define UART_MSR_IDLE      0xb0u /* DCD, DSR, CTS */

static void ns16550_reset(void *ctx)
{
	struct axvm_fdt_dev_state *s = ctx;

	memset(s->regs, 0, sizeof(s->regs));
}

static int ns16550_index(const struct axvm_fdt_dev_state *s, uint64_t offset,
                         uint32_t *index)
{
	unsigned shift = s->reg_shift > 2 ? 2 : (unsigned)s->reg_shift;
	uint64_t stride_mask = ((uint64_t)1 << shift) - 1;

	if (offset & stride_mask)
		return -1; /* between registers: read 0, writes dropped */
	if (offset >> shift >= 8)
		return -1;
	*index = (uint32_t)(offset >> shift);
	return 0;
}

static int ns16550_read(void *ctx, uint64_t offset, unsigned width,
                        uint64_t *value)
{
	struct axvm_fdt_dev_state *s = ctx;
	uint32_t r = 0, idx;
	bool dlab = s->regs[U_LCR] & UART_LCR_DLAB;

	(void)width;
	s->accesses++;
	if (ns16550_index(s, offset, &idx) == 0) {
		switch (idx) {
		case 0:
			r = dlab ? s->regs[U_DLL] : 0;
			break; /* RBR: no input */
		case 1:
			r = dlab ? s->regs[U_DLM] : s->regs[U_IER];
			break;
		case 2: /* IIR: THR-empty pending if enabled, FIFO bits */
			r = (s->regs[U_IER] & UART_IER_THRI) ? 0x02u : 0x01u;
			if (s->regs[U_FCR] & 1u)
				r |= 0xc0u;
			break;
		case 3:
			r = s->regs[U_LCR];
			break;
		case 4:
			r = s->regs[U_MCR];
			break;
		case 5:
			r = UART_LSR_THRE_TEMT;
			break; /* always ready to send */
		case 6:
			r = UART_MSR_IDLE;
			break;
		default:
			r = s->regs[U_SCR];
			break;
		}
	}
	*value = r;
	return 0;
}

static int ns16550_write(void *ctx, uint64_t offset, unsigned width,
                         uint64_t value)
{
	struct axvm_fdt_dev_state *s = ctx;
	uint32_t idx, v = (uint32_t)(value & 0xffu);
	bool dlab = s->regs[U_LCR] & UART_LCR_DLAB;

	(void)width;
	s->accesses++;
	if (ns16550_index(s, offset, &idx))
		return 0;
	switch (idx) {
	case 0:
		if (dlab)
			s->regs[U_DLL] = v;
		else if (!(s->regs[U_MCR] & UART_MCR_LOOP))
			uart_tx(s, v);
		break;
	case 1:
		if (dlab)
			s->regs[U_DLM] = v;
		else
			s->regs[U_IER] = v & 0x0fu;
		break;
	case 2:
		s->regs[U_FCR] = v & 0xc9u;
		break; /* reset bits self-clear */
	case 3:
		s->regs[U_LCR] = v;
		break;
	case 4:
		s->regs[U_MCR] = v & 0x1fu;
		break;
	case 7:
		s->regs[U_SCR] = v;
		break;
	default:
		break; /* LSR, MSR: read-only */
	}
	return 0;
}

static const struct axvm_device_ops ns16550_ops = {
    .read = ns16550_read,
    .write = ns16550_write,
    .reset = ns16550_reset,
};

static int ns16550_setup(struct axvm_fdt_ctx *c, int node,
                         struct axvm_fdt_device *dev,
                         struct axvm_device_desc *desc)
{
	uint32_t v;
	bool present;
	int rc;

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
	desc->widths = dev->state.reg_shift ? (uint8_t)AXVM_WIDTH_ANY
	                                    : (uint8_t)AXVM_WIDTH_1;
	desc->naturally_aligned = true;
	return 0;
}

/* ---- PL011 ---- */

enum { P_CR, P_LCRH, P_IBRD, P_FBRD, P_IFLS, P_IMSC, P_ILPR, P_DMACR };

#define PL011_FR_TXFE_RXFE 0x90u
#define PL011_RIS_TX       0x20u /* transmit FIFO always below its level */

static void pl011_reset(void *ctx)
{
	struct axvm_fdt_dev_state *s = ctx;

	memset(s->regs, 0, sizeof(s->regs));
	s->regs[P_CR] = 0x300u;  /* TXE | RXE */
	s->regs[P_IFLS] = 0x12u; /* half-full levels */
}

static int pl011_read(void *ctx, uint64_t offset, unsigned width,
                      uint64_t *value)
{
	static const uint8_t id[8] = {0x11, 0x10, 0x14, 0x00,  /* PeriphID */
	                              0x0d, 0xf0, 0x05, 0xb1}; /* PCellID */
	struct axvm_fdt_dev_state *s = ctx;
	uint32_t r = 0;

	(void)width;
	s->accesses++;
	switch (offset) {
	case 0x018:
		r = PL011_FR_TXFE_RXFE;
		break;
	case 0x020:
		r = s->regs[P_ILPR];
		break;
	case 0x024:
		r = s->regs[P_IBRD];
		break;
	case 0x028:
		r = s->regs[P_FBRD];
		break;
	case 0x02c:
		r = s->regs[P_LCRH];
		break;
	case 0x030:
		r = s->regs[P_CR];
		break;
	case 0x034:
		r = s->regs[P_IFLS];
		break;
	case 0x038:
		r = s->regs[P_IMSC];
		break;
	case 0x03c:
		r = PL011_RIS_TX;
		break;
	case 0x040:
		r = PL011_RIS_TX & s->regs[P_IMSC];
		break;
	case 0x048:
		r = s->regs[P_DMACR];
		break;
	default:
		if (offset >= 0xfe0 && offset < 0x1000 && (offset & 3) == 0)
			r = id[(offset - 0xfe0) / 4];
		break; /* DR reads: no input; the rest reads as zero */
	}
	*value = r;
	return 0;
}

static int pl011_write(void *ctx, uint64_t offset, unsigned width,
                       uint64_t value)
{
	struct axvm_fdt_dev_state *s = ctx;
	uint32_t v = (uint32_t)value;

	(void)width;
	s->accesses++;
	switch (offset) {
	case 0x000:
		/* Loopback (CR.LBE) keeps bytes off the console. */
		if (!(s->regs[P_CR] & 0x80u))
			uart_tx(s, v & 0xffu);
		break;
	case 0x020:
		s->regs[P_ILPR] = v & 0xffu;
		break;
	case 0x024:
		s->regs[P_IBRD] = v & 0xffffu;
		break;
	case 0x028:
		s->regs[P_FBRD] = v & 0x3fu;
		break;
	case 0x02c:
		s->regs[P_LCRH] = v & 0xffu;
		break;
	case 0x030:
		s->regs[P_CR] = v & 0xff87u;
		break;
	case 0x034:
		s->regs[P_IFLS] = v & 0x3fu;
		break;
	case 0x038:
		s->regs[P_IMSC] = v & 0x7ffu;
		break;
	case 0x048:
		s->regs[P_DMACR] = v & 0x7u;
		break;
	default:
		break; /* ICR and read-only registers */
	}
	return 0;
}

static const struct axvm_device_ops pl011_ops = {
    .read = pl011_read,
    .write = pl011_write,
    .reset = pl011_reset,
};

static int pl011_setup(struct axvm_fdt_ctx *c, int node,
                       struct axvm_fdt_device *dev,
                       struct axvm_device_desc *desc)
{
	uint32_t v;
	bool present;
	int rc;

	if ((rc = axvm_fdt_opt_u32(c, node, "clock-frequency", &v, &present)))
		return rc;
	dev->clock_hz = present ? v : 24000000u;
	desc->widths = AXVM_WIDTH_1 | AXVM_WIDTH_2 | AXVM_WIDTH_4;
	desc->naturally_aligned = true;
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
    {"ns16550a", AXVM_FDT_DEV_NS16550A, 8, ns16550_setup, &ns16550_ops},
    {"ns16550", AXVM_FDT_DEV_NS16550A, 8, ns16550_setup, &ns16550_ops},
    {"arm,pl011", AXVM_FDT_DEV_PL011, 0x1000, pl011_setup, &pl011_ops},
    {"axvm,dummy", AXVM_FDT_DEV_DUMMY, 1, dummy_setup, &dummy_ops},
    {"virtio,mmio", AXVM_FDT_DEV_VIRTIO_BLK, 0x200, virtio_setup, &virtio_ops},
    {"axvm,ivc", AXVM_FDT_DEV_IVC, 0x1000, ivc_setup, &ivc_unwired_ops},
};

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
		vm->cfg.devices[i].ctx = &vm->devices[i].state;
		vm->cfg.devices[i].name = vm->devices[i].node;
		vm->devices[i].state.vm_id = vm->cfg.id;
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
		if (s->kind == AXVM_FDT_DEV_NS16550A ||
		    s->kind == AXVM_FDT_DEV_PL011) {
			s->console = fn;
			s->console_arg = arg;
		}
	}
	return 0;
}
