/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-blk disks and virtio-consoles for the guests.
 *
 * A console ("virtio,mmio" with axvm,console) is the library's one-port
 * virtio-console: what the guest transmits goes into the VM's console
 * lines exactly as its UART's bytes do (bm_devs_putc: "[vm] " prefix, the
 * same line buffer), and the board's console input, while the VM has the
 * focus, goes to it whenever its driver has receive buffers posted
 * (bm_devs_input; else to the UART). One per VM.
 *
 * Disks: each "virtio,mmio" node of the config with axvm,disk
 * (docs/bindings/axvm-vm.md) is served by the library's model
 * (include/axvm/virtio.h) over the host memory its axvm,disk names,
 * typically a RAM disk QEMU's generic loader put there. That memory is
 * the guest's to write, so it must be board RAM the VMs may use
 * (BM_VM_RAM_BASE up to the end of RAM) and apart from every VM's linear
 * RAM and from every other disk: one guest cannot reach another's memory
 * through it.
 */
#include <string.h>

#include <axvm/virtio.h>

#include "kernel.h"
#include "devices.h"

#define BM_MAX_DISKS (2u * BM_MAX_VMS)

struct bm_vcons {
	struct axvm_virtio_console cons;
	struct bm_vm *v;
	uint32_t irq;
	struct bm_masked masked;
};

static struct bm_vcons vconses[BM_MAX_VMS];
static uint32_t nvconses;

struct bm_disk {
	struct axvm_virtio_blk blk;
	struct bm_vm *v;
	uint32_t irq;
};

/* Disk state lives as long as the kernel, like the rest of the devices. */
static struct bm_disk disks[BM_MAX_DISKS];
static uint32_t ndisks;

/* Rising edges (bm_irq_edge): the guest's handler acknowledges
 * InterruptStatus and then takes every used buffer, so a request
 * completed while the line was already high is not lost. */
static void disk_irq(void *arg, bool level)
{
	struct bm_disk *k = arg;

	bm_irq_edge(k->v, k->irq, level);
}

/* --- virtio-console ----------------------------------------------------------------- */

static void vcons_tx(void *arg, const uint8_t *buf, size_t len)
{
	struct bm_vcons *k = arg;

	for (size_t i = 0; i < len; i++)
		bm_devs_putc(k->v->devs, (char)buf[i]);
}

static void vcons_irq(void *arg, bool level)
{
	struct bm_vcons *k = arg;

	bm_irq_edge(k->v, k->irq, level);
}

static int add_console(struct bm_vm *v, uint32_t i, const struct axvm_guest_access *mem)
{
	struct axvm_config *cfg = &v->fdt->cfg;
	const struct axvm_fdt_device *fd = &v->fdt->devices[i];
	struct bm_vm_devs *d = v->devs;
	struct axvm_device_desc m;
	struct bm_vcons *k;
	int rc;

	if (!d || d->vcons) {
		kprintf("axvm: config: %s/%s: one virtio-console per VM\n", v->fdt->path,
			fd->node);
		return AXVM_E2BIG;
	}
	if (nvconses == BM_MAX_VMS)
		return AXVM_E2BIG;
	k = &vconses[nvconses];
	k->v = v;
	k->irq = fd->irq;
	const struct axvm_virtio_host host = { .arg = k, .irq = vcons_irq, .tx = vcons_tx };
	if ((rc = axvm_virtio_console_init(&k->cons, mem, &host)) ||
	    (rc = axvm_virtio_console_desc(&k->cons, cfg->devices[i].base, &m)))
		return rc;
	nvconses++;
	/* As for the UART: console input feeds the same model. */
	bm_masked_wire(&k->masked, &m, &cfg->devices[i]);
	d->vcons = &k->cons; /* last: console input may look at it from now on */
	kprintf("axvm: %s: virtio-console at 0x%lx\n", v->name, cfg->devices[i].base);
	return 0;
}

