/* SPDX-License-Identifier: Apache-2.0 */
/* The stage-2 walker: map, unmap, protect and translate for any format
 * described by a struct axvm_pt_format. */
#include <string.h>

#include "internal.h"
#include "pt.h"

#define PERM_RWX (AXVM_MEM_READ | AXVM_MEM_WRITE | AXVM_MEM_EXEC)

/* Unlinked tables and frames wait here until the backend has flushed the
 * range: a walker or TLB may still use them until then, so freeing first
 * would hand guest-reachable memory back to the host. */
#define RECLAIM_MAX 32u

struct reclaim {
	struct pt *pt;
	axvm_gpa_t gpa; /* the operation's range: flushed before any free */
	uint64_t size;
	bool changed;   /* a present entry was cleared */
	unsigned ntables, nframes;
	struct {
		axvm_hpa_t pa;
		axvm_gpa_t base;
		unsigned level;
	} tables[RECLAIM_MAX];
	axvm_hpa_t frames[RECLAIM_MAX];
};

/* A library built for one bare-metal backend walks that backend's one
 * format (AXVM_ONE_PT_FORMAT, internal.h): its fields are then constants
 * the compiler folds into the walker, not loads from the descriptor at
 * every step. pt_init() refuses any other format in such a build; hosted
 * builds (KVM, the mock backend, the unit tests) take any. */
#ifdef AXVM_ONE_PT_FORMAT
#define FMT(f) ((void)(f), AXVM_ONE_PT_FORMAT)
#else
#define FMT(f) (f)
#endif

static unsigned top(const struct axvm_pt_format *f)
{
	return f->levels - 1u;
}

static unsigned entries(const struct axvm_pt_format *f, unsigned l)
{
	return l == top(f) ? f->root_pages * PT_ENTRIES : PT_ENTRIES;
}

static unsigned index_of(const struct axvm_pt_format *f, axvm_gpa_t gpa,
			 unsigned l)
{
	return (unsigned)((gpa >> PT_SHIFT(l)) & (entries(f, l) - 1u));
}

static bool present(const struct axvm_pt_format *f, uint64_t e)
{
	return (e & f->valid) != 0;
}

static bool is_table(const struct axvm_pt_format *f, uint64_t e, unsigned l)
{
	return l > 0 && (e & f->table_mask) == f->table_match;
}

static uint64_t addr_mask(const struct axvm_pt_format *f)
{
	return (((uint64_t)1 << (f->oa_bits - 12u)) - 1u) << f->addr_lsb;
}

static uint64_t enc_addr(const struct axvm_pt_format *f, axvm_hpa_t pa)
{
	return ((pa >> 12) << f->addr_lsb) & addr_mask(f);
}

static axvm_hpa_t dec_addr(const struct axvm_pt_format *f, uint64_t e)
{
	return ((e & addr_mask(f)) >> f->addr_lsb) << 12;
}

static axvm_hpa_t leaf_base(const struct axvm_pt_format *f, uint64_t e,
			    unsigned l)
{
	return dec_addr(f, e) & ~(PT_SIZE(l) - 1u);
}

static uint64_t *va(const struct pt *pt, axvm_hpa_t pa)
{
	return HAL(pt->hal)->phys_to_virt(HAL(pt->hal)->ctx, pa);
}

/* One aligned 64-bit store: a hardware walker never sees half an entry. */
static void pte_set(uint64_t *slot, uint64_t v)
{
	*(volatile uint64_t *)slot = v;
}

static void flush(const struct pt *pt, axvm_gpa_t gpa, uint64_t size)
{
	if (pt->flush && size)
		pt->flush(pt->flush_ctx, gpa, size);
}

uint64_t pt_encode_leaf(const struct axvm_pt_format *fmt, axvm_hpa_t hpa,
			uint32_t flags, unsigned level)
{
	const struct axvm_pt_format *f = FMT(fmt);
	uint64_t e = f->leaf_bits[level] | enc_addr(f, hpa);

	if (flags & AXVM_MEM_READ)
		e |= f->perm_r;
	if (flags & AXVM_MEM_WRITE)
		e |= f->perm_w;
	e |= (flags & AXVM_MEM_EXEC) ? f->perm_x : f->perm_xn;
	if (flags & AXVM_MEM_DEVICE)
		e |= f->attr_device;
	else if (flags & AXVM_MEM_UNCACHED)
		e |= f->attr_uncached;
	else
		e |= f->attr_normal;
	return e;
}

