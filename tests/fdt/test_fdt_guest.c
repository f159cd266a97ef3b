/* SPDX-License-Identifier: Apache-2.0 */
/* Guest device trees: config -> axvm_guest_fdt_build() -> read back with
 * libfdt -> the same values; too-small buffers; parameter checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <axvm/config_fdt.h>

#include "corpus.h"

#define BUF_SIZE 16384u

static struct axvm_fdt_vm vms[4];
static _Alignas(8) unsigned char dtb[BUF_SIZE];

static const struct axvm_fdt_vm *parse_one(const char *name, uint32_t index)
{
	char path[512];
	struct axvm_fdt_error err;
	void *blob = NULL;
	size_t len = 0;
	uint32_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", AXVM_FDT_EXAMPLE_DIR, name);
	assert_int_equal(corpus_read_file(path, &blob, &len), 0);
	assert_int_equal(axvm_config_from_fdt(blob, len, vms, 4, &n, &err), 0);
	assert_true(index < n);
	free(blob);
	return &vms[index];
}

static size_t build(const struct axvm_guest_fdt_params *p)
{
	size_t used = 0;

	assert_int_equal(axvm_guest_fdt_build(p, dtb, sizeof(dtb), &used), 0);
	assert_true(used > 0 && used <= sizeof(dtb));
	assert_int_equal(fdt_check_full(dtb, used), 0);
	assert_int_equal(fdt_totalsize(dtb), used);
	return used;
}

static int node(const char *path)
{
	int off = fdt_path_offset(dtb, path);

	if (off < 0)
		fprintf(stderr, "no node %s\n", path);
	assert_true(off >= 0);
	return off;
}

static const void *prop(int off, const char *name, int len)
{
	int got = -1;
	const void *v = fdt_getprop(dtb, off, name, &got);

	if (!v || got != len)
		fprintf(stderr, "property %s: length %d, want %d\n", name, got,
		        len);
	assert_non_null(v);
	assert_int_equal(got, len);
	return v;
}

static uint32_t cell(const void *v, int i)
{
	return fdt32_ld((const fdt32_t *)v + i);
}

static uint64_t cells64(const void *v, int i)
{
	return (uint64_t)cell(v, i) << 32 | cell(v, i + 1);
}

static void assert_str(int off, const char *name, const char *want)
{
	const char *got = prop(off, name, (int)strlen(want) + 1);

	assert_string_equal(got, want);
}

/* Node count of a path's direct children whose name starts with prefix. */
static int count_children(int parent, const char *prefix)
{
	int child, n = 0;

	fdt_for_each_subnode(child, dtb, parent)
	{
		const char *name = fdt_get_name(dtb, child, NULL);
		if (name && strncmp(name, prefix, strlen(prefix)) == 0)
			n++;
	}
	return n;
}

static void check_memory(const struct axvm_guest_fdt_params *p)
{
	int root = node("/"), n = 0;

	for (uint32_t i = 0; i < p->mem_count; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/memory@%llx",
		         (unsigned long long)p->mem[i].base);
		int off = node(path);
		assert_str(off, "device_type", "memory");
		const void *reg = prop(off, "reg", 16);
		assert_int_equal(cells64(reg, 0), p->mem[i].base);
		assert_int_equal(cells64(reg, 2), p->mem[i].size);
		n++;
	}
	assert_int_equal(count_children(root, "memory@"), n);
}

static void check_chosen(const struct axvm_guest_fdt_params *p)
{
	int chosen = node("/chosen");

	if (p->bootargs)
		assert_str(chosen, "bootargs", p->bootargs);
	if (p->initrd_end > p->initrd_start) {
		assert_int_equal(
		    fdt64_ld(prop(chosen, "linux,initrd-start", 8)),
		    p->initrd_start);
		assert_int_equal(fdt64_ld(prop(chosen, "linux,initrd-end", 8)),
		                 p->initrd_end);
	} else {
		assert_null(
		    fdt_getprop(dtb, chosen, "linux,initrd-start", NULL));
	}
	const char *out = fdt_getprop(dtb, chosen, "stdout-path", NULL);
	if (p->uart.kind == AXVM_GUEST_UART_NONE) {
		assert_null(out);
		return;
	}
	assert_non_null(out);
	int uart = node(out);
	assert_string_equal(fdt_getprop(dtb, node("/aliases"), "serial0", NULL),
	                    out);
	const void *reg = prop(uart, "reg", 16);
	assert_int_equal(cells64(reg, 0), p->uart.base);
	assert_int_equal(cells64(reg, 2), p->uart.size);
	assert_int_equal(
	    fdt_node_check_compatible(dtb, uart,
	                              p->uart.kind == AXVM_GUEST_UART_PL011
	                                  ? "arm,pl011"
	                                  : "ns16550a"),
	    0);
}

