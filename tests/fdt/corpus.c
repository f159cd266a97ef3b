/* SPDX-License-Identifier: Apache-2.0 */
/* Broken blobs: the compiled .dts files in tests/fdt/corpus (semantic errors
 * dtc lets through) and byte-level mutations of the binding's example (what dtc
 * never produces: truncation, bad header fields, bad offsets, corrupt tags and
 * strings). */
#include <libfdt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <axvm/types.h>

#include "corpus.h"

enum {
	M_NONE,
	M_EMPTY,
	M_SHORT_HEADER,
	M_TRUNCATED,
	M_TRUNC_HALF,
	M_BAD_MAGIC,
	M_OLD_VERSION,
	M_NEW_VERSION,
	M_TOTALSIZE_SMALL,
	M_STRUCT_OFF,
	M_STRINGS_SIZE,
	M_MISALIGNED,
	M_RSV_OFF,
	M_PROP_LEN_HUGE,
	M_NAMEOFF,
	M_BAD_TAG,
	M_NO_END,
	M_ROOT_NAME,
	M_NOP_CPUS,
	M_BOOTARGS_NUL,
	M_COMPAT_NUL,
	M_LABEL_CTRL,
	M_CPUS_65,
	M_CPUS_HUGE,
	M_MEM_WRAP,
	M_ID_DUP,
	M_NAME_CTRL,
	M_ENTRY_OUT,
	M_GIC_CELLS,
};

#define EX      "axvm-vm.dtb" /* docs/bindings/axvm-vm.example.dts */
#define C(code) code, #code

