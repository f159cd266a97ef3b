/* SPDX-License-Identifier: Apache-2.0 */
#include "test_env.h"

#include <string.h>

int test_env_init_hal(struct test_env *e)
{
	int rc;

	memset(e, 0, sizeof(*e));
	if ((rc = axvm_linux_hal_init(&e->port, &e->base)))
		return rc;
	/* Tests provoke errors on purpose; keep their logs quiet. */
	e->port.log_level = AXVM_LOG_ERROR;
	fault_hal_init(&e->fh, &e->base);
	return 0;
}

int test_env_init(struct test_env *e)
{
	int rc = test_env_init_hal(e);

	if (rc)
		return rc;
	axvm_mock_init(&e->mock);
	return axvm_init(&e->fh.hal, &e->mock.ops, &e->host);
}

long test_env_fini(struct test_env *e)
{
	long live;

	if (e->host) {
		int rc = axvm_fini(e->host);
		if (rc)
			return rc;
		e->host = NULL;
	}
	live = atomic_load(&e->fh.live);
	/* Frames freed with another count than they were taken with leave
	 * live_pages non-zero even when every allocation was freed. */
	if (live == 0 && atomic_load(&e->fh.live_pages) != 0)
		return 1;
	if (axvm_linux_hal_fini(&e->port) && live == 0)
		return 1; /* the port saw something the wrapper did not */
	return live;
}

void test_env_config(struct axvm_config *cfg, uint32_t id, uint32_t vcpus)
{
	axvm_config_init(cfg, id);
	axvm_config_set_vcpus(cfg, vcpus);
}

static int nop_read(void *ctx, uint64_t off, unsigned width, uint64_t *value)
{
	(void)ctx;
	(void)off;
	(void)width;
	*value = 0x80;
	return 0;
}

static int nop_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	(void)ctx;
	(void)off;
	(void)width;
	(void)value;
	return 0;
}

const struct axvm_device_ops test_nop_device = { nop_read, nop_write, NULL, NULL };

void *test_runner_thread(void *runner)
{
	struct test_runner *r = runner;
	r->rc = axvm_vcpu_run(r->v, &r->ex);
	return NULL;
}

long test_env_fini_refs(struct test_env *e, struct axvm_vcpu *v, struct axvm_vm *vm)
{
	if (v)
		axvm_vcpu_put(v);
	if (vm)
		axvm_vm_put(vm);
	return test_env_fini(e);
}
