/* SPDX-License-Identifier: Apache-2.0 */
/* axvm-run's VM runner: one host thread per vCPU. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "axvm_kvm.h"
#include "devices.h"
#include "disk.h"
#include "loader.h"
#include "runner.h"

#define MAX_IMAGE_FILE (1ull << 30)

struct runner;

struct vcpu_thread {
	struct runner *r;
	uint32_t index;
	pthread_t tid;
	bool started;
	uint64_t cpu_ns; /* the thread's CPU time in its run loop */
};

struct runner {
	const struct runner_opts *o;
	struct axvm_vm *vm;
	struct uart16550 uart;
	struct exit_port exitp;
	struct axvm_testdev testdev;
	struct disk disk; /* --disk; fd -1 without */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint32_t live; /* vCPU threads not yet finished */
	bool failed;
	char reason[512];
	struct vcpu_thread th[AXVM_MAX_VCPUS];
};

/* The first reason to stop wins; the exit port beats later faults. */
static void stop(struct runner *r, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&r->lock);
	if (!r->failed && !atomic_load(&r->exitp.written)) {
		r->failed = true;
		va_start(ap, fmt);
		vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&r->lock);
	axvm_vm_shutdown(r->vm);
}

static const char *bus_access(const struct axvm_exit *e)
{
	switch (e->kind) {
	case AXVM_EXIT_IO_READ:
		return "port read";
	case AXVM_EXIT_IO_WRITE:
		return "port write";
	case AXVM_EXIT_MMIO_READ:
		return "MMIO read";
	case AXVM_EXIT_MMIO_WRITE:
		return "MMIO write";
	default:
		return NULL;
	}
}

static uint64_t rip_of(struct axvm_vcpu *v)
{
	uint64_t rip = 0;

	axvm_vcpu_get_gpr(v, AXVM_KVM_REG_RIP, &rip);
	return rip;
}

