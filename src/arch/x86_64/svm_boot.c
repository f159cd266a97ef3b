/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The power-on state of docs/guest-abi-x86_64.md, the same as the KVM
 * backend's: GDT and TSS at 0x1000, identity page tables over the low
 * 4 GiB at 0x2000 (written into guest RAM at every power-on of vCPU 0),
 * long mode, flat segments, boot registers. Under SVM the segment
 * registers' hidden parts are VMCB fields, so the guest runs with them
 * whether or not it ever reloads a selector.
 */
#include <string.h>

#include "svm.h"

#define BOOT_GDT 0x1000u
#define BOOT_GDT_LIMIT (5u * 8u - 1u) /* null, code64, data, TSS (two slots) */
#define BOOT_TSS 0x1800u
#define BOOT_TSS_LIMIT 0x67u
#define BOOT_PML4 0x2000u
#define BOOT_PDPT 0x3000u
#define BOOT_PD 0x4000u
#define BOOT_TABLES_END 0x8000u
#define STACK_SIZE 0x10000u
#define MAPPED_LIMIT 0x100000000ull

#define SEL_CODE 0x08u
#define SEL_DATA 0x10u
#define SEL_TSS 0x18u

/* VMCB attribute words: descriptor bits 47:40 and 55:52. */
#define ATTR_CODE64 0xa9bu /* G, L, P, S, type 0xb */
#define ATTR_DATA 0xc93u   /* G, D/B, P, S, type 0x3 */
#define ATTR_TSS 0x08bu    /* P, 64-bit TSS busy */

#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_PWT 0x8ull
#define PTE_PCD 0x10ull
#define PTE_PS 0x80ull

/* The RAM the ABI's RSI reports: the region at guest-physical 0. */
static uint64_t ram_size(const struct svm_vm *vm)
{
	const struct axvm_config *c = vm->base.cfg;

	for (uint32_t i = 0; i < c->region_count && i < AXVM_MAX_REGIONS; i++) {
		const struct axvm_mem_region *r = &c->regions[i];
		if (r->gpa == 0 && r->type != AXVM_MAP_DEVICE && !(r->flags & AXVM_MEM_DEVICE))
			return r->size;
	}
	return 0;
}

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	return (uint64_t)(limit & 0xffffu) | ((uint64_t)(base & 0xffffffu) << 16) |
	       ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xfu) << 48) |
	       ((uint64_t)(flags & 0xfu) << 52) | ((uint64_t)(base >> 24) << 56);
}

int svm_write_boot_tables(struct svm_vm *vm)
{
	static uint8_t page[4096]; /* one table at a time; vCPU 0's setup only */
	static atomic_flag busy = ATOMIC_FLAG_INIT;
	uint64_t ram = ram_size(vm), *q = (uint64_t *)page;
	int rc = 0;

	if (ram < 0x200000u)
		return AXVM_EINVAL; /* the ABI needs RAM at 0, at least 2 MiB */
	while (atomic_flag_test_and_set_explicit(&busy, memory_order_acquire))
		;
	/* GDT page (0x1000): descriptors, then the TSS at 0x1800 with its
	 * I/O map base past the limit (no I/O bitmap). */
	memset(page, 0, sizeof(page));
	q[SEL_CODE / 8] = seg_desc(0, 0xfffff, 0x9b, 0xa);
	q[SEL_DATA / 8] = seg_desc(0, 0xfffff, 0x93, 0xc);
	q[SEL_TSS / 8] = seg_desc(BOOT_TSS, BOOT_TSS_LIMIT, 0x8b, 0x0);
	page[BOOT_TSS - BOOT_GDT + 0x66] = (uint8_t)(BOOT_TSS_LIMIT + 1);
	if ((rc = svm_gpa_write(vm, BOOT_GDT, page, sizeof(page))))
		goto out;
	memset(page, 0, sizeof(page));
	q[0] = BOOT_PDPT | PTE_P | PTE_RW;
	if ((rc = svm_gpa_write(vm, BOOT_PML4, page, sizeof(page))))
		goto out;
	memset(page, 0, sizeof(page));
	for (uint64_t g = 0; g < 4; g++)
		q[g] = (BOOT_PD + g * 0x1000u) | PTE_P | PTE_RW;
	if ((rc = svm_gpa_write(vm, BOOT_PDPT, page, sizeof(page))))
		goto out;
	for (uint64_t g = 0; g < 4 && !rc; g++) {
		for (uint64_t i = 0; i < 512; i++) {
			uint64_t pa = (g << 30) | (i << 21);
			q[i] = pa | PTE_P | PTE_RW | PTE_PS | (pa >= ram ? PTE_PCD | PTE_PWT : 0);
		}
		rc = svm_gpa_write(vm, BOOT_PD + g * 0x1000u, page, sizeof(page));
	}
out:
	atomic_flag_clear_explicit(&busy, memory_order_release);
	return rc;
}

static void set_seg(struct svm_vcpu *v, unsigned off, uint16_t sel, uint16_t attr,
		    uint32_t limit, uint64_t base)
{
	*(volatile uint16_t *)(v->vmcb + off) = sel;
	*(volatile uint16_t *)(v->vmcb + off + 2) = attr;
	*(volatile uint32_t *)(v->vmcb + off + 4) = limit;
	vmcb_set64(v, off + VMCB_SEG_BASE, base);
}

