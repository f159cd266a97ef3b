/* SPDX-License-Identifier: Apache-2.0 */
/* The SVM backend's emulated local APIC (src/arch/x86_64/svm_lapic.c),
 * compiled for the host and driven through its two doors (the xAPIC page
 * and the x2APIC MSRs) on a real struct svm_vcpu, against the "Local
 * APIC" section of docs/guest-abi-x86_64.md. The HAL clock is the test's
 * own variable, so timer expiry is exact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <axvm/types.h>

#include "svm.h"

#define XAPIC 0xfee00000ull
#define BASE_BSP (1ull << 8)
#define BASE_EXTD (1ull << 10)
#define BASE_EN (1ull << 11)

/* xAPIC page offsets; the x2APIC MSR is 0x800 + (offset >> 4). */
#define ID 0x020
#define VER 0x030
#define TPR 0x080
#define PPR 0x0a0
#define EOI 0x0b0
#define LDR 0x0d0
#define SVR 0x0f0
#define ISR(n) (0x100 + 0x10 * (n))
#define TMR(n) (0x180 + 0x10 * (n))
#define IRR(n) (0x200 + 0x10 * (n))
#define ESR 0x280
#define LVT_CMCI 0x2f0
#define ICR 0x300
#define ICR_HI 0x310
#define LVT_TIMER 0x320
#define LVT_ERROR 0x370
#define TMR_INIT 0x380
#define TMR_CUR 0x390
#define TMR_DIV 0x3e0
#define MSR(off) (0x800u + ((off) >> 4))
#define MSR_APIC_BASE 0x1bu

#define MASKED (1u << 16)
#define PERIODIC (1u << 17)
#define SH_SELF (1u << 18)
#define SH_ALL (2u << 18)
#define SH_OTHERS (3u << 18)
#define MODE_INIT (5u << 8)
#define MODE_SIPI (6u << 8)
#define ASSERT (1u << 14)
#define VERSION 0x00060014u
#define MIN_PERIOD 100000u /* ns: the model's floor for periodic timers */

/* --- the world svm_lapic.c sees --------------------------------------------- */

static uint64_t clock_ns;

static uint64_t fake_now(void *ctx)
{
	(void)ctx;
	return clock_ns;
}

static const struct axvm_hal hal = { .now_ns = fake_now };
static struct svm_vm vm;
static struct svm_vcpu *v;

/* What the one call svm_lapic.c makes outside itself and the headers'
 * inline helpers (a read's result into a register id) last stored. */
static uint32_t set_reg_id;
static uint64_t set_reg_val;
static unsigned set_reg_calls;

int svm_set_reg(struct svm_vcpu *vc, uint32_t reg, uint64_t value)
{
	assert_ptr_equal(vc, v);
	set_reg_id = reg;
	set_reg_val = value;
	set_reg_calls++;
	return 0;
}

/* A vCPU of its own heap block (ASan sees a write past it) with its own
 * VMCB page, for RAX. */
static int setup(void **state)
{
	(void)state;
	vm.base.hal = &hal;
	v = aligned_alloc(16, sizeof(*v));
	assert_non_null(v);
	memset(v, 0, sizeof(*v));
	v->vmcb = aligned_alloc(4096, 4096);
	assert_non_null(v->vmcb);
	memset(v->vmcb, 0, 4096);
	v->vm = &vm;
	clock_ns = 1000000;
	svm_lapic_reset(v);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(v->vmcb);
	free(v);
	v = NULL;
	return 0;
}

static const uint32_t eax_part = AXVM_X86_REG_PART(AXVM_X86_REG_RAX, 4, 0);

static uint32_t rd(uint64_t off)
{
	struct axvm_exit e = { .kind = AXVM_EXIT_HALT };
	unsigned calls = set_reg_calls;

	assert_int_equal(svm_lapic_mmio(v, off, false, 0, eax_part, &e), 0);
	assert_int_equal(e.kind, AXVM_EXIT_NOTHING);
	assert_int_equal(set_reg_calls, calls + 1);
	assert_int_equal(set_reg_id, eax_part);
	assert_true(set_reg_val <= UINT32_MAX);
	return (uint32_t)set_reg_val;
}

/* An xAPIC write; the exit it left. */
static struct axvm_exit wr(uint64_t off, uint64_t val)
{
	struct axvm_exit e = { .kind = AXVM_EXIT_HALT };

	assert_int_equal(svm_lapic_mmio(v, off, true, val, eax_part, &e), 0);
	return e;
}

static void wr_quiet(uint64_t off, uint64_t val)
{
	assert_int_equal(wr(off, val).kind, AXVM_EXIT_NOTHING);
}

/* WRMSR / RDMSR as the exit path hands them over: EDX:EAX, with junk in
 * RAX's upper half that the instruction does not use. */
static struct axvm_exit wrmsr(uint32_t msr, uint64_t val)
{
	struct axvm_exit e = { .kind = AXVM_EXIT_HALT };

	svm_set_gpr(v, AXVM_X86_REG_RAX, 0xbad0000000000000ull | (val & 0xffffffffu));
	svm_set_gpr(v, AXVM_X86_REG_RDX, val >> 32);
	assert_int_equal(svm_lapic_msr(v, msr, true, &e), 1);
	return e;
}

static uint64_t rdmsr(uint32_t msr)
{
	struct axvm_exit e = { .kind = AXVM_EXIT_HALT };
	uint64_t lo, hi;

	svm_set_gpr(v, AXVM_X86_REG_RAX, UINT64_MAX);
	svm_set_gpr(v, AXVM_X86_REG_RDX, UINT64_MAX);
	assert_int_equal(svm_lapic_msr(v, msr, false, &e), 1);
	assert_int_equal(e.kind, AXVM_EXIT_NOTHING);
	lo = svm_gpr(v, AXVM_X86_REG_RAX);
	hi = svm_gpr(v, AXVM_X86_REG_RDX);
	/* RDMSR zero-extends both halves. */
	assert_true(lo <= UINT32_MAX);
	assert_true(hi <= UINT32_MAX);
	return hi << 32 | lo;
}