static uint32_t decode_flags(const struct axvm_pt_format *f, uint64_t e)
{
	uint32_t fl = 0;
	uint64_t a = e & f->attr_mask;

	if (e & f->perm_r)
		fl |= AXVM_MEM_READ;
	if (e & f->perm_w)
		fl |= AXVM_MEM_WRITE;
	if (f->perm_xn ? !(e & f->perm_xn) : (e & f->perm_x) != 0)
		fl |= AXVM_MEM_EXEC;
	if (a == f->attr_device)
		fl |= AXVM_MEM_DEVICE;
	else if (a == f->attr_uncached)
		fl |= AXVM_MEM_UNCACHED;
	return fl;
}

static uint64_t table_desc(const struct axvm_pt_format *f, axvm_hpa_t pa)
{
	return f->table_bits | enc_addr(f, pa);
}

int pt_check_flags(const struct axvm_pt_format *fmt, uint32_t flags)
{
	const struct axvm_pt_format *f = FMT(fmt);
	uint32_t p = flags & PERM_RWX;

	if (flags & ~(uint32_t)AXVM_MEM_FLAGS_ALL || p == 0)
		return AXVM_EINVAL;
	/* e.g. write-only: Arm can, RISC-V reserves it, x86 cannot say it. */
	if (!(f->perm_ok & (1u << p)))
		return AXVM_ENOTSUP;
	return 0;
}

int pt_check_range(const struct axvm_pt_format *fmt, axvm_gpa_t gpa,
		   uint64_t size)
{
	const struct axvm_pt_format *f = FMT(fmt);
	uint64_t lim = (uint64_t)1 << f->ia_bits;

	if (size == 0 || ((gpa | size) & (AXVM_PAGE_SIZE - 1)))
		return AXVM_EINVAL;
	if (size > lim || gpa > lim - size)
		return AXVM_ERANGE;
	return 0;
}

static int check_hpa(const struct axvm_pt_format *f, axvm_hpa_t hpa,
		     uint64_t size)
{
	uint64_t lim = (uint64_t)1 << f->oa_bits;

	if (hpa & (AXVM_PAGE_SIZE - 1))
		return AXVM_EINVAL;
	if (size > lim || hpa > lim - size)
		return AXVM_ERANGE;
	return 0;
}

/* Table pages come zeroed (all entries invalid) and addressable by the
 * format; a HAL handing out memory above oa_bits is treated as empty. */
static int table_alloc(struct pt *pt, unsigned npages, axvm_hpa_t *pa)
{
	const struct axvm_hal *hal = HAL(pt->hal);
	size_t bytes = (size_t)npages * AXVM_PAGE_SIZE;
	axvm_hpa_t p;

	if (hal->alloc_pages(hal->ctx, npages, bytes, &p))
		return AXVM_ENOMEM;
	if ((p & (bytes - 1)) || check_hpa(FMT(pt->fmt), p, bytes)) {
		hal->free_pages(hal->ctx, p, npages);
		return AXVM_ENOMEM;
	}
	memset(va(pt, p), 0, bytes);
	pt->table_pages += npages;
	*pa = p;
	return 0;
}

static void table_free(struct pt *pt, axvm_hpa_t pa, unsigned level)
{
	const struct axvm_pt_format *f = FMT(pt->fmt);
	unsigned n = level == top(f) ? f->root_pages : 1u;

	HAL(pt->hal)->free_pages(HAL(pt->hal)->ctx, pa, n);
	pt->table_pages -= n;
}

static bool table_empty(const struct axvm_pt_format *f, const uint64_t *t)
{
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (present(f, t[i]))
			return false;
	return true;
}

