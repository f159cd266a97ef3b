/* SPDX-License-Identifier: Apache-2.0 */
/* axvm_config_from_fdt() on the example .dts files (compiled by dtc at build
 * time): every parsed value, the API's argument checks, the device models,
 * and a VM really created from a parsed config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <axvm/axvm.h>
#include <axvm/config_fdt.h>

#include "corpus.h"
#include "test_env.h"

#ifndef AXVM_FDT_EXAMPLE_DIR
#error "AXVM_FDT_EXAMPLE_DIR must name the directory of compiled examples"
#endif

static struct axvm_fdt_vm vms[4];

static void *load(const char *name, size_t *len)
{
	char path[512];
	void *blob = NULL;

	snprintf(path, sizeof(path), "%s/%s", AXVM_FDT_EXAMPLE_DIR, name);
	assert_int_equal(corpus_read_file(path, &blob, len), 0);
	return blob;
}

static uint32_t parse(const char *name, int expect)
{
	struct axvm_fdt_error err;
	uint32_t n = 99;
	size_t len;
	void *blob = load(name, &len);
	int rc = axvm_config_from_fdt(blob, len, vms, 4, &n, &err);

	if (rc != expect)
		fprintf(stderr, "%s: %d: %s\n", name, rc, err.message);
	assert_int_equal(rc, expect);
	assert_int_equal(err.code, expect);
	free(blob);
	return n;
}

static const struct axvm_mem_region *region(const struct axvm_fdt_vm *vm,
                                            uint32_t i)
{
	assert_true(i < vm->cfg.region_count);
	return &vm->cfg.regions[i];
}

static void test_fdt_parse_binding_example(void **state)
{
	(void)state;
	assert_int_equal(parse("axvm-vm.dtb", 0), 2);

	const struct axvm_fdt_vm *a = &vms[0];
	const struct axvm_config *c = &a->cfg;
	assert_int_equal(c->id, 1);
	assert_string_equal(c->name, "linux");
	assert_string_equal(a->path, "/vms/vm@1");
	assert_int_equal(c->vcpu_count, 2);
	assert_int_equal(c->pcpu_affinity[0], 2);
	assert_int_equal(c->pcpu_affinity[1], 3);
	assert_int_equal(c->bsp_entry, 0x40200000);
	assert_int_equal(c->ap_entry, 0x40200000);
	assert_int_equal(a->kernel_addr, 0x40200000);
	assert_int_equal(a->initrd_addr, 0x48000000);
	assert_int_equal(a->initrd_size, 0x800000);
	assert_true(a->has_dtb);
	assert_int_equal(a->dtb_addr, 0x47e00000);
	assert_string_equal(a->bootargs,
	                    "console=ttyAMA0 earlycon rdinit=/sbin/init");
	assert_int_equal(a->irq_mode, AXVM_IRQ_EMULATED);
	assert_int_equal(c->unhandled_policy, AXVM_POLICY_STOP);

	assert_int_equal(c->region_count, 3);
	assert_int_equal(region(a, 0)->gpa, 0x40000000);
	assert_int_equal(region(a, 0)->size, 0x10000000);
	assert_int_equal(region(a, 0)->type, AXVM_MAP_ALLOCATED);
	assert_int_equal(region(a, 0)->flags, AXVM_MEM_RWX);
	assert_int_equal(region(a, 1)->gpa, 0x80000000);
	assert_int_equal(region(a, 1)->size, 0x100000);
	assert_int_equal(region(a, 1)->type, AXVM_MAP_LINEAR);
	assert_int_equal(region(a, 1)->hpa, 0xb0000000);
	assert_int_equal(region(a, 1)->flags,
	                 AXVM_MEM_READ | AXVM_MEM_WRITE | AXVM_MEM_UNCACHED);
	/* The passthrough NIC. */
	assert_int_equal(region(a, 2)->gpa, 0x0a000000);
	assert_int_equal(region(a, 2)->size, 0x10000);
	assert_int_equal(region(a, 2)->hpa, 0x1c000000);
	assert_int_equal(region(a, 2)->type, AXVM_MAP_DEVICE);
	assert_int_equal(region(a, 2)->flags, AXVM_MEM_READ | AXVM_MEM_WRITE |
	                                          AXVM_MEM_DEVICE |
	                                          AXVM_MEM_UNCACHED);
	assert_int_equal(a->passthrough_irq_count, 1);
	assert_int_equal(a->passthrough_irqs[0], 48);

	assert_int_equal(a->irqchip.kind, AXVM_FDT_IRQCHIP_GICV3);
	assert_string_equal(a->irqchip.node, "interrupt-controller@8000000");
	assert_int_equal(a->irqchip.base[0], 0x08000000);
	assert_int_equal(a->irqchip.size[0], 0x10000);
	assert_int_equal(a->irqchip.base[1], 0x080a0000);
	assert_int_equal(a->irqchip.size[1], 0xf60000);

	assert_int_equal(c->device_count, 1);
	assert_int_equal(c->devices[0].bus, AXVM_BUS_MMIO);
	assert_int_equal(c->devices[0].base, 0x09000000);
	assert_int_equal(c->devices[0].size, 0x1000);
	assert_string_equal(c->devices[0].name, "serial@9000000");
	/* A UART is the library's model, kept in the device's state. */
	assert_ptr_equal(c->devices[0].ctx, &a->devices[0].state.uart.pl011);
	assert_int_equal(a->devices[0].kind, AXVM_FDT_DEV_PL011);
	assert_int_equal(a->devices[0].irq, 33);
	assert_int_equal(a->devices[0].clock_hz, 24000000);

	const struct axvm_fdt_vm *b = &vms[1];
	c = &b->cfg;
	assert_int_equal(c->id, 2);
	assert_string_equal(c->name, "rtos");
	assert_int_equal(c->vcpu_count, 1);
	assert_int_equal(c->pcpu_affinity[0], 1);
	assert_int_equal(c->bsp_entry, 0x60000000);
	assert_int_equal(b->kernel_addr, 0x60000000); /* defaults to entry */
	assert_int_equal(b->initrd_size, 0);
	assert_false(b->has_dtb);
	assert_string_equal(b->bootargs, "");
	assert_int_equal(b->irq_mode, AXVM_IRQ_PASSTHROUGH);
	assert_int_equal(c->unhandled_policy, AXVM_POLICY_IGNORE);
	assert_int_equal(b->irqchip.kind, AXVM_FDT_IRQCHIP_NONE);
	assert_int_equal(c->region_count, 1);
	assert_int_equal(region(b, 0)->type, AXVM_MAP_LINEAR);
	assert_int_equal(region(b, 0)->hpa, 0x90000000);
	/* The disabled scratch device is left out. */
	assert_int_equal(c->device_count, 2);
	assert_int_equal(b->devices[0].kind, AXVM_FDT_DEV_NS16550A);
	assert_int_equal(b->devices[0].state.reg_shift, 2);
	/* up to the 4-byte stride */
	assert_int_equal(c->devices[0].widths,
	                 AXVM_WIDTH_1 | AXVM_WIDTH_2 | AXVM_WIDTH_4);
	assert_int_equal(b->devices[1].kind, AXVM_FDT_DEV_DUMMY);
	assert_string_equal(c->devices[1].name, "watchdog@9100000");
}

