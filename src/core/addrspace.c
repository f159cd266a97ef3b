/* SPDX-License-Identifier: Apache-2.0 */
/* Guest address space: regions and their host backing, and, when created
 * with a format, the stage-2 tables built by the walker in pt.c. */
#include <string.h>

#include "internal.h"
#include "pt.h"

struct as_region {
	struct axvm_mem_region r;
	axvm_hpa_t backing; /* host-physical start of contiguous backing, or 0 */
	bool owned;         /* backing allocated here (freed on destroy) */
};

struct axvm_addrspace {
	const struct axvm_hal *hal;
	const struct axvm_pt_format *fmt;
	/* With page tables: guards the tables and the region list against
	 * vCPU faults, copies and control calls running at once. */
	axvm_spinlock_t lock;
	struct pt pt;
	uint32_t count;
	struct as_region regions[AXVM_MAX_REGIONS];
};

/* The region holding gpa, or NULL. */
static const struct as_region *region_at(const struct axvm_addrspace *as,
					 axvm_gpa_t gpa)
{
	for (uint32_t i = 0; i < as->count; i++) {
		const struct as_region *r = &as->regions[i];
		if (gpa >= r->r.gpa && gpa - r->r.gpa < r->r.size)
			return r;
	}
	return NULL;
}

/* Leaves inside LAZY regions map frames faulted in one at a time. */
static bool lazy_owns(void *ctx, axvm_gpa_t gpa)
{
	const struct as_region *r = region_at(ctx, gpa);
	return r && r->r.type == AXVM_MAP_LAZY;
}

int axvm_addrspace_create(const struct axvm_hal *hal,
			  const struct axvm_pt_format *fmt,
			  struct axvm_addrspace **out)
{
	struct axvm_addrspace *as;
	int rc;

	if (!hal || !out)
		return AXVM_EINVAL;
	as = axvm_zalloc(hal, sizeof(*as));
	if (!as)
		return AXVM_ENOMEM;
	as->hal = hal;
	as->fmt = fmt;
	atomic_flag_clear(&as->lock.flag);
	if (fmt) {
		if ((rc = pt_init(&as->pt, hal, fmt))) {
			axvm_zfree(hal, as, sizeof(*as));
			return rc;
		}
		as->pt.owns = lazy_owns;
		as->pt.owns_ctx = as;
	}
	*out = as;
	return 0;
}

void axvm_addrspace_destroy(struct axvm_addrspace *as)
{
	if (!as)
		return;
	const struct axvm_hal *hal = HAL(as->hal);

	if (as->fmt)
		pt_fini(&as->pt); /* lazy frames first: it asks the regions */
	for (uint32_t i = 0; i < as->count; i++) {
		struct as_region *r = &as->regions[i];
		if (r->owned)
			hal->free_pages(hal->ctx, r->backing,
					(size_t)(r->r.size / AXVM_PAGE_SIZE));
	}
	axvm_zfree(hal, as, sizeof(*as));
}

/* Frames of an ALLOCATED region aligned like its gpa, so the walker can
 * use 1 GiB / 2 MiB leaves for it. */
static size_t backing_align(const struct axvm_mem_region *r)
{
	for (unsigned l = PT_LEAF_LEVELS - 1u; l > 0; l--)
		if (!(r->gpa & (PT_SIZE(l) - 1u)) && r->size >= PT_SIZE(l))
			return (size_t)PT_SIZE(l);
	return AXVM_PAGE_SIZE;
}

