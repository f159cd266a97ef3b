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

/* Reads the 8-byte table entry at physical address `pa` of the table's
 * space (host for the NPT, guest for the guest's tables). */
typedef int (*pte_read_fn)(void *ctx, uint64_t pa, uint64_t *e);

/* The 4-level long-mode walk the NPT and a 64-bit guest's tables share:
 * where `addr` lands under the tables at `root`, and how many bytes after
 * it share its page (2 MiB and 1 GiB pages included). AXVM_EFAULT for a
 * missing entry, or a read-only one when `write`; `read`'s errors as they
 * are. Called with a constant `read`, it is inlined per table kind. */
static inline int walk4(uint64_t root, uint64_t addr, bool write, pte_read_fn read, void *ctx,
			uint64_t *pa, uint64_t *room)
{
	uint64_t table = root & PTE_ADDR, e = 0, size = 0;

	for (int level = 3; level >= 0; level--) {
		unsigned shift = 12 + 9 * (unsigned)level;
		int rc = read(ctx, table + 8 * ((addr >> shift) & 511), &e);
		if (rc)
			return rc;
		if (!(e & PTE_P) || (write && !(e & PTE_RW)))
			return AXVM_EFAULT;
		size = 1ull << shift;
		if (level == 0 || ((e & PTE_PS) && level <= 2))
			break;
		table = e & PTE_ADDR;
	}
	*pa = (e & PTE_ADDR & ~(size - 1)) | (addr & (size - 1));
	*room = size - (addr & (size - 1));
	return 0;
}

/* NPT entries are host memory the core's tables own. */
static int npt_entry(void *ctx, uint64_t pa, uint64_t *e)
{
	const struct axvm_hal *hal = ctx;

	*e = *(const uint64_t *)hal->phys_to_virt(hal->ctx, pa);
	return 0;
}

/* Host pointer to the byte at `gpa` and how many bytes after it share
 * its page, or NULL when the NPT does not map it. */
static uint8_t *npt_hva(struct svm_vm *vm, uint64_t gpa, uint64_t *room)
{
	const struct axvm_hal *hal = vm->base.hal;
	uint64_t hpa;

	if (gpa >> 48 || walk4(vm->ncr3, gpa, false, npt_entry, (void *)(uintptr_t)hal, &hpa, room))
		return NULL;
	return (uint8_t *)hal->phys_to_virt(hal->ctx, hpa);
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

/* A guest table entry is guest RAM, read through the NPT. */
static int guest_entry(void *ctx, uint64_t gpa, uint64_t *e)
{
	return svm_gpa_read(ctx, gpa, e, 8);
}

int svm_gva_to_gpa(struct svm_vcpu *v, uint64_t gva, bool write, uint64_t *gpa)
{
	uint64_t room;

	if (!(vmcb_get64(v, VMCB_CR0) & CR0_PG)) {
		*gpa = gva & 0xffffffffull;
		return 0;
	}
	if (!(vmcb_get64(v, VMCB_EFER) & EFER_LMA))
		return AXVM_ENOTSUP; /* 32-bit paging: no guest of ours uses it */
	/* Canonical: bits 63:47 all equal. */
	if ((uint64_t)((int64_t)(gva << 16) >> 16) != gva)
		return AXVM_EFAULT;
	return walk4(vmcb_get64(v, VMCB_CR3), gva, write, guest_entry, v->vm, gpa, &room);
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
