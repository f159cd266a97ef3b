/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The vGIC state a guest programs (a64_vgic.c has the model and the list
 * registers): its accesses to the distributor and redistributor windows,
 * the SGIs it sends, and the software pending set both feed. No EL2
 * register is touched here, so tests/fuzz builds this file for the host
 * and drives it with hostile accesses.
 */
#include <axvm/vcpu.h>

#include "a64.h"

int a64_vgic_inject(struct a64_vcpu *v, uint32_t intid)
{
	if (intid >= AXVM_A64_NR_IRQS)
		return AXVM_EINVAL;
	atomic_fetch_or(&v->vgic.pending[intid / 64], 1ull << (intid % 64));
	return 0;
}

void a64_vgic_unpend(struct a64_vcpu *v, uint32_t intid)
{
	if (intid < AXVM_A64_NR_IRQS)
		atomic_fetch_and(&v->vgic.pending[intid / 64],
				 ~(1ull << (intid % 64)));
}

/* --- affinity ------------------------------------------------------------- */

uint64_t axvm_a64_vcpu_mpidr(uint32_t index)
{
	return ((uint64_t)(index / 16u) << 8) | (index % 16u);
}

uint32_t a64_mpidr_to_index(const struct a64_vm *vm, uint64_t mpidr)
{
	uint64_t aff0 = mpidr & 0xffu, aff1 = (mpidr >> 8) & 0xffu;

	/* Aff2 and Aff3 must be zero; MT/U/RES1 bits are ignored. */
	if ((mpidr & 0xff00ff0000ull) || aff0 >= 16)
		return UINT32_MAX;
	uint64_t idx = aff1 * 16u + aff0;
	return idx < vm->base.vcpu_count ? (uint32_t)idx : UINT32_MAX;
}

/* --- SGIs sent from inside the world switch -------------------------------- */

/* ESR_EL2.ISS of an MSR ICC_SGI1R_EL1 (Op0 3, Op2 5, Op1 0, CRn 12, CRm 11,
 * Dir 0 = write), with Rt[9:5] masked out. */
#define ISS_MASK 0x1ffffffu
#define ISS_RT_MASK (0x1fu << 5)
#define ISS_SGI1R_WRITE ((3u << 20) | (5u << 17) | (12u << 10) | (11u << 1))

/* The core's vCPU `i` (vcpu_attach gave each its own before the VM could
 * run; no reference is needed: the sender runs in the same VM, and a VM
 * frees its vCPUs only after every one has left run()). */
static struct axvm_vcpu *core_vcpu(struct a64_vm *vm, uint32_t i)
{
	struct a64_vcpu *t = a64_vcpu_at(vm, i);

	return t ? t->core : NULL;
}

/*
 * The vCPUs the TargetList form (IRM = 0) of an ICC_SGI1R_EL1 value names,
 * one bit each, for both senders: a64_exit.c's SEND_IPI exits and
 * a64_vgic_fast_sgi(). Target n is Aff3.Aff2.Aff1.(RS * 16 + n), and a
 * vCPU's MPIDR is Aff1 = index / 16, Aff0 = index % 16, Aff2 = Aff3 = 0
 * (axvm_aarch64.h): so only RS 0 with Aff2 and Aff3 zero names any vCPU,
 * and TargetList bit n is vCPU Aff1 * 16 + n, if below the count. That is
 * a64_mpidr_to_index() for each set bit, as one shift and mask (the IPI's
 * sender paid a call per bit). Any guest value is safe: the shift stays
 * below 64 and the mask keeps vCPUs that exist.
 */
uint64_t a64_sgi_targets(const struct a64_vm *vm, uint64_t val)
{
	uint32_t aff1 = (uint32_t)(val >> 16) & 0xffu, count = vm->base.vcpu_count;
	uint64_t exist;

	/* Aff2 [39:32], RS [47:44], Aff3 [55:48] */
	if ((val & 0x00fff0ff00000000ull) || aff1 >= 4u || !count)
		return 0;
	exist = count >= 64 ? UINT64_MAX : (1ull << count) - 1u;
	return ((val & 0xffffull) << (aff1 * 16u)) & exist;
}

