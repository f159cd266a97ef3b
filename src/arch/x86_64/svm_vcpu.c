/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The x86_64 AMD SVM backend: SVM on each pCPU, VM state (ASID, the I/O
 * and MSR permission maps, the nested root), vCPU state (its VMCB), bind/
 * unbind (the guest's FPU state) and run() (interrupt injection, one
 * VMRUN, the exit decoded by svm_exit.c).
 */
#include <string.h>

#include <axvm/addrspace.h>

#include "svm.h"

#define NPT_FORMAT (&axvm_pt_amd_npt4)

#define MSR_EFER 0xc0000080u
#define MSR_VM_CR 0xc0010114u
#define MSR_VM_HSAVE_PA 0xc0010117u
#define EFER_SVME (1ull << 12)
#define VM_CR_SVMDIS (1ull << 4)

#define IOPM_PAGES 3u  /* 12 KiB: one bit per port, and a spill byte */
#define MSRPM_PAGES 2u /* 8 KiB: two bits per MSR in three ranges */

/* Each pCPU's SVM state: its host save area (VM_HSAVE_PA, the CPU's) and
 * the page VMSAVE keeps the host's FS/GS/TR/syscall state in. Static:
 * SVM stays on once a pCPU ran a guest, and these pages with it, so they
 * are no HAL allocation a port would see leak. */
struct svm_pcpu {
	uint8_t hsave[4096];
	uint8_t host_save[4096];
	atomic_bool on;
	uint64_t hsave_pa, host_save_pa;
} __attribute__((aligned(4096)));
static struct svm_pcpu pcpus[AXVM_X86_MAX_PCPUS];
static struct axvm_bm_vmids asids;
/* flush_stage2 generations: a vCPU whose count is behind flushes its
 * ASID at the next entry. */
static atomic_uint_fast64_t flush_gen;
/* The port's timer hook (axvm_x86_64_set_timer_hook), or NULL. */
static void (*_Atomic timer_hook)(uint64_t deadline_ns);

int axvm_x86_64_set_timer_hook(void (*hook)(uint64_t deadline_ns))
{
	atomic_store(&timer_hook, hook);
	return 0;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static void cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

/* SVM with nested paging, not locked off by the firmware. */
static bool svm_usable(void)
{
	uint32_t r[4];

	cpuid(0x80000000u, r);
	if (r[0] < 0x8000000au)
		return false;
	cpuid(0x80000001u, r);
	if (!(r[2] & (1u << 2)))
		return false;
	cpuid(0x8000000au, r);
	if (!(r[3] & 1u)) /* NP */
		return false;
	return !(rdmsr(MSR_VM_CR) & VM_CR_SVMDIS);
}

static uint32_t asid_limit(void)
{
	uint32_t r[4];

	cpuid(0x8000000au, r);
	return r[1] < AXVM_BM_VMIDS ? r[1] : AXVM_BM_VMIDS;
}

static int pages(const struct axvm_hal *hal, size_t n, uint64_t *pa, uint8_t **va)
{
	int rc = hal->alloc_pages(hal->ctx, n, AXVM_PAGE_SIZE, pa);

	if (rc)
		return rc;
	*va = hal->phys_to_virt(hal->ctx, *pa);
	memset(*va, 0, n * AXVM_PAGE_SIZE);
	return 0;
}

/* This pCPU's SVM, turned on at its first bind (called with interrupts
 * off, on the pCPU itself). */
static int pcpu_on(const struct axvm_hal *hal, uint32_t id)
{
	struct svm_pcpu *p = &pcpus[id];

	if (atomic_load_explicit(&p->on, memory_order_acquire))
		return 0;
	if (!svm_usable())
		return AXVM_ENOTSUP;
	p->hsave_pa = hal->virt_to_phys(hal->ctx, p->hsave);
	p->host_save_pa = hal->virt_to_phys(hal->ctx, p->host_save);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, p->hsave_pa);
	atomic_store_explicit(&p->on, true, memory_order_release);
	return 0;
}

/* --- VM -------------------------------------------------------------------------- */

static void svm_vm_destroy(void *p)
{
	struct svm_vm *vm = p;
	const struct axvm_hal *hal;

	if (!vm)
		return;
	hal = vm->base.hal;
	if (vm->iopm)
		hal->free_pages(hal->ctx, vm->iopm_pa, IOPM_PAGES);
	if (vm->msrpm)
		hal->free_pages(hal->ctx, vm->msrpm_pa, MSRPM_PAGES);
	/* The ASID's TLB entries go at its next owner's first entry on each
	 * pCPU (every bind flushes). */
	axvm_bm_vm_free(&vm->base, sizeof(*vm), &asids);
}

