/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bare-metal kernel's board-DTB walker (ports/baremetal/board_fdt.c):
 * QEMU virt's own blobs (tests/unit/board_fdt/, compiled by dtc at build
 * time) give exactly what the kernel reads from them, and hostile blobs
 * (truncated at every length, bad header fields, lengths and offsets past
 * their blocks, names without their NUL, deep nesting) give nothing, or
 * what the intact part says, and are never read outside. Each blob sits at
 * the very end of its own allocation, so under the asan preset a read
 * past it is an error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "board_fdt.h"

#ifndef BOARD_FDT_DTB_DIR
#error "BOARD_FDT_DTB_DIR: the directory of the compiled tests/unit/board_fdt/*.dts"
#endif

/* --- blobs ------------------------------------------------------------------------- */

struct blob {
	uint8_t *mem; /* the allocation, exactly the blob */
	uint8_t *b;
	uint32_t size;
};

/* A blob of `size` bytes copied from src into an allocation of exactly
 * that size (malloc aligns it). */
static struct blob blob_of(const void *src, uint32_t size)
{
	struct blob x;

	x.mem = malloc(size ? size : 1);
	assert_non_null(x.mem);
	x.b = x.mem;
	x.size = size;
	if (size)
		memcpy(x.b, src, size);
	return x;
}

