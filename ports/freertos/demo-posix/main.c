/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libaxvm hosted by FreeRTOS: a FreeRTOS application for the POSIX
 * simulator (a Linux process) whose task first runs the HAL conformance
 * suite on the FreeRTOS HAL, then boots x86_64 guests through the KVM
 * backend, one FreeRTOS task per vCPU, and prints their output. The suite
 * runs twice: on the HAL's own tick-count clock and on the finer host clock
 * the guests then use.
 *
 *   axvm-freertos-demo hello.elf[:VCPUS] smp.elf:4 ...
 *
 * Exit status 0 when the suite passed, every guest wrote exit code 0 to
 * its exit port, and the frame pool is whole again afterwards.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "axvm_freertos.h"
#include "axvm_hal_conformance.h"
#include "axvm_kvm.h"
#include "devices.h"
#include "loader.h"

#define POOL_SIZE (16u << 20)
#define TICK_POOL_SIZE (4u << 20) /* holds a 2 MiB-aligned 2 MiB block */
#define GUEST_RAM (4u << 20)
#define MAX_GUESTS 8
#define GUEST_TIMEOUT_TICKS pdMS_TO_TICKS(30000)
#define DEMO_STACK_WORDS (64 * 1024)
#define VCPU_STACK_WORDS (16 * 1024)

static uint8_t pool[POOL_SIZE] __attribute__((aligned(4096)));
static uint8_t tick_pool[TICK_POOL_SIZE] __attribute__((aligned(4096)));
static struct axvm_freertos_hal port;
static struct axvm_hal hal;
static struct axvm_host *host;

struct guest {
	const char *path;
	uint32_t vcpus;
};
static struct guest guests[MAX_GUESTS];
static int nguests;
static int demo_status = 1;

/* ---- one guest --------------------------------------------------------- */

struct vm_run {
	struct axvm_vm *vm;
	struct uart16550 uart;
	struct exit_port exitp;
	TaskHandle_t waiter;
	uint32_t started; /* vCPU tasks started; changed in critical sections */
	bool failed;
	struct axvm_freertos_vcpu_task tasks[AXVM_MAX_VCPUS];
};

static bool on_vcpu_exit(void *ctx, struct axvm_vcpu *vcpu, int rc, const struct axvm_exit *e)
{
	struct vm_run *r = ctx;
	uint32_t idx = 0;

	axvm_vcpu_index(vcpu, &idx);
	printf("demo: vCPU %u stopped: %s (%s exit)\n", idx, rc ? axvm_strerror(rc) : "unhandled",
	       axvm_exit_kind_name(e->kind));
	r->failed = true;
	axvm_vm_shutdown(r->vm);
	return false;
}

static void start_vcpu(struct vm_run *r, uint32_t index)
{
	struct axvm_vcpu *v;
	char name[16];

	if (index >= AXVM_MAX_VCPUS || axvm_vm_vcpu(r->vm, index, &v))
		return;
	snprintf(name, sizeof(name), "vcpu%u", index);
	taskENTER_CRITICAL();
	r->started++;
	taskEXIT_CRITICAL();
	if (axvm_freertos_vcpu_task_start(&port, &r->tasks[index], v, name, tskIDLE_PRIORITY + 1,
					  VCPU_STACK_WORDS, on_vcpu_exit, r, r->waiter)) {
		printf("demo: no task for vCPU %u\n", index);
		axvm_vcpu_put(v);
		taskENTER_CRITICAL();
		r->started--;
		taskEXIT_CRITICAL();
		r->failed = true;
		axvm_vm_shutdown(r->vm);
	}
}

/* CPU-up: the guest's vCPU gets its task (in the caller's vCPU task). */
static void on_powered_on(void *ctx, struct axvm_vm *vm, uint32_t index)
{
	(void)vm;
	start_vcpu(ctx, index);
}

static int build_vm(struct vm_run *r, const struct guest *g, uint32_t id, struct image *img,
		    char *msg, size_t msglen)
{
	struct axvm_config cfg;
	struct axvm_config_error cerr;
	struct axvm_device_desc d;
	struct axvm_mem_region ram = { .gpa = 0, .size = GUEST_RAM, .flags = AXVM_MEM_RWX,
				       .type = AXVM_MAP_ALLOCATED };
	int rc;

	axvm_config_init(&cfg, id);
	if ((rc = axvm_config_set_vcpus(&cfg, g->vcpus)) ||
	    (rc = axvm_config_add_region(&cfg, &ram)))
		return rc;
	cfg.bsp_entry = img->entry;
	cfg.ap_entry = img->entry;
	cfg.unhandled_policy = AXVM_POLICY_IGNORE;
	uart16550_desc(&r->uart, &d);
	if ((rc = axvm_config_add_device(&cfg, &d)))
		return rc;
	exit_port_desc(&r->exitp, &d);
	if ((rc = axvm_config_add_device(&cfg, &d)))
		return rc;
	if ((rc = axvm_vm_create(host, &cfg, &r->vm, &cerr))) {
		snprintf(msg, msglen, "create: %s %s", axvm_strerror(rc), cerr.message);
		return rc;
	}
	r->exitp.vm = r->vm;
	struct axvm_vm_callbacks cb = { .ctx = r,
					.hypercall = x86_abi_hypercall,
					.vcpu_powered_on = on_powered_on };
	if ((rc = image_load(r->vm, img, msg, msglen)) || (rc = axvm_vm_set_callbacks(r->vm, &cb)))
		return rc ? rc : AXVM_EINVAL;
	return axvm_vm_boot(r->vm);
}

