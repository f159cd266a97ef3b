/* SPDX-License-Identifier: Apache-2.0 */
/* mmio: reads and writes of axvm-run's test device (--testdev) at
 * 0xfe000000, every width, with the x86 extension rules checked: movsx
 * sign-extends, movzx and 32-bit moves zero-extend, 8/16-bit moves merge;
 * then string port I/O (rep outsb / rep insb) on the UART: with a 32-bit
 * address size, with an FS override, and from 32-bit compatibility mode.
 * Device layout: 0x00..0x3f scratch (RW), 0x40..0x4f constant pattern
 * bb aa 99 88 f0 e0 c0 80 11 22 33 44 55 66 77 08 (RO). */
#include "guest.h"

#define DEV 0xfe000000ul

static inline uint64_t rd(unsigned off, unsigned w)
{
	volatile void *p = (volatile void *)(DEV + off);
	switch (w) {
	case 1:
		return *(volatile uint8_t *)p;
	case 2:
		return *(volatile uint16_t *)p;
	case 4:
		return *(volatile uint32_t *)p;
	default:
		return *(volatile uint64_t *)p;
	}
}

static inline void wr(unsigned off, unsigned w, uint64_t v)
{
	volatile void *p = (volatile void *)(DEV + off);
	switch (w) {
	case 1:
		*(volatile uint8_t *)p = (uint8_t)v;
		break;
	case 2:
		*(volatile uint16_t *)p = (uint16_t)v;
		break;
	case 4:
		*(volatile uint32_t *)p = (uint32_t)v;
		break;
	default:
		*(volatile uint64_t *)p = v;
		break;
	}
}

/* Encodings a backend that decodes the instruction itself (SVM without
 * decode assists) must get right beyond plain loads and stores: the high
 * byte registers, immediates (the 64-bit one sign-extended), REX
 * registers, an absolute address, a 32-bit address (0x67) and an
 * indexed one. `s` is 8 scratch bytes, `neg` the pattern's first 8. */
static int encodings(uint64_t s, uint64_t neg)
{
	int bad = 0;
	uint64_t r;

	__asm__ volatile("movl $0x1234, %%eax; movb %%ah, (%0)" ::"r"(s) : "rax", "memory");
	bad |= check("movb %ah, store", rd(0x10, 1), 0x12);
	__asm__ volatile("movq $-1, %%rbx; movb (%1), %%bh; movq %%rbx, %0"
	                 : "=r"(r)
	                 : "r"(neg)
	                 : "rbx", "memory");
	bad |= check("movb into %bh", r, 0xffffffffffffbbffull);
	__asm__ volatile("movq $-2, (%0)" ::"r"(s) : "memory");
	bad |= check("movq $imm32 sign-extended", rd(0x10, 8), 0xfffffffffffffffeull);
	__asm__ volatile("movl $0xcafef00d, (%0)" ::"r"(s) : "memory");
	__asm__ volatile("movw $0x1234, 4(%0)" ::"r"(s) : "memory");
	__asm__ volatile("movb $0x5a, 6(%0)" ::"r"(s) : "memory");
	bad |= check("mov $imm, each width", rd(0x10, 8), 0xff5a1234cafef00dull);
	__asm__ volatile("movq %1, %%r9; movq %%r9, (%0)"
	                 ::"r"(s), "r"(0x0102030405060708ull)
	                 : "r9", "memory");
	bad |= check("movq %r9, store", rd(0x10, 8), 0x0102030405060708ull);
	__asm__ volatile("movq $-1, %%r10; movl (%1), %%r10d; movq %%r10, %0"
	                 : "=r"(r)
	                 : "r"(neg)
	                 : "r10", "memory");
	bad |= check("movl into %r10d zero-extends", r, 0x8899aabbull);
	__asm__ volatile("movq $0x7766, %%r11; movw %%r11w, 2(%0)" ::"r"(s) : "r11", "memory");
	bad |= check("movw %r11w, store", rd(0x12, 2), 0x7766);
	__asm__ volatile("movl $0x600df00d, %%eax; movabs %%eax, 0xfe000018" ::: "rax", "memory");
	bad |= check("movabs %eax, store", rd(0x18, 4), 0x600df00du);
	__asm__ volatile("movabs 0xfe000040, %%al; movzbl %%al, %%eax; movq %%rax, %0"
	                 : "=r"(r)
	                 :
	                 : "rax", "memory");
	bad |= check("movabs into %al", r, 0xbb);
	__asm__ volatile("movl $0xfe000040, %%esi; movl (%%esi), %%eax; movq %%rax, %0"
	                 : "=r"(r)
	                 :
	                 : "rax", "rsi", "memory");
	bad |= check("addr32 movl", r, 0x8899aabbull);
	__asm__ volatile("movl 8(%1,%2,4), %k0" : "=r"(r) : "r"(neg - 8), "r"(2ull) : "memory");
	bad |= check("movl with SIB", r, 0x44332211ull);
	return bad;
}

