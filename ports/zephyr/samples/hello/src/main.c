/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libaxvm hosted by Zephyr (native_sim): the HAL conformance suite in the
 * main thread, then the x86_64 hello guest on the KVM backend in a vCPU
 * thread. Prints "axvm sample: PASS" when both went well.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime from the host C library */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zephyr/kernel.h>

#include "axvm_hal_conformance.h"
#include "axvm_kvm.h"
#include "axvm_zephyr.h"
#include "devices.h"
#include "loader.h"

#define POOL_SIZE (4u << 20)
#define GUEST_RAM (2u << 20)

K_THREAD_STACK_DEFINE(vcpu_stack, CONFIG_AXVM_VCPU_STACK_SIZE);
K_SEM_DEFINE(vcpu_done, 0, 1);

static struct axvm_zephyr_hal port;
static struct axvm_hal hal;
static struct axvm_zephyr_vcpu_thread vcpu_thread;
static struct uart16550 uart;
static struct exit_port exitp;

/* native_sim's kernel time is simulated: it moves only when every
 * Zephyr thread idles, so it stands still during a busy loop or while a
 * vCPU thread is inside KVM_RUN. The HAL takes the host's clock instead
 * (the board links the host C library, CONFIG_EXTERNAL_LIBC). */
static uint64_t host_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The suite cannot block, so the port's own check: a thread inside the
 * HAL's wait (a halted vCPU) wakes on a kick, long before its timeout. */
K_THREAD_STACK_DEFINE(sleeper_stack, 4096);
static struct k_thread sleeper;
static uint64_t slept_ns;

static void sleeper_fn(void *a, void *b, void *c)
{
	uint64_t t0 = hal.now_ns(hal.ctx);

	(void)a;
	(void)b;
	(void)c;
	hal.wait(hal.ctx, 5000000000ull);
	slept_ns = hal.now_ns(hal.ctx) - t0;
}

static int kick_wakes_waiter(void)
{
	bool ok;

	slept_ns = UINT64_MAX;
	k_thread_create(&sleeper, sleeper_stack, K_THREAD_STACK_SIZEOF(sleeper_stack), sleeper_fn,
			NULL, NULL, NULL, K_PRIO_PREEMPT(1), 0, K_NO_WAIT);
	k_sleep(K_MSEC(20)); /* the sleeper is now inside wait */
	hal.kick_pcpu(hal.ctx, hal.current_pcpu(hal.ctx));
	k_thread_join(&sleeper, K_SECONDS(10));
	ok = slept_ns < 1000000000ull;
	printf("axvm sample: a kick wakes a thread in the HAL's wait: %s (%llu ms)\n",
	       ok ? "PASS" : "FAIL", (unsigned long long)(slept_ns / 1000000));
	return !ok;
}

static void report(void *ctx, const char *check, bool ok, const char *detail)
{
	(void)ctx;
	if (!ok)
		printf("axvm sample: conformance: %s: %s\n", check, detail);
}

static bool vcpu_stopped(void *ctx, struct axvm_vcpu *vcpu, int rc, const struct axvm_exit *e)
{
	(void)vcpu;
	printf("axvm sample: vCPU stopped: %s (%s exit)\n", rc ? axvm_strerror(rc) : "unhandled",
	       axvm_exit_kind_name(e->kind));
	axvm_vm_shutdown(ctx);
	return false;
}

/* The guest's exit-port code, or -1. */
static int run_hello(struct axvm_host *host)
{
	struct axvm_config cfg;
	struct axvm_device_desc d;
	struct axvm_mem_region ram = { .gpa = 0, .size = GUEST_RAM, .flags = AXVM_MEM_RWX,
				       .type = AXVM_MAP_ALLOCATED };
	struct axvm_vm_callbacks cb = { .hypercall = x86_abi_hypercall };
	struct axvm_vm *vm = NULL;
	struct axvm_vcpu *v;
	struct image img;
	uint8_t *file = NULL;
	size_t len;
	char msg[160] = "";
	int status = -1;

	uart16550_init(&uart, stdout);
	axvm_config_init(&cfg, 1);
	axvm_config_add_region(&cfg, &ram);
	uart16550_desc(&uart, &d);
	axvm_config_add_device(&cfg, &d);
	exit_port_desc(&exitp, &d);
	axvm_config_add_device(&cfg, &d);
	if (image_read_file(AXVM_SAMPLE_GUEST, GUEST_RAM, &file, &len, msg, sizeof(msg)) ||
	    image_parse(file, len, AXVM_KVM_IMAGE_MIN, GUEST_RAM - AXVM_KVM_STACK_SIZE, &img, msg,
			sizeof(msg))) {
		printf("axvm sample: %s: %s\n", AXVM_SAMPLE_GUEST, msg);
		goto out;
	}
	cfg.bsp_entry = img.entry;
	if (axvm_vm_create(host, &cfg, &vm, NULL) || image_load(vm, &img, msg, sizeof(msg)) ||
	    axvm_vm_set_callbacks(vm, &cb) || axvm_vm_boot(vm) || axvm_vm_vcpu(vm, 0, &v)) {
		printf("axvm sample: cannot start the VM %s\n", msg);
		goto out;
	}
	exitp.vm = vm;
	axvm_zephyr_vcpu_thread_start(&vcpu_thread, v, vcpu_stack,
				      K_THREAD_STACK_SIZEOF(vcpu_stack), K_PRIO_PREEMPT(1),
				      vcpu_stopped, vm, &vcpu_done);
	if (k_sem_take(&vcpu_done, K_SECONDS(30))) {
		printf("axvm sample: timed out\n");
		axvm_vm_shutdown(vm);
		k_sem_take(&vcpu_done, K_FOREVER);
	}
	if (atomic_load(&exitp.written))
		status = atomic_load(&exitp.code);
out:
	if (vm)
		axvm_vm_put(vm);
	uart16550_fini(&uart);
	free(file);
	return status;
}

int main(void)
{
	struct axvm_hal_conformance co = { .exhaust_limit_pages = POOL_SIZE / AXVM_PAGE_SIZE,
					   .report = report };
	const struct axvm_zephyr_opts opts = { .clock_ns = host_ns };
	struct axvm_host *host;
	int failed = 0, rc;

	if ((rc = axvm_zephyr_hal_init(&port, &hal, NULL, POOL_SIZE, &opts))) {
		printf("axvm sample: HAL: %s\n", axvm_strerror(rc));
		return 1;
	}
	size_t before = axvm_zephyr_free_pages(&port);
	rc = axvm_hal_conformance_run(&hal, &co);
	printf("axvm sample: HAL conformance suite in a Zephyr thread: %s (%d failed)\n",
	       rc ? "FAIL" : "PASS", rc);
	failed += rc != 0;
	failed += kick_wakes_waiter();
	if ((rc = axvm_init(&hal, &axvm_arch_kvm, &host))) {
		printf("axvm sample: axvm_init: %s\n", axvm_strerror(rc));
		failed++;
	} else {
		int status = run_hello(host);
		printf("axvm sample: guest exited with status %d\n", status);
		failed += status != 0;
		failed += axvm_fini(host) != 0;
	}
	failed += axvm_zephyr_free_pages(&port) != before;
	axvm_zephyr_hal_fini(&port);
	printf("axvm sample: %s\n", failed ? "FAIL" : "PASS");
	fflush(stdout);
	exit(failed ? 1 : 0); /* native_sim: end the process with this status */
	return 0;
}
