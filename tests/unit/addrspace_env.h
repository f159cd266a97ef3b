/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the addrspace tests: the Linux HAL under the counting fault HAL,
 * the format list, and a raw table walker that reads descriptors the way
 * the hardware would (written from the manuals, not from pt.c). */
#ifndef AXVM_TEST_ADDRSPACE_ENV_H
#define AXVM_TEST_ADDRSPACE_ENV_H

#include <axvm/axvm.h>
#include <stdlib.h>
#include <string.h>

#include "test_env.h"

/* The HAL half of the shared test environment: no host, no backend. */
#define as_env test_env

static inline int as_env_init(struct as_env *e)
{
	return test_env_init_hal(e);
}

/* Allocations still live (0 = nothing leaked); the port is closed. */
static inline long as_env_fini(struct as_env *e)
{
	return test_env_fini(e);
}

/* How a test walks a format by hand. */
struct as_geo {
	const struct axvm_pt_format *fmt;
	const char *name;
	unsigned levels;       /* root at levels-1; level l maps 2^(12+9l) */
	unsigned root_entries; /* concatenated root */
	int family;            /* AS_ARM, AS_RISCV, AS_X86 */
};

enum { AS_ARM, AS_RISCV, AS_X86 };

static const struct as_geo as_geos[] = {
	{ &axvm_pt_arm_s2_4k_ipa40, "arm-s2-4k-ipa40", 3, 1024, AS_ARM },
	{ &axvm_pt_arm_s2_4k_ipa48, "arm-s2-4k-ipa48", 4, 512, AS_ARM },
	{ &axvm_pt_riscv_sv39x4, "riscv-sv39x4", 3, 2048, AS_RISCV },
	{ &axvm_pt_riscv_sv48x4, "riscv-sv48x4", 4, 2048, AS_RISCV },
	{ &axvm_pt_x86_ept4, "x86-ept4", 4, 512, AS_X86 },
	{ &axvm_pt_amd_npt4, "amd-npt4", 4, 512, AS_X86 },
};
#define AS_NGEOS (sizeof(as_geos) / sizeof(as_geos[0]))

/* Next-level table address held in a table descriptor. */
static inline uint64_t as_next(const struct as_geo *g, uint64_t e)
{
	switch (g->family) {
	case AS_ARM: /* OA[47:12] */
		return e & 0x0000fffffffff000ull;
	case AS_RISCV: /* PPN[43:0] in bits 53:10 */
		return ((e >> 10) & ((1ull << 44) - 1)) << 12;
	default: /* x86: bits 51:12 */
		return e & 0x000ffffffffff000ull;
	}
}

static inline uint64_t as_index(const struct as_geo *g, uint64_t gpa,
				unsigned l)
{
	uint64_t n = l == g->levels - 1 ? g->root_entries : 512;
	return (gpa >> (12 + 9 * l)) & (n - 1);
}

/* Pointer to the level-`l` descriptor for gpa, following table descriptors
 * from the root, or NULL if the walk meets an invalid entry or a leaf
 * first (only table descriptors are followed above l). */
static inline uint64_t *as_raw(const struct as_geo *g, uint64_t root,
			       uint64_t gpa, unsigned l)
{
	uint64_t *t = (uint64_t *)(uintptr_t)root; /* Linux HAL: pa == va */

	for (unsigned lv = g->levels - 1;; lv--) {
		uint64_t *slot = &t[as_index(g, gpa, lv)];
		if (lv == l)
			return slot;
		if (!*slot)
			return NULL;
		t = (uint64_t *)(uintptr_t)as_next(g, *slot);
	}
}

#endif
