/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One FreeRTOS task per vCPU. The task owns its run loop; a tick hook
 * makes run() return AXVM_EINTR at the end of a slice, and the task
 * yields there, at a point where it holds no lock of the library's or the
 * device models', so vCPU tasks can share a core even without
 * preemption.
 */
#include "axvm_freertos.h"

#define OFF_POLL_TICKS 10 /* a vCPU that is off waits for its power-on */

/* run() answers AXVM_EAGAIN for a vCPU that is off before it looks at the
 * VM, so a task whose vCPU never came up asks the VM itself. */
static bool vm_going_down(struct axvm_vcpu *vcpu)
{
	struct axvm_vm *vm;
	enum axvm_vm_state st;

	return !axvm_vcpu_vm(vcpu, &vm) && !axvm_vm_state(vm, &st) &&
	       (st == AXVM_VM_SHUTTING_DOWN || st == AXVM_VM_STOPPED);
}

static void vcpu_task(void *arg)
{
	struct axvm_freertos_vcpu_task *t = arg;
	struct axvm_exit exit;

	for (;;) {
		int rc = axvm_vcpu_run(t->vcpu, &exit);
		if (rc == AXVM_EINTR) {
			if (t->wait_ns) { /* a halt, unbound now (wait_outside_run) */
				uint64_t ns = t->wait_ns;
				t->wait_ns = 0;
				axvm_freertos_sleep(t->port, ns);
			} else {
				taskYIELD();
			}
			continue;
		}
		if (rc == 0 && exit.kind == AXVM_EXIT_CPU_DOWN)
			continue; /* the guest turned it off: the next run() says so */
		if (rc == AXVM_EAGAIN) { /* powered off (CPU down): wait */
			if (vm_going_down(t->vcpu))
				break; /* off for good: as AXVM_ESHUTDOWN for one on */
			ulTaskNotifyTake(pdTRUE, OFF_POLL_TICKS);
			continue;
		}
		if (rc == AXVM_ESHUTDOWN)
			break;
		if (!t->on_exit || !t->on_exit(t->ctx, t->vcpu, rc, &exit))
			break;
	}
	taskENTER_CRITICAL();
	for (unsigned i = 0; i < AXVM_FREERTOS_MAX_TASKS; i++)
		if (t->port->tasks[i] == t)
			t->port->tasks[i] = NULL;
	taskEXIT_CRITICAL();
	axvm_vcpu_put(t->vcpu);
	t->done = true;
	if (t->notify_on_end)
		xTaskNotifyGive(t->notify_on_end);
	vTaskDelete(NULL);
}

int axvm_freertos_vcpu_task_start(struct axvm_freertos_hal *port,
				  struct axvm_freertos_vcpu_task *t, struct axvm_vcpu *vcpu,
				  const char *name, UBaseType_t priority,
				  configSTACK_DEPTH_TYPE stack_words, axvm_freertos_exit_fn on_exit,
				  void *ctx, TaskHandle_t notify_on_end)
{
	int slot = -1;

	if (!port || !t || !vcpu)
		return AXVM_EINVAL;
	*t = (struct axvm_freertos_vcpu_task){ .port = port, .vcpu = vcpu, .on_exit = on_exit,
					       .ctx = ctx, .notify_on_end = notify_on_end };
	taskENTER_CRITICAL();
	for (unsigned i = 0; i < AXVM_FREERTOS_MAX_TASKS && slot < 0; i++)
		if (!port->tasks[i]) {
			port->tasks[i] = t;
			slot = (int)i;
		}
	taskEXIT_CRITICAL();
	if (slot < 0)
		return AXVM_EBUSY;
	if (xTaskCreate(vcpu_task, name, stack_words, t, priority, &t->handle) != pdPASS) {
		taskENTER_CRITICAL(); /* the tick hook walks tasks[] */
		port->tasks[slot] = NULL;
		taskEXIT_CRITICAL();
		return AXVM_ENOMEM;
	}
	return 0;
}

/* Tick-hook context: only the running task's own vCPU is touched, and
 * axvm_vcpu_interrupt() only sets flags and asks the backend to kick. */
void axvm_freertos_tick(struct axvm_freertos_hal *port)
{
	TaskHandle_t cur;

	if (!port || --port->slice_left)
		return;
	port->slice_left = port->opts.slice_ticks ? port->opts.slice_ticks : 1;
	cur = xTaskGetCurrentTaskHandle();
	for (unsigned i = 0; i < AXVM_FREERTOS_MAX_TASKS; i++) {
		struct axvm_freertos_vcpu_task *t = port->tasks[i];
		if (t && t->handle == cur && !t->done) {
			port->quiet_kick = true; /* the slice's end wakes no sleeper */
			axvm_vcpu_interrupt(t->vcpu);
			port->quiet_kick = false;
		}
	}
}