const struct corpus_case corpus_cases[] = {
    /* Compiled from tests/fdt/corpus/<name>.dts. */
    {"addr-cells-3", "addr-cells-3.dtb", M_NONE, C(AXVM_ERANGE),
     "/vms/vm@1: #address-cells: must be 1 or 2"},
    {"affinity-len", "affinity-len.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1: cpu-affinity: must list one pCPU per vCPU (cpus = 2)"},
    {"ap-entry-outside", "ap-entry-outside.dtb", M_NONE, C(AXVM_ERANGE),
     "/vms/vm@1: ap-entry: ap_entry: not inside a RAM region"},
    {"bad-access", "bad-access.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1/memory@50000000: access: must be letters from \"rwx\""},
    {"bad-map", "bad-map.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1/memory@50000000: map: unknown value \"weird\""},
    {"bad-status", "bad-status.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1: status: unknown value \"maybe\""},
    {"bootargs-list", "bootargs-list.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1: bootargs: must be a single string, not a list"},
    {"cpus-len", "cpus-len.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1: cpus: must be one 32-bit cell, is 8 bytes long"},
    {"deep", "deep.dtb", M_NONE, C(AXVM_E2BIG),
     "bad device tree blob: nodes nested 33 deep; the limit is 32"},
    {"dev-in-ram", "dev-in-ram.dtb", M_NONE, C(AXVM_EEXIST),
     "/vms/vm@1/serial@40001000: reg: devices[0].base: overlaps a memory "
     "region (/vms/vm@1/memory@40000000)"},
    {"dev-overlap", "dev-overlap.dtb", M_NONE, C(AXVM_EEXIST),
     "/vms/vm@1/dummy@9001000: reg: devices[1].base: overlaps an earlier "
     "device (/vms/vm@1/dummy@9000000)"},
    {"dtb-in-initrd", "dtb-in-initrd.dtb", M_NONE, C(AXVM_EEXIST),
     "/vms/vm@1: dtb-addr: inside the initrd"},
    {"virtio-no-disk", "virtio-no-disk.dtb", M_NONE, C(AXVM_ENOENT),
     "/vms/vm@1/virtio_mmio@a000000: axvm,disk: missing required property "
     "(or axvm,console)"},
    {"virtio-disk-and-console", "virtio-disk-and-console.dtb", M_NONE,
     C(AXVM_EINVAL),
     "/vms/vm@1/virtio_mmio@a000000: axvm,console: a virtio-mmio node is a "
     "disk or a console, not both (axvm,disk is there)"},
    {"virtio-console-value", "virtio-console-value.dtb", M_NONE,
     C(AXVM_EINVAL),
     "/vms/vm@1/virtio_mmio@a000000: axvm,console: a boolean property takes "
     "no value"},
    {"virtio-unaligned", "virtio-unaligned.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1/virtio_mmio@a000100: reg: a virtio-mmio window must be "
     "0x200-aligned"},
    {"virtio-disk-size", "virtio-disk-size.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1/virtio_mmio@a000000: axvm,disk: size must be a non-zero "
     "multiple of 512"},
    {"dup-id", "dup-id.dtb", M_NONE, C(AXVM_EEXIST),
     "/more/vm@1: reg: VM id 1 is already used by /vms/vm@1"},
    {"entry-len", "entry-len.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1: entry: must be one address of 2 cell(s)"},
    {"entry-outside", "entry-outside.dtb", M_NONE, C(AXVM_ERANGE),
     "/vms/vm@1: entry: bsp_entry: not inside a RAM region"},
    {"gic-ppi", "gic-ppi.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1/serial@9000000: interrupts: only SPIs (type 0)"},
    {"gicr-small", "gicr-small.dtb", M_NONE, C(AXVM_ERANGE),
     "/vms/vm@1/interrupt-controller@8000000: reg: redistributors too "
     "small for 4 vCPUs"},
    {"host-addr-allocated", "host-addr-allocated.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1/memory@50000000: host-addr: only map"},
    {"id-two-cells", "id-two-cells.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1: reg: must be one cell, the VM id"},
    {"initrd-outside", "initrd-outside.dtb", M_NONE, C(AXVM_ERANGE),
     "/vms/vm@1: initrd: not inside one RAM region"},
    {"initrd-zero", "initrd-zero.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1: initrd: size is zero"},
    {"interrupts-len", "interrupts-len.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1/serial@9000000: interrupts: length 8 is not a whole "
     "number of entries"},
    {"irq-dup", "irq-dup.dtb", M_NONE, C(AXVM_EEXIST),
     "/vms/vm@1/serial@10000100: interrupts: interrupt 10 is already "
     "used (/vms/vm@1/serial@10000000)"},
    {"irq-none", "irq-none.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1/serial@10000000: interrupts: the VM has interrupt-mode "
     "\"none\""},
    {"irqchip-overlap", "irqchip-overlap.dtb", M_NONE, C(AXVM_EEXIST),
     "/vms/vm@1/interrupt-controller@40100000: reg: overlaps a memory "
     "region (/vms/vm@1/memory@40000000)"},
    {"kernel-outside", "kernel-outside.dtb", M_NONE, C(AXVM_ERANGE),
     "/vms/vm@1: kernel-addr: not inside a RAM region"},
    {"label-long", "label-long.dtb", M_NONE, C(AXVM_E2BIG),
     "/vms/vm@1: label: longer than 31 characters"},
    {"linear-no-host", "linear-no-host.dtb", M_NONE, C(AXVM_ENOENT),
     "/vms/vm@1/memory@50000000: host-addr: missing"},
    {"many-children", "many-children.dtb", M_NONE, C(AXVM_E2BIG),
     "/vms/vm@1: more than 64 child nodes"},
    {"many-cpus", "many-cpus.dtb", M_NONE, C(AXVM_E2BIG),
     "/vms/vm@1: cpus: more than 64 vCPUs"},
    {"many-devices", "many-devices.dtb", M_NONE, C(AXVM_E2BIG),
     "/vms/vm@1/dummy@9020000: the VM has more than 32 emulated devices"},
    {"many-pt-irqs", "many-pt-irqs.dtb", M_NONE, C(AXVM_E2BIG),
     "/vms/vm@1/passthrough@a000000: interrupts: has more than 32 "
     "entries"},
    {"many-regions", "many-regions.dtb", M_NONE, C(AXVM_E2BIG),
     "/vms/vm@1/memory@50000000: reg: has more than 16 entries"},
    {"no-compatible", "no-compatible.dtb", M_NONE, C(AXVM_ENOENT),
     "/vms/vm@1/serial@9000000: compatible: missing required property"},
    {"no-cpus", "no-cpus.dtb", M_NONE, C(AXVM_ENOENT),
     "/vms/vm@1: cpus: missing required property"},
    {"no-memory", "no-memory.dtb", M_NONE, C(AXVM_ENOENT),
     "/vms/vm@1: no memory: add a child node with compatible "
     "\"axvm,memory\""},
    {"no-vm", "no-vm.dtb", M_NONE, C(AXVM_ENOENT),
     "no enabled node with compatible \"axvm,vm\""},
    {"not-a-string", "not-a-string.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1/memory@50000000: map: is not a NUL-terminated string"},
    {"ivc-no-shm", "ivc-no-shm.dtb", M_NONE, C(AXVM_ENOENT),
     "/vms/vm@1/ivc@b000000: shared-mem: missing required property"},
    {"ivc-one-end", "ivc-one-end.dtb", M_NONE, C(AXVM_ENOENT),
     "/vms/vm@1/ivc@b000000: channel: channel 1 has one end: another VM "
     "needs an axvm,ivc node with the same channel"},
    {"ivc-same-vm", "ivc-same-vm.dtb", M_NONE, C(AXVM_EEXIST),
     "/vms/vm@1/ivc@b001000: channel: channel 1 has both ends in one VM "
     "(/vms/vm@1/ivc@b000000)"},
    {"ivc-shm-in-ram", "ivc-shm-in-ram.dtb", M_NONE, C(AXVM_EEXIST),
     "/vms/vm@1/ivc@b000000: shared-mem: regions[1].gpa: overlaps an "
     "earlier region (/vms/vm@1/memory@40000000)"},
    {"ivc-shm-misaligned", "ivc-shm-misaligned.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1/ivc@b000000: shared-mem: regions[1].gpa: not 4 KiB aligned"},
    {"ivc-size-differs", "ivc-size-differs.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@2/ivc@b000000: shared-mem: channel 1: the size differs from "
     "the other end's (/vms/vm@1/ivc@b000000)"},
    {"ivc-three-ends", "ivc-three-ends.dtb", M_NONE, C(AXVM_EEXIST),
     "/vms/vm@3/ivc@b000000: channel: channel 1 already has two ends, the "
     "first in (/vms/vm@1/ivc@b000000)"},
    {"ivc-window-misaligned", "ivc-window-misaligned.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1/ivc@b000000: reg: the doorbell window must be page aligned"},
    {"overlap", "overlap.dtb", M_NONE, C(AXVM_EEXIST),
     "/vms/vm@1/memory@40800000: reg: regions[1].gpa: overlaps an "
     "earlier region (/vms/vm@1/memory@40000000)"},
    {"pl011-misaligned", "pl011-misaligned.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1/serial@9000800: reg: a PL011 window must start on a 4 KiB "
     "boundary"},
    {"pl011-small", "pl011-small.dtb", M_NONE, C(AXVM_ERANGE),
     "/vms/vm@1/serial@9000000: reg: smaller than the 4096-byte register "
     "window"},
    {"plic-no-ndev", "plic-no-ndev.dtb", M_NONE, C(AXVM_ENOENT),
     "/vms/vm@1/interrupt-controller@c000000: riscv,ndev: missing "
     "required property"},
    {"plic-source-range", "plic-source-range.dtb", M_NONE, C(AXVM_ERANGE),
     "/vms/vm@1/serial@10000000: interrupts: PLIC source 200 is outside"},
    {"reg-len", "reg-len.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1/memory@50000000: reg: length 12 is not a whole number of "
     "entries"},
    {"boot-protocol-bad", "boot-protocol-bad.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1: boot-protocol: unknown value \"uefi\" (expected \"raw\" "
     "or \"linux\")"},
    {"timebase-zero", "timebase-zero.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1: timebase-frequency: is zero"},
    {"two-irqchips", "two-irqchips.dtb", M_NONE, C(AXVM_EEXIST),
     "/vms/vm@1/interrupt-controller@d000000: compatible: a second "
     "interrupt controller"},
    {"unaligned", "unaligned.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1/memory@50000800: reg: regions[1].gpa: not 4 KiB aligned"},
    {"uncached-value", "uncached-value.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1/memory@50000000: uncached: is a boolean"},
    {"unhandled-bad", "unhandled-bad.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1: unhandled-access: unknown value \"panic\""},
    {"unknown-compat", "unknown-compat.dtb", M_NONE, C(AXVM_ENOTSUP),
     "/vms/vm@1/serial@9000000: compatible: no known device model for "
     "\"acme,uart\""},
    {"wrap", "wrap.dtb", M_NONE, C(AXVM_EOVERFLOW),
     "/vms/vm@1/memory@fffffffffffff000: reg: regions[1].size: gpa + "
     "size wraps around"},
    {"zero-cpus", "zero-cpus.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1: cpus: vcpu_count: is zero"},

    {"access-empty", "access-empty.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1/memory@50000000: access: is empty"},
    {"label-empty", "label-empty.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1: label: name: empty or not NUL-terminated"},
    {"pt-host-addr-len", "pt-host-addr-len.dtb", M_NONE, C(AXVM_EINVAL),
     "/vms/vm@1/passthrough@60000000: host-addr: must hold one address per "
     "reg entry (2)"},
    {"pt-irqs-total", "pt-irqs-total.dtb", M_NONE, C(AXVM_E2BIG),
     "/vms/vm@1/passthrough@60001000: interrupts: the VM has more than 32 "
     "passthrough interrupts"},
    {"regions-total", "regions-total.dtb", M_NONE, C(AXVM_E2BIG),
     "/vms/vm@1/passthrough@60000000: reg: the VM has more than 16 memory "
     "and passthrough regions"},

    /* Mutations of the binding's example. */
    {"m-empty", EX, M_EMPTY, C(AXVM_EINVAL),
     "bad device tree blob: truncated: 0 bytes"},
    {"m-short-header", EX, M_SHORT_HEADER, C(AXVM_EINVAL),
     "truncated: 20 bytes is less than the header of 40"},
    {"m-truncated", EX, M_TRUNCATED, C(AXVM_EINVAL), "truncated: header says"},
    {"m-trunc-half", EX, M_TRUNC_HALF, C(AXVM_EINVAL), "outside totalsize"},
    {"m-bad-magic", EX, M_BAD_MAGIC, C(AXVM_EINVAL), "bad magic (not a DTB)"},
    {"m-old-version", EX, M_OLD_VERSION, C(AXVM_ENOTSUP),
     "unsupported version 16"},
    {"m-new-version", EX, M_NEW_VERSION, C(AXVM_ENOTSUP),
     "unsupported version 18"},
    {"m-totalsize-small", EX, M_TOTALSIZE_SMALL, C(AXVM_EINVAL),
     "totalsize 39 is less than the header of 40"},
    {"m-struct-off", EX, M_STRUCT_OFF, C(AXVM_EINVAL),
     "structure block offset"},
    {"m-strings-size", EX, M_STRINGS_SIZE, C(AXVM_EINVAL),
     "strings block offset"},
    {"m-misaligned", EX, M_MISALIGNED, C(AXVM_EINVAL), "misaligned block"},
    {"m-rsv-off", EX, M_RSV_OFF, C(AXVM_EINVAL),
     "memory reservation map offset"},
    {"m-prop-len-huge", EX, M_PROP_LEN_HUGE, C(AXVM_EINVAL),
     "property length 4294967280 runs past the structure block"},
    {"m-nameoff", EX, M_NAMEOFF, C(AXVM_EINVAL),
     "property name offset 2147483632 is not a string"},
    {"m-bad-tag", EX, M_BAD_TAG, C(AXVM_EINVAL), "unknown tag 10"},
    {"m-no-end", EX, M_NO_END, C(AXVM_EINVAL),
     "structure block ends without FDT_END"},
    {"m-root-name", EX, M_ROOT_NAME, C(AXVM_EINVAL), "root node has a name"},
    {"m-nop-cpus", EX, M_NOP_CPUS, C(AXVM_ENOENT),
     "/vms/vm@1: cpus: missing required property"},
    {"m-bootargs-nul", EX, M_BOOTARGS_NUL, C(AXVM_EINVAL),
     "/vms/vm@1: bootargs: is not a NUL-terminated string"},
    {"m-compat-nul", EX, M_COMPAT_NUL, C(AXVM_EINVAL),
     "/vms/vm@1/serial@9000000: compatible: is not a list of "
     "NUL-terminated strings"},
    {"m-label-ctrl", EX, M_LABEL_CTRL, C(AXVM_EINVAL),
     "/vms/vm@1: label: has non-printable characters"},
    {"m-cpus-65", EX, M_CPUS_65, C(AXVM_E2BIG),
     "/vms/vm@1: cpus: more than 64 vCPUs"},
    {"m-cpus-huge", EX, M_CPUS_HUGE, C(AXVM_E2BIG),
     "/vms/vm@1: cpus: more than 64 vCPUs"},
    {"m-mem-wrap", EX, M_MEM_WRAP, C(AXVM_EOVERFLOW),
     "/vms/vm@1/memory@40000000: reg: regions[0].size: gpa + size wraps "
     "around"},
    {"m-id-dup", EX, M_ID_DUP, C(AXVM_EEXIST),
     "/vms/vm@2: reg: VM id 1 is already used by /vms/vm@1"},
    {"m-name-ctrl", EX, M_NAME_CTRL, C(AXVM_EEXIST),
     "/vms/vm?2: reg: VM id 1 is already used by /vms/vm@1"},
    {"m-entry-out", EX, M_ENTRY_OUT, C(AXVM_ERANGE),
     "/vms/vm@1: entry: bsp_entry: not inside a RAM region"},
    {"m-gic-cells", EX, M_GIC_CELLS, C(AXVM_EINVAL),
     "/vms/vm@1/interrupt-controller@8000000: #interrupt-cells: must be "
     "3 for arm,gic-v3"},
};

