/* SPDX-License-Identifier: Apache-2.0 */
/* axvm-config -c: the VMs the parser filled, written back as assignments.
 * Code rather than an initialised table: struct axvm_fdt_vm is 13.5 KB,
 * almost all of it capacity a VM does not use, and a table would carry
 * those zeros into the image; an assignment per field the blob set costs
 * the image only what the config says. Every field the parser sets is
 * written (tests/fdt/test_fdt_builtin.c compares the result with the
 * parser's byte for byte), runtime state is left to axvm_fdt_vm_bind().
 * Features a kernel can be built without are checked by the preprocessor
 * against the parser's build knobs (src/core/fdt), and the VM count
 * against AXVM_FDT_MAX_VMS (the caller's room, if its build says), so a
 * config such a kernel could not honour fails its build with the reason. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "emit_c.h"

struct emit {
	FILE *out;
	const struct axvm_fdt_vm *vm;
};

static bool is_identifier(const char *s)
{
	if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

/* s as a C string literal: the parser admits printable ASCII only, yet
 * quotes, backslashes and anything else are escaped all the same. */
static void literal(FILE *out, const char *s, size_t max)
{
	fputc('"', out);
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20 || ch > 0x7e || ch == '?')
			fprintf(out, "\\%03o", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

/* " = v;" with v as a C constant of its range. */
static void value(FILE *out, uint64_t v)
{
	if (v < 10)
		fprintf(out, " = %" PRIu64 ";\n", v);
	else if (v <= UINT32_MAX)
		fprintf(out, " = 0x%" PRIx64 "u;\n", v);
	else
		fprintf(out, " = UINT64_C(0x%" PRIx64 ");\n", v);
}

/* Zeros are left to the memset. */
static void u64(const struct emit *e, const char *field, uint64_t v)
{
	if (v) {
		fprintf(e->out, "\tv->%s", field);
		value(e->out, v);
	}
}

static void u64_at(const struct emit *e, const char *field, uint32_t i,
                   const char *member, uint64_t v)
{
	if (v) {
		fprintf(e->out, "\tv->%s[%" PRIu32 "]%s", field, i, member);
		value(e->out, v);
	}
}

static void str(const struct emit *e, const char *field, const char *s,
                size_t max)
{
	size_t n = strnlen(s, max);

	if (!n)
		return;
	fprintf(e->out, "\tmemcpy(v->%s, ", field);
	literal(e->out, s, n);
	fprintf(e->out, ", %zu);\n", n);
}

/* A preprocessor check: when `knob` is defined, the build fails with
 * "<path>/<node>: <why>". */
static void refuse_if(const struct emit *e, const char *knob,
                      const char *node, const char *why)
{
	fprintf(e->out, "#ifdef %s\n#error ", knob);
	char what[AXVM_FDT_PATH_MAX + AXVM_FDT_NODE_NAME_MAX + 96];
	snprintf(what, sizeof(what), "%s/%s: %s (%s)", e->vm->path, node, why,
	         knob);
	literal(e->out, what, sizeof(what));
	fprintf(e->out, "\n#endif\n");
}

static void checks(const struct emit *e)
{
	const struct axvm_fdt_vm *vm = e->vm;

	if (vm->irqchip.kind == AXVM_FDT_IRQCHIP_GICV3)
		refuse_if(e, "AXVM_FDT_IRQCHIP_PLIC_ONLY", vm->irqchip.node,
		          "this build emulates no GICv3");
	if (vm->irqchip.kind == AXVM_FDT_IRQCHIP_PLIC)
		refuse_if(e, "AXVM_FDT_IRQCHIP_GICV3_ONLY", vm->irqchip.node,
		          "this build emulates no PLIC");
	for (uint32_t i = 0; i < vm->cfg.device_count; i++) {
		const struct axvm_fdt_device *d = &vm->devices[i];
		switch (d->kind) {
		case AXVM_FDT_DEV_PL011:
			refuse_if(e, "AXVM_FDT_UART_NS16550_ONLY", d->node,
			          "this build models no PL011 UART");
			break;
		case AXVM_FDT_DEV_NS16550A:
			refuse_if(e, "AXVM_FDT_UART_PL011_ONLY", d->node,
			          "this build models no 16550 UART");
			break;
		case AXVM_FDT_DEV_VIRTIO_BLK:
		case AXVM_FDT_DEV_VIRTIO_CONSOLE:
			refuse_if(e, "AXVM_FDT_NO_VIRTIO", d->node,
			          "this build has no virtio-mmio devices");
			break;
		case AXVM_FDT_DEV_IVC:
			refuse_if(e, "AXVM_FDT_NO_IVC", d->node,
			          "this build has no inter-VM channels");
			break;
		default:
			break;
		}
	}
}

static void emit_cfg(const struct emit *e)
{
	const struct axvm_config *c = &e->vm->cfg;

	/* The parser's own start, so its defaults (and the bytes a shorter
	 * name leaves after its NUL) are the same. */
	fprintf(e->out,
	        "\tif ((rc = axvm_config_init(&v->cfg, %" PRIu32 "u)) ||\n"
	        "\t    (rc = axvm_config_set_name(&v->cfg, ",
	        c->id);
	literal(e->out, c->name, sizeof(c->name));
	fprintf(e->out, ")))\n\t\treturn rc;\n");
	fprintf(e->out, "\tv->cfg.vcpu_count");
	value(e->out, c->vcpu_count);
	for (uint32_t i = 0; i < AXVM_MAX_VCPUS; i++) /* init's: i */
		if (c->pcpu_affinity[i] != i) {
			fprintf(e->out, "\tv->cfg.pcpu_affinity[%" PRIu32 "]", i);
			value(e->out, c->pcpu_affinity[i]);
		}
	u64(e, "cfg.bsp_entry", c->bsp_entry);
	u64(e, "cfg.ap_entry", c->ap_entry);
	u64(e, "cfg.region_count", c->region_count);
	for (uint32_t i = 0; i < c->region_count && i < AXVM_MAX_REGIONS; i++) {
		const struct axvm_mem_region *r = &c->regions[i];
		u64_at(e, "cfg.regions", i, ".gpa", r->gpa);
		u64_at(e, "cfg.regions", i, ".size", r->size);
		u64_at(e, "cfg.regions", i, ".hpa", r->hpa);
		u64_at(e, "cfg.regions", i, ".flags", r->flags);
		u64_at(e, "cfg.regions", i, ".type", r->type);
	}
	u64(e, "cfg.device_count", c->device_count);
	for (uint32_t i = 0; i < c->device_count && i < AXVM_MAX_CONFIG_DEVICES;
	     i++) {
		const struct axvm_device_desc *d = &c->devices[i];
		u64_at(e, "cfg.devices", i, ".bus", d->bus);
		u64_at(e, "cfg.devices", i, ".base", d->base);
		u64_at(e, "cfg.devices", i, ".size", d->size);
		u64_at(e, "cfg.devices", i, ".widths", d->widths);
		u64_at(e, "cfg.devices", i, ".naturally_aligned",
		       d->naturally_aligned);
		u64_at(e, "cfg.devices", i, ".fast", d->fast);
	}
	u64(e, "cfg.unhandled_policy", c->unhandled_policy);
}

static void emit_devices(const struct emit *e)
{
	const struct axvm_fdt_vm *vm = e->vm;
	char node[32];

	for (uint32_t i = 0; i < vm->cfg.device_count &&
	                     i < AXVM_MAX_CONFIG_DEVICES;
	     i++) {
		const struct axvm_fdt_device *d = &vm->devices[i];
		snprintf(node, sizeof(node), "devices[%" PRIu32 "].node", i);
		str(e, node, d->node, sizeof(d->node));
		u64_at(e, "devices", i, ".kind", d->kind);
		u64_at(e, "devices", i, ".irq", d->irq);
		u64_at(e, "devices", i, ".clock_hz", d->clock_hz);
		u64_at(e, "devices", i, ".disk_addr", d->disk_addr);
		u64_at(e, "devices", i, ".disk_size", d->disk_size);
		u64_at(e, "devices", i, ".ivc.channel", d->ivc.channel);
		u64_at(e, "devices", i, ".ivc.end", d->ivc.end);
		u64_at(e, "devices", i, ".ivc.region", d->ivc.region);
		u64_at(e, "devices", i, ".ivc.shm_gpa", d->ivc.shm_gpa);
		u64_at(e, "devices", i, ".ivc.shm_size", d->ivc.shm_size);
		u64_at(e, "devices", i, ".state.kind", d->state.kind);
		u64_at(e, "devices", i, ".state.reg_shift", d->state.reg_shift);
		u64_at(e, "devices", i, ".state.read_value",
		       d->state.read_value);
	}
}

static void emit_vm(const struct emit *e, uint32_t index)
{
	const struct axvm_fdt_vm *vm = e->vm;
	const struct axvm_fdt_irqchip *ic = &vm->irqchip;

	fprintf(e->out, "\n\tv = &vms[%" PRIu32 "]; /* ", index);
	literal(e->out, vm->path, sizeof(vm->path));
	fprintf(e->out, " */\n");
	emit_cfg(e);
	str(e, "path", vm->path, sizeof(vm->path));
	u64(e, "irq_mode", vm->irq_mode);
	u64(e, "kernel_addr", vm->kernel_addr);
	u64(e, "initrd_addr", vm->initrd_addr);
	u64(e, "initrd_size", vm->initrd_size);
	u64(e, "has_dtb", vm->has_dtb);
	u64(e, "dtb_addr", vm->dtb_addr);
	str(e, "bootargs", vm->bootargs, sizeof(vm->bootargs));
	u64(e, "timebase_hz", vm->timebase_hz);
	u64(e, "boot", vm->boot);
	u64(e, "irqchip.kind", ic->kind);
	str(e, "irqchip.node", ic->node, sizeof(ic->node));
	for (uint32_t i = 0; i < 2; i++) {
		u64_at(e, "irqchip.base", i, "", ic->base[i]);
		u64_at(e, "irqchip.size", i, "", ic->size[i]);
	}
	u64(e, "irqchip.ndev", ic->ndev);
	u64(e, "passthrough_irq_count", vm->passthrough_irq_count);
	for (uint32_t i = 0; i < vm->passthrough_irq_count &&
	                     i < AXVM_FDT_MAX_IRQS;
	     i++)
		u64_at(e, "passthrough_irqs", i, "", vm->passthrough_irqs[i]);
	emit_devices(e);
}

int emit_c(FILE *out, const char *name, const char *source,
           const struct axvm_fdt_vm *vms, uint32_t n)
{
	struct emit e = {.out = out};

	if (!is_identifier(name) || n == 0)
		return -1;
	fprintf(out, "/* Generated by axvm-config -c from ");
	literal(out, source, strlen(source));
	fprintf(out, ": %" PRIu32 " VM(s), parsed and checked on the host.\n"
	             " * Do not edit: change the device tree and generate "
	             "again. */\n"
	             "#include <stdint.h>\n#include <string.h>\n\n"
	             "#include <axvm/config_fdt.h>\n\n",
	        n);
	/* The caller's room is a build knob too: a build that takes fewer
	 * VMs fails here, not with AXVM_E2BIG at boot. */
	fprintf(out,
	        "#if defined(AXVM_FDT_MAX_VMS) && AXVM_FDT_MAX_VMS < %" PRIu32
	        "\n#error \"%" PRIu32 " VMs, more than this build takes "
	        "(AXVM_FDT_MAX_VMS)\"\n#endif\n",
	        n, n);
	for (uint32_t i = 0; i < n; i++) {
		e.vm = &vms[i];
		checks(&e);
	}
	fprintf(out,
	        "\nint %s(struct axvm_fdt_vm *vms, uint32_t max, uint32_t "
	        "*count);\n\n"
	        "int %s(struct axvm_fdt_vm *vms, uint32_t max, uint32_t "
	        "*count)\n{\n"
	        "\tstruct axvm_fdt_vm *v;\n\tint rc;\n\n"
	        "\tif (!vms || !count)\n\t\treturn AXVM_EINVAL;\n"
	        "\t*count = 0;\n"
	        "\tif (max < %" PRIu32 "u)\n\t\treturn AXVM_E2BIG;\n"
	        "\tmemset(vms, 0, %" PRIu32 "u * sizeof(*vms));\n",
	        name, name, n, n);
	for (uint32_t i = 0; i < n; i++) {
		e.vm = &vms[i];
		emit_vm(&e, i);
	}
	fprintf(out,
	        "\n\tfor (uint32_t i = 0; i < %" PRIu32 "u; i++) {\n"
	        "\t\tif ((rc = axvm_fdt_vm_bind(&vms[i])))\n"
	        "\t\t\treturn rc;\n\t}\n"
	        "\t*count = %" PRIu32 "u;\n\treturn 0;\n}\n",
	        n, n);
	/* A constant the image's link can fold: a kernel whose VMs boot no
	 * Linux links no Linux loader. */
	uint32_t boots = 0;
	for (uint32_t i = 0; i < n; i++)
		if ((unsigned)vms[i].boot < 32u)
			boots |= 1u << vms[i].boot;
	fprintf(out,
	        "\n/* The boot protocols of these VMs, bit (1 << protocol). */\n"
	        "extern const uint32_t %s_boots;\n"
	        "const uint32_t %s_boots = 0x%" PRIx32 "u;\n",
	        name, name, boots);
	return ferror(out) ? -1 : 0;
}