/* Back and map a region through the page tables (lock held). */
static int add_mapped_region(struct axvm_addrspace *as, struct as_region *n)
{
	const struct axvm_mem_region *r = &n->r;
	const struct axvm_hal *hal = HAL(as->hal);
	uint32_t flags = r->flags;
	int rc;

	if (r->type == AXVM_MAP_DEVICE)
		flags |= AXVM_MEM_DEVICE;
	if ((rc = pt_check_range(as->fmt, r->gpa, r->size)) ||
	    (rc = pt_check_flags(as->fmt, flags)))
		return rc;
	switch (r->type) {
	case AXVM_MAP_LINEAR:
	case AXVM_MAP_DEVICE:
		n->backing = r->hpa;
		return pt_map(&as->pt, r->gpa, r->hpa, r->size, flags);
	case AXVM_MAP_ALLOCATED:
		if (r->size / AXVM_PAGE_SIZE > SIZE_MAX)
			return AXVM_E2BIG;
		if (hal->alloc_pages(hal->ctx, (size_t)(r->size / AXVM_PAGE_SIZE),
				     backing_align(r), &n->backing))
			return AXVM_ENOMEM;
		if ((rc = pt_map(&as->pt, r->gpa, n->backing, r->size, flags))) {
			hal->free_pages(hal->ctx, n->backing,
					(size_t)(r->size / AXVM_PAGE_SIZE));
			return rc;
		}
		n->owned = true;
		return 0;
	case AXVM_MAP_LAZY:
		/* Every leaf in a lazy region must be one of its own frames,
		 * or unmap would free memory it does not own. */
		return pt_any_mapped(&as->pt, r->gpa, r->size) ? AXVM_EEXIST : 0;
	default:
		return AXVM_EINVAL;
	}
}

int axvm_addrspace_add_region(struct axvm_addrspace *as,
			      const struct axvm_mem_region *region)
{
	struct as_region *n;
	int rc = 0;

	if (!as || !region || region->size == 0 ||
	    (region->gpa | region->size) & (AXVM_PAGE_SIZE - 1))
		return AXVM_EINVAL;
	if (region->gpa + (region->size - 1) < region->gpa)
		return AXVM_EOVERFLOW;
	if (as->fmt)
		axvm_spin_lock(&as->lock);
	if (as->count >= AXVM_MAX_REGIONS) {
		rc = AXVM_E2BIG;
		goto out;
	}
	for (uint32_t i = 0; i < as->count; i++) {
		const struct axvm_mem_region *o = &as->regions[i].r;
		if (region->gpa <= o->gpa + (o->size - 1) &&
		    o->gpa <= region->gpa + (region->size - 1)) {
			rc = AXVM_EEXIST;
			goto out;
		}
	}
	n = &as->regions[as->count];
	memset(n, 0, sizeof(*n));
	n->r = *region;
	if (as->fmt) {
		rc = add_mapped_region(as, n);
		goto out_count;
	}
	switch (region->type) {
	case AXVM_MAP_LINEAR:
	case AXVM_MAP_DEVICE:
		n->backing = region->hpa;
		break;
	case AXVM_MAP_ALLOCATED:
	case AXVM_MAP_LAZY:
		/* Without page tables the host OS backs memory lazily itself,
		 * so LAZY is allocated up front (the port may overcommit). */
		if (region->size / AXVM_PAGE_SIZE > SIZE_MAX)
			return AXVM_E2BIG;
		if (HAL(as->hal)->alloc_pages(HAL(as->hal)->ctx,
					      (size_t)(region->size / AXVM_PAGE_SIZE),
					      AXVM_PAGE_SIZE, &n->backing))
			return AXVM_ENOMEM;
		n->owned = true;
		break;
	default:
		return AXVM_EINVAL;
	}
out_count:
	if (!rc)
		as->count++;
out:
	if (as->fmt)
		axvm_spin_unlock(&as->lock);
	return rc;
}

void *axvm_addrspace_region_hva(const struct axvm_addrspace *as, uint32_t index)
{
	if (!as || index >= as->count || as->regions[index].r.type == AXVM_MAP_DEVICE)
		return NULL;
	if (as->fmt && as->regions[index].r.type == AXVM_MAP_LAZY)
		return NULL; /* frames arrive one by one, not contiguous */
	return HAL(as->hal)->phys_to_virt(HAL(as->hal)->ctx, as->regions[index].backing);
}

