/* SPDX-License-Identifier: Apache-2.0 */
/* The KVM backend under the library API directly: reset and boot again
 * (an exit still in flight at shutdown must not leak into the new boot),
 * kicking a vCPU that spins in the guest without exits, interrupt
 * injection into a halted guest, and register access rules. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "axvm_kvm.h"
#include "axvm_linux.h"
#include "devices.h"
#include "kvm_test.h"
#include "loader.h"

static int failures;
static const char *guest_dir;

struct vm_box {
	struct axvm_vm *vm;
	struct uart16550 uart;
	struct exit_port exitp;
	char *out;
	size_t out_len;
	FILE *outf;
	uint8_t *file;
	struct axvm_vcpu *v0;
	int run_rc;
	struct axvm_exit last;
};

static int make_vm(struct axvm_host *host, uint32_t id, const char *guest,
                   struct vm_box *b)
{
	char path[512], msg[256];
	struct axvm_config cfg;
	struct axvm_device_desc d;
	struct image img;
	size_t len;
	struct axvm_mem_region ram = {
	    .gpa = 0,
	    .size = 8u << 20,
	    .flags = AXVM_MEM_RWX,
	    .type = AXVM_MAP_ALLOCATED,
	};

	memset(b, 0, sizeof(*b));
	b->outf = open_memstream(&b->out, &b->out_len);
	uart16550_init(&b->uart, b->outf);
	snprintf(path, sizeof(path), "%s/%s", guest_dir, guest);
	if (image_read_file(path, 1u << 20, &b->file, &len, msg, sizeof(msg)) ||
	    image_parse(b->file, len, AXVM_KVM_IMAGE_MIN,
	                ram.size - AXVM_KVM_STACK_SIZE, &img, msg,
	                sizeof(msg))) {
		fprintf(stderr, "%s\n", msg);
		return -1;
	}
	axvm_config_init(&cfg, id);
	axvm_config_add_region(&cfg, &ram);
	cfg.bsp_entry = img.entry;
	uart16550_desc(&b->uart, &d);
	axvm_config_add_device(&cfg, &d);
	exit_port_desc(&b->exitp, &d);
	axvm_config_add_device(&cfg, &d);
	if (axvm_vm_create(host, &cfg, &b->vm, NULL))
		return -1;
	b->exitp.vm = b->vm;
	if (image_load(b->vm, &img, msg, sizeof(msg)) ||
	    axvm_vm_vcpu(b->vm, 0, &b->v0))
		return -1;
	return 0;
}

static void drop_vm(struct vm_box *b)
{
	if (b->v0)
		axvm_vcpu_put(b->v0);
	if (b->vm)
		axvm_vm_put(b->vm);
	uart16550_fini(&b->uart);
	fclose(b->outf);
	free(b->out);
	free(b->file);
}

static void *run_thread(void *p)
{
	struct vm_box *b = p;

	b->run_rc = axvm_vcpu_run(b->v0, &b->last);
	return NULL;
}

/* Join with a deadline, so a lost kick fails the test instead of hanging. */
static int join_within(pthread_t t, unsigned seconds)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	return pthread_timedjoin_np(t, NULL, &ts);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void test_reset_and_reboot(struct axvm_host *host)
{
	struct vm_box b;
	struct axvm_exit e;
	enum axvm_vm_state st;
	uint64_t v;

	EXPECT(make_vm(host, 1, "hello.elf", &b) == 0);
	for (int round = 0; round < 3; round++) {
		EXPECT(axvm_vm_boot(b.vm) == 0);
		EXPECT(axvm_vcpu_run(b.v0, &e) == AXVM_ESHUTDOWN);
		EXPECT(atomic_load(&b.exitp.written) &&
		       atomic_load(&b.exitp.code) == 0);
		EXPECT(axvm_vm_state(b.vm, &st) == 0 && st == AXVM_VM_STOPPED);
		/* Registers of a stopped vCPU are readable; the pseudo-register
		 * is not (no read in flight). */
		EXPECT(axvm_vcpu_get_gpr(b.v0, AXVM_KVM_REG_RIP, &v) == 0);
		EXPECT(v >= AXVM_KVM_IMAGE_MIN &&
		       v < AXVM_KVM_IMAGE_MIN + 0x10000);
		EXPECT(axvm_vcpu_get_gpr(b.v0, AXVM_KVM_REG_IO_DATA, &v) ==
		       AXVM_EINVAL);
		EXPECT(axvm_vcpu_get_gpr(b.v0, 999, &v) == AXVM_EINVAL);
		EXPECT(axvm_vm_reset(b.vm) == 0);
		EXPECT(!atomic_load(&b.exitp.written));
	}
	fflush(b.outf);
	const char *line = "Hello from an x86_64 guest on libaxvm!\n";
	const char *p = b.out;
	int n = 0;
	while ((p = strstr(p, line))) {
		n++;
		p += strlen(line);
	}
	EXPECT(n == 3);
	drop_vm(&b);
}

