/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VMs of this boot: the config blob QEMU's generic loader put at
 * BM_CONFIG_ADDR, in the axvm,vm binding (docs/bindings/axvm-vm.md),
 * parsed by libaxvm's own parser (src/core/fdt), or the same VMs compiled
 * into the kernel (AXVM_BM_CONFIG_C), and then checked against
 * this board: every linear RAM region inside the RAM VMs may use
 * (BM_VM_RAM_BASE up to the end of the board's RAM, from the board's DTB)
 * and apart from every other; passthrough ranges outside RAM; at most
 * BM_MAX_VMS VMs of at most BM_MAX_VM_VCPUS vCPUs; a UART, if any, of the
 * kind the target models. The blob is hostile input: a refused config
 * starts no VM at all.
 */
#include <string.h>

#include <libfdt.h>

#include "board_fdt.h"
#include "kernel.h"

struct bm_vm bm_vms[BM_MAX_VMS];
uint32_t bm_nvms;

/* Without a readable board DTB: the RAM `-m 512M` gives, the run scripts'
 * smallest (docs/guest-abi-*.md). */
#define BM_RAM_SIZE_DEFAULT 0x20000000ull

static uint64_t ram_end;

/* The end of the board RAM that holds the kernel, from the DTB's memory
 * nodes; 0 if the DTB says nothing usable. The board's DTB comes from
 * QEMU or the firmware, not from a user: board_fdt_open() checks it and
 * the walker bounds every offset. */
static uint64_t board_ram_end(const void *dtb)
{
	struct board_fdt f;
	uint64_t base, size;
	uint32_t len;
	int node = 0, depth = 0;

	if (board_fdt_open(&f, dtb, BOARD_DTB_MAX))
		return 0;
	/* The root's children. */
	while ((node = board_fdt_next(&f, node, &depth)) >= 0) {
		if (depth != 1)
			continue;
		const char *type = board_fdt_prop(&f, node, "device_type", &len);
		if (!type || len != sizeof("memory") || memcmp(type, "memory", len))
			continue;
		for (uint32_t i = 0; board_fdt_reg(&f, node, 0, i, &base, &size); i++)
			if (base <= BM_RAM_BASE && base + size > BM_VM_RAM_BASE &&
			    base + size > base)
				return base + size;
	}
	return 0;
}

uint64_t bm_ram_end(void)
{
	return ram_end;
}

static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

uint64_t bm_vm_hpa(const struct bm_vm *v, uint64_t gpa, uint64_t len)
{
	const struct axvm_config *c = &v->fdt->cfg;

	for (uint32_t i = 0; i < c->region_count; i++) {
		const struct axvm_mem_region *r = &c->regions[i];
		if (r->type == AXVM_MAP_LINEAR && gpa >= r->gpa && len <= r->size &&
		    gpa - r->gpa <= r->size - len)
			return r->hpa + (gpa - r->gpa);
	}
	return 0;
}

/* Room for a guest DTB written here, at most: Linux wants it within
 * 2 MiB; ours are a few KiB. */
#define GUEST_DTB_MAX 0x10000ull

int bm_vm_guest_dtb(struct bm_vm *v)
{
	const struct axvm_fdt_vm *f = v->fdt;
	struct axvm_guest_fdt_params p;
	uint64_t room = GUEST_DTB_MAX, hpa;
	size_t used = 0;
	int rc;

	if (!f->has_dtb || !(hpa = bm_vm_hpa(v, f->dtb_addr, 4)) ||
	    *(const volatile uint32_t *)(uintptr_t)hpa == BM_FDT_MAGIC_LE)
		return 0; /* none wanted, not ours to write, or loaded */
	if (!BM_GUEST_DTB) {
		kprintf("axvm: %s: no DTB at dtb-addr 0x%lx, and this kernel writes none "
			"(built with AXVM_BM_GUEST_DTB=OFF): load one there\n", v->name, f->dtb_addr);
		return AXVM_ENOTSUP;
	}
	/* Up to the end of its RAM region, the kernel or the initrd. */
	while (room > 4 && !bm_vm_hpa(v, f->dtb_addr, room))
		room /= 2;
	if (f->kernel_addr > f->dtb_addr && f->kernel_addr - f->dtb_addr < room)
		room = f->kernel_addr - f->dtb_addr;
	if (f->initrd_size && f->initrd_addr > f->dtb_addr && f->initrd_addr - f->dtb_addr < room)
		room = f->initrd_addr - f->dtb_addr;
	if ((rc = axvm_guest_fdt_params_from_vm(f, bm_guest.dtb_arch, &p)) ||
	    (rc = axvm_guest_fdt_build(&p, (void *)(uintptr_t)hpa, (size_t)room, &used))) {
		kprintf("axvm: %s: no DTB at dtb-addr 0x%lx and none can be written from the config: %s%s\n",
			v->name, f->dtb_addr, bm_strerror(rc),
			rc == AXVM_ENOENT ? " (it needs RAM and an interrupt controller node)" : "");
		return rc;
	}
	bm_arch_guest_ram_written((void *)(uintptr_t)hpa, used);
	kprintf("axvm: %s: guest DTB written from the config at 0x%lx (%zu bytes)\n", v->name,
		f->dtb_addr, used);
	return 0;
}