const size_t corpus_case_count = sizeof(corpus_cases) / sizeof(corpus_cases[0]);

int corpus_read_file(const char *path, void **blob, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;
	void *buf;

	if (!f) {
		fprintf(stderr, "corpus: cannot open %s\n", path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -1;
	}
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	*blob = buf;
	*len = (size_t)n;
	return 0;
}

static void put32(void *blob, size_t off, uint32_t v)
{
	uint8_t *p = (uint8_t *)blob + off;

	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const void *blob, size_t off)
{
	const uint8_t *p = (const uint8_t *)blob + off;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Header field offsets. */
enum {
	H_TOTAL = 4,
	H_STRUCT = 8,
	H_STRINGS = 12,
	H_RSV = 16,
	H_VERSION = 20,
	H_LASTCOMP = 24,
	H_SIZE_STRINGS = 32,
	H_SIZE_STRUCT = 36
};

static int setprop_u32(void *blob, const char *path, const char *prop,
                       uint32_t v)
{
	int node = fdt_path_offset(blob, path);

	return node < 0 ? node : fdt_setprop_inplace_u32(blob, node, prop, v);
}

/* The last byte of a property's value, for NUL corruption. */
static int poke_last(void *blob, const char *path, const char *prop, int index,
                     char ch)
{
	int node = fdt_path_offset(blob, path), len = 0;
	char *val;

	if (node < 0)
		return node;
	val = fdt_getprop_w(blob, node, prop, &len);
	if (!val || len < 1)
		return -1;
	val[index < 0 ? len + index : index] = ch;
	return 0;
}

static int mutate(int m, void *blob, size_t *len)
{
	uint32_t total = get32(blob, H_TOTAL);
	size_t st = get32(blob, H_STRUCT);
	uint32_t cells[4] = {0xffffffff, 0xfffff000, 0, 0x2000};
	int node;

	switch (m) {
	case M_NONE:
		return 0;
	case M_EMPTY:
		*len = 0;
		return 0;
	case M_SHORT_HEADER:
		*len = 20;
		return 0;
	case M_TRUNCATED:
		*len = total - 1;
		return 0;
	case M_TRUNC_HALF:
		*len = (total / 2) & ~(size_t)7;
		put32(blob, H_TOTAL, (uint32_t)*len);
		return 0;
	case M_BAD_MAGIC:
		put32(blob, 0, 0xd00dfeee);
		return 0;
	case M_OLD_VERSION:
		put32(blob, H_VERSION, 16);
		put32(blob, H_LASTCOMP, 16);
		return 0;
	case M_NEW_VERSION:
		put32(blob, H_VERSION, 18);
		put32(blob, H_LASTCOMP, 18);
		return 0;
	case M_TOTALSIZE_SMALL:
		put32(blob, H_TOTAL, 39);
		return 0;
	case M_STRUCT_OFF:
		put32(blob, H_STRUCT, (total + 7) & ~7u);
		return 0;
	case M_STRINGS_SIZE:
		put32(blob, H_SIZE_STRINGS, total);
		return 0;
	case M_MISALIGNED:
		put32(blob, H_STRUCT, (uint32_t)st + 2);
		return 0;
	case M_RSV_OFF:
		put32(blob, H_RSV, (total + 7) & ~7u);
		return 0;
	/* The root node is BEGIN_NODE + empty name (8 bytes); its first
	 * property (#address-cells) follows: tag, len, nameoff. */
	case M_PROP_LEN_HUGE:
		put32(blob, st + 12, 0xfffffff0);
		return 0;
	case M_NAMEOFF:
		put32(blob, st + 16, 0x7ffffff0);
		return 0;
	case M_BAD_TAG:
		put32(blob, st + 8, 10);
		return 0;
	case M_NO_END:
		put32(blob, H_SIZE_STRUCT, get32(blob, H_SIZE_STRUCT) - 4);
		return 0;
	case M_ROOT_NAME:
		((uint8_t *)blob)[st + 4] = 'x';
		return 0;
	case M_NOP_CPUS:
		node = fdt_path_offset(blob, "/vms/vm@1");
		return node < 0 ? node : fdt_nop_property(blob, node, "cpus");
	case M_BOOTARGS_NUL:
		return poke_last(blob, "/vms/vm@1", "bootargs", -1, 'X');
	case M_COMPAT_NUL:
		return poke_last(blob, "/vms/vm@1/serial@9000000", "compatible",
		                 -1, 'X');
	case M_LABEL_CTRL:
		return poke_last(blob, "/vms/vm@1", "label", 0, 0x1b);
	case M_CPUS_65:
		return setprop_u32(blob, "/vms/vm@1", "cpus", 65);
	case M_CPUS_HUGE:
		return setprop_u32(blob, "/vms/vm@1", "cpus", 0xffffffff);
	case M_MEM_WRAP:
		node = fdt_path_offset(blob, "/vms/vm@1/memory@40000000");
		for (int i = 0; i < 4; i++)
			cells[i] = cpu_to_fdt32(cells[i]);
		return node < 0 ? node
		                : fdt_setprop_inplace(blob, node, "reg", cells,
		                                      sizeof(cells));
	case M_ID_DUP:
		return setprop_u32(blob, "/vms/vm@2", "reg", 1);
	case M_NAME_CTRL:
		if ((node = setprop_u32(blob, "/vms/vm@2", "reg", 1)))
			return node;
		node = fdt_path_offset(blob, "/vms/vm@2");
		return node < 0 ? node
		                : fdt_set_name(blob, node,
		                               "vm\x1b"
		                               "2");
	case M_ENTRY_OUT:
		node = fdt_path_offset(blob, "/vms/vm@1");
		cells[0] = 0;
		cells[1] = cpu_to_fdt32(0x1000);
		return node < 0
		           ? node
		           : fdt_setprop_inplace(blob, node, "entry", cells, 8);
	case M_GIC_CELLS:
		return setprop_u32(blob,
		                   "/vms/vm@1/interrupt-controller@8000000",
		                   "#interrupt-cells", 1);
	default:
		return -1;
	}
}

int corpus_make(const struct corpus_case *c, const char *example_dir,
                const char *corpus_dir, void **blob, size_t *len)
{
	char path[1024];
	void *buf;
	int rc;

	snprintf(path, sizeof(path), "%s/%s",
	         c->mutation == M_NONE ? corpus_dir : example_dir, c->source);
	if (corpus_read_file(path, &buf, len))
		return -1;
	rc = mutate(c->mutation, buf, len);
	if (rc) {
		fprintf(stderr, "corpus: %s: mutation failed (%d)\n", c->name,
		        rc);
		free(buf);
		return -1;
	}
	/* An exact-size copy: no slack after the (possibly shortened) blob. */
	*blob = malloc(*len ? *len : 1);
	if (!*blob) {
		free(buf);
		return -1;
	}
	memcpy(*blob, buf, *len);
	free(buf);
	return 0;
}