void svm_boot_state(struct svm_vcpu *v, uint64_t entry, uint64_t arg)
{
	uint64_t ram = ram_size(v->vm), top = ram < MAPPED_LIMIT ? ram : MAPPED_LIMIT;

	set_seg(v, VMCB_CS, SEL_CODE, ATTR_CODE64, 0xffffffffu, 0);
	set_seg(v, VMCB_DS, SEL_DATA, ATTR_DATA, 0xffffffffu, 0);
	set_seg(v, VMCB_ES, SEL_DATA, ATTR_DATA, 0xffffffffu, 0);
	set_seg(v, VMCB_SS, SEL_DATA, ATTR_DATA, 0xffffffffu, 0);
	set_seg(v, VMCB_FS, SEL_DATA, ATTR_DATA, 0xffffffffu, 0);
	set_seg(v, VMCB_GS, SEL_DATA, ATTR_DATA, 0xffffffffu, 0);
	set_seg(v, VMCB_TR, SEL_TSS, ATTR_TSS, BOOT_TSS_LIMIT, BOOT_TSS);
	set_seg(v, VMCB_LDTR, 0, 0, 0, 0); /* unusable: not present */
	set_seg(v, VMCB_GDTR, 0, 0, BOOT_GDT_LIMIT, BOOT_GDT);
	/* No IDT: an exception triple-faults, a SHUTDOWN exit. */
	set_seg(v, VMCB_IDTR, 0, 0, 0, 0);
	v->vmcb[VMCB_CPL] = 0;
	/* SVME must be set in the guest's EFER for VMRUN to accept it; the
	 * guest never sees EFER (MSR accesses are intercepted). */
	vmcb_set64(v, VMCB_EFER, 0x500ull | (1ull << 12)); /* LME, LMA, SVME */
	vmcb_set64(v, VMCB_CR0, 0x80050033ull);
	vmcb_set64(v, VMCB_CR3, BOOT_PML4);
	vmcb_set64(v, VMCB_CR4, 0x620ull);
	vmcb_set64(v, VMCB_CR2, 0);
	vmcb_set64(v, VMCB_DR6, 0xffff0ff0ull);
	vmcb_set64(v, VMCB_DR7, 0x400ull);
	vmcb_set64(v, VMCB_GPAT, 0x0007040600070406ull); /* the power-on PAT */
	vmcb_set64(v, VMCB_RFLAGS, 0x2);
	vmcb_set64(v, VMCB_RIP, entry);
	vmcb_set64(v, VMCB_RSP, top - (uint64_t)v->id * STACK_SIZE - 8);
	vmcb_set64(v, VMCB_RAX, 0);
	vmcb_set64(v, VMCB_INT_STATE, 0);
	vmcb_set64(v, VMCB_EVENTINJ, 0);
	memset(&v->g, 0, sizeof(v->g));
	v->g.r[AXVM_X86_REG_RDI] = v->id;
	v->g.r[AXVM_X86_REG_RSI] = ram;
	v->g.r[AXVM_X86_REG_RDX] = arg;
	memset(&v->str, 0, sizeof(v->str));
	/* FPU: FCW 0x37f, MXCSR 0x1f80 (FXSAVE layout: offsets 0 and 24). */
	memset(v->fx, 0, sizeof(v->fx));
	v->fx[0] = 0x7f;
	v->fx[1] = 0x03;
	v->fx[24] = 0x80;
	v->fx[25] = 0x1f;
}

/* Real mode as a SIPI leaves it (SDM 9.1.4 / 9.4.4): CS = vector << 8 with
 * base vector << 12, IP 0, the other segments at 0 with 64 KiB limits,
 * paging and protection off. EFER keeps only SVME, which VMRUN needs and
 * the guest never sees. */
void svm_sipi_state(struct svm_vcpu *v, uint8_t vector)
{
	const uint16_t data = 0x093, code = 0x09b; /* P, S, RW(A) / code RX(A) */

	svm_boot_state(v, 0, 0);
	set_seg(v, VMCB_CS, (uint16_t)(vector << 8), code, 0xffff, (uint64_t)vector << 12);
	set_seg(v, VMCB_DS, 0, data, 0xffff, 0);
	set_seg(v, VMCB_ES, 0, data, 0xffff, 0);
	set_seg(v, VMCB_SS, 0, data, 0xffff, 0);
	set_seg(v, VMCB_FS, 0, data, 0xffff, 0);
	set_seg(v, VMCB_GS, 0, data, 0xffff, 0);
	set_seg(v, VMCB_TR, 0, 0x08b, 0xffff, 0);
	set_seg(v, VMCB_LDTR, 0, 0x082, 0xffff, 0);
	set_seg(v, VMCB_GDTR, 0, 0, 0xffff, 0);
	set_seg(v, VMCB_IDTR, 0, 0, 0xffff, 0);
	vmcb_set64(v, VMCB_EFER, 1ull << 12);
	vmcb_set64(v, VMCB_CR0, 0x10ull); /* ET */
	vmcb_set64(v, VMCB_CR3, 0);
	vmcb_set64(v, VMCB_CR4, 0);
	vmcb_set64(v, VMCB_RIP, 0);
	vmcb_set64(v, VMCB_RSP, 0);
	v->g.r[AXVM_X86_REG_RDI] = 0;
	v->g.r[AXVM_X86_REG_RSI] = 0;
	v->g.r[AXVM_X86_REG_RDX] = 0x600; /* family 6, as after RESET */
}
