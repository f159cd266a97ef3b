/* SPDX-License-Identifier: Apache-2.0 */
/* KVM backend: the 64-bit long-mode power-on state of the x86_64 guest ABI
 * (docs/guest-abi-x86_64.md): GDT and TSS, identity page tables over the
 * low 4 GiB, control registers, segments, CPUID, boot registers. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm_internal.h"

/* Runner-owned guest-physical layout below 1 MiB. */
#define BOOT_GDT         0x1000u
#define BOOT_GDT_ENTRIES 5u /* null, code64, data, TSS (two slots) */
#define BOOT_TSS         0x1800u
#define BOOT_TSS_LIMIT   0x67u
#define BOOT_PML4        0x2000u
#define BOOT_PDPT        0x3000u
#define BOOT_PD          0x4000u /* four tables, 0x4000..0x7fff */
#define BOOT_TABLES_END  0x8000u

#define SEL_CODE 0x08u
#define SEL_DATA 0x10u
#define SEL_TSS  0x18u

#define PTE_P   (1ull << 0)
#define PTE_RW  (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS  (1ull << 7)

#define CR0_PE         (1ull << 0)
#define CR0_MP         (1ull << 1)
#define CR0_ET         (1ull << 4)
#define CR0_NE         (1ull << 5)
#define CR0_WP         (1ull << 16)
#define CR0_AM         (1ull << 18)
#define CR0_PG         (1ull << 31)
#define CR4_PAE        (1ull << 5)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define EFER_LME       (1ull << 8)
#define EFER_LMA       (1ull << 10)

static void put64(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* An 8-byte code/data descriptor. */
static uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access,
                         uint8_t flags)
{
	return (uint64_t)(limit & 0xffffu) |
	       ((uint64_t)(base & 0xffffffu) << 16) | ((uint64_t)access << 40) |
	       ((uint64_t)((limit >> 16) & 0xfu) << 48) |
	       ((uint64_t)(flags & 0xfu) << 52) |
	       ((uint64_t)(base >> 24) << 56);
}

int axvm_kvm_write_boot_tables(uint8_t *ram, uint64_t ram_size)
{
	uint8_t *gdt, *pml4, *pdpt, *pd;

	if (!ram || ram_size < AXVM_KVM_RAM_MIN)
		return AXVM_EINVAL;
	memset(ram + BOOT_GDT, 0, BOOT_TABLES_END - BOOT_GDT);

	gdt = ram + BOOT_GDT;
	put64(gdt + SEL_CODE, seg_desc(0, 0xfffff, 0x9b, 0xa)); /* G, L */
	put64(gdt + SEL_DATA, seg_desc(0, 0xfffff, 0x93, 0xc)); /* G, D/B */
	/* 64-bit TSS, busy (as TR says): 16 bytes, base bits 63..32 zero. */
	put64(gdt + SEL_TSS, seg_desc(BOOT_TSS, BOOT_TSS_LIMIT, 0x8b, 0x0));
	/* The TSS itself stays zero except the I/O map base, which points
	 * past the limit: no I/O permission bitmap. */
	ram[BOOT_TSS + 0x66] = (uint8_t)(BOOT_TSS_LIMIT + 1);

	/* PML4[0] -> PDPT; PDPT[0..3] -> four PDs of 2 MiB pages covering
	 * 0..4 GiB. Above the RAM the pages are uncached: device windows. */
	pml4 = ram + BOOT_PML4;
	pdpt = ram + BOOT_PDPT;
	put64(pml4, BOOT_PDPT | PTE_P | PTE_RW);
	for (uint64_t g = 0; g < 4; g++) {
		put64(pdpt + 8 * g, (BOOT_PD + g * 0x1000u) | PTE_P | PTE_RW);
		pd = ram + BOOT_PD + g * 0x1000u;
		for (uint64_t i = 0; i < 512; i++) {
			uint64_t pa = (g << 30) | (i << 21);
			uint64_t attr = PTE_P | PTE_RW | PTE_PS;
			if (pa >= ram_size)
				attr |= PTE_PCD | PTE_PWT;
			put64(pd + 8 * i, pa | attr);
		}
	}
	return 0;
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffffu;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->dpl = 0;
	s->s = 1;
	s->g = 1;
	s->l = code ? 1 : 0;
	s->db = code ? 0 : 1;
}

