/* SPDX-License-Identifier: Apache-2.0 */
/* Freestanding helpers for the x86_64 test guests (guest ABI:
 * docs/guest-abi-x86_64.md). Header-only: each guest is one C file. */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>

#define UART       0x3f8
#define EXIT_PORT  0x501
#define HC_PORT    0xf5
#define HC_VERSION 0
#define HC_CPU_UP  1
#define HC_SUM     2

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

/* The doorbell: number in RAX, arguments in RDI, RSI, RDX, R10, R8, R9,
 * result in RAX; every other register is preserved. */
static inline uint64_t hypercall(uint64_t nr, uint64_t a0, uint64_t a1,
                                 uint64_t a2, uint64_t a3, uint64_t a4,
                                 uint64_t a5)
{
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	register uint64_t r9 __asm__("r9") = a5;
	__asm__ volatile("outb %%al, $0xf5"
	                 : "+a"(nr)
	                 : "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
	                 : "memory");
	return nr;
}

static inline void putc(char c)
{
	while (!(inb(UART + 5) & 0x20)) /* LSR.THRE */
		;
	outb(UART, (uint8_t)c);
}

static inline void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static inline void put_dec(uint64_t v)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		putc(buf[--n]);
}

static inline void put_hex(uint64_t v)
{
	puts("0x");
	for (int i = 60; i >= 0; i -= 4)
		putc("0123456789abcdef"[(v >> i) & 0xf]);
}

static inline __attribute__((noreturn)) void guest_exit(uint8_t code)
{
	for (;;)
		__asm__ volatile("movw $0x501, %%dx; outb %%al, %%dx; cli; hlt"
		                 :
		                 : "a"(code)
		                 : "rdx", "memory");
}

/* Compare and report; returns 1 on a mismatch. */
static inline int check(const char *what, uint64_t got, uint64_t want)
{
	if (got == want)
		return 0;
	puts("FAIL ");
	puts(what);
	puts(": got ");
	put_hex(got);
	puts(" want ");
	put_hex(want);
	putc('\n');
	return 1;
}

int guest_main(uint64_t index, uint64_t ram_size, uint64_t arg);

#endif
