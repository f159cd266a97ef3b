/* SPDX-License-Identifier: Apache-2.0 */
/* axvm_config_from_fdt(): the "axvm,vm" binding (docs/bindings/axvm-vm.md)
 * read into struct axvm_fdt_vm. Node and property lookups go through
 * libfdt on a blob axvm_fdt_check_blob() accepted; every property length
 * is checked before its value is read; every loop is bounded by a fixed
 * capacity or by the (validated) blob. The config is then checked by the
 * core's axvm_config_validate(), whose message is re-anchored on the node
 * and property that produced the bad field. */
#include <libfdt.h>
#include <string.h>

#include "fdt_internal.h"

#define GICR_FRAME_SIZE     0x20000u /* RD_base + SGI_base, per vCPU */
#define GICD_MIN_SIZE       0x10000u
#define PLIC_CONTEXT_BASE   0x200000u
#define PLIC_CONTEXT_STRIDE 0x1000u
#define PLIC_MAX_SOURCES    1023u
#define GIC_MAX_SPI         987u /* INTID 32 + 987 = 1019 */
#define MAX_PLAIN_IRQ       1023u

/* A kernel whose backend emulates one interrupt controller (ports/
 * baremetal: the GICv3 on AArch64, the PLIC on RISC-V) builds the parser
 * with AXVM_FDT_IRQCHIP_GICV3_ONLY or AXVM_FDT_IRQCHIP_PLIC_ONLY: a node
 * of the other kind, which its backend could not honour, is refused by
 * name, and that kind's checks are not linked. */
#if defined(AXVM_FDT_IRQCHIP_GICV3_ONLY)
#define IRQCHIP_BUILT(kind) ((kind) == AXVM_FDT_IRQCHIP_GICV3)
#elif defined(AXVM_FDT_IRQCHIP_PLIC_ONLY)
#define IRQCHIP_BUILT(kind) ((kind) == AXVM_FDT_IRQCHIP_PLIC)
#else
#define IRQCHIP_BUILT(kind) ((void)(kind), true)
#endif
#define IS_GICV3(kind)                                                         \
	(IRQCHIP_BUILT(AXVM_FDT_IRQCHIP_GICV3) && (kind) == AXVM_FDT_IRQCHIP_GICV3)
#define IS_PLIC(kind)                                                          \
	(IRQCHIP_BUILT(AXVM_FDT_IRQCHIP_PLIC) && (kind) == AXVM_FDT_IRQCHIP_PLIC)

struct vm_parse {
	struct axvm_fdt_ctx *c;
	int node;
	uint32_t ac, sc; /* the VM node's #address-cells, #size-cells */
	struct axvm_fdt_vm *vm;
	int region_node[AXVM_MAX_REGIONS];
	int device_node[AXVM_MAX_CONFIG_DEVICES];
	int pt_irq_node[AXVM_FDT_MAX_IRQS];
	int irqchip_node;
	uint32_t irq_cells;
};

/* ---- small property readers ---- */

static int fail2(struct axvm_fdt_ctx *c, int code, int node, const char *prop,
                 const char *a, uint64_t n, const char *b)
{
	char what[AXVM_FDT_WHAT_MAX];
	struct axvm_msg m;

	axvm_msg_init(&m, what, sizeof(what));
	axvm_msg_str(&m, a);
	axvm_msg_u64(&m, n);
	axvm_msg_str(&m, b);
	return axvm_fdt_fail(c, code, node, prop, what);
}

static int missing(struct axvm_fdt_ctx *c, int node, const char *prop)
{
	return axvm_fdt_fail(c, AXVM_ENOENT, node, prop,
	                     "missing required property");
}

static int req_u32(struct axvm_fdt_ctx *c, int node, const char *name,
                   uint32_t *v)
{
	bool present;
	int rc = axvm_fdt_opt_u32(c, node, name, v, &present);

	if (!rc && !present)
		rc = missing(c, node, name);
	return rc;
}

/* A property holding exactly one string; it must fit in size bytes and be
 * printable ASCII. *present false (and dst untouched) when absent. */
