/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inter-VM channels of the config (axvm,ivc nodes, docs/ivc.md) wired to
 * the library's doorbell model (include/axvm/ivc.h):
 *  - each channel's shared region comes from a host range this kernel
 *    keeps for channels alone, between the page pool and the config blob
 *    (never VM RAM, never the pool: no third VM can reach it); both ends
 *    map the same host pages, zeroed at boot;
 *  - each end's doorbell window is the node's, served by the model; a
 *    ring raises the node's interrupt in the peer VM's vCPU 0 through
 *    axvm_vcpu_inject_irq(), which kicks the pCPU it runs on.
 * Runs once the config is parsed and checked (vmconfig.c), before any VM
 * is created; the state lives as long as the kernel.
 */
#include <string.h>

#include <axvm/ivc.h>

#include "kernel.h"
#include "devices.h"

#define IVC_HOST_BASE (BM_POOL_BASE + BM_POOL_SIZE)
#define IVC_HOST_END BM_CONFIG_ADDR
#define MAX_ENDS (2u * BM_MAX_VMS)

struct bm_ivc_end {
	struct axvm_ivc_end m;
	struct bm_vm *vm;
	uint32_t irq; /* the node's interrupt, in its own VM; 0: none */
	uint64_t hpa;
};

static struct bm_ivc_end ends[MAX_ENDS];
static uint32_t nends;

/* Rising edges only: the guest acknowledges PENDING before it looks at
 * the rings, so a ring after that is a new edge (docs/ivc.md). Runs on
 * the ringing vCPU's pCPU. The VMs exist before any vCPU runs. */
static void on_irq(void *arg, bool level)
{
	struct bm_ivc_end *e = arg;

	bm_irq_edge(e->vm, e->irq, level);
}

static struct bm_ivc_end *find_peer(uint32_t channel)
{
	for (uint32_t i = 0; i < nends; i++)
		if (ends[i].m.channel == channel && !ends[i].m.peer)
			return &ends[i];
	return NULL;
}

/* One axvm,ivc device of VM v (its config entry `i`). */
static int wire_end(struct bm_vm *v, uint32_t i, uint64_t *next_hpa)
{
	struct axvm_fdt_device *fd = &v->fdt->devices[i];
	struct axvm_device_desc *cd = &v->fdt->cfg.devices[i];
	const struct axvm_ivc_host host = { .arg = &ends[nends], .irq = on_irq };
	struct bm_ivc_end *e = &ends[nends], *peer = find_peer(fd->ivc.channel);
	struct axvm_device_desc m;
	int rc;

	if (nends == MAX_ENDS) {
		kprintf("axvm: config: %s/%s: more than %u channel ends in this kernel\n",
			v->fdt->path, fd->node, MAX_ENDS);
		return AXVM_E2BIG;
	}
	if (peer) {
		e->hpa = peer->hpa; /* the parser checked the sizes agree */
	} else {
		if (fd->ivc.shm_size > IVC_HOST_END - *next_hpa) {
			kprintf("axvm: config: %s/%s: shared-mem: %lu bytes, over the %lu left of the host range for channels (0x%lx..0x%lx)\n",
				v->fdt->path, fd->node, fd->ivc.shm_size, IVC_HOST_END - *next_hpa,
				(uint64_t)IVC_HOST_BASE, (uint64_t)IVC_HOST_END - 1);
			return AXVM_E2BIG;
		}
		e->hpa = *next_hpa;
		*next_hpa += fd->ivc.shm_size;
		memset((void *)(uintptr_t)e->hpa, 0, fd->ivc.shm_size);
	}
	if ((rc = axvm_ivc_init(&e->m, &host, fd->ivc.channel, fd->ivc.end, fd->ivc.shm_gpa,
				fd->ivc.shm_size)) ||
	    (rc = axvm_ivc_desc(&e->m, cd->base, &m)) ||
	    (peer && (rc = axvm_ivc_connect(&peer->m, &e->m))))
		return rc;
	e->vm = v;
	e->irq = fd->irq;
	nends++;
	/* The node's window, the model's registers; RAM-like shared pages. */
	cd->ops = m.ops;
	cd->ctx = m.ctx;
	cd->widths = m.widths;
	cd->naturally_aligned = m.naturally_aligned;
	struct axvm_mem_region *r = &v->fdt->cfg.regions[fd->ivc.region];
	r->type = AXVM_MAP_LINEAR;
	r->hpa = e->hpa;
	kprintf("axvm: %s: channel %u end %u: shared 0x%lx..0x%lx at host 0x%lx, doorbell 0x%lx, interrupt %u\n",
		v->fdt->cfg.name, fd->ivc.channel, fd->ivc.end, fd->ivc.shm_gpa,
		fd->ivc.shm_gpa + fd->ivc.shm_size - 1, e->hpa, cd->base, fd->irq);
	return 0;
}

int bm_ivc_config(struct bm_vm *vms, uint32_t n)
{
	uint64_t next_hpa = IVC_HOST_BASE;
	int rc;

	nends = 0;
	for (uint32_t k = 0; k < n; k++) {
		struct axvm_fdt_vm *f = vms[k].fdt;
		for (uint32_t i = 0; i < f->cfg.device_count; i++)
			if (f->devices[i].kind == AXVM_FDT_DEV_IVC &&
			    (rc = wire_end(&vms[k], i, &next_hpa)))
				return rc;
	}
	return 0;
}

void bm_ivc_report(void)
{
	for (uint32_t i = 0; i < nends; i++) {
		struct axvm_ivc_stats st;
		if (axvm_ivc_stats(&ends[i].m, &st))
			continue;
		kprintf("axvm: %s: channel %u end %u: %lu rings sent, %lu received, %lu refused accesses\n",
			ends[i].vm->name, ends[i].m.channel, ends[i].m.end, st.rings_sent,
			st.rings_received, st.bad_accesses);
	}
}