static int svm_vm_init(const struct axvm_arch_vm_info *info, void **out)
{
	struct svm_vm *vm;
	void *mem;
	int rc;

	if (!info || !out || !info->hal)
		return AXVM_EINVAL;
	if (!svm_usable())
		return AXVM_ENOTSUP;
	if ((rc = axvm_bm_vm_new(info, sizeof(*vm), &asids, asid_limit(), &mem)))
		return rc;
	vm = mem;
	/* Every port and every MSR exits: the guest owns no hardware. */
	if ((rc = pages(vm->base.hal, IOPM_PAGES, &vm->iopm_pa, &vm->iopm)) ||
	    (rc = pages(vm->base.hal, MSRPM_PAGES, &vm->msrpm_pa, &vm->msrpm))) {
		svm_vm_destroy(vm);
		return rc;
	}
	memset(vm->iopm, 0xff, IOPM_PAGES * AXVM_PAGE_SIZE);
	memset(vm->msrpm, 0xff, MSRPM_PAGES * AXVM_PAGE_SIZE);
	*out = vm;
	return 0;
}

static void svm_flush_stage2(void *p, axvm_gpa_t gpa, uint64_t size)
{
	(void)p;
	(void)gpa;
	(void)size;
	/* Running vCPUs see the change at their next entry; a removed
	 * mapping is only removed from RAM the VM no longer uses. */
	atomic_fetch_add(&flush_gen, 1);
}

/* --- vCPU lifetime ------------------------------------------------------------------ */

static int svm_vcpu_create(void *p, uint32_t id, void **out)
{
	struct svm_vcpu *v;
	void *mem;
	int rc;

	if ((rc = AXVM_BM_VCPU_NEW(p, id, struct svm_vcpu, &mem)))
		return rc;
	v = mem;
	if ((rc = pages(v->vm->base.hal, 1, &v->vmcb_pa, &v->vmcb))) {
		axvm_bm_vcpu_free(&v->vm->base, id, sizeof(*v));
		return rc;
	}
	*out = v;
	return 0;
}

static void svm_vcpu_destroy(void *p)
{
	struct svm_vcpu *v = p;
	const struct axvm_hal *hal;

	if (!v)
		return;
	hal = v->vm->base.hal;
	hal->free_pages(hal->ctx, v->vmcb_pa, 1);
	axvm_bm_vcpu_free(&v->vm->base, v->id, sizeof(*v));
}

/* The control area: what exits, the maps, ASID, nested paging. */
static void vmcb_controls(struct svm_vcpu *v)
{
	memset(v->vmcb, 0, 0x400);
	vmcb_set32(v, VMCB_INTERCEPT_MISC1,
		   INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_CPUID | INTERCEPT_HLT |
			   INTERCEPT_INVLPGA | INTERCEPT_IOIO | INTERCEPT_MSR |
			   INTERCEPT_SHUTDOWN);
	/* The guest's EFER has SVME (VMRUN insists), so every SVM
	 * instruction would run unless intercepted; MONITOR/MWAIT would let
	 * it sleep on the pCPU. Each of them gets #UD (svm_exit.c). */
	vmcb_set32(v, VMCB_INTERCEPT_MISC2,
		   INTERCEPT_VMRUN | INTERCEPT_VMMCALL | INTERCEPT_VMLOAD | INTERCEPT_VMSAVE |
			   INTERCEPT_STGI | INTERCEPT_CLGI | INTERCEPT_SKINIT |
			   INTERCEPT_MONITOR | INTERCEPT_MWAIT);
	vmcb_set64(v, VMCB_IOPM_BASE, v->vm->iopm_pa);
	vmcb_set64(v, VMCB_MSRPM_BASE, v->vm->msrpm_pa);
	vmcb_set32(v, VMCB_ASID, v->vm->base.vmid);
	/* The guest's RFLAGS.IF masks only virtual interrupts; physical
	 * ones exit to the host whatever the guest does. */
	vmcb_set64(v, VMCB_VINTR, VINTR_MASKING);
	vmcb_set64(v, VMCB_NP_ENABLE, 1);
	vmcb_set64(v, VMCB_NCR3, v->vm->ncr3);
}

static void set_entry(struct svm_vcpu *v, uint64_t entry, uint64_t arg)
{
	if (entry & AXVM_X86_SIPI_ENTRY)
		svm_sipi_state(v, (uint8_t)(entry >> 12));
	else
		svm_boot_state(v, entry, arg);
	for (unsigned w = 0; w < 4; w++)
		atomic_store(&v->irq_pending[w], 0);
	atomic_store(&v->irq_any, false);
	svm_lapic_reset(v); /* power-on, INIT-SIPI: the APIC starts afresh */
}