static int get_string(struct axvm_fdt_ctx *c, int node, const char *name,
                      char *dst, size_t size, bool *present)
{
	const void *val;
	uint32_t len;
	int rc = axvm_fdt_prop(c, node, name, &val, &len);

	*present = false;
	if (rc || !val)
		return rc;
	const char *s = val;
	if (len == 0 || s[len - 1] != '\0')
		return axvm_fdt_fail(c, AXVM_EINVAL, node, name,
		                     "is not a NUL-terminated string");
	if (strlen(s) != len - 1)
		return axvm_fdt_fail(c, AXVM_EINVAL, node, name,
		                     "must be a single string, not a list");
	if (len > size)
		return fail2(c, AXVM_E2BIG, node, name, "longer than ",
		             size - 1, " characters");
	for (uint32_t i = 0; i + 1 < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return axvm_fdt_fail(c, AXVM_EINVAL, node, name,
			                     "has non-printable characters");
	memcpy(dst, s, len);
	*present = true;
	return 0;
}

/* A string property that must be one of names[]; *out its index. */
static int get_enum(struct axvm_fdt_ctx *c, int node, const char *name,
                    const char *const *names, unsigned n, unsigned *out,
                    bool *present)
{
	char buf[32];
	int rc = get_string(c, node, name, buf, sizeof(buf), present);

	if (rc == AXVM_E2BIG) /* too long to be any accepted value */
		return axvm_fdt_fail(c, AXVM_EINVAL, node, name,
		                     "unknown value (too long)");
	if (rc || !*present)
		return rc;
	for (unsigned i = 0; i < n; i++) {
		if (strcmp(buf, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	char what[AXVM_FDT_WHAT_MAX];
	struct axvm_msg m;
	axvm_msg_init(&m, what, sizeof(what));
	axvm_msg_str(&m, "unknown value \"");
	axvm_msg_str(&m, buf);
	axvm_msg_str(&m, "\" (expected ");
	for (unsigned i = 0; i < n; i++) {
		axvm_msg_str(&m, i == 0       ? "\""
		                 : i + 1 == n ? " or \""
		                              : ", \"");
		axvm_msg_str(&m, names[i]);
		axvm_msg_str(&m, "\"");
	}
	axvm_msg_str(&m, ")");
	return axvm_fdt_fail(c, AXVM_EINVAL, node, name, what);
}

/* A boolean (empty) property. */
static int get_bool(struct axvm_fdt_ctx *c, int node, const char *name, bool *v)
{
	const void *val;
	uint32_t len;
	int rc = axvm_fdt_prop(c, node, name, &val, &len);

	*v = false;
	if (rc || !val)
		return rc;
	if (len != 0)
		return axvm_fdt_fail(c, AXVM_EINVAL, node, name,
		                     "is a boolean and must have no value");
	*v = true;
	return 0;
}

/* A property of `count` groups of `cells` cells; `max` groups at most. */
static int get_cells(struct axvm_fdt_ctx *c, int node, const char *name,
                     uint32_t cells, uint32_t max, const void **val,
                     uint32_t *count)
{
	uint32_t len;
	int rc = axvm_fdt_prop(c, node, name, val, &len);

	*count = 0;
	if (rc || !*val)
		return rc;
	if (len == 0 || len % (cells * 4u))
		return fail2(c, AXVM_EINVAL, node, name, "length ", len,
		             cells == 1 ? " is not a whole number of cells"
		                        : " is not a whole number of entries");
	*count = len / (cells * 4u);
	if (*count > max)
		return fail2(c, AXVM_E2BIG, node, name, "has more than ", max,
		             " entries");
	return 0;
}

/* One guest address in the VM node's #address-cells. */
static int get_addr(struct vm_parse *p, int node, const char *name, uint64_t *v,
                    bool *present)
{
	const void *val;
	uint32_t len;
	int rc = axvm_fdt_prop(p->c, node, name, &val, &len);

	*present = false;
	if (rc || !val)
		return rc;
	if (len != p->ac * 4u)
		return fail2(p->c, AXVM_EINVAL, node, name,
		             "must be one address of ", p->ac,
		             " cell(s), as #address-cells says");
	*v = axvm_fdt_cells(val, 0, p->ac);
	*present = true;
	return 0;
}

/* Address and size of <address size> pair i of a reg-like value. */
static void pair_at(const struct vm_parse *p, const void *val, uint32_t i,
                    uint64_t *addr, uint64_t *size)
{
	uint32_t at = i * (p->ac + p->sc);

	*addr = axvm_fdt_cells(val, at, p->ac);
	*size = axvm_fdt_cells(val, at + p->ac, p->sc);
}

/* A property of one <address size> pair; *present false (and addr, size
 * untouched) when absent. */
static int get_pair(struct vm_parse *p, int node, const char *name,
                    uint64_t *addr, uint64_t *size, bool *present)
{
	const void *val;
	uint32_t n;
	int rc = get_cells(p->c, node, name, p->ac + p->sc, 1, &val, &n);

	*present = n != 0;
	if (rc == AXVM_E2BIG)
		return axvm_fdt_fail(p->c, AXVM_EINVAL, node, name,
		                     "must be one <address size> pair");
	if (!rc && n)
		pair_at(p, val, 0, addr, size);
	return rc;
}

/* "#address-cells"/"#size-cells" of the VM node: 1 or 2. */
static int get_ncells(struct axvm_fdt_ctx *c, int node, const char *name,
                      uint32_t dflt, uint32_t *v)
{
	bool present;
	int rc = axvm_fdt_opt_u32(c, node, name, v, &present);

	if (rc)
		return rc;
	if (!present)
		*v = dflt;
	if (*v != 1 && *v != 2)
		return axvm_fdt_fail(c, AXVM_ERANGE, node, name,
		                     "must be 1 or 2 (64-bit guest addresses)");
	return 0;
}

static int node_enabled(struct axvm_fdt_ctx *c, int node, bool *enabled)
{
	static const char *const names[] = {"okay", "ok", "disabled",
	                                    "reserved"};
	unsigned v = 0;
	bool present;
	int rc = get_enum(c, node, "status", names, 4, &v, &present);

	*enabled = !present || v < 2;
	return rc;
}

static void copy_node_name(const void *blob, int node, char *dst, size_t size)
{
	struct axvm_msg m;
	int len = 0;
	const char *name = fdt_get_name(blob, node, &len);

	axvm_msg_init(&m, dst, size);
	if (name && len > 0)
		axvm_msg_strn(&m, name, (size_t)len);
}

/* ---- child classification ---- */

enum child_kind {
	CHILD_MEMORY,
	CHILD_PASSTHROUGH,
	CHILD_IRQCHIP,
	CHILD_DEVICE
};

struct child_class {
	enum child_kind kind;
	enum axvm_fdt_irqchip_kind irqchip;
	const struct axvm_fdt_model *model;
};

static const struct {
	const char *compatible;
	enum axvm_fdt_irqchip_kind kind;
} irqchips[] = {
    {"arm,gic-v3", AXVM_FDT_IRQCHIP_GICV3},
    {"riscv,plic0", AXVM_FDT_IRQCHIP_PLIC},
    {"sifive,plic-1.0.0", AXVM_FDT_IRQCHIP_PLIC},
};

static bool classify_one(const char *s, struct child_class *out)
{
	if (strcmp(s, "axvm,memory") == 0) {
		out->kind = CHILD_MEMORY;
		return true;
	}
	if (strcmp(s, "axvm,passthrough") == 0) {
		out->kind = CHILD_PASSTHROUGH;
		return true;
	}
	for (size_t i = 0; i < sizeof(irqchips) / sizeof(irqchips[0]); i++) {
		if (strcmp(s, irqchips[i].compatible) == 0) {
			out->kind = CHILD_IRQCHIP;
			out->irqchip = irqchips[i].kind;
			return true;
		}
	}
	out->model = axvm_fdt_find_model(s);
	out->kind = CHILD_DEVICE;
	return out->model != NULL;
}

/* The first entry of the compatible list that we know decides. */
static int classify(struct axvm_fdt_ctx *c, int node, struct child_class *out)
{
	const void *val;
	uint32_t len;
	int rc = axvm_fdt_prop(c, node, "compatible", &val, &len);

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	if (!val)
		return missing(c, node, "compatible");
	const char *s = val;
	if (len == 0 || s[len - 1] != '\0')
		return axvm_fdt_fail(c, AXVM_EINVAL, node, "compatible",
		                     "is not a list of NUL-terminated strings");
	for (uint32_t off = 0; off < len;) {
		const char *item = s + off;
		if (classify_one(item, out))
			return 0;
		off += (uint32_t)strlen(item) + 1;
	}
	char what[AXVM_FDT_WHAT_MAX];
	struct axvm_msg m;
	axvm_msg_init(&m, what, sizeof(what));
	axvm_msg_str(&m, "no known device model for \"");
	axvm_msg_str(&m, s);
	axvm_msg_str(&m, "\" (known: axvm,memory, axvm,passthrough, ns16550a, "
	                 "arm,pl011, axvm,dummy, virtio,mmio, axvm,ivc, "
	                 "arm,gic-v3, riscv,plic0)");
	return axvm_fdt_fail(c, AXVM_ENOTSUP, node, "compatible", what);
}

/* ---- interrupts ---- */

/* Decode specifier i of `val` (p->irq_cells cells each) to a guest IRQ. */
static int decode_irq(struct vm_parse *p, int node, const void *val, uint32_t i,
                      uint32_t *irq)
{
	const struct axvm_fdt_irqchip *ic = &p->vm->irqchip;
	uint32_t first = axvm_fdt_cell(val, i * p->irq_cells);

	if (p->vm->irq_mode == AXVM_IRQ_NONE)
		return axvm_fdt_fail(p->c, AXVM_EINVAL, node, "interrupts",
		                     "the VM has interrupt-mode \"none\"");
	if (IS_GICV3(ic->kind)) {
		uint32_t num = axvm_fdt_cell(val, i * p->irq_cells + 1);
		if (first != 0)
			return axvm_fdt_fail(p->c, AXVM_EINVAL, node,
			                     "interrupts",
			                     "only SPIs (type 0) can be given "
			                     "to a device; PPIs are per-CPU");
		if (num > GIC_MAX_SPI)
			return fail2(p->c, AXVM_ERANGE, node, "interrupts",
			             "SPI ", num, " is above 987 (INTID 1019)");
		*irq = num + 32u;
		return 0;
	}
	if (IS_PLIC(ic->kind)) {
		if (first == 0 || first > ic->ndev)
			return fail2(p->c, AXVM_ERANGE, node, "interrupts",
			             "PLIC source ", first,
			             " is outside 1 .. riscv,ndev");
		*irq = first;
		return 0;
	}
	if (first == 0 || first > MAX_PLAIN_IRQ)
		return fail2(p->c, AXVM_ERANGE, node, "interrupts",
		             "interrupt ", first, " is outside 1 .. 1023");
	*irq = first;
	return 0;
}

/* ---- children ---- */

static int add_regions(struct vm_parse *p, int node, const void *reg,
                       uint32_t n, const void *host, enum axvm_map_type type,
                       uint32_t flags)
{
	struct axvm_config *cfg = &p->vm->cfg;

	if (n > AXVM_MAX_REGIONS - cfg->region_count)
		return fail2(p->c, AXVM_E2BIG, node, "reg",
		             "the VM has more than ", AXVM_MAX_REGIONS,
		             " memory and passthrough regions");
	for (uint32_t i = 0; i < n; i++) {
		struct axvm_mem_region *r = &cfg->regions[cfg->region_count];
		pair_at(p, reg, i, &r->gpa, &r->size);
		/* Without host-addr a device window (passthrough) is mapped
		 * to itself; RAM is the port's to place. */
		r->hpa = host ? axvm_fdt_cells(host, i * p->ac, p->ac)
		         : type == AXVM_MAP_DEVICE ? r->gpa
		                                   : 0;
		r->type = type;
		r->flags = flags;
		p->region_node[cfg->region_count++] = node;
	}
	return 0;
}

static int parse_access(struct axvm_fdt_ctx *c, int node, uint32_t dflt,
                        uint32_t *flags)
{
	char buf[8];
	bool present;
	int rc = get_string(c, node, "access", buf, sizeof(buf), &present);

	if (rc == AXVM_E2BIG)
		return axvm_fdt_fail(c, AXVM_EINVAL, node, "access",
		                     "must be letters from \"rwx\", each at "
		                     "most once");
	if (rc)
		return rc;
	if (!present) {
		*flags = dflt;
		return 0;
	}
	*flags = 0;
	for (size_t i = 0; buf[i]; i++) {
		uint32_t bit = buf[i] == 'r'   ? AXVM_MEM_READ
		               : buf[i] == 'w' ? AXVM_MEM_WRITE
		               : buf[i] == 'x' ? AXVM_MEM_EXEC
		                               : 0;
		if (!bit || (*flags & bit))
			return axvm_fdt_fail(c, AXVM_EINVAL, node, "access",
			                     "must be letters from \"rwx\", "
			                     "each at most once");
		*flags |= bit;
	}
	if (!*flags)
		return axvm_fdt_fail(c, AXVM_EINVAL, node, "access",
		                     "is empty");
	return 0;
}

/* axvm,memory (map, host-addr, access, uncached) and axvm,passthrough
 * (a device window, mapped to itself unless host-addr says otherwise,
 * and the interrupts routed to the VM). */
static int parse_memory(struct vm_parse *p, int node, bool passthrough)
{
	static const char *const maps[] = {"linear", "allocated", "lazy",
	                                   "device"};
	static const enum axvm_map_type types[] = {
	    AXVM_MAP_LINEAR, AXVM_MAP_ALLOCATED, AXVM_MAP_LAZY,
	    AXVM_MAP_DEVICE};
	struct axvm_fdt_ctx *c = p->c;
	struct axvm_fdt_vm *vm = p->vm;
	const void *reg, *host, *irqs;
	uint32_t n, nh, ni;
	/* A passthrough's access; axvm,memory reads its own below. */
	uint32_t flags = AXVM_MEM_READ | AXVM_MEM_WRITE | AXVM_MEM_DEVICE |
	                 AXVM_MEM_UNCACHED;
	unsigned map = passthrough ? 3 : 1; /* "device" : "allocated" */
	bool present, uncached;
	int rc;

	if ((rc = get_cells(c, node, "reg", p->ac + p->sc, AXVM_MAX_REGIONS,
	                    &reg, &n)))
		return rc;
	if (!n)
		return missing(c, node, "reg");
	if (!passthrough &&
	    (rc = get_enum(c, node, "map", maps, 4, &map, &present)))
		return rc;
	enum axvm_map_type type = types[map];
	bool fixed = type == AXVM_MAP_LINEAR || type == AXVM_MAP_DEVICE;
	if ((rc = get_cells(c, node, "host-addr", p->ac, AXVM_MAX_REGIONS,
	                    &host, &nh)))
		return rc;
	if (!passthrough && fixed && !host)
		return axvm_fdt_fail(c, AXVM_ENOENT, node, "host-addr",
		                     "missing: required with map \"linear\" "
		                     "or \"device\"");
	if (!fixed && host)
		return axvm_fdt_fail(c, AXVM_EINVAL, node, "host-addr",
		                     "only map \"linear\" or \"device\" "
		                     "takes a host address");
	if (host && nh != n)
		return fail2(c, AXVM_EINVAL, node, "host-addr",
		             "must hold one "
		             "address per reg entry (",
		             n, ")");
	if (!passthrough) {
		uint32_t dflt = type == AXVM_MAP_DEVICE
		                    ? AXVM_MEM_READ | AXVM_MEM_WRITE
		                    : AXVM_MEM_RWX;
		if ((rc = parse_access(c, node, dflt, &flags)) ||
		    (rc = get_bool(c, node, "uncached", &uncached)))
			return rc;
		if (uncached)
			flags |= AXVM_MEM_UNCACHED;
		if (type == AXVM_MAP_DEVICE)
			flags |= AXVM_MEM_DEVICE | AXVM_MEM_UNCACHED;
	}
	if ((rc = add_regions(p, node, reg, n, host, type, flags)))
		return rc;
	if (!passthrough)
		return 0;
	if ((rc = get_cells(c, node, "interrupts", p->irq_cells,
	                    AXVM_FDT_MAX_IRQS, &irqs, &ni)))
		return rc;
	if (ni > AXVM_FDT_MAX_IRQS - vm->passthrough_irq_count)
		return fail2(c, AXVM_E2BIG, node, "interrupts",
		             "the VM has more than ", AXVM_FDT_MAX_IRQS,
		             " passthrough interrupts");
	for (uint32_t i = 0; i < ni; i++) {
		uint32_t irq;
		if ((rc = decode_irq(p, node, irqs, i, &irq)))
			return rc;
		p->pt_irq_node[vm->passthrough_irq_count] = node;
		vm->passthrough_irqs[vm->passthrough_irq_count++] = irq;
	}
	return 0;
}

/* axvm,ivc: the channel id and the shared region, which becomes one
 * more region of the VM (so the core's overlap and alignment rules apply
 * to it), "allocated" until a port that wires the channel maps it. */
static int parse_ivc(struct vm_parse *p, int node, struct axvm_fdt_device *dev)
{
	struct axvm_fdt_ctx *c = p->c;
	struct axvm_config *cfg = &p->vm->cfg;
	bool present;
	int rc;

	if ((rc = req_u32(c, node, "channel", &dev->ivc.channel)) ||
	    (rc = get_pair(p, node, "shared-mem", &dev->ivc.shm_gpa,
	                   &dev->ivc.shm_size, &present)))
		return rc;
	if (!present)
		return missing(c, node, "shared-mem");
	if (!dev->ivc.shm_size)
		return axvm_fdt_fail(c, AXVM_EINVAL, node, "shared-mem",
		                     "size is zero");
	if (cfg->region_count >= AXVM_MAX_REGIONS)
		return fail2(c, AXVM_E2BIG, node, "shared-mem",
		             "the VM has more than ", AXVM_MAX_REGIONS,
		             " memory and passthrough regions");
	struct axvm_mem_region *r = &cfg->regions[cfg->region_count];
	r->gpa = dev->ivc.shm_gpa;
	r->size = dev->ivc.shm_size;
	r->hpa = 0;
	r->type = AXVM_MAP_ALLOCATED;
	r->flags = AXVM_MEM_READ | AXVM_MEM_WRITE;
	dev->ivc.region = cfg->region_count;
	p->region_node[cfg->region_count++] = node;
	return 0;
}

static int parse_device(struct vm_parse *p, int node,
                        const struct axvm_fdt_model *model)
{
	struct axvm_fdt_ctx *c = p->c;
	struct axvm_config *cfg = &p->vm->cfg;
	const void *irqs;
	uint64_t base = 0, size = 0;
	uint32_t ni;
	bool present;
	int rc;

	if (cfg->device_count >= AXVM_MAX_CONFIG_DEVICES)
		return fail2(c, AXVM_E2BIG, node, NULL, "the VM has more than ",
		             AXVM_MAX_CONFIG_DEVICES, " emulated devices");
	if ((rc = get_pair(p, node, "reg", &base, &size, &present)))
		return rc;
	if (!present)
		return missing(c, node, "reg");
	uint32_t idx = cfg->device_count;
	struct axvm_fdt_device *dev = &p->vm->devices[idx];
	struct axvm_device_desc *desc = &cfg->devices[idx];
	memset(dev, 0, sizeof(*dev));
	memset(desc, 0, sizeof(*desc));
	dev->kind = model->kind;
	dev->state.kind = model->kind;
	copy_node_name(c->blob, node, dev->node, sizeof(dev->node));
	desc->bus = AXVM_BUS_MMIO;
	desc->base = base;
	desc->size = size;
	if (desc->size != 0 && desc->size < model->min_size)
		return fail2(c, AXVM_ERANGE, node, "reg", "smaller than the ",
		             model->min_size, "-byte register window");
	if ((rc = get_cells(c, node, "interrupts", p->irq_cells, 1, &irqs,
	                    &ni))) {
		if (rc == AXVM_E2BIG)
			rc = axvm_fdt_fail(c, AXVM_EINVAL, node, "interrupts",
			                   "an emulated device has one "
			                   "interrupt");
		return rc;
	}
	if (ni && (rc = decode_irq(p, node, irqs, 0, &dev->irq)))
		return rc;
	if (model->setup && (rc = model->setup(c, node, dev, desc)))
		return rc;
	if (AXVM_FDT_IVC_BUILT && model->kind == AXVM_FDT_DEV_IVC &&
	    (rc = parse_ivc(p, node, dev)))
		return rc;
	p->device_node[idx] = node;
	cfg->device_count++;
	return 0;
}

static int parse_irqchip(struct vm_parse *p, int node,
                         enum axvm_fdt_irqchip_kind kind)
{
	struct axvm_fdt_ctx *c = p->c;
	struct axvm_fdt_irqchip *ic = &p->vm->irqchip;
	const void *reg;
	uint32_t n, cells, want;
	int rc;

	if (!IRQCHIP_BUILT(kind))
		return axvm_fdt_fail(c, AXVM_ENOTSUP, node, "compatible",
		                     IRQCHIP_BUILT(AXVM_FDT_IRQCHIP_GICV3)
		                         ? "this build emulates no PLIC "
		                           "(arm,gic-v3 only)"
		                         : "this build emulates no GICv3 "
		                           "(a PLIC only)");
	want = IS_GICV3(kind) ? 2 : 1;
	if (ic->kind != AXVM_FDT_IRQCHIP_NONE) {
		char what[AXVM_FDT_WHAT_MAX];
		struct axvm_msg m;
		axvm_msg_init(&m, what, sizeof(what));
		axvm_msg_str(&m, "a second interrupt controller; the VM has ");
		axvm_msg_str(&m, ic->node);
		return axvm_fdt_fail(c, AXVM_EEXIST, node, "compatible", what);
	}
	rc = get_cells(c, node, "reg", p->ac + p->sc, want, &reg, &n);
	if (rc && rc != AXVM_E2BIG)
		return rc;
	if (rc || n != want)
		return axvm_fdt_fail(c, AXVM_EINVAL, node, "reg",
		                     want == 2 ? "must hold two <address size> "
		                                 "pairs: distributor, "
		                                 "redistributors"
		                               : "must hold one <address size> "
		                                 "pair");
	if ((rc = req_u32(c, node, "#interrupt-cells", &cells)))
		return rc;
	if (cells != (IS_GICV3(kind) ? 3u : 1u))
		return axvm_fdt_fail(c, AXVM_EINVAL, node, "#interrupt-cells",
		                     IS_GICV3(kind)
		                         ? "must be 3 for arm,gic-v3"
		                         : "must be 1 for a PLIC");
	ic->kind = kind;
	copy_node_name(c->blob, node, ic->node, sizeof(ic->node));
	for (uint32_t i = 0; i < want; i++) {
		pair_at(p, reg, i, &ic->base[i], &ic->size[i]);
		if (ic->size[i] == 0)
			return axvm_fdt_fail(c, AXVM_EINVAL, node, "reg",
			                     "a size is zero");
		if (ic->base[i] + (ic->size[i] - 1) < ic->base[i])
			return axvm_fdt_fail(c, AXVM_EOVERFLOW, node, "reg",
			                     "address + size wraps around");
	}
	uint32_t vcpus = p->vm->cfg.vcpu_count;
	if (IS_GICV3(kind)) {
		if (ic->size[0] < GICD_MIN_SIZE)
			return axvm_fdt_fail(c, AXVM_ERANGE, node, "reg",
			                     "distributor smaller than 64 KiB");
		if (ic->size[1] / GICR_FRAME_SIZE < vcpus)
			return fail2(c, AXVM_ERANGE, node, "reg",
			             "redistributors too small for ", vcpus,
			             " vCPUs (128 KiB each)");
		if (ic->base[0] <= ic->base[1] + (ic->size[1] - 1) &&
		    ic->base[1] <= ic->base[0] + (ic->size[0] - 1))
			return axvm_fdt_fail(c, AXVM_EEXIST, node, "reg",
			                     "distributor and redistributors "
			                     "overlap");
	} else {
		if ((rc = req_u32(c, node, "riscv,ndev", &ic->ndev)))
			return rc;
		if (ic->ndev == 0 || ic->ndev > PLIC_MAX_SOURCES)
			return axvm_fdt_fail(c, AXVM_ERANGE, node, "riscv,ndev",
			                     "must be 1 .. 1023");
		if (ic->size[0] < PLIC_CONTEXT_BASE ||
		    (ic->size[0] - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE <
		        vcpus)
			return fail2(c, AXVM_ERANGE, node, "reg",
			             "too small for the S-mode contexts of ",
			             vcpus, " harts");
	}
	p->irqchip_node = node;
	p->irq_cells = cells;
	return 0;
}

/* ---- checks across the VM ---- */

static bool overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return as && bs && a <= b + (bs - 1) && b <= a + (as - 1);
}

static bool in_ram(const struct axvm_config *cfg, uint64_t addr, uint64_t len)
{
	for (uint32_t i = 0; i < cfg->region_count; i++) {
		const struct axvm_mem_region *r = &cfg->regions[i];
		if (r->type == AXVM_MAP_DEVICE || (r->flags & AXVM_MEM_DEVICE))
			continue;
		if (addr >= r->gpa && addr - r->gpa < r->size &&
		    len <= r->size - (addr - r->gpa))
			return true;
	}
	return false;
}

static int fail_with_node(struct vm_parse *p, int code, int node,
                          const char *prop, const char *what, int other)
{
	char buf[AXVM_FDT_WHAT_MAX + AXVM_FDT_PATH_MAX];
	char path[AXVM_FDT_PATH_MAX];
	struct axvm_msg m;

	axvm_msg_init(&m, buf, sizeof(buf));
	axvm_msg_str(&m, what);
	if (other >= 0) {
		axvm_fdt_node_path(p->c->blob, other, path, sizeof(path));
		axvm_msg_str(&m, " (");
		axvm_msg_str(&m, path);
		axvm_msg_str(&m, ")");
	}
	return axvm_fdt_fail(p->c, code, node, prop, buf);
}

/* Range k of the VM: its regions, then its devices (all on the MMIO
 * bus); *node the node it came from. */
static void range_at(const struct vm_parse *p, uint32_t k, uint64_t *base,
                     uint64_t *size, int *node)
{
	const struct axvm_config *cfg = &p->vm->cfg;

	if (k < cfg->region_count) {
		*base = cfg->regions[k].gpa;
		*size = cfg->regions[k].size;
		*node = p->region_node[k];
		return;
	}
	k -= cfg->region_count;
	*base = cfg->devices[k].base;
	*size = cfg->devices[k].size;
	*node = p->device_node[k];
}

/* The first of ranges [0, k) that overlaps [base, base + size), or k. */
static uint32_t first_overlap(const struct vm_parse *p, uint32_t k,
                              uint64_t base, uint64_t size, int *node)
{
	for (uint32_t j = 0; j < k; j++) {
		uint64_t b, s;
		range_at(p, j, &b, &s, node);
		if (overlap(base, size, b, s))
			return j;
	}
	*node = -1;
	return k;
}

static int check_irqchip_ranges(struct vm_parse *p)
{
	const struct axvm_fdt_irqchip *ic = &p->vm->irqchip;
	const struct axvm_config *cfg = &p->vm->cfg;
	unsigned n = IS_GICV3(ic->kind) ? 2 : IS_PLIC(ic->kind) ? 1 : 0;
	uint32_t all = cfg->region_count + cfg->device_count;
	int other;

	for (unsigned k = 0; k < n; k++) {
		uint32_t j =
		    first_overlap(p, all, ic->base[k], ic->size[k], &other);
		if (j < all)
			return fail_with_node(p, AXVM_EEXIST, p->irqchip_node,
			                      "reg",
			                      j < cfg->region_count
			                          ? "overlaps a memory region"
			                          : "overlaps a device",
			                      other);
	}
	return 0;
}

static int check_irqs(struct vm_parse *p)
{
	const struct axvm_fdt_vm *vm = p->vm;
	uint32_t irq[AXVM_MAX_CONFIG_DEVICES + AXVM_FDT_MAX_IRQS];
	int node[AXVM_MAX_CONFIG_DEVICES + AXVM_FDT_MAX_IRQS];
	uint32_t n = 0;

	for (uint32_t i = 0; i < vm->cfg.device_count; i++) {
		if (vm->devices[i].irq) {
			irq[n] = vm->devices[i].irq;
			node[n++] = p->device_node[i];
		}
	}
	for (uint32_t i = 0; i < vm->passthrough_irq_count; i++) {
		irq[n] = vm->passthrough_irqs[i];
		node[n++] = p->pt_irq_node[i];
	}
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t j = 0; j < i; j++) {
			if (irq[i] != irq[j])
				continue;
			char what[AXVM_FDT_WHAT_MAX];
			struct axvm_msg m;
			axvm_msg_init(&m, what, sizeof(what));
			axvm_msg_str(&m, "interrupt ");
			axvm_msg_u64(&m, irq[i]);
			axvm_msg_str(&m, " is already used");
			return fail_with_node(p, AXVM_EEXIST, node[i],
			                      "interrupts", what, node[j]);
		}
	}
	return 0;
}

/* The name after `key` in a list of NUL-separated pairs, or dflt. */
static const char *map_name(const char *pairs, const char *key, const char *dflt)
{
	for (const char *s = pairs; *s;) {
		const char *to = s + strlen(s) + 1;
		if (strcmp(s, key) == 0)
			return to;
		s = to + strlen(to) + 1;
	}
	return dflt;
}

/* Re-anchor a core validation error ("regions[2].gpa: ...") on the node
 * and property it came from. */
static int core_error(struct vm_parse *p, const struct axvm_config_error *ce)
{
	const struct axvm_config *cfg = &p->vm->cfg;
	const char *f = ce->field;
	int node = p->node, other = -1;
	bool region = strncmp(f, "regions[", 8) == 0;
	const char *prop = map_name("vcpu_count\0cpus\0bsp_entry\0entry\0"
	                          "ap_entry\0ap-entry\0name\0label\0"
	                          "unhandled_policy\0unhandled-access\0",
	                          f, NULL);

	if (region || strncmp(f, "devices[", 8) == 0) {
		uint32_t idx = 0;
		const char *q = f + 8;
		while (*q >= '0' && *q <= '9' && idx < 1000)
			idx = idx * 10 + (uint32_t)(*q++ - '0');
		const char *sub = strchr(q, '.');
		prop = map_name("hpa\0host-addr\0flags\0access\0type\0map\0",
		              sub ? sub + 1 : "", "reg");
		/* An axvm,ivc node's region is its shared-mem. */
		for (uint32_t j = 0; AXVM_FDT_IVC_BUILT && region && j < cfg->device_count; j++)
			if (p->vm->devices[j].kind == AXVM_FDT_DEV_IVC &&
			    p->vm->devices[j].ivc.region == idx)
				prop = "shared-mem";
		/* Ranges are regions then devices: name the first earlier
		 * one an overlapping range collides with. */
		uint32_t count = region ? cfg->region_count : cfg->device_count;
		if (idx < count) {
			uint32_t k = region ? idx : cfg->region_count + idx;
			uint64_t base, size;
			range_at(p, k, &base, &size, &node);
			if (ce->code == AXVM_EEXIST)
				first_overlap(p, k, base, size, &other);
		}
	}
	return fail_with_node(p, ce->code, node, prop, ce->message, other);
}

static int check_images(struct vm_parse *p)
{
	struct axvm_fdt_vm *vm = p->vm;
	const struct axvm_config *cfg = &vm->cfg;

	if (!in_ram(cfg, vm->kernel_addr, 1))
		return axvm_fdt_fail(p->c, AXVM_ERANGE, p->node, "kernel-addr",
		                     "not inside a RAM region");
	if (vm->initrd_size) {
		if (vm->initrd_addr + (vm->initrd_size - 1) < vm->initrd_addr)
			return axvm_fdt_fail(p->c, AXVM_EOVERFLOW, p->node,
			                     "initrd",
			                     "address + size wraps "
			                     "around");
		if (!in_ram(cfg, vm->initrd_addr, vm->initrd_size))
			return axvm_fdt_fail(p->c, AXVM_ERANGE, p->node,
			                     "initrd",
			                     "not inside one RAM region");
		if (overlap(vm->initrd_addr, vm->initrd_size, vm->kernel_addr,
		            1))
			return axvm_fdt_fail(p->c, AXVM_EEXIST, p->node,
			                     "initrd",
			                     "covers the kernel load address");
	}
	if (vm->has_dtb) {
		if (!in_ram(cfg, vm->dtb_addr, 1))
			return axvm_fdt_fail(p->c, AXVM_ERANGE, p->node,
			                     "dtb-addr",
			                     "not inside a RAM region");
		if (overlap(vm->initrd_addr, vm->initrd_size, vm->dtb_addr, 1))
			return axvm_fdt_fail(p->c, AXVM_EEXIST, p->node,
			                     "dtb-addr", "inside the initrd");
		if (vm->dtb_addr == vm->kernel_addr)
			return axvm_fdt_fail(p->c, AXVM_EEXIST, p->node,
			                     "dtb-addr", "equals kernel-addr");
	}
	return 0;
}

/* ---- one VM ---- */

static int parse_vm_props(struct vm_parse *p, bool *has_ap_entry)
{
	static const char *const modes[] = {"emulated", "passthrough", "none"};
	static const char *const policies[] = {"ignore", "stop"};
	static const char *const boots[] = {"raw", "linux"};
	struct axvm_fdt_ctx *c = p->c;
	struct axvm_fdt_vm *vm = p->vm;
	struct axvm_config *cfg = &vm->cfg;
	const void *val;
	uint32_t n, cpus;
	unsigned e;
	bool present;
	int rc;

	if ((rc = get_ncells(c, p->node, "#address-cells", 2, &p->ac)) ||
	    (rc = get_ncells(c, p->node, "#size-cells", 1, &p->sc)))
		return rc;
	if ((rc = get_string(c, p->node, "label", cfg->name, sizeof(cfg->name),
	                     &present)))
		return rc;
	if ((rc = req_u32(c, p->node, "cpus", &cpus)))
		return rc;
	if (cpus > AXVM_MAX_VCPUS)
		return fail2(c, AXVM_E2BIG, p->node, "cpus", "more than ",
		             AXVM_MAX_VCPUS, " vCPUs");
	cfg->vcpu_count = cpus; /* zero is left to axvm_config_validate() */
	if ((rc = get_cells(c, p->node, "cpu-affinity", 1, AXVM_MAX_VCPUS, &val,
	                    &n)))
		return rc;
	if (val && n != cpus)
		return fail2(c, AXVM_EINVAL, p->node, "cpu-affinity",
		             "must list one pCPU per vCPU (cpus = ", cpus, ")");
	for (uint32_t i = 0; val && i < n; i++)
		cfg->pcpu_affinity[i] = axvm_fdt_cell(val, i);

	if ((rc = get_addr(p, p->node, "entry", &cfg->bsp_entry, &present)))
		return rc;
	if (!present)
		return missing(c, p->node, "entry");
	if ((rc = get_addr(p, p->node, "ap-entry", &cfg->ap_entry,
	                   has_ap_entry)))
		return rc;
	if (!*has_ap_entry)
		cfg->ap_entry = cfg->bsp_entry;
	if ((rc = get_addr(p, p->node, "kernel-addr", &vm->kernel_addr,
	                   &present)))
		return rc;
	if (!present)
		vm->kernel_addr = cfg->bsp_entry;
	if ((rc =
	         get_addr(p, p->node, "dtb-addr", &vm->dtb_addr, &vm->has_dtb)))
		return rc;
	if ((rc = get_pair(p, p->node, "initrd", &vm->initrd_addr,
	                   &vm->initrd_size, &present)))
		return rc;
	if (present && !vm->initrd_size)
		return axvm_fdt_fail(c, AXVM_EINVAL, p->node, "initrd",
		                     "size is zero (leave the property out "
		                     "for no initrd)");
	if ((rc = get_string(c, p->node, "bootargs", vm->bootargs,
	                     sizeof(vm->bootargs), &present)))
		return rc;
	e = AXVM_IRQ_EMULATED;
	if ((rc = get_enum(c, p->node, "interrupt-mode", modes, 3, &e,
	                   &present)))
		return rc;
	vm->irq_mode = (enum axvm_irq_mode)e;
	e = AXVM_POLICY_IGNORE;
	if ((rc = get_enum(c, p->node, "unhandled-access", policies, 2, &e,
	                   &present)))
		return rc;
	cfg->unhandled_policy = (enum axvm_unhandled_policy)e;
	if ((rc = axvm_fdt_opt_u32(c, p->node, "timebase-frequency",
	                           &vm->timebase_hz, &present)))
		return rc;
	if (present && vm->timebase_hz == 0)
		return axvm_fdt_fail(c, AXVM_EINVAL, p->node,
		                     "timebase-frequency", "is zero");
	e = AXVM_BOOT_RAW;
	if ((rc =
	         get_enum(c, p->node, "boot-protocol", boots, 2, &e, &present)))
		return rc;
	vm->boot = (enum axvm_boot_protocol)e;
	return 0;
}

static int parse_children(struct vm_parse *p)
{
	struct axvm_fdt_ctx *c = p->c;
	struct child_class cls;
	unsigned seen = 0;
	bool enabled;
	int child, rc;

	/* Pass 1: bound the child count and find the interrupt controller,
	 * which decides how every other child's interrupts are read. */
	fdt_for_each_subnode(child, c->blob, p->node)
	{
		if (++seen > AXVM_FDT_MAX_CHILDREN)
			return fail2(c, AXVM_E2BIG, p->node, NULL, "more than ",
			             AXVM_FDT_MAX_CHILDREN, " child nodes");
		if ((rc = node_enabled(c, child, &enabled)))
			return rc;
		if (!enabled)
			continue;
		if ((rc = classify(c, child, &cls)))
			return rc;
		if (cls.kind == CHILD_IRQCHIP &&
		    (rc = parse_irqchip(p, child, cls.irqchip)))
			return rc;
	}
	if (child != -FDT_ERR_NOTFOUND)
		return axvm_fdt_fail(c, AXVM_EINVAL, p->node, NULL,
		                     "cannot walk the child nodes");
	fdt_for_each_subnode(child, c->blob, p->node)
	{
		if ((rc = node_enabled(c, child, &enabled)))
			return rc;
		if (!enabled)
			continue;
		if ((rc = classify(c, child, &cls)))
			return rc;
		switch (cls.kind) {
		case CHILD_MEMORY:
		case CHILD_PASSTHROUGH:
			rc = parse_memory(p, child,
			                  cls.kind == CHILD_PASSTHROUGH);
			break;
		case CHILD_DEVICE:
			rc = parse_device(p, child, cls.model);
			break;
		default:
			rc = 0;
			break;
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_vm(struct axvm_fdt_ctx *c, int node, struct axvm_fdt_vm *vm)
{
	struct vm_parse p;
	struct axvm_config_error ce;
	const void *val;
	uint32_t len;
	bool has_ap_entry = false;
	int rc;

	memset(&p, 0, sizeof(p));
	p.c = c;
	p.node = node;
	p.vm = vm;
	p.irqchip_node = -1;
	p.irq_cells = 1;
	memset(vm, 0, sizeof(*vm));

	if ((rc = axvm_fdt_prop(c, node, "reg", &val, &len)))
		return rc;
	if (!val)
		return axvm_fdt_fail(c, AXVM_ENOENT, node, "reg",
		                     "missing required property (the VM id)");
	if (len != 4)
		return axvm_fdt_fail(c, AXVM_EINVAL, node, "reg",
		                     "must be one cell, the VM id (give the "
		                     "parent #address-cells = <1> and "
		                     "#size-cells = <0>)");
	if ((rc = axvm_config_init(&vm->cfg, axvm_fdt_cell(val, 0))))
		return axvm_fdt_fail(c, rc, node, "reg", "config init failed");
	axvm_fdt_node_path(c->blob, node, vm->path, sizeof(vm->path));
	if ((rc = parse_vm_props(&p, &has_ap_entry)) ||
	    (rc = parse_children(&p)))
		return rc;
	if (vm->cfg.region_count == 0)
		return axvm_fdt_fail(c, AXVM_ENOENT, node, NULL,
		                     "no memory: add a child node with "
		                     "compatible \"axvm,memory\"");
	if ((rc = axvm_fdt_vm_bind(vm)))
		return axvm_fdt_fail(c, rc, node, NULL, "bind failed");
	/* The core's rules first (regions, devices, entries), then what only
	 * this binding has, which may rely on regions being well-formed. */
	if ((rc = axvm_config_validate(&vm->cfg, &ce)))
		return core_error(&p, &ce);
	if ((rc = check_irqchip_ranges(&p)) || (rc = check_irqs(&p)))
		return rc;
	return check_images(&p);
}

/* ---- the blob ---- */

static int next_vm(struct axvm_fdt_ctx *c, int from, int *node)
{
	for (;;) {
		bool enabled;
		int rc;
		int off = fdt_node_offset_by_compatible(c->blob, from,
		                                        AXVM_FDT_VM_COMPATIBLE);
		if (off == -FDT_ERR_NOTFOUND) {
			*node = -1;
			return 0;
		}
		if (off < 0 || off <= from)
			return axvm_fdt_fail(c, AXVM_EINVAL, -1, NULL,
			                     "cannot walk the tree");
		if ((rc = node_enabled(c, off, &enabled)))
			return rc;
		if (enabled) {
			*node = off;
			return 0;
		}
		from = off;
	}
}

int axvm_config_from_fdt(const void *blob, size_t size, struct axvm_fdt_vm *vms,
                         uint32_t max, uint32_t *count,
                         struct axvm_fdt_error *err)
{
	struct axvm_fdt_ctx c = {.blob = blob, .size = size, .err = err};
	uint32_t n = 0;
	int node, rc;

	if (err)
		memset(err, 0, sizeof(*err));
	if (count)
		*count = 0;
	if (!blob || !count || (!vms && max))
		return axvm_fdt_fail(&c, AXVM_EINVAL, -1, NULL,
		                     "NULL blob, vms or count");
	if ((rc = axvm_fdt_check_blob(&c)))
		return rc;
	/* Count first so a short array is reported with the real number. */
	for (rc = next_vm(&c, -1, &node); !rc && node >= 0;
	     rc = next_vm(&c, node, &node))
		n++;
	if (rc)
		return rc;
	if (n == 0)
		return axvm_fdt_fail(&c, AXVM_ENOENT, -1, NULL,
		                     "no enabled node with compatible "
		                     "\"axvm,vm\"");
	if (n > max)
		return fail2(&c, AXVM_E2BIG, -1, NULL,
		             "the blob describes more VMs than the ", max,
		             " the array has room for");
	uint32_t i = 0;
	for (rc = next_vm(&c, -1, &node); !rc && node >= 0 && i < n;
	     rc = next_vm(&c, node, &node), i++) {
		if ((rc = parse_vm(&c, node, &vms[i])))
			return rc;
		for (uint32_t j = 0; j < i; j++) {
			if (vms[j].cfg.id != vms[i].cfg.id)
				continue;
			char what[AXVM_FDT_WHAT_MAX];
			struct axvm_msg m;
			axvm_msg_init(&m, what, sizeof(what));
			axvm_msg_str(&m, "VM id ");
			axvm_msg_u64(&m, vms[i].cfg.id);
			axvm_msg_str(&m, " is already used by ");
			axvm_msg_str(&m, vms[j].path);
			return axvm_fdt_fail(&c, AXVM_EEXIST, node, "reg",
			                     what);
		}
	}
	if (rc)
		return rc;
	if (AXVM_FDT_IVC_BUILT && (rc = axvm_fdt_check_ivc(&c, vms, i)))
		return rc;
	*count = i;
	return 0;
}

const char *axvm_fdt_irqchip_name(enum axvm_fdt_irqchip_kind kind)
{
	switch (kind) {
	case AXVM_FDT_IRQCHIP_GICV3:
		return "gic-v3";
	case AXVM_FDT_IRQCHIP_PLIC:
		return "plic";
	default:
		return "none";
	}
}

const char *axvm_irq_mode_name(enum axvm_irq_mode mode)
{
	switch (mode) {
	case AXVM_IRQ_EMULATED:
		return "emulated";
	case AXVM_IRQ_PASSTHROUGH:
		return "passthrough";
	case AXVM_IRQ_NONE:
		return "none";
	default:
		return "invalid";
	}
}

const char *axvm_boot_protocol_name(enum axvm_boot_protocol boot)
{
	switch (boot) {
	case AXVM_BOOT_RAW:
		return "raw";
	case AXVM_BOOT_LINUX:
		return "linux";
	default:
		return "invalid";
	}
}