static void enable(void)
{
	wr_quiet(SVR, 0x1ff);
}

static void to_x2apic(void)
{
	assert_int_equal(wrmsr(MSR_APIC_BASE, XAPIC | BASE_EN | BASE_EXTD).kind,
			 AXVM_EXIT_NOTHING);
}

static bool irr_bit(unsigned vec)
{
	return atomic_load(&v->apic.irr[vec / 32]) & (1u << (vec % 32));
}

/* --- reset and enable ----------------------------------------------------- */

static void test_svm_lapic_reset_state(void **state)
{
	static const unsigned lvts[] = { LVT_CMCI, 0x320, 0x330, 0x340, 0x350, 0x360, LVT_ERROR };
	(void)state;

	assert_int_equal(rdmsr(MSR_APIC_BASE), XAPIC | BASE_EN | BASE_BSP);
	assert_true(svm_lapic_is_mmio(v, XAPIC));
	assert_true(svm_lapic_is_mmio(v, XAPIC + 0xfff));
	assert_false(svm_lapic_is_mmio(v, XAPIC + 0x1000));
	assert_false(svm_lapic_is_mmio(v, XAPIC - 1));
	assert_false(svm_lapic_is_mmio(v, 0));
	assert_int_equal(rd(ID), 0);
	assert_int_equal(rd(VER), VERSION);
	assert_int_equal(rd(SVR), 0xff); /* software disabled */
	for (unsigned i = 0; i < sizeof(lvts) / sizeof(lvts[0]); i++)
		assert_int_equal(rd(lvts[i]), MASKED);
	assert_int_equal(rd(TPR), 0);
	assert_int_equal(rd(PPR), 0);
	assert_int_equal(rd(TMR_INIT), 0);
	assert_int_equal(rd(TMR_CUR), 0);
	assert_int_equal(svm_lapic_deadline(v), 0);
	assert_int_equal(svm_lapic_pending(v), -1);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(rd(ISR(i)), 0);
		assert_int_equal(rd(IRR(i)), 0);
	}

	/* An AP is not the BSP; its id is in bits 31:24. */
	v->id = 5;
	svm_lapic_reset(v);
	assert_int_equal(rdmsr(MSR_APIC_BASE), XAPIC | BASE_EN);
	assert_int_equal(rd(ID), 5u << 24);
}

/* Software-disabled, fixed interrupts are dropped and LVTs stay masked;
 * SVR bit 8 turns both on; clearing it masks every LVT again. */
static void test_svm_lapic_svr_enable(void **state)
{
	(void)state;
	assert_int_equal(svm_lapic_raise(v, 0x40), 0);
	assert_false(irr_bit(0x40));
	wr_quiet(LVT_TIMER, 0x41);
	assert_int_equal(rd(LVT_TIMER), MASKED | 0x41);

	enable();
	assert_int_equal(rd(SVR), 0x1ff);
	wr_quiet(LVT_TIMER, 0x41);
	assert_int_equal(rd(LVT_TIMER), 0x41);
	assert_int_equal(svm_lapic_raise(v, 0x40), 0);
	assert_true(irr_bit(0x40));
	assert_true(atomic_load(&v->irq_any));
	assert_int_equal(svm_lapic_pending(v), 0x40);

	wr_quiet(SVR, 0xffffffff & ~0x100u);
	assert_int_equal(rd(SVR), 0xff);
	assert_int_equal(rd(LVT_TIMER), MASKED | 0x41);
}

/* --- priority ----------------------------------------------------------------- */

static void test_svm_lapic_priority_tpr_eoi(void **state)
{
	(void)state;
	enable();
	assert_int_equal(svm_lapic_raise(v, 0x31), 0);
	assert_int_equal(svm_lapic_raise(v, 0x85), 0);
	assert_int_equal(svm_lapic_raise(v, 0x52), 0);
	assert_int_equal(rd(IRR(1)), 1u << 0x11);
	assert_int_equal(rd(IRR(2)), 1u << 0x12);
	assert_int_equal(rd(IRR(4)), 1u << 0x05);

	/* Highest first; while it is in service, lower classes wait. */
	assert_int_equal(svm_lapic_pending(v), 0x85);
	svm_lapic_accept(v, 0x85);
	assert_false(irr_bit(0x85));
	assert_int_equal(rd(ISR(4)), 1u << 0x05);
	assert_int_equal(rd(PPR), 0x80);
	assert_int_equal(svm_lapic_pending(v), -1);
	/* The same class is not above PPR either. */
	assert_int_equal(svm_lapic_raise(v, 0x8f), 0);
	assert_int_equal(svm_lapic_pending(v), -1);
	/* A higher class nests. */
	assert_int_equal(svm_lapic_raise(v, 0x90), 0);
	assert_int_equal(svm_lapic_pending(v), 0x90);
	svm_lapic_accept(v, 0x90);
	assert_int_equal(rd(PPR), 0x90);

	/* EOI ends the highest in service first. */
	wr_quiet(EOI, 0);
	assert_int_equal(rd(ISR(4)), 1u << 0x05);
	assert_int_equal(rd(PPR), 0x80);
	assert_int_equal(svm_lapic_pending(v), -1); /* 0x8f: same class as 0x85 */
	wr_quiet(EOI, 0);
	assert_int_equal(rd(ISR(4)), 0);
	assert_int_equal(svm_lapic_pending(v), 0x8f);
	svm_lapic_accept(v, 0x8f);
	wr_quiet(EOI, 0);
	assert_int_equal(rd(PPR), 0);

	/* TPR: a class at or below it waits; PPR follows TPR when higher. */
	wr_quiet(TPR, 0x65);
	assert_int_equal(rd(TPR), 0x65);
	assert_int_equal(rd(PPR), 0x65);
	assert_int_equal(svm_lapic_pending(v), -1); /* 0x52, 0x31 */
	wr_quiet(TPR, 0x50);
	assert_int_equal(svm_lapic_pending(v), -1); /* class 5 is not above 5 */
	atomic_store(&v->irq_any, false);
	wr_quiet(TPR, 0xffffff4f); /* 8 bits kept */
	assert_int_equal(rd(TPR), 0x4f);
	assert_true(atomic_load(&v->irq_any)); /* run() must look again */
	assert_int_equal(svm_lapic_pending(v), 0x52);
	svm_lapic_accept(v, 0x52);
	assert_int_equal(rd(PPR), 0x50); /* ISR class above TPR's */
	assert_int_equal(svm_lapic_pending(v), -1);
	wr_quiet(TPR, 0x5a); /* the same class: PPR is all of TPR */
	assert_int_equal(rd(PPR), 0x5a);
	wr_quiet(TPR, 0x4f);
	wr_quiet(EOI, 0);
	wr_quiet(TPR, 0);
	assert_int_equal(svm_lapic_pending(v), 0x31);
	/* An EOI with nothing in service changes nothing. */
	svm_lapic_accept(v, 0x31);
	wr_quiet(EOI, 0);
	wr_quiet(EOI, 0);
	assert_int_equal(svm_lapic_pending(v), -1);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(rd(ISR(i)) | rd(IRR(i)), 0);
}

