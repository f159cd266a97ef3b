/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The board DTB's read-only walker (board_fdt.h): the flattened device
 * tree format of the Devicetree Specification, chapter 5, version 17.
 */
#include <stddef.h>
#include <string.h>

#include "board_fdt.h"

#define FDT_MAGIC 0xd00dfeedu
/* The version 17 header's cells. */
enum {
	HDR_MAGIC,
	HDR_SIZE,
	HDR_STRUCT,
	HDR_STRINGS,
	HDR_RSVMAP,
	HDR_VERSION,
	HDR_LAST_COMP,
	HDR_BOOT_CPU,
	HDR_STRINGS_SIZE,
	HDR_STRUCT_SIZE,
	HDR_CELLS
};
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4

/* The token at structure offset `off` and, in *next, the offset just past
 * it (its name or value padded to 4 bytes); -1 for a token that does not
 * fit the block: an unknown one (FDT_END too: a walk ends at the root's
 * FDT_END_NODE and reads nothing after it), a node name without its NUL,
 * a property longer than what is left. A *next past the block's end
 * fails the next call. (A property's name is checked where it is read.) */
static int token(const struct board_fdt *f, size_t off, size_t *next)
{
	size_t n = 0;
	uint32_t t;

	if (off > f->st_size - 4)
		return -1;
	t = board_fdt_be32(f->st + off);
	off += 4;
	if (t == FDT_BEGIN_NODE) {
		while (off + n < f->st_size && f->st[off + n])
			n++;
		if (off + n++ == f->st_size)
			return -1;
	} else if (t == FDT_PROP) {
		if (f->st_size - off < 8)
			return -1;
		n = board_fdt_be32(f->st + off);
		if (n > f->st_size - off - 8)
			return -1;
		n += 8;
	} else if (t != FDT_END_NODE && t != FDT_NOP) {
		return -1;
	}
	*next = off + ((n + 3) & ~(size_t)3);
	return (int)t;
}

int board_fdt_open(struct board_fdt *f, const void *blob, uint32_t max)
{
	const uint8_t *b = blob;
	uint32_t h[HDR_CELLS];

	if (!b || ((uintptr_t)b & 3) || max < 4 * HDR_CELLS)
		return -1;
	for (int i = 0; i < HDR_CELLS; i++)
		h[i] = board_fdt_be32(b + 4 * i);
	/* Version 17 (the first with size_dt_struct) or a later one that
	 * reads as 17; both blocks inside the blob, the structure block
	 * aligned and holding at least a token. */
	if (h[HDR_MAGIC] != FDT_MAGIC || h[HDR_SIZE] > max || h[HDR_VERSION] < 17 ||
	    h[HDR_LAST_COMP] > 17 || (h[HDR_STRUCT] & 3) || h[HDR_STRUCT_SIZE] < 4 ||
	    (uint64_t)h[HDR_STRUCT] + h[HDR_STRUCT_SIZE] > h[HDR_SIZE] ||
	    (uint64_t)h[HDR_STRINGS] + h[HDR_STRINGS_SIZE] > h[HDR_SIZE])
		return -1;
	f->st = b + h[HDR_STRUCT];
	f->st_size = h[HDR_STRUCT_SIZE];
	f->str = (const char *)b + h[HDR_STRINGS];
	f->str_size = h[HDR_STRINGS_SIZE];
	return 0;
}

int board_fdt_next(const struct board_fdt *f, int node, int *depth)
{
	size_t off, next;
	int level = *depth + 1, t;

	if (token(f, (size_t)node, &off) != FDT_BEGIN_NODE)
		return -1;
	for (;; off = next) {
		t = token(f, off, &next);
		if (t == FDT_BEGIN_NODE) {
			*depth = level;
			return (int)off;
		}
		if (t < 0 || (t == FDT_END_NODE && --level <= 0))
			return -1;
	}
}

/* Whether the `room` bytes at s begin with the string `want`, its NUL
 * included: nothing past s + room is read. */
static bool str_at(const char *s, size_t room, const char *want)
{
	for (size_t k = 0; k < room && s[k] == want[k]; k++)
		if (!want[k])
			return true;
	return false;
}

const void *board_fdt_prop(const struct board_fdt *f, int node, const char *name, uint32_t *len)
{
	size_t off, next;
	int t;

	if (token(f, (size_t)node, &off) != FDT_BEGIN_NODE)
		return NULL;
	/* A node's properties come before its first subnode. */
	for (; (t = token(f, off, &next)) == FDT_PROP || t == FDT_NOP; off = next) {
		size_t at = t == FDT_PROP ? board_fdt_be32(f->st + off + 8) : SIZE_MAX;

		if (at < f->str_size && str_at(f->str + at, f->str_size - at, name)) {
			*len = board_fdt_be32(f->st + off + 4);
			return f->st + off + 12;
		}
	}
	return NULL;
}

uint32_t board_fdt_u32(const struct board_fdt *f, int node, const char *name, uint32_t dflt)
{
	uint32_t len;
	const void *v = board_fdt_prop(f, node, name, &len);

	return !v ? dflt : len == 4 ? board_fdt_be32(v) : UINT32_MAX;
}

bool board_fdt_reg(const struct board_fdt *f, int node, int parent, uint32_t i, uint64_t *base,
		   uint64_t *size)
{
	uint32_t ac = board_fdt_u32(f, parent, "#address-cells", 2);
	uint32_t sc = board_fdt_u32(f, parent, "#size-cells", 1);
	uint32_t len;
	const uint8_t *reg = board_fdt_prop(f, node, "reg", &len);

	/* No parent (the root, or one too deep to find): no cells to read by.
	 * i below the entry count, so i times the stride stays below len. */
	if (parent < 0 || !reg || ac < 1 || ac > 2 || sc < 1 || sc > 2 || i >= len / ((ac + sc) * 4))
		return false;
	reg += i * (ac + sc) * 4;
	*base = board_fdt_cells(reg, ac);
	*size = board_fdt_cells(reg + ac * 4, sc);
	return true;
}

bool board_fdt_compatible(const struct board_fdt *f, int node, const char *compat)
{
	uint32_t len, i = 0;
	const char *s = board_fdt_prop(f, node, "compatible", &len);

	/* A list of strings, each with its NUL. */
	while (s && i < len) {
		if (str_at(s + i, len - i, compat))
			return true;
		while (i < len && s[i++])
			;
	}
	return false;
}

int board_fdt_parent(const struct board_fdt *f, int node)
{
	int path[BOARD_FDT_DEPTH_MAX], depth = 0;

	/* path[d]: the node at depth d on the way down to n. */
	for (int n = 0; n >= 0; n = board_fdt_next(f, n, &depth)) {
		if (depth >= BOARD_FDT_DEPTH_MAX)
			continue;
		path[depth] = n;
		if (n == node)
			return depth ? path[depth - 1] : -1;
	}
	return -1;
}

int board_fdt_by_phandle(const struct board_fdt *f, uint32_t phandle)
{
	int depth = 0;

	if (!phandle || phandle == UINT32_MAX)
		return -1;
	for (int n = 0; n >= 0; n = board_fdt_next(f, n, &depth))
		if (board_fdt_u32(f, n, "phandle", 0) == phandle)
			return n;
	return -1;
}