/* Free a table, everything below it and the owned frames it maps. */
static void free_subtree(struct pt *pt, axvm_hpa_t pa, unsigned l,
			 axvm_gpa_t base)
{
	const struct axvm_pt_format *f = FMT(pt->fmt);
	const uint64_t *t = va(pt, pa);
	unsigned n = entries(f, l);

	for (unsigned i = 0; i < n; i++) {
		uint64_t e = t[i];
		axvm_gpa_t slot = base + ((uint64_t)i << PT_SHIFT(l));
		if (!present(f, e))
			continue;
		if (is_table(f, e, l))
			free_subtree(pt, dec_addr(f, e), l - 1u, slot);
		else if (l == 0 && pt->owns && pt->owns(pt->owns_ctx, slot))
			HAL(pt->hal)->free_pages(HAL(pt->hal)->ctx, dec_addr(f, e), 1);
	}
	table_free(pt, pa, l);
}

static void reclaim_drain(struct reclaim *r)
{
	struct pt *pt = r->pt;

	if (!r->ntables && !r->nframes)
		return;
	flush(pt, r->gpa, r->size);
	for (unsigned i = 0; i < r->ntables; i++)
		free_subtree(pt, r->tables[i].pa, r->tables[i].level,
			     r->tables[i].base);
	for (unsigned i = 0; i < r->nframes; i++)
		HAL(pt->hal)->free_pages(HAL(pt->hal)->ctx, r->frames[i], 1);
	r->ntables = r->nframes = 0;
}

/* End of an operation: one flush for the whole range, then the frees. */
static void reclaim_finish(struct reclaim *r, bool changed)
{
	if (r->ntables || r->nframes)
		reclaim_drain(r);
	else if (changed)
		flush(r->pt, r->gpa, r->size);
}

static void reclaim_table(struct reclaim *r, axvm_hpa_t pa, unsigned level,
			  axvm_gpa_t base)
{
	if (r->ntables == RECLAIM_MAX)
		reclaim_drain(r);
	r->tables[r->ntables].pa = pa;
	r->tables[r->ntables].level = level;
	r->tables[r->ntables].base = base;
	r->ntables++;
}

static void reclaim_frame(struct reclaim *r, axvm_hpa_t pa)
{
	if (r->nframes == RECLAIM_MAX)
		reclaim_drain(r);
	r->frames[r->nframes++] = pa;
}

/* Clear [s, e) inside table t (level l). Leaves straddling s or e were
 * split beforehand, so every leaf met is wholly inside or outside. */
static void unmap_tbl(struct reclaim *r, uint64_t *t, unsigned l,
		      axvm_gpa_t s, axvm_gpa_t e)
{
	struct pt *pt = r->pt;
	const struct axvm_pt_format *f = FMT(pt->fmt);
	uint64_t sz = PT_SIZE(l);

	for (axvm_gpa_t a = s; a < e;) {
		uint64_t *slot = &t[index_of(f, a, l)];
		uint64_t ent = *slot;
		axvm_gpa_t lo = a & ~(sz - 1u), hi = lo + sz;
		bool whole = s <= lo && hi <= e;

		if (present(f, ent) && is_table(f, ent, l)) {
			axvm_hpa_t child = dec_addr(f, ent);
			if (!whole) {
				uint64_t *ct = va(pt, child);
				unmap_tbl(r, ct, l - 1u, a, hi < e ? hi : e);
				whole = table_empty(f, ct);
			}
			if (whole) {
				pte_set(slot, 0);
				r->changed = true;
				reclaim_table(r, child, l - 1u, lo);
			}
		} else if (present(f, ent) && whole) {
			pte_set(slot, 0);
			r->changed = true;
			if (l == 0 && pt->owns && pt->owns(pt->owns_ctx, lo))
				reclaim_frame(r, dec_addr(f, ent));
		}
		a = hi;
	}
}

/* Replace the huge leaf in *slot (level l, mapping from `lo`) by a table of
 * next-size leaves with the same translation and attributes. */