static uint32_t phandle_of(int off)
{
	uint32_t ph = fdt_get_phandle(dtb, off);

	assert_true(ph != 0 && ph != (uint32_t)-1);
	return ph;
}

static void check_aarch64(const struct axvm_guest_fdt_params *p)
{
	int root = node("/"), cpus = node("/cpus");

	/* CPUs: PSCI, MPIDR as reg. */
	assert_int_equal(count_children(cpus, "cpu@"), (int)p->vcpu_count);
	for (uint32_t i = 0; i < p->vcpu_count; i++) {
		char path[32];
		uint32_t mpidr = (i / 16u) << 8 | (i % 16u);
		snprintf(path, sizeof(path), "/cpus/cpu@%x", mpidr);
		int cpu = node(path);
		assert_int_equal(cell(prop(cpu, "reg", 4), 0), mpidr);
		assert_str(cpu, "device_type", "cpu");
		assert_str(cpu, "enable-method", "psci");
		assert_int_equal(
		    fdt_node_check_compatible(dtb, cpu, "arm,armv8"), 0);
	}
	int psci = node("/psci");
	assert_str(psci, "method", "hvc");
	assert_int_equal(fdt_node_check_compatible(dtb, psci, "arm,psci-0.2"),
	                 0);
	assert_int_equal(fdt_node_check_compatible(dtb, psci, "arm,psci-1.0"),
	                 0);

	/* GICv3: distributor then redistributors; the root's parent. */
	int gic = fdt_node_offset_by_compatible(dtb, -1, "arm,gic-v3");
	assert_true(gic >= 0);
	const void *reg = prop(gic, "reg", 32);
	assert_int_equal(cells64(reg, 0), p->gicv3.dist_base);
	assert_int_equal(cells64(reg, 2), p->gicv3.dist_size);
	assert_int_equal(cells64(reg, 4), p->gicv3.redist_base);
	assert_int_equal(cells64(reg, 6), p->gicv3.redist_size);
	assert_int_equal(cell(prop(gic, "#interrupt-cells", 4), 0), 3);
	prop(gic, "interrupt-controller", 0);
	assert_int_equal(cell(prop(root, "interrupt-parent", 4), 0),
	                 phandle_of(gic));

	/* virtio-mmio: an SPI, level, and DMA-coherent. */
	for (uint32_t i = 0; i < p->virtio_count; i++) {
		char vpath[48];
		snprintf(vpath, sizeof(vpath), "/virtio_mmio@%llx",
		         (unsigned long long)p->virtio[i].base);
		int v = node(vpath);
		prop(v, "dma-coherent", 0);
		const void *irq = prop(v, "interrupts", 12);
		assert_int_equal(cell(irq, 0), 0); /* GIC_SPI */
		assert_int_equal(cell(irq, 1), p->virtio[i].irq - 32u);
		assert_int_equal(cell(irq, 2), 4); /* level high */
	}

	/* Timer: four PPIs, secure/non-secure physical, virtual, hyp. */
	int timer = fdt_node_offset_by_compatible(dtb, -1, "arm,armv8-timer");
	assert_true(timer >= 0);
	const void *irqs = prop(timer, "interrupts", 48);
	static const uint32_t ppis[4] = {13, 14, 11, 10};
	for (int i = 0; i < 4; i++) {
		assert_int_equal(cell(irqs, 3 * i), 1);
		assert_int_equal(cell(irqs, 3 * i + 1), ppis[i]);
	}

	if (p->uart.kind == AXVM_GUEST_UART_PL011) {
		int uart = node(
		    fdt_getprop(dtb, node("/chosen"), "stdout-path", NULL));
		const void *ui = prop(uart, "interrupts", 12);
		assert_int_equal(cell(ui, 0), 0); /* SPI */
		assert_int_equal(cell(ui, 1), p->uart.irq - 32);
		/* Its clocks resolve to a fixed clock. */
		const void *ck = prop(uart, "clocks", 8);
		int clk = fdt_node_offset_by_phandle(dtb, cell(ck, 0));
		assert_true(clk >= 0);
		assert_int_equal(
		    fdt_node_check_compatible(dtb, clk, "fixed-clock"), 0);
	}
}

