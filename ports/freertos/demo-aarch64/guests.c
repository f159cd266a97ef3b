/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The firmware's VMs (guests.h): built from the manifest with libaxvm's
 * config builder, each with the library's PL011 model as its console and
 * the bare-metal kernel's hypercalls, every vCPU in a FreeRTOS task from
 * ports/freertos. Guest console lines go out prefixed "[name] "; the
 * test guests' "RESULT <name> PASS" line is what a VM's success is judged
 * by, with its exit through PSCI SYSTEM_OFF.
 */
#include <string.h>

#include <axvm/uart.h>

#include "axvm_aarch64.h"
#include "guest_hypercalls.h"
#include "guests.h"
#include "kernel.h" /* kprintf */


#define GUEST_RAM_GPA 0x40000000ull
#define GUEST_ENTRY_OFF 0x80000ull
#define GUEST_UART_GPA 0x09000000ull
#define MAX_VCPUS 4u
#define NAME_MAX 16u
#define LINE_MAX 160u
#define VCPU_STACK_WORDS 2048u /* 16 KiB: run() and the exit path */
#define VCPU_PRIORITY (tskIDLE_PRIORITY + 1)

struct guest {
	char name[NAME_MAX];
	uint32_t nvcpus;
	struct axvm_vm *vm;
	struct axvm_pl011 uart;
	char line[LINE_MAX];
	uint32_t len;
	bool passed, failed;
	struct axvm_freertos_vcpu_task tasks[MAX_VCPUS];
	bool started[MAX_VCPUS];
};

struct guests {
	struct guest g[GUESTS_MAX];
	uint32_t count;
	TaskHandle_t waiter;
};

/* --- the manifest -------------------------------------------------------------- */

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* "<name> <vcpus>" lines; what QEMU loaded is input like any other. */
static int parse_manifest(struct guests *s)
{
	const volatile char *m = (const volatile char *)GUESTS_MANIFEST_ADDR;
	uint32_t i = 0;

	while (i < GUESTS_MANIFEST_MAX && m[i] && s->count < GUESTS_MAX) {
		struct guest *g = &s->g[s->count];
		uint32_t n = 0, v = 0;
		while (i < GUESTS_MANIFEST_MAX && (m[i] == '\n' || m[i] == ' '))
			i++;
		if (i >= GUESTS_MANIFEST_MAX || !m[i])
			break;
		while (i < GUESTS_MANIFEST_MAX && name_char(m[i]) && n < NAME_MAX - 1)
			g->name[n++] = m[i++];
		g->name[n] = '\0';
		while (i < GUESTS_MANIFEST_MAX && m[i] == ' ')
			i++;
		while (i < GUESTS_MANIFEST_MAX && m[i] >= '0' && m[i] <= '9' && v <= MAX_VCPUS)
			v = v * 10 + (uint32_t)(m[i++] - '0');
		if (!n || !v || v > MAX_VCPUS || (i < GUESTS_MANIFEST_MAX && m[i] && m[i] != '\n')) {
			kprintf("freertos-a64: manifest line %u: want \"<name> <1..%u>\"\n",
				s->count + 1, MAX_VCPUS);
			return AXVM_EINVAL;
		}
		g->nvcpus = v;
		s->count++;
	}
	return s->count ? 0 : AXVM_ENOENT;
}

/* --- console lines and results ----------------------------------------------- */

static void line_done(struct guest *g)
{
	static const char pass[] = " PASS", fail[] = " FAIL";
	char want[NAME_MAX + 8];

	g->line[g->len] = '\0';
	kprintf("[%s] %s\n", g->name, g->line);
	ksnprintf(want, sizeof(want), "RESULT %s", g->name);
	size_t wl = strlen(want);
	if (!strncmp(g->line, want, wl)) {
		if (!strncmp(g->line + wl, pass, sizeof(pass) - 1))
			g->passed = true;
		else if (!strncmp(g->line + wl, fail, sizeof(fail) - 1))
			g->failed = true;
	}
	g->len = 0;
}

/* The PL011 model's transmit hook: runs in the guest's vCPU task. */
static void uart_tx(void *arg, uint8_t byte)
{
	struct guest *g = arg;

	if (byte == '\n') {
		line_done(g);
	} else if (byte != '\r') {
		g->line[g->len++] = (byte >= 0x20 && byte < 0x7f) ? (char)byte : '.';
		if (g->len == LINE_MAX - 1)
			line_done(g);
	}
}

/* --- VM callbacks --------------------------------------------------------------- */

static int on_hypercall(void *ctx, struct axvm_vcpu *vcpu, uint64_t nr, const uint64_t args[6],
			uint64_t *ret)
{
	struct guest *g = ctx;

	bm_guest_hypercall(vcpu, g->name, nr, args, ret);
	return 0;
}

