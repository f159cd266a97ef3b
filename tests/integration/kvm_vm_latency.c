/* SPDX-License-Identifier: Apache-2.0 */
/* VM create -> first exit -> destroy latency through libaxvm on KVM (the
 * lifecycle figure of tests/bench/kvm_exit.sh). Each round: axvm_vm_create
 * (KVM VM, memory slot, vCPU, long-mode state), load the guest, boot, run
 * vCPU 0 until its first exit (a port write nobody handles: the STOP
 * policy hands it back), then drop the last reference (destroy).
 *   kvm_vm_latency GUEST.elf [ROUNDS]
 * prints `bench kvm_vm_<phase>_us <median> us` lines. */
#include <string.h>
#include <time.h>

#include "axvm_kvm.h"
#include "axvm_linux.h"
#include "kvm_test.h"
#include "loader.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), cmp_u64);
	return v[n / 2];
}

#define MAX_ROUNDS 1000

int main(int argc, char **argv)
{
	static uint64_t create[MAX_ROUNDS], first[MAX_ROUNDS],
	    destroy[MAX_ROUNDS], total[MAX_ROUNDS];
	struct axvm_linux_hal port;
	struct axvm_hal hal;
	struct axvm_host *host;
	struct image img;
	uint8_t *file;
	size_t len;
	char msg[256];
	int rounds = argc > 2 ? atoi(argv[2]) : 20;

	if (argc < 2 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: %s GUEST.elf [ROUNDS 1..%d]\n", argv[0],
		        MAX_ROUNDS);
		return 2;
	}
	kvm_test_require_kvm();
	const uint64_t mem = 64u << 20;
	if (image_read_file(argv[1], 1u << 24, &file, &len, msg, sizeof(msg)) ||
	    image_parse(file, len, AXVM_KVM_IMAGE_MIN,
	                mem - AXVM_KVM_STACK_SIZE, &img, msg, sizeof(msg))) {
		fprintf(stderr, "%s\n", msg);
		return 1;
	}
	if (axvm_linux_hal_init(&port, &hal) ||
	    axvm_init(&hal, &axvm_arch_kvm, &host))
		return 1;
	for (int i = 0; i < rounds; i++) {
		struct axvm_config cfg;
		struct axvm_mem_region ram = {
		    .gpa = 0,
		    .size = mem,
		    .flags = AXVM_MEM_RWX,
		    .type = AXVM_MAP_ALLOCATED,
		};
		struct axvm_vm *vm;
		struct axvm_vcpu *v;
		struct axvm_exit e;

		axvm_config_init(&cfg, 1);
		axvm_config_add_region(&cfg, &ram);
		cfg.bsp_entry = img.entry;
		cfg.unhandled_policy = AXVM_POLICY_STOP;
		uint64_t t0 = now_ns();
		if (axvm_vm_create(host, &cfg, &vm, NULL) ||
		    image_load(vm, &img, msg, sizeof(msg)) ||
		    axvm_vm_vcpu(vm, 0, &v)) {
			fprintf(stderr, "cannot create the VM\n");
			return 1;
		}
		uint64_t t1 = now_ns();
		int rc = axvm_vm_boot(vm);
		if (!rc)
			rc = axvm_vcpu_run(v, &e);
		uint64_t t2 = now_ns();
		if (rc != AXVM_ENODEV) {
			fprintf(stderr, "first exit: %s\n", axvm_strerror(rc));
			return 1;
		}
		axvm_vm_shutdown(vm);
		axvm_vcpu_put(v);
		axvm_vm_put(vm);
		uint64_t t3 = now_ns();
		create[i] = t1 - t0;
		first[i] = t2 - t1;
		destroy[i] = t3 - t2;
		total[i] = t3 - t0;
	}
	printf("bench kvm_vm_create_us %.1f us\n",
	       (double)median(create, rounds) / 1e3);
	printf("bench kvm_vm_first_exit_us %.1f us\n",
	       (double)median(first, rounds) / 1e3);
	printf("bench kvm_vm_destroy_us %.1f us\n",
	       (double)median(destroy, rounds) / 1e3);
	printf("bench kvm_vm_lifecycle_us %.1f us\n",
	       (double)median(total, rounds) / 1e3);
	free(file);
	axvm_fini(host);
	return axvm_linux_hal_fini(&port) ? 1 : 0;
}
