/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_a64_vgic: what an AArch64 guest programs in its virtual GICv3
 * (a64_vgic_dist.c, compiled for the host): distributor and redistributor
 * accesses of any offset and width, any address given to the window
 * check, SGIs by trapped ICC_SGI1R_EL1 writes with any syndrome and
 * value, and the port's injections between them. VMs of 1 to 64 vCPUs,
 * one of them perhaps not created yet or without a core vCPU.
 *
 * What is checked, besides ASan and UBSan (each vCPU and the slot array
 * are heap blocks of their exact size):
 * - every register against a model written from the GICv3 register map
 *   for what the backend implements (Group 1 only, ARE and DS set):
 *   reads give the model's value and never more bits than the access's
 *   width; writes change only what the model's register holds;
 * - pending bits: GICD_ISPENDR/ICPENDR reach the vCPU the SPI's IROUTER
 *   names (vCPU 0 if it names none), GICR_ISPENDR0/ICPENDR0 their own
 *   frame's vCPU, and nothing else moves them;
 * - an SGI reaches exactly the vCPUs its affinity names (or all but the
 *   sender with IRM), each kicked once; one the sender would receive
 *   itself, another register, or a port with its own hook changes nothing;
 * - the distributor lock is free after every call; addresses outside both
 *   windows are declined.
 *
 * Input: fuzz_a64_vgic.h; seeds from gen_vgic_seeds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <axvm/vcpu.h>

#include "a64.h"
#include "fuzz_a64_vgic.h"
#include "fuzz_input.h"

#define NR_SPIS AXVM_A64_NR_SPIS
#define NR_IRQS AXVM_A64_NR_IRQS
#define MAX_VCPUS 64u
#define SGI1R_WRITE ((3u << 20) | (5u << 17) | (12u << 10) | (11u << 1))

/* The GICv3 register state the guest can see, as the spec lays it out. */
struct model_cpu {
	uint32_t enable, cfg1, waker;
	uint8_t prio[32];
	uint64_t pending[2]; /* INTIDs 0-95 */
};

static struct {
	uint32_t ctlr;
	uint64_t spi_enable; /* bit n: SPI n (INTID 32 + n) */
	uint32_t spi_cfg[NR_SPIS / 16];
	uint8_t spi_prio[NR_SPIS];
	uint64_t route[NR_SPIS];
	struct model_cpu cpu[MAX_VCPUS];
} m;

static struct a64_vm vm;
static uint32_t count;
static uint8_t core_token[MAX_VCPUS]; /* what each vCPU's core pointer is */
static uint64_t kicked;               /* bit n: vCPU n's core was kicked */
static struct fuzz_input in;

/* A port's own injection: the fast SGI path must leave it to the exit. */
static int port_inject(void *ctx, uint32_t vm_id, uint32_t vcpu_id, uint32_t irq)
{
	(void)ctx, (void)vm_id, (void)vcpu_id, (void)irq;
	CHECK(0);
	return 0;
}

static const struct axvm_hal no_hook;
static const struct axvm_hal with_hook = { .inject_irq = port_inject };

/* The one call a64_vgic_dist.c makes outside itself. */
int axvm_vcpu_kick(struct axvm_vcpu *c)
{
	uintptr_t i = (uintptr_t)((uint8_t *)c - core_token);

	CHECK(i < count && vm.base.vcpus[i] &&
	      ((struct a64_vcpu *)vm.base.vcpus[i])->core == c);
	CHECK(!(kicked >> i & 1)); /* once per SGI */
	kicked |= 1ull << i;
	return 0;
}

static struct a64_vcpu *vcpu(uint32_t i)
{
	return i < count ? vm.base.vcpus[i] : NULL;
}

/* The vCPU whose exit an access arrives on: any that exists (the frame
 * an access reaches depends on its address alone). */
static struct a64_vcpu *any_vcpu(void)
{
	for (uint32_t i = 0; i < count; i++)
		if (vcpu(i))
			return vcpu(i);
	return NULL;
}

/* --- the model's registers --------------------------------------------------- */

