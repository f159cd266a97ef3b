/* SPDX-License-Identifier: Apache-2.0 */
/* axvm-config: check a device-tree blob against the axvm,vm binding
 * (docs/bindings/axvm-vm.md) and print the VMs it describes; optionally
 * write one VM's guest device tree.
 *
 *   axvm-config FILE.dtb
 *   axvm-config -g GUEST.dtb [-i VM-ID] FILE.dtb
 *   axvm-config -c OUT.c [-n FUNCTION] FILE.dtb
 *
 * Exit status 0 when the blob is valid, 1 (with the reason on stderr) for
 * anything else: unreadable file, bad blob, bad usage. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <axvm/axvm.h>
#include <axvm/config_fdt.h>

#include "emit_c.h"

#define MAX_VMS       16u
#define GUEST_DTB_MAX (64u * 1024u)

static const char *prog = "axvm-config";

static const char *code_name(int code)
{
	switch (code) {
	case AXVM_EPERM:
		return "AXVM_EPERM";
	case AXVM_ENOENT:
		return "AXVM_ENOENT";
	case AXVM_EIO:
		return "AXVM_EIO";
	case AXVM_E2BIG:
		return "AXVM_E2BIG";
	case AXVM_ENOMEM:
		return "AXVM_ENOMEM";
	case AXVM_EEXIST:
		return "AXVM_EEXIST";
	case AXVM_EINVAL:
		return "AXVM_EINVAL";
	case AXVM_ERANGE:
		return "AXVM_ERANGE";
	case AXVM_EOVERFLOW:
		return "AXVM_EOVERFLOW";
	case AXVM_ENOTSUP:
		return "AXVM_ENOTSUP";
	default:
		return "AXVM_E?";
	}
}

static int usage(void)
{
	fprintf(stderr,
	        "usage: %s [-g GUEST.dtb [-i VM-ID]] [-c OUT.c [-n FUNCTION]] "
	        "FILE.dtb\n"
	        "  Validate FILE.dtb against the axvm,vm binding and print its "
	        "VMs.\n"
	        "  -g OUT  also write the guest device tree of one VM to OUT\n"
	        "  -i ID   the VM for -g (default: the first)\n"
	        "  -c OUT  also write the VMs as C, a function that fills them "
	        "(a kernel\n"
	        "          built with its config compiled in)\n"
	        "  -n NAME that function's name (default "
	        "axvm_config_builtin)\n",
	        prog);
	return 1;
}

/* Read the whole file into an 8-byte aligned buffer (malloc's alignment).
 * Files over the parser's limit are refused here, by size. */