/* --- virtio-blk ---------------------------------------------------------------------- */

static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

static int check_disk(const struct bm_vm *v, const struct axvm_fdt_device *fd)
{
	const uint64_t a = fd->disk_addr, n = fd->disk_size;

	if (a < BM_VM_RAM_BASE || a + n > bm_ram_end() || a + n < a) {
		kprintf("axvm: config: %s/%s: axvm,disk: host 0x%lx..0x%lx is not RAM VMs may use\n",
			v->fdt->path, fd->node, a, a + n - 1);
		return AXVM_ERANGE;
	}
	for (uint32_t k = 0; k < bm_nvms; k++) {
		const struct axvm_config *c = &bm_vms[k].fdt->cfg;
		for (uint32_t j = 0; j < c->region_count; j++) {
			const struct axvm_mem_region *r = &c->regions[j];
			if (r->type == AXVM_MAP_LINEAR && overlaps(a, n, r->hpa, r->size)) {
				kprintf("axvm: config: %s/%s: axvm,disk overlaps %s's RAM\n",
					v->fdt->path, fd->node, bm_vms[k].fdt->path);
				return AXVM_EEXIST;
			}
		}
	}
	for (uint32_t k = 0; k < ndisks; k++) {
		const struct axvm_virtio_blk_config *o = &disks[k].blk.cfg;
		if (overlaps(a, n, (uint64_t)(uintptr_t)o->mem, o->size)) {
			kprintf("axvm: config: %s/%s: axvm,disk overlaps another disk\n",
				v->fdt->path, fd->node);
			return AXVM_EEXIST;
		}
	}
	return 0;
}

int bm_virtio_add(struct bm_vm *v)
{
	struct axvm_config *cfg = &v->fdt->cfg;
	struct axvm_guest_access mem;

	/* The VM exists only after its config (with these devices) made it. */
	(void)axvm_guest_access_vm_slot(&mem, &v->vm); /* valid arguments */
	for (uint32_t i = 0; i < cfg->device_count; i++) {
		const struct axvm_fdt_device *fd = &v->fdt->devices[i];
		struct axvm_virtio_blk_config bc = { .size = fd->disk_size };
		struct axvm_device_desc m;
		struct bm_disk *k;
		int rc;

		if (fd->kind == AXVM_FDT_DEV_VIRTIO_CONSOLE) {
			if ((rc = add_console(v, i, &mem)))
				return rc;
			continue;
		}
		if (fd->kind != AXVM_FDT_DEV_VIRTIO_BLK)
			continue;
		if (ndisks == BM_MAX_DISKS) {
			kprintf("axvm: config: %s/%s: more than %u disks in this kernel\n",
				v->fdt->path, fd->node, BM_MAX_DISKS);
			return AXVM_E2BIG;
		}
		if ((rc = check_disk(v, fd)))
			return rc;
		k = &disks[ndisks];
		k->v = v;
		k->irq = fd->irq;
		bc.mem = (uint8_t *)(uintptr_t)fd->disk_addr;
		for (size_t c = 0; c < sizeof(bc.id) && fd->node[c]; c++)
			bc.id[c] = fd->node[c];
		const struct axvm_virtio_host host = { .arg = k, .irq = disk_irq };
		if ((rc = axvm_virtio_blk_init(&k->blk, &bc, &mem, &host)) ||
		    (rc = axvm_virtio_blk_desc(&k->blk, cfg->devices[i].base, &m)))
			return rc;
		ndisks++;
		cfg->devices[i].ops = m.ops;
		cfg->devices[i].ctx = m.ctx;
		cfg->devices[i].widths = m.widths;
		cfg->devices[i].naturally_aligned = m.naturally_aligned;
		kprintf("axvm: %s: virtio-blk at 0x%lx, %lu KiB at host 0x%lx\n", v->name,
			cfg->devices[i].base, fd->disk_size >> 10, fd->disk_addr);
	}
	return 0;
}
