/* SPDX-License-Identifier: Apache-2.0 */
/* Whole-blob validation before any libfdt read.
 *
 * fdt_check_full() is the contract, but hosts ship old libfdt releases
 * (Debian 12 has 1.6.1) that predate fixes for hostile blobs: a NULL
 * dereference in fdt_check_full() on pre-v16 node names, an int overflow
 * in fdt_next_tag() on huge property lengths, unaligned sub-blocks. So the
 * header and the structure block are first walked here, by code that is
 * ours and fuzzed with sanitizers: every offset is bounds-checked in 64-bit
 * arithmetic, every tag visited once (the walk is linear in the blob), the
 * node depth and the node and property counts are capped. Only a blob that
 * passes is handed to fdt_check_full() (where the libfdt has it) and then
 * to the libfdt readers. */
#include <libfdt.h>
#include <string.h>

#include "fdt_internal.h"

#define HDR_SIZE  40u /* version 17 header */
#define MAX_DEPTH 32u /* root is depth 1; a VM config needs ~4 */
#define MAX_NODES 16384u
#define MAX_PROPS 131072u

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int bad(struct axvm_fdt_ctx *c, int code, const char *what, uint64_t a,
               const char *mid, uint64_t b)
{
	char msg[AXVM_FDT_WHAT_MAX];
	struct axvm_msg m;

	axvm_msg_init(&m, msg, sizeof(msg));
	axvm_msg_str(&m, "bad device tree blob: ");
	axvm_msg_str(&m, what);
	if (mid) {
		axvm_msg_u64(&m, a);
		axvm_msg_str(&m, mid);
		axvm_msg_u64(&m, b);
	}
	return axvm_fdt_fail(c, code, -1, NULL, msg);
}

/* [off, off+len) inside [lo, hi). 64-bit: no wrap for 32-bit inputs. */
static bool inside(uint64_t off, uint64_t len, uint64_t lo, uint64_t hi)
{
	return off >= lo && off <= hi && len <= hi - off;
}

static int check_header(struct axvm_fdt_ctx *c, uint32_t *total)
{
	const uint8_t *h = c->blob;

	if (c->size < HDR_SIZE)
		return bad(c, AXVM_EINVAL, "truncated: ", c->size,
		           " bytes is less than the header of ", HDR_SIZE);
	if (be32(h) != FDT_MAGIC)
		return bad(c, AXVM_EINVAL, "bad magic (not a DTB)", 0, NULL, 0);
	uint32_t version = be32(h + 20), last_comp = be32(h + 24);
	if (version < 17 || last_comp > 17 || last_comp > version)
		return bad(c, AXVM_ENOTSUP, "unsupported version ", version,
		           " (need 17), last compatible ", last_comp);
	uint32_t totalsize = be32(h + 4);
	if (totalsize > c->size)
		return bad(c, AXVM_EINVAL, "truncated: header says ", totalsize,
		           " bytes, buffer has ", c->size);
	if (totalsize < HDR_SIZE)
		return bad(c, AXVM_EINVAL, "totalsize ", totalsize,
		           " is less than the header of ", HDR_SIZE);
	if (totalsize > AXVM_FDT_MAX_BLOB)
		return bad(c, AXVM_E2BIG, "totalsize ", totalsize,
		           " is over the limit of ", AXVM_FDT_MAX_BLOB);
	uint32_t off_struct = be32(h + 8), off_strings = be32(h + 12);
	uint32_t off_rsv = be32(h + 16);
	uint32_t size_strings = be32(h + 32), size_struct = be32(h + 36);
	if (off_rsv % 8 || off_struct % 4 || size_struct % 4)
		return bad(c, AXVM_EINVAL, "misaligned block: memory map at ",
		           off_rsv, ", structure at ", off_struct);
	if (!inside(off_rsv, 16, HDR_SIZE, totalsize))
		return bad(c, AXVM_EINVAL, "memory reservation map offset ",
		           off_rsv, " outside totalsize ", totalsize);
	if (!inside(off_struct, size_struct, HDR_SIZE, totalsize))
		return bad(c, AXVM_EINVAL, "structure block offset ",
		           off_struct, " + size outside totalsize ", totalsize);
	if (!inside(off_strings, size_strings, HDR_SIZE, totalsize))
		return bad(c, AXVM_EINVAL, "strings block offset ", off_strings,
		           " + size outside totalsize ", totalsize);
	/* The reservation map ends with a zero entry inside the blob. */
	for (uint64_t off = off_rsv;; off += 16) {
		if (!inside(off, 16, HDR_SIZE, totalsize))
			return bad(c, AXVM_EINVAL,
			           "unterminated memory reservation map at ",
			           off, " of ", totalsize);
		bool zero = true;
		for (unsigned i = 0; i < 16; i++)
			zero = zero && h[off + i] == 0;
		if (zero)
			break;
	}
	*total = totalsize;
	return 0;
}