/*
 * What a64_exit.c's SEND_IPI exits would do, without the exit: the same
 * targets (TargetList with Aff1-3 and RS, or IRM for all but the sender)
 * and, per target, what the core's axvm_vcpu_inject_irq() does: pending
 * bit, then axvm_vcpu_kick() (wake flag, kick of the pCPU it is bound to).
 * Safe with interrupts masked inside the world switch: that touches
 * atomics and the port's kick_pcpu only. The sender's own SGI would go
 * into its own list registers, which only the full exit's flush fills; a
 * port's inject_irq hook is the port's code, not run here. Both take the
 * full exit. Like a64_fast_exit()'s answers, these SGIs reach neither the
 * core's loop nor its exit counters (no send_ipi count).
 */
bool a64_vgic_fast_sgi(struct a64_vcpu *v, uint64_t esr)
{
	struct a64_vm *vm = v->vm;
	uint32_t iss = (uint32_t)esr & ISS_MASK;
	uint32_t rt = (iss >> 5) & 0x1fu, count = vm->base.vcpu_count;
	uint64_t val, targets = 0;

	if ((iss & ~ISS_RT_MASK) != ISS_SGI1R_WRITE ||
	    vm->base.hal->inject_irq || count > 64)
		return false;
	val = rt == 31 ? 0 : v->regs.x[rt];
	if (val & (1ull << 40)) { /* IRM */
		targets = (count == 64 ? UINT64_MAX : (1ull << count) - 1u) & ~(1ull << v->id);
	} else {
		targets = a64_sgi_targets(vm, val);
		if (targets & (1ull << v->id))
			return false;
	}
	/* axvm_vcpu_inject_irq() without its two indirections: with no
	 * inject_irq hook it is this backend's inject, then the kick. */
	for (; targets; targets &= targets - 1) {
		uint32_t i = (uint32_t)__builtin_ctzll(targets);
		struct axvm_vcpu *c = core_vcpu(vm, i);
		if (c && !a64_vgic_inject(a64_vcpu_at(vm, i), (uint32_t)(val >> 24) & 0xfu))
			(void)axvm_vcpu_kick(c);
	}
	v->regs.pc += 4; /* EC 0x18: an AArch64 MSR, 4 bytes */
	return true;
}

/* --- distributor / redistributor MMIO ------------------------------------- */

/* Byte-array registers (IPRIORITYR): any width, any byte. */
static void bytes_access(uint8_t *arr, size_t len, uint64_t idx, unsigned width,
			 bool write, uint64_t *val)
{
	uint64_t r = 0;

	for (unsigned i = 0; i < width; i++) {
		if (idx + i >= len)
			break;
		if (write)
			arr[idx + i] = (uint8_t)(*val >> (8 * i));
		else
			r |= (uint64_t)arr[idx + i] << (8 * i);
	}
	if (!write)
		*val = r;
}

static void set_pending_bits(struct a64_vcpu *v, uint32_t first, uint32_t bits,
			     bool set)
{
	for (uint32_t b = 0; b < 32; b++) {
		if (!((bits >> b) & 1u))
			continue;
		if (set)
			a64_vgic_inject(v, first + b);
		else
			a64_vgic_unpend(v, first + b);
	}
}

static struct a64_vcpu *spi_target(struct a64_vm *vm, uint32_t spi)
{
	uint64_t route;
	uint32_t idx;

	a64_lock(vm);
	route = vm->dist.route[spi];
	a64_unlock(vm);
	idx = a64_mpidr_to_index(vm, route);
	if (idx == UINT32_MAX || !a64_vcpu_at(vm, idx))
		idx = 0;
	return a64_vcpu_at(vm, idx);
}