static void test_fdt_parse_riscv_one_cell(void **state)
{
	(void)state;
	assert_int_equal(parse("riscv-linux.dtb", 0), 1);

	const struct axvm_fdt_vm *v = &vms[0];
	const struct axvm_config *c = &v->cfg;
	assert_string_equal(v->path, "/chosen/vms/vm@7");
	assert_int_equal(c->id, 7);
	assert_int_equal(c->vcpu_count, 4);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(c->pcpu_affinity[i], i);
	assert_int_equal(c->bsp_entry, 0x80200000);
	assert_int_equal(v->initrd_addr, 0x88000000);
	assert_int_equal(v->initrd_size, 0x200000);
	assert_int_equal(v->dtb_addr, 0x87e00000);
	assert_int_equal(v->timebase_hz, 1000000);
	assert_int_equal(v->boot, AXVM_BOOT_LINUX);
	assert_string_equal(axvm_boot_protocol_name(v->boot), "linux");
	assert_int_equal(c->region_count, 5);
	assert_int_equal(region(v, 0)->type, AXVM_MAP_ALLOCATED);
	assert_int_equal(region(v, 1)->gpa, 0xc0000000);
	assert_int_equal(region(v, 1)->type, AXVM_MAP_LAZY);
	assert_int_equal(region(v, 1)->flags, AXVM_MEM_READ | AXVM_MEM_WRITE);
	assert_int_equal(region(v, 2)->gpa, 0xd0000000);
	assert_int_equal(region(v, 2)->type, AXVM_MAP_LAZY);
	assert_int_equal(region(v, 3)->gpa, 0x10001000);
	assert_int_equal(region(v, 3)->hpa, 0x20001000);
	assert_int_equal(region(v, 4)->hpa, 0x20002000);
	assert_int_equal(v->passthrough_irq_count, 2);
	assert_int_equal(v->passthrough_irqs[0], 1);
	assert_int_equal(v->passthrough_irqs[1], 2);
	assert_int_equal(v->irqchip.kind, AXVM_FDT_IRQCHIP_PLIC);
	assert_int_equal(v->irqchip.base[0], 0x0c000000);
	assert_int_equal(v->irqchip.size[0], 0x600000);
	assert_int_equal(v->irqchip.ndev, 96);
	assert_int_equal(c->device_count, 3);
	assert_int_equal(v->devices[0].kind, AXVM_FDT_DEV_NS16550A);
	assert_int_equal(v->devices[0].irq, 10);
	assert_int_equal(c->devices[0].widths, AXVM_WIDTH_1);
	assert_int_equal(v->devices[0].clock_hz, 3686400);
	/* virtio-blk: its window, interrupt and the host memory it serves;
	 * until a host wires the model, the window reads as zeros */
	assert_int_equal(v->devices[1].kind, AXVM_FDT_DEV_VIRTIO_BLK);
	assert_int_equal(c->devices[1].base, 0x10008000);
	assert_int_equal(c->devices[1].size, 0x200);
	assert_int_equal(v->devices[1].irq, 8);
	assert_int_equal(v->devices[1].disk_addr, 0x9f000000);
	assert_int_equal(v->devices[1].disk_size, 0x1000000);
	uint64_t magic = 1;
	assert_int_equal(
	    c->devices[1].ops->read(c->devices[1].ctx, 0, 4, &magic), 0);
	assert_int_equal(magic, 0);
	assert_string_equal(axvm_fdt_dev_kind_name(AXVM_FDT_DEV_VIRTIO_BLK),
	                    "virtio-blk");
	/* virtio-console (axvm,console): a window and an interrupt, no disk */
	assert_int_equal(v->devices[2].kind, AXVM_FDT_DEV_VIRTIO_CONSOLE);
	assert_int_equal(v->devices[2].state.kind, AXVM_FDT_DEV_VIRTIO_CONSOLE);
	assert_int_equal(c->devices[2].base, 0x10008200);
	assert_int_equal(c->devices[2].size, 0x200);
	assert_int_equal(c->devices[2].widths,
	                 AXVM_WIDTH_1 | AXVM_WIDTH_2 | AXVM_WIDTH_4);
	assert_int_equal(v->devices[2].irq, 9);
	assert_int_equal(v->devices[2].disk_size, 0);
	magic = 1;
	assert_int_equal(
	    c->devices[2].ops->read(c->devices[2].ctx, 0, 4, &magic), 0);
	assert_int_equal(magic, 0);
	assert_string_equal(
	    axvm_fdt_dev_kind_name(AXVM_FDT_DEV_VIRTIO_CONSOLE), "virtio-console");
}