static void test_svm_lapic_raise_refuses_reserved_vectors(void **state)
{
	(void)state;
	enable();
	for (uint32_t vec = 0; vec < 16; vec++)
		assert_int_equal(svm_lapic_raise(v, vec), AXVM_EINVAL);
	assert_int_equal(svm_lapic_raise(v, 256), AXVM_EINVAL);
	assert_int_equal(svm_lapic_raise(v, 0x10f), AXVM_EINVAL); /* not vector 0x0f */
	assert_int_equal(svm_lapic_raise(v, UINT32_MAX), AXVM_EINVAL);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(rd(IRR(i)), 0);
	assert_int_equal(svm_lapic_raise(v, 16), 0);
	assert_int_equal(svm_lapic_raise(v, 255), 0);
	assert_int_equal(rd(IRR(0)), 1u << 16);
	assert_int_equal(rd(IRR(7)), 1u << 31);
}

/* --- ICR ------------------------------------------------------------------------ */

static void assert_ipi(struct axvm_exit e, uint64_t target, bool to_all, uint32_t vec)
{
	assert_int_equal(e.kind, AXVM_EXIT_SEND_IPI);
	assert_int_equal(e.u.ipi.target, target);
	assert_int_equal(e.u.ipi.to_all, to_all);
	assert_false(e.u.ipi.to_self);
	assert_int_equal(e.u.ipi.vector, AXVM_X86_IRQ_LAPIC(vec));
}

static void test_svm_lapic_icr_fixed_ipis(void **state)
{
	(void)state;
	enable();
	v->id = 1;

	/* To vCPU 3 by physical id: the high half first, the low sends. */
	wr_quiet(ICR_HI, 0x03ffffff); /* only bits 31:24 are the destination */
	assert_int_equal(rd(ICR_HI), 0x03000000);
	assert_ipi(wr(ICR, ASSERT | 0x45), 3, false, 0x45);
	assert_int_equal(rd(ICR), ASSERT | 0x45);
	assert_false(irr_bit(0x45));
	/* Delivery status (bit 12) always reads idle. */
	assert_ipi(wr(ICR, (1u << 12) | 0x46), 3, false, 0x46);
	assert_int_equal(rd(ICR), 0x46);
	/* Lowest priority is sent as fixed. */
	assert_ipi(wr(ICR, (1u << 8) | 0x47), 3, false, 0x47);

	/* Self: no exit, the vector is pending here. */
	assert_int_equal(wr(ICR, SH_SELF | 0x50).kind, AXVM_EXIT_NOTHING);
	assert_true(irr_bit(0x50));
	/* All but self: everyone else, not here. */
	assert_ipi(wr(ICR, SH_OTHERS | 0x51), 3, true, 0x51);
	assert_false(irr_bit(0x51));
	/* All including self, and the broadcast id that means the same. */
	assert_ipi(wr(ICR, SH_ALL | 0x52), 3, true, 0x52);
	assert_true(irr_bit(0x52));
	wr_quiet(ICR_HI, 0xff000000);
	assert_ipi(wr(ICR, 0x53), 0xff, true, 0x53);
	assert_true(irr_bit(0x53));

	/* Logical destinations are not modelled: nothing sent. */
	wr_quiet(ICR_HI, 0x02000000);
	assert_int_equal(wr(ICR, (1u << 11) | 0x54).kind, AXVM_EXIT_NOTHING);
	assert_false(irr_bit(0x54));
	/* NMI, SMI and reserved modes: nothing. */
	for (uint32_t mode = 2; mode < 8; mode++)
		if (mode != 5 && mode != 6)
			assert_int_equal(wr(ICR, mode << 8 | 0x55).kind, AXVM_EXIT_NOTHING);
}

/* A fixed IPI of vector 0..15 goes nowhere and sets ESR's send-illegal
 * bit, visible after the next ESR write; the write after clears it. */