/* Segments with a base, for the accesses below: a GDT of our own, the
 * boot one's entries plus a data segment at the device, a 32-bit code
 * segment (base 0) and a data segment whose base is SEG_BASE, so the same
 * guest runs on KVM and on the SVM backend alike. */
#define SEG_BASE 0x1000u
#define SEL_DEV (13u * 8)
#define SEL_CODE32 (14u * 8)
#define SEL_DATA (15u * 8)

struct __attribute__((packed)) gdtr {
	uint16_t limit;
	uint64_t base;
};

/* Load the GDT above; *old gets the boot one back. Non-zero on failure. */
static int load_gdt(struct gdtr *old)
{
	static uint64_t gdt[16] __attribute__((aligned(16)));
	struct gdtr mine = { sizeof(gdt) - 1, (uintptr_t)gdt };

	__asm__ volatile("sgdt %0" : "=m"(*old));
	if (old->limit >= SEL_DEV)
		return check("gdt limit", old->limit, 0);
	for (unsigned i = 0; i <= old->limit; i++)
		((uint8_t *)gdt)[i] = ((const uint8_t *)(uintptr_t)old->base)[i];
	/* present, 4 KiB granularity, 32-bit: data r/w; code execute/read */
	gdt[13] = 0x00cf93000000ffffull | (DEV >> 24) << 56 | (DEV & 0xffffff) << 16;
	gdt[14] = 0x00cf9b000000ffffull;
	gdt[15] = 0x00cf93000000ffffull | (uint64_t)SEG_BASE << 16;
	__asm__ volatile("lgdt %0" : : "m"(mine) : "memory");
	return 0;
}

/* rep outsb with a segment override: in 64-bit mode only FS and GS have
 * a base, added to RSI (a selector load sets its low 32 bits). */
static int fs_outsb(void)
{
	static const char line[] = "mmio: fs rep outsb ok\n";
	uint64_t src = (uintptr_t)line - SEG_BASE, n = sizeof(line) - 1;
	struct gdtr old;

	if (load_gdt(&old))
		return 1;
	__asm__ volatile("mov %0, %%fs" : : "r"((uint64_t)SEL_DATA) : "memory");
	__asm__ volatile("rep outsb %%fs:(%%rsi), (%%dx)"
	                 : "+S"(src), "+c"(n)
	                 : "d"((uint16_t)UART)
	                 : "memory");
	__asm__ volatile("lgdt %0" : : "m"(old) : "memory");
	return check("fs rep outsb: rcx", n, 0) |
	       check("fs rep outsb: rsi", src, (uintptr_t)line - SEG_BASE + sizeof(line) - 1);
}

/* The same outside 64-bit mode: a far return into 32-bit compatibility
 * mode, where DS's base counts (no override) and addresses are 32-bit,
 * then a far jump back. Everything here lies below 4 GiB. On the way, two
 * MMIO reads of the device's pattern with 16-bit addresses (0x67) through
 * ES at the device, which a 64-bit decoding would take a byte too long. */