static void test_fdt_parse_minimal_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse("minimal.dtb", 0), 1);

	const struct axvm_fdt_vm *v = &vms[0];
	assert_int_equal(v->cfg.id, 42);
	assert_string_equal(v->cfg.name, "vm42");
	assert_int_equal(v->cfg.vcpu_count, 1);
	assert_int_equal(v->cfg.ap_entry, v->cfg.bsp_entry);
	assert_int_equal(v->kernel_addr, 0x80000000);
	assert_int_equal(v->irq_mode, AXVM_IRQ_EMULATED);
	assert_int_equal(v->cfg.unhandled_policy, AXVM_POLICY_IGNORE);
	assert_int_equal(v->cfg.region_count, 1);
	assert_int_equal(region(v, 0)->type, AXVM_MAP_ALLOCATED);
	assert_int_equal(region(v, 0)->flags, AXVM_MEM_RWX);
	assert_int_equal(v->cfg.device_count, 0);
	assert_int_equal(v->timebase_hz, 0);
	assert_int_equal(v->boot, AXVM_BOOT_RAW);
	assert_string_equal(axvm_boot_protocol_name(v->boot), "raw");
}

/* An inter-VM channel: one device and one shared region per end, the
 * region "allocated" until a port maps it; ends numbered by VM id. */
