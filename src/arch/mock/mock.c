/* SPDX-License-Identifier: Apache-2.0 */
/* Scripted mock backend. */
#include <sched.h>
#include <string.h>

#include "axvm_mock.h"

struct axvm_mock_vm {
	struct axvm_mock *mock;
	const struct axvm_hal *hal;
	struct axvm_mock_vm *next;
	uint32_t vm_id;
	uint32_t vcpu_count;
	struct axvm_mock_vcpu *vcpus;
};

struct mock_vcpu_handle {
	struct axvm_mock_vm *vm;
	struct axvm_mock_vcpu *rec;
};

static void lock(struct axvm_mock *m)
{
	while (atomic_flag_test_and_set_explicit(&m->lock, memory_order_acquire))
		;
}

static void unlock(struct axvm_mock *m)
{
	atomic_flag_clear_explicit(&m->lock, memory_order_release);
}

static void *zalloc(const struct axvm_hal *hal, size_t size)
{
	void *p = hal->alloc ? hal->alloc(hal->ctx, size) : NULL;
	if (p)
		memset(p, 0, size);
	return p;
}

static int mock_vm_init(const struct axvm_arch_vm_info *info, void **out)
{
	struct axvm_mock *m = info->arch_ctx;
	struct axvm_mock_vm *vm;

	if (m->fail_vm_init)
		return m->fail_vm_init;
	if (!info->hal->alloc)
		return AXVM_ENOSYS; /* the mock keeps its records in small objects */
	vm = zalloc(info->hal, sizeof(*vm));
	if (!vm)
		return AXVM_ENOMEM;
	vm->vcpus = zalloc(info->hal, info->vcpu_count * sizeof(vm->vcpus[0]));
	if (!vm->vcpus) {
		info->hal->free(info->hal->ctx, vm, sizeof(*vm));
		return AXVM_ENOMEM;
	}
	vm->mock = m;
	vm->hal = info->hal;
	vm->vm_id = info->vm_id;
	vm->vcpu_count = info->vcpu_count;
	lock(m);
	vm->next = m->vms;
	m->vms = vm;
	unlock(m);
	*out = vm;
	return 0;
}

static void mock_vm_destroy(void *p)
{
	struct axvm_mock_vm *vm = p;
	struct axvm_mock *m = vm->mock;

	lock(m);
	for (struct axvm_mock_vm **it = &m->vms; *it; it = &(*it)->next) {
		if (*it == vm) {
			*it = vm->next;
			break;
		}
	}
	unlock(m);
	vm->hal->free(vm->hal->ctx, vm->vcpus, vm->vcpu_count * sizeof(vm->vcpus[0]));
	vm->hal->free(vm->hal->ctx, vm, sizeof(*vm));
}

static int mock_vcpu_create(void *p, uint32_t id, void **out)
{
	struct axvm_mock_vm *vm = p;
	struct mock_vcpu_handle *h;

	if (id >= vm->vcpu_count)
		return AXVM_EINVAL;
	/* A per-vCPU allocation, like a real backend's, so allocation-failure
	 * tests reach this error path too. */
	h = zalloc(vm->hal, sizeof(*h));
	if (!h)
		return AXVM_ENOMEM;
	h->vm = vm;
	h->rec = &vm->vcpus[id];
	h->rec->index = id;
	h->rec->script = vm->mock->scripts[id];
	*out = h;
	return 0;
}

static void mock_vcpu_destroy(void *p)
{
	struct mock_vcpu_handle *h = p;
	h->vm->hal->free(h->vm->hal->ctx, h, sizeof(*h));
}

static struct axvm_mock_vcpu *rec(void *p)
{
	return ((struct mock_vcpu_handle *)p)->rec;
}

static int mock_vcpu_setup(void *p, uint64_t entry, axvm_hpa_t root)
{
	struct axvm_mock_vcpu *r = rec(p);
	r->entry = entry;
	r->s2_root = root;
	r->setups++;
	r->pos = 0;
	r->round = 0;
	r->runs = 0;
	return 0;
}

