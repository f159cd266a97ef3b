/* SPDX-License-Identifier: Apache-2.0 */
/* One place that builds what most host tests need: the Linux HAL wrapped by
 * the counting fault HAL, a mock backend instance and a host context. */
#ifndef AXVM_TEST_ENV_H
#define AXVM_TEST_ENV_H

#include <axvm/axvm.h>

#include "axvm_linux.h"
#include "axvm_mock.h"
#include "fault_hal.h"

struct test_env {
	struct axvm_linux_hal port;
	struct axvm_hal base;
	struct fault_hal fh;
	struct axvm_mock mock;
	struct axvm_host *host;
};

/* Build the environment; 0 or an AXVM_E* code. */
int test_env_init(struct test_env *e);

/* Only the HAL half (port + counting fault HAL), for tests with no host. */
int test_env_init_hal(struct test_env *e);

/* Tear down: the host (if any) is freed and the port closed. Returns the
 * number of allocations still live (a leak if non-zero) or a negative code. */
long test_env_fini(struct test_env *e);
/* The same after putting a fixture's vCPU and VM references (either may
 * be NULL), the usual teardown of a one-VM fixture. */
long test_env_fini_refs(struct test_env *e, struct axvm_vcpu *v, struct axvm_vm *vm);

/* A device that reads as 0x80 (so sign extension shows) and ignores writes. */
extern const struct axvm_device_ops test_nop_device;

/* Run a vCPU on a thread: pthread_create(&t, NULL, test_runner_thread, &r). */
struct test_runner {
	struct axvm_vcpu *v;
	struct axvm_exit ex;
	int rc;
};
void *test_runner_thread(void *runner);

/* A config for the mock backend: `vcpus` vCPUs, no memory. */
void test_env_config(struct axvm_config *cfg, uint32_t id, uint32_t vcpus);

#endif