static void blob_free(struct blob *x)
{
	free(x->mem);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint8_t *read_dtb(const char *name, uint32_t *size)
{
	char path[512];
	FILE *f;
	long n;
	uint8_t *buf;

	snprintf(path, sizeof(path), "%s/%s", BOARD_FDT_DTB_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 40 && n < 1 << 20);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (uint32_t)n;
	return buf;
}

/* A blob laid out as header, strings block, then the structure block cut
 * to st_len bytes, that one last: whatever the walker reads past the cut
 * is past the allocation. Its header says so (totalsize, sizes). */
static struct blob relayout(const uint8_t *dtb, uint32_t st_len, uint32_t str_len)
{
	uint32_t st = get32(dtb + 8), str = get32(dtb + 12);
	uint32_t size = 40 + ((str_len + 3) & ~3u) + st_len;
	uint8_t *tmp = calloc(1, size ? size : 1);
	struct blob x;

	assert_non_null(tmp);
	memcpy(tmp, dtb, 40);
	memcpy(tmp + 40, dtb + str, str_len);
	memcpy(tmp + size - st_len, dtb + st, st_len);
	put32(tmp + 4, size);
	put32(tmp + 8, size - st_len);
	put32(tmp + 12, 40);
	put32(tmp + 16, 40); /* the (empty) reserve map: not read */
	put32(tmp + 32, str_len);
	put32(tmp + 36, st_len);
	x = blob_of(tmp, size);
	free(tmp);
	return x;
}

/* --- what the kernel asks (vmconfig.c, riscv64/arch.c), over the walker ------------ */

/* The first memory node's first reg entry among the root's children: its
 * end, 0 if none. */
static uint64_t ram_end(const struct board_fdt *f)
{
	uint32_t len;
	uint64_t base, size;
	int node = 0, depth = 0;

	while ((node = board_fdt_next(f, node, &depth)) >= 0) {
		const char *type = board_fdt_prop(f, node, "device_type", &len);

		if (depth != 1 || !type || len != 7 || memcmp(type, "memory", 7))
			continue;
		if (board_fdt_reg(f, node, 0, 0, &base, &size))
			return base + size;
	}
	return 0;
}

/* The first SSWI node's SETSSIP base, and the hart of each of its
 * interrupts-extended entries (-1 where it names no cpu-intc under a cpu
 * node); the number of entries, -1 with no SSWI node. */
static int sswi_harts(const struct board_fdt *f, uint64_t *base, int64_t *hart, int max)
{
	int node = 0, depth = 0, n = 0;

	for (; node >= 0; node = board_fdt_next(f, node, &depth)) {
		uint32_t len, nirq, cells;
		uint64_t size;
		const uint8_t *irqs;

		if (!board_fdt_compatible(f, node, "riscv,aclint-sswi"))
			continue;
		irqs = board_fdt_prop(f, node, "interrupts-extended", &nirq);
		if (!board_fdt_reg(f, node, board_fdt_parent(f, node), 0, base, &size) || !irqs)
			return -1;
		for (uint32_t i = 0; i + 1 < nirq / 4 && n < max; i += 1 + cells, n++) {
			int intc = board_fdt_by_phandle(f, board_fdt_be32(irqs + 4 * i));
			int cpu = board_fdt_parent(f, intc);
			const uint8_t *r = board_fdt_prop(f, cpu, "reg", &len);

			cells = intc >= 0 ? board_fdt_u32(f, intc, "#interrupt-cells", 1) : 1;
			if (cells < 1 || cells > 3)
				break;
			hart[n] = board_fdt_compatible(f, intc, "riscv,cpu-intc") && r && len >= 4
					  ? (int64_t)board_fdt_be32(r + (len / 4 - 1) * 4)
					  : -1;
		}
		return n;
	}
	return -1;
}

/* --- QEMU's boards ----------------------------------------------------------------- */

static void test_board_fdt_reads_qemu_aarch64_virt(void **state)
{
	uint32_t size;
	uint8_t *dtb = read_dtb("qemu-virt-aarch64.dtb", &size);
	struct blob x = blob_of(dtb, size);
	struct board_fdt f;
	uint64_t base;
	int64_t hart[4];
	(void)state;

	assert_int_equal(board_fdt_open(&f, x.b, x.size), 0);
	/* memory@40000000, reg before device_type; -m 512M */
	assert_int_equal(ram_end(&f), 0x40000000ull + 0x20000000ull);
	assert_int_equal(sswi_harts(&f, &base, hart, 4), -1);
	/* The limit is the caller's: one byte short refuses the blob. */
	assert_int_equal(board_fdt_open(&f, x.b, x.size - 1), -1);
	blob_free(&x);
	free(dtb);
}

static void test_board_fdt_reads_qemu_riscv64_virt(void **state)
{
	uint32_t size;
	uint8_t *dtb = read_dtb("qemu-virt-riscv64.dtb", &size);
	struct blob x = blob_of(dtb, size);
	struct board_fdt f;
	uint64_t base = 0;
	int64_t hart[4];
	int cpus, cpu0, intc0, depth = 0, n;
	(void)state;

	assert_int_equal(board_fdt_open(&f, x.b, x.size), 0);
	assert_int_equal(ram_end(&f), 0x80000000ull + 0x20000000ull);
	/* interrupts-extended = <&cpu0-intc 1 &cpu1-intc 1>, phandles 4, 2 */
	assert_int_equal(sswi_harts(&f, &base, hart, 4), 2);
	assert_int_equal(base, 0x2f00000);
	assert_int_equal(hart[0], 0);
	assert_int_equal(hart[1], 1);

	/* The primitives on the same blob: /cpus/cpu@0/interrupt-controller. */
	intc0 = board_fdt_by_phandle(&f, 4);
	assert_true(intc0 > 0);
	assert_true(board_fdt_compatible(&f, intc0, "riscv,cpu-intc"));
	assert_false(board_fdt_compatible(&f, intc0, "riscv,cpu"));
	assert_false(board_fdt_compatible(&f, intc0, "riscv,cpu-intc-x"));
	assert_int_equal(board_fdt_u32(&f, intc0, "#interrupt-cells", 7), 1);
	assert_int_equal(board_fdt_u32(&f, intc0, "no-such-property", 7), 7);
	/* "compatible" is a string list, never a one-cell property */
	assert_int_equal(board_fdt_u32(&f, intc0, "compatible", 7), UINT32_MAX);
	cpu0 = board_fdt_parent(&f, intc0);
	assert_int_equal(board_fdt_by_phandle(&f, 3), cpu0);
	cpus = board_fdt_parent(&f, cpu0);
	assert_int_equal(board_fdt_parent(&f, cpus), 0);
	assert_int_equal(board_fdt_parent(&f, 0), -1);
	assert_int_equal(board_fdt_u32(&f, cpus, "#address-cells", 0), 1);
	assert_int_equal(board_fdt_by_phandle(&f, 0), -1);
	assert_int_equal(board_fdt_by_phandle(&f, UINT32_MAX), -1);
	assert_int_equal(board_fdt_by_phandle(&f, 0x7777), -1);
	/* Not a node: nothing, never a read. */
	assert_null(board_fdt_prop(&f, -1, "reg", &size));
	assert_null(board_fdt_prop(&f, 4, "reg", &size));
	assert_int_equal(board_fdt_parent(&f, 4), -1);
	assert_int_equal(board_fdt_next(&f, -1, &depth), -1);
	/* Depth-first order: cpus's first child is cpu@0 at depth 2. */
	depth = 1;
	n = board_fdt_next(&f, cpus, &depth);
	assert_int_equal(depth, 2);
	assert_int_equal(n, cpu0);
	blob_free(&x);
	free(dtb);
}

/* --- truncation -------------------------------------------------------------------- */

/* Every blob shorter than its header says, at every length, is refused;
 * then every cut of its structure block (the header made to agree) reads
 * nothing until the cut passes what the answer needs, and the whole
 * answer from then on. */
static void truncate_every_length(const char *name, uint64_t want_ram, int want_harts)
{
	uint32_t size, st_size, str_size;
	uint8_t *dtb = read_dtb(name, &size);
	struct board_fdt f;
	bool ram_seen = false, harts_seen = false;

	for (uint32_t len = 0; len < size; len++) {
		struct blob x = blob_of(dtb, len);

		assert_int_equal(board_fdt_open(&f, x.b, len), -1);
		blob_free(&x);
	}
	st_size = get32(dtb + 36);
	str_size = get32(dtb + 32);
	for (uint32_t len = 0; len <= st_size; len++) {
		struct blob x = relayout(dtb, len, str_size);
		uint64_t base = 0;
		int64_t hart[4] = { 0 };
		int rc = board_fdt_open(&f, x.b, x.size), n;

		/* the structure block holds at least one token */
		assert_int_equal(rc, len >= 4 ? 0 : -1);
		if (rc) {
			blob_free(&x);
			continue;
		}
		uint64_t ram = ram_end(&f);
		assert_true(ram == 0 || ram == want_ram);
		assert_false(ram_seen && !ram);
		ram_seen = ram != 0;
		n = sswi_harts(&f, &base, hart, 4);
		if (n == want_harts && n > 0 && hart[n - 1] == n - 1)
			harts_seen = true;
		else
			assert_false(harts_seen);
		blob_free(&x);
	}
	assert_true(ram_seen);
	assert_int_equal(harts_seen, want_harts > 0);
	/* The strings block cut: a property name running off its end is no
	 * match; the whole block gives the whole answer. */
	for (uint32_t len = 0; len <= str_size; len++) {
		struct blob x = relayout(dtb, st_size, len);

		if (board_fdt_open(&f, x.b, x.size) == 0) {
			uint64_t ram = ram_end(&f);

			assert_true(ram == 0 || ram == want_ram);
			assert_true(len < str_size || ram == want_ram);
		}
		blob_free(&x);
	}
	free(dtb);
}

static void test_board_fdt_truncated_at_every_length(void **state)
{
	(void)state;
	truncate_every_length("qemu-virt-aarch64.dtb", 0x60000000ull, -1);
	truncate_every_length("qemu-virt-riscv64.dtb", 0xa0000000ull, 2);
}

/* Every byte of the RISC-V blob set to values a hostile blob would use:
 * whatever it reads, the walker stays inside the blob (asan) and ends. */
static void test_board_fdt_every_byte_corrupted(void **state)
{
	static const uint8_t values[] = { 0x00, 0x01, 0x03, 0x04, 0x09, 0x7f, 0xff };
	uint32_t size;
	uint8_t *dtb = read_dtb("qemu-virt-riscv64.dtb", &size);
	(void)state;

	for (uint32_t at = 0; at < size; at++) {
		for (size_t v = 0; v < sizeof(values); v++) {
			struct blob x = blob_of(dtb, size);
			struct board_fdt f;
			uint64_t base;
			int64_t hart[4];

			if (x.b[at] == values[v]) {
				blob_free(&x);
				continue;
			}
			x.b[at] = values[v];
			if (board_fdt_open(&f, x.b, x.size) == 0) {
				(void)ram_end(&f);
				(void)sswi_harts(&f, &base, hart, 4);
			}
			blob_free(&x);
		}
	}
	free(dtb);
}

/* --- hand-made blobs ---------------------------------------------------------------- */

#define T_BEGIN 1u
#define T_END_NODE 2u
#define T_PROP 3u
#define T_NOP 4u
#define T_END 9u

/* A blob being written: structure cells, then the strings "a\0reg\0phandle\0compatible\0". */
struct mk {
	uint8_t st[4096];
	uint32_t n;
};

static const char mk_strings[] = "a\0reg\0phandle\0compatible\0#address-cells\0#size-cells";
#define S_A 0u
#define S_REG 2u
#define S_PHANDLE 6u
#define S_COMPAT 14u
#define S_CELLS 25u
#define S_SIZE_CELLS 40u

static void mk_cell(struct mk *m, uint32_t v)
{
	assert_true(m->n + 4 <= sizeof(m->st));
	put32(m->st + m->n, v);
	m->n += 4;
}

static void mk_begin(struct mk *m, const char *name)
{
	uint32_t len = (uint32_t)strlen(name) + 1;

	mk_cell(m, T_BEGIN);
	memset(m->st + m->n, 0, (len + 3) & ~3u);
	memcpy(m->st + m->n, name, len);
	m->n += (len + 3) & ~3u;
}

static void mk_prop(struct mk *m, uint32_t nameoff, const void *v, uint32_t len)
{
	mk_cell(m, T_PROP);
	mk_cell(m, len);
	mk_cell(m, nameoff);
	memset(m->st + m->n, 0, (len + 3) & ~3u);
	if (len)
		memcpy(m->st + m->n, v, len);
	m->n += (len + 3) & ~3u;
}

static void mk_u32(struct mk *m, uint32_t nameoff, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	mk_prop(m, nameoff, b, 4);
}

/* The blob: header, strings (str_len of them), structure last. */
static struct blob mk_blob(const struct mk *m, uint32_t str_len)
{
	uint32_t str_pad = (str_len + 3) & ~3u, size = 40 + str_pad + m->n;
	uint8_t *tmp = calloc(1, size);
	struct blob x;

	assert_non_null(tmp);
	put32(tmp, 0xd00dfeed);
	put32(tmp + 4, size);
	put32(tmp + 8, 40 + str_pad);
	put32(tmp + 12, 40);
	put32(tmp + 16, 40);
	put32(tmp + 20, 17);
	put32(tmp + 24, 16);
	put32(tmp + 32, str_len);
	put32(tmp + 36, m->n);
	memcpy(tmp + 40, mk_strings, str_len);
	memcpy(tmp + 40 + str_pad, m->st, m->n);
	x = blob_of(tmp, size);
	free(tmp);
	return x;
}

/* / { a = <1>; n { phandle = <5>; compatible = "x\0y"; m { reg = <7>; }; }; }; */
static void mk_small(struct mk *m)
{
	m->n = 0;
	mk_begin(m, "");
	mk_u32(m, S_A, 1);
	mk_begin(m, "n");
	mk_cell(m, T_NOP);
	mk_u32(m, S_PHANDLE, 5);
	mk_prop(m, S_COMPAT, "x\0y", 4);
	mk_begin(m, "m");
	mk_u32(m, S_REG, 7);
	mk_cell(m, T_END_NODE);
	mk_cell(m, T_END_NODE);
	mk_cell(m, T_END_NODE);
	mk_cell(m, T_END);
}

static void test_board_fdt_small_blob(void **state)
{
	struct mk m;
	struct blob x;
	struct board_fdt f;
	int depth = 0, n, mm;
	uint32_t len;
	(void)state;

	mk_small(&m);
	x = mk_blob(&m, sizeof(mk_strings));
	assert_int_equal(board_fdt_open(&f, x.b, x.size), 0);
	assert_int_equal(board_fdt_u32(&f, 0, "a", 0), 1);
	n = board_fdt_next(&f, 0, &depth);
	assert_int_equal(depth, 1);
	/* the NOP before phandle is stepped over */
	assert_int_equal(board_fdt_by_phandle(&f, 5), n);
	assert_true(board_fdt_compatible(&f, n, "x"));
	assert_true(board_fdt_compatible(&f, n, "y"));
	assert_false(board_fdt_compatible(&f, n, ""));
	assert_false(board_fdt_compatible(&f, 0, "x"));
	mm = board_fdt_next(&f, n, &depth);
	assert_int_equal(depth, 2);
	assert_int_equal(board_fdt_parent(&f, mm), n);
	assert_int_equal(board_fdt_u32(&f, mm, "reg", 0), 7);
	/* A node's properties are its own: n's are not m's, m's not n's. */
	assert_null(board_fdt_prop(&f, n, "reg", &len));
	assert_null(board_fdt_prop(&f, mm, "phandle", &len));
	assert_int_equal(board_fdt_next(&f, mm, &depth), -1);
	/* Not a node's offset (a property's): nothing. */
	assert_null(board_fdt_prop(&f, 8, "a", &len));
	assert_int_equal(board_fdt_next(&f, 8, &depth), -1);
	blob_free(&x);
}

/* Each header field out of its range refuses the blob. */
static void test_board_fdt_bad_headers(void **state)
{
	static const struct {
		uint32_t at, value;
	} bad[] = {
		{ 0, 0xd00dfeee },  /* magic */
		{ 4, 0xffffffff },  /* totalsize over the limit */
		{ 8, 0xffffff00 },  /* structure block outside */
		{ 8, 42 },          /* ... misaligned */
		{ 12, 0xfffffff0 }, /* strings block outside */
		{ 20, 16 },         /* version before size_dt_struct */
		{ 24, 18 },         /* last compatible version after 17 */
		{ 32, 0x10000 },    /* strings block past the end */
		{ 36, 0x10000 },    /* structure block past the end */
		{ 36, 0xfffffffc }, /* ... by wrapping */
		{ 36, 0 },          /* no token at all */
	};
	struct mk m;
	struct board_fdt f;
	(void)state;

	mk_small(&m);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct blob x = mk_blob(&m, sizeof(mk_strings));

		put32(x.b + bad[i].at, bad[i].value);
		assert_int_equal(board_fdt_open(&f, x.b, x.size), -1);
		blob_free(&x);
	}
	/* A later version that reads as 17 is fine; no blob, a misaligned one,
	 * a limit under the header, are not. */
	struct blob x = mk_blob(&m, sizeof(mk_strings));
	put32(x.b + 20, 18);
	assert_int_equal(board_fdt_open(&f, x.b, x.size), 0);
	assert_int_equal(board_fdt_open(&f, NULL, x.size), -1);
	assert_int_equal(board_fdt_open(&f, x.b, 39), -1);
	uint8_t *mis = malloc(x.size + 1);
	assert_non_null(mis);
	memcpy(mis + 1, x.b, x.size);
	assert_int_equal(board_fdt_open(&f, mis + 1, x.size), -1);
	free(mis);
	blob_free(&x);
}