static int svm_vcpu_setup(void *p, uint64_t entry, axvm_hpa_t s2_root)
{
	struct svm_vcpu *v = p;
	uint64_t ncr3;
	int rc;

	if (!v || v->loaded)
		return v ? AXVM_EBUSY : AXVM_EINVAL;
	if (!s2_root)
		return AXVM_EINVAL;
	if ((rc = axvm_pt_root_register(NPT_FORMAT, s2_root, v->vm->base.vmid, &ncr3)))
		return rc;
	v->vm->ncr3 = ncr3;
	vmcb_controls(v);
	/* The boot tables are the VM's, rewritten at each power-on/reset. */
	if (v->id == 0 && (rc = svm_write_boot_tables(v->vm)))
		return rc;
	set_entry(v, entry, 0);
	return 0;
}

static int svm_vcpu_set_entry(void *p, uint64_t entry, uint64_t arg)
{
	struct svm_vcpu *v = p;

	if (!v || v->loaded)
		return v ? AXVM_EBUSY : AXVM_EINVAL;
	set_entry(v, entry, arg);
	return 0;
}

/* --- bind / unbind -------------------------------------------------------------------- */

static uint64_t irq_save(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(f)::"memory");
	return f;
}

static void irq_restore(uint64_t f)
{
	if (f & RFLAGS_IF)
		__asm__ volatile("sti" ::: "memory");
}

static int svm_vcpu_bind(void *p)
{
	struct svm_vcpu *v = p;
	const struct axvm_hal *hal;
	uint64_t f;
	int rc;

	if (!v || v->loaded)
		return v ? AXVM_EBUSY : AXVM_EINVAL;
	hal = v->vm->base.hal;
	f = irq_save();
	v->pcpu = hal->current_pcpu(hal->ctx);
	if (v->pcpu >= AXVM_X86_MAX_PCPUS)
		rc = AXVM_ERANGE;
	else
		rc = pcpu_on(hal, v->pcpu);
	if (!rc) {
		/* The ASID may have been another VM's, or this VM's on another
		 * pCPU with older tables: flush it at the first entry. */
		v->vmcb[VMCB_TLB_CONTROL] = 1;
		atomic_store(&v->tlb_seen, atomic_load(&flush_gen));
		__asm__ volatile("fxrstor64 %0" ::"m"(*(uint8_t(*)[512])v->fx));
		v->loaded = true;
	}
	irq_restore(f);
	return rc;
}

static int svm_vcpu_unbind(void *p)
{
	struct svm_vcpu *v = p;
	uint64_t f;

	if (!v || !v->loaded)
		return v ? AXVM_ESTATE : AXVM_EINVAL;
	f = irq_save();
	__asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[512])v->fx));
	v->loaded = false;
	irq_restore(f);
	return 0;
}

/* --- interrupts ------------------------------------------------------------------------ */

static int svm_vcpu_inject_irq(void *p, uint32_t irq)
{
	struct svm_vcpu *v = p;

	if (!v)
		return AXVM_EINVAL;
	if ((irq & ~0xffu) == 0x100u) /* AXVM_X86_IRQ_LAPIC: the APIC's IRR */
		return svm_lapic_raise(v, irq & 0xffu);
	if (irq < 32 || irq > 255)
		return AXVM_EINVAL;
	atomic_fetch_or(&v->irq_pending[irq / 64], 1ull << (irq % 64));
	atomic_store(&v->irq_any, true);
	return 0;
}

/* The highest queued host vector, or -1. */
static int host_pending(const struct svm_vcpu *v)
{
	for (int w = 3; w >= 0; w--) {
		uint64_t bits = atomic_load(&v->irq_pending[w]);
		if (bits)
			return w * 64 + 63 - __builtin_clzll(bits);
	}
	return -1;
}

/* The highest vector of the host queue and the APIC's deliverable one
 * goes in through EVENTINJ when the guest can take it; until then the
 * interrupt window is asked for: a virtual interrupt (V_IRQ) the guest
 * takes when it can, intercepted (VINTR) so the real one replaces it.
 * Out of line: inlined, its live values cost run() four more saved
 * registers on every exit, interrupt or not. */
