/* SPDX-License-Identifier: Apache-2.0 */
/* Device buses: sorted, non-overlapping ranges with binary-search lookup
 * (the kvm_io_bus shape). Registration may allocate; lookup never does. */
#include <string.h>

#include "internal.h"

/* Index of the first entry whose base is > addr (upper bound). */
static uint32_t upper_bound(const struct axvm_bus_table *t, uint64_t addr)
{
	uint32_t lo = 0, hi = t->count;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (t->entries[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct axvm_bus_entry *axvm_bus_find(const struct axvm_bus_table *t,
					   uint64_t addr, unsigned width)
{
	uint32_t i = upper_bound(t, addr);
	const struct axvm_bus_entry *e;

	if (i == 0)
		return NULL;
	e = &t->entries[i - 1];
	/* The whole access must fall inside the range: width - 1 cannot
	 * overflow past `last` because addr <= last is checked first. */
	if (addr > e->last || e->last - addr < (uint64_t)width - 1)
		return NULL;
	return e;
}

static int grow(const struct axvm_hal *hal, struct axvm_bus_table *t)
{
	uint32_t cap = t->cap ? t->cap * 2 : 8;
	struct axvm_bus_entry *n;

	if (cap > UINT32_MAX / 2 / sizeof(*n))
		return AXVM_E2BIG;
	n = axvm_zalloc(hal, cap * sizeof(*n));
	if (!n)
		return AXVM_ENOMEM;
	if (t->count)
		memcpy(n, t->entries, t->count * sizeof(*n));
	axvm_zfree(hal, t->entries, t->cap * sizeof(*n));
	t->entries = n;
	t->cap = cap;
	return 0;
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
	if (t->count == t->cap && (rc = grow(hal, t)))
		return rc;
	memmove(&t->entries[i + 1], &t->entries[i],
		(t->count - i) * sizeof(t->entries[0]));
	t->entries[i] = (struct axvm_bus_entry){
		.base = d->base,
		.last = last,
		.ops = d->ops,
		.ctx = d->ctx,
		.name = d->name,
		.widths = d->widths ? d->widths : (uint8_t)AXVM_WIDTH_ANY,
		.naturally_aligned = d->naturally_aligned,
	};
	t->count++;
	return 0;
}

int axvm_bus_remove(const struct axvm_hal *hal, struct axvm_bus_table *t,
		    uint64_t base)
{
	uint32_t i = upper_bound(t, base);
	struct axvm_bus_entry e;

	(void)hal;
	if (i == 0 || t->entries[i - 1].base != base)
		return AXVM_ENOENT;
	e = t->entries[i - 1];
	memmove(&t->entries[i - 1], &t->entries[i],
		(t->count - i) * sizeof(t->entries[0]));
	t->count--;
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
	axvm_zfree(hal, t->entries, t->cap * sizeof(t->entries[0]));
	memset(t, 0, sizeof(*t));
}

/* Device tables change only while no vCPU can be in the run loop. */
static int vm_quiescent(const struct axvm_vm *vm)
{
	int st = atomic_load(&vm->state);
	return st == AXVM_VM_CREATED || st == AXVM_VM_STOPPED;
}

int axvm_vm_add_device(struct axvm_vm *vm, const struct axvm_device_desc *desc)
{
	int rc;

	if (!vm || !desc || (unsigned)desc->bus >= AXVM_BUS_COUNT)
		return AXVM_EINVAL;
	axvm_spin_lock(&vm->ctl);
	if (!vm_quiescent(vm))
		rc = AXVM_EBUSY;
	else
		rc = axvm_bus_add(vm->hal, &vm->buses[desc->bus], desc);
	axvm_spin_unlock(&vm->ctl);
	return rc;
}

int axvm_vm_remove_device(struct axvm_vm *vm, enum axvm_bus bus, uint64_t base)
{
	int rc;

	if (!vm || (unsigned)bus >= AXVM_BUS_COUNT)
		return AXVM_EINVAL;
	axvm_spin_lock(&vm->ctl);
	if (!vm_quiescent(vm))
		rc = AXVM_EBUSY;
	else
		rc = axvm_bus_remove(vm->hal, &vm->buses[bus], base);
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
