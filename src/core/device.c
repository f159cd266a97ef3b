/* SPDX-License-Identifier: Apache-2.0 */
/* Device buses: sorted, non-overlapping ranges with binary-search lookup
 * (the kvm_io_bus shape). Registration may allocate; lookup never does. */
#include <string.h>

#include "internal.h"

/* Index of the first entry whose base is > addr (upper bound); used by
 * registration, where clarity beats speed. */
static uint32_t upper_bound(const struct axvm_bus_table *t, uint64_t addr)
{
	uint32_t lo = 0, hi = t->count;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (t->bases[mid] <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void set_step(struct axvm_bus_table *t)
{
	t->step = 0;
	if (t->count) {
		t->step = 1;
		while (t->step <= t->count / 2)
			t->step *= 2;
	}
}

static size_t table_bytes(uint32_t cap)
{
	return cap * (sizeof(struct axvm_bus_entry) + sizeof(uint64_t));
}

static int grow(const struct axvm_hal *hal, struct axvm_bus_table *t)
{
	uint32_t cap = t->cap ? t->cap * 2 : 8;
	struct axvm_bus_entry *n;

	if (cap > UINT32_MAX / 2 / (sizeof(*n) + sizeof(uint64_t)))
		return AXVM_E2BIG;
	/* Entries, then the dense base array, in one allocation. */
	n = axvm_zalloc(hal, table_bytes(cap));
	if (!n)
		return AXVM_ENOMEM;
	uint64_t *bases = (uint64_t *)(void *)(n + cap);
	if (t->count) {
		memcpy(n, t->entries, t->count * sizeof(*n));
		memcpy(bases, t->bases, t->count * sizeof(*bases));
	}
	axvm_zfree(hal, t->entries, table_bytes(t->cap));
	t->entries = n;
	t->bases = bases;
	t->cap = cap;
	return 0;
}

/* Widths as a bit per byte count (bit 1, 2, 4, 8), so the exit path tests
 * one bit instead of mapping a width to its AXVM_WIDTH_* flag. */
static uint16_t width_bits(uint8_t widths)
{
	uint16_t ok = 0;

	if (!widths)
		widths = AXVM_WIDTH_ANY;
	for (unsigned i = 0; i < 4; i++)
		if (widths & (1u << i))
			ok = (uint16_t)(ok | (1u << (1u << i)));
	return ok;
}

int axvm_bus_add(const struct axvm_hal *hal, struct axvm_bus_table *t,
		 const struct axvm_device_desc *d)
{
	uint64_t last;
	uint32_t i;
	int rc;

	if (!d->ops || !d->ops->read || !d->ops->write || d->size == 0 ||
	    (d->widths & ~(unsigned)AXVM_WIDTH_ANY))
		return AXVM_EINVAL;
	last = d->base + (d->size - 1);
	if (last < d->base)
		return AXVM_EOVERFLOW;
	i = upper_bound(t, d->base);
	/* Neighbours: the entry before must end below base, the one at i
	 * must start above last. Sorted and disjoint, so that is enough. */
	if (i > 0 && t->entries[i - 1].last >= d->base)
		return AXVM_EEXIST;
	if (i < t->count && t->entries[i].base <= last)
		return AXVM_EEXIST;
	if (t->count >= AXVM_BUS_MAX_DEVICES)
		return AXVM_E2BIG;
	if (t->count == t->cap && (rc = grow(hal, t)))
		return rc;
	memmove(&t->entries[i + 1], &t->entries[i],
		(t->count - i) * sizeof(t->entries[0]));
	memmove(&t->bases[i + 1], &t->bases[i], (t->count - i) * sizeof(t->bases[0]));
	t->entries[i] = (struct axvm_bus_entry){
		.base = d->base,
		.last = last,
		.ops = d->ops,
		.ctx = d->ctx,
		.name = d->name,
		.width_ok = width_bits(d->widths),
		.align_mask = d->naturally_aligned ? 7 : 0,
		.fast = d->fast && d->bus == AXVM_BUS_MMIO,
	};
	t->bases[i] = d->base;
	t->count++;
	set_step(t);
	return 0;
}

int axvm_bus_remove(struct axvm_bus_table *t, uint64_t base)
{
	uint32_t i = upper_bound(t, base);
	struct axvm_bus_entry e;

	if (i == 0 || t->entries[i - 1].base != base)
		return AXVM_ENOENT;
	e = t->entries[i - 1];
	memmove(&t->entries[i - 1], &t->entries[i],
		(t->count - i) * sizeof(t->entries[0]));
	memmove(&t->bases[i - 1], &t->bases[i], (t->count - i) * sizeof(t->bases[0]));
	t->count--;
	set_step(t);
	if (e.ops->destroy)
		e.ops->destroy(e.ctx);
	return 0;
}

void axvm_bus_reset(struct axvm_bus_table *t)
{
	for (uint32_t i = 0; i < t->count; i++)
		if (t->entries[i].ops->reset)
			t->entries[i].ops->reset(t->entries[i].ctx);
}

void axvm_bus_destroy(const struct axvm_hal *hal, struct axvm_bus_table *t)
{
	for (uint32_t i = 0; i < t->count; i++)
		if (t->entries[i].ops->destroy)
			t->entries[i].ops->destroy(t->entries[i].ctx);
	axvm_zfree(hal, t->entries, table_bytes(t->cap));
	memset(t, 0, sizeof(*t));
}

/* Does [base, base + size - 1] touch one of the VM's memory regions? */
static bool overlaps_memory(const struct axvm_vm *vm, uint64_t base, uint64_t size)
{
	uint64_t last = base + (size - 1);

	for (uint32_t i = 0; i < vm->cfg.region_count && i < AXVM_MAX_REGIONS; i++) {
		const struct axvm_mem_region *r = &vm->cfg.regions[i];
		if (r->size && base <= r->gpa + (r->size - 1) && r->gpa <= last)
			return true;
	}
	return false;
}

int axvm_vm_add_device(struct axvm_vm *vm, const struct axvm_device_desc *desc)
{
	struct axvm_device_desc d;
	int rc;

	if (!vm || !desc || (unsigned)desc->bus >= AXVM_BUS_COUNT)
		return AXVM_EINVAL;
	/* A fast device is one no memory region overlaps (a configured one
	 * cannot: validation refuses it), so a backend's fast path may skip
	 * its RAM test once the core has found a fast device at the address.
	 * One added here over a region stays on the full path. */
	d = *desc;
	if (d.fast && d.size && overlaps_memory(vm, d.base, d.size))
		d.fast = false;
	axvm_spin_lock(&vm->ctl);
	if (!axvm_vm_quiescent(vm))
		rc = AXVM_EBUSY;
	else
		rc = axvm_bus_add(vm->hal, &vm->buses[d.bus], &d);
	axvm_spin_unlock(&vm->ctl);
	return rc;
}

int axvm_vm_remove_device(struct axvm_vm *vm, enum axvm_bus bus, uint64_t base)
{
	int rc;

	if (!vm || (unsigned)bus >= AXVM_BUS_COUNT)
		return AXVM_EINVAL;
	axvm_spin_lock(&vm->ctl);
	if (!axvm_vm_quiescent(vm))
		rc = AXVM_EBUSY;
	else
		rc = axvm_bus_remove(&vm->buses[bus], base);
	axvm_spin_unlock(&vm->ctl);
	return rc;
}

int axvm_vm_unhandled_accesses(const struct axvm_vm *vm, enum axvm_bus bus,
			       uint64_t *count)
{
	if (!vm || !count || (unsigned)bus >= AXVM_BUS_COUNT)
		return AXVM_EINVAL;
	*count = atomic_load_explicit(&vm->unhandled[bus], memory_order_relaxed);
	return 0;
}
