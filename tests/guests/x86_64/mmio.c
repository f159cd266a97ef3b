/* SPDX-License-Identifier: Apache-2.0 */
/* mmio: reads and writes of axvm-run's test device (--testdev) at
 * 0xfe000000, every width, with the x86 extension rules checked: movsx
 * sign-extends, movzx and 32-bit moves zero-extend, 8/16-bit moves merge;
 * then string port I/O (rep outsb / rep insb) on the UART.
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
	if (bad)
		return 1;
	puts("mmio: ok\n");
	return 0;
}
