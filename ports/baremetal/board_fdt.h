/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The board's device tree, read: a small read-only walker over the DTB
 * QEMU or the firmware hands the kernel, for the few things the port
 * takes from it (the board's RAM; on RISC-V the ACLINT SSWI and the harts
 * it reaches). A VM config blob is parsed by libaxvm's parser over libfdt
 * (src/core/fdt); this walker is the kernel's own, so a kernel with its
 * VMs compiled in links no libfdt reader at all.
 *
 * The blob is treated as hostile: board_fdt_open() checks the header
 * (magic, version 17, totalsize within the caller's limit, both blocks
 * inside it) and every reader checks each token as it steps: a node name
 * has its NUL inside the structure block, a property's value fits what
 * is left of it, a property's name is compared only inside the strings
 * block. Nothing allocates or recurses, board_fdt_parent() keeps a path
 * of at most BOARD_FDT_DEPTH_MAX nodes, and a malformed blob reads as
 * "nothing found" from where it goes wrong, never outside the blob.
 *
 * A node is its offset in the structure block (the root is 0), -1 for
 * none, as in libfdt. Property values are 4-byte aligned and big-endian.
 */
#ifndef BM_BOARD_FDT_H
#define BM_BOARD_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest board DTB the kernel reads (QEMU's are a few KiB). */
#define BOARD_DTB_MAX 0x100000u
/* board_fdt_parent() finds no parent for a node deeper than this - 1
 * (the root at depth 0). */
#define BOARD_FDT_DEPTH_MAX 16

/* An opened blob: its structure and strings blocks, inside the blob. */
struct board_fdt {
	const uint8_t *st;
	const char *str;
	size_t st_size;
	size_t str_size;
};

/* A big-endian cell at p (4-byte aligned). RISC-V without Zbb: bytes,
 * as its __builtin_bswap32 is a libgcc call the kernel does not link. */
static inline uint32_t board_fdt_be32(const void *p)
{
#if defined(__riscv) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
#else
	uint32_t v;

	__builtin_memcpy(&v, __builtin_assume_aligned(p, 4), 4);
	return __builtin_bswap32(v);
#endif
}

/* A number of n (1 or 2) cells at p, as in reg. */
static inline uint64_t board_fdt_cells(const void *p, uint32_t n)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < n; i++)
		v = v << 32 | board_fdt_be32((const uint8_t *)p + 4 * i);
	return v;
}

/* Check the header of the blob at `blob` (4-byte aligned, `max` bytes
 * readable there, at most 2 GiB) and fill *f: 0, or -1 for a blob that is
 * not a version 17 DTB whose blocks fit inside its totalsize <= max. */
int board_fdt_open(struct board_fdt *f, const void *blob, uint32_t max);

/* The node after `node` in document order (depth first), *depth updated
 * from node's depth to the new node's (give the root depth 0); -1 after
 * the last node. */
int board_fdt_next(const struct board_fdt *f, int node, int *depth);

/* The value of node's property `name` and its length in *len; NULL if the
 * node has none (or is no node). */
const void *board_fdt_prop(const struct board_fdt *f, int node, const char *name, uint32_t *len);

/* A one-cell property: `dflt` if absent, UINT32_MAX if not 4 bytes. */
uint32_t board_fdt_u32(const struct board_fdt *f, int node, const char *name, uint32_t dflt);

/* Entry i of node's "reg" in *base and *size, in the cells its parent
 * `parent` says (#address-cells 2 and #size-cells 1 if absent; only 1 or
 * 2 read): false if the cells are out of that range, parent is -1 or there
 * is no entry i. */
bool board_fdt_reg(const struct board_fdt *f, int node, int parent, uint32_t i, uint64_t *base,
		   uint64_t *size);

/* Whether node's "compatible" string list holds `compat`. */
bool board_fdt_compatible(const struct board_fdt *f, int node, const char *compat);

/* The parent of `node`; -1 for the root, no node or one nested deeper
 * than BOARD_FDT_DEPTH_MAX - 1. */
int board_fdt_parent(const struct board_fdt *f, int node);

/* The first node whose "phandle" is `phandle`; -1 if none (or 0 or ~0). */
int board_fdt_by_phandle(const struct board_fdt *f, uint32_t phandle);

#endif