/* Boot one guest and wait for every vCPU task to end. Returns the guest's
 * exit-port code, or -1. */
static int run_guest(const struct guest *g, uint32_t id)
{
	static struct vm_run r; /* big (device state, task records): not on a stack */
	struct image img;
	uint8_t *file = NULL;
	size_t len = 0;
	char msg[256] = "";
	int status = -1;

	memset(&r, 0, sizeof(r));
	r.waiter = xTaskGetCurrentTaskHandle();
	uart16550_init(&r.uart, stdout);
	uint64_t load_end = GUEST_RAM - (uint64_t)g->vcpus * AXVM_KVM_STACK_SIZE;
	if (image_read_file(g->path, GUEST_RAM, &file, &len, msg, sizeof(msg)) ||
	    image_parse(file, len, AXVM_KVM_IMAGE_MIN, load_end, &img, msg, sizeof(msg)) ||
	    build_vm(&r, g, id, &img, msg, sizeof(msg))) {
		printf("demo: %s: %s\n", g->path, msg[0] ? msg : "cannot build the VM");
		goto out;
	}
	start_vcpu(&r, 0);
	/* Each vCPU task notifies us when it ends; a guest that hangs is
	 * shut down after the timeout, which ends its tasks too. */
	TickType_t deadline = xTaskGetTickCount() + GUEST_TIMEOUT_TICKS;
	for (;;) {
		uint32_t live = 0;
		taskENTER_CRITICAL();
		for (uint32_t i = 0; i < AXVM_MAX_VCPUS; i++)
			if (r.tasks[i].port && !r.tasks[i].done)
				live++;
		taskEXIT_CRITICAL();
		if (!live)
			break;
		ulTaskNotifyTake(pdTRUE, pdMS_TO_TICKS(100));
		if (xTaskGetTickCount() > deadline && !r.failed) {
			printf("demo: %s: timed out, shutting the VM down\n", g->path);
			r.failed = true;
			axvm_vm_shutdown(r.vm);
		}
	}
	fflush(stdout);
	if (atomic_load(&r.exitp.written) && !r.failed)
		status = atomic_load(&r.exitp.code);
out:
	if (r.vm)
		axvm_vm_put(r.vm);
	uart16550_fini(&r.uart);
	free(file);
	return status;
}

/* ---- the demo task ---------------------------------------------------- */

static void report(void *ctx, const char *check, bool ok, const char *detail)
{
	(void)ctx;
	if (!ok)
		printf("demo: conformance: %s: %s\n", check, detail);
}

/* One run of the suite over `h`; returns the number of failed checks. */
static int conformance(const struct axvm_hal *h, size_t pool_size, const char *clock)
{
	struct axvm_hal_conformance co = { .exhaust_limit_pages = pool_size / AXVM_PAGE_SIZE,
					   .report = report };
	int rc = axvm_hal_conformance_run(h, &co);

	printf("demo: HAL conformance suite in a FreeRTOS task (%s): %s (%d failed)\n", clock,
	       rc ? "FAIL" : "PASS", rc);
	return rc;
}

/* The tick-count clock is the HAL's default and what a port without a
 * finer clock gets, so it passes the suite too; a HAL of its own (no
 * clock option) over a second pool, so the guests' HAL is left as is. */
static int tick_clock_conformance(void)
{
	static struct axvm_freertos_hal tick_port;
	struct axvm_hal tick_hal;

	if (axvm_freertos_hal_init(&tick_port, &tick_hal, tick_pool, sizeof(tick_pool), NULL)) {
		printf("demo: cannot set up the tick-clock HAL\n");
		return 1;
	}
	return conformance(&tick_hal, sizeof(tick_pool), "tick clock");
}

/* The suite cannot block, so the port's own check: a task inside the
 * HAL's wait (a halted vCPU) wakes on a kick, long before its timeout. */
struct sleeper {
	const struct axvm_hal *hal;
	TaskHandle_t waiter;
	uint64_t slept_ns;
};

