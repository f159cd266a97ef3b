/* SPDX-License-Identifier: Apache-2.0 */
/* VM lifecycle: create, boot, two-phase shutdown, reset, destroy. */
#include <string.h>

#include "internal.h"

static void vm_free(struct axvm_vm *vm)
{
	const struct axvm_hal *hal = HAL(vm->hal);

	if (vm->vcpus) {
		for (uint32_t i = 0; i < vm->vcpu_count; i++) {
			struct axvm_vcpu *v = &vm->vcpus[i];
			if (v->arch_vcpu)
				ARCH(vm)->vcpu_destroy(v->arch_vcpu);
			atomic_store(&v->state, AXVM_VCPU_INVALID);
		}
		axvm_zfree(hal, vm->vcpus, vm->vcpu_count * sizeof(vm->vcpus[0]));
	}
	for (unsigned b = 0; b < AXVM_BUS_COUNT; b++)
		axvm_bus_destroy(hal, &vm->buses[b]);
	if (vm->arch_vm)
		ARCH(vm)->vm_destroy(vm->arch_vm);
	if (vm->as)
		axvm_addrspace_destroy(vm->as);
	axvm_zfree(hal, vm, sizeof(*vm));
}

static int vm_build_memory(struct axvm_vm *vm)
{
	int rc = axvm_addrspace_create(vm->hal, ARCH(vm)->pt_format, &vm->as);

	for (uint32_t i = 0; !rc && i < vm->cfg.region_count; i++)
		rc = axvm_addrspace_add_region(vm->as, &vm->cfg.regions[i]);
	return rc;
}

/* Backends that translate guest memory themselves (KVM) learn each RAM
 * region and its host backing; passthrough windows are theirs to refuse. */
static int vm_map_backend_regions(struct axvm_vm *vm)
{
	if (!ARCH(vm)->map_region)
		return 0;
	for (uint32_t i = 0; i < vm->cfg.region_count; i++) {
		const struct axvm_mem_region *r = &vm->cfg.regions[i];
		void *hva = axvm_addrspace_region_hva(vm->as, i);
		int rc;
		if (r->type == AXVM_MAP_DEVICE || !hva)
			continue;
		if ((rc = ARCH(vm)->map_region(vm->arch_vm, r, hva)))
			return rc;
	}
	return 0;
}

static int vm_build_vcpus(struct axvm_vm *vm)
{
	axvm_hpa_t root = axvm_addrspace_root(vm->as);

	vm->vcpus = axvm_zalloc(vm->hal, vm->vcpu_count * sizeof(vm->vcpus[0]));
	if (!vm->vcpus)
		return AXVM_ENOMEM;
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		struct axvm_vcpu *v = &vm->vcpus[i];
		int rc;
		v->vm = vm;
		v->index = i;
		atomic_init(&v->refs, 1);
		atomic_init(&v->state, AXVM_VCPU_INVALID);
		atomic_init(&v->bound_pcpu, vm->cfg.pcpu_affinity[i]);
		if ((rc = ARCH(vm)->vcpu_create(vm->arch_vm, i, &v->arch_vcpu)))
			return rc;
		if (ARCH(vm)->vcpu_attach)
			ARCH(vm)->vcpu_attach(v->arch_vcpu, v);
		atomic_store(&v->state, AXVM_VCPU_CREATED);
		rc = ARCH(vm)->vcpu_setup(v->arch_vcpu, axvm_vm_vcpu_entry(vm, i),
					  root);
		if (rc)
			return rc;
		atomic_store(&v->state, AXVM_VCPU_FREE);
	}
	return 0;
}

#ifdef AXVM_CONFIG_CHECKED_AT_BUILD
/* The config was compiled in after axvm-config ran axvm_config_validate()
 * on it at build time (ports/baremetal, AXVM_BM_CONFIG_C); the image
 * carries no second copy of those checks. The counts that size this VM's
 * arrays are checked again all the same: a port edits a config before it
 * gets here, and a miscount would index past them. */
static int config_check(const struct axvm_config *cfg, struct axvm_config_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
	if (!cfg || cfg->vcpu_count == 0 || cfg->vcpu_count > AXVM_MAX_VCPUS ||
	    cfg->region_count > AXVM_MAX_REGIONS || cfg->device_count > AXVM_MAX_CONFIG_DEVICES)
		return AXVM_EINVAL;
	return 0;
}
#else
#define config_check axvm_config_validate
#endif

int axvm_vm_create(struct axvm_host *host, const struct axvm_config *cfg,
		   struct axvm_vm **out, struct axvm_config_error *err)
{
	struct axvm_vm *vm;
	int rc;

	if (!out)
		return AXVM_EINVAL;
	*out = NULL;
	if (!host)
		return AXVM_EINVAL;
	if ((rc = config_check(cfg, err)))
		return rc;
	vm = axvm_zalloc(&host->hal, sizeof(*vm));
	if (!vm)
		return AXVM_ENOMEM;
	vm->host = host;
	vm->hal = &host->hal;
	vm->arch = host->arch;
	vm->cfg = *cfg;
	vm->id = cfg->id;
	vm->vcpu_count = cfg->vcpu_count;
	vm->policy = cfg->unhandled_policy;
	atomic_init(&vm->refs, 1);
	atomic_init(&vm->run_state, axvm_run_state(AXVM_VM_CREATED, 0));
	atomic_flag_clear(&vm->ctl.flag);