static void set_pending(uint32_t i, uint32_t intid, bool set)
{
	uint64_t bit = 1ull << (intid % 64);

	if (!vcpu(i))
		return;
	if (set)
		m.cpu[i].pending[intid / 64] |= bit;
	else
		m.cpu[i].pending[intid / 64] &= ~bit;
}

/* The vCPU IROUTER names for SPI n: Aff0 below 16, Aff1 * 16 + Aff0 a
 * vCPU that exists, Aff2 and Aff3 zero; otherwise vCPU 0. */
static uint32_t route_target(uint32_t n)
{
	uint64_t r = m.route[n];
	uint32_t aff0 = r & 0xffu, aff1 = (r >> 8) & 0xffu;
	uint32_t idx = aff1 * 16u + aff0;

	if ((r >> 16 & 0xffu) || (r >> 32 & 0xffu) || aff0 >= 16 || idx >= count || !vcpu(idx))
		return 0;
	return idx;
}

/* Bytes [idx, idx + width) of a byte-array register file of `len` bytes;
 * those past its end read as zero and are ignored. */
static uint64_t bytes_read(const uint8_t *a, uint32_t len, uint64_t idx, unsigned width)
{
	uint64_t r = 0;

	for (unsigned i = 0; i < width; i++)
		if (idx + i < len)
			r |= (uint64_t)a[idx + i] << (8 * i);
	return r;
}

