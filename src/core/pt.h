/* SPDX-License-Identifier: Apache-2.0 */
/* The generic stage-2 page-table engine: one multi-level walker driven by a
 * format descriptor. Core-private; the public face is addrspace.h. */
#ifndef AXVM_CORE_PT_H
#define AXVM_CORE_PT_H

#include <axvm/addrspace.h>

/* Levels count from the leaf up: a level-l entry maps 2^(12 + 9l) bytes
 * (4 KiB, 2 MiB, 1 GiB, 512 GiB). The root table sits at level levels-1. */
#define PT_MAX_LEVELS 4u
#define PT_LEAF_LEVELS 3u /* 4 KiB, 2 MiB, 1 GiB leaves */
#define PT_ENTRIES 512u
#define PT_SHIFT(l) (12u + 9u * (unsigned)(l))
#define PT_SIZE(l) ((uint64_t)1 << PT_SHIFT(l))

/*
 * Everything the walker knows about an architecture is data here, plus one
 * function for the root register. Descriptor bits are written as masks so a
 * new format is a table entry, not new walker code.
 */
struct axvm_pt_format {
	const char *name;
	uint8_t ia_bits;     /* guest-physical bits translated */
	uint8_t oa_bits;     /* host-physical bits a descriptor can hold */
	uint8_t levels;      /* tables walked, root included */
	uint8_t root_pages;  /* concatenated 4 KiB tables forming the root */
	uint8_t leaf_levels; /* bit l: a leaf may sit at level l */
	uint8_t addr_lsb;    /* descriptor bit holding address bit 12 */
	uint8_t perm_ok;     /* bit (R | W<<1 | X<<2): combination encodable */
	uint64_t valid;      /* any of these bits set: entry present */
	/* Above level 0 an entry is a table iff (e & table_mask) == table_match. */
	uint64_t table_mask;
	uint64_t table_match;
	uint64_t table_bits; /* set in every table descriptor */
	uint64_t leaf_bits[PT_LEAF_LEVELS]; /* set in every leaf, per level */
	uint64_t perm_r, perm_w, perm_x; /* set to grant the access */
	uint64_t perm_xn;    /* set to forbid execution (ARM XN, x86 NX) */
	uint64_t attr_mask;  /* memory-type field */
	uint64_t attr_normal, attr_uncached, attr_device;
	uint64_t control;    /* companion control register (VTCR_EL2) or 0 */
	int (*root_reg)(const struct axvm_pt_format *fmt, axvm_hpa_t root,
			uint32_t vmid, uint64_t *out);
};

/* What a walk found at one address. */
struct pt_leaf {
	axvm_hpa_t hpa;   /* host-physical address of the gpa asked for */
	uint32_t flags;   /* AXVM_MEM_* the descriptor encodes */
	unsigned level;   /* leaf level: its size is PT_SIZE(level) */
};

typedef void (*pt_flush_fn)(void *ctx, axvm_gpa_t gpa, uint64_t size);
/* Does the engine own the frame behind the 4 KiB leaf at `gpa` (lazy
 * memory)? Owned frames are freed when their leaf goes away. */
typedef bool (*pt_owns_fn)(void *ctx, axvm_gpa_t gpa);

struct pt {
	const struct axvm_pt_format *fmt;
	const struct axvm_hal *hal;
	axvm_hpa_t root;
	uint64_t table_pages; /* live table pages, root included */
	pt_flush_fn flush;
	void *flush_ctx;
	pt_owns_fn owns;
	void *owns_ctx;
};

/* Allocate the root. The engine is not thread-safe: callers serialise. */
int pt_init(struct pt *pt, const struct axvm_hal *hal,
	    const struct axvm_pt_format *fmt);
/* Free every table and every owned frame. Calls no flush (the VM is gone). */
void pt_fini(struct pt *pt);

/* 0 if `flags` (AXVM_MEM_*) can be encoded by the format. */
int pt_check_flags(const struct axvm_pt_format *fmt, uint32_t flags);
/* 0 if [gpa, gpa+size) is page aligned, non-empty and translatable. */
int pt_check_range(const struct axvm_pt_format *fmt, axvm_gpa_t gpa,
		   uint64_t size);

/* Map [gpa, gpa+size) -> [hpa, ...). Refuses (AXVM_EEXIST) if any page is
 * mapped already. All or nothing: on error the tables are as before. */
int pt_map(struct pt *pt, axvm_gpa_t gpa, axvm_hpa_t hpa, uint64_t size,
	   uint32_t flags);
/* Remove every mapping in the range (holes are fine); frees owned frames
 * and emptied tables after the flush. AXVM_ENOMEM only while splitting a
 * huge leaf at an edge, before anything is removed. */
int pt_unmap(struct pt *pt, axvm_gpa_t gpa, uint64_t size);
/* Re-encode every mapped page of the range with `flags` (holes skipped). */
int pt_protect(struct pt *pt, axvm_gpa_t gpa, uint64_t size, uint32_t flags);
/* Walk to the leaf for gpa; AXVM_EFAULT if none. */
int pt_translate(const struct pt *pt, axvm_gpa_t gpa, struct pt_leaf *out);
/* Is any page of the (checked) range mapped? */
bool pt_any_mapped(const struct pt *pt, axvm_gpa_t gpa, uint64_t size);

/* Descriptor encoding, shared with pt_formats.c's root helpers. */
uint64_t pt_encode_leaf(const struct axvm_pt_format *fmt, axvm_hpa_t hpa,
			uint32_t flags, unsigned level);

#endif /* AXVM_CORE_PT_H */
