/* SPDX-License-Identifier: Apache-2.0 */
#include "guest.h"

static unsigned checks, failures;
void (*irq_hook)(uint32_t intid);
uint64_t (*sync_hook)(uint64_t esr, uint64_t elr, uint64_t far);

void gputc(char c)
{
	w32(UART_BASE, (uint32_t)(unsigned char)c); /* UARTDR: one trapped write */
}

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

/* --- SMCCC: X0 = function id, X1.. = arguments, result in X0 --- */

int64_t hvc6(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
	     uint64_t a5, uint64_t a6)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	register uint64_t x4 __asm__("x4") = a4;
	register uint64_t x5 __asm__("x5") = a5;
	register uint64_t x6 __asm__("x6") = a6;

	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6)
			 :
			 : "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
			   "x16", "x17", "memory");
	return (int64_t)x0;
}

int64_t hvc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return hvc6(fid, a1, a2, a3, 0, 0, 0);
}

int64_t smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	register uint64_t x4 __asm__("x4") = 0;
	register uint64_t x5 __asm__("x5") = 0;
	register uint64_t x6 __asm__("x6") = 0;

	__asm__ volatile("smc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6)
			 :
			 : "x7", "x8", "x9", "x10", "x11", "x12", "x13",
			   "x14", "x15", "x16", "x17", "memory");
	return (int64_t)x0;
}

void psci_system_off(void)
{
	hvc(PSCI_SYSTEM_OFF, 0, 0, 0);
}

void psci_cpu_off(void)
{
	hvc(PSCI_CPU_OFF, 0, 0, 0);
}

/* --- checks --- */

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

_Noreturn void done(const char *name)
{
	if (failures)
		gprintf("RESULT %s FAIL (%u of %u checks failed)\n", name, failures, checks);
	else
		gprintf("RESULT %s PASS (%u checks)\n", name, checks);
	psci_system_off();
	gputs("FAIL: PSCI SYSTEM_OFF returned\n");
	for (;;)
		wfi();
}

_Noreturn void guest_fatal(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far)
{
	checks++;
	failures++;
	gprintf("FAIL: guest exception %lu: ESR %lx ELR %lx FAR %lx\n", kind, esr, elr, far);
	done("exception");
}

uint64_t guest_sync(uint64_t esr, uint64_t elr, uint64_t far);
uint64_t guest_sync(uint64_t esr, uint64_t elr, uint64_t far)
{
	if (sync_hook)
		return sync_hook(esr, elr, far);
	guest_fatal(4, esr, elr, far);
}

uint32_t cpu_index(void)
{
	uint64_t m;
	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(m));
	return (uint32_t)((m & 0xff) + ((m >> 8) & 0xff) * 16);
}

void delay_us(uint64_t us)
{
	uint64_t end = cntvct() + cntfrq() / 1000000 * us;
	while (cntvct() < end)
		;
}

/* --- GIC --- */

void gic_dist_enable(void)
{
	w32(GICD_BASE + 0x0, 1u << 1); /* EnableGrp1 (ARE is fixed on) */
}

void gic_cpu_init(void)
{
	uintptr_t rd = GICR_BASE + cpu_index() * GICR_STRIDE;
	uint64_t v;

	w32(rd + 0x14, r32(rd + 0x14) & ~(1u << 1)); /* wake the redistributor */
	v = 7;
	__asm__ volatile("msr icc_sre_el1, %0; isb" ::"r"(v));
	v = 0xff;
	__asm__ volatile("msr icc_pmr_el1, %0" ::"r"(v));
	v = 1;
	__asm__ volatile("msr icc_igrpen1_el1, %0; isb" ::"r"(v));
}

static void enable_bit(uint32_t intid, bool on)
{
	if (intid < 32) {
		uintptr_t sgi = GICR_BASE + cpu_index() * GICR_STRIDE + 0x10000;
		w32(sgi + (on ? 0x100u : 0x180u), 1u << intid);
	} else {
		w32(GICD_BASE + (on ? 0x100u : 0x180u) + (intid / 32) * 4, 1u << (intid % 32));
	}
}

void gic_enable_irq(uint32_t intid)
{
	enable_bit(intid, true);
}

void gic_disable_irq(uint32_t intid)
{
	enable_bit(intid, false);
}

void gic_send_sgi(uint32_t intid, uint32_t target)
{
	uint64_t v = ((uint64_t)intid << 24) | (1ull << (target % 16)) |
		     ((uint64_t)(target / 16) << 16);
	__asm__ volatile("dsb sy; msr icc_sgi1r_el1, %0; isb" ::"r"(v) : "memory");
}

void guest_irq(void);
void guest_irq(void)
{
	uint64_t iar;

	__asm__ volatile("mrs %0, icc_iar1_el1" : "=r"(iar));
	uint32_t intid = (uint32_t)(iar & 0xffffff);
	if (intid >= 1020)
		return;
	if (irq_hook)
		irq_hook(intid);
	__asm__ volatile("msr icc_eoir1_el1, %0; isb" ::"r"(iar));
}