static void test_svm_lapic_esr_latches_on_write(void **state)
{
	(void)state;
	enable();
	wr_quiet(ICR_HI, 0x01000000);
	for (uint32_t vec = 0; vec < 16; vec++)
		assert_int_equal(wr(ICR, vec).kind, AXVM_EXIT_NOTHING);
	assert_int_equal(wr(ICR, SH_SELF | 3).kind, AXVM_EXIT_NOTHING);
	assert_int_equal(rd(IRR(0)), 0);
	assert_int_equal(rd(ESR), 0); /* not yet latched */
	wr_quiet(ESR, 0);
	assert_int_equal(rd(ESR), 1u << 5);
	assert_int_equal(rd(ESR), 1u << 5); /* reads do not clear */
	wr_quiet(ESR, 0xffffffff);
	assert_int_equal(rd(ESR), 0);

	/* An illegal vector the APIC raises itself is a receive error. */
	wr_quiet(TMR_DIV, 0xb);
	wr_quiet(LVT_TIMER, 0x0f); /* the top of the reserved range */
	wr_quiet(TMR_INIT, 10);
	svm_lapic_tick(v, clock_ns + 10);
	assert_int_equal(rd(IRR(0)), 0);
	wr_quiet(ESR, 0);
	assert_int_equal(rd(ESR), 1u << 6);
}

static void test_svm_lapic_init_sipi_cpu_up(void **state)
{
	struct axvm_exit e;
	(void)state;

	enable();
	wr_quiet(ICR_HI, 0x02000000);
	/* INIT (assert and de-assert) changes nothing here. */
	assert_int_equal(wr(ICR, MODE_INIT | ASSERT).kind, AXVM_EXIT_NOTHING);
	assert_int_equal(wr(ICR, MODE_INIT | (1u << 15)).kind, AXVM_EXIT_NOTHING);
	e = wr(ICR, MODE_SIPI | ASSERT | 0x9a);
	assert_int_equal(e.kind, AXVM_EXIT_CPU_UP);
	assert_int_equal(e.u.cpu_up.target, 2);
	assert_int_equal(e.u.cpu_up.entry, AXVM_X86_SIPI_ENTRY | (0x9aull << 12));
	assert_int_equal(e.u.cpu_up.ret_reg, AXVM_REG_NONE);
	/* SIPI's vector 0 is a real-mode entry at 0, still a SIPI. */
	e = wr(ICR, MODE_SIPI);
	assert_int_equal(e.kind, AXVM_EXIT_CPU_UP);
	assert_int_equal(e.u.cpu_up.entry, AXVM_X86_SIPI_ENTRY);
	/* By shorthand (or the broadcast id), INIT/SIPI are ignored. */
	assert_int_equal(wr(ICR, SH_OTHERS | MODE_SIPI | 0x9a).kind, AXVM_EXIT_NOTHING);
	assert_int_equal(wr(ICR, SH_ALL | MODE_INIT).kind, AXVM_EXIT_NOTHING);
	wr_quiet(ICR_HI, 0xff000000);
	assert_int_equal(wr(ICR, MODE_SIPI | 0x9a).kind, AXVM_EXIT_NOTHING);
	/* None of it made anything pending here or counted an error. */
	assert_int_equal(svm_lapic_pending(v), -1);
	wr_quiet(ESR, 0);
	assert_int_equal(rd(ESR), 0);
}

/* --- read-only registers ---------------------------------------------------------- */

static void test_svm_lapic_read_only_registers(void **state)
{
	uint32_t before[8][2];
	(void)state;

	v->id = 9;
	svm_lapic_reset(v);
	enable();
	assert_int_equal(svm_lapic_raise(v, 0x77), 0);
	assert_int_equal(svm_lapic_raise(v, 0xe1), 0);
	svm_lapic_accept(v, (unsigned)svm_lapic_pending(v));
	wr_quiet(TMR_DIV, 0xb);
	wr_quiet(TMR_INIT, 5000);
	clock_ns += 1000;
	for (unsigned i = 0; i < 8; i++) {
		before[i][0] = rd(ISR(i));
		before[i][1] = rd(IRR(i));
	}
	assert_int_equal(rd(PPR), 0xe0);
	assert_int_equal(rd(TMR_CUR), 4000);

	static const uint32_t vals[] = { 0, 0xffffffff, 0x80000000, 0x12345678 };
	for (unsigned k = 0; k < 4; k++) {
		wr_quiet(ID, vals[k]);
		wr_quiet(VER, vals[k]);
		wr_quiet(PPR, vals[k]);
		wr_quiet(TMR_CUR, vals[k]);
		for (unsigned i = 0; i < 8; i++) {
			wr_quiet(ISR(i), vals[k]);
			wr_quiet(IRR(i), vals[k]);
			wr_quiet(TMR(i), vals[k]);
		}
		assert_int_equal(rd(ID), 9u << 24);
		assert_int_equal(rd(VER), VERSION);
		assert_int_equal(rd(PPR), 0xe0);
		assert_int_equal(rd(TMR_CUR), 4000);
		for (unsigned i = 0; i < 8; i++) {
			assert_int_equal(rd(ISR(i)), before[i][0]);
			assert_int_equal(rd(IRR(i)), before[i][1]);
			assert_int_equal(rd(TMR(i)), 0);
		}
	}
}

/* Defined bits only, e.g. the timer LVT keeps vector, mask and periodic (the
 * delivery-status bit 12 is the APIC's, read-only; TSC-deadline is not
 * offered); the others their vector, mode and mask. */
