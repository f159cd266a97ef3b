/* SPDX-License-Identifier: Apache-2.0 */
/* What the bare-metal backends (aarch64, riscv64) share: the RAM test for
 * guest-supplied addresses, a VMID allocator, tick to nanosecond
 * conversion for halt deadlines, and the simplest exits. Their memory
 * comes from the core's axvm_zalloc() (core/hal_alloc.h). */
#ifndef AXVM_BM_BACKEND_H
#define AXVM_BM_BACKEND_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <axvm/arch.h>
#include <axvm/config.h>
#include <axvm/exit.h>
#include <axvm/hal.h>

/* Is [gpa, gpa+len) inside one RAM (non-device) region of the config?
 * Overflow-safe for any guest-supplied gpa and len. */
bool axvm_bm_gpa_is_ram(const struct axvm_config *cfg, uint64_t gpa, uint64_t len);

/* VMIDs are a per-machine hardware resource: one lock-free bitmap per
 * backend, passed in so each architecture keeps its own. 0 is never handed
 * out (it means "none"). */
#define AXVM_BM_VMIDS 256u
struct axvm_bm_vmids {
	_Atomic uint64_t map[AXVM_BM_VMIDS / 64];
};
/* A free VMID below `limit` (<= AXVM_BM_VMIDS), or 0 when all are taken. */
uint32_t axvm_bm_vmid_alloc(struct axvm_bm_vmids *ids, uint32_t limit);
void axvm_bm_vmid_free(struct axvm_bm_vmids *ids, uint32_t id);

/* What every bare-metal backend's VM state starts with: who serves it,
 * its config, its vCPUs (each the backend's own type, reached through a
 * typed accessor) and its VMID. */
struct axvm_bm_vm {
	const struct axvm_hal *hal;
	const struct axvm_config *cfg;
	uint32_t vcpu_count;
	uint32_t vmid;
	void **vcpus; /* vcpu_count slots, filled by axvm_bm_vcpu_new() */
};

/* Zeroed VM state of `size` bytes, whose first member is a struct
 * axvm_bm_vm, with its vCPU slots and a VMID below `vmid_limit` from
 * `ids`. 0, AXVM_EINVAL (bad info), AXVM_ENOMEM or AXVM_EBUSY (no VMID). */
int axvm_bm_vm_new(const struct axvm_arch_vm_info *info, size_t size,
		   struct axvm_bm_vmids *ids, uint32_t vmid_limit, void **out);
/* Free what axvm_bm_vm_new() made, VMID included: the VMID may be handed
 * out again, so its TLB entries must be gone first or flushed before the
 * next owner runs (each backend says which). */
void axvm_bm_vm_free(struct axvm_bm_vm *vm, size_t size, struct axvm_bm_vmids *ids);
/* Zeroed vCPU state of `size` bytes in slot `id`. AXVM_EINVAL for a slot
 * the VM lacks or that is taken, AXVM_ENOMEM. */
int axvm_bm_vcpu_new(struct axvm_bm_vm *vm, uint32_t id, size_t size, void **out);
/* The whole prologue of a backend's vcpu_create: `vm` is the backend's
 * own VM state (NULL, or NULL `out`: AXVM_EINVAL), whose first member is its struct
 * axvm_bm_vm; the zeroed vCPU state of `size` bytes gets a back pointer
 * to `vm` in the field at offset `vm_at` (a pointer to the backend's VM
 * struct: every struct pointer has one representation) and `id` in the
 * uint32_t at `id_at`. Errors as axvm_bm_vcpu_new(). Call it through
 * AXVM_BM_VCPU_NEW(), which takes the offsets from the vCPU type. */
int axvm_bm_vcpu_new_linked(void *vm, uint32_t id, size_t size, size_t vm_at, size_t id_at,
			    void **out);
#define AXVM_BM_VCPU_NEW(backend_vm, vcpu_id, vcpu_type, out)                             \
	axvm_bm_vcpu_new_linked((backend_vm), (vcpu_id), sizeof(vcpu_type),                 \
				offsetof(vcpu_type, vm), offsetof(vcpu_type, id), (out))
/* Empty slot `id` and free its vCPU state. */
void axvm_bm_vcpu_free(struct axvm_bm_vm *vm, uint32_t id, size_t size);

/* ticks at freq Hz in ns; UINT64_MAX for spans beyond ~30 years. */
uint64_t axvm_bm_ticks_to_ns(uint64_t ticks, uint64_t freq);

/* The HAL time at which `ticks_left` counter ticks will have passed, for a
 * halt deadline: 0 (no deadline) when it cannot be represented, `now` (or
 * 1) when already due. */
uint64_t axvm_bm_deadline(const struct axvm_hal *hal, uint64_t ticks_left, uint64_t freq);

/* Exits a backend decodes to in many places: "nothing to do, run again"
 * (handled in the backend), and "the entry failed" with a reason. */
static inline int axvm_bm_exit_nothing(struct axvm_exit *exit)
{
	exit->kind = AXVM_EXIT_NOTHING;
	return 0;
}

static inline int axvm_bm_exit_fail(struct axvm_exit *exit, uint64_t reason)
{
	exit->kind = AXVM_EXIT_FAIL_ENTRY;
	exit->u.fail_entry.reason = reason;
	return 0;
}

#endif /* AXVM_BM_BACKEND_H */
