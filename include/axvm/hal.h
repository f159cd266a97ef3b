/* SPDX-License-Identifier: Apache-2.0 */
/* The host-OS abstraction a port fills in: one struct of hooks plus a
 * context pointer that every hook gets back (no global state needed). */
#ifndef AXVM_HAL_H
#define AXVM_HAL_H

#include <axvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

enum axvm_log_level {
	AXVM_LOG_ERROR = 0,
	AXVM_LOG_WARN = 1,
	AXVM_LOG_INFO = 2,
	AXVM_LOG_DEBUG = 3,
};

/*
 * Required hooks: alloc_pages, free_pages, phys_to_virt, virt_to_phys,
 * now_ns, current_pcpu, kick_pcpu. The rest are optional (NULL allowed).
 * axvm_init() checks this once and names the first missing hook.
 */
struct axvm_hal {
	void *ctx;

	/* Allocate `count` physically contiguous, zeroed 4 KiB frames aligned
	 * to `align` bytes (a power of two >= 4096); store the host-physical
	 * address in *pa. Return 0 or AXVM_ENOMEM. Zeroed because guest RAM
	 * comes from here: stale host data must never reach a guest, and the
	 * port knows the cheapest way (fresh mmap pages already are). */
	int (*alloc_pages)(void *ctx, size_t count, size_t align, axvm_hpa_t *pa);
	/* Free frames from alloc_pages; count matches the allocation. */
	void (*free_pages)(void *ctx, axvm_hpa_t pa, size_t count);
	/* Map a host-physical address to a pointer the host can use. */
	void *(*phys_to_virt)(void *ctx, axvm_hpa_t pa);
	/* Inverse of phys_to_virt for memory the host owns. */
	axvm_hpa_t (*virt_to_phys)(void *ctx, const void *va);

	/* Small-object allocator for core bookkeeping (VM, vCPU, device
	 * tables). Optional: without it the core rounds up to whole pages. */
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *ptr, size_t size);

	/* Monotonic time in nanoseconds. */
	uint64_t (*now_ns)(void *ctx);
	/* Id of the physical CPU (or host thread slot) running the caller. */
	uint32_t (*current_pcpu)(void *ctx);
	/* Send an IPI so whatever runs on `pcpu` leaves guest mode soon. */
	int (*kick_pcpu)(void *ctx, uint32_t pcpu);

	/* Optional: pCPU a vCPU resides on (AxVMHal::vcpu_resides_on). The
	 * core's own bind record is used when absent. */
	int (*vcpu_resides_on)(void *ctx, uint32_t vm_id, uint32_t vcpu_id,
			       uint32_t *pcpu);
	/* Optional: host-side interrupt injection (e.g. a physical interrupt
	 * routed to a vCPU). Without it the backend's inject_irq is used. */
	int (*inject_irq)(void *ctx, uint32_t vm_id, uint32_t vcpu_id,
			  uint32_t irq);
	/* Optional: block the calling thread for at most timeout_ns, or until
	 * kick_pcpu targets the caller's pCPU. With it, a halted vCPU waits
	 * inside run() in the Blocked state; without it, halts go to the
	 * caller of run(). */
	void (*wait)(void *ctx, uint64_t timeout_ns);
	/* Optional: a NUL-terminated diagnostic line. */
	void (*log)(void *ctx, enum axvm_log_level level, const char *msg);
	/* Optional, with wait: the same wait to an absolute now_ns() time,
	 * returning at or soon after deadline_ns (earlier on a kick, or
	 * spuriously: the caller looks at the time again). A halted vCPU's
	 * own timer is a point in time; handed over as one, it does not come
	 * late by the instructions a port spends turning a relative timeout
	 * back into a deadline. Last member: ports that do not know it leave
	 * it NULL. */
	void (*wait_until)(void *ctx, uint64_t deadline_ns);
};

/* Check that every required hook is present; on failure log the name of the
 * missing hook through hal->log (if any) and return AXVM_EINVAL. */
int axvm_hal_validate(const struct axvm_hal *hal);

#ifdef __cplusplus
}
#endif
#endif /* AXVM_HAL_H */