static void sleeper_task(void *arg)
{
	struct sleeper *s = arg;
	uint64_t t0 = s->hal->now_ns(s->hal->ctx);

	s->hal->wait(s->hal->ctx, 5000000000ull);
	s->slept_ns = s->hal->now_ns(s->hal->ctx) - t0;
	xTaskNotifyGive(s->waiter);
	vTaskDelete(NULL);
}

static int kick_wakes_waiter(const struct axvm_hal *h)
{
	static struct sleeper s;
	bool ok;

	s = (struct sleeper){ .hal = h, .waiter = xTaskGetCurrentTaskHandle(),
			      .slept_ns = UINT64_MAX };
	if (xTaskCreate(sleeper_task, "sleeper", VCPU_STACK_WORDS, &s, tskIDLE_PRIORITY + 1,
			NULL) != pdPASS) {
		printf("demo: cannot create the sleeper task\n");
		return 1;
	}
	vTaskDelay(pdMS_TO_TICKS(20)); /* the sleeper is now inside wait */
	h->kick_pcpu(h->ctx, h->current_pcpu(h->ctx));
	while (s.slept_ns == UINT64_MAX)
		ulTaskNotifyTake(pdTRUE, pdMS_TO_TICKS(100));
	ok = s.slept_ns < 1000000000ull;
	printf("demo: a kick wakes a task in the HAL's wait: %s (%llu ms)\n", ok ? "PASS" : "FAIL",
	       (unsigned long long)(s.slept_ns / 1000000));
	return !ok;
}

static void demo_task(void *arg)
{
	static struct axvm_kvm_params kvm_params = { .kick_signal = 0 };
	static struct axvm_arch_ops kvm_ops;
	size_t free_before = axvm_freertos_free_pages(&port);
	int failed = 0, rc;

	(void)arg;
	failed += tick_clock_conformance() != 0;
	failed += conformance(&hal, POOL_SIZE, "host clock") != 0;
	failed += kick_wakes_waiter(&hal);

	/* SIGUSR1 is the simulator's own (it resumes the main thread). */
	kvm_params.kick_signal = SIGUSR2;
	kvm_ops = axvm_arch_kvm;
	kvm_ops.ctx = &kvm_params;
	if ((rc = axvm_init(&hal, &kvm_ops, &host))) {
		printf("demo: axvm_init: %s\n", axvm_strerror(rc));
		failed++;
	} else {
		for (int i = 0; i < nguests; i++) {
			int status = run_guest(&guests[i], (uint32_t)i + 1);
			printf("demo: %s (%u vCPU%s) exited with status %d\n", guests[i].path,
			       guests[i].vcpus, guests[i].vcpus == 1 ? "" : "s", status);
			failed += status != 0;
		}
		if ((rc = axvm_fini(host))) {
			printf("demo: axvm_fini: %s\n", axvm_strerror(rc));
			failed++;
		}
	}
	size_t free_after = axvm_freertos_free_pages(&port);
	printf("demo: frame pool: %zu of %zu free pages back\n", free_after, free_before);
	failed += free_after != free_before;
	printf("demo: %s\n", failed ? "FAIL" : "PASS");
	fflush(stdout);
	demo_status = failed ? 1 : 0;
	vTaskEndScheduler();
	vTaskDelete(NULL);
}

/* ---- FreeRTOS hooks ----------------------------------------------------- */

void vApplicationTickHook(void);
void vApplicationTickHook(void)
{
	axvm_freertos_tick(&port);
}

void demo_assert_failed(const char *file, int line)
{
	fprintf(stderr, "demo: FreeRTOS assertion failed at %s:%d\n", file, line);
	abort();
}

static uint64_t mono_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("axvm: %s\n", line);
}

int main(int argc, char **argv)
{
	struct axvm_freertos_opts opts = { .clock_ns = mono_ns, .puts = log_line, .slice_ticks = 1 };

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc && nguests < MAX_GUESTS; i++) {
		char *colon = strrchr(argv[i], ':');
		guests[nguests].vcpus = 1;
		if (colon) {
			*colon = '\0';
			guests[nguests].vcpus = (uint32_t)strtoul(colon + 1, NULL, 10);
		}
		if (!guests[nguests].vcpus || guests[nguests].vcpus > 8) {
			fprintf(stderr, "demo: %s: 1 to 8 vCPUs\n", argv[i]);
			return 2;
		}
		guests[nguests++].path = argv[i];
	}
	if (axvm_freertos_hal_init(&port, &hal, pool, sizeof(pool), &opts)) {
		fprintf(stderr, "demo: cannot set up the HAL\n");
		return 1;
	}
	if (xTaskCreate(demo_task, "demo", DEMO_STACK_WORDS, NULL, tskIDLE_PRIORITY + 1, NULL) !=
	    pdPASS) {
		fprintf(stderr, "demo: cannot create the demo task\n");
		return 1;
	}
	vTaskStartScheduler();
	return demo_status;
}