static int mock_vcpu_set_gpr(void *p, uint32_t reg, uint64_t value)
{
	struct axvm_mock_vcpu *r = rec(p);

	if (reg >= AXVM_MOCK_GPRS || reg == AXVM_MOCK_BAD_REG)
		return AXVM_EINVAL;
	r->gpr[reg] = value;
	if (r->nwrites < AXVM_MOCK_LOG) {
		r->writes[r->nwrites].reg = reg;
		r->writes[r->nwrites].value = value;
	}
	r->nwrites++;
	return 0;
}

static int mock_vcpu_get_gpr(void *p, uint32_t reg, uint64_t *value)
{
	struct axvm_mock_vcpu *r = rec(p);

	if (reg >= AXVM_MOCK_GPRS)
		return AXVM_EINVAL;
	*value = r->gpr[reg];
	return 0;
}

/* As the real backends: never on a bound vCPU (include/axvm/arch.h). */
static int mock_vcpu_set_entry(void *p, uint64_t entry, uint64_t arg)
{
	struct axvm_mock_vcpu *r = rec(p);
	if (r->binds != r->unbinds)
		return AXVM_EBUSY;
	r->entry = entry;
	r->arg = arg;
	r->set_entries++;
	return 0;
}

static int mock_vcpu_bind(void *p)
{
	rec(p)->binds++;
	return 0;
}

static int mock_vcpu_unbind(void *p)
{
	rec(p)->unbinds++;
	return 0;
}

static int mock_vcpu_run(void *p, struct axvm_exit *exit)
{
	struct axvm_mock_vcpu *r = rec(p);
	const struct axvm_mock_script *s = &r->script;

	r->runs++;
	if (s->fail_at && r->runs == (unsigned)s->fail_at)
		return AXVM_EIO;
	if (s->block_until_kick) {
		while (!atomic_exchange(&r->kicked, false))
			sched_yield();
		exit->kind = AXVM_EXIT_NOTHING;
		return 0;
	}
	if (r->pos == s->count && r->round < s->repeat && s->count) {
		r->pos = 0;
		r->round++;
	}
	if (r->pos >= s->count) {
		exit->kind = AXVM_EXIT_SYSTEM_DOWN;
		exit->u.system_down.code = s->end_code;
		return 0;
	}
	*exit = s->exits[r->pos++];
	return 0;
}

static int mock_vcpu_inject_irq(void *p, uint32_t irq)
{
	struct axvm_mock_vcpu *r = rec(p);
	atomic_fetch_add(&r->irqs, 1);
	atomic_store(&r->last_irq, irq);
	return 0;
}

static int mock_vcpu_kick(void *p)
{
	struct axvm_mock_vcpu *r = rec(p);
	atomic_fetch_add(&r->kicks, 1);
	atomic_store(&r->kicked, true);
	return 0;
}

static const struct axvm_arch_ops mock_ops = {
	.name = "mock",
	.vm_init = mock_vm_init,
	.vm_destroy = mock_vm_destroy,
	.vcpu_create = mock_vcpu_create,
	.vcpu_destroy = mock_vcpu_destroy,
	.vcpu_setup = mock_vcpu_setup,
	.vcpu_set_entry = mock_vcpu_set_entry,
	.vcpu_bind = mock_vcpu_bind,
	.vcpu_unbind = mock_vcpu_unbind,
	.vcpu_run = mock_vcpu_run,
	.vcpu_get_gpr = mock_vcpu_get_gpr,
	.vcpu_set_gpr = mock_vcpu_set_gpr,
	.vcpu_inject_irq = mock_vcpu_inject_irq,
	.vcpu_kick = mock_vcpu_kick,
};

void axvm_mock_init(struct axvm_mock *m)
{
	memset(m, 0, sizeof(*m));
	m->ops = mock_ops;
	m->ops.ctx = m;
	atomic_flag_clear(&m->lock);
}

struct axvm_mock_vcpu *axvm_mock_vcpu(struct axvm_mock *m, uint32_t vm_id,
				      uint32_t index)
{
	struct axvm_mock_vcpu *r = NULL;

	lock(m);
	for (struct axvm_mock_vm *vm = m->vms; vm; vm = vm->next) {
		if (vm->vm_id == vm_id && index < vm->vcpu_count) {
			r = &vm->vcpus[index];
			break;
		}
	}
	unlock(m);
	return r;
}