static uint64_t gicd_read(struct a64_vm *vm, uint64_t off, unsigned width)
{
	uint64_t val = 0;

	if (off >= 0x400 && off < 0x800) { /* IPRIORITYR */
		if (off >= 0x420)
			bytes_access(vm->dist.prio, sizeof(vm->dist.prio),
				     off - 0x420, width, false, &val);
		return val;
	}
	if (off >= 0x6100 && off < 0x6100 + 8u * AXVM_A64_NR_SPIS) { /* IROUTER */
		uint64_t r = vm->dist.route[(off - 0x6100) / 8];
		if (width < 4) /* RAZ, as writes of these widths are WI */
			return 0;
		return width == 8 ? r : (off & 4) ? r >> 32 : r & 0xffffffffu;
	}
	if (width != 4)
		return 0;
	if (off == 0x0000)
		return vm->dist.ctlr | GICD_CTLR_ARE | GICD_CTLR_DS;
	if (off == 0x0004) /* TYPER: IDbits = 10, ITLinesNumber */
		return (9u << 19) | ((AXVM_A64_NR_IRQS / 32) - 1u);
	if (off == 0x0008)
		return GIC_IIDR;
	if (off >= 0x0084 && off < 0x0080 + AXVM_A64_NR_IRQS / 8) /* IGROUPR */
		return 0xffffffffu;
	if (off >= 0x0104 && off < 0x0100 + AXVM_A64_NR_IRQS / 8) /* ISENABLER */
		return vm->dist.enable[(off - 0x0104) / 4];
	if (off >= 0x0184 && off < 0x0180 + AXVM_A64_NR_IRQS / 8) /* ICENABLER */
		return vm->dist.enable[(off - 0x0184) / 4];
	if (off >= 0x0c08 && off < 0x0c00 + AXVM_A64_NR_IRQS / 4) /* ICFGR */
		return vm->dist.cfg[(off - 0x0c08) / 4];
	if (off == 0xffe8)
		return GIC_PIDR2_V3;
	return 0;
}

static void gicd_write(struct a64_vm *vm, uint64_t off, unsigned width,
		       uint64_t val)
{
	uint32_t v32 = (uint32_t)val;

	if (off >= 0x420 && off < 0x800) {
		bytes_access(vm->dist.prio, sizeof(vm->dist.prio), off - 0x420,
			     width, true, &val);
		return;
	}
	if (off >= 0x6100 && off < 0x6100 + 8u * AXVM_A64_NR_SPIS) {
		uint64_t *r = &vm->dist.route[(off - 0x6100) / 8];
		if (width == 8)
			*r = val;
		else if (width == 4 && (off & 4))
			*r = (*r & 0xffffffffu) | ((uint64_t)v32 << 32);
		else if (width == 4)
			*r = (*r & ~0xffffffffull) | v32;
		return;
	}
	if (width != 4)
		return;
	if (off == 0x0000)
		vm->dist.ctlr = v32 & GICD_CTLR_GRP1;
	else if (off >= 0x0104 && off < 0x0100 + AXVM_A64_NR_IRQS / 8)
		vm->dist.enable[(off - 0x0104) / 4] |= v32;
	else if (off >= 0x0184 && off < 0x0180 + AXVM_A64_NR_IRQS / 8)
		vm->dist.enable[(off - 0x0184) / 4] &= ~v32;
	else if (off >= 0x0c08 && off < 0x0c00 + AXVM_A64_NR_IRQS / 4)
		vm->dist.cfg[(off - 0x0c08) / 4] = v32;
}

/* GICD_ISPENDR/ICPENDR for SPIs: delivered to the routed vCPU, outside the
 * distributor lock (inject takes none). */
static void gicd_pend(struct a64_vm *vm, uint64_t off, uint64_t val)
{
	bool set = off < 0x280;
	uint32_t n = (uint32_t)((off - (set ? 0x200u : 0x280u)) / 4);

	if (n == 0 || n >= AXVM_A64_NR_IRQS / 32)
		return;
	for (uint32_t b = 0; b < 32; b++) {
		if (!((val >> b) & 1u))
			continue;
		struct a64_vcpu *t = spi_target(vm, n * 32 + b - 32);
		if (t)
			set_pending_bits(t, n * 32 + b, 1, set);
	}
}

