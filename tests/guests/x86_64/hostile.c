/* SPDX-License-Identifier: Apache-2.0 */
/* hostile: what a guest must not get from a bare-metal x86 backend. SVM is
 * hidden from CPUID; its instructions (VMRUN, VMLOAD, VMSAVE, STGI, CLGI,
 * SKINIT, INVLPGA) and MONITOR/MWAIT fault with #UD; MSRs are the host's
 * to answer (EFER reads back without SVME; a write to LSTAR changes
 * nothing the guest can see). Then an MMIO access by an instruction no
 * backend emulates (an ADD to device memory) must stop the VM with a
 * reason while the host and any other VM carry on. On KVM the SVM
 * instructions and MSRs follow KVM's rules: run it on the SVM backend. */
#include "guest.h"
#include "idt.h"

struct frame {
	uint64_t ip, cs, flags, sp, ss;
};

static volatile uint32_t ud_count;

/* #UD: count it and step over the 3-byte 0f 01 xx instruction. */
__attribute__((interrupt)) static void ud_handler(struct frame *f)
{
	ud_count++;
	f->ip += 3;
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

int guest_main(uint64_t index, uint64_t ram_size, uint64_t arg)
{
	uint32_t a, b, c, d;
	int bad = 0;

	(void)index;
	(void)ram_size;
	(void)arg;
	idt_set(6, ud_handler);
	idt_load();
	puts("hostile: start\n");

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001u), "c"(0));
	bad |= check("cpuid svm bit", c & 4, 0);

	__asm__ volatile("xorl %%eax, %%eax\n"
	                 ".byte 0x0f, 0x01, 0xd8\n" /* vmrun */
	                 ".byte 0x0f, 0x01, 0xda\n" /* vmload */
	                 ".byte 0x0f, 0x01, 0xdb\n" /* vmsave */
	                 ".byte 0x0f, 0x01, 0xdc\n" /* stgi */
	                 ".byte 0x0f, 0x01, 0xdd\n" /* clgi */
	                 ".byte 0x0f, 0x01, 0xdf\n" /* invlpga */
	                 ".byte 0x0f, 0x01, 0xc8\n" /* monitor */
	                 ".byte 0x0f, 0x01, 0xc9\n" /* mwait */
	                 ::: "rax", "rcx", "memory");
	bad |= check("#UD for each SVM/MWAIT instruction", ud_count, 8);

	bad |= check("EFER as the guest reads it", rdmsr(0xc0000080u) & (1u << 12), 0);
	__asm__ volatile("wrmsr" : : "c"(0xc0000082u), "a"(0x12345678u), "d"(0xffffffffu));
	bad |= check("LSTAR after a write", rdmsr(0xc0000082u), 0);
	if (bad)
		return 1;
	puts("hostile: contained\n");
	/* ADD to device memory: an access the backend cannot emulate. */
	__asm__ volatile("addl $1, (%0)" : : "r"(0xfe000000ul) : "memory");
	puts("hostile: still running after an undecodable MMIO access?\n");
	return 99;
}