	rc = vm_build_memory(vm);
	if (!rc && ARCH(vm)->vm_init) {
		struct axvm_arch_vm_info info = {
			.vm_id = vm->id,
			.vcpu_count = vm->vcpu_count,
			.config = &vm->cfg,
			.hal = vm->hal,
			.arch_ctx = vm->arch->ctx,
		};
		rc = ARCH(vm)->vm_init(&info, &vm->arch_vm);
	}
	if (!rc) /* stage-2 changes from now on reach the backend's TLBs */
		rc = axvm_addrspace_set_flush(vm->as, ARCH(vm)->flush_stage2,
					      vm->arch_vm);
	if (!rc)
		rc = vm_map_backend_regions(vm);
	if (!rc)
		rc = vm_build_vcpus(vm);
	for (uint32_t i = 0; !rc && i < cfg->device_count; i++) {
		const struct axvm_device_desc *d = &cfg->devices[i];
		rc = axvm_bus_add(vm->hal, &vm->buses[d->bus], d);
	}
	if (!rc)
		rc = axvm_host_register(host, vm);
	if (rc) {
		if (rc == AXVM_EEXIST && err) {
			err->code = rc;
			axvm_strlcpy(err->field, "id", sizeof(err->field));
			axvm_strlcpy(err->message, "id: a live VM already has this id",
				     sizeof(err->message));
		}
		vm_free(vm);
		return rc;
	}
	*out = vm;
	return 0;
}

int axvm_vm_get(struct axvm_vm *vm)
{
	if (!vm)
		return AXVM_EINVAL;
	/* Relaxed: a new reference is made from one the caller already
	 * holds, so no other memory needs ordering here (as in Arc::clone). */
	unsigned r = atomic_load_explicit(&vm->refs, memory_order_relaxed);
	do {
		if (r == 0 || r == UINT32_MAX)
			return AXVM_ESTATE;
	} while (!atomic_compare_exchange_weak_explicit(
		&vm->refs, &r, r + 1, memory_order_relaxed, memory_order_relaxed));
	return 0;
}

int axvm_vm_put(struct axvm_vm *vm)
{
	if (!vm)
		return AXVM_EINVAL;
	unsigned r = atomic_load_explicit(&vm->refs, memory_order_relaxed);
	/* acq_rel on the decrement: release publishes this holder's writes,
	 * acquire lets the one that reaches zero see all of them before it
	 * tears down. (Arc::drop uses release + an acquire fence; the fused
	 * form is equally correct and ThreadSanitizer understands it.) */
	do {
		if (r == 0)
			return AXVM_ESTATE;
	} while (!atomic_compare_exchange_weak_explicit(
		&vm->refs, &r, r - 1, memory_order_acq_rel, memory_order_relaxed));
	if (r != 1)
		return 0;
	axvm_host_unregister(vm->host, vm);
	vm_free(vm);
	return 0;
}

int axvm_vm_set_callbacks(struct axvm_vm *vm, const struct axvm_vm_callbacks *cb)
{
	int rc = 0;

	if (!vm)
		return AXVM_EINVAL;
	axvm_spin_lock(&vm->ctl);
	if (!axvm_vm_quiescent(vm))
		rc = AXVM_EBUSY;
	else if (cb)
		vm->cb = *cb;
	else
		memset(&vm->cb, 0, sizeof(vm->cb));
	axvm_spin_unlock(&vm->ctl);
	return rc;
}

int axvm_vm_boot(struct axvm_vm *vm)
{
	int rc = 0;

	if (!vm)
		return AXVM_EINVAL;
	axvm_spin_lock(&vm->ctl);
	/* CREATED is left only under `ctl`, so check-then-store is safe. The
	 * BSP is powered before RUNNING is published: a vCPU thread that sees
	 * RUNNING also sees vCPU 0 on. */
	if (axvm_vm_state_now(vm) != AXVM_VM_CREATED) {
		rc = AXVM_ESTATE;
	} else {
		atomic_store(&vm->vcpus[0].power, AXVM_POWER_ON);
		/* No vCPU counts itself into a VM that is not RUNNING, so a
		 * CREATED VM's count is 0. */
		atomic_store(&vm->run_state, axvm_run_state(AXVM_VM_RUNNING, 0));
	}
	axvm_spin_unlock(&vm->ctl);
	return rc;
}

int axvm_vm_enter_run(struct axvm_vm *vm)
{
	uint64_t rs = atomic_load(&vm->run_state);

	do {
		int st = axvm_run_state_vm(rs);
		if (st != AXVM_VM_RUNNING)
			return (st == AXVM_VM_SHUTTING_DOWN || st == AXVM_VM_STOPPED)
				       ? AXVM_ESHUTDOWN
				       : AXVM_ESTATE;
	} while (!atomic_compare_exchange_weak(&vm->run_state, &rs, rs + 1));
	return 0;
}

