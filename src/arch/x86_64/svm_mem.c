/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest memory as the backend reads it: guest-physical through the VM's
 * nested tables (the core's axvm_pt_amd_npt4 tables, walked read-only
 * here), guest-linear through the guest's own page tables first. Used to
 * fetch an MMIO instruction's bytes when the CPU gives none (no decode
 * assists, as under QEMU's TCG), for `ins`/`outs` data and for the boot
 * tables. Every address is guest input: a miss is AXVM_EFAULT.
 */
#include <string.h>

#include "svm.h"

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7)
#define PTE_ADDR 0x000ffffffffff000ull

#define CR0_PG (1ull << 31)
#define EFER_LMA (1ull << 10)

/* Host pointer to the byte at `gpa` and how many bytes after it share
 * its page, or NULL when the NPT does not map it. */
static uint8_t *npt_hva(struct svm_vm *vm, uint64_t gpa, uint64_t *room)
{
	const struct axvm_hal *hal = vm->base.hal;
	uint64_t table = vm->ncr3 & PTE_ADDR, e = 0, size = 0;

	if (gpa >> 48)
		return NULL;
	for (int level = 3; level >= 0; level--) {
		const uint64_t *t = hal->phys_to_virt(hal->ctx, table);
		unsigned shift = 12 + 9 * (unsigned)level;
		e = t[(gpa >> shift) & 511];
		if (!(e & PTE_P))
			return NULL;
		size = 1ull << shift;
		if (level == 0 || ((e & PTE_PS) && level <= 2))
			break;
		table = e & PTE_ADDR;
	}
	uint64_t off = gpa & (size - 1);
	*room = size - off;
	return (uint8_t *)hal->phys_to_virt(hal->ctx, (e & PTE_ADDR & ~(size - 1)) + off);
}

static int gpa_copy(struct svm_vm *vm, uint64_t gpa, uint8_t *buf, uint64_t len, bool write)
{
	while (len) {
		uint64_t room, n;
		uint8_t *p;
		/* Only RAM: a device window is never read behind its back. */
		if (!axvm_bm_gpa_is_ram(vm->base.cfg, gpa, 1) || !(p = npt_hva(vm, gpa, &room)))
			return AXVM_EFAULT;
		n = len < room ? len : room;
		if (write)
			memcpy(p, buf, n);
		else
			memcpy(buf, p, n);
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int svm_gpa_read(struct svm_vm *vm, uint64_t gpa, void *dst, uint64_t len)
{
	return gpa_copy(vm, gpa, dst, len, false);
}

int svm_gpa_write(struct svm_vm *vm, uint64_t gpa, const void *src, uint64_t len)
{
	return gpa_copy(vm, gpa, (uint8_t *)(uintptr_t)src, len, true);
}

int svm_gva_to_gpa(struct svm_vcpu *v, uint64_t gva, bool write, uint64_t *gpa)
{
	uint64_t table, e = 0, size = 0;

	if (!(vmcb_get64(v, VMCB_CR0) & CR0_PG)) {
		*gpa = gva & 0xffffffffull;
		return 0;
	}
	if (!(vmcb_get64(v, VMCB_EFER) & EFER_LMA))
		return AXVM_ENOTSUP; /* 32-bit paging: no guest of ours uses it */
	/* Canonical: bits 63:47 all equal. */
	if ((uint64_t)((int64_t)(gva << 16) >> 16) != gva)
		return AXVM_EFAULT;
	table = vmcb_get64(v, VMCB_CR3) & PTE_ADDR;
	for (int level = 3; level >= 0; level--) {
		unsigned shift = 12 + 9 * (unsigned)level;
		int rc = svm_gpa_read(v->vm, table + 8 * ((gva >> shift) & 511), &e, 8);
		if (rc)
			return rc;
		if (!(e & PTE_P) || (write && !(e & PTE_RW)))
			return AXVM_EFAULT;
		size = 1ull << shift;
		if (level == 0 || ((e & PTE_PS) && (level == 1 || level == 2)))
			break;
		table = e & PTE_ADDR;
	}
	*gpa = (e & PTE_ADDR & ~(size - 1)) | (gva & (size - 1));
	return 0;
}

static int gva_copy(struct svm_vcpu *v, uint64_t gva, uint8_t *buf, uint64_t len, bool write)
{
	while (len) {
		uint64_t gpa, n = 4096 - (gva & 4095);
		int rc;
		if (n > len)
			n = len;
		if ((rc = svm_gva_to_gpa(v, gva, write, &gpa)) ||
		    (rc = gpa_copy(v->vm, gpa, buf, n, write)))
			return rc;
		gva += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int svm_gva_read(struct svm_vcpu *v, uint64_t gva, void *dst, uint64_t len)
{
	return gva_copy(v, gva, dst, len, false);
}

int svm_gva_write(struct svm_vcpu *v, uint64_t gva, const void *src, uint64_t len)
{
	return gva_copy(v, gva, (uint8_t *)(uintptr_t)src, len, true);
}
