/* SPDX-License-Identifier: Apache-2.0 */
/* hypercall: the doorbell carries a number and six arguments and returns
 * a result; unknown numbers and bad CPU-up targets return error codes.
 * Exits with 42 on success (checks that the status reaches the host). */
#include "guest.h"

int guest_main(uint64_t index, uint64_t ram_size, uint64_t arg)
{
	int bad = 0;
	uint64_t r;

	(void)ram_size;
	(void)arg;
	bad |= check("version", hypercall(HC_VERSION, 0, 0, 0, 0, 0, 0),
	             0x00010000);
	bad |= check("sum", hypercall(HC_SUM, 1, 2, 3, 4, 5, 6), 21);
	/* Each argument in its own bit range: a swapped or lost register
	 * shows in the sum. */
	r = hypercall(HC_SUM, 1ull << 60, 1ull << 50, 1ull << 40, 1ull << 30,
	              1ull << 20, 1ull << 10);
	bad |= check("sum of wide args", r,
	             (1ull << 60) | (1ull << 50) | (1ull << 40) | (1ull << 30) |
	                 (1ull << 20) | (1ull << 10));
	bad |= check("unknown number", hypercall(0x999, 0, 0, 0, 0, 0, 0),
	             (uint64_t)-38);
	/* CPU up: the caller itself is on, vCPU 7 does not exist here. */
	bad |= check("cpu-up self",
	             hypercall(HC_CPU_UP, index, 0x100000, 0, 0, 0, 0),
	             (uint64_t)-17);
	bad |=
	    check("cpu-up missing",
	          hypercall(HC_CPU_UP, 7, 0x100000, 0, 0, 0, 0), (uint64_t)-22);
	/* Registers outside the ABI survive a call. */
	{
		uint64_t rax = HC_VERSION, rbx = 0x1234567890abcdefull;
		register uint64_t r12 __asm__("r12") = 0xfedcba0987654321ull;
		__asm__ volatile("outb %%al, $0xf5"
		                 : "+a"(rax), "+b"(rbx), "+r"(r12)
		                 :
		                 : "memory");
		bad |= check("raw version", rax, 0x00010000);
		bad |= check("rbx preserved", rbx, 0x1234567890abcdefull);
		bad |= check("r12 preserved", r12, 0xfedcba0987654321ull);
	}
	if (bad)
		return 1;
	puts("hypercall: ok\n");
	return 42;
}