static int compat_outsb(void)
{
	static const char line[] = "mmio: compat rep outsb ok\n";
	static struct __attribute__((packed)) {
		uint32_t off;
		uint16_t sel;
	} back;
	uint64_t src = (uintptr_t)line - SEG_BASE, n = sizeof(line) - 1;
	uint64_t moffs, via_di = 0x44;
	uint16_t cs, ds, es;
	struct gdtr old;

	if (load_gdt(&old))
		return 1;
	__asm__ volatile("mov %%cs, %0\n\tmov %%ds, %1\n\tmov %%es, %2" : "=r"(cs), "=r"(ds), "=r"(es));
	back.sel = cs;
	__asm__ volatile("lea 2f(%%rip), %%rax\n\t"
	                 "movl %%eax, (%%rbx)\n\t"
	                 "pushq %[code32]\n\t"
	                 "lea 1f(%%rip), %%rax\n\t"
	                 "pushq %%rax\n\t"
	                 "lretq\n"
	                 ".code32\n"
	                 "1:\tmov %[dev], %%eax\n\t"
	                 "mov %%eax, %%es\n\t"
	                 "mov %[data], %%eax\n\t"
	                 "mov %%eax, %%ds\n\t"
	                 "addr16 mov %%es:(%%di), %%edi\n\t"
	                 "addr16 mov %%es:0x40, %%eax\n\t"
	                 "rep outsb\n\t"
	                 "ljmp *%%cs:(%%ebx)\n"
	                 ".code64\n"
	                 "2:"
	                 : "+S"(src), "+c"(n), "=a"(moffs), "+D"(via_di)
	                 : "d"((uint16_t)UART), "b"(&back), [code32] "i"(SEL_CODE32),
	                   [data] "i"(SEL_DATA), [dev] "i"(SEL_DEV)
	                 : "memory");
	__asm__ volatile("mov %0, %%ds\n\tmov %1, %%es\n\tlgdt %2" : : "r"(ds), "r"(es), "m"(old) : "memory");
	return check("compat rep outsb: rcx", n, 0) |
	       check("compat rep outsb: rsi", src, (uintptr_t)line - SEG_BASE + sizeof(line) - 1) |
	       check("compat addr16 moffs read", moffs & 0xffffffffu, 0x8899aabbu) |
	       check("compat addr16 (di) read", via_di & 0xffffffffu, 0x80c0e0f0u);
}