static void check_riscv(const struct axvm_guest_fdt_params *p)
{
	int cpus = node("/cpus");

	assert_int_equal(cell(prop(cpus, "timebase-frequency", 4), 0),
	                 p->timebase_hz ? p->timebase_hz : 10000000u);
	assert_int_equal(count_children(cpus, "cpu@"), (int)p->vcpu_count);

	int plic = fdt_node_offset_by_compatible(dtb, -1, "riscv,plic0");
	assert_true(plic >= 0);
	assert_int_equal(
	    fdt_node_check_compatible(dtb, plic, "sifive,plic-1.0.0"), 0);
	const void *reg = prop(plic, "reg", 16);
	assert_int_equal(cells64(reg, 0), p->plic.base);
	assert_int_equal(cells64(reg, 2), p->plic.size);
	assert_int_equal(cell(prop(plic, "riscv,ndev", 4), 0), p->plic.ndev);
	assert_int_equal(cell(prop(plic, "#interrupt-cells", 4), 0), 1);
	const void *ext =
	    prop(plic, "interrupts-extended", (int)(8 * p->vcpu_count));

	for (uint32_t i = 0; i < p->vcpu_count; i++) {
		char path[48];
		snprintf(path, sizeof(path), "/cpus/cpu@%x", i);
		int cpu = node(path);
		assert_str(cpu, "device_type", "cpu");
		assert_str(cpu, "compatible", "riscv");
		assert_str(cpu, "riscv,isa",
		           p->riscv_isa ? p->riscv_isa : "rv64imafdc");
		assert_str(cpu, "mmu-type",
		           p->riscv_mmu ? p->riscv_mmu : "riscv,sv39");
		assert_int_equal(cell(prop(cpu, "reg", 4), 0), i);
		snprintf(path, sizeof(path),
		         "/cpus/cpu@%x/interrupt-controller", i);
		int intc = node(path);
		assert_str(intc, "compatible", "riscv,cpu-intc");
		/* PLIC context i: hart i's S-mode external interrupt (9). */
		assert_int_equal(cell(ext, 2 * (int)i), phandle_of(intc));
		assert_int_equal(cell(ext, 2 * (int)i + 1), 9);
	}
	if (p->uart.kind == AXVM_GUEST_UART_NS16550A && p->uart.irq) {
		int uart = node(
		    fdt_getprop(dtb, node("/chosen"), "stdout-path", NULL));
		assert_int_equal(cell(prop(uart, "interrupts", 4), 0),
		                 p->uart.irq);
		assert_int_equal(cell(prop(uart, "interrupt-parent", 4), 0),
		                 phandle_of(plic));
		assert_int_equal(cell(prop(uart, "clock-frequency", 4), 0),
		                 p->uart.clock_hz ? p->uart.clock_hz
		                                  : 3686400u);
	}
	/* Not at the root: the harts' controllers would inherit it. */
	assert_null(fdt_getprop(dtb, node("/"), "interrupt-parent", NULL));
	for (uint32_t i = 0; i < p->virtio_count; i++) {
		char vpath[48];
		snprintf(vpath, sizeof(vpath), "/virtio_mmio@%llx",
		         (unsigned long long)p->virtio[i].base);
		if (p->virtio[i].irq)
			assert_int_equal(
			    cell(prop(node(vpath), "interrupt-parent", 4), 0),
			    phandle_of(plic));
	}
}