/* Length of the NUL-terminated string at p within n bytes, or -1. */
static int64_t bounded_strlen(const uint8_t *p, uint64_t n)
{
	const uint8_t *z = memchr(p, 0, (size_t)n);

	return z ? (int64_t)(z - p) : -1;
}

static int check_structure(struct axvm_fdt_ctx *c)
{
	const uint8_t *h = c->blob;
	uint64_t start = be32(h + 8), end = start + be32(h + 36);
	uint64_t strings = be32(h + 12), strings_size = be32(h + 32);
	uint64_t pos = start;
	uint32_t depth = 0, nodes = 0, props = 0;
	bool root_done = false;

	for (;;) {
		if (!inside(pos, 4, start, end))
			return bad(c, AXVM_EINVAL,
			           "structure block ends without FDT_END at ",
			           pos - start, " of ", end - start);
		uint32_t tag = be32(h + pos);
		uint64_t here = pos - start;
		pos += 4;
		switch (tag) {
		case FDT_BEGIN_NODE: {
			int64_t n = bounded_strlen(h + pos, end - pos);
			if (n < 0)
				return bad(c, AXVM_EINVAL,
				           "unterminated node name at ", here,
				           " in a structure of ", end - start);
			if (root_done)
				return bad(c, AXVM_EINVAL,
				           "a second root node at ", here,
				           " in a structure of ", end - start);
			if (depth == 0 && n != 0)
				return bad(c, AXVM_EINVAL,
				           "root node has a name", 0, NULL, 0);
			if (++depth > MAX_DEPTH)
				return bad(c, AXVM_E2BIG, "nodes nested ",
				           depth, " deep; the limit is ",
				           MAX_DEPTH);
			if (++nodes > MAX_NODES)
				return bad(
				    c, AXVM_E2BIG, "more than ", MAX_NODES,
				    " nodes, at structure offset ", here);
			pos += ((uint64_t)n + 1 + 3) & ~(uint64_t)3;
			break;
		}
		case FDT_END_NODE:
			if (depth == 0)
				return bad(c, AXVM_EINVAL,
				           "FDT_END_NODE without a node at ",
				           here, " in a structure of ",
				           end - start);
			if (--depth == 0)
				root_done = true;
			break;
		case FDT_PROP: {
			if (!inside(pos, 8, start, end))
				return bad(c, AXVM_EINVAL,
				           "truncated property header at ",
				           here, " in a structure of ",
				           end - start);
			uint64_t len = be32(h + pos),
			         nameoff = be32(h + pos + 4);
			pos += 8;
			if (depth == 0)
				return bad(c, AXVM_EINVAL,
				           "property outside any node at ",
				           here, " in a structure of ",
				           end - start);
			if (!inside(pos, len, start, end))
				return bad(
				    c, AXVM_EINVAL, "property length ", len,
				    " runs past the structure block at ", here);
			if (nameoff >= strings_size ||
			    bounded_strlen(h + strings + nameoff,
			                   strings_size - nameoff) <= 0)
				return bad(c, AXVM_EINVAL,
				           "property name offset ", nameoff,
				           " is not a string in a block of ",
				           strings_size);
			if (++props > MAX_PROPS)
				return bad(
				    c, AXVM_E2BIG, "more than ", MAX_PROPS,
				    " properties, at structure offset ", here);
			pos += (len + 3) & ~(uint64_t)3;
			break;
		}
		case FDT_NOP:
			break;
		case FDT_END:
			if (depth != 0 || !root_done)
				return bad(c, AXVM_EINVAL,
				           "FDT_END inside an open node at ",
				           here, " in a structure of ",
				           end - start);
			return 0;
		default:
			return bad(c, AXVM_EINVAL, "unknown tag ", tag,
			           " at structure offset ", here);
		}
	}
}

int axvm_fdt_check_blob(struct axvm_fdt_ctx *c)
{
	uint32_t total = 0;
	int rc;

	/* Our walk reads bytes; only libfdt needs the alignment. */
	if ((rc = check_header(c, &total)) || (rc = check_structure(c)))
		return rc;
	if ((uintptr_t)c->blob & 7)
		return axvm_fdt_fail(c, AXVM_EINVAL, -1, NULL,
		                     "device tree blob must be 8-byte aligned");
#ifdef AXVM_LIBFDT_NO_CHECK_FULL
	/* A libfdt without fdt_check.c (the copy inside Linux 6.1's sources,
	 * which the bare-metal kernel builds): the walk above already
	 * checked what fdt_check_full() would (header, blocks, every tag,
	 * node names, property lengths and name offsets, nesting). */
	rc = 0;
#else
	rc = fdt_check_full(c->blob, total);
#endif
	if (rc < 0) {
		char msg[AXVM_FDT_WHAT_MAX];
		struct axvm_msg m;
		axvm_msg_init(&m, msg, sizeof(msg));
		axvm_msg_str(&m, "bad device tree blob: libfdt: ");
		axvm_msg_str(&m, fdt_strerror(rc));
		return axvm_fdt_fail(c, AXVM_EINVAL, -1, NULL, msg);
	}
	return 0;
}