static int on_unhandled(void *ctx, struct axvm_vcpu *vcpu, struct axvm_exit *exit)
{
	(void)ctx;
	(void)vcpu;
	(void)exit;
	return AXVM_EUNHANDLED; /* run() returns it to the task: on_vcpu_exit */
}

/* A guest's PSCI CPU_ON: its task polls while the vCPU is off; wake it. */
static void on_powered_on(void *ctx, struct axvm_vm *vm, uint32_t vcpu_id)
{
	struct guest *g = ctx;

	(void)vm;
	if (vcpu_id < g->nvcpus && g->started[vcpu_id] && !g->tasks[vcpu_id].done)
		xTaskNotifyGive(g->tasks[vcpu_id].handle);
}

/* run() returned something the vCPU task does not handle itself. */
static bool on_vcpu_exit(void *ctx, struct axvm_vcpu *vcpu, int rc, const struct axvm_exit *exit)
{
	struct guest *g = ctx;

	(void)vcpu;
	kprintf("freertos-a64: %s: run() returned %s (exit %s): shutting the VM down\n", g->name,
		axvm_strerror(rc), axvm_exit_kind_name(exit->kind));
	g->failed = true;
	axvm_vm_shutdown(g->vm);
	return false;
}

/* --- VMs ------------------------------------------------------------------------- */

static int create_vm(struct axvm_host *host, struct guest *g, uint32_t index)
{
	const uintptr_t base = GUESTS_RAM_BASE + index * GUESTS_RAM_SIZE;
	const volatile uint8_t *img = (const volatile uint8_t *)(base + GUEST_ENTRY_OFF);
	const volatile uint8_t *dtb = (const volatile uint8_t *)base;
	struct axvm_mem_region ram = { .gpa = GUEST_RAM_GPA, .size = GUESTS_RAM_SIZE,
				       .hpa = base, .flags = AXVM_MEM_RWX,
				       .type = AXVM_MAP_LINEAR };
	const struct axvm_uart_host uh = { .arg = g, .tx = uart_tx };
	const struct axvm_vm_callbacks cb = { .ctx = g, .hypercall = on_hypercall,
					      .unhandled_exit = on_unhandled,
					      .vcpu_powered_on = on_powered_on };
	struct axvm_config_error err = { 0 };
	struct axvm_device_desc uart;
	struct axvm_config cfg;
	struct axvm_vcpu *v0;
	uint64_t x0 = 0;
	int rc;

	/* The arm64 Image header's magic: QEMU loaded something here. */
	if (img[0x38] != 'A' || img[0x39] != 'R' || img[0x3a] != 'M' || img[0x3b] != 0x64) {
		kprintf("freertos-a64: %s: no image at host 0x%lx\n", g->name,
			(unsigned long)(base + GUEST_ENTRY_OFF));
		return AXVM_ENOENT;
	}
	if ((rc = axvm_config_init(&cfg, index + 1)) || (rc = axvm_config_set_name(&cfg, g->name)) ||
	    (rc = axvm_config_set_vcpus(&cfg, g->nvcpus)))
		return rc;
	for (uint32_t i = 0; i < g->nvcpus; i++)
		cfg.pcpu_affinity[i] = 0; /* one core: FreeRTOS shares it out */
	cfg.bsp_entry = cfg.ap_entry = GUEST_RAM_GPA + GUEST_ENTRY_OFF;
	if ((rc = axvm_config_add_region(&cfg, &ram)) ||
	    (rc = axvm_pl011_init(&g->uart, &uh)) ||
	    (rc = axvm_pl011_desc(&g->uart, GUEST_UART_GPA, &uart)) ||
	    (rc = axvm_config_add_device(&cfg, &uart)))
		return rc;
	if ((rc = axvm_vm_create(host, &cfg, &g->vm, &err))) {
		kprintf("freertos-a64: %s: create failed: %s (%s)\n", g->name, axvm_strerror(rc),
			err.message);
		return rc;
	}
	if ((rc = axvm_vm_set_callbacks(g->vm, &cb)))
		return rc;
	/* X0 = the guest DTB if QEMU loaded one (its magic, big-endian). */
	if (dtb[0] == 0xd0 && dtb[1] == 0x0d && dtb[2] == 0xfe && dtb[3] == 0xed)
		x0 = GUEST_RAM_GPA;
	if ((rc = axvm_vm_vcpu(g->vm, 0, &v0)))
		return rc;
	rc = axvm_vcpu_set_gpr(v0, AXVM_A64_REG_X(0), x0);
	axvm_vcpu_put(v0);
	if (rc)
		return rc;
	kprintf("freertos-a64: %s: %u vCPU(s), RAM %lx..%lx at host %lx, dtb %lx\n", g->name,
		g->nvcpus, (unsigned long)GUEST_RAM_GPA,
		(unsigned long)(GUEST_RAM_GPA + GUESTS_RAM_SIZE - 1), (unsigned long)base,
		(unsigned long)x0);
	return axvm_vm_boot(g->vm);
}