static int split_leaf(struct pt *pt, uint64_t *slot, unsigned l, axvm_gpa_t lo)
{
	const struct axvm_pt_format *f = FMT(pt->fmt);
	uint64_t ent = *slot;
	axvm_hpa_t base = leaf_base(f, ent, l);
	uint32_t fl = decode_flags(f, ent);
	uint64_t csz = PT_SIZE(l - 1u);
	axvm_hpa_t pa;
	uint64_t *ct;
	int rc;

	if ((rc = table_alloc(pt, 1, &pa)))
		return rc;
	ct = va(pt, pa);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		ct[i] = pt_encode_leaf(f, base + i * csz, fl, l - 1u);
	/* Break-before-make (Arm ARM "Using break-before-make when updating
	 * translation table entries"): a block may not become a table while
	 * TLBs can hold both; the other formats tolerate it, it costs little. */
	pte_set(slot, 0);
	flush(pt, lo, PT_SIZE(l));
	pte_set(slot, table_desc(f, pa));
	return 0;
}

/* Make `a` a leaf boundary: split every huge leaf that straddles it. */
static int split_at(struct pt *pt, axvm_gpa_t a)
{
	const struct axvm_pt_format *f = FMT(pt->fmt);
	uint64_t *t = va(pt, pt->root);
	unsigned l = top(f);

	if (a == 0 || a >= (uint64_t)1 << f->ia_bits)
		return 0;
	for (;;) {
		uint64_t *slot = &t[index_of(f, a, l)];
		int rc;
		if (!present(f, *slot))
			return 0;
		if (!is_table(f, *slot, l)) {
			if (l == 0 || !(a & (PT_SIZE(l) - 1u)))
				return 0;
			if ((rc = split_leaf(pt, slot, l,
					     a & ~(PT_SIZE(l) - 1u))))
				return rc;
		}
		t = va(pt, dec_addr(f, *slot));
		l--;
	}
}

/* The largest leaf that fits: aligned on both sides and not past the end. */
static unsigned pick_level(const struct axvm_pt_format *f, axvm_gpa_t gpa,
			   axvm_hpa_t hpa, uint64_t left)
{
	unsigned l = top(f) < PT_LEAF_LEVELS - 1u ? top(f) : PT_LEAF_LEVELS - 1u;

	for (; l > 0; l--) {
		uint64_t sz = PT_SIZE(l);
		if ((f->leaf_levels & (1u << l)) && !((gpa | hpa) & (sz - 1u)) &&
		    left >= sz)
			return l;
	}
	return 0;
}

/* Descend to the table holding gpa's level-`target` entry, creating what is
 * missing. On failure the tables made here are unlinked and handed to `r`
 * (a walker may have cached them), leaving the tree as it was. */
static int walk_create(struct reclaim *r, axvm_gpa_t gpa, unsigned target,
		       uint64_t **out)
{
	struct pt *pt = r->pt;
	const struct axvm_pt_format *f = FMT(pt->fmt);
	uint64_t *t = va(pt, pt->root);
	struct {
		uint64_t *slot;
		axvm_hpa_t pa;
		unsigned level; /* of the new table */
	} made[PT_MAX_LEVELS];
	unsigned n = 0, l = top(f);
	int rc = 0;

	for (; l > target; l--) {
		uint64_t *slot = &t[index_of(f, gpa, l)];
		if (!present(f, *slot)) {
			axvm_hpa_t pa;
			if ((rc = table_alloc(pt, 1, &pa)))
				break;
			pte_set(slot, table_desc(f, pa));
			made[n].slot = slot;
			made[n].pa = pa;
			made[n++].level = l - 1u;
		} else if (!is_table(f, *slot, l)) {
			rc = AXVM_EEXIST; /* a huge leaf covers gpa */
			break;
		}
		t = va(pt, dec_addr(f, *slot));
	}
	if (rc) {
		while (n--) {
			unsigned tl = made[n].level;
			pte_set(made[n].slot, 0);
			reclaim_table(r, made[n].pa, tl,
				      gpa & ~(PT_SIZE(tl + 1u) - 1u));
		}
		return rc;
	}
	*out = t;
	return 0;
}