static void check_all(const struct axvm_guest_fdt_params *p)
{
	build(p);
	check_memory(p);
	check_chosen(p);
	if (p->arch == AXVM_GUEST_AARCH64)
		check_aarch64(p);
	else
		check_riscv(p);
}

static void test_guest_fdt_roundtrip_aarch64(void **state)
{
	struct axvm_guest_fdt_params p;
	const struct axvm_fdt_vm *vm = parse_one("axvm-vm.dtb", 0);

	(void)state;
	assert_int_equal(
	    axvm_guest_fdt_params_from_vm(vm, AXVM_GUEST_AARCH64, &p), 0);
	/* The values came from the config ... */
	assert_int_equal(p.vcpu_count, 2);
	assert_int_equal(p.mem_count, 2); /* RAM only, not the passthrough */
	assert_int_equal(p.mem[0].base, 0x40000000);
	assert_int_equal(p.mem[1].base, 0x80000000);
	assert_string_equal(p.bootargs, vm->bootargs);
	assert_int_equal(p.initrd_start, 0x48000000);
	assert_int_equal(p.initrd_end, 0x48800000);
	assert_int_equal(p.uart.kind, AXVM_GUEST_UART_PL011);
	assert_int_equal(p.uart.base, 0x09000000);
	assert_int_equal(p.uart.irq, 33);
	assert_int_equal(p.gicv3.redist_base, 0x080a0000);
	/* ... and come back out of the DTB. */
	check_all(&p);
}

static void test_guest_fdt_roundtrip_riscv(void **state)
{
	struct axvm_guest_fdt_params p;
	const struct axvm_fdt_vm *vm = parse_one("riscv-linux.dtb", 0);

	(void)state;
	assert_int_equal(
	    axvm_guest_fdt_params_from_vm(vm, AXVM_GUEST_RISCV64, &p), 0);
	assert_int_equal(p.vcpu_count, 4);
	assert_int_equal(p.mem_count, 3);
	assert_int_equal(p.timebase_hz, 1000000);
	assert_int_equal(p.plic.ndev, 96);
	assert_int_equal(p.uart.kind, AXVM_GUEST_UART_NS16550A);
	assert_int_equal(p.uart.irq, 10);
	assert_int_equal(p.virtio_count, 2);
	assert_int_equal(p.virtio[0].base, 0x10008000);
	assert_int_equal(p.virtio[1].base, 0x10008200); /* the console */
	check_all(&p);
	/* the virtio-mmio window Linux's virtio_mmio driver probes */
	int v = node("/virtio_mmio@10008000");
	assert_string_equal(prop(v, "compatible", 12), "virtio,mmio");
	const void *reg = prop(v, "reg", 16);
	assert_int_equal(cells64(reg, 0), 0x10008000);
	assert_int_equal(cells64(reg, 2), 0x200);
	assert_int_equal(cell(prop(v, "interrupts", 4), 0), 8);
	/* the virtio-console's window: the same node; the driver reads the
	 * device ID from the window itself */
	v = node("/virtio_mmio@10008200");
	assert_string_equal(prop(v, "compatible", 12), "virtio,mmio");
	assert_int_equal(cells64(prop(v, "reg", 16), 0), 0x10008200);
	assert_int_equal(cell(prop(v, "interrupts", 4), 0), 9);
	/* an interrupt past the PLIC's sources is refused */
	p.virtio[0].irq = 97;
	size_t used;
	assert_int_equal(axvm_guest_fdt_build(&p, dtb, sizeof(dtb), &used),
	                 AXVM_ERANGE);
	p.virtio_count = AXVM_GUEST_VIRTIO_MAX + 1;
	assert_int_equal(axvm_guest_fdt_build(&p, dtb, sizeof(dtb), &used),
	                 AXVM_E2BIG);
}