static uint64_t gicr_read(struct a64_vcpu *t, uint64_t off, unsigned width)
{
	struct a64_vm *vm = t->vm;
	uint64_t val = 0;

	if (off >= 0x10400 && off < 0x10420) {
		bytes_access(t->vgic.prio, sizeof(t->vgic.prio), off - 0x10400,
			     width, false, &val);
		return val;
	}
	if (off == 0x0008 || off == 0x000c) {
		/* TYPER: affinity, processor number, Last. */
		uint64_t m = t->mpidr;
		uint64_t aff = (m & 0xffffffu) | ((m >> 8) & 0xff000000u);
		uint64_t typer = (aff << 32) | ((uint64_t)t->id << 8) |
				 (t->id + 1 == vm->base.vcpu_count ? 1u << 4 : 0);
		if (width == 8 && off == 0x0008)
			return typer;
		return width == 4 ? (off == 0x0008 ? typer & 0xffffffffu : typer >> 32) : 0;
	}
	if (width != 4)
		return 0;
	switch (off) {
	case 0x0004:
		return GIC_IIDR;
	case 0x0014: /* WAKER: ChildrenAsleep follows ProcessorSleep */
		return t->vgic.waker | (t->vgic.waker << 1);
	case 0xffe8:
		return GIC_PIDR2_V3;
	case 0x10080:
		return 0xffffffffu;
	case 0x10100:
	case 0x10180:
		return t->vgic.enable;
	case 0x10c00:
		return 0xaaaaaaaau; /* SGIs: edge */
	case 0x10c04:
		return t->vgic.cfg1;
	default:
		return 0;
	}
}

static void gicr_write(struct a64_vcpu *t, uint64_t off, unsigned width,
		       uint64_t val)
{
	uint32_t v32 = (uint32_t)val;

	if (off >= 0x10400 && off < 0x10420) {
		bytes_access(t->vgic.prio, sizeof(t->vgic.prio), off - 0x10400,
			     width, true, &val);
		return;
	}
	if (width != 4)
		return;
	switch (off) {
	case 0x0014:
		t->vgic.waker = v32 & (1u << 1);
		break;
	case 0x10100:
		t->vgic.enable |= v32;
		break;
	case 0x10180:
		t->vgic.enable &= ~v32;
		break;
	case 0x10c04:
		t->vgic.cfg1 = v32;
		break;
	default:
		break;
	}
}

bool a64_vgic_mmio(struct a64_vcpu *v, uint64_t ipa, bool write,
		   unsigned width, uint64_t *val)
{
	struct a64_vm *vm = v->vm;
	uint64_t gicr_end = AXVM_A64_GICR_BASE +
			    (uint64_t)vm->base.vcpu_count * AXVM_A64_GICR_STRIDE;
	uint64_t off;

	if (ipa >= AXVM_A64_GICD_BASE && ipa - AXVM_A64_GICD_BASE < AXVM_A64_GICD_SIZE) {
		off = ipa - AXVM_A64_GICD_BASE;
		if (write && (off & ~0x7full) == 0x200 && width == 4) {
			gicd_pend(vm, off, *val);
			return true;
		}
		if (write && (off & ~0x7full) == 0x280 && width == 4) {
			gicd_pend(vm, off, *val);
			return true;
		}
		a64_lock(vm);
		if (write)
			gicd_write(vm, off, width, *val);
		else
			*val = gicd_read(vm, off, width);
		a64_unlock(vm);
		return true;
	}
	if (ipa >= AXVM_A64_GICR_BASE && ipa < gicr_end) {
		off = ipa - AXVM_A64_GICR_BASE;
		/* below vcpu_count: gicr_end bounds the offset */
		struct a64_vcpu *t = a64_vcpu_at(vm, (uint32_t)(off / AXVM_A64_GICR_STRIDE));
		off %= AXVM_A64_GICR_STRIDE;
		if (!t) {
			if (!write)
				*val = 0;
			return true;
		}
		if (write && (off == 0x10200 || off == 0x10280) && width == 4) {
			set_pending_bits(t, 0, (uint32_t)*val, off == 0x10200);
			return true;
		}
		a64_lock(vm);
		if (write)
			gicr_write(t, off, width, *val);
		else
			*val = gicr_read(t, off, width);
		a64_unlock(vm);
		return true;
	}
	return false;
}
