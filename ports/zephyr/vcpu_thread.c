/* SPDX-License-Identifier: Apache-2.0 */
/* One k_thread per vCPU, running the vCPU's run loop. */
#include "axvm_zephyr.h"

static void vcpu_thread(void *a, void *b, void *c)
{
	struct axvm_zephyr_vcpu_thread *t = a;
	struct axvm_exit exit;

	(void)b;
	(void)c;
	for (;;) {
		int rc = axvm_vcpu_run(t->vcpu, &exit);
		if (rc == AXVM_EINTR) { /* the host asked for the CPU back */
			k_yield();
			continue;
		}
		if (rc == AXVM_EAGAIN) { /* powered off (CPU down): wait */
			k_sleep(K_MSEC(10));
			continue;
		}
		if (rc == AXVM_ESHUTDOWN)
			break;
		if (!t->on_exit || !t->on_exit(t->ctx, t->vcpu, rc, &exit))
			break;
	}
	axvm_vcpu_put(t->vcpu);
	t->done = true;
	if (t->done_sem)
		k_sem_give(t->done_sem);
}

int axvm_zephyr_vcpu_thread_start(struct axvm_zephyr_vcpu_thread *t, struct axvm_vcpu *vcpu,
				  k_thread_stack_t *stack, size_t stack_size, int prio,
				  axvm_zephyr_exit_fn on_exit, void *ctx, struct k_sem *done_sem)
{
	if (!t || !vcpu || !stack)
		return AXVM_EINVAL;
	t->vcpu = vcpu;
	t->on_exit = on_exit;
	t->ctx = ctx;
	t->done_sem = done_sem;
	t->done = false;
	k_thread_create(&t->thread, stack, stack_size, vcpu_thread, t, NULL, NULL, prio, 0,
			K_NO_WAIT);
	return 0;
}