static void test_fdt_parse_ivc_channel(void **state)
{
	(void)state;
	assert_int_equal(parse("ivc.dtb", 0), 2);
	for (uint32_t i = 0; i < 2; i++) {
		const struct axvm_fdt_vm *v = &vms[i];
		assert_int_equal(v->cfg.device_count, 1);
		assert_int_equal(v->devices[0].kind, AXVM_FDT_DEV_IVC);
		assert_string_equal(axvm_fdt_dev_kind_name(v->devices[0].kind), "ivc");
		assert_int_equal(v->devices[0].irq, 40);
		assert_int_equal(v->devices[0].ivc.channel, 1);
		assert_int_equal(v->devices[0].ivc.end, i);
		assert_int_equal(v->devices[0].ivc.shm_gpa, 0x50000000);
		assert_int_equal(v->devices[0].ivc.shm_size, 0x10000);
		assert_int_equal(v->cfg.devices[0].base, 0xb000000);
		assert_int_equal(v->cfg.devices[0].widths, AXVM_WIDTH_4);
		const struct axvm_mem_region *r = region(v, v->devices[0].ivc.region);
		assert_int_equal(r->gpa, 0x50000000);
		assert_int_equal(r->size, 0x10000);
		assert_int_equal(r->type, AXVM_MAP_ALLOCATED);
		assert_int_equal(r->flags, AXVM_MEM_READ | AXVM_MEM_WRITE);
		/* Unwired, the window reads 0: MAGIC says "no channel". */
		uint64_t val = 1;
		assert_int_equal(v->cfg.devices[0].ops->read(v->cfg.devices[0].ctx, 0, 4, &val), 0);
		assert_int_equal(val, 0);
	}
}

/* Whatever the parser accepts, the core's own validation accepts. */
static void test_fdt_parse_result_passes_core_validation(void **state)
{
	static const char *const names[] = {"axvm-vm.dtb", "riscv-linux.dtb",
	                                    "minimal.dtb", "aarch64-small.dtb"};
	(void)state;
	for (size_t i = 0; i < 4; i++) {
		uint32_t n = parse(names[i], 0);
		for (uint32_t k = 0; k < n; k++) {
			struct axvm_config_error ce;
			assert_int_equal(axvm_config_validate(&vms[k].cfg, &ce),
			                 0);
		}
	}
}