static void test_kick_spinning_guest(struct axvm_host *host)
{
	for (int round = 0; round < 10; round++) {
		struct vm_box b;
		pthread_t t;

		EXPECT(make_vm(host, 2, "spin.elf", &b) == 0);
		EXPECT(axvm_vm_boot(b.vm) == 0);
		EXPECT(pthread_create(&t, NULL, run_thread, &b) == 0);
		sleep_ms(round == 0 ? 100 : (unsigned)(round % 4));
		EXPECT(axvm_vm_shutdown(b.vm) == 0);
		if (join_within(t, 10)) {
			fprintf(stderr,
			        "FAIL: a spinning vCPU ignored the kick\n");
			exit(1); /* the thread still runs: cannot clean up */
		}
		EXPECT(b.run_rc == AXVM_ESHUTDOWN);
		drop_vm(&b);
	}
}

static void test_inject_irq(struct axvm_host *host)
{
	struct vm_box b;
	pthread_t t;

	EXPECT(make_vm(host, 3, "irq.elf", &b) == 0);
	EXPECT(axvm_vcpu_inject_irq(b.v0, 5) == AXVM_ERANGE); /* exception */
	EXPECT(axvm_vcpu_inject_irq(b.v0, 256) == AXVM_ERANGE);
	EXPECT(axvm_vm_boot(b.vm) == 0);
	EXPECT(pthread_create(&t, NULL, run_thread, &b) == 0);
	sleep_ms(50); /* the guest halts with interrupts on */
	EXPECT(axvm_vcpu_inject_irq(b.v0, 0x40) == 0);
	if (join_within(t, 10)) {
		fprintf(stderr, "FAIL: the injected interrupt never arrived\n");
		exit(1);
	}
	EXPECT(b.run_rc == AXVM_ESHUTDOWN);
	EXPECT(atomic_load(&b.exitp.written) &&
	       atomic_load(&b.exitp.code) == 0);
	fflush(b.outf);
	EXPECT(strstr(b.out, "irq: got vector 0x40\n") != NULL);
	drop_vm(&b);
}

int main(int argc, char **argv)
{
	struct axvm_linux_hal port;
	struct axvm_hal hal;
	struct axvm_host *host;

	if (argc != 2) {
		fprintf(stderr, "usage: %s GUEST_DIR\n", argv[0]);
		return 2;
	}
	guest_dir = argv[1];
	kvm_test_require_kvm();
	if (axvm_linux_hal_init(&port, &hal) ||
	    axvm_init(&hal, &axvm_arch_kvm, &host)) {
		fprintf(stderr, "cannot set up libaxvm\n");
		return 1;
	}
	test_reset_and_reboot(host);
	test_kick_spinning_guest(host);
	test_inject_irq(host);
	EXPECT(axvm_fini(host) == 0);
	EXPECT(axvm_linux_hal_fini(&port) == 0);
	printf("%s\n", failures ? "FAILED" : "kvm lifecycle: ok");
	return failures ? 1 : 0;
}