static void test_svm_lapic_defined_bits_only(void **state)
{
	(void)state;
	enable();
	wr_quiet(LVT_TIMER, 0xffffffff);
	assert_int_equal(rd(LVT_TIMER), MASKED | PERIODIC | 0xff);
	wr_quiet(LVT_CMCI, 0xffffffff);
	assert_int_equal(rd(LVT_CMCI), MASKED | 0x7ff);
	wr_quiet(0x350, 0xffffffff); /* LINT0: + polarity, trigger */
	assert_int_equal(rd(0x350), MASKED | 0xa7ff);
	wr_quiet(LVT_ERROR, 0xffffffff);
	assert_int_equal(rd(LVT_ERROR), MASKED | 0xff);
	wr_quiet(TMR_DIV, 0xffffffff);
	assert_int_equal(rd(TMR_DIV), 0xb);
	/* xAPIC LDR: the logical id in 31:24; DFR: the model in 31:28. */
	assert_int_equal(rd(LDR), 0);
	assert_int_equal(rd(0x0e0), 0xffffffff);
	wr_quiet(LDR, 0xffffffff);
	assert_int_equal(rd(LDR), 0xff000000);
	wr_quiet(0x0e0, 0);
	assert_int_equal(rd(0x0e0), 0x0fffffff);
}

/* --- timer ----------------------------------------------------------------------- */

static void test_svm_lapic_timer_one_shot(void **state)
{
	(void)state;
	enable();
	clock_ns = 5000;
	wr_quiet(TMR_DIV, 0xb); /* divide by 1 */
	wr_quiet(LVT_TIMER, 0x40);
	wr_quiet(TMR_INIT, 1000);
	assert_int_equal(rd(TMR_INIT), 1000);
	assert_int_equal(svm_lapic_deadline(v), 6000);
	clock_ns = 5400;
	assert_int_equal(rd(TMR_CUR), 600);
	svm_lapic_tick(v, 5999);
	assert_false(irr_bit(0x40));
	svm_lapic_tick(v, 6000);
	assert_true(irr_bit(0x40));
	assert_int_equal(svm_lapic_deadline(v), 0);
	clock_ns = 6000;
	assert_int_equal(rd(TMR_CUR), 0);
	/* Once: it does not fire again. */
	svm_lapic_accept(v, 0x40);
	wr_quiet(EOI, 0);
	svm_lapic_tick(v, 1000000000);
	assert_false(irr_bit(0x40));
	/* An expiry tick() has not seen yet reads 0. */
	wr_quiet(TMR_INIT, 10);
	clock_ns = 7000;
	assert_int_equal(rd(TMR_CUR), 0);
}

