/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_svm_lapic: the SVM backend's emulated local APIC (svm_lapic.c),
 * compiled for the host as test_svm_lapic does, driven through both of
 * its doors (the xAPIC page and the x2APIC MSRs, EFER and APIC_BASE
 * beside them) with the vCPU's own calls between: raises from other
 * vCPUs, the timer at a clock the input moves, interrupts taken, INIT.
 *
 * What is checked, besides ASan and UBSan (the vCPU and its VMCB are heap
 * blocks of their exact size):
 * - the vector the APIC offers is the highest pending one whose priority
 *   class is above the processor priority (TPR against the highest
 *   in-service vector), computed here from the registers; vectors 0-15
 *   never pending;
 * - after the timer is looked at, its deadline is gone or in the future;
 * - a guest access leaves no exit but NOTHING, an IPI of a vector of 16 or
 *   more, or a CPU_UP with no result register; a read writes only the
 *   register it was given; RDMSR's halves are zero-extended;
 * - the base stays at 0xfee00000, and EFER keeps SVME for VMRUN.
 *
 * Input: fuzz_svm_lapic.h; seeds from gen_lapic_seeds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <axvm/types.h>

#include "fuzz_input.h"
#include "fuzz_svm_lapic.h"
#include "svm.h"


#define MSR_APIC_BASE 0x1bu
#define MSR_EFER 0xc0000080u
#define EFER_SVME (1ull << 12)

static uint64_t clock_ns;
static struct svm_vm vm;
static struct svm_vcpu *v;
static uint32_t want_reg; /* what svm_set_reg may be asked to write */
static struct fuzz_input in;

static uint64_t fake_now(void *ctx)
{
	(void)ctx;
	return clock_ns;
}

static const struct axvm_hal hal = { .now_ns = fake_now };

/* The one call svm_lapic.c makes outside itself: a read's result. */
int svm_set_reg(struct svm_vcpu *vc, uint32_t reg, uint64_t value)
{
	CHECK(vc == v && reg == want_reg);
	CHECK((reg & 0xf0u) != 0x40u || value <= UINT32_MAX); /* a 4-byte part */
	return 0;
}

static int highest(const uint32_t *map)
{
	for (int b = 255; b >= 0; b--)
		if (map[b / 32] >> (b % 32) & 1u)
			return b;
	return -1;
}

/* The SDM's rule, from the registers. */
static void check_pending(void)
{
	uint32_t irr[8];
	int hi_irr, hi_isr;
	uint32_t ppr_class, tpr_class = v->apic.tpr & 0xf0u;

	for (unsigned i = 0; i < 8; i++)
		irr[i] = atomic_load(&v->apic.irr[i]);
	CHECK(!(irr[0] & 0xffffu));
	hi_irr = highest(irr);
	hi_isr = highest(v->apic.isr);
	ppr_class = hi_isr >= 0 && ((uint32_t)hi_isr & 0xf0u) > tpr_class ?
			    (uint32_t)hi_isr & 0xf0u : tpr_class;
	if (hi_irr >= 0 && ((uint32_t)hi_irr & 0xf0u) > ppr_class)
		CHECK(svm_lapic_pending(v) == hi_irr);
	else
		CHECK(svm_lapic_pending(v) == -1);
}

static void check_exit(const struct axvm_exit *e)
{
	switch (e->kind) {
	case AXVM_EXIT_NOTHING:
		break;
	case AXVM_EXIT_SEND_IPI:
		CHECK((e->u.ipi.vector & ~0xffull) == AXVM_X86_IRQ_LAPIC(0));
		CHECK((e->u.ipi.vector & 0xffu) >= 16);
		break;
	case AXVM_EXIT_CPU_UP:
		CHECK(e->u.cpu_up.ret_reg == AXVM_REG_NONE);
		break;
	default:
		CHECK(0);
	}
}

/* sel:1, see fuzz_svm_lapic.h. */
static uint32_t msr_from(uint8_t sel)
{
	if (sel < FL_MSR_APIC_BASE)
		return 0x800u + sel;
	if (sel >= FL_MSR_ANY)
		return (uint32_t)fuzz_take(&in, 4);
	return (sel & 1) ? MSR_EFER : MSR_APIC_BASE;
}