/* Why run() came back, as one line. */
static void report(struct runner *r, uint32_t idx, struct axvm_vcpu *v, int rc,
                   const struct axvm_exit *e)
{
	const char *acc = bus_access(e);

	if (rc == AXVM_ENODEV && acc) {
		bool rd = e->kind == AXVM_EXIT_IO_READ ||
		          e->kind == AXVM_EXIT_MMIO_READ;
		stop(r,
		     "vCPU %" PRIu32 ": %s at 0x%" PRIx64 " (width %u) hit no "
		     "device (strict policy)",
		     idx, acc, rd ? e->u.read.addr : e->u.write.addr,
		     (unsigned)(rd ? e->u.read.width : e->u.write.width));
	} else if (rc) {
		stop(r, "vCPU %" PRIu32 ": run failed: %s", idx,
		     axvm_strerror(rc));
	} else if (e->kind == AXVM_EXIT_FAIL_ENTRY) {
		stop(r,
		     "vCPU %" PRIu32 ": guest stopped: %s (reason 0x%" PRIx64
		     ") at rip 0x%" PRIx64,
		     idx, axvm_kvm_fail_name(e->u.fail_entry.reason),
		     e->u.fail_entry.reason, rip_of(v));
	} else {
		stop(r, "vCPU %" PRIu32 ": unhandled %s exit at rip 0x%" PRIx64,
		     idx, axvm_exit_kind_name(e->kind), rip_of(v));
	}
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *vcpu_main(void *arg)
{
	struct vcpu_thread *t = arg;
	struct runner *r = t->r;
	struct axvm_vcpu *v = NULL;
	struct axvm_exit e;
	int rc;

	if ((rc = axvm_vm_vcpu(r->vm, t->index, &v))) {
		stop(r, "vCPU %" PRIu32 ": %s", t->index, axvm_strerror(rc));
	} else {
		uint64_t c0 = thread_cpu_ns();
		for (;;) {
			rc = axvm_vcpu_run(v, &e);
			if (rc == AXVM_ESHUTDOWN)
				break;
			if (rc ==
			    AXVM_EAGAIN) { /* not powered on: nothing to run */
				stop(r, "vCPU %" PRIu32 ": started while off",
				     t->index);
				break;
			}
			report(r, t->index, v, rc, &e);
			break;
		}
		t->cpu_ns = thread_cpu_ns() - c0;
		axvm_vcpu_put(v);
	}
	pthread_mutex_lock(&r->lock);
	r->live--;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static int start_vcpu(struct runner *r, uint32_t index)
{
	struct vcpu_thread *t = &r->th[index];
	int err;

	pthread_mutex_lock(&r->lock);
	if (t->started) {
		pthread_mutex_unlock(&r->lock);
		return 0;
	}
	t->r = r;
	t->index = index;
	r->live++;
	err = pthread_create(&t->tid, NULL, vcpu_main, t);
	if (err)
		r->live--;
	else
		t->started = true;
	pthread_mutex_unlock(&r->lock);
	if (err)
		stop(r, "vCPU %" PRIu32 ": cannot start a thread: %s", index,
		     strerror(err));
	return err;
}

/* ---- callbacks (on vCPU threads) ---------------------------------- */

static void on_powered_on(void *ctx, struct axvm_vm *vm, uint32_t vcpu_id)
{
	(void)vm;
	start_vcpu(ctx, vcpu_id);
}

/* ---- set-up -------------------------------------------------------- */

static int build_config(const struct runner_opts *o, uint64_t entry,
                        struct runner *r, struct axvm_config *cfg)
{
	struct axvm_mem_region ram = {
	    .gpa = 0,
	    .size = o->mem,
	    .flags = AXVM_MEM_RWX,
	    .type = AXVM_MAP_ALLOCATED,
	};
	struct axvm_device_desc d;
	int rc;

	if (o->base_cfg) {
		*cfg = *o->base_cfg;
	} else {
		axvm_config_init(cfg, o->vm_id);
		if ((rc = axvm_config_set_vcpus(cfg, o->vcpus)) ||
		    (rc = axvm_config_add_region(cfg, &ram)))
			return rc;
	}
	if (!o->base_cfg) {
		cfg->bsp_entry = entry;
		cfg->ap_entry = entry; /* CPU up names the real one */
		cfg->unhandled_policy = AXVM_POLICY_IGNORE;
	}
	if (o->strict)
		cfg->unhandled_policy = AXVM_POLICY_STOP;
	uart16550_desc(&r->uart, &d);
	if ((rc = axvm_config_add_device(cfg, &d)))
		return rc;
	exit_port_desc(&r->exitp, &d);
	if ((rc = axvm_config_add_device(cfg, &d)))
		return rc;
	if (o->testdev) {
		testdev_desc(&r->testdev, &d);
		if ((rc = axvm_config_add_device(cfg, &d)))
			return rc;
	}
	if (o->disk) {
		disk_desc(&r->disk, &d);
		if ((rc = axvm_config_add_device(cfg, &d)))
			return rc;
	}
	return 0;
}

/* RAM at gpa 0 in the config: what the loader may fill. */
static uint64_t ram_at_zero(const struct axvm_config *cfg)
{
	for (uint32_t i = 0; i < cfg->region_count; i++)
		if (cfg->regions[i].gpa == 0 &&
		    cfg->regions[i].type != AXVM_MAP_DEVICE &&
		    !(cfg->regions[i].flags & AXVM_MEM_DEVICE))
			return cfg->regions[i].size;
	return 0;
}

/* Every started vCPU halted: nothing in axvm-run can wake one. `started`
 * is a snapshot taken under the lock. */
static bool all_halted(struct runner *r, const bool *started)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < AXVM_MAX_VCPUS; i++) {
		struct axvm_vcpu *v;
		enum axvm_vcpu_state st;
		if (!started[i])
			continue;
		if (axvm_vm_vcpu(r->vm, i, &v))
			return false;
		axvm_vcpu_state(v, &st);
		axvm_vcpu_put(v);
		if (st != AXVM_VCPU_BLOCKED)
			return false;
		n++;
	}
	return n > 0;
}

