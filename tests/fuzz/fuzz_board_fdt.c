/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: any bytes as the bare-metal kernel's board DTB
 * (ports/baremetal/board_fdt.c). The walker must not crash, read outside
 * the blob or loop, every property it returns must lie inside the blob,
 * and on a blob libfdt's fdt_check_full() also accepts it must agree with
 * libfdt: the same nodes in the same order at the same depths, the same
 * properties, parents, phandle targets and compatible matches. */
#include <libfdt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board_fdt.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"reg", "compatible", "phandle", "#address-cells", "#size-cells", "status",
	"device_type", "interrupts-extended", "#interrupt-cells", "linux,phandle",
};
static const char *const compats[] = { "riscv,cpu-intc", "riscv,aclint-sswi", "riscv", "virtio,mmio" };

/* Whether [p, p + len) lies inside the blob. */
static bool inside(const uint8_t *b, size_t size, const void *p, size_t len)
{
	const uint8_t *q = p;

	return q >= b && q <= b + size && len <= (size_t)(b + size - q);
}

/* What the kernel asks (vmconfig.c, riscv64/arch.c), for crashes only. */
static void kernel_queries(const struct board_fdt *f)
{
	int node = 0, depth = 0;

	for (; node >= 0; node = board_fdt_next(f, node, &depth)) {
		uint32_t len, nirq;
		const uint8_t *irqs;

		uint64_t base, size;

		(void)board_fdt_prop(f, node, "device_type", &len);
		for (uint32_t i = 0; i < 4 && board_fdt_reg(f, node, board_fdt_parent(f, node), i,
							    &base, &size); i++)
			;
		if (!board_fdt_compatible(f, node, "riscv,aclint-sswi"))
			continue;
		irqs = board_fdt_prop(f, node, "interrupts-extended", &nirq);
		for (uint32_t i = 0; irqs && i < nirq / 4; i += 2) {
			int intc = board_fdt_by_phandle(f, board_fdt_be32(irqs + 4 * i));

			(void)board_fdt_compatible(f, intc, "riscv,cpu-intc");
			(void)board_fdt_prop(f, board_fdt_parent(f, intc), "reg", &len);
		}
	}
}

/* Whether libfdt steps over a property of length >= 2^31 here: its
 * fdt_next_tag() adds the length to an int, so it goes on at a wrong
 * offset (and fdt_check_full() lets the blob pass), where the walker
 * refuses the property. No comparison on such a blob. */
static bool libfdt_wraps(const uint8_t *b)
{
	int off = 0, next;
	uint32_t tag;

	while ((tag = fdt_next_tag(b, off, &next)) != FDT_END) {
		if (next <= off)
			return true;
		if (tag == FDT_PROP &&
		    fdt32_ld((const fdt32_t *)(b + fdt_off_dt_struct(b) + off + 4)) >= 0x80000000u)
			return true;
		off = next;
	}
	return false;
}

/* The walker against libfdt on a blob both accept. */
static void against_libfdt(const struct board_fdt *f, const uint8_t *b)
{
	int node = 0, depth = 0, lnode = 0, ldepth = 0;
	bool legacy = false;

	/* libfdt takes "linux,phandle" where "phandle" is missing; the
	 * walker does not (QEMU and dtc write "phandle"). */
	for (int n = 0; n >= 0; n = fdt_next_node(b, n, NULL))
		legacy |= fdt_getprop(b, n, "linux,phandle", NULL) != NULL;
	for (; node >= 0; node = board_fdt_next(f, node, &depth)) {
		CHECK(node == lnode && depth == ldepth);
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			uint32_t len = 0;
			int llen = 0;
			const void *v = board_fdt_prop(f, node, names[i], &len);
			const void *lv = fdt_getprop(b, node, names[i], &llen);

			CHECK(v == lv);
			CHECK(!v || (int)len == llen);
			if (i == 2 && v && len == 4 && !legacy) {
				uint32_t ph = board_fdt_be32(v);

				CHECK(board_fdt_by_phandle(f, ph) ==
				      (ph && ph != UINT32_MAX ? fdt_node_offset_by_phandle(b, ph) : -1));
			}
			if (i == 1 && v && len && ((const char *)v)[len - 1] == '\0') {
				for (size_t k = 0; k < sizeof(compats) / sizeof(compats[0]); k++)
					CHECK(board_fdt_compatible(f, node, compats[k]) ==
					      (fdt_node_check_compatible(b, node, compats[k]) == 0));
			}
		}
		if (depth < BOARD_FDT_DEPTH_MAX) {
			int lp = fdt_parent_offset(b, node);

			CHECK(board_fdt_parent(f, node) == (lp < 0 ? -1 : lp));
		}
		/* After the root's end libfdt gives depth -1 (and the offset
		 * there), the walker -1. */
		lnode = fdt_next_node(b, lnode, &ldepth);
		if (ldepth < 0)
			lnode = -1;
	}
	CHECK(lnode < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct board_fdt f;
	uint8_t *b;
	int node = 0, depth = 0;

	if (size > BOARD_DTB_MAX)
		return 0;
	/* An allocation of exactly the blob's size (malloc aligns it). */
	b = malloc(size ? size : 1);
	if (!b)
		return 0;
	if (size)
		memcpy(b, data, size);
	if (board_fdt_open(&f, b, (uint32_t)size)) {
		free(b);
		return 0;
	}
	CHECK(inside(b, size, f.st, f.st_size) && inside(b, size, f.str, f.str_size));
	for (; node >= 0; node = board_fdt_next(&f, node, &depth)) {
		CHECK(depth >= 0 && (uint32_t)node < f.st_size);
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			uint32_t len;
			const void *v = board_fdt_prop(&f, node, names[i], &len);

			CHECK(!v || inside(f.st, f.st_size, v, len));
		}
	}
	kernel_queries(&f);
	if (fdt_check_full(b, size) == 0 && !libfdt_wraps(b))
		against_libfdt(&f, b);
	free(b);
	return 0;
}