/* Give the lazy page at `page` a zeroed frame (lock held). */
static int lazy_fill(struct axvm_addrspace *as, const struct as_region *r,
		     axvm_gpa_t page)
{
	const struct axvm_hal *hal = HAL(as->hal);
	axvm_hpa_t pa;
	int rc;

	if (hal->alloc_pages(hal->ctx, 1, AXVM_PAGE_SIZE, &pa))
		return AXVM_ENOMEM;
	/* The frame may have held another guest's data. */
	memset(hal->phys_to_virt(hal->ctx, pa), 0, AXVM_PAGE_SIZE);
	if ((rc = pt_map(&as->pt, page, pa, AXVM_PAGE_SIZE, r->r.flags)))
		hal->free_pages(hal->ctx, pa, 1);
	return rc;
}

int axvm_addrspace_handle_fault(struct axvm_addrspace *as, axvm_gpa_t gpa,
				uint32_t access)
{
	const struct as_region *r;
	struct pt_leaf leaf;
	uint32_t want = access & AXVM_MEM_RWX;
	int rc;

	if (!as || !as->fmt)
		return AXVM_EFAULT;
	axvm_spin_lock(&as->lock);
	if (pt_translate(&as->pt, gpa, &leaf) == 0) {
		/* Mapped already: another vCPU filled it, or the fault raced
		 * a break-before-make. Resume only if the access is allowed. */
		rc = want && (leaf.flags & want) == want ? 0 : AXVM_EFAULT;
	} else if ((r = region_at(as, gpa)) && r->r.type == AXVM_MAP_LAZY &&
		   (r->r.flags & want) == want) {
		rc = lazy_fill(as, r, gpa & ~(uint64_t)(AXVM_PAGE_SIZE - 1));
	} else {
		rc = AXVM_EFAULT;
	}
	axvm_spin_unlock(&as->lock);
	return rc;
}

axvm_hpa_t axvm_addrspace_root(const struct axvm_addrspace *as)
{
	return as && as->fmt ? as->pt.root : 0;
}

/* ---- Page-table operations ---------------------------------------------- */

static bool overlaps_lazy(const struct axvm_addrspace *as, axvm_gpa_t gpa,
			  uint64_t size)
{
	for (uint32_t i = 0; i < as->count; i++) {
		const struct axvm_mem_region *o = &as->regions[i].r;
		if (o->type == AXVM_MAP_LAZY && gpa <= o->gpa + (o->size - 1) &&
		    o->gpa <= gpa + (size - 1))
			return true;
	}
	return false;
}

int axvm_addrspace_map(struct axvm_addrspace *as, axvm_gpa_t gpa,
		       axvm_hpa_t hpa, uint64_t size, uint32_t flags)
{
	int rc;

	if (!as)
		return AXVM_EINVAL;
	if (!as->fmt)
		return AXVM_ENOTSUP;
	if ((rc = pt_check_range(as->fmt, gpa, size)))
		return rc;
	axvm_spin_lock(&as->lock);
	rc = overlaps_lazy(as, gpa, size) ? AXVM_EEXIST
					  : pt_map(&as->pt, gpa, hpa, size, flags);
	axvm_spin_unlock(&as->lock);
	return rc;
}

int axvm_addrspace_unmap(struct axvm_addrspace *as, axvm_gpa_t gpa,
			 uint64_t size)
{
	int rc;

	if (!as)
		return AXVM_EINVAL;
	if (!as->fmt)
		return AXVM_ENOTSUP;
	axvm_spin_lock(&as->lock);
	rc = pt_unmap(&as->pt, gpa, size);
	axvm_spin_unlock(&as->lock);
	return rc;
}

int axvm_addrspace_protect(struct axvm_addrspace *as, axvm_gpa_t gpa,
			   uint64_t size, uint32_t flags)
{
	int rc;

	if (!as)
		return AXVM_EINVAL;
	if (!as->fmt)
		return AXVM_ENOTSUP;
	axvm_spin_lock(&as->lock);
	rc = pt_protect(&as->pt, gpa, size, flags);
	axvm_spin_unlock(&as->lock);
	return rc;
}