static void kick_all(struct runner *r, const bool *started)
{
	for (uint32_t i = 0; i < AXVM_MAX_VCPUS; i++) {
		struct axvm_vcpu *v;
		if (started[i] && axvm_vm_vcpu(r->vm, i, &v) == 0) {
			axvm_vcpu_kick(v);
			axvm_vcpu_put(v);
		}
	}
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void wait_all(struct runner *r)
{
	unsigned halted_ticks = 0;
	uint64_t deadline = r->o->timeout_ms ? mono_ms() + r->o->timeout_ms : 0;

	pthread_mutex_lock(&r->lock);
	while (r->live > 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&r->cond, &r->lock, &ts) !=
		    ETIMEDOUT)
			continue;
		bool started[AXVM_MAX_VCPUS];
		for (uint32_t i = 0; i < AXVM_MAX_VCPUS; i++)
			started[i] = r->th[i].started;
		pthread_mutex_unlock(&r->lock);
		enum axvm_vm_state st;
		axvm_vm_state(r->vm, &st);
		if (st == AXVM_VM_RUNNING && deadline &&
		    mono_ms() >= deadline) {
			stop(r, "timed out after %" PRIu64 " ms",
			     r->o->timeout_ms);
		} else if (st != AXVM_VM_RUNNING) {
			/* Stragglers: a kick is cheap and idempotent. */
			kick_all(r, started);
		} else if (all_halted(r, started)) {
			/* Twice in a row, 20 ms apart, to be sure. */
			if (++halted_ticks >= 2)
				stop(r,
				     "every vCPU halted and nothing can wake "
				     "one (hlt)");
		} else {
			halted_ticks = 0;
		}
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	for (uint32_t i = 0; i < AXVM_MAX_VCPUS; i++)
		if (r->th[i].started)
			pthread_join(r->th[i].tid, NULL);
}

static void print_stats(struct runner *r)
{
	FILE *f = r->o->err;
	uint32_t count = 0;
	uint64_t total = 0, un;

	axvm_vm_vcpu_count(r->vm, &count);
	for (uint32_t i = 0; i < count; i++) {
		struct axvm_vcpu *v;
		uint64_t ns = 0, sum = 0;
		if (axvm_vm_vcpu(r->vm, i, &v))
			continue;
		axvm_vcpu_run_time_ns(v, &ns);
		for (int k = 0; k < AXVM_EXIT_KIND_COUNT; k++) {
			uint64_t c = 0;
			axvm_vcpu_exit_count(v, (enum axvm_exit_kind)k, &c);
			sum += c;
			if (c)
				fprintf(
				    f,
				    "stats: vcpu %" PRIu32 " exit %s %" PRIu64
				    "\n",
				    i,
				    axvm_exit_kind_name((enum axvm_exit_kind)k),
				    c);
		}
		fprintf(f,
		        "stats: vcpu %" PRIu32 " run_ns %" PRIu64
		        " exits %" PRIu64 "\n",
		        i, ns, sum);
		if (i < AXVM_MAX_VCPUS && r->th[i].started)
			fprintf(f,
			        "stats: vcpu %" PRIu32 " thread_cpu_ns %" PRIu64
			        "\n",
			        i, r->th[i].cpu_ns);
		total += sum;
		axvm_vcpu_put(v);
	}
	fprintf(f, "stats: total exits %" PRIu64 "\n", total);
	static const char *const bus[AXVM_BUS_COUNT] = {"mmio", "pio",
	                                                "sysreg"};
	for (int b = 0; b < AXVM_BUS_COUNT; b++)
		if (axvm_vm_unhandled_accesses(r->vm, (enum axvm_bus)b, &un) ==
		        0 &&
		    un)
			fprintf(f, "stats: unhandled %s accesses %" PRIu64 "\n",
			        bus[b], un);
}