static int read_file(const char *path, void **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0;
	unsigned char *buf = NULL;

	if (!f) {
		fprintf(stderr, "%s: %s: cannot open: %s\n", prog, path,
		        strerror(errno));
		return -1;
	}
	for (;;) {
		if (n == cap || !buf) {
			if (buf)
				cap *= 2;
			if (cap > (size_t)AXVM_FDT_MAX_BLOB + 4096) {
				fprintf(stderr,
				        "%s: %s: larger than %u bytes\n", prog,
				        path, AXVM_FDT_MAX_BLOB);
				goto fail;
			}
			unsigned char *nb = realloc(buf, cap);
			if (!nb) {
				fprintf(stderr, "%s: %s: out of memory\n", prog,
				        path);
				goto fail;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s: read error: %s\n", prog, path,
		        strerror(errno));
		goto fail;
	}
	fclose(f);
	*out = buf;
	*len = n;
	return 0;
fail:
	free(buf);
	fclose(f);
	return -1;
}

static const char *map_name(enum axvm_map_type t)
{
	switch (t) {
	case AXVM_MAP_LINEAR:
		return "linear";
	case AXVM_MAP_ALLOCATED:
		return "allocated";
	case AXVM_MAP_LAZY:
		return "lazy";
	case AXVM_MAP_DEVICE:
		return "device";
	default:
		return "?";
	}
}

static void print_size(uint64_t size)
{
	if (size % (1024u * 1024u) == 0)
		printf("%" PRIu64 " MiB", size / (1024u * 1024u));
	else if (size % 1024u == 0)
		printf("%" PRIu64 " KiB", size / 1024u);
	else
		printf("%" PRIu64 " bytes", size);
}

static void print_vm(const struct axvm_fdt_vm *vm)
{
	const struct axvm_config *c = &vm->cfg;

	printf("vm %" PRIu32 " \"%s\" (%s)\n", c->id, c->name, vm->path);
	printf("  vcpus: %" PRIu32 ", pcpu affinity:", c->vcpu_count);
	for (uint32_t i = 0; i < c->vcpu_count; i++)
		printf(" %" PRIu32, c->pcpu_affinity[i]);
	printf("\n  entry: bsp 0x%" PRIx64 ", ap 0x%" PRIx64 "\n", c->bsp_entry,
	       c->ap_entry);
	printf(
	    "  interrupt-mode: %s, unhandled-access: %s, boot-protocol: %s\n",
	    axvm_irq_mode_name(vm->irq_mode),
	    c->unhandled_policy == AXVM_POLICY_STOP ? "stop" : "ignore",
	    axvm_boot_protocol_name(vm->boot));
	printf("  kernel: 0x%" PRIx64, vm->kernel_addr);
	if (vm->initrd_size)
		printf(", initrd: 0x%" PRIx64 " (%" PRIu64 " bytes)",
		       vm->initrd_addr, vm->initrd_size);
	if (vm->has_dtb)
		printf(", dtb: 0x%" PRIx64, vm->dtb_addr);
	printf("\n");
	if (vm->bootargs[0])
		printf("  bootargs: \"%s\"\n", vm->bootargs);
	printf("  memory:\n");
	for (uint32_t i = 0; i < c->region_count; i++) {
		const struct axvm_mem_region *r = &c->regions[i];
		printf("    0x%" PRIx64 "-0x%" PRIx64 " (", r->gpa,
		       r->gpa + (r->size - 1));
		print_size(r->size);
		printf(") %s", map_name(r->type));
		if (r->type == AXVM_MAP_LINEAR || r->type == AXVM_MAP_DEVICE)
			printf(" -> host 0x%" PRIx64, r->hpa);
		printf(" %s%s%s%s%s\n", r->flags & AXVM_MEM_READ ? "r" : "-",
		       r->flags & AXVM_MEM_WRITE ? "w" : "-",
		       r->flags & AXVM_MEM_EXEC ? "x" : "-",
		       r->flags & AXVM_MEM_DEVICE ? " device" : "",
		       r->flags & AXVM_MEM_UNCACHED ? " uncached" : "");
	}
	if (vm->irqchip.kind != AXVM_FDT_IRQCHIP_NONE) {
		const struct axvm_fdt_irqchip *ic = &vm->irqchip;
		printf("  interrupt controller: %s %s at 0x%" PRIx64
		       " (0x%" PRIx64 ")",
		       axvm_fdt_irqchip_name(ic->kind), ic->node, ic->base[0],
		       ic->size[0]);
		if (ic->kind == AXVM_FDT_IRQCHIP_GICV3)
			printf(", redistributors at 0x%" PRIx64 " (0x%" PRIx64
			       ")",
			       ic->base[1], ic->size[1]);
		else
			printf(", %" PRIu32 " sources", ic->ndev);
		printf("\n");
	}
	if (c->device_count)
		printf("  devices:\n");
	for (uint32_t i = 0; i < c->device_count; i++) {
		const struct axvm_device_desc *d = &c->devices[i];
		printf("    %s: %s at 0x%" PRIx64 " (0x%" PRIx64 ")",
		       vm->devices[i].node,
		       axvm_fdt_dev_kind_name(vm->devices[i].kind), d->base,
		       d->size);
		if (vm->devices[i].irq)
			printf(", irq %" PRIu32, vm->devices[i].irq);
		printf("\n");
	}
	if (vm->passthrough_irq_count) {
		printf("  passthrough irqs:");
		for (uint32_t i = 0; i < vm->passthrough_irq_count; i++)
			printf(" %" PRIu32, vm->passthrough_irqs[i]);
		printf("\n");
	}
}

static int write_guest_dtb(const char *out, const struct axvm_fdt_vm *vm)
{
	struct axvm_guest_fdt_params p;
	enum axvm_guest_arch arch = vm->irqchip.kind == AXVM_FDT_IRQCHIP_PLIC
	                                ? AXVM_GUEST_RISCV64
	                                : AXVM_GUEST_AARCH64;
	size_t used = 0;
	int rc = axvm_guest_fdt_params_from_vm(vm, arch, &p);

	if (rc) {
		fprintf(stderr, "%s: %s: no guest device tree: %s (%s)\n", prog,
		        vm->path,
		        rc == AXVM_ENOENT ? "the VM needs RAM and an interrupt "
		                            "controller"
		                          : "unsupported interrupt controller",
		        code_name(rc));
		return 1;
	}
	void *buf = aligned_alloc(8, GUEST_DTB_MAX);
	if (!buf) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	rc = axvm_guest_fdt_build(&p, buf, GUEST_DTB_MAX, &used);
	if (rc) {
		fprintf(stderr, "%s: %s: guest device tree: %s (%s)\n", prog,
		        vm->path, axvm_strerror(rc), code_name(rc));
		free(buf);
		return 1;
	}
	FILE *f = fopen(out, "wb");
	if (!f || fwrite(buf, 1, used, f) != used || fclose(f) != 0) {
		fprintf(stderr, "%s: %s: cannot write: %s\n", prog, out,
		        strerror(errno));
		free(buf);
		return 1;
	}
	free(buf);
	printf("wrote %s: guest device tree of vm %" PRIu32
	       " (%s, %zu bytes)\n",
	       out, vm->cfg.id,
	       arch == AXVM_GUEST_AARCH64 ? "aarch64" : "riscv64", used);
	return 0;
}

static int write_c(const char *out, const char *name, const char *source,
                   const struct axvm_fdt_vm *vms, uint32_t count)
{
	FILE *f = fopen(out, "w");

	if (!f) {
		fprintf(stderr, "%s: %s: cannot write: %s\n", prog, out,
		        strerror(errno));
		return 1;
	}
	int rc = emit_c(f, name, source, vms, count);
	if (fclose(f) != 0 || rc) {
		fprintf(stderr, "%s: %s: cannot write C%s\n", prog, out,
		        rc ? " (is -n a C identifier?)" : "");
		remove(out);
		return 1;
	}
	printf("wrote %s: %s() fills %" PRIu32 " VM%s\n", out, name, count,
	       count == 1 ? "" : "s");
	return 0;
}

int main(int argc, char **argv)
{
	const char *guest_out = NULL, *c_out = NULL;
	const char *c_name = "axvm_config_builtin";
	long want_id = -1;
	int opt;

	while ((opt = getopt(argc, argv, "g:i:c:n:h")) != -1) {
		switch (opt) {
		case 'g':
			guest_out = optarg;
			break;
		case 'c':
			c_out = optarg;
			break;
		case 'n':
			c_name = optarg;
			break;
		case 'i': {
			char *end;
			errno = 0;
			want_id = strtol(optarg, &end, 0);
			if (errno || *end || want_id < 0 ||
			    want_id > UINT32_MAX) {
				fprintf(stderr, "%s: -i: not a VM id: %s\n",
				        prog, optarg);
				return 1;
			}
			break;
		}
		default:
			return usage();
		}
	}
	if (optind != argc - 1)
		return usage();
	const char *path = argv[optind];

	void *blob = NULL;
	size_t len = 0;
	if (read_file(path, &blob, &len))
		return 1;

	static struct axvm_fdt_vm vms[MAX_VMS];
	struct axvm_fdt_error err;
	uint32_t count = 0;
	int rc = axvm_config_from_fdt(blob, len, vms, MAX_VMS, &count, &err);
	free(blob);
	if (rc) {
		fprintf(stderr, "%s: %s: %s (%s: %s)\n", prog, path,
		        err.message, code_name(rc), axvm_strerror(rc));
		return 1;
	}
	printf("%s: %" PRIu32 " VM%s\n", path, count, count == 1 ? "" : "s");
	for (uint32_t i = 0; i < count; i++)
		print_vm(&vms[i]);
	if (c_out && write_c(c_out, c_name, path, vms, count))
		return 1;
	if (!guest_out)
		return 0;
	for (uint32_t i = 0; i < count; i++)
		if (want_id < 0 || vms[i].cfg.id == (uint32_t)want_id)
			return write_guest_dtb(guest_out, &vms[i]);
	fprintf(stderr, "%s: %s: no VM with id %ld\n", prog, path, want_id);
	return 1;
}