int axvm_addrspace_translate(struct axvm_addrspace *as, axvm_gpa_t gpa,
			     axvm_hpa_t *hpa, uint32_t *flags,
			     uint64_t *page_size)
{
	struct pt_leaf leaf;
	int rc;

	if (!as || !hpa)
		return AXVM_EINVAL;
	if (!as->fmt) {
		const struct as_region *r = region_at(as, gpa);
		if (!r)
			return AXVM_EFAULT;
		leaf.hpa = r->backing + (gpa - r->r.gpa);
		leaf.flags = r->r.flags |
			     (r->r.type == AXVM_MAP_DEVICE ? AXVM_MEM_DEVICE : 0u);
		leaf.level = 0;
	} else {
		axvm_spin_lock(&as->lock);
		rc = pt_translate(&as->pt, gpa, &leaf);
		axvm_spin_unlock(&as->lock);
		if (rc)
			return rc;
	}
	*hpa = leaf.hpa;
	if (flags)
		*flags = leaf.flags;
	if (page_size)
		*page_size = PT_SIZE(leaf.level);
	return 0;
}

int axvm_addrspace_set_flush(struct axvm_addrspace *as, axvm_flush_fn fn,
			     void *ctx)
{
	if (!as)
		return AXVM_EINVAL;
	if (!as->fmt)
		return 0; /* the backend's hypervisor owns stage 2 */
	axvm_spin_lock(&as->lock);
	as->pt.flush = fn;
	as->pt.flush_ctx = ctx;
	axvm_spin_unlock(&as->lock);
	return 0;
}

int axvm_addrspace_root_register(struct axvm_addrspace *as, uint32_t vmid,
				 uint64_t *value)
{
	if (!as || !value)
		return AXVM_EINVAL;
	if (!as->fmt)
		return AXVM_ENOTSUP;
	return axvm_pt_root_register(as->fmt, as->pt.root, vmid, value);
}

int axvm_addrspace_table_bytes(struct axvm_addrspace *as, uint64_t *bytes)
{
	if (!as || !bytes)
		return AXVM_EINVAL;
	axvm_spin_lock(&as->lock);
	*bytes = as->fmt ? as->pt.table_pages * AXVM_PAGE_SIZE : 0;
	axvm_spin_unlock(&as->lock);
	return 0;
}

/* ---- Guest RAM access: no page tables ------------------------------------ */

/* The RAM region holding gpa, or NULL (device windows are not RAM). */
static const struct as_region *ram_at(const struct axvm_addrspace *as,
				      axvm_gpa_t gpa)
{
	const struct as_region *r = region_at(as, gpa);

	if (r && (r->r.type == AXVM_MAP_DEVICE || (r->r.flags & AXVM_MEM_DEVICE)))
		return NULL;
	return r;
}

/* Walk [gpa, gpa+len) region by region; with `dst`/`src` NULL it only
 * checks, so a copy is all-or-nothing. */
static int walk(struct axvm_addrspace *as, axvm_gpa_t gpa, size_t len,
		uint8_t *dst, const uint8_t *src)
{
	while (len) {
		const struct as_region *r = ram_at(as, gpa);
		if (!r)
			return AXVM_EFAULT;
		uint64_t off = gpa - r->r.gpa;
		uint64_t avail = r->r.size - off;
		size_t n = avail < len ? (size_t)avail : len;
		uint8_t *host = HAL(as->hal)->phys_to_virt(HAL(as->hal)->ctx, r->backing);
		if (dst)
			memcpy(dst, host + off, n);
		else if (src)
			memcpy(host + off, src, n);
		if (dst)
			dst += n;
		if (src)
			src += n;
		gpa += n;
		len -= n;
	}
	return 0;
}

