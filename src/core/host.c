/* SPDX-License-Identifier: Apache-2.0 */
/* The host context: validated HAL, backend table and the VM registry. */
#include <stddef.h>
#include <string.h>

#include "internal.h"

/* The hooks a backend table must have that `a` lacks, or NULL. */
static const char *missing_hook(const struct axvm_arch_ops *a)
{
	if (!a->vcpu_create || !a->vcpu_destroy)
		return "vcpu_create/vcpu_destroy";
	if (!a->vcpu_setup || !a->vcpu_set_entry)
		return "vcpu_setup/vcpu_set_entry";
	if (!a->vcpu_bind || !a->vcpu_unbind || !a->vcpu_run)
		return "vcpu_bind/vcpu_unbind/vcpu_run";
	if (!a->vcpu_get_gpr || !a->vcpu_set_gpr || !a->vcpu_inject_irq)
		return "vcpu_get_gpr/vcpu_set_gpr/vcpu_inject_irq";
	if (!a->vm_init != !a->vm_destroy)
		return "vm_init and vm_destroy come as a pair";
	return NULL;
}

static int arch_validate(const struct axvm_hal *hal, const struct axvm_arch_ops *a)
{
	const char *missing = "arch table";

	if (a) {
#ifdef AXVM_ONE_BACKEND
		/* ARCH() calls this build's backend whatever a table says, so
		 * one of other functions is refused, not silently ignored (its
		 * ctx is the caller's to set). One that passes has the
		 * backend's very functions: what it lacks is then known at
		 * compile time, and the check of the backend's table folds. */
		if (memcmp(&a->pt_format, &AXVM_ONE_BACKEND->pt_format,
			   sizeof(*a) - offsetof(struct axvm_arch_ops, pt_format))) {
			axvm_log3(hal, AXVM_LOG_ERROR, "backend table is not this build's: ",
				  AXVM_ONE_BACKEND->name, NULL);
			return AXVM_ENOTSUP;
		}
		a = AXVM_ONE_BACKEND;
#endif
		missing = missing_hook(a);
	}
	if (missing) {
		axvm_log3(hal, AXVM_LOG_ERROR, "backend is missing ", missing, NULL);
		return AXVM_EINVAL;
	}
	return 0;
}

int axvm_init(const struct axvm_hal *hal, const struct axvm_arch_ops *arch,
	      struct axvm_host **out)
{
	struct axvm_host *host;
	int rc;

	if (!out)
		return AXVM_EINVAL;
	*out = NULL;
	if ((rc = axvm_hal_validate(hal)) || (rc = arch_validate(hal, arch)))
		return rc;
#ifdef AXVM_ONE_HAL
	/* HAL() calls the port's table whatever `hal` says: refuse another. */
	if (memcmp(hal, &AXVM_ONE_HAL, sizeof(*hal))) {
		axvm_log3(hal, AXVM_LOG_ERROR, "HAL is not the one this library was built for",
			  NULL, NULL);
		return AXVM_ENOTSUP;
	}
#endif
	host = axvm_zalloc(hal, sizeof(*host));
	if (!host)
		return AXVM_ENOMEM;
	host->hal = *hal;
	host->arch = arch;
	atomic_flag_clear(&host->lock.flag);
	atomic_init(&host->live_vms, 0);
	*out = host;
	return 0;
}

int axvm_fini(struct axvm_host *host)
{
	if (!host)
		return AXVM_EINVAL;
	if (atomic_load(&host->live_vms) != 0)
		return AXVM_EBUSY;
	struct axvm_hal hal = host->hal;
	axvm_zfree(&hal, host, sizeof(*host));
	return 0;
}

int axvm_host_register(struct axvm_host *host, struct axvm_vm *vm)
{
	axvm_spin_lock(&host->lock);
	for (struct axvm_vm *v = host->vms; v; v = v->next) {
		if (v->id == vm->id) {
			axvm_spin_unlock(&host->lock);
			return AXVM_EEXIST;
		}
	}
	vm->next = host->vms;
	host->vms = vm;
	atomic_fetch_add(&host->live_vms, 1);
	axvm_spin_unlock(&host->lock);
	return 0;
}

void axvm_host_unregister(struct axvm_host *host, struct axvm_vm *vm)
{
	axvm_spin_lock(&host->lock);
	for (struct axvm_vm **p = &host->vms; *p; p = &(*p)->next) {
		if (*p == vm) {
			*p = vm->next;
			atomic_fetch_sub(&host->live_vms, 1);
			break;
		}
	}
	axvm_spin_unlock(&host->lock);
}

int axvm_vm_lookup(struct axvm_host *host, uint32_t id, struct axvm_vm **out)
{
	int rc = AXVM_ENOENT;

	if (!host || !out)
		return AXVM_EINVAL;
	*out = NULL;
	axvm_spin_lock(&host->lock);
	for (struct axvm_vm *v = host->vms; v; v = v->next) {
		if (v->id != id)
			continue;
		/* Get-unless-zero: a VM whose last reference is being dropped
		 * stays listed until its destroy unregisters it (under this
		 * lock), so it must not be revived here. */
		unsigned r = atomic_load_explicit(&v->refs, memory_order_relaxed);
		while (r != 0 &&
		       !atomic_compare_exchange_weak_explicit(
			       &v->refs, &r, r + 1, memory_order_relaxed,
			       memory_order_relaxed))
			;
		if (r != 0) {
			*out = v;
			rc = 0;
		}
		break;
	}
	axvm_spin_unlock(&host->lock);
	return rc;
}