static int refuse(const struct bm_vm *v, const char *what, uint64_t a, uint64_t b)
{
	kprintf("axvm: config: %s: %s (host 0x%lx..0x%lx)\n", v->fdt->path, what, a, b);
	return AXVM_ERANGE;
}

/* The host side of one VM: its ranges against the board and the VMs
 * checked before it (bm_vms[0..n-1]). */
static int check_vm(struct bm_vm *v, uint32_t n)
{
	const struct axvm_config *c = &v->fdt->cfg;

	if (c->vcpu_count > BM_MAX_VM_VCPUS) {
		kprintf("axvm: config: %s: cpus: more than %u vCPUs per VM in this kernel\n",
			v->fdt->path, BM_MAX_VM_VCPUS);
		return AXVM_E2BIG;
	}
	for (uint32_t i = 0; i < c->region_count; i++) {
		const struct axvm_mem_region *r = &c->regions[i];
		const uint64_t end = r->hpa + r->size;
		if (r->type == AXVM_MAP_DEVICE) {
			if (overlaps(r->hpa, r->size, BM_RAM_BASE, ram_end - BM_RAM_BASE))
				return refuse(v, "a passthrough range in host RAM", r->hpa, end - 1);
			continue;
		}
		if (r->type != AXVM_MAP_LINEAR)
			continue; /* frames from the page pool */
		if (r->hpa < BM_VM_RAM_BASE || end > ram_end || end < r->hpa)
			return refuse(v, "linear RAM outside the RAM VMs may use", r->hpa, end - 1);
		for (uint32_t k = 0; k <= n; k++) {
			const struct axvm_config *o = &bm_vms[k].fdt->cfg;
			for (uint32_t j = 0; j < o->region_count; j++) {
				const struct axvm_mem_region *q = &o->regions[j];
				if ((k == n && j == i) || q->type != AXVM_MAP_LINEAR)
					continue;
				if (overlaps(r->hpa, r->size, q->hpa, q->size)) {
					kprintf("axvm: config: %s: linear RAM host 0x%lx..0x%lx overlaps %s's (host 0x%lx..0x%lx)\n",
						v->fdt->path, r->hpa, end - 1, bm_vms[k].fdt->path,
						q->hpa, q->hpa + q->size - 1);
					return AXVM_EEXIST;
				}
			}
		}
	}
#if !BM_BUILTIN_CONFIG
	/* A compiled-in config naming the other UART fails its build
	 * (AXVM_FDT_UART_*_ONLY, an #error in the file axvm-config wrote). */
	for (uint32_t i = 0; i < c->device_count; i++) {
		enum axvm_fdt_dev_kind k = v->fdt->devices[i].kind;
		if ((k == AXVM_FDT_DEV_PL011 || k == AXVM_FDT_DEV_NS16550A) &&
		    k != bm_guest.uart_kind) {
			kprintf("axvm: config: %s/%s: compatible: this target models a %s UART, not %s\n",
				v->fdt->path, v->fdt->devices[i].node,
				axvm_fdt_dev_kind_name(bm_guest.uart_kind),
				axvm_fdt_dev_kind_name(k));
			return AXVM_ENOTSUP;
		}
	}
#endif
	if (bm_boots_linux(v) && !bm_vm_hpa(v, v->fdt->kernel_addr, 64)) {
		kprintf("axvm: config: %s: kernel-addr: a Linux image must be in linear RAM\n",
			v->fdt->path);
		return AXVM_ERANGE;
	}
	return 0;
}