/* Every vCPU gets its task now; those still off wait in it for CPU_ON. */
static int start_tasks(struct axvm_freertos_hal *port, struct guests *s, struct guest *g)
{
	for (uint32_t i = 0; i < g->nvcpus; i++) {
		struct axvm_vcpu *v;
		char name[configMAX_TASK_NAME_LEN];
		int rc;

		if ((rc = axvm_vm_vcpu(g->vm, i, &v)))
			return rc;
		ksnprintf(name, sizeof(name), "%.10s.%u", g->name, i);
		rc = axvm_freertos_vcpu_task_start(port, &g->tasks[i], v, name, VCPU_PRIORITY,
						   VCPU_STACK_WORDS, on_vcpu_exit, g, s->waiter);
		if (rc) {
			axvm_vcpu_put(v);
			return rc;
		}
		g->started[i] = true;
	}
	return 0;
}

static uint32_t live_tasks(const struct guests *s)
{
	uint32_t live = 0;

	for (uint32_t k = 0; k < s->count; k++)
		for (uint32_t i = 0; i < s->g[k].nvcpus; i++)
			live += s->g[k].started[i] && !s->g[k].tasks[i].done;
	return live;
}

/* PASS: down through PSCI SYSTEM_OFF after its own RESULT ... PASS. */
static bool report(struct guest *g)
{
	uint64_t code = UINT64_MAX, exits = 0;
	bool ok;

	if (g->len)
		line_done(g);
	(void)axvm_vm_exit_code(g->vm, &code);
	for (uint32_t i = 0; i < g->nvcpus; i++) {
		struct axvm_vcpu *v;
		if (axvm_vm_vcpu(g->vm, i, &v))
			continue;
		for (unsigned k = 0; k < AXVM_EXIT_KIND_COUNT; k++) {
			uint64_t n = 0;
			(void)axvm_vcpu_exit_count(v, (enum axvm_exit_kind)k, &n);
			exits += n;
		}
		axvm_vcpu_put(v);
	}
	ok = g->passed && !g->failed && code == AXVM_A64_DOWN_OFF;
	kprintf("freertos-a64: %s: exit code %ld (%s), %lu exits, result %s: %s\n", g->name,
		(long)code, code == AXVM_A64_DOWN_OFF ? "PSCI SYSTEM_OFF" : "not SYSTEM_OFF",
		(unsigned long)exits, g->passed ? "PASS" : "missing", ok ? "ok" : "FAIL");
	return ok;
}

unsigned guests_run(struct axvm_host *host, struct axvm_freertos_hal *port, uint32_t timeout_ms)
{
	static struct guests s; /* large: the vCPU tasks' records */
	unsigned failed = 0;
	int rc;

	memset(&s, 0, sizeof(s));
	s.waiter = xTaskGetCurrentTaskHandle();
	if ((rc = parse_manifest(&s))) {
		kprintf("freertos-a64: no guests: %s\n", axvm_strerror(rc));
		return 1;
	}
	for (uint32_t k = 0; k < s.count; k++) {
		struct guest *g = &s.g[k];
		if ((rc = create_vm(host, g, k)) || (rc = start_tasks(port, &s, g))) {
			kprintf("freertos-a64: %s: not started: %s\n", g->name, axvm_strerror(rc));
			g->failed = true;
			if (g->vm)
				axvm_vm_shutdown(g->vm);
		}
	}
	/* Each vCPU task notifies this one when it ends. */
	TickType_t deadline = xTaskGetTickCount() + pdMS_TO_TICKS(timeout_ms);
	bool timed_out = false;
	while (live_tasks(&s)) {
		ulTaskNotifyTake(pdTRUE, pdMS_TO_TICKS(100));
		if (!timed_out && xTaskGetTickCount() > deadline) {
			kprintf("freertos-a64: timed out after %u ms: shutting every VM down\n",
				timeout_ms);
			timed_out = true;
			for (uint32_t k = 0; k < s.count; k++)
				if (s.g[k].vm) {
					s.g[k].failed = true;
					axvm_vm_shutdown(s.g[k].vm);
				}
		}
	}
	for (uint32_t k = 0; k < s.count; k++) {
		struct guest *g = &s.g[k];
		if (!g->vm) {
			failed++;
			continue;
		}
		failed += !report(g);
		axvm_vm_put(g->vm); /* the last reference: destroyed */
		g->vm = NULL;
	}
	return failed;
}
