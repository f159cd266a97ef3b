/* SPDX-License-Identifier: Apache-2.0 */
/* Private to src/core/fdt: bounded message building, the parse context and
 * the compatible registry. */
#ifndef AXVM_FDT_INTERNAL_H
#define AXVM_FDT_INTERNAL_H

#include <axvm/config_fdt.h>

/* A host whose guests get no virtio-mmio devices or no inter-VM channels
 * (ports/baremetal built with AXVM_BM_VIRTIO or AXVM_BM_IVC off) builds
 * the parser with AXVM_FDT_NO_VIRTIO or AXVM_FDT_NO_IVC: such a node is
 * refused by name and its checks are not linked. */
#ifdef AXVM_FDT_NO_VIRTIO
#define AXVM_FDT_VIRTIO_BUILT false
#else
#define AXVM_FDT_VIRTIO_BUILT true
#endif
#ifdef AXVM_FDT_NO_IVC
#define AXVM_FDT_IVC_BUILT false
#else
#define AXVM_FDT_IVC_BUILT true
#endif

/* A bounded, always NUL-terminated string under construction. Appends past
 * the end are dropped; no stdio needed. */
struct axvm_msg {
	char *buf;
	size_t size;
	size_t len;
};

void axvm_msg_init(struct axvm_msg *m, char *buf, size_t size);
/* Append s, replacing bytes outside printable ASCII with '?'. */
void axvm_msg_str(struct axvm_msg *m, const char *s);
/* Same for at most n bytes of s (stops at a NUL). */
void axvm_msg_strn(struct axvm_msg *m, const char *s, size_t n);
void axvm_msg_u64(struct axvm_msg *m, uint64_t v);
void axvm_msg_hex(struct axvm_msg *m, uint64_t v); /* "0x..." */

/* One parse of one blob. */
struct axvm_fdt_ctx {
	const void *blob;
	size_t size;
	struct axvm_fdt_error *err;
};

/* The node's path, sanitised to printable ASCII, or ".../<name>" when the
 * path does not fit. */
void axvm_fdt_node_path(const void *blob, int node, char *out, size_t size);

/* Record an error at `node` (negative: none) and `prop` (NULL: none):
 * err->message = "<path>: <prop>: <what>". Returns code. */
int axvm_fdt_fail(struct axvm_fdt_ctx *c, int code, int node, const char *prop,
                  const char *what);
/* Same, with the message already built by the caller in `what`. */
#define AXVM_FDT_WHAT_MAX 160u

/* Validate the header and walk the structure block (bounded), then
 * fdt_check_full(): 0 or an error already recorded. */
int axvm_fdt_check_blob(struct axvm_fdt_ctx *c);

/* Properties. Each returns 0, or a negative code after axvm_fdt_fail(). */
/* Find a property; *val NULL when absent. Checks it lies inside the blob. */
int axvm_fdt_prop(struct axvm_fdt_ctx *c, int node, const char *name,
                  const void **val, uint32_t *len);
/* Big-endian cell i of a property value. */
uint32_t axvm_fdt_cell(const void *val, uint32_t i);
/* n (1 or 2) cells starting at cell i as one number. */
uint64_t axvm_fdt_cells(const void *val, uint32_t i, uint32_t n);

/* An optional one-cell property: *present false when absent; any length
 * but 4 is an AXVM_EINVAL error. */
int axvm_fdt_opt_u32(struct axvm_fdt_ctx *c, int node, const char *name,
                     uint32_t *v, bool *present);

/* Registry of emulated device models. */
struct axvm_fdt_model {
	const char *compatible;
	/* Read model-specific properties of `node` into dev (may be NULL). */
	int (*setup)(struct axvm_fdt_ctx *c, int node,
	             struct axvm_fdt_device *dev,
	             struct axvm_device_desc *desc);
	uint32_t min_size; /* smallest register window the model accepts */
	enum axvm_fdt_dev_kind kind;
};

/* Every axvm,ivc channel of vms[0..n-1] has exactly two ends, in two
 * VMs, with shared regions of one size; sets each end's number (the VM
 * with the lower id is end 0). 0 or an error already recorded. */
int axvm_fdt_check_ivc(struct axvm_fdt_ctx *c, struct axvm_fdt_vm *vms,
                       uint32_t n);

/* The model for a compatible string, or NULL. */
const struct axvm_fdt_model *axvm_fdt_find_model(const char *compatible);

#endif /* AXVM_FDT_INTERNAL_H */
