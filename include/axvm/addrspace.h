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

/* Handle a stage-2 fault at `gpa`: a LAZY region gets a frame mapped and
 * 0 is returned; anything else returns AXVM_EFAULT and changes nothing. */
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

#ifdef __cplusplus
}
#endif
#endif /* AXVM_ADDRSPACE_H */