/* ---- Guest RAM access: page tables (lock held) ---------------------------- */

/* Host address of the RAM page run starting at gpa and its length to the
 * end of the leaf. `fill` backs untouched lazy pages on the way. */
static int ram_run(struct axvm_addrspace *as, axvm_gpa_t gpa, bool fill,
		   axvm_hpa_t *hpa, uint64_t *avail)
{
	const struct as_region *r;
	struct pt_leaf leaf;
	int rc = pt_translate(&as->pt, gpa, &leaf);

	if (rc && fill && (r = region_at(as, gpa)) && r->r.type == AXVM_MAP_LAZY) {
		if ((rc = lazy_fill(as, r, gpa & ~(uint64_t)(AXVM_PAGE_SIZE - 1))))
			return rc;
		rc = pt_translate(&as->pt, gpa, &leaf);
	}
	if (rc || (leaf.flags & AXVM_MEM_DEVICE))
		return AXVM_EFAULT;
	*hpa = leaf.hpa;
	*avail = PT_SIZE(leaf.level) - (gpa & (PT_SIZE(leaf.level) - 1u));
	return 0;
}

/* Like walk(): the check pass (dst and src NULL) also backs lazy pages, so
 * the copy pass cannot fail half way. */
static int pt_walk(struct axvm_addrspace *as, axvm_gpa_t gpa, size_t len,
		   uint8_t *dst, const uint8_t *src)
{
	bool check = !dst && !src;

	while (len) {
		axvm_hpa_t hpa;
		uint64_t avail;
		int rc = ram_run(as, gpa, check, &hpa, &avail);
		if (rc)
			return rc;
		size_t n = avail < len ? (size_t)avail : len;
		uint8_t *host = HAL(as->hal)->phys_to_virt(HAL(as->hal)->ctx, hpa);
		if (dst) {
			memcpy(dst, host, n);
			dst += n;
		} else if (src) {
			memcpy(host, src, n);
			src += n;
		}
		gpa += n;
		len -= n;
	}
	return 0;
}

int axvm_gpa_to_hpa(struct axvm_vm *vm, axvm_gpa_t gpa, axvm_hpa_t *hpa)
{
	const struct as_region *r;
	uint64_t avail;
	int rc;

	if (!vm || !hpa || !vm->as)
		return AXVM_EINVAL;
	if (vm->as->fmt) {
		axvm_spin_lock(&vm->as->lock);
		rc = ram_run(vm->as, gpa, false, hpa, &avail);
		axvm_spin_unlock(&vm->as->lock);
		return rc;
	}
	if (!(r = ram_at(vm->as, gpa)))
		return AXVM_EFAULT;
	*hpa = r->backing + (gpa - r->r.gpa);
	return 0;
}

static int copy(struct axvm_vm *vm, axvm_gpa_t gpa, size_t len, uint8_t *dst,
		const uint8_t *src)
{
	struct axvm_addrspace *as;
	int rc;

	if (!vm || !vm->as || (len && !dst && !src))
		return AXVM_EINVAL;
	if (len && gpa + (len - 1) < gpa)
		return AXVM_EOVERFLOW;
	as = vm->as;
	if (as->fmt) {
		axvm_spin_lock(&as->lock);
		if (!(rc = pt_walk(as, gpa, len, NULL, NULL)))
			rc = pt_walk(as, gpa, len, dst, src);
		axvm_spin_unlock(&as->lock);
		return rc;
	}
	if ((rc = walk(as, gpa, len, NULL, NULL)))
		return rc;
	return walk(as, gpa, len, dst, src);
}

int axvm_copy_to_guest(struct axvm_vm *vm, axvm_gpa_t gpa, const void *src,
		       size_t len)
{
	return copy(vm, gpa, len, NULL, src);
}

int axvm_copy_from_guest(struct axvm_vm *vm, void *dst, axvm_gpa_t gpa,
			 size_t len)
{
	return copy(vm, gpa, len, dst, NULL);
}