void axvm_kvm_longmode_sregs(struct kvm_sregs *sr)
{
	seg(&sr->cs, SEL_CODE, 0xb, true);
	seg(&sr->ds, SEL_DATA, 0x3, false);
	sr->es = sr->fs = sr->gs = sr->ss = sr->ds;

	memset(&sr->tr, 0, sizeof(sr->tr));
	sr->tr.base = BOOT_TSS;
	sr->tr.limit = BOOT_TSS_LIMIT;
	sr->tr.selector = SEL_TSS;
	sr->tr.type = 11; /* 64-bit TSS, busy */
	sr->tr.present = 1;

	memset(&sr->ldt, 0, sizeof(sr->ldt));
	sr->ldt.type = 2;
	sr->ldt.unusable = 1;

	sr->gdt.base = BOOT_GDT;
	sr->gdt.limit = BOOT_GDT_ENTRIES * 8 - 1;
	/* No IDT: any exception escalates to a triple fault, which the
	 * backend reports; a guest that wants exceptions loads its own. */
	sr->idt.base = 0;
	sr->idt.limit = 0;

	sr->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
	sr->cr2 = 0;
	sr->cr3 = BOOT_PML4;
	sr->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	sr->cr8 = 0;
	sr->efer = EFER_LME | EFER_LMA;
	memset(sr->interrupt_bitmap, 0, sizeof(sr->interrupt_bitmap));
}

void axvm_kvm_boot_regs(struct kvm_regs *r, uint64_t entry, uint32_t index,
                        uint64_t ram_size, uint64_t arg)
{
	uint64_t top =
	    ram_size < AXVM_KVM_MAPPED_LIMIT ? ram_size : AXVM_KVM_MAPPED_LIMIT;

	memset(r, 0, sizeof(*r));
	r->rip = entry;
	r->rflags = 0x2; /* reserved bit 1; IF clear */
	/* As after a call: the entry may be a C function (which must not
	 * return). The caller checked the stack fits in RAM. */
	r->rsp = top - (uint64_t)index * AXVM_KVM_STACK_SIZE - 8;
	r->rdi = index;
	r->rsi = ram_size;
	r->rdx = arg;
}

int axvm_kvm_supported_cpuid(int kvm_fd, struct kvm_cpuid2 **out, size_t *bytes)
{
	for (uint32_t n = 64; n <= 4096; n *= 2) {
		size_t sz = sizeof(struct kvm_cpuid2) +
		            n * sizeof(struct kvm_cpuid_entry2);
		struct kvm_cpuid2 *c = calloc(1, sz);
		if (!c)
			return AXVM_ENOMEM;
		c->nent = n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			*out = c;
			*bytes = sizeof(struct kvm_cpuid2) +
			         c->nent * sizeof(struct kvm_cpuid_entry2);
			return 0;
		}
		free(c);
		if (errno != E2BIG)
			return AXVM_EIO;
	}
	return AXVM_E2BIG;
}

int axvm_kvm_set_cpuid(int vcpu_fd, const struct kvm_cpuid2 *sup, size_t bytes,
                       uint32_t index)
{
	struct kvm_cpuid2 *c = malloc(bytes);
	int rc = 0;

	if (!c)
		return AXVM_ENOMEM;
	memcpy(c, sup, bytes);
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		if (e->function == 1) /* initial APIC id */
			e->ebx =
			    (e->ebx & 0x00ffffffu) | ((index & 0xffu) << 24);
		else if (e->function == 0xb || e->function == 0x1f)
			e->edx = index; /* x2APIC id */
	}
	if (ioctl(vcpu_fd, KVM_SET_CPUID2, c))
		rc = AXVM_EIO;
	free(c);
	return rc;
}

int axvm_kvm_vcpu_boot_state(int fd, uint64_t entry, uint32_t index,
                             uint64_t ram_size, uint64_t arg)
{
	struct kvm_sregs sr;
	struct kvm_fpu fpu;
	struct kvm_regs regs;

	if (ioctl(fd, KVM_GET_SREGS, &sr))
		return AXVM_EIO;
	axvm_kvm_longmode_sregs(&sr);
	if (ioctl(fd, KVM_SET_SREGS, &sr))
		return AXVM_EIO;
	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;
	fpu.mxcsr = 0x1f80;
	if (ioctl(fd, KVM_SET_FPU, &fpu))
		return AXVM_EIO;
	axvm_kvm_boot_regs(&regs, entry, index, ram_size, arg);
	if (ioctl(fd, KVM_SET_REGS, &regs))
		return AXVM_EIO;
	return 0;
}