int pt_map(struct pt *pt, axvm_gpa_t gpa, axvm_hpa_t hpa, uint64_t size,
	   uint32_t flags)
{
	const struct axvm_pt_format *f = FMT(pt->fmt);
	struct reclaim r = { .pt = pt, .gpa = gpa, .size = size };
	uint64_t done = 0;
	int rc;

	if ((rc = pt_check_range(f, gpa, size)) || (rc = check_hpa(f, hpa, size)) ||
	    (rc = pt_check_flags(f, flags)))
		return rc;
	while (!rc && done < size) {
		axvm_gpa_t g = gpa + done;
		axvm_hpa_t h = hpa + done;
		unsigned l = pick_level(f, g, h, size - done);
		uint64_t sz = PT_SIZE(l);
		unsigned i, n = entries(f, l);
		uint64_t *t;

		if ((rc = walk_create(&r, g, l, &t)))
			break;
		/* Fill this table while the leaf size stays the same. */
		for (i = index_of(f, g, l);;) {
			if (present(f, t[i])) {
				rc = AXVM_EEXIST;
				break;
			}
			pte_set(&t[i], pt_encode_leaf(f, h, flags, l));
			done += sz;
			g += sz;
			h += sz;
			if (done == size || ++i == n ||
			    pick_level(f, g, h, size - done) != l)
				break;
		}
	}
	if (rc && done) {
		/* Undo the prefix: it was empty before, so no split is needed
		 * and the tables it filled are emptied and freed. */
		unmap_tbl(&r, va(pt, pt->root), top(f), gpa, gpa + done);
	}
	reclaim_finish(&r, done != 0);
	return rc;
}

int pt_unmap(struct pt *pt, axvm_gpa_t gpa, uint64_t size)
{
	struct reclaim r = { .pt = pt, .gpa = gpa, .size = size };
	int rc;

	if ((rc = pt_check_range(pt->fmt, gpa, size)))
		return rc;
	/* Splits first: an allocation failure then leaves every mapping in
	 * place (split tables translate exactly like the leaf they replace). */
	if ((rc = split_at(pt, gpa)) || (rc = split_at(pt, gpa + size)))
		return rc;
	unmap_tbl(&r, va(pt, pt->root), top(FMT(pt->fmt)), gpa, gpa + size);
	reclaim_finish(&r, r.changed);
	return 0;
}

static bool protect_tbl(struct pt *pt, uint64_t *t, unsigned l, axvm_gpa_t s,
			axvm_gpa_t e, uint32_t flags)
{
	const struct axvm_pt_format *f = FMT(pt->fmt);
	uint64_t sz = PT_SIZE(l);
	bool changed = false;

	for (axvm_gpa_t a = s; a < e;) {
		uint64_t *slot = &t[index_of(f, a, l)];
		uint64_t ent = *slot, nent;
		axvm_gpa_t lo = a & ~(sz - 1u), hi = lo + sz;

		if (present(f, ent) && is_table(f, ent, l)) {
			changed |= protect_tbl(pt, va(pt, dec_addr(f, ent)), l - 1u,
					       a, hi < e ? hi : e, flags);
		} else if (present(f, ent) &&
			   (nent = pt_encode_leaf(f, leaf_base(f, ent, l), flags,
						  l)) != ent) {
			/* A memory-type change needs break-before-make on
			 * Arm; a permission change does not. */
			if ((nent ^ ent) & f->attr_mask) {
				pte_set(slot, 0);
				flush(pt, lo, sz);
			}
			pte_set(slot, nent);
			changed = true;
		}
		a = hi;
	}
	return changed;
}

int pt_protect(struct pt *pt, axvm_gpa_t gpa, uint64_t size, uint32_t flags)
{
	int rc;

	if ((rc = pt_check_range(pt->fmt, gpa, size)) ||
	    (rc = pt_check_flags(pt->fmt, flags)))
		return rc;
	if ((rc = split_at(pt, gpa)) || (rc = split_at(pt, gpa + size)))
		return rc;
	if (protect_tbl(pt, va(pt, pt->root), top(FMT(pt->fmt)), gpa, gpa + size,
			flags))
		flush(pt, gpa, size);
	return 0;
}