/* Lengths and offsets the blob lies about, one at a time. */
static void test_board_fdt_bad_tokens(void **state)
{
	struct mk m;
	struct blob x;
	struct board_fdt f;
	uint32_t len;
	int depth = 0;
	(void)state;

	/* A property longer than the structure block: not found, and the
	 * walk ends there. */
	m.n = 0;
	mk_begin(&m, "");
	mk_cell(&m, T_PROP);
	mk_cell(&m, 9);
	mk_cell(&m, S_A);
	mk_cell(&m, 0);
	x = mk_blob(&m, sizeof(mk_strings));
	assert_int_equal(board_fdt_open(&f, x.b, x.size), 0);
	assert_null(board_fdt_prop(&f, 0, "a", &len));
	assert_int_equal(board_fdt_next(&f, 0, &depth), -1);
	blob_free(&x);
	/* ... by wrapping: 0xfffffffc + 8 would be 4. */
	m.n = 0;
	mk_begin(&m, "");
	mk_cell(&m, T_PROP);
	mk_cell(&m, 0xfffffffc);
	mk_cell(&m, S_A);
	mk_u32(&m, S_REG, 1);
	x = mk_blob(&m, sizeof(mk_strings));
	assert_int_equal(board_fdt_open(&f, x.b, x.size), 0);
	assert_null(board_fdt_prop(&f, 0, "a", &len));
	assert_null(board_fdt_prop(&f, 0, "reg", &len));
	blob_free(&x);
	/* A property cut in its header (len and nameoff): not read. */
	m.n = 0;
	mk_begin(&m, "");
	mk_cell(&m, T_PROP);
	mk_cell(&m, 0);
	x = mk_blob(&m, sizeof(mk_strings));
	assert_int_equal(board_fdt_open(&f, x.b, x.size), 0);
	assert_null(board_fdt_prop(&f, 0, "a", &len));
	blob_free(&x);
	/* A node name without its NUL before the block's end. */
	m.n = 0;
	mk_begin(&m, "");
	mk_cell(&m, T_BEGIN);
	memcpy(m.st + m.n, "abcdefgh", 8);
	m.n += 8;
	x = mk_blob(&m, sizeof(mk_strings));
	assert_int_equal(board_fdt_open(&f, x.b, x.size), 0);
	assert_int_equal(board_fdt_next(&f, 0, &depth), -1);
	blob_free(&x);
	/* Property names: an offset at or past the strings block's end, one
	 * whose string runs off the end without a NUL. Each is no match; the
	 * good property after them still is. */
	m.n = 0;
	mk_begin(&m, "");
	mk_u32(&m, sizeof(mk_strings), 1);
	mk_u32(&m, 0xffffffff, 2);
	mk_u32(&m, S_CELLS, 3);
	mk_u32(&m, S_REG, 4);
	mk_cell(&m, T_END_NODE);
	mk_cell(&m, T_END);
	/* the strings cut inside "#address-cells" */
	x = mk_blob(&m, S_CELLS + 5);
	assert_int_equal(board_fdt_open(&f, x.b, x.size), 0);
	assert_null(board_fdt_prop(&f, 0, "#address-cells", &len));
	assert_null(board_fdt_prop(&f, 0, "#add", &len));
	assert_int_equal(board_fdt_u32(&f, 0, "reg", 0), 4);
	blob_free(&x);
	/* A compatible list whose last string has no NUL, at the very end of
	 * the blob: no match on it, nor a read past it. */
	m.n = 0;
	mk_begin(&m, "");
	mk_prop(&m, S_COMPAT, "ab\0cdefg", 8);
	x = mk_blob(&m, sizeof(mk_strings));
	assert_int_equal(board_fdt_open(&f, x.b, x.size), 0);
	assert_true(board_fdt_compatible(&f, 0, "ab"));
	assert_false(board_fdt_compatible(&f, 0, "cdefg"));
	assert_false(board_fdt_compatible(&f, 0, "c"));
	assert_false(board_fdt_compatible(&f, 0, "x"));
	blob_free(&x);
	/* An unknown token, and FDT_END inside the root: the walk ends. */
	for (uint32_t t = 0; t < 2; t++) {
		m.n = 0;
		mk_begin(&m, "");
		mk_cell(&m, t ? T_END : 0x77);
		mk_begin(&m, "n");
		mk_cell(&m, T_END_NODE);
		mk_cell(&m, T_END_NODE);
		x = mk_blob(&m, sizeof(mk_strings));
		assert_int_equal(board_fdt_open(&f, x.b, x.size), 0);
		depth = 0;
		assert_int_equal(board_fdt_next(&f, 0, &depth), -1);
		blob_free(&x);
	}
}

