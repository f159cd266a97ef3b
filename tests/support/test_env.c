/* SPDX-License-Identifier: Apache-2.0 */
#include "test_env.h"

#include <string.h>

int test_env_init(struct test_env *e)
{
	int rc;

	memset(e, 0, sizeof(*e));
	if ((rc = axvm_linux_hal_init(&e->port, &e->base)))
		return rc;
	/* Tests provoke errors on purpose; keep their logs quiet. */
	e->port.log_level = AXVM_LOG_ERROR;
	fault_hal_init(&e->fh, &e->base);
	axvm_mock_init(&e->mock);
	return axvm_init(&e->fh.hal, &e->mock.ops, &e->host);
}

long test_env_fini(struct test_env *e)
{
	int rc = axvm_fini(e->host);
	long live;

	if (rc)
		return rc;
	live = atomic_load(&e->fh.live);
	if (axvm_linux_hal_fini(&e->port) && live == 0)
		return 1; /* the port saw something the wrapper did not */
	return live;
}

void test_env_config(struct axvm_config *cfg, uint32_t id, uint32_t vcpus)
{
	axvm_config_init(cfg, id);
	axvm_config_set_vcpus(cfg, vcpus);
}