/* One operation of fuzz_svm_lapic.h's language. */
static void one_op(void)
{
	uint8_t op = (uint8_t)fuzz_take(&in, 1);
	struct axvm_exit e = { .kind = AXVM_EXIT_HALT };
	uint64_t off, val;
	int vec;

	switch (op & 7u) {
	case FL_READ:
	case FL_WRITE:
		off = fuzz_take(&in, 2);
		off = (off & FL_OFF_RAW) ? off & 0x1fffu : (off & 0xffu) << 4;
		if (op & 1u) {
			val = fuzz_take(&in, 8);
			CHECK(svm_lapic_mmio(v, off, true, val, 0, &e) == 0);
		} else {
			uint8_t p = (uint8_t)fuzz_take(&in, 1);
			unsigned width = 1u << ((p >> 4) & 3u);
			want_reg = AXVM_X86_REG_PART(p & 15u, width, width == 1 && (p & 64u));
			CHECK(svm_lapic_mmio(v, off, false, 0, want_reg, &e) == 0);
		}
		check_exit(&e);
		break;
	case FL_RDMSR:
	case FL_WRMSR: {
		uint32_t msr = msr_from((uint8_t)fuzz_take(&in, 1));
		bool apic = msr == MSR_EFER || msr == MSR_APIC_BASE || (msr >= 0x800u && msr <= 0x8ffu);
		int rc;

		val = (op & 1u) ? fuzz_take(&in, 8) : 0;
		svm_set_gpr(v, AXVM_X86_REG_RAX, (op & 1u) ? (fuzz_take(&in, 4) << 32 | (val & 0xffffffffu)) :
							     UINT64_MAX);
		svm_set_gpr(v, AXVM_X86_REG_RDX, (op & 1u) ? val >> 32 : UINT64_MAX);
		want_reg = UINT32_MAX; /* RDMSR writes RAX and RDX itself */
		rc = svm_lapic_msr(v, msr, op & 1u, &e);
		CHECK(rc == (apic ? 1 : 0));
		if (rc) {
			check_exit(&e);
			if (!(op & 1u)) {
				CHECK(svm_gpr(v, AXVM_X86_REG_RAX) <= UINT32_MAX);
				CHECK(svm_gpr(v, AXVM_X86_REG_RDX) <= UINT32_MAX);
			}
		}
		break;
	}
	case FL_RAISE:
		vec = (int)fuzz_take(&in, 1);
		CHECK(svm_lapic_raise(v, (uint32_t)vec) == (vec < 16 ? AXVM_EINVAL : 0));
		break;
	case FL_CLOCK:
		clock_ns += fuzz_take(&in, 4);
		svm_lapic_tick(v, clock_ns);
		CHECK(v->apic.deadline == 0 || v->apic.deadline > clock_ns);
		CHECK(svm_lapic_deadline(v) == 0 || svm_lapic_deadline(v) == v->apic.deadline);
		break;
	case FL_ACCEPT:
		if ((vec = svm_lapic_pending(v)) >= 0) {
			svm_lapic_accept(v, (unsigned)vec);
			CHECK(v->apic.isr[vec / 32] >> (vec % 32) & 1u);
			CHECK(!(atomic_load(&v->apic.irr[vec / 32]) >> (vec % 32) & 1u));
		}
		break;
	default: /* FL_INIT */
		svm_lapic_reset(v);
		break;
	}
	check_pending();
	CHECK((v->apic.base & ~0xfffull) == AXVM_X86_LAPIC_BASE);
	CHECK(vmcb_get64(v, VMCB_EFER) & EFER_SVME);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vm.base.hal = &hal;
	v = malloc(sizeof(*v));
	CHECK(v);
	memset(v, 0, sizeof(*v));
	v->vmcb = aligned_alloc(4096, 4096);
	CHECK(v->vmcb);
	memset(v->vmcb, 0, 4096);
	vmcb_set64(v, VMCB_EFER, EFER_SVME);
	v->vm = &vm;
	v->id = size & 1; /* the BSP or not */
	clock_ns = 1000000;
	svm_lapic_reset(v);
	in = (struct fuzz_input){ data, size };
	while (in.n)
		one_op();
	free(v->vmcb);
	free(v);
	return 0;
}