int guest_main(uint64_t index, uint64_t ram_size, uint64_t arg)
{
	const uint64_t neg = DEV + 0x40, pos = DEV + 0x48;
	int bad = 0;
	uint64_t r;

	(void)index;
	(void)ram_size;
	(void)arg;

	/* Scratch: every width writes and reads back. */
	wr(0x00, 8, 0x1122334455667788ull);
	bad |= check("readq", rd(0x00, 8), 0x1122334455667788ull);
	bad |= check("readl", rd(0x00, 4), 0x55667788u);
	bad |= check("readw", rd(0x02, 2), 0x5566u);
	bad |= check("readb", rd(0x07, 1), 0x11u);
	wr(0x08, 1, 0xa5);
	wr(0x0a, 2, 0xbeef);
	wr(0x0c, 4, 0xcafef00du);
	bad |= check("mixed widths", rd(0x08, 8), 0xcafef00dbeef00a5ull);

	/* Pattern: the device's bytes, read with explicit instructions. */
	__asm__ volatile("movsbq (%1), %0" : "=r"(r) : "r"(neg) : "memory");
	bad |= check("movsbq", r, 0xffffffffffffffbbull);
	__asm__ volatile("movswq (%1), %0" : "=r"(r) : "r"(neg) : "memory");
	bad |= check("movswq", r, 0xffffffffffffaabbull);
	__asm__ volatile("movslq (%1), %0" : "=r"(r) : "r"(neg) : "memory");
	bad |= check("movslq", r, 0xffffffff8899aabbull);
	__asm__ volatile("movq $-1, %0; movsbl (%1), %k0"
	                 : "=&r"(r)
	                 : "r"(neg)
	                 : "memory");
	bad |= check("movsbl", r, 0xffffffbbull);
	__asm__ volatile("movq $-1, %0; movzbq (%1), %0"
	                 : "=&r"(r)
	                 : "r"(neg)
	                 : "memory");
	bad |= check("movzbq", r, 0xbbull);
	__asm__ volatile("movq $-1, %0; movzwl (%1), %k0"
	                 : "=&r"(r)
	                 : "r"(neg)
	                 : "memory");
	bad |= check("movzwl", r, 0xaabbull);
	__asm__ volatile("movq $-1, %0; movl (%1), %k0"
	                 : "=&r"(r)
	                 : "r"(neg)
	                 : "memory");
	bad |= check("movl zero-extends", r, 0x8899aabbull);
	__asm__ volatile("movq $-1, %0; movw (%1), %w0"
	                 : "=&r"(r)
	                 : "r"(neg)
	                 : "memory");
	bad |= check("movw merges", r, 0xffffffffffffaabbull);
	__asm__ volatile("movq $-1, %0; movb (%1), %b0"
	                 : "=&r"(r)
	                 : "r"(neg)
	                 : "memory");
	bad |= check("movb merges", r, 0xffffffffffffffbbull);
	__asm__ volatile("movq (%1), %0" : "=r"(r) : "r"(neg) : "memory");
	bad |= check("movq pattern", r, 0x80c0e0f08899aabbull);
	/* Positive values stay positive under movsx. */
	__asm__ volatile("movsbq (%1), %0" : "=r"(r) : "r"(pos) : "memory");
	bad |= check("movsbq positive", r, 0x11);
	__asm__ volatile("movslq 4(%1), %0" : "=r"(r) : "r"(pos) : "memory");
	bad |= check("movslq positive", r, 0x08776655ull);

	bad |= encodings(DEV + 0x10, neg);

	/* The pattern is read-only: the write is refused (and ignored). */
	wr(0x40, 4, 0);
	bad |= check("read-only", rd(0x40, 4), 0x8899aabbu);

	/* String port I/O (one KVM exit, many elements): rep outsb to the
	 * UART's THR prints a line; rep insb from its scratch register reads
	 * the same byte every time. */
	{
		static const char line[] = "mmio: rep outsb ok\n";
		const char *src = line;
		uint64_t n = sizeof(line) - 1;
		__asm__ volatile("rep outsb"
		                 : "+S"(src), "+c"(n)
		                 : "d"((uint16_t)UART)
		                 : "memory");
		uint8_t buf[16] = {0};
		uint8_t *dst = buf;
		outb(UART + 7, 0x5a);
		n = sizeof(buf);
		__asm__ volatile("rep insb"
		                 : "+D"(dst), "+c"(n)
		                 : "d"((uint16_t)(UART + 7))
		                 : "memory");
		for (unsigned i = 0; i < sizeof(buf); i++)
			bad |= check("rep insb", buf[i], 0x5a);
	}
	/* The same with a 32-bit address size (0x67): ECX counts, ESI and
	 * EDI point, and each is written back zero-extended, so the bits
	 * set above bit 31 here are ignored, then cleared. */
	{
		static const char line[] = "mmio: addr32 rep outsb ok\n";
		uint64_t src = 1ull << 40 | (uintptr_t)line;
		uint64_t n = 1ull << 32 | (sizeof(line) - 1);
		__asm__ volatile("addr32 rep outsb"
		                 : "+S"(src), "+c"(n)
		                 : "d"((uint16_t)UART)
		                 : "memory");
		bad |= check("addr32 rep outsb: rcx", n, 0);
		bad |= check("addr32 rep outsb: rsi", src, (uintptr_t)line + sizeof(line) - 1);
		uint8_t buf[8] = {0};
		uint64_t dst = 1ull << 40 | (uintptr_t)buf;
		outb(UART + 7, 0xa5);
		n = 1ull << 32 | sizeof(buf);
		__asm__ volatile("addr32 rep insb"
		                 : "+D"(dst), "+c"(n)
		                 : "d"((uint16_t)(UART + 7))
		                 : "memory");
		bad |= check("addr32 rep insb: rcx", n, 0);
		bad |= check("addr32 rep insb: rdi", dst, (uintptr_t)buf + sizeof(buf));
		for (unsigned i = 0; i < sizeof(buf); i++)
			bad |= check("addr32 rep insb", buf[i], 0xa5);
	}
	bad |= fs_outsb();
	bad |= compat_outsb();
	if (bad)
		return 1;
	puts("mmio: ok\n");
	return 0;
}