/* From a config built in C, no device tree involved. */
static void test_guest_fdt_roundtrip_from_c(void **state)
{
	struct axvm_guest_fdt_params p;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.arch = AXVM_GUEST_AARCH64;
	p.vcpu_count = 20; /* crosses an Aff1 boundary */
	p.mem_count = 2;
	p.mem[0] = (struct axvm_guest_mem){0x40000000, 0x8000000};
	p.mem[1] = (struct axvm_guest_mem){0x100000000ull, 0x40000000};
	p.bootargs = "console=ttyAMA0 root=/dev/vda";
	p.uart.kind = AXVM_GUEST_UART_PL011;
	p.uart.base = 0x09000000;
	p.uart.size = 0x1000;
	p.uart.irq = 40;
	p.gicv3.dist_base = 0x08000000;
	p.gicv3.dist_size = 0x10000;
	p.gicv3.redist_base = 0x080a0000;
	p.gicv3.redist_size = 20 * 0x20000;
	p.virtio_count = 2;
	for (uint32_t i = 0; i < 2; i++) {
		p.virtio[i].base = 0x0a001000 + 0x200 * i;
		p.virtio[i].size = 0x200;
		p.virtio[i].irq = 48 + i;
	}
	check_all(&p);
	assert_int_equal(fdt_path_offset(dtb, "/cpus/cpu@103") >= 0, 1);

	memset(&p, 0, sizeof(p));
	p.arch = AXVM_GUEST_RISCV64;
	p.vcpu_count = 2;
	p.mem_count = 1;
	p.mem[0] = (struct axvm_guest_mem){0x80000000, 0x4000000};
	p.initrd_start = 0x82000000;
	p.initrd_end = 0x82100000;
	p.uart.kind = AXVM_GUEST_UART_NS16550A;
	p.uart.base = 0x10000000;
	p.uart.size = 0x100;
	p.uart.irq = 10;
	p.uart.reg_shift = 2;
	p.plic.base = 0x0c000000;
	p.plic.size = 0x400000;
	p.plic.ndev = 31;
	p.riscv_isa = "rv64imac";
	p.riscv_mmu = "riscv,sv48";
	check_all(&p);
	int uart = node("/serial@10000000");
	assert_int_equal(cell(prop(uart, "reg-shift", 4), 0), 2);
	assert_null(fdt_getprop(dtb, node("/chosen"), "bootargs", NULL));
}

/* Every size short of the result is refused with E2BIG, and libfdt writes
 * nothing past the size it was given. */
static void test_guest_fdt_too_small(void **state)
{
	struct axvm_guest_fdt_params p;
	const struct axvm_fdt_vm *vm = parse_one("riscv-linux.dtb", 0);
	size_t need, used;

	(void)state;
	assert_int_equal(
	    axvm_guest_fdt_params_from_vm(vm, AXVM_GUEST_RISCV64, &p), 0);
	need = build(&p);
	for (size_t size = 0; size < need; size++) {
		memset(dtb, 0xa5, sizeof(dtb));
		used = 123;
		assert_int_equal(axvm_guest_fdt_build(&p, dtb, size, &used),
		                 AXVM_E2BIG);
		assert_int_equal(used, 0);
		for (size_t i = size; i < sizeof(dtb); i++)
			if (dtb[i] != 0xa5)
				fail_msg("size %zu: byte %zu written", size, i);
	}
	assert_int_equal(axvm_guest_fdt_build(&p, dtb, need, &used), 0);
	assert_int_equal(used, need);
}

