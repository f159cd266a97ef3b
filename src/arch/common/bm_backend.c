/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include <axvm/types.h>

#include "bm_backend.h"
#include "core/hal_alloc.h" /* backend state, zeroed */

bool axvm_bm_gpa_is_ram(const struct axvm_config *c, uint64_t gpa, uint64_t len)
{
	for (uint32_t i = 0; i < c->region_count && i < AXVM_MAX_REGIONS; i++) {
		const struct axvm_mem_region *r = &c->regions[i];
		if (r->type == AXVM_MAP_DEVICE || (r->flags & AXVM_MEM_DEVICE))
			continue;
		if (gpa >= r->gpa && gpa - r->gpa < r->size && len <= r->size - (gpa - r->gpa))
			return true;
	}
	return false;
}

uint32_t axvm_bm_vmid_alloc(struct axvm_bm_vmids *ids, uint32_t limit)
{
	if (limit > AXVM_BM_VMIDS)
		limit = AXVM_BM_VMIDS;
	for (uint32_t id = 1; id < limit; id++) {
		uint64_t bit = 1ull << (id % 64);
		if (!(atomic_fetch_or(&ids->map[id / 64], bit) & bit))
			return id;
	}
	return 0;
}

void axvm_bm_vmid_free(struct axvm_bm_vmids *ids, uint32_t id)
{
	if (id && id < AXVM_BM_VMIDS)
		atomic_fetch_and(&ids->map[id / 64], ~(1ull << (id % 64)));
}

uint64_t axvm_bm_ticks_to_ns(uint64_t ticks, uint64_t freq)
{
	uint64_t s = ticks / freq;

	if (s > 1000000000ull) /* > 30 years: no deadline worth keeping */
		return UINT64_MAX;
	return s * 1000000000ull + (ticks % freq) * 1000000000ull / freq;
}

uint64_t axvm_bm_deadline(const struct axvm_hal *hal, uint64_t ticks_left, uint64_t freq)
{
	uint64_t t = hal->now_ns(hal->ctx), ns;

	if (!ticks_left)
		return t ? t : 1;
	ns = axvm_bm_ticks_to_ns(ticks_left, freq);
	if (ns == UINT64_MAX || t > UINT64_MAX - ns)
		return 0;
	return t + ns;
}

int axvm_bm_vm_new(const struct axvm_arch_vm_info *info, size_t size,
		   struct axvm_bm_vmids *ids, uint32_t vmid_limit, void **out)
{
	struct axvm_bm_vm *vm;

	if (!info || !info->hal || !info->config || !out || !info->vcpu_count ||
	    size < sizeof(*vm))
		return AXVM_EINVAL;
	vm = axvm_zalloc(info->hal, size);
	if (!vm)
		return AXVM_ENOMEM;
	vm->hal = info->hal;
	vm->cfg = info->config;
	vm->vcpu_count = info->vcpu_count;
	vm->vcpus = axvm_zalloc(vm->hal, vm->vcpu_count * sizeof(vm->vcpus[0]));
	vm->vmid = axvm_bm_vmid_alloc(ids, vmid_limit);
	if (!vm->vcpus || !vm->vmid) {
		int rc = vm->vmid ? AXVM_ENOMEM : AXVM_EBUSY; /* every VMID taken */
		axvm_bm_vm_free(vm, size, ids);
		return rc;
	}
	*out = vm;
	return 0;
}

void axvm_bm_vm_free(struct axvm_bm_vm *vm, size_t size, struct axvm_bm_vmids *ids)
{
	if (!vm)
		return;
	axvm_bm_vmid_free(ids, vm->vmid);
	axvm_zfree(vm->hal, vm->vcpus, vm->vcpu_count * sizeof(vm->vcpus[0]));
	axvm_zfree(vm->hal, vm, size);
}

int axvm_bm_vcpu_new(struct axvm_bm_vm *vm, uint32_t id, size_t size, void **out)
{
	void *v;

	if (!vm || !out || id >= vm->vcpu_count || vm->vcpus[id])
		return AXVM_EINVAL;
	if (!(v = axvm_zalloc(vm->hal, size)))
		return AXVM_ENOMEM;
	vm->vcpus[id] = v;
	*out = v;
	return 0;
}

int axvm_bm_vcpu_new_linked(void *vm, uint32_t id, size_t size, size_t vm_at, size_t id_at,
			    void **out)
{
	struct axvm_bm_vm *base = vm; /* the backend's first member */
	void *v;
	int rc;

	if (!vm || !out || size < sizeof(base) || vm_at > size - sizeof(base) ||
	    size < sizeof(id) || id_at > size - sizeof(id))
		return AXVM_EINVAL;
	if ((rc = axvm_bm_vcpu_new(base, id, size, &v)))
		return rc;
	memcpy((uint8_t *)v + vm_at, &base, sizeof(base));
	memcpy((uint8_t *)v + id_at, &id, sizeof(id));
	*out = v;
	return 0;
}

void axvm_bm_vcpu_free(struct axvm_bm_vm *vm, uint32_t id, size_t size)
{
	void *v = vm->vcpus[id];

	vm->vcpus[id] = NULL;
	axvm_zfree(vm->hal, v, size);
}