static __attribute__((noinline)) void inject_pending(struct svm_vcpu *v)
{
	bool can = (vmcb_get64(v, VMCB_RFLAGS) & RFLAGS_IF) &&
		   !(vmcb_get64(v, VMCB_INT_STATE) & 1) &&
		   !(vmcb_get64(v, VMCB_EVENTINJ) & EVENTINJ_VALID);
	bool more;
	int host, apic;

	/* Cleared before the scan: a bit set after it sets the flag again. */
	atomic_store(&v->irq_any, false);
	host = host_pending(v);
	apic = svm_lapic_pending(v);
	if (can && (host >= 0 || apic >= 0)) {
		int vec = host > apic ? host : apic;
		if (vec == host)
			atomic_fetch_and(&v->irq_pending[vec / 64], ~(1ull << ((unsigned)vec % 64u)));
		else
			svm_lapic_accept(v, (unsigned)vec);
		vmcb_set64(v, VMCB_EVENTINJ, EVENTINJ_VALID | EVENTINJ_TYPE_INTR | (uint64_t)(unsigned)vec);
		host = host_pending(v);
		apic = svm_lapic_pending(v);
	}
	more = host >= 0 || apic >= 0;
	if (more) {
		atomic_store(&v->irq_any, true);
		vmcb_set64(v, VMCB_VINTR, VINTR_MASKING | VINTR_V_IRQ | VINTR_IGN_TPR |
						  (0xfull << VINTR_PRIO_SHIFT));
		vmcb_set32(v, VMCB_INTERCEPT_MISC1,
			   vmcb_get32(v, VMCB_INTERCEPT_MISC1) | INTERCEPT_VINTR);
	}
}

/* --- run ------------------------------------------------------------------------------- */

/* The port's timer hook, called with interrupts off: the guest's APIC
 * deadline before VMRUN, 0 after. */
static __attribute__((cold, noinline)) void timer_lend(uint64_t deadline)
{
	void (*hook)(uint64_t) = atomic_load_explicit(&timer_hook, memory_order_relaxed);

	if (hook)
		hook(deadline);
}

/* Out of line and cold, as the hot path pays only for the test: the
 * timer's expiry (its vector raised before inject_pending() looks), then
 * the port's timer lent for the next deadline, so a guest that never
 * exits is interrupted on time. Interrupts are off. */
static __attribute__((cold, noinline)) void timer_tick(struct svm_vcpu *v)
{
	const struct axvm_hal *hal = v->vm->base.hal;

	if (v->apic.deadline)
		svm_lapic_tick(v, hal->now_ns(hal->ctx));
	v->apic.lend = atomic_load_explicit(&timer_hook, memory_order_relaxed)
			       ? svm_lapic_deadline(v)
			       : 0;
	if (v->apic.lend)
		timer_lend(v->apic.lend);
}

static int svm_vcpu_run(void *p, struct axvm_exit *exit)
{
	struct svm_vcpu *v = p;
	uint64_t f, gen;

	if (!v || !exit)
		return AXVM_EINVAL;
	if (!v->loaded)
		return AXVM_ESTATE;
	/* The rest of an `ins`/`outs`: one element per exit, in place. */
	if (v->str.active && svm_str_next(v, exit))
		return 0;

	/* No window asked for unless inject_pending() asks again. */
	vmcb_set64(v, VMCB_VINTR, VINTR_MASKING);
	vmcb_set32(v, VMCB_INTERCEPT_MISC1, vmcb_get32(v, VMCB_INTERCEPT_MISC1) & ~INTERCEPT_VINTR);
	/* Interrupts off from here: the port's timer may be lent below. */
	f = irq_save();
	/* The APIC timer, only while it counts or was lent: two loads
	 * otherwise. */
	if (__builtin_expect((v->apic.deadline | v->apic.lend) != 0, 0))
		timer_tick(v);
	if (atomic_load_explicit(&v->irq_any, memory_order_relaxed))
		inject_pending(v);
	gen = atomic_load(&flush_gen);
	if (atomic_load_explicit(&v->tlb_seen, memory_order_relaxed) != gen) {
		atomic_store_explicit(&v->tlb_seen, gen, memory_order_relaxed);
		v->vmcb[VMCB_TLB_CONTROL] = 1;
	}
	/* Nothing cached: every field is read again at VMRUN. */
	vmcb_set32(v, VMCB_CLEAN, 0);

	__asm__ volatile("clgi" ::: "memory");
	/* The host's IF, as VMRUN saves it, decides whether a host interrupt
	 * that arrives in the guest exits (V_INTR_MASKING): on, when the
	 * host runs with interrupts on. */
	if (f & RFLAGS_IF)
		__asm__ volatile("sti" ::: "memory");
	axvm_svm_enter(&v->g, v->vmcb_pa, pcpus[v->pcpu].host_save_pa);
	__asm__ volatile("cli; stgi" ::: "memory");
	if (__builtin_expect(v->apic.lend != 0, 0))
		timer_lend(0);
	irq_restore(f); /* a host interrupt that made the guest exit is taken here */
	v->vmcb[VMCB_TLB_CONTROL] = 0;
	vmcb_set64(v, VMCB_EVENTINJ, 0);
	return svm_decode_exit(v, exit);
}