static void test_guest_fdt_bad_params(void **state)
{
	struct axvm_guest_fdt_params p, good;
	size_t used;

	(void)state;
	memset(&good, 0, sizeof(good));
	good.arch = AXVM_GUEST_AARCH64;
	good.vcpu_count = 1;
	good.mem_count = 1;
	good.mem[0] = (struct axvm_guest_mem){0x40000000, 0x100000};
	good.gicv3.dist_base = 0x08000000;
	good.gicv3.dist_size = 0x10000;
	good.gicv3.redist_base = 0x080a0000;
	good.gicv3.redist_size = 0x20000;
	assert_int_equal(axvm_guest_fdt_build(&good, dtb, sizeof(dtb), &used),
	                 0);

	assert_int_equal(axvm_guest_fdt_build(NULL, dtb, sizeof(dtb), &used),
	                 AXVM_EINVAL);
	assert_int_equal(axvm_guest_fdt_build(&good, NULL, sizeof(dtb), &used),
	                 AXVM_EINVAL);
	assert_int_equal(axvm_guest_fdt_build(&good, dtb, sizeof(dtb), NULL),
	                 AXVM_EINVAL);
	assert_int_equal(
	    axvm_guest_fdt_build(&good, dtb + 4, sizeof(dtb) - 4, &used),
	    AXVM_EINVAL);
	p = good;
	p.arch = 7;
	assert_int_equal(axvm_guest_fdt_build(&p, dtb, sizeof(dtb), &used),
	                 AXVM_EINVAL);
	p = good;
	p.vcpu_count = 0;
	assert_int_equal(axvm_guest_fdt_build(&p, dtb, sizeof(dtb), &used),
	                 AXVM_EINVAL);
	p = good;
	p.vcpu_count = AXVM_MAX_VCPUS + 1;
	assert_int_equal(axvm_guest_fdt_build(&p, dtb, sizeof(dtb), &used),
	                 AXVM_E2BIG);
	p = good;
	p.vcpu_count = 2; /* one redistributor frame only */
	assert_int_equal(axvm_guest_fdt_build(&p, dtb, sizeof(dtb), &used),
	                 AXVM_ERANGE);
	p = good;
	p.mem_count = 0;
	assert_int_equal(axvm_guest_fdt_build(&p, dtb, sizeof(dtb), &used),
	                 AXVM_EINVAL);
	p = good;
	p.mem[0].base = UINT64_MAX - 0xfff;
	assert_int_equal(axvm_guest_fdt_build(&p, dtb, sizeof(dtb), &used),
	                 AXVM_EOVERFLOW);
	p = good;
	p.bootargs = "bad\x01";
	assert_int_equal(axvm_guest_fdt_build(&p, dtb, sizeof(dtb), &used),
	                 AXVM_EINVAL);
	p = good;
	p.initrd_start = 2;
	p.initrd_end = 1;
	assert_int_equal(axvm_guest_fdt_build(&p, dtb, sizeof(dtb), &used),
	                 AXVM_ERANGE);
	p = good;
	p.uart.kind = AXVM_GUEST_UART_PL011;
	p.uart.base = 0x9000000;
	p.uart.size = 0x1000;
	p.uart.irq = 5; /* a PPI, not an SPI */
	assert_int_equal(axvm_guest_fdt_build(&p, dtb, sizeof(dtb), &used),
	                 AXVM_ERANGE);
	p = good;
	p.arch = AXVM_GUEST_RISCV64; /* no PLIC */
	assert_int_equal(axvm_guest_fdt_build(&p, dtb, sizeof(dtb), &used),
	                 AXVM_EINVAL);
}

static void test_guest_fdt_params_need_matching_irqchip(void **state)
{
	struct axvm_guest_fdt_params p;

	(void)state;
	const struct axvm_fdt_vm *arm = parse_one("axvm-vm.dtb", 0);
	assert_int_equal(
	    axvm_guest_fdt_params_from_vm(arm, AXVM_GUEST_RISCV64, &p),
	    AXVM_ENOTSUP);
	const struct axvm_fdt_vm *riscv = parse_one("riscv-linux.dtb", 0);
	assert_int_equal(
	    axvm_guest_fdt_params_from_vm(riscv, AXVM_GUEST_AARCH64, &p),
	    AXVM_ENOTSUP);
	const struct axvm_fdt_vm *none = parse_one("minimal.dtb", 0);
	assert_int_equal(
	    axvm_guest_fdt_params_from_vm(none, AXVM_GUEST_AARCH64, &p),
	    AXVM_ENOENT);
	assert_int_equal(
	    axvm_guest_fdt_params_from_vm(NULL, AXVM_GUEST_AARCH64, &p),
	    AXVM_EINVAL);
	assert_int_equal(axvm_guest_fdt_params_from_vm(none, 9, &p),
	                 AXVM_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_guest_fdt_roundtrip_aarch64),
	    cmocka_unit_test(test_guest_fdt_roundtrip_riscv),
	    cmocka_unit_test(test_guest_fdt_roundtrip_from_c),
	    cmocka_unit_test(test_guest_fdt_too_small),
	    cmocka_unit_test(test_guest_fdt_bad_params),
	    cmocka_unit_test(test_guest_fdt_params_need_matching_irqchip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