/* Nodes nested 40 deep: the walk goes through them without recursing;
 * the parent of a node is found down to depth BOARD_FDT_DEPTH_MAX - 1,
 * and for a node after the deep ones again. */
static void test_board_fdt_deep_nesting(void **state)
{
	struct mk m;
	struct blob x;
	struct board_fdt f;
	int node[41], depth = 0, after;
	(void)state;

	m.n = 0;
	mk_begin(&m, "");
	for (int d = 1; d <= 40; d++)
		mk_begin(&m, "d");
	for (int d = 1; d <= 40; d++)
		mk_cell(&m, T_END_NODE);
	mk_begin(&m, "after");
	mk_cell(&m, T_END_NODE);
	mk_cell(&m, T_END_NODE);
	mk_cell(&m, T_END);
	x = mk_blob(&m, sizeof(mk_strings));
	assert_int_equal(board_fdt_open(&f, x.b, x.size), 0);
	node[0] = 0;
	for (int d = 1; d <= 40; d++) {
		node[d] = board_fdt_next(&f, node[d - 1], &depth);
		assert_int_equal(depth, d);
	}
	after = board_fdt_next(&f, node[40], &depth);
	assert_true(after > node[40]);
	assert_int_equal(depth, 1);
	assert_int_equal(board_fdt_next(&f, after, &depth), -1);
	for (int d = 1; d < BOARD_FDT_DEPTH_MAX; d++)
		assert_int_equal(board_fdt_parent(&f, node[d]), node[d - 1]);
	for (int d = BOARD_FDT_DEPTH_MAX; d <= 40; d++)
		assert_int_equal(board_fdt_parent(&f, node[d]), -1);
	assert_int_equal(board_fdt_parent(&f, after), 0);
	blob_free(&x);
	/* Unbalanced: the root never ends. The walk stops at the block's end. */
	m.n = 0;
	mk_begin(&m, "");
	for (int d = 1; d <= 40; d++)
		mk_begin(&m, "d");
	x = mk_blob(&m, sizeof(mk_strings));
	assert_int_equal(board_fdt_open(&f, x.b, x.size), 0);
	depth = 0;
	int n = 0, count = 0;
	while ((n = board_fdt_next(&f, n, &depth)) >= 0)
		count++;
	assert_int_equal(count, 40);
	assert_int_equal(board_fdt_by_phandle(&f, 1), -1);
	blob_free(&x);
}