#if BM_BUILTIN_CONFIG
/* The VMs compiled into this kernel (AXVM_BM_CONFIG_C, written by
 * axvm-config -c): parsed and checked on the host when it was built, so
 * no parser is linked; the checks against this board follow as for a
 * blob. */
static int read_vms(struct axvm_fdt_vm *vms, uint32_t *n)
{
	int rc = axvm_config_builtin(vms, BM_MAX_VMS, n);

	/* Never AXVM_E2BIG from the port's build: a generated file with more
	 * VMs than AXVM_BM_MAX_VMS fails to compile (AXVM_FDT_MAX_VMS). */
	if (rc)
		kprintf("axvm: config: the VMs built in: %s\n", bm_strerror(rc));
	return rc;
}
#else
/* The blob QEMU's loader put at BM_CONFIG_ADDR, parsed here. */
static int read_vms(struct axvm_fdt_vm *vms, uint32_t *n)
{
	const void *blob = (const void *)(uintptr_t)BM_CONFIG_ADDR;
	static struct axvm_fdt_error err;
	int rc;

	if (fdt_magic(blob) != FDT_MAGIC) {
		kprintf("axvm: config: no device tree blob at host 0x%lx (see docs/guest-abi-%s.md)\n",
			BM_CONFIG_ADDR, bm_arch_ops()->name);
		return AXVM_ENOENT;
	}
	/* The header's size is the blob's word; the parser checks the rest. */
	size_t size = fdt_totalsize(blob);
	if (size > BM_CONFIG_MAX) {
		kprintf("axvm: config: blob of %zu bytes, over the %lu the kernel reserves\n",
			size, BM_CONFIG_MAX);
		return AXVM_E2BIG;
	}
	if ((rc = axvm_config_from_fdt(blob, size, vms, BM_MAX_VMS, n, &err)))
		kprintf("axvm: config: %s (%s)\n", err.message, bm_strerror(rc));
	return rc;
}
#endif

int bm_config_load(void)
{
	const uint64_t dtb = bm_arch_board_dtb();
	/* The VMs as the parser (or the built-in config) leaves them, bound:
	 * each bm_vm points at its entry, so there is one copy of the 13.5 KB
	 * a VM's config takes, not two. */
	static struct axvm_fdt_vm configs[BM_MAX_VMS];
	uint32_t n = 0;
	int rc;

	ram_end = dtb ? board_ram_end((const void *)(uintptr_t)dtb) : 0;
	if (!ram_end) {
		ram_end = BM_RAM_BASE + BM_RAM_SIZE_DEFAULT;
		kprintf("axvm: no usable board DTB: assuming RAM up to 0x%lx\n", ram_end);
	}
	bm_nvms = 0;
	if ((rc = read_vms(configs, &n)))
		return rc;
	for (uint32_t i = 0; i < n; i++) {
		struct bm_vm *v = &bm_vms[i];
		v->fdt = &configs[i];
		if ((rc = check_vm(v, i)))
			return rc; /* it said why */
		v->name = v->fdt->cfg.name;
		v->nvcpus = v->fdt->cfg.vcpu_count;
		for (uint32_t k = 0; k < v->nvcpus; k++)
			v->affinity[k] = v->fdt->cfg.pcpu_affinity[k];
		/* No reboot for Linux: it frees and reuses its own init
		 * sections and the initrd, so the RAM kept across a reset no
		 * longer holds a bootable image (a reboot faulted at once at
		 * VBAR_EL1 + 0x200). A reset needs the images reloaded, which
		 * this kernel cannot do yet: the VM goes down with the reset
		 * code. */
		v->max_reboots = bm_boots_linux(v) ? 0 : 3;
	}
	if ((rc = bm_ivc_config(bm_vms, n)))
		return rc;
	bm_nvms = n;
#if BM_BUILTIN_CONFIG
	kprintf("axvm: config: %u VM(s) built into this kernel; VM RAM 0x%lx..0x%lx\n", n,
		BM_VM_RAM_BASE, ram_end - 1);
#else
	kprintf("axvm: config: %u VM(s) from the blob at host 0x%lx; VM RAM 0x%lx..0x%lx\n", n,
		BM_CONFIG_ADDR, BM_VM_RAM_BASE, ram_end - 1);
#endif
	return 0;
}
