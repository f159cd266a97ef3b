/* SPDX-License-Identifier: Apache-2.0 */
/* The rules of axvm,ivc channels that span VMs: each channel id names
 * exactly two ends, in two different VMs, whose shared regions have one
 * size. Runs after every VM of the blob parsed on its own, so a message
 * can name both nodes. */
#include <libfdt.h>
#include <string.h>

#include "fdt_internal.h"

struct end_ref {
	uint32_t vm, dev;
};

/* The node of device `dev` of VM `vm`, for messages; -1 if not found. */
static int dev_node(struct axvm_fdt_ctx *c, const struct axvm_fdt_vm *vm,
                    uint32_t dev)
{
	int node = fdt_path_offset(c->blob, vm->path);

	if (node < 0)
		return -1;
	node = fdt_subnode_offset(c->blob, node, vm->devices[dev].node);
	return node < 0 ? -1 : node;
}

/* Fail at end e: "channel <its channel><tail>", then the node of end
 * `other` (may be NULL) in parentheses. */
static int fail_end(struct axvm_fdt_ctx *c, int code,
                    const struct axvm_fdt_vm *vms, struct end_ref e,
                    const char *prop, const char *tail,
                    const struct end_ref *other)
{
	char buf[AXVM_FDT_WHAT_MAX + AXVM_FDT_PATH_MAX + AXVM_FDT_NODE_NAME_MAX];
	struct axvm_msg m;

	axvm_msg_init(&m, buf, sizeof(buf));
	axvm_msg_str(&m, "channel ");
	axvm_msg_u64(&m, vms[e.vm].devices[e.dev].ivc.channel);
	axvm_msg_str(&m, tail);
	if (other) {
		axvm_msg_str(&m, " (");
		axvm_msg_str(&m, vms[other->vm].path);
		axvm_msg_str(&m, "/");
		axvm_msg_str(&m, vms[other->vm].devices[other->dev].node);
		axvm_msg_str(&m, ")");
	}
	return axvm_fdt_fail(c, code, dev_node(c, &vms[e.vm], e.dev), prop, buf);
}

int axvm_fdt_check_ivc(struct axvm_fdt_ctx *c, struct axvm_fdt_vm *vms,
                       uint32_t n)
{
	for (uint32_t v = 0; v < n; v++) {
		for (uint32_t d = 0; d < vms[v].cfg.device_count; d++) {
			struct axvm_fdt_device *dev = &vms[v].devices[d];
			struct end_ref self = {v, d}, ends[AXVM_FDT_IVC_ENDS + 1];
			uint32_t count = 0;

			if (dev->kind != AXVM_FDT_DEV_IVC)
				continue;
			/* Every end of this channel, in blob order. */
			for (uint32_t w = 0; w < n && count <= AXVM_FDT_IVC_ENDS; w++)
				for (uint32_t k = 0; k < vms[w].cfg.device_count &&
				                     count <= AXVM_FDT_IVC_ENDS; k++)
					if (vms[w].devices[k].kind == AXVM_FDT_DEV_IVC &&
					    vms[w].devices[k].ivc.channel == dev->ivc.channel)
						ends[count++] = (struct end_ref){w, k};
			if (count == 1)
				return fail_end(c, AXVM_ENOENT, vms, self, "channel",
				                " has one end: another VM needs an "
				                "axvm,ivc node with the same channel",
				                NULL);
			if (count > AXVM_FDT_IVC_ENDS)
				return fail_end(c, AXVM_EEXIST, vms, ends[2], "channel",
				                " already has two ends, the first in",
				                &ends[0]);
			struct end_ref peer = ends[0].vm == v && ends[0].dev == d ? ends[1] : ends[0];
			const struct axvm_fdt_vm *pv = &vms[peer.vm];
			if (peer.vm == v)
				return fail_end(c, AXVM_EEXIST, vms, ends[1], "channel",
				                " has both ends in one VM", &ends[0]);
			if (pv->devices[peer.dev].ivc.shm_size != dev->ivc.shm_size)
				return fail_end(c, AXVM_EINVAL, vms, ends[1], "shared-mem",
				                ": the size differs from the other end's",
				                &ends[0]);
			dev->ivc.end = vms[v].cfg.id < pv->cfg.id ? 0 : 1;
		}
	}
	return 0;
}