static void test_fdt_parse_arguments(void **state)
{
	struct axvm_fdt_error err;
	uint32_t n = 5;
	size_t len;
	void *blob = load("minimal.dtb", &len);

	(void)state;
	assert_int_equal(axvm_config_from_fdt(NULL, len, vms, 4, &n, &err),
	                 AXVM_EINVAL);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err.message, "NULL"));
	assert_int_equal(axvm_config_from_fdt(blob, len, vms, 4, NULL, &err),
	                 AXVM_EINVAL);
	assert_int_equal(axvm_config_from_fdt(blob, len, NULL, 4, &n, &err),
	                 AXVM_EINVAL);
	/* No error struct is fine; max 0 with one VM is too small. */
	assert_int_equal(axvm_config_from_fdt(blob, len, vms, 1, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(axvm_config_from_fdt(blob, len, NULL, 0, &n, &err),
	                 AXVM_E2BIG);
	free(blob);
}

static void test_fdt_parse_array_too_small(void **state)
{
	struct axvm_fdt_error err;
	uint32_t n = 7;
	size_t len;
	void *blob = load("axvm-vm.dtb", &len);

	(void)state;
	assert_int_equal(axvm_config_from_fdt(blob, len, vms, 1, &n, &err),
	                 AXVM_E2BIG);
	assert_int_equal(n, 0);
	assert_string_equal(err.message, "the blob describes more VMs than "
	                                 "the 1 the array has room for");
	free(blob);
}

static void test_fdt_parse_unaligned_blob(void **state)
{
	struct axvm_fdt_error err;
	uint32_t n;
	size_t len;
	void *blob = load("minimal.dtb", &len);
	unsigned char *buf = malloc(len + 8);

	(void)state;
	assert_non_null(buf);
	memcpy(buf + 4, blob, len);
	assert_int_equal(axvm_config_from_fdt(buf + 4, len, vms, 4, &n, &err),
	                 AXVM_EINVAL);
	assert_non_null(strstr(err.message, "8-byte aligned"));
	free(buf);
	free(blob);
}

/* A header claiming more than the 16 MiB limit, in a buffer that big. */
static void test_fdt_parse_oversized_blob(void **state)
{
	struct axvm_fdt_error err;
	uint32_t n;
	size_t len, big = AXVM_FDT_MAX_BLOB + 8u;
	void *blob = load("minimal.dtb", &len);
	unsigned char *buf = calloc(1, big);

	(void)state;
	assert_non_null(buf);
	memcpy(buf, blob, len);
	buf[4] = (unsigned char)(big >> 24);
	buf[5] = (unsigned char)(big >> 16);
	buf[6] = (unsigned char)(big >> 8);
	buf[7] = (unsigned char)big;
	assert_int_equal(axvm_config_from_fdt(buf, big, vms, 4, &n, &err),
	                 AXVM_E2BIG);
	assert_non_null(strstr(err.message, "over the limit"));
	free(buf);
	free(blob);
}

/* Every prefix of a valid blob is refused, and no read leaves it (each
 * prefix is an exact-size allocation: ASan and valgrind would see). */
static void test_fdt_parse_every_truncation(void **state)
{
	struct axvm_fdt_error err;
	uint32_t n;
	size_t len;
	void *blob = load("axvm-vm.dtb", &len);

	(void)state;
	for (size_t cut = 0; cut < len; cut++) {
		void *p = malloc(cut ? cut : 1);
		assert_non_null(p);
		memcpy(p, blob, cut);
		int rc = axvm_config_from_fdt(p, cut, vms, 4, &n, &err);
		assert_int_equal(rc, AXVM_EINVAL);
		assert_non_null(strstr(err.message, "truncated"));
		free(p);
	}
	free(blob);
}

/* Every single-byte change of a valid blob: never a crash; an accepted
 * result still passes the core's validation. */
static void test_fdt_parse_every_byte_flipped(void **state)
{
	struct axvm_fdt_error err;
	size_t len;
	void *blob = load("axvm-vm.dtb", &len);
	unsigned char *p = malloc(len);
	static const unsigned char xors[] = {0xff, 0x01, 0x80};

	(void)state;
	assert_non_null(p);
	for (size_t i = 0; i < len; i++) {
		for (size_t k = 0; k < sizeof(xors); k++) {
			uint32_t n = 0;
			memcpy(p, blob, len);
			p[i] ^= xors[k];
			int rc = axvm_config_from_fdt(p, len, vms, 4, &n, &err);
			if (rc) {
				assert_true(rc < 0);
				assert_int_equal(err.code, rc);
				assert_true(err.message[0] != '\0');
				continue;
			}
			for (uint32_t v = 0; v < n; v++)
				assert_int_equal(
				    axvm_config_validate(&vms[v].cfg, NULL), 0);
		}
	}
	free(p);
	free(blob);
}

static void test_fdt_bind_after_copy(void **state)
{
	static struct axvm_fdt_vm copy;

	(void)state;
	assert_int_equal(parse("aarch64-small.dtb", 0), 1);
	memcpy(&copy, &vms[0], sizeof(copy));
	assert_int_equal(copy.devices[0].kind, AXVM_FDT_DEV_PL011);
	assert_ptr_equal(copy.cfg.devices[0].ctx, &vms[0].devices[0].state.uart);
	assert_int_equal(axvm_fdt_vm_bind(&copy), 0);
	for (uint32_t i = 0; i < copy.cfg.device_count; i++) {
		const void *want = &copy.devices[i].state;
		if (copy.devices[i].kind == AXVM_FDT_DEV_PL011)
			want = &copy.devices[i].state.uart.pl011;
		assert_ptr_equal(copy.cfg.devices[i].ctx, want);
		assert_ptr_equal(copy.cfg.devices[i].name,
		                 copy.devices[i].node);
	}
	assert_int_equal(axvm_fdt_vm_bind(NULL), AXVM_EINVAL);
}

struct sink {
	char buf[64];
	size_t n;
	uint32_t vm_id;
};

static void sink_byte(void *arg, uint32_t vm_id, uint8_t byte)
{
	struct sink *s = arg;

	s->vm_id = vm_id;
	if (s->n + 1 < sizeof(s->buf))
		s->buf[s->n++] = (char)byte;
}

static uint64_t rd(const struct axvm_device_desc *d, uint64_t off,
                   unsigned width)
{
	uint64_t v = 0xdead;

	assert_int_equal(d->ops->read(d->ctx, off, width, &v), 0);
	return v;
}

static void wr(const struct axvm_device_desc *d, uint64_t off, unsigned width,
               uint64_t v)
{
	assert_int_equal(d->ops->write(d->ctx, off, width, v), 0);
}

static void test_fdt_device_models(void **state)
{
	struct sink s = {.n = 0};

	(void)state;
	assert_int_equal(parse("axvm-vm.dtb", 0), 2);
	assert_int_equal(axvm_fdt_vm_set_console(&vms[0], sink_byte, &s), 0);
	assert_int_equal(axvm_fdt_vm_set_console(&vms[1], sink_byte, &s), 0);

	/* PL011: PrimeCell ids, FR says ready, DR transmits, CR loopback. */
	const struct axvm_device_desc *pl = &vms[0].cfg.devices[0];
	assert_int_equal(rd(pl, 0xfe0, 4), 0x11);
	assert_int_equal(rd(pl, 0xff0, 4), 0x0d);
	assert_int_equal(rd(pl, 0xffc, 4), 0xb1);
	assert_int_equal(rd(pl, 0x018, 4), 0x90);
	assert_int_equal(rd(pl, 0x030, 4), 0x300);
	wr(pl, 0x000, 4, 'o');
	wr(pl, 0x000, 4, 'k');
	wr(pl, 0x030, 4, 0x381); /* loopback: not sent */
	wr(pl, 0x000, 4, '!');
	assert_int_equal(s.n, 2);
	assert_memory_equal(s.buf, "ok", 2);
	assert_int_equal(s.vm_id, 1);
	assert_int_equal(vms[0].devices[0].state.tx_bytes, 2);
	pl->ops->reset(pl->ctx);
	assert_int_equal(rd(pl, 0x030, 4), 0x300);

	/* 16550 with reg-shift 2: registers 4 bytes apart. */
	const struct axvm_device_desc *u = &vms[1].cfg.devices[0];
	assert_int_equal(rd(u, 5 << 2, 4), 0x60); /* LSR: THR empty */
	assert_int_equal(rd(u, 2 << 2, 1), 0x01); /* IIR: none pending */
	wr(u, 0, 1, 'h');
	wr(u, 1, 1, 'X');       /* between registers: dropped */
	wr(u, 3 << 2, 1, 0x80); /* DLAB */
	wr(u, 0, 1, 0x0c);
	assert_int_equal(rd(u, 0, 1), 0x0c);
	wr(u, 3 << 2, 1, 0x03);
	wr(u, 0, 1, 'i');
	wr(u, 7 << 2, 1, 0x5a);
	assert_int_equal(rd(u, 7 << 2, 1), 0x5a);
	wr(u, 1 << 2, 1, 0x02); /* THR-empty interrupt enabled */
	assert_int_equal(rd(u, 2 << 2, 1), 0x02);
	assert_int_equal(s.n, 4);
	assert_memory_equal(s.buf, "okhi", 4);
	assert_int_equal(s.vm_id, 2);
	u->ops->reset(u->ctx);
	assert_int_equal(rd(u, 7 << 2, 1), 0);

	/* Dummy: reads its value (masked to the width), drops writes. */
	const struct axvm_device_desc *d = &vms[1].cfg.devices[1];
	assert_int_equal(rd(d, 0, 8), 0);
	assert_int_equal(parse("aarch64-small.dtb", 0), 1);
	d = &vms[0].cfg.devices[1];
	assert_int_equal(rd(d, 0, 8), 0x123456789abcdef0ull);
	assert_int_equal(rd(d, 4, 4), 0x9abcdef0);
	assert_int_equal(rd(d, 0, 1), 0xf0);
	wr(d, 0, 8, 1);
	assert_int_equal(vms[0].devices[1].state.accesses, 4);
}

/* The parsed config is what axvm_vm_create() takes: a guest MMIO write to
 * the PL011 goes through the core's dispatch into the model. */
static void test_fdt_vm_created_from_fdt(void **state)
{
	struct test_env env;
	struct axvm_vm *vm = NULL;
	struct axvm_vcpu *v0 = NULL;
	struct axvm_config_error ce;
	struct axvm_exit ex;
	struct sink s = {.n = 0};
	static const struct axvm_exit script[] = {
	    {.kind = AXVM_EXIT_MMIO_WRITE,
	     .u.write = {.addr = 0x09000000, .width = 4, .data = 'A'}},
	    {.kind = AXVM_EXIT_MMIO_WRITE,
	     .u.write = {.addr = 0x09000000, .width = 4, .data = '\n'}},
	    {.kind = AXVM_EXIT_MMIO_READ,
	     .u.read =
	         {.addr = 0x09010000, .width = 4, .reg_width = 8, .reg = 3}},
	};

	(void)state;
	assert_int_equal(parse("aarch64-small.dtb", 0), 1);
	assert_int_equal(axvm_fdt_vm_set_console(&vms[0], sink_byte, &s), 0);
	assert_int_equal(test_env_init(&env), 0);
	env.mock.scripts[0] = (struct axvm_mock_script){
	    .exits = script, .count = 3, .end_code = 0};
	assert_int_equal(axvm_vm_create(env.host, &vms[0].cfg, &vm, &ce), 0);
	assert_int_equal(axvm_vm_vcpu(vm, 0, &v0), 0);
	assert_int_equal(axvm_vm_boot(vm), 0);
	int rc = axvm_vcpu_run(v0, &ex);
	assert_true(rc == 0 || rc == AXVM_ESHUTDOWN);
	assert_int_equal(s.n, 2);
	assert_memory_equal(s.buf, "A\n", 2);
	assert_int_equal(s.vm_id, 3);
	struct axvm_mock_vcpu *rec = axvm_mock_vcpu(&env.mock, 3, 0);
	assert_non_null(rec);
	assert_int_equal(rec->gpr[3], 0x9abcdef0);
	axvm_vcpu_put(v0);
	axvm_vm_put(vm);
	assert_int_equal(test_env_fini(&env), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fdt_parse_binding_example),
	    cmocka_unit_test(test_fdt_parse_riscv_one_cell),
	    cmocka_unit_test(test_fdt_parse_minimal_defaults),
	    cmocka_unit_test(test_fdt_parse_ivc_channel),
	    cmocka_unit_test(test_fdt_parse_result_passes_core_validation),
	    cmocka_unit_test(test_fdt_parse_arguments),
	    cmocka_unit_test(test_fdt_parse_array_too_small),
	    cmocka_unit_test(test_fdt_parse_unaligned_blob),
	    cmocka_unit_test(test_fdt_parse_oversized_blob),
	    cmocka_unit_test(test_fdt_parse_every_truncation),
	    cmocka_unit_test(test_fdt_parse_every_byte_flipped),
	    cmocka_unit_test(test_fdt_bind_after_copy),
	    cmocka_unit_test(test_fdt_device_models),
	    cmocka_unit_test(test_fdt_vm_created_from_fdt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