static void bytes_write(uint8_t *a, uint32_t len, uint64_t idx, unsigned width, uint64_t v)
{
	for (unsigned i = 0; i < width; i++)
		if (idx + i < len)
			a[idx + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t gicd_read(uint32_t off, unsigned width)
{
	if (off >= 0x400 && off < 0x800) /* IPRIORITYR: bytes, SGIs/PPIs RAZ */
		return off < 0x420 ? 0 : bytes_read(m.spi_prio, NR_SPIS, off - 0x420, width);
	if (off >= 0x6100 && off < 0x6100 + 8 * NR_SPIS) { /* IROUTER<32..> */
		uint64_t r = m.route[(off - 0x6100) / 8];
		if (width == 8)
			return r;
		return width == 4 ? (uint32_t)(off & 4 ? r >> 32 : r) : 0;
	}
	if (width != 4)
		return 0;
	switch (off) {
	case 0x0000: return (m.ctlr & 2u) | (1u << 4) | (1u << 6); /* ARE, DS */
	case 0x0004: return (9u << 19) | (NR_IRQS / 32 - 1);       /* IDbits, ITLines */
	case 0x0008: return 0x43bu;
	case 0xffe8: return 0x3bu;                                  /* GICv3 */
	}
	if (off >= 0x84 && off < 0x80 + NR_IRQS / 8) /* IGROUPR: all Group 1 */
		return 0xffffffffu;
	if ((off >= 0x104 && off < 0x100 + NR_IRQS / 8) || (off >= 0x184 && off < 0x180 + NR_IRQS / 8))
		return (uint32_t)(m.spi_enable >> (32 * ((off & 0x7f) / 4 - 1)));
	if (off >= 0xc08 && off < 0xc00 + NR_IRQS / 4)
		return m.spi_cfg[(off - 0xc08) / 4];
	return 0;
}

static void gicd_write(uint32_t off, unsigned width, uint64_t val)
{
	uint32_t v = (uint32_t)val;

	if (off >= 0x420 && off < 0x800) {
		bytes_write(m.spi_prio, NR_SPIS, off - 0x420, width, val);
		return;
	}
	if (off >= 0x6100 && off < 0x6100 + 8 * NR_SPIS) {
		uint64_t *r = &m.route[(off - 0x6100) / 8];
		if (width == 8)
			*r = val;
		else if (width == 4 && (off & 4))
			*r = (*r & 0xffffffffu) | (uint64_t)v << 32;
		else if (width == 4)
			*r = (*r & ~0xffffffffull) | v;
		return;
	}
	if (width != 4)
		return;
	if (off == 0)
		m.ctlr = v & 2u;
	else if (off >= 0x104 && off < 0x100 + NR_IRQS / 8)
		m.spi_enable |= (uint64_t)v << (32 * ((off - 0x104) / 4));
	else if (off >= 0x184 && off < 0x180 + NR_IRQS / 8)
		m.spi_enable &= ~((uint64_t)v << (32 * ((off - 0x184) / 4)));
	else if (off >= 0xc08 && off < 0xc00 + NR_IRQS / 4)
		m.spi_cfg[(off - 0xc08) / 4] = v;
	else if ((off >= 0x204 && off < 0x200 + NR_IRQS / 8) ||
		 (off >= 0x284 && off < 0x280 + NR_IRQS / 8)) { /* IS/ICPENDR<1..> */
		uint32_t spi0 = ((off & 0x7f) / 4 - 1) * 32;
		for (uint32_t b = 0; b < 32; b++)
			if (v >> b & 1)
				set_pending(route_target(spi0 + b), 32 + spi0 + b, off < 0x280);
	}
}

static uint64_t gicr_read(uint32_t i, uint32_t off, unsigned width)
{
	const struct model_cpu *c = &m.cpu[i];
	uint64_t mpidr = (uint64_t)(i / 16) << 8 | (i % 16);
	uint64_t typer = mpidr << 32 | (uint64_t)i << 8 | (i + 1 == count ? 1u << 4 : 0);

	if (!vcpu(i))
		return 0;
	if (off >= 0x10400 && off < 0x10420)
		return bytes_read(c->prio, 32, off - 0x10400, width);
	if (off == 0x8 && width == 8)
		return typer;
	if (width != 4)
		return 0;
	switch (off) {
	case 0x0004: return 0x43bu;
	case 0x0008: return (uint32_t)typer;
	case 0x000c: return typer >> 32;
	case 0x0014: return c->waker | c->waker << 1; /* ChildrenAsleep */
	case 0xffe8: return 0x3bu;
	case 0x10080: return 0xffffffffu;
	case 0x10100:
	case 0x10180: return c->enable;
	case 0x10c00: return 0xaaaaaaaau; /* SGIs: edge */
	case 0x10c04: return c->cfg1;
	default: return 0;
	}
}

static void gicr_write(uint32_t i, uint32_t off, unsigned width, uint64_t val)
{
	struct model_cpu *c = &m.cpu[i];
	uint32_t v = (uint32_t)val;

	if (!vcpu(i))
		return;
	if (off >= 0x10400 && off < 0x10420) {
		bytes_write(c->prio, 32, off - 0x10400, width, val);
		return;
	}
	if (width != 4)
		return;
	switch (off) {
	case 0x0014: c->waker = v & 2u; break;
	case 0x10100: c->enable |= v; break;
	case 0x10180: c->enable &= ~v; break;
	case 0x10c04: c->cfg1 = v; break;
	case 0x10200:
	case 0x10280:
		for (uint32_t b = 0; b < 32; b++)
			if (v >> b & 1)
				set_pending(i, b, off == 0x10200);
		break;
	}
}

/* The vCPUs ICC_SGI1R_EL1's TargetList form names: target n is
 * Aff3.Aff2.Aff1.(RS * 16 + n), and vCPU k's MPIDR is Aff1 = k / 16,
 * Aff0 = k % 16 with Aff2 = Aff3 = 0. */
static uint64_t sgi_targets(uint64_t val)
{
	uint32_t aff1 = val >> 16 & 0xffu, rs = val >> 44 & 0xfu;
	uint64_t t = 0;

	if ((val >> 32 & 0xffu) || (val >> 48 & 0xffu))
		return 0;
	for (uint32_t n = 0; n < 16; n++) {
		uint32_t aff0 = rs * 16 + n, k = aff1 * 16 + aff0;
		if ((val >> n & 1) && aff0 < 16 && k < count)
			t |= 1ull << k;
	}
	return t;
}

/* --- comparing the backend with the model ----------------------------------- */

static void check_state(void)
{
	CHECK(!atomic_flag_test_and_set(&vm.lock)); /* no call kept it */
	atomic_flag_clear(&vm.lock);
	CHECK((vm.dist.ctlr & 2u) == m.ctlr && !(vm.dist.ctlr & ~2u));
	CHECK(((uint64_t)vm.dist.enable[1] << 32 | vm.dist.enable[0]) == m.spi_enable);
	CHECK(!memcmp(vm.dist.cfg, m.spi_cfg, sizeof(m.spi_cfg)));
	CHECK(!memcmp(vm.dist.prio, m.spi_prio, sizeof(m.spi_prio)));
	CHECK(!memcmp(vm.dist.route, m.route, sizeof(m.route)));
	for (uint32_t i = 0; i < count; i++) {
		struct a64_vcpu *v = vcpu(i);
		const struct model_cpu *c = &m.cpu[i];
		if (!v)
			continue;
		CHECK(v->vgic.enable == c->enable && v->vgic.cfg1 == c->cfg1);
		CHECK(v->vgic.waker == c->waker);
		CHECK(!memcmp(v->vgic.prio, c->prio, sizeof(c->prio)));
		CHECK(atomic_load(&v->vgic.pending[0]) == c->pending[0]);
		CHECK(atomic_load(&v->vgic.pending[1]) == c->pending[1]);
		CHECK(v->regs.pc == 0x1000u * i); /* only an answered SGI moves it */
	}
}

static unsigned take_width(void)
{
	return 1u << (fuzz_take(&in, 1) & 3);
}

/* One guest access at `ipa`: the backend's answer against the model's. */
static void access(uint64_t ipa, unsigned width, bool write, uint64_t val)
{
	uint64_t d = AXVM_A64_GICD_BASE, r = AXVM_A64_GICR_BASE;
	uint64_t got = write ? val : 0xa5a5a5a5a5a5a5a5ull, want = got; /* left alone */
	bool gicd = ipa >= d && ipa - d < AXVM_A64_GICD_SIZE;
	bool gicr = ipa >= r && ipa - r < (uint64_t)count * AXVM_A64_GICR_STRIDE;
	uint32_t frame = gicr ? (uint32_t)((ipa - r) / AXVM_A64_GICR_STRIDE) : 0;
	uint32_t off = (uint32_t)(gicd ? ipa - d : (ipa - r) % AXVM_A64_GICR_STRIDE);

	if (!any_vcpu())
		return;
	CHECK(a64_vgic_mmio(any_vcpu(), ipa, write, width, &got) == (gicd || gicr));
	if (gicd && write)
		gicd_write(off, width, val);
	else if (gicd)
		want = gicd_read(off, width);
	else if (gicr && write)
		gicr_write(frame, off, width, val);
	else if (gicr)
		want = gicr_read(frame, off, width);
	CHECK(got == want);
	CHECK(write || width == 8 || !(gicd || gicr) || got >> (8 * width) == 0);
}

/* A trapped MSR ICC_SGI1R_EL1 from vCPU `from`, register `rt`. */
static void sgi(uint32_t from, uint64_t esr, uint32_t rt, uint64_t val)
{
	struct a64_vcpu *v = vcpu(from);
	uint32_t iss = (uint32_t)esr & 0x1ffffffu, intid;
	uint64_t targets;
	bool taken;

	if (!v)
		return;
	if (rt < 31)
		v->regs.x[rt] = val;
	else
		val = 0; /* XZR */
	kicked = 0;
	taken = a64_vgic_fast_sgi(v, esr);
	intid = val >> 24 & 0xfu;
	if ((iss & ~(0x1fu << 5)) != SGI1R_WRITE || vm.base.hal->inject_irq) {
		CHECK(!taken && !kicked);
		return;
	}
	targets = val >> 40 & 1 ? ((count == 64 ? ~0ull : (1ull << count) - 1) & ~(1ull << from))
				: sgi_targets(val);
	if (!(val >> 40 & 1) && targets >> from & 1) {
		CHECK(!taken && !kicked); /* its own: the full exit's job */
		return;
	}
	CHECK(taken);
	v->regs.pc -= 4;
	for (uint32_t i = 0; i < count; i++) {
		bool reach = targets >> i & 1 && vcpu(i) && vcpu(i)->core;
		CHECK((kicked >> i & 1) == reach);
		if (reach)
			set_pending(i, intid, true);
	}
}

static int setup(void)
{
	uint32_t flags, slot;

	memset(&m, 0, sizeof(m));
	memset(&vm, 0, sizeof(vm));
	count = 1 + (uint32_t)fuzz_take(&in, 1) % MAX_VCPUS;
	flags = (uint32_t)fuzz_take(&in, 1);
	slot = (uint32_t)fuzz_take(&in, 1) % count;
	vm.base.vcpu_count = count;
	vm.base.hal = flags & FV_HOOK ? &with_hook : &no_hook;
	atomic_flag_clear(&vm.lock);
	vm.base.vcpus = calloc(count, sizeof(void *));
	if (!vm.base.vcpus)
		return -1;
	for (uint32_t i = 0; i < count; i++) {
		struct a64_vcpu *v;
		if ((flags & FV_NO_VCPU) && i == slot)
			continue;
		v = calloc(1, sizeof(*v));
		if (!v)
			return -1;
		v->vm = &vm;
		v->id = i;
		v->mpidr = axvm_a64_vcpu_mpidr(i);
		v->core = (flags & FV_NO_CORE) && i == slot ? NULL
							    : (struct axvm_vcpu *)&core_token[i];
		v->regs.pc = 0x1000u * i;
		vm.base.vcpus[i] = v;
	}
	return 0;
}

static void teardown(void)
{
	for (uint32_t i = 0; vm.base.vcpus && i < count; i++)
		free(vm.base.vcpus[i]);
	free(vm.base.vcpus);
	vm.base.vcpus = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	in = (struct fuzz_input){ data, size };
	if (setup() == 0) {
		while (in.n) {
			uint8_t op = (uint8_t)fuzz_take(&in, 1);
			uint32_t a, off;
			unsigned w;
			uint64_t ipa, val;
			switch (op % 8) {
			case FV_GICD_READ:
			case FV_GICD_WRITE:
				off = (uint32_t)fuzz_take(&in, 2);
				w = take_width();
				val = op % 8 == FV_GICD_WRITE ? fuzz_take(&in, 8) : 0;
				access(AXVM_A64_GICD_BASE + off, w, op % 8 == FV_GICD_WRITE, val);
				break;
			case FV_GICR_READ:
			case FV_GICR_WRITE:
				a = (uint32_t)fuzz_take(&in, 1);
				off = (uint32_t)fuzz_take(&in, 3) % AXVM_A64_GICR_STRIDE;
				w = take_width();
				val = op % 8 == FV_GICR_WRITE ? fuzz_take(&in, 8) : 0;
				access(AXVM_A64_GICR_BASE + (uint64_t)a * AXVM_A64_GICR_STRIDE + off, w,
				       op % 8 == FV_GICR_WRITE, val);
				break;
			case FV_ANY:
				ipa = fuzz_take(&in, 8);
				a = (uint32_t)fuzz_take(&in, 1);
				val = fuzz_take(&in, 8);
				access(ipa, 1u << (a & 3), a & 0x80u, val);
				break;
			case FV_SGI: {
				uint32_t from = (uint32_t)fuzz_take(&in, 1) % count;
				uint32_t rt = (uint32_t)fuzz_take(&in, 1);
				uint64_t esr = rt & 0x80u ? fuzz_take(&in, 4)
							  : (0x18ull << 26 | 1u << 25 | SGI1R_WRITE |
							     (rt & 0x1fu) << 5);
				sgi(from, esr, (uint32_t)(esr >> 5) & 0x1fu, fuzz_take(&in, 8));
				break;
			}
			case FV_INJECT: {
				uint32_t i = (uint32_t)fuzz_take(&in, 1) % count;
				uint32_t intid = (uint32_t)fuzz_take(&in, 2);
				bool set = fuzz_take(&in, 1) & 1;
				if (!vcpu(i))
					break;
				if (set)
					CHECK(a64_vgic_inject(vcpu(i), intid) ==
					      (intid < NR_IRQS ? 0 : AXVM_EINVAL));
				else
					a64_vgic_unpend(vcpu(i), intid);
				if (intid < NR_IRQS)
					set_pending(i, intid, set);
				break;
			}
			case FV_TARGETS:
				val = fuzz_take(&in, 8);
				CHECK(a64_sgi_targets(&vm, val) == sgi_targets(val));
				break;
			}
			check_state();
		}
	}
	teardown();
	return 0;
}