int pt_translate(const struct pt *pt, axvm_gpa_t gpa, struct pt_leaf *out)
{
	const struct axvm_pt_format *f = FMT(pt->fmt);
	const uint64_t *t = va(pt, pt->root);
	unsigned l = top(f);

	if (gpa >> f->ia_bits)
		return AXVM_EFAULT;
	for (;;) {
		uint64_t e = t[index_of(f, gpa, l)];
		if (!present(f, e))
			return AXVM_EFAULT;
		if (!is_table(f, e, l)) {
			out->level = l;
			out->hpa = leaf_base(f, e, l) + (gpa & (PT_SIZE(l) - 1u));
			out->flags = decode_flags(f, e);
			return 0;
		}
		t = va(pt, dec_addr(f, e));
		l--;
	}
}

static bool any_tbl(const struct pt *pt, const uint64_t *t, unsigned l,
		    axvm_gpa_t s, axvm_gpa_t e)
{
	const struct axvm_pt_format *f = FMT(pt->fmt);
	uint64_t sz = PT_SIZE(l);

	for (axvm_gpa_t a = s; a < e;) {
		uint64_t ent = t[index_of(f, a, l)];
		axvm_gpa_t hi = (a & ~(sz - 1u)) + sz;
		if (present(f, ent) &&
		    (!is_table(f, ent, l) ||
		     any_tbl(pt, va(pt, dec_addr(f, ent)), l - 1u, a,
			     hi < e ? hi : e)))
			return true;
		a = hi;
	}
	return false;
}

bool pt_any_mapped(const struct pt *pt, axvm_gpa_t gpa, uint64_t size)
{
	return any_tbl(pt, va(pt, pt->root), top(FMT(pt->fmt)), gpa, gpa + size);
}

/* A descriptor the walker can drive: the geometry adds up and leaves exist
 * at level 0 and every level up to the largest (splits go one level down). */
static int check_format(const struct axvm_pt_format *f)
{
	unsigned rp = f->root_pages, log_rp = 0;

	if (f->levels < 2 || f->levels > PT_MAX_LEVELS || rp == 0 || (rp & (rp - 1)) ||
	    f->oa_bits <= 12 || f->oa_bits >= 64 || f->ia_bits >= 64 ||
	    f->oa_bits > 64 - f->addr_lsb + 12 ||
	    !f->valid || !f->root_reg)
		return AXVM_EINVAL;
	while ((1u << log_rp) < rp)
		log_rp++;
	if (f->ia_bits != PT_SHIFT(top(f)) + 9u + log_rp)
		return AXVM_EINVAL;
	if (!(f->leaf_levels & 1u) || (f->leaf_levels & (f->leaf_levels + 1u)) ||
	    f->leaf_levels >= (1u << PT_LEAF_LEVELS))
		return AXVM_EINVAL;
	/* Encodings must read back: tables as tables, every leaf the format
	 * offers as a present leaf with the same permissions. */
	for (unsigned l = 1; l < f->levels; l++)
		if (!present(f, table_desc(f, 0)) || !is_table(f, table_desc(f, 0), l))
			return AXVM_EINVAL;
	for (uint32_t p = 1; p < 8; p++) {
		if (!(f->perm_ok & (1u << p)))
			continue;
		for (unsigned l = 0; l < PT_LEAF_LEVELS; l++) {
			uint64_t e = pt_encode_leaf(f, 0, p, l);
			if (!(f->leaf_levels & (1u << l)))
				continue;
			if (!present(f, e) || is_table(f, e, l) ||
			    decode_flags(f, e) != p)
				return AXVM_EINVAL;
		}
	}
	return 0;
}

int pt_init(struct pt *pt, const struct axvm_hal *hal,
	    const struct axvm_pt_format *fmt)
{
	int rc;

	memset(pt, 0, sizeof(*pt));
#ifdef AXVM_ONE_PT_FORMAT
	if (fmt != AXVM_ONE_PT_FORMAT)
		return AXVM_ENOTSUP;
#endif
	if ((rc = check_format(fmt)))
		return rc;
	pt->fmt = fmt;
	pt->hal = hal;
	return table_alloc(pt, fmt->root_pages, &pt->root);
}

void pt_fini(struct pt *pt)
{
	if (!pt->root)
		return;
	pt->flush = NULL; /* nothing runs on these tables any more */
	free_subtree(pt, pt->root, top(FMT(pt->fmt)), 0);
	pt->root = 0;
}
