/* SPDX-License-Identifier: Apache-2.0 */
/* smp: vCPU 0 starts every other vCPU with the CPU-up hypercall (until it
 * answers "no such vCPU"); each prints its index; vCPU 0 waits for all. */
#include "guest.h"

static volatile uint32_t started;
static volatile int print_lock;

static void lock(void)
{
	while (__atomic_test_and_set(&print_lock, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
}

static void unlock(void)
{
	__atomic_clear(&print_lock, __ATOMIC_RELEASE);
}

/* Entered with RDI = index, RSI = RAM size, RDX = the CPU-up argument and
 * a stack of its own, as after a call. Never returns. */
static __attribute__((noreturn, used)) void
ap_main(uint64_t index, uint64_t ram_size, uint64_t arg)
{
	(void)ram_size;
	lock();
	puts("smp: cpu ");
	put_dec(index);
	puts(arg == 0x5a00 + index ? " up\n" : " up with a wrong argument\n");
	unlock();
	__atomic_fetch_add(&started, arg == 0x5a00 + index ? 1 : 1000,
	                   __ATOMIC_SEQ_CST);
	for (;;)
		__asm__ volatile("cli; hlt");
}

int guest_main(uint64_t index, uint64_t ram_size, uint64_t arg)
{
	uint64_t n, r;

	(void)ram_size;
	(void)arg;
	lock();
	puts("smp: cpu ");
	put_dec(index);
	puts(" up (bsp)\n");
	unlock();
	for (n = 1;; n++) {
		r = hypercall(HC_CPU_UP, n, (uint64_t)ap_main, 0x5a00 + n, 0, 0,
		              0);
		if (r == (uint64_t)-22)
			break; /* no such vCPU: all started */
		if (r != 0) {
			lock();
			check("cpu-up", r, 0);
			unlock();
			return 1;
		}
	}
	if (n > 1 && hypercall(HC_CPU_UP, 1, (uint64_t)ap_main, 0, 0, 0, 0) !=
	                 (uint64_t)-17) {
		puts("smp: second cpu-up of vcpu 1 was not refused\n");
		return 1;
	}
	for (uint64_t spins = 0; started < n - 1; spins++) {
		if (spins > 4000000000ull) {
			puts("smp: timed out waiting for the APs\n");
			return 2;
		}
		__asm__ volatile("pause");
	}
	if (started != n - 1) {
		puts("smp: an AP got a wrong argument\n");
		return 3;
	}
	lock();
	puts("smp: ");
	put_dec(n);
	puts(" cpus up\n");
	unlock();
	return 0;
}
