/* SPDX-License-Identifier: Apache-2.0 */
/* Guest address space: regions and their host backing. */
#include <string.h>

#include "internal.h"

struct as_region {
	struct axvm_mem_region r;
	axvm_hpa_t backing; /* host-physical start of contiguous backing, or 0 */
	bool owned;         /* backing allocated here (freed on destroy) */
};

struct axvm_addrspace {
	const struct axvm_hal *hal;
	const struct axvm_pt_format *fmt;
	uint32_t count;
	struct as_region regions[AXVM_MAX_REGIONS];
};

int axvm_addrspace_create(const struct axvm_hal *hal,
			  const struct axvm_pt_format *fmt,
			  struct axvm_addrspace **out)
{
	struct axvm_addrspace *as;

	if (!hal || !out)
		return AXVM_EINVAL;
	/* Page-table formats arrive with the stage-2 engine. */
	if (fmt)
		return AXVM_ENOTSUP;
	as = axvm_zalloc(hal, sizeof(*as));
	if (!as)
		return AXVM_ENOMEM;
	as->hal = hal;
	as->fmt = fmt;
	*out = as;
	return 0;
}

void axvm_addrspace_destroy(struct axvm_addrspace *as)
{
	if (!as)
		return;
	for (uint32_t i = 0; i < as->count; i++) {
		struct as_region *r = &as->regions[i];
		if (r->owned)
			as->hal->free_pages(as->hal->ctx, r->backing,
					    (size_t)(r->r.size / AXVM_PAGE_SIZE));
	}
	axvm_zfree(as->hal, as, sizeof(*as));
}

int axvm_addrspace_add_region(struct axvm_addrspace *as,
			      const struct axvm_mem_region *region)
{
	struct as_region *n;

	if (!as || !region || region->size == 0 ||
	    (region->gpa | region->size) & (AXVM_PAGE_SIZE - 1))
		return AXVM_EINVAL;
	if (region->gpa + (region->size - 1) < region->gpa)
		return AXVM_EOVERFLOW;
	if (as->count >= AXVM_MAX_REGIONS)
		return AXVM_E2BIG;
	for (uint32_t i = 0; i < as->count; i++) {
		const struct axvm_mem_region *o = &as->regions[i].r;
		if (region->gpa <= o->gpa + (o->size - 1) &&
		    o->gpa <= region->gpa + (region->size - 1))
			return AXVM_EEXIST;
	}
	n = &as->regions[as->count];
	memset(n, 0, sizeof(*n));
	n->r = *region;
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
		if (as->hal->alloc_pages(as->hal->ctx,
					 (size_t)(region->size / AXVM_PAGE_SIZE),
					 AXVM_PAGE_SIZE, &n->backing))
			return AXVM_ENOMEM;
		n->owned = true;
		break;
	default:
		return AXVM_EINVAL;
	}
	as->count++;
	return 0;
}

void *axvm_addrspace_region_hva(const struct axvm_addrspace *as, uint32_t index)
{
	if (!as || index >= as->count || as->regions[index].r.type == AXVM_MAP_DEVICE)
		return NULL;
	return as->hal->phys_to_virt(as->hal->ctx, as->regions[index].backing);
}

int axvm_addrspace_handle_fault(struct axvm_addrspace *as, axvm_gpa_t gpa,
				uint32_t access)
{
	(void)as;
	(void)gpa;
	(void)access;
	return AXVM_EFAULT;
}

axvm_hpa_t axvm_addrspace_root(const struct axvm_addrspace *as)
{
	(void)as;
	return 0;
}

/* The RAM region holding gpa, or NULL (device windows are not RAM). */
static const struct as_region *ram_at(const struct axvm_addrspace *as,
				      axvm_gpa_t gpa)
{
	for (uint32_t i = 0; i < as->count; i++) {
		const struct as_region *r = &as->regions[i];
		if (gpa >= r->r.gpa && gpa - r->r.gpa < r->r.size)
			return r->r.type == AXVM_MAP_DEVICE ||
					       (r->r.flags & AXVM_MEM_DEVICE)
				       ? NULL
				       : r;
	}
	return NULL;
}

int axvm_gpa_to_hpa(struct axvm_vm *vm, axvm_gpa_t gpa, axvm_hpa_t *hpa)
{
	const struct as_region *r;

	if (!vm || !hpa || !vm->as)
		return AXVM_EINVAL;
	if (!(r = ram_at(vm->as, gpa)))
		return AXVM_EFAULT;
	*hpa = r->backing + (gpa - r->r.gpa);
	return 0;
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
		uint8_t *host = as->hal->phys_to_virt(as->hal->ctx, r->backing);
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

static int copy(struct axvm_vm *vm, axvm_gpa_t gpa, size_t len, uint8_t *dst,
		const uint8_t *src)
{
	int rc;

	if (!vm || !vm->as || (len && !dst && !src))
		return AXVM_EINVAL;
	if (len && gpa + (len - 1) < gpa)
		return AXVM_EOVERFLOW;
	if ((rc = walk(vm->as, gpa, len, NULL, NULL)))
		return rc;
	return walk(vm->as, gpa, len, dst, src);
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
