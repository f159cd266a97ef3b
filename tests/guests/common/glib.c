/* SPDX-License-Identifier: Apache-2.0 */
#include "glib.h"

void gputs(const char *s)
{
	while (*s)
		gputc(*s++);
}

static void put_num(uint64_t v, unsigned base, unsigned width, char pad)
{
	char tmp[24];
	unsigned n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	for (; width > n; width--)
		gputc(pad);
	while (n)
		gputc(tmp[--n]);
}

void gprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			gputc(*fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		unsigned width = 0;
		bool lng = false;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		while (*fmt == 'l') {
			lng = true;
			fmt++;
		}
		switch (*fmt) {
		case 'd': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			if (v < 0) {
				gputc('-');
				v = -v;
			}
			put_num((uint64_t)v, 10, width, pad);
			break;
		}
		case 'u':
			put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad);
			break;
		case 'x':
			put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad);
			break;
		case 's':
			gputs(va_arg(ap, const char *));
			break;
		case 'c':
			gputc((char)va_arg(ap, int));
			break;
		default:
			gputc(*fmt);
			break;
		}
	}
	va_end(ap);
}

/* --- checks --- */

static unsigned checks, failures;

void check(bool ok, const char *what)
{
	checks++;
	if (!ok) {
		failures++;
		gprintf("FAIL: %s\n", what);
	}
}

void check_eq(uint64_t got, uint64_t want, const char *what)
{
	checks++;
	if (got != want) {
		failures++;
		gprintf("FAIL: %s: got 0x%lx, want 0x%lx\n", what, got, want);
	}
}

void delay_us(uint64_t us)
{
	uint64_t end = guest_now_us() + us;

	while (guest_now_us() < end)
		;
}

_Noreturn void done(const char *name)
{
	if (failures)
		gprintf("RESULT %s FAIL (%u of %u checks failed)\n", name, failures, checks);
	else
		gprintf("RESULT %s PASS (%u checks)\n", name, checks);
	guest_power_off();
}