/* Every divide configuration, against the 1 GHz input clock. */
static void test_svm_lapic_timer_divide(void **state)
{
	static const struct {
		uint32_t cfg, div;
	} d[] = { { 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		  { 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 } };
	(void)state;

	enable();
	wr_quiet(LVT_TIMER, 0x41);
	for (unsigned i = 0; i < 8; i++) {
		clock_ns = 1000000;
		wr_quiet(TMR_DIV, d[i].cfg | 0x4); /* bit 2 is not part of it */
		assert_int_equal(rd(TMR_DIV), d[i].cfg);
		wr_quiet(TMR_INIT, 300);
		assert_int_equal(svm_lapic_deadline(v), 1000000 + 300ull * d[i].div);
		clock_ns += 100ull * d[i].div;
		assert_int_equal(rd(TMR_CUR), 200);
		svm_lapic_tick(v, 1000000 + 300ull * d[i].div - 1);
		assert_false(irr_bit(0x41));
		svm_lapic_tick(v, 1000000 + 300ull * d[i].div);
		assert_true(irr_bit(0x41));
		svm_lapic_accept(v, 0x41);
		wr_quiet(EOI, 0);
	}
	/* The largest count at the largest divisor does not overflow. */
	clock_ns = 0;
	wr_quiet(TMR_DIV, 0xa);
	wr_quiet(TMR_INIT, 0xffffffff);
	assert_int_equal(svm_lapic_deadline(v), 0xffffffffull * 128);
	assert_int_equal(rd(TMR_CUR), 0xffffffff);
}

static void test_svm_lapic_timer_masked(void **state)
{
	(void)state;
	enable();
	clock_ns = 0;
	wr_quiet(TMR_DIV, 0xb);
	wr_quiet(LVT_TIMER, MASKED | 0x42);
	wr_quiet(TMR_INIT, 500);
	/* Counting, but nothing to wake a halted vCPU for. */
	assert_int_equal(svm_lapic_deadline(v), 0);
	clock_ns = 100;
	assert_int_equal(rd(TMR_CUR), 400);
	svm_lapic_tick(v, 500);
	assert_false(irr_bit(0x42));
	assert_int_equal(svm_lapic_pending(v), -1);
}

static void test_svm_lapic_timer_periodic(void **state)
{
	const uint64_t p = 2 * MIN_PERIOD;
	(void)state;

	enable();
	clock_ns = 0;
	wr_quiet(TMR_DIV, 0x0); /* by 2 */
	wr_quiet(LVT_TIMER, PERIODIC | 0x43);
	wr_quiet(TMR_INIT, (uint32_t)(p / 2));
	assert_int_equal(svm_lapic_deadline(v), p);
	for (uint64_t k = 1; k <= 3; k++) {
		svm_lapic_tick(v, k * p - 1);
		assert_false(irr_bit(0x43));
		svm_lapic_tick(v, k * p);
		assert_true(irr_bit(0x43));
		/* Reloaded: the next period from the last deadline. */
		assert_int_equal(svm_lapic_deadline(v), (k + 1) * p);
		clock_ns = k * p + p / 4;
		assert_int_equal(rd(TMR_CUR), (p - p / 4) / 2);
		svm_lapic_accept(v, 0x43);
		wr_quiet(EOI, 0);
	}
	/* Missed periods coalesce into one interrupt; the phase is kept. */
	svm_lapic_tick(v, 7 * p + 5);
	assert_true(irr_bit(0x43));
	assert_int_equal(svm_lapic_deadline(v), 8 * p);
	/* A count read after an unseen expiry has reloaded. */
	clock_ns = 8 * p + 10;
	assert_int_equal(rd(TMR_CUR), (p - 10) / 2);

	/* Count 0 stops it. */
	wr_quiet(TMR_INIT, 0);
	assert_int_equal(svm_lapic_deadline(v), 0);
	assert_int_equal(rd(TMR_CUR), 0);
	svm_lapic_accept(v, 0x43);
	wr_quiet(EOI, 0);
	svm_lapic_tick(v, 100 * p);
	assert_false(irr_bit(0x43));

	/* A period below the floor re-arms at the floor. */
	clock_ns = 0;
	wr_quiet(TMR_DIV, 0xb);
	wr_quiet(TMR_INIT, 10);
	assert_int_equal(svm_lapic_deadline(v), 10);
	svm_lapic_tick(v, 10);
	assert_true(irr_bit(0x43));
	assert_int_equal(svm_lapic_deadline(v), 10 + MIN_PERIOD);
}

/* --- x2APIC --------------------------------------------------------------------- */

static void test_svm_lapic_x2apic_msrs(void **state)
{
	struct axvm_exit e;
	(void)state;

	v->id = 1;
	svm_lapic_reset(v);
	enable();
	wr_quiet(TPR, 0x20);
	/* Out of x2APIC mode the MSRs read 0 and ignore writes. */
	assert_int_equal(rdmsr(MSR(TPR)), 0);
	assert_int_equal(wrmsr(MSR(TPR), 0x30).kind, AXVM_EXIT_NOTHING);
	assert_int_equal(rd(TPR), 0x20);
	/* Not the APIC's MSRs at all. */
	assert_int_equal(svm_lapic_msr(v, 0x7ff, false, &e), 0);
	assert_int_equal(svm_lapic_msr(v, 0x900, true, &e), 0);
	/* EXTD without EN is not taken. */
	assert_int_equal(wrmsr(MSR_APIC_BASE, XAPIC | BASE_EXTD).kind, AXVM_EXIT_NOTHING);
	assert_int_equal(rdmsr(MSR_APIC_BASE), XAPIC);
	assert_false(svm_lapic_is_mmio(v, XAPIC)); /* globally disabled */

	to_x2apic();
	/* The base stays put whatever the guest writes there. */
	assert_int_equal(rdmsr(MSR_APIC_BASE), XAPIC | BASE_EN | BASE_EXTD);
	assert_false(svm_lapic_is_mmio(v, XAPIC));
	/* The same register file behind the other door. */
	assert_int_equal(rdmsr(MSR(TPR)), 0x20);
	assert_int_equal(rdmsr(MSR(SVR)), 0x1ff);
	assert_int_equal(rdmsr(MSR(ID)), 1); /* x2APIC: the id unshifted */
	assert_int_equal(rdmsr(MSR(VER)), VERSION);
	assert_int_equal(rdmsr(MSR(LDR)), 1u << 1);
	assert_int_equal(wrmsr(MSR(TPR), 0xffffffff00000031ull).kind, AXVM_EXIT_NOTHING);
	assert_int_equal(v->apic.tpr, 0x31);
	assert_int_equal(rdmsr(MSR(PPR)), 0x31);

	/* ICR: one 64-bit MSR, the destination in EDX. */
	assert_ipi(wrmsr(MSR(ICR), 0x0000000200000047ull), 2, false, 0x47);
	assert_int_equal(rdmsr(MSR(ICR)), 0x0000000200000047ull);
	assert_ipi(wrmsr(MSR(ICR), 0x0000012300000048ull), 0x123, false, 0x48);
	/* The xAPIC high half does not exist here. */
	assert_int_equal(rdmsr(MSR(ICR_HI)), 0);
	/* LDR is derived from the id; DFR does not exist. */
	assert_int_equal(wrmsr(MSR(LDR), 0xffffffff).kind, AXVM_EXIT_NOTHING);
	assert_int_equal(rdmsr(MSR(LDR)), 1u << 1);
	assert_int_equal(rdmsr(MSR(0x0e0)), 0);
	/* The x2APIC broadcast id is everyone. */
	assert_ipi(wrmsr(MSR(ICR), 0xffffffff00000049ull), 0xffffffffu, true, 0x49);
	assert_true(irr_bit(0x49));
	e = wrmsr(MSR(ICR), 0x00000000000046a0ull);
	assert_int_equal(e.kind, AXVM_EXIT_CPU_UP);
	assert_int_equal(e.u.cpu_up.target, 0);
	assert_int_equal(e.u.cpu_up.entry, AXVM_X86_SIPI_ENTRY | (0xa0ull << 12));

	/* SELF IPI (0x83f). */
	assert_int_equal(wrmsr(0x83f, 0xffffff60).kind, AXVM_EXIT_NOTHING);
	assert_true(irr_bit(0x60));
	assert_int_equal(wrmsr(0x83f, 0x05).kind, AXVM_EXIT_NOTHING);
	assert_false(irr_bit(0x05));
	assert_int_equal(svm_lapic_pending(v), 0x60);
	svm_lapic_accept(v, 0x60);
	assert_int_equal(rdmsr(MSR(ISR(3))), 1u << 0);
	assert_int_equal(wrmsr(MSR(EOI), 0).kind, AXVM_EXIT_NOTHING);
	assert_int_equal(rdmsr(MSR(ISR(3))), 0);

	/* The timer through MSRs. */
	clock_ns = 0;
	assert_int_equal(wrmsr(MSR(TMR_DIV), 0xb).kind, AXVM_EXIT_NOTHING);
	assert_int_equal(wrmsr(MSR(LVT_TIMER), 0x44).kind, AXVM_EXIT_NOTHING);
	assert_int_equal(wrmsr(MSR(TMR_INIT), 100).kind, AXVM_EXIT_NOTHING);
	clock_ns = 30;
	assert_int_equal(rdmsr(MSR(TMR_CUR)), 70);
	svm_lapic_tick(v, 100);
	assert_true(irr_bit(0x44));

	/* Straight back to xAPIC is an invalid transition: ignored. */
	assert_int_equal(wrmsr(MSR_APIC_BASE, XAPIC | BASE_EN).kind, AXVM_EXIT_NOTHING);
	assert_int_equal(rdmsr(MSR_APIC_BASE), XAPIC | BASE_EN | BASE_EXTD);
	assert_false(svm_lapic_is_mmio(v, XAPIC));
	/* Globally disabled, it takes no interrupt. */
	assert_int_equal(wrmsr(MSR_APIC_BASE, XAPIC).kind, AXVM_EXIT_NOTHING);
	assert_int_equal(svm_lapic_raise(v, 0x70), 0);
	assert_false(irr_bit(0x70));
	/* Through disabled to xAPIC: the page again, same registers. */
	assert_int_equal(wrmsr(MSR_APIC_BASE, XAPIC | BASE_EN).kind, AXVM_EXIT_NOTHING);
	assert_true(svm_lapic_is_mmio(v, XAPIC));
	assert_int_equal(rd(TPR), 0x31);
	assert_int_equal(rd(ID), 1u << 24);
	assert_int_equal(rdmsr(MSR(TPR)), 0);
}

/* EFER goes through the same MSR hook: the guest's bits only, SVME kept
 * for VMRUN and never shown, LMA the CPU's, LME frozen under paging. */
static void test_svm_lapic_efer(void **state)
{
	const uint64_t svme = 1ull << 12, lme = 1ull << 8, lma = 1ull << 10;
	(void)state;

	vmcb_set64(v, VMCB_EFER, svme);
	assert_int_equal(rdmsr(0xc0000080u), 0);
	assert_int_equal(wrmsr(0xc0000080u, UINT64_MAX).kind, AXVM_EXIT_NOTHING);
	assert_int_equal(vmcb_get64(v, VMCB_EFER), svme | 0x901); /* SCE, LME, NXE */
	assert_int_equal(rdmsr(0xc0000080u), 0x901);
	assert_int_equal(wrmsr(0xc0000080u, 0).kind, AXVM_EXIT_NOTHING);
	assert_int_equal(vmcb_get64(v, VMCB_EFER), svme);

	/* Paging on, long mode active: LME and LMA stay whatever is written. */
	vmcb_set64(v, VMCB_CR0, 1ull << 31);
	vmcb_set64(v, VMCB_EFER, svme | lme | lma);
	assert_int_equal(wrmsr(0xc0000080u, 1).kind, AXVM_EXIT_NOTHING);
	assert_int_equal(vmcb_get64(v, VMCB_EFER), svme | lme | lma | 1);
	assert_int_equal(rdmsr(0xc0000080u), lme | lma | 1);
}

/* --- hostile sweep --------------------------------------------------------------- */

static uint64_t rng;

static uint64_t next(void)
{
	/* xorshift64*: reproducible from the seed printed on failure. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static uint64_t hostile_value(void)
{
	static const uint64_t extremes[] = {
		0, 1, 0xf, 0x10, 0xff, 0x100, 0x1ff, 0x7fffffff, 0x80000000, 0xffffffff,
		0x100000000ull, 0xffffffff00000000ull, UINT64_MAX, 0x8000000000000000ull,
		0xc4600, 0xc4500, 0x000ff, 0x400ff, 0xfee00c00ull, 0xff000000,
	};
	uint64_t r = next();

	switch (r & 3) {
	case 0:
		return extremes[(r >> 2) % (sizeof(extremes) / sizeof(extremes[0]))];
	case 1:
		return next() & 0xffffffffu;
	default:
		return next();
	}
}

/* Every byte of the vCPU outside its APIC, the two GPRs RDMSR writes
 * (RDX here, RAX in the VMCB) and irq_any must be as before. */
static unsigned char shadow[sizeof(struct svm_vcpu)];

static void snapshot(void)
{
	memcpy(shadow, v, sizeof(*v));
}

static void assert_only_apic_changed(void)
{
	size_t apic = offsetof(struct svm_vcpu, apic), any = offsetof(struct svm_vcpu, irq_any);
	size_t rdx = offsetof(struct svm_vcpu, g) + AXVM_X86_REG_RDX * sizeof(uint64_t);

	assert_memory_equal(v, shadow, rdx);
	assert_memory_equal((unsigned char *)v + rdx + 8, shadow + rdx + 8, any - rdx - 8);
	assert_memory_equal((unsigned char *)v + any + sizeof(v->irq_any),
			    shadow + any + sizeof(v->irq_any), apic - any - sizeof(v->irq_any));
	assert_memory_equal((unsigned char *)v + apic + sizeof(v->apic),
			    shadow + apic + sizeof(v->apic), sizeof(*v) - apic - sizeof(v->apic));
}

static void assert_invariants(uint32_t id)
{
	const struct svm_lapic *a = &v->apic;
	int p = svm_lapic_pending(v);

	assert_int_equal(atomic_load(&a->irr[0]) & 0xffffu, 0);
	assert_int_equal(a->isr[0] & 0xffffu, 0);
	assert_true(p == -1 || (p >= 16 && p <= 255));
	assert_int_equal(a->base & ~(BASE_EN | BASE_EXTD | BASE_BSP), XAPIC);
	assert_int_equal(a->tpr & ~0xffu, 0);
	assert_int_equal(a->svr & ~0x1ffu, 0);
	if (a->base & BASE_EXTD) {
		assert_true(a->base & BASE_EN);
		assert_int_equal(rdmsr(MSR(ID)), id);
		assert_int_equal(rdmsr(MSR(VER)), VERSION);
	} else {
		assert_int_equal(rd(ID), id << 24);
		assert_int_equal(rd(VER), VERSION);
	}
	if (!(a->svr & 0x100))
		for (unsigned i = 0; i < 7; i++)
			assert_true(a->lvt[i] & MASKED);
}

static void assert_exit_sane(struct axvm_exit e)
{
	switch (e.kind) {
	case AXVM_EXIT_NOTHING:
		break;
	case AXVM_EXIT_SEND_IPI:
		assert_true(e.u.ipi.vector >= AXVM_X86_IRQ_LAPIC(16) &&
			    e.u.ipi.vector <= AXVM_X86_IRQ_LAPIC(255));
		break;
	case AXVM_EXIT_CPU_UP:
		assert_int_equal(e.u.cpu_up.entry & ~(AXVM_X86_SIPI_ENTRY | 0xff000ull), 0);
		assert_true(e.u.cpu_up.entry & AXVM_X86_SIPI_ENTRY);
		assert_int_equal(e.u.cpu_up.ret_reg, AXVM_REG_NONE);
		break;
	default:
		fail_msg("exit kind %d", (int)e.kind);
	}
}

static void sweep(uint64_t seed, unsigned rounds)
{
	const uint32_t id = 3;

	rng = seed;
	print_message("seed %#llx\n", (unsigned long long)seed);
	v->id = id;
	svm_lapic_reset(v);
	for (unsigned n = 0; n < rounds; n++) {
		uint64_t r = next();
		struct axvm_exit e = { .kind = AXVM_EXIT_HALT };

		snapshot();
		clock_ns += r >> 40; /* forward by up to ~16 ms */
		switch ((r >> 8) % 10) {
		case 0: /* any offset of the page, aligned or not */
			assert_int_equal(svm_lapic_mmio(v, next() % 0x1100, (r >> 16) & 1,
							hostile_value(), eax_part, &e), 0);
			break;
		case 1:
		case 2: /* every register, written */
			e = wr((r >> 16) % 0x100 * 0x10, hostile_value());
			break;
		case 3: /* every register, read (the page or the MSR, per mode) */
			if (v->apic.base & BASE_EXTD)
				rdmsr(0x800 + (uint32_t)((r >> 16) & 0xff));
			else
				(void)rd((r >> 16) % 0x100 * 0x10);
			e.kind = AXVM_EXIT_NOTHING;
			break;
		case 4:
		case 5: /* every x2APIC MSR, in either mode */
			e = wrmsr(0x800 + (uint32_t)((r >> 16) & 0xff), hostile_value());
			break;
		case 6: /* the mode, often towards x2APIC */
			e = wrmsr(MSR_APIC_BASE,
				  (r >> 16) & 1 ? XAPIC | BASE_EN | BASE_EXTD : hostile_value());
			break;
		case 7: /* interrupts from outside */
			(void)svm_lapic_raise(v, (uint32_t)hostile_value());
			(void)svm_lapic_raise(v, (uint32_t)(next() & 0xff));
			e.kind = AXVM_EXIT_NOTHING;
			break;
		case 8: { /* the CPU taking what the APIC offers */
			int p = svm_lapic_pending(v);
			if (p >= 0)
				svm_lapic_accept(v, (unsigned)p);
			svm_lapic_tick(v, clock_ns);
			e.kind = AXVM_EXIT_NOTHING;
			break;
		}
		default: /* the timer, sometimes far ahead */
			svm_lapic_tick(v, (r >> 16) & 1 ? clock_ns : clock_ns + (next() >> 24));
			(void)svm_lapic_deadline(v);
			e.kind = AXVM_EXIT_NOTHING;
			break;
		}
		assert_exit_sane(e);
		assert_only_apic_changed();
		assert_invariants(id);
	}
}

static void test_svm_lapic_hostile_sweep(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 8; seed++)
		sweep(seed * 0x9e3779b97f4a7c15ull, 5000);
}

/* Every register offset and every MSR, each with every extreme value, in
 * both modes: deterministic coverage the random sweep may miss. */
static void test_svm_lapic_every_register_extremes(void **state)
{
	static const uint64_t vals[] = { 0, UINT64_MAX, 0xffffffff, 0x80000000, 0xff, 0x0f };
	(void)state;

	v->id = 2;
	for (unsigned mode = 0; mode < 2; mode++) {
		for (unsigned off = 0; off < 0x1000; off += 0x10) {
			for (unsigned k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
				struct axvm_exit e;
				svm_lapic_reset(v);
				enable();
				if (mode)
					to_x2apic();
				snapshot();
				e = mode ? wrmsr(MSR(off), vals[k]) : wr(off, vals[k]);
				assert_exit_sane(e);
				assert_only_apic_changed();
				assert_invariants(2);
				/* A read of it too. */
				if (mode)
					(void)rdmsr(MSR(off));
				else
					(void)rd(off);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_svm_lapic_reset_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svm_lapic_svr_enable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svm_lapic_priority_tpr_eoi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svm_lapic_raise_refuses_reserved_vectors,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_svm_lapic_icr_fixed_ipis, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svm_lapic_esr_latches_on_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svm_lapic_init_sipi_cpu_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svm_lapic_read_only_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svm_lapic_defined_bits_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svm_lapic_timer_one_shot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svm_lapic_timer_divide, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svm_lapic_timer_masked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svm_lapic_timer_periodic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svm_lapic_x2apic_msrs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svm_lapic_efer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svm_lapic_hostile_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svm_lapic_every_register_extremes, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