/* --- registers -------------------------------------------------------------------------- */

static int svm_vcpu_get_gpr(void *p, uint32_t reg, uint64_t *value)
{
	struct svm_vcpu *v = p;

	if (!v || !value)
		return AXVM_EINVAL;
	if (reg < 16)
		*value = svm_gpr(v, reg);
	else if (reg == AXVM_X86_REG_RIP)
		*value = vmcb_get64(v, VMCB_RIP);
	else if (reg == AXVM_X86_REG_RFLAGS)
		*value = vmcb_get64(v, VMCB_RFLAGS);
	else
		return AXVM_EINVAL;
	return 0;
}

/* A result into part of a GPR, as an x86 instruction of that operand
 * size writes it. */
static int set_part(struct svm_vcpu *v, uint32_t reg, uint64_t value)
{
	unsigned gpr = reg & 15, width = (reg >> 4) & 15;
	bool high = reg & 0x100u;
	uint64_t old = svm_gpr(v, gpr);

	if ((reg & ~0x1ffu) != 0x1000u || (high && (width != 1 || gpr > 3)))
		return AXVM_EINVAL;
	switch (width) {
	case 1:
		if (high)
			value = (old & ~0xff00ull) | ((value & 0xff) << 8);
		else
			value = (old & ~0xffull) | (value & 0xff);
		break;
	case 2:
		value = (old & ~0xffffull) | (value & 0xffff);
		break;
	case 4:
		value &= 0xffffffffull;
		break;
	case 8:
		break;
	default:
		return AXVM_EINVAL;
	}
	svm_set_gpr(v, gpr, value);
	return 0;
}

static int svm_vcpu_set_gpr(void *p, uint32_t reg, uint64_t value)
{
	struct svm_vcpu *v = p;

	if (!v)
		return AXVM_EINVAL;
	if (reg < 16)
		svm_set_gpr(v, reg, value);
	else if (reg == AXVM_X86_REG_RIP)
		vmcb_set64(v, VMCB_RIP, value);
	else if (reg == AXVM_X86_REG_RFLAGS)
		vmcb_set64(v, VMCB_RFLAGS, (value & 0x3f7fd7ull) | 0x2); /* reserved bits */
	else if (reg == AXVM_X86_REG_MSR) {
		svm_set_gpr(v, AXVM_X86_REG_RAX, value & 0xffffffffull);
		svm_set_gpr(v, AXVM_X86_REG_RDX, value >> 32);
	} else if (reg == AXVM_X86_REG_STR_IN)
		return svm_str_in_complete(v, value);
	else
		return set_part(v, reg, value);
	return 0;
}

int svm_set_reg(struct svm_vcpu *v, uint32_t reg, uint64_t value)
{
	return svm_vcpu_set_gpr(v, reg, value);
}

/* A halted vCPU wakes by itself when its APIC timer fires. */
static uint64_t svm_vcpu_halt_deadline(void *p)
{
	struct svm_vcpu *v = p;

	return v && v->loaded ? svm_lapic_deadline(v) : 0;
}

const struct axvm_arch_ops axvm_arch_x86_64 = {
	.name = "x86_64",
	.ctx = NULL,
	.pt_format = NPT_FORMAT,
	.vm_init = svm_vm_init,
	.vm_destroy = svm_vm_destroy,
	.map_region = NULL, /* the core maps RAM into the shared tables */
	.flush_stage2 = svm_flush_stage2,
	.vcpu_create = svm_vcpu_create,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_setup = svm_vcpu_setup,
	.vcpu_set_entry = svm_vcpu_set_entry,
	.vcpu_bind = svm_vcpu_bind,
	.vcpu_unbind = svm_vcpu_unbind,
	.vcpu_run = svm_vcpu_run,
	.vcpu_get_gpr = svm_vcpu_get_gpr,
	.vcpu_set_gpr = svm_vcpu_set_gpr,
	.vcpu_inject_irq = svm_vcpu_inject_irq,
	.vcpu_kick = NULL,
	.vcpu_halt_deadline = svm_vcpu_halt_deadline,
};