/* / { [#address-cells = <ac>;] [#size-cells = <sc>;] n { reg = <cells>; }; };
 * (0: the property left out), opened into *f; n's offset. */
static int mk_reg_blob(struct blob *x, struct board_fdt *f, uint32_t ac, uint32_t sc,
		       const uint32_t *cells, uint32_t ncells)
{
	struct mk m;
	uint8_t reg[64];
	int depth = 0;

	assert_true(ncells * 4 <= sizeof(reg));
	for (uint32_t i = 0; i < ncells; i++)
		put32(reg + 4 * i, cells[i]);
	m.n = 0;
	mk_begin(&m, "");
	if (ac)
		mk_u32(&m, S_CELLS, ac);
	if (sc)
		mk_u32(&m, S_SIZE_CELLS, sc);
	mk_begin(&m, "n");
	mk_prop(&m, S_REG, reg, ncells * 4);
	mk_cell(&m, T_END_NODE);
	mk_cell(&m, T_END_NODE);
	mk_cell(&m, T_END);
	*x = mk_blob(&m, sizeof(mk_strings));
	assert_int_equal(board_fdt_open(f, x->b, x->size), 0);
	return board_fdt_next(f, 0, &depth);
}

/* reg entries in the parent's cells: 2 + 1 when it says nothing, 1 + 1
 * and 2 + 2 as it says; other cell counts, a short last entry, an entry
 * index past the end (however large) and no parent read nothing. */