int runner_run(struct axvm_host *host, const struct runner_opts *o)
{
	struct runner *r;
	struct axvm_config *cfg;
	struct axvm_config_error cerr;
	struct image img;
	char msg[256];
	uint8_t *file = NULL;
	const uint8_t *bytes = o->image;
	size_t len = o->image_len;
	uint64_t ram, load_end;
	int rc, status = RUNNER_STATUS_HOST_ERROR;

	r = calloc(1, sizeof(*r));
	cfg = calloc(1, sizeof(*cfg));
	if (!r || !cfg) {
		fprintf(o->err, "axvm-run: out of memory\n");
		free(r);
		free(cfg);
		return RUNNER_STATUS_HOST_ERROR;
	}
	r->o = o;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	uart16550_init(&r->uart, o->out);
	testdev_init(&r->testdev);
	r->disk.fd = -1;
	if (o->disk && disk_open(&r->disk, o->disk, msg, sizeof(msg))) {
		fprintf(o->err, "axvm-run: --disk %s\n", msg);
		goto out;
	}

	if (!bytes && image_read_file(o->kernel, MAX_IMAGE_FILE, &file, &len,
	                              msg, sizeof(msg))) {
		fprintf(o->err, "axvm-run: %s\n", msg);
		goto out;
	}
	if (!bytes)
		bytes = file;
	/* Entry first (the config needs it); then the real config. */
	if ((rc = build_config(o, 0, r, cfg))) {
		fprintf(o->err, "axvm-run: config: %s\n", axvm_strerror(rc));
		goto out;
	}
	ram = ram_at_zero(cfg);
	uint64_t stacks = (uint64_t)cfg->vcpu_count * AXVM_KVM_STACK_SIZE;
	if (ram < AXVM_KVM_RAM_MIN || stacks > ram - AXVM_KVM_IMAGE_MIN) {
		fprintf(o->err,
		        "axvm-run: the guest needs RAM at 0 of at least "
		        "2 MiB plus 64 KiB per vCPU\n");
		goto out;
	}
	load_end = (ram < AXVM_KVM_MAPPED_LIMIT ? ram : AXVM_KVM_MAPPED_LIMIT) -
	           stacks;
	if (image_parse(bytes, len, AXVM_KVM_IMAGE_MIN, load_end, &img, msg,
	                sizeof(msg))) {
		fprintf(o->err, "axvm-run: %s: %s\n",
		        o->kernel ? o->kernel : "image", msg);
		goto out;
	}
	/* The entry: --entry, else the config's (a DTB's "entry"), else the
	 * image's own. */
	if (o->has_entry) {
		cfg->bsp_entry = o->entry;
		cfg->ap_entry = o->entry;
	} else if (!o->base_cfg) {
		cfg->bsp_entry = img.entry;
		cfg->ap_entry = img.entry;
	}
	if ((rc = axvm_vm_create(host, cfg, &r->vm, &cerr))) {
		fprintf(o->err, "axvm-run: cannot create the VM: %s%s%s\n",
		        axvm_strerror(rc), cerr.message[0] ? ": " : "",
		        cerr.message);
		goto out;
	}
	r->exitp.vm = r->vm;
	r->disk.vm = r->vm;
	if (image_load(r->vm, &img, msg, sizeof(msg))) {
		fprintf(o->err, "axvm-run: %s\n", msg);
		goto out_vm;
	}
	struct axvm_vm_callbacks cb = {
	    .ctx = r,
	    .hypercall = x86_abi_hypercall,
	    .vcpu_powered_on = on_powered_on,
	};
	if ((rc = axvm_vm_set_callbacks(r->vm, &cb)) ||
	    (rc = axvm_vm_boot(r->vm))) {
		fprintf(o->err, "axvm-run: cannot boot the VM: %s\n",
		        axvm_strerror(rc));
		goto out_vm;
	}
	if (start_vcpu(r, 0) == 0)
		wait_all(r);
	else
		wait_all(r); /* nothing started: returns at once */
	fflush(o->out);
	if (o->stats)
		print_stats(r);
	if (atomic_load(&r->exitp.written)) {
		status = atomic_load(&r->exitp.code);
	} else if (r->failed) {
		fprintf(o->err, "axvm-run: %s\n", r->reason);
		status = RUNNER_STATUS_GUEST_FAILED;
	} else {
		fprintf(o->err,
		        "axvm-run: the VM stopped without an exit code\n");
		status = RUNNER_STATUS_GUEST_FAILED;
	}
out_vm:
	axvm_vm_put(r->vm);
out:
	uart16550_fini(&r->uart);
	disk_close(&r->disk);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(file);
	free(cfg);
	free(r);
	return status;
}
