/* SPDX-License-Identifier: Apache-2.0 */
/* The physical limit for the exit benchmark: a minimal KVM_RUN loop with no
 * libaxvm in it. It puts a raw guest image (the many-exits guest, .bin) at
 * 1 MiB in long mode, as the guest ABI does, and only counts exits until
 * the guest writes the exit port (0x501); the UART's status and scratch
 * registers get the least answer a polled driver needs.
 *   bench_kvm_raw GUEST.bin [MEM_MB]
 * prints `raw exits <n> ns <t> cpu_ns <c> status <v>` (t: wall time from
 * the first KVM_RUN to the exit-port write; c: this thread's CPU time). Stands
 * alone on purpose: it also builds where libaxvm has another backend, and then
 * reports itself skipped. */
#if defined(__linux__) && defined(__x86_64__)
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define LOAD      0x100000u
#define EXIT_PORT 0x501u
#define UART      0x3f8u

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8); /* x86_64 host: little-endian */
}

/* GDT at 0x1000 (code 0x08, data 0x10, TSS 0x18 at 0x1800), PML4 0x2000,
 * PDPT 0x3000, four PDs of 2 MiB pages at 0x4000: identity over 4 GiB. */
static void tables(uint8_t *ram)
{
	put64(ram + 0x1008, 0x00af9b000000ffffull);
	put64(ram + 0x1010, 0x00cf93000000ffffull);
	put64(ram + 0x1018, 0x00008b0018000067ull);
	put64(ram + 0x2000, 0x3000 | 3);
	for (uint64_t g = 0; g < 4; g++) {
		put64(ram + 0x3000 + 8 * g, (0x4000 + g * 0x1000) | 3);
		for (uint64_t i = 0; i < 512; i++)
			put64(ram + 0x4000 + g * 0x1000 + 8 * i,
			      (g << 30) | (i << 21) | 0x83);
	}
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, int code)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffffffffu;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code;
	s->db = !code;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s GUEST.bin [MEM_MB]\n", argv[0]);
		return 2;
	}
	uint64_t mem = (argc > 2 ? strtoull(argv[2], NULL, 0) : 64) << 20;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		printf("SKIPPED: no /dev/kvm\n");
		return 0;
	}
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	uint8_t *ram = mmap(NULL, mem, PROT_READ | PROT_WRITE,
	                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED)
		die("mmap");
	FILE *f = fopen(argv[1], "rb");
	if (!f)
		die(argv[1]);
	size_t n = fread(ram + LOAD, 1, mem - LOAD - 0x10000, f);
	fclose(f);
	if (n == 0) {
		fprintf(stderr, "%s: empty\n", argv[1]);
		return 1;
	}
	tables(ram);
	struct kvm_userspace_memory_region slot = {
	    .slot = 0,
	    .guest_phys_addr = 0,
	    .memory_size = mem,
	    .userspace_addr = (uint64_t)(uintptr_t)ram,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot))
		die("KVM_SET_USER_MEMORY_REGION");
	int cpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (cpu < 0)
		die("KVM_CREATE_VCPU");
	long run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, (size_t)run_size,
	                           PROT_READ | PROT_WRITE, MAP_SHARED, cpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	struct kvm_cpuid2 *cpuid =
	    calloc(1, sizeof(*cpuid) + 256 * sizeof(struct kvm_cpuid_entry2));
	if (!cpuid)
		die("calloc");
	cpuid->nent = 256;
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) ||
	    ioctl(cpu, KVM_SET_CPUID2, cpuid))
		die("CPUID");
	free(cpuid);

	struct kvm_sregs sr;
	if (ioctl(cpu, KVM_GET_SREGS, &sr))
		die("KVM_GET_SREGS");
	seg(&sr.cs, 0x08, 0xb, 1);
	seg(&sr.ds, 0x10, 0x3, 0);
	sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
	memset(&sr.tr, 0, sizeof(sr.tr));
	sr.tr.base = 0x1800;
	sr.tr.limit = 0x67;
	sr.tr.selector = 0x18;
	sr.tr.type = 11;
	sr.tr.present = 1;
	memset(&sr.ldt, 0, sizeof(sr.ldt));
	sr.ldt.type = 2;
	sr.ldt.unusable = 1;
	sr.gdt.base = 0x1000;
	sr.gdt.limit = 39;
	sr.idt.base = 0;
	sr.idt.limit = 0;
	sr.cr0 = 0x80050033u;
	sr.cr3 = 0x2000;
	sr.cr4 = 0x620;
	sr.efer = 0x500;
	if (ioctl(cpu, KVM_SET_SREGS, &sr))
		die("KVM_SET_SREGS");
	struct kvm_regs regs = {
	    .rip = LOAD,
	    .rflags = 2,
	    .rsp = mem - 8,
	    .rdi = 0,
	    .rsi = mem,
	};
	if (ioctl(cpu, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS");

	uint64_t exits = 0;
	uint8_t scr = 0;
	int status = -1;
	uint64_t t0 = now_ns(), c0 = cpu_ns();
	for (;;) {
		if (ioctl(cpu, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		exits++;
		if (run->exit_reason == KVM_EXIT_IO) {
			uint8_t *d = (uint8_t *)run + run->io.data_offset;
			if (run->io.direction == KVM_EXIT_IO_OUT) {
				if (run->io.port == EXIT_PORT) {
					status = d[0];
					break;
				}
				if (run->io.port == UART + 7)
					scr = d[0];
			} else {
				/* The least a polled UART driver needs: LSR
				 * says "transmitter empty"; scratch reads back.
				 */
				d[0] = run->io.port == UART + 5   ? 0x60
				       : run->io.port == UART + 7 ? scr
				                                  : 0;
			}
			continue;
		}
		if (run->exit_reason == KVM_EXIT_MMIO ||
		    run->exit_reason == KVM_EXIT_INTR)
			continue;
		fprintf(stderr, "raw: unexpected exit %u\n", run->exit_reason);
		return 1;
	}
	uint64_t t = now_ns() - t0, c = cpu_ns() - c0;
	printf("raw exits %llu ns %llu cpu_ns %llu status %d\n",
	       (unsigned long long)exits, (unsigned long long)t,
	       (unsigned long long)c, status);
	munmap(run, (size_t)run_size);
	munmap(ram, mem);
	close(cpu);
	close(vm);
	close(kvm);
	return status == 0 ? 0 : 1;
}
#else
#include <stdio.h>
int main(void)
{
	printf("SKIPPED: bench_kvm_raw needs an x86_64 Linux host\n");
	return 0;
}
#endif