static void test_board_fdt_reg_entries(void **state)
{
	static const uint32_t one_one[] = { 0x1000, 0x100, 0x2000, 0x200, 0x3000 };
	static const uint32_t two_one[] = { 0, 0x8000, 0x10, 1, 0, 0x20 };
	static const uint32_t two_two[] = { 1, 2, 3, 4 };
	struct blob x;
	struct board_fdt f;
	uint64_t base = 0, size = 0;
	int n;
	(void)state;

	n = mk_reg_blob(&x, &f, 1, 1, one_one, 5);
	assert_true(board_fdt_reg(&f, n, 0, 0, &base, &size));
	assert_int_equal(base, 0x1000);
	assert_int_equal(size, 0x100);
	assert_true(board_fdt_reg(&f, n, 0, 1, &base, &size));
	assert_int_equal(base, 0x2000);
	assert_int_equal(size, 0x200);
	assert_false(board_fdt_reg(&f, n, 0, 2, &base, &size)); /* one cell left */
	assert_false(board_fdt_reg(&f, n, 0, UINT32_MAX, &base, &size));
	assert_false(board_fdt_reg(&f, n, -1, 0, &base, &size));
	assert_false(board_fdt_reg(&f, 0, 0, 0, &base, &size)); /* the root has no reg */
	blob_free(&x);

	n = mk_reg_blob(&x, &f, 0, 0, two_one, 6);
	assert_true(board_fdt_reg(&f, n, 0, 1, &base, &size));
	assert_int_equal(base, 0x100000000ull);
	assert_int_equal(size, 0x20);
	blob_free(&x);

	n = mk_reg_blob(&x, &f, 2, 2, two_two, 4);
	assert_true(board_fdt_reg(&f, n, 0, 0, &base, &size));
	assert_int_equal(base, 0x100000002ull);
	assert_int_equal(size, 0x300000004ull);
	assert_false(board_fdt_reg(&f, n, 0, 1, &base, &size));
	blob_free(&x);

	for (uint32_t bad = 0; bad < 2; bad++) {
		base = size = 7;
		n = mk_reg_blob(&x, &f, bad ? 3 : 1, bad ? 1 : UINT32_MAX, one_one, 5);
		assert_false(board_fdt_reg(&f, n, 0, 0, &base, &size));
		assert_int_equal(base, 7); /* nothing written */
		assert_int_equal(size, 7);
		blob_free(&x);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_board_fdt_reads_qemu_aarch64_virt),
		cmocka_unit_test(test_board_fdt_reads_qemu_riscv64_virt),
		cmocka_unit_test(test_board_fdt_truncated_at_every_length),
		cmocka_unit_test(test_board_fdt_every_byte_corrupted),
		cmocka_unit_test(test_board_fdt_small_blob),
		cmocka_unit_test(test_board_fdt_bad_headers),
		cmocka_unit_test(test_board_fdt_bad_tokens),
		cmocka_unit_test(test_board_fdt_deep_nesting),
		cmocka_unit_test(test_board_fdt_reg_entries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
