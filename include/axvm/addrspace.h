/* SPDX-License-Identifier: Apache-2.0 */
/* Guest-physical address space: regions, their host backing, and (when the
 * core owns stage 2) the nested page tables every vCPU of a VM shares. */
#ifndef AXVM_ADDRSPACE_H
#define AXVM_ADDRSPACE_H

#include <axvm/config.h>
#include <axvm/hal.h>
#include <axvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct axvm_pt_format;
struct axvm_addrspace;
struct axvm_vm;

/* Create an empty address space. `fmt` NULL: regions and backing only, no
 * page tables (the backend's hypervisor translates). */
int axvm_addrspace_create(const struct axvm_hal *hal,
			  const struct axvm_pt_format *fmt,
			  struct axvm_addrspace **out);

/* Free every table page and every frame the address space allocated. */
void axvm_addrspace_destroy(struct axvm_addrspace *as);

/* Add a region: allocate (ALLOCATED) or record (LAZY, LINEAR, DEVICE) its
 * backing and map it. Overlaps return AXVM_EEXIST. */
int axvm_addrspace_add_region(struct axvm_addrspace *as,
			      const struct axvm_mem_region *region);

/* Host pointer to the start of region `index`'s backing, or NULL when it
 * has none contiguous (LAZY with page tables, DEVICE). */
void *axvm_addrspace_region_hva(const struct axvm_addrspace *as,
				uint32_t index);

/* Handle a stage-2 fault at `gpa`: a LAZY region gets a zeroed frame mapped
 * and 0 is returned (also when another vCPU mapped it first); anything else
 * returns AXVM_EFAULT (AXVM_ENOMEM if no frame) and changes nothing. */
int axvm_addrspace_handle_fault(struct axvm_addrspace *as, axvm_gpa_t gpa,
				uint32_t access);

/* Host-physical root of the stage-2 tables (0 without page tables). */
axvm_hpa_t axvm_addrspace_root(const struct axvm_addrspace *as);

/* Translate a guest-physical address of a VM's RAM to host-physical. */
int axvm_gpa_to_hpa(struct axvm_vm *vm, axvm_gpa_t gpa, axvm_hpa_t *hpa);

/* Copy into / out of guest RAM. The whole range must be RAM that is backed
 * (or lazily backable); otherwise AXVM_EFAULT and nothing is copied. */
int axvm_copy_to_guest(struct axvm_vm *vm, axvm_gpa_t gpa, const void *src,
		       size_t len);
int axvm_copy_from_guest(struct axvm_vm *vm, void *dst, axvm_gpa_t gpa,
			 size_t len);

/* ---- Page tables (address spaces created with a format) ----------------
 * Sizes and addresses are 4 KiB aligned; the walker picks 4 KiB, 2 MiB or
 * 1 GiB leaves by itself. Without a format these return AXVM_ENOTSUP
 * (translate falls back to the regions). Guest addresses past the
 * format's reach give AXVM_ERANGE. All calls are serialised internally. */

/* Map [gpa, gpa+size) to [hpa, hpa+size) with AXVM_MEM_* flags. AXVM_EEXIST
 * if any page is mapped already or lies in a LAZY region; all or nothing. */
int axvm_addrspace_map(struct axvm_addrspace *as, axvm_gpa_t gpa,
		       axvm_hpa_t hpa, uint64_t size, uint32_t flags);

/* Unmap the range (holes allowed); huge leaves across an edge are split.
 * Frames of LAZY regions are freed (they refill as zero on next touch). */
int axvm_addrspace_unmap(struct axvm_addrspace *as, axvm_gpa_t gpa,
			 uint64_t size);

/* Give every mapped page of the range the flags (holes are skipped). */
int axvm_addrspace_protect(struct axvm_addrspace *as, axvm_gpa_t gpa,
			   uint64_t size, uint32_t flags);

/* Where gpa maps: host-physical address, the flags the format kept (R, W,
 * X, DEVICE, UNCACHED) and the leaf size; the last two may be NULL.
 * AXVM_EFAULT when unmapped. */
int axvm_addrspace_translate(struct axvm_addrspace *as, axvm_gpa_t gpa,
			     axvm_hpa_t *hpa, uint32_t *flags,
			     uint64_t *page_size);

/* TLB / cache maintenance hook, called (with the address space locked)
 * after any change to a mapping the hardware may have seen, and before a
 * table or frame is freed. Same shape as axvm_arch_ops.flush_stage2. */
typedef void (*axvm_flush_fn)(void *ctx, axvm_gpa_t gpa, uint64_t size);

/* Install (or, with fn NULL, remove) the flush hook. */
int axvm_addrspace_set_flush(struct axvm_addrspace *as, axvm_flush_fn fn,
			     void *ctx);

/* Value for the format's root register (VTTBR_EL2, hgatp, EPTP, nCR3) of
 * this address space, tagged with `vmid` where the format has a VMID. */
int axvm_addrspace_root_register(struct axvm_addrspace *as, uint32_t vmid,
				 uint64_t *value);

/* Bytes of page-table memory in use (root included; 0 without a format). */
int axvm_addrspace_table_bytes(struct axvm_addrspace *as, uint64_t *bytes);

/* ---- Formats --------------------------------------------------------------
 * A backend that lets the core own stage 2 points axvm_arch_ops.pt_format
 * at one of these (docs/addrspace.md). */
extern const struct axvm_pt_format axvm_pt_arm_s2_4k_ipa40; /* VTCR T0SZ 24 */
extern const struct axvm_pt_format axvm_pt_arm_s2_4k_ipa48; /* VTCR T0SZ 16 */
extern const struct axvm_pt_format axvm_pt_riscv_sv39x4;    /* hgatp mode 8 */
extern const struct axvm_pt_format axvm_pt_riscv_sv48x4;    /* hgatp mode 9 */
extern const struct axvm_pt_format axvm_pt_x86_ept4;        /* 4-level EPT */
extern const struct axvm_pt_format axvm_pt_amd_npt4;        /* 4-level NPT */

struct axvm_pt_info {
	const char *name;
	uint32_t ia_bits;    /* guest-physical address bits translated */
	uint32_t levels;     /* table levels walked, root included */
	uint32_t root_pages; /* 4 KiB tables concatenated at the root */
	/* Arm: VTCR_EL2 (8-bit VMID, PS = IPA size); RISC-V: the hgatp MODE
	 * field; EPT: the EPTP low bits (WB, 4-level walk); NPT: 0. */
	uint64_t control;
};

/* Describe a format. */
int axvm_pt_format_info(const struct axvm_pt_format *fmt,
			struct axvm_pt_info *info);

/* Root register for tables at `root`: VTTBR_EL2 (VMID <= 255 in bits
 * 55:48), hgatp (MODE, VMID <= 0x3fff, PPN), EPTP or nCR3 (vmid unused:
 * VPID/ASID live in the VMCS/VMCB). AXVM_ERANGE for a VMID too wide. */
int axvm_pt_root_register(const struct axvm_pt_format *fmt, axvm_hpa_t root,
			  uint32_t vmid, uint64_t *value);

#ifdef __cplusplus
}
#endif
#endif /* AXVM_ADDRSPACE_H */