void axvm_vm_leave_run(struct axvm_vm *vm)
{
	/* Count out with one atomic subtraction (the count is the low word
	 * and at least 1: this thread counted in), not a compare-and-swap
	 * loop; the word it returns is the state counted out of. The last
	 * one out of a SHUTTING_DOWN VM then stops it, from exactly
	 * (SHUTTING_DOWN, 0), which nothing else leaves: enter_run refuses a
	 * SHUTTING_DOWN VM, shutdown leaves it as it is, boot and reset need
	 * CREATED or STOPPED. So no one sees it STOPPED with a vCPU inside,
	 * and run() returns only after the store. */
	uint64_t prev = atomic_fetch_sub(&vm->run_state, 1);

	if (axvm_run_state_vm(prev) == AXVM_VM_SHUTTING_DOWN &&
	    axvm_run_state_active(prev) == 1) {
		uint64_t last = axvm_run_state(AXVM_VM_SHUTTING_DOWN, 0);
		atomic_compare_exchange_strong(&vm->run_state, &last,
					       axvm_run_state(AXVM_VM_STOPPED, 0));
	}
}

int axvm_vm_shutdown(struct axvm_vm *vm)
{
	uint64_t rs, next;

	if (!vm)
		return AXVM_EINVAL;
	rs = atomic_load(&vm->run_state);
	do {
		int st = axvm_run_state_vm(rs);
		/* Asking twice is fine; shutting down a VM never booted is not. */
		if (st == AXVM_VM_SHUTTING_DOWN || st == AXVM_VM_STOPPED)
			return 0;
		if (st != AXVM_VM_RUNNING)
			return AXVM_ESTATE;
		/* No vCPU inside: stopped at once. */
		next = axvm_run_state_active(rs) == 0
			       ? axvm_run_state(AXVM_VM_STOPPED, 0)
			       : axvm_run_state(AXVM_VM_SHUTTING_DOWN,
						axvm_run_state_active(rs));
	} while (!atomic_compare_exchange_weak(&vm->run_state, &rs, next));
	for (uint32_t i = 0; i < vm->vcpu_count; i++)
		axvm_vcpu_kick_internal(&vm->vcpus[i]);
	return 0;
}

int axvm_vm_reset(struct axvm_vm *vm)
{
	int rc = 0;

	if (!vm)
		return AXVM_EINVAL;
	axvm_spin_lock(&vm->ctl);
	/* Only boot (under `ctl`, held here) leaves CREATED or STOPPED, and
	 * no vCPU is inside either, so the VM stays put while it is reset. */
	int st = axvm_vm_state_now(vm);
	if (st != AXVM_VM_STOPPED && st != AXVM_VM_CREATED) {
		axvm_spin_unlock(&vm->ctl);
		return AXVM_ESTATE;
	}
	for (uint32_t i = 0; !rc && i < vm->vcpu_count; i++)
		rc = axvm_vcpu_reset_internal(
			&vm->vcpus[i], axvm_vm_vcpu_entry(vm, i));
	if (!rc) {
		for (unsigned b = 0; b < AXVM_BUS_COUNT; b++) {
			axvm_bus_reset(&vm->buses[b]);
			atomic_store(&vm->unhandled[b], 0);
		}
		atomic_store(&vm->exit_code_set, false);
		atomic_store(&vm->exit_code, 0);
		atomic_store(&vm->run_state, axvm_run_state(AXVM_VM_CREATED, 0));
	}
	axvm_spin_unlock(&vm->ctl);
	return rc;
}

int axvm_vm_state(const struct axvm_vm *vm, enum axvm_vm_state *state)
{
	if (!vm || !state)
		return AXVM_EINVAL;
	*state = (enum axvm_vm_state)axvm_vm_state_now(vm);
	return 0;
}

int axvm_vm_id(const struct axvm_vm *vm, uint32_t *id)
{
	if (!vm || !id)
		return AXVM_EINVAL;
	*id = vm->id;
	return 0;
}

int axvm_vm_vcpu_count(const struct axvm_vm *vm, uint32_t *count)
{
	if (!vm || !count)
		return AXVM_EINVAL;
	*count = vm->vcpu_count;
	return 0;
}

int axvm_vm_exit_code(const struct axvm_vm *vm, uint64_t *code)
{
	if (!vm || !code)
		return AXVM_EINVAL;
	if (!atomic_load(&vm->exit_code_set))
		return AXVM_EAGAIN;
	*code = atomic_load(&vm->exit_code);
	return 0;
}

int axvm_vm_vcpu(struct axvm_vm *vm, uint32_t index, struct axvm_vcpu **out)
{
	int rc;

	if (!vm || !out)
		return AXVM_EINVAL;
	*out = NULL;
	if (index >= vm->vcpu_count)
		return AXVM_ENOENT;
	if ((rc = axvm_vcpu_get(&vm->vcpus[index])))
		return rc;
	*out = &vm->vcpus[index];
	return 0;
}

int axvm_vm_addrspace(struct axvm_vm *vm, struct axvm_addrspace **out)
{
	if (!vm || !out)
		return AXVM_EINVAL;
	*out = vm->as;
	return 0;
}
