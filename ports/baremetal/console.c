/* SPDX-License-Identifier: Apache-2.0 */
/* The kernel console (the target's UART) and a small printf (no C
 * library on bare metal). */
#include <string.h>

#include "kernel.h"

static atomic_flag console_lock = ATOMIC_FLAG_INIT;

static void lock(void)
{
	while (atomic_flag_test_and_set_explicit(&console_lock, memory_order_acquire))
		;
}

static void unlock(void)
{
	atomic_flag_clear_explicit(&console_lock, memory_order_release);
}

/* With interrupts masked: the console-input interrupt prints too, and
 * must not find its own CPU holding the lock. */
void kputs(const char *s)
{
	uint64_t flags = bm_arch_irq_save();

	lock();
	for (; *s; s++) {
		if (*s == '\n')
			bm_arch_putc('\r');
		bm_arch_putc(*s);
	}
	unlock();
	bm_arch_irq_restore(flags);
}

/* --- formatting: %[0][width][l|ll|z](d|i|u|x|X|p|s|c) and %% --- */

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, uint64_t v, unsigned base, bool neg,
		    unsigned width, char pad, bool upper)
{
	char tmp[24];
	unsigned n = 0;
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v && n < sizeof(tmp));
	if (neg)
		tmp[n++] = '-';
	while (width > n) {
		put(o, pad);
		width--;
	}
	while (n)
		put(o, tmp[--n]);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		unsigned width = 0, lng = 0;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			put_num(&o, v < 0 ? (uint64_t)-v : (uint64_t)v, 10, v < 0,
				width, pad, false);
			break;
		}
		case 'u':
			put_num(&o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10,
				false, width, pad, false);
			break;
		case 'x':
		case 'X':
			put_num(&o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16,
				false, width, pad, *fmt == 'X');
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (uint64_t)(uintptr_t)va_arg(ap, void *), 16, false,
				width, pad, false);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			size_t l = strlen(s);
			while (width > l) {
				put(&o, ' ');
				width--;
			}
			while (*s)
				put(&o, *s++);
			break;
		}
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

#if !BM_DICT_LOG
void kprintf(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	kputs(line);
}

_Noreturn void panic(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	kputs("axvm: PANIC: ");
	kputs(line);
	kputs("\n");
	board_power_off();
}
#else
/* axvm_strerror()'s texts, which the decoder prints for a bm_strerror()
 * argument (kernel.h): kept in the ELF, not loaded. Each entry is a
 * code, 32 bits little-endian, and its text NUL-padded to 44 bytes; the
 * last, code 1 (no code's), has the text of every code not listed. */
struct dict_error {
	int32_t code;
	char text[44];
};
/* The decoder reads entries of exactly this layout ("<i44s"). */
_Static_assert(sizeof(struct dict_error) == 48, "a 48-byte error entry");
#define DICT_ERROR(code, text) { code, text },
static const struct dict_error dict_errors[] __attribute__((section(".axvm_dict_errors"), used)) = {
	AXVM_ERROR_TEXTS(DICT_ERROR) { 1, AXVM_ERROR_TEXT_UNKNOWN },
};

/*
 * The dictionary log's record, one line under the console lock:
 *
 *   RS kind address { ':' hex | '"' text }... newline
 *
 * RS is the byte 0x1e; kind 'k' for kprintf, 'p' for panic; address the
 * format's, in .axvm_dict, in hex; then each argument in order, an
 * integer as its 64 bits in hex (no leading zeros), text with '"', ':',
 * the backslash and every byte outside 0x20..0x7e written as a backslash
 * and two hex digits. scripts/axvm-log-decode turns it back into the
 * text.
 */
static void put_hex(uint64_t v)
{
	char tmp[16];
	unsigned n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n)
		bm_arch_putc(tmp[--n]);
}

static void dict_record(char kind, const char *fmt, unsigned meta, va_list ap)
{
	unsigned n = meta & 15;
	uint64_t flags = bm_arch_irq_save();

	lock();
	bm_arch_putc('\x1e');
	bm_arch_putc(kind);
	put_hex((uint64_t)(uintptr_t)fmt);
	/* Argument k of n is text if bit 4 + n - 1 - k is set (kernel.h). */
	while (n--) {
		uint64_t v = va_arg(ap, uint64_t);
		if (!(meta >> (4 + n) & 1)) {
			bm_arch_putc(':');
			put_hex(v);
			continue;
		}
		const char *s = (const char *)(uintptr_t)v;
		bm_arch_putc('"');
		for (s = s ? s : "(null)"; *s; s++) {
			unsigned char c = (unsigned char)*s;
			if (c < 0x20 || c > 0x7e || c == '"' || c == ':' || c == '\\') {
				bm_arch_putc('\\');
				bm_arch_putc("0123456789abcdef"[c >> 4]);
				bm_arch_putc("0123456789abcdef"[c & 15]);
			} else {
				bm_arch_putc((char)c);
			}
		}
	}
	bm_arch_putc('\r');
	bm_arch_putc('\n');
	unlock();
	bm_arch_irq_restore(flags);
}

void bm_dict_log(const char *fmt, unsigned meta, ...)
{
	va_list ap;

	va_start(ap, meta);
	dict_record('k', fmt, meta, ap);
	va_end(ap);
}

_Noreturn void bm_dict_panic(const char *fmt, unsigned meta, ...)
{
	va_list ap;

	va_start(ap, meta);
	dict_record('p', fmt, meta, ap);
	va_end(ap);
	board_power_off();
}
#endif
