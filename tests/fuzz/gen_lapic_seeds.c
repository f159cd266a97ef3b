/* SPDX-License-Identifier: Apache-2.0 */
/* Writes fuzz_svm_lapic's seeds into the directory given: what a guest
 * kernel does with its local APIC (enable, priorities, EOI, the timer in
 * both modes, IPIs and SIPI, x2APIC), which random bytes seldom spell. */
#include <stdint.h>
#include <stdio.h>

#include "fuzz_svm_lapic.h"
#include "seed_file.h"

/* xAPIC register numbers (offset >> 4), as the x2APIC MSRs number them. */
enum { TPR = 0x08, EOI = 0x0b, SVR = 0x0f, ESR = 0x28, ICR = 0x30, ICR_HI = 0x31,
       LVT_TIMER = 0x32, TMR_INIT = 0x38, TMR_CUR = 0x39, TMR_DIV = 0x3e, SELF_IPI = 0x3f };

static void wr(struct seed *s, uint16_t reg, uint64_t v)
{
	seed_put(s, FL_WRITE, 1);
	seed_put(s, reg, 2);
	seed_put(s, v, 8);
}

static void rd(struct seed *s, uint16_t reg)
{
	seed_put(s, FL_READ, 1);
	seed_put(s, reg, 2);
	seed_put(s, 0x20, 1); /* EAX */
}

static void wrmsr(struct seed *s, uint8_t sel, uint64_t v)
{
	seed_put(s, FL_WRMSR, 1);
	seed_put(s, sel, 1);
	seed_put(s, v, 8);
	seed_put(s, 0xbad0, 4);
}

static void op(struct seed *s, enum fl_op o, uint64_t arg, unsigned len)
{
	seed_put(s, o, 1);
	seed_put(s, arg, len);
}

static void priorities(struct seed *s)
{
	wr(s, SVR, 0x1ff);
	wr(s, TPR, 0x20);
	op(s, FL_RAISE, 0x25, 1); /* held back by TPR */
	op(s, FL_RAISE, 0x41, 1);
	op(s, FL_RAISE, 0x4f, 1);
	op(s, FL_ACCEPT, 0, 0);
	op(s, FL_RAISE, 0x45, 1); /* same class as the one in service */
	op(s, FL_ACCEPT, 0, 0);
	wr(s, EOI, 0);
	op(s, FL_ACCEPT, 0, 0);
	wr(s, TPR, 0);
	op(s, FL_ACCEPT, 0, 0);
	wr(s, EOI, 0);
	wr(s, EOI, 0);
	rd(s, 0x0a); /* PPR */
	rd(s, 0x10 + 2); /* ISR word 2 */
}

static void timer(struct seed *s)
{
	wr(s, SVR, 0x1ff);
	wr(s, TMR_DIV, 0xb); /* divide by 1 */
	wr(s, LVT_TIMER, 0x20030); /* periodic, vector 0x30 */
	wr(s, TMR_INIT, 50000);
	op(s, FL_CLOCK, 30000, 4);
	rd(s, TMR_CUR);
	op(s, FL_CLOCK, 250000, 4);
	op(s, FL_ACCEPT, 0, 0);
	wr(s, LVT_TIMER, 0x31); /* one-shot */
	wr(s, TMR_INIT, 1000);
	op(s, FL_CLOCK, 5000, 4);
	rd(s, TMR_CUR);
	wr(s, TMR_INIT, 0);
}

static void ipis(struct seed *s)
{
	wr(s, SVR, 0x1ff);
	wr(s, ICR_HI, 1u << 24);
	wr(s, ICR, 0x4040);      /* fixed, vector 0x40, to APIC 1 */
	wr(s, ICR, 0xc4041);     /* all but self */
	wr(s, ICR, 0x44042);     /* self */
	wr(s, ICR, 0x4500);      /* INIT */
	wr(s, ICR, 0x4608);      /* SIPI, page 8 */
	wr(s, ICR, 0x400e);      /* an illegal vector: ESR */
	wr(s, ESR, 0);
	rd(s, ESR);
}

static void x2apic(struct seed *s)
{
	wrmsr(s, FL_MSR_APIC_BASE, 0xfee00000ull | 1u << 11 | 1u << 10);
	wrmsr(s, SVR, 0x1ff);
	wrmsr(s, ICR, 3ull << 32 | 0x4050);
	wrmsr(s, SELF_IPI, 0x51);
	op(s, FL_ACCEPT, 0, 0);
	seed_put(s, FL_RDMSR, 1);
	seed_put(s, ICR, 1);
	wrmsr(s, FL_MSR_APIC_BASE, 0xfee00000ull | 1u << 11); /* refused */
	wrmsr(s, FL_MSR_APIC_BASE, 0);
	wrmsr(s, FL_MSR_EFER, 0xd01);
	seed_put(s, FL_RDMSR, 1);
	seed_put(s, FL_MSR_EFER, 1);
	op(s, FL_INIT, 0, 0);
}

int main(int argc, char **argv)
{
	static const struct seed_kind kinds[] = {
		{ "priorities", priorities }, { "timer", timer }, { "ipis", ipis },
		{ "x2apic", x2apic },
	};

	return seed_main(argc, argv, kinds, sizeof(kinds) / sizeof(kinds[0]));
}
