/* SPDX-License-Identifier: Apache-2.0 */
#include "axvm_hal_conformance.h"

#include <string.h>

struct run {
	const struct axvm_hal *hal;
	const struct axvm_hal_conformance *o;
	int failures;
};

static void check(struct run *r, const char *name, bool ok, const char *detail)
{
	if (!ok)
		r->failures++;
	if (r->o->report)
		r->o->report(r->o->ctx, name, ok, ok ? "ok" : detail);
}

static bool aligned(axvm_hpa_t pa, size_t align)
{
	return (pa & (align - 1)) == 0;
}

/* Frames: aligned as asked, mapped, writable, virt<->phys consistent and
 * contiguous (the page-table engine indexes into multi-page tables). */
static void frames(struct run *r, size_t count, size_t align, const char *name)
{
	const struct axvm_hal *h = r->hal;
	axvm_hpa_t pa = 0;
	uint8_t *va;
	bool ok = true;
	const char *why = "ok";

	if (h->alloc_pages(h->ctx, count, align, &pa) != 0 || pa == 0) {
		check(r, name, false, "allocation failed");
		return;
	}
	va = h->phys_to_virt(h->ctx, pa);
	if (!aligned(pa, align)) {
		ok = false;
		why = "host-physical address not aligned as asked";
	} else if (!va) {
		ok = false;
		why = "phys_to_virt returned NULL";
	} else {
		for (size_t i = 0; i < count && ok; i++) {
			uint8_t *p = va + i * AXVM_PAGE_SIZE;
			if (h->phys_to_virt(h->ctx, pa + i * AXVM_PAGE_SIZE) != p) {
				ok = false;
				why = "frames not contiguous in the host mapping";
			} else if (h->virt_to_phys(h->ctx, p) != pa + i * AXVM_PAGE_SIZE) {
				ok = false;
				why = "virt_to_phys does not invert phys_to_virt";
			} else if (p[0] != 0 || p[AXVM_PAGE_SIZE / 2] != 0 ||
				   p[AXVM_PAGE_SIZE - 1] != 0) {
				ok = false;
				why = "frame not zeroed (stale data would reach a guest)";
			} else {
				memset(p, 0xa5, AXVM_PAGE_SIZE);
				if (p[0] != 0xa5 || p[AXVM_PAGE_SIZE - 1] != 0xa5) {
					ok = false;
					why = "frame not writable";
				}
			}
		}
	}
	h->free_pages(h->ctx, pa, count);
	check(r, name, ok, why);
}

static void time_checks(struct run *r)
{
	const struct axvm_hal *h = r->hal;
	uint64_t prev = h->now_ns(h->ctx), first = prev;
	bool mono = true;

	for (unsigned long i = 0; i < 50000000ul; i++) {
		uint64_t t = h->now_ns(h->ctx);
		if (t < prev) {
			mono = false;
			break;
		}
		prev = t;
		if (i > 1000 && t > first)
			break;
	}
	check(r, "now_ns is monotonic", mono, "time went backwards");
	check(r, "now_ns advances", prev > first, "time did not move");
}

static void exhaustion(struct run *r)
{
	const struct axvm_hal *h = r->hal;
	size_t limit = r->o->exhaust_limit_pages, got = 0;
	axvm_hpa_t pa, first = 0, last = 0;
	int rc = 0;

	/* Allocate single pages, linking them through their own first word,
	 * until the port says no. */
	while (got <= limit) {
		rc = h->alloc_pages(h->ctx, 1, AXVM_PAGE_SIZE, &pa);
		if (rc)
			break;
		*(axvm_hpa_t *)h->phys_to_virt(h->ctx, pa) = 0;
		if (last)
			*(axvm_hpa_t *)h->phys_to_virt(h->ctx, last) = pa;
		else
			first = pa;
		last = pa;
		got++;
	}
	check(r, "exhaustion fails with AXVM_ENOMEM", rc == AXVM_ENOMEM,
	      got > limit ? "no failure within the stated limit"
			  : "failed with a code other than AXVM_ENOMEM");
	while (first) {
		axvm_hpa_t next = *(axvm_hpa_t *)h->phys_to_virt(h->ctx, first);
		h->free_pages(h->ctx, first, 1);
		first = next;
	}
	rc = h->alloc_pages(h->ctx, 1, AXVM_PAGE_SIZE, &pa);
	check(r, "memory is reusable after exhaustion", rc == 0,
	      "allocation still fails after everything was freed");
	if (rc == 0)
		h->free_pages(h->ctx, pa, 1);
}

int axvm_hal_conformance_run(const struct axvm_hal *hal,
			     const struct axvm_hal_conformance *o)
{
	struct run r = { .hal = hal, .o = o, .failures = 0 };
	axvm_hpa_t pa;

	check(&r, "required hooks present", axvm_hal_validate(hal) == 0,
	      "axvm_hal_validate failed");
	if (r.failures)
		return r.failures;
	frames(&r, 1, AXVM_PAGE_SIZE, "one 4 KiB frame");
	frames(&r, 4, 4 * AXVM_PAGE_SIZE, "16 KiB-aligned block (RISC-V G-stage root)");
	frames(&r, 2, 2 * AXVM_PAGE_SIZE, "8 KiB-aligned block (ARMv8 concatenated root)");
	frames(&r, 512, 512 * AXVM_PAGE_SIZE, "2 MiB-aligned block (huge page)");
	check(&r, "zero-page request refused",
	      hal->alloc_pages(hal->ctx, 0, AXVM_PAGE_SIZE, &pa) != 0,
	      "alloc_pages(0) succeeded");
	check(&r, "non-power-of-two alignment refused",
	      hal->alloc_pages(hal->ctx, 1, 3 * AXVM_PAGE_SIZE, &pa) != 0,
	      "alloc_pages(align = 12 KiB) succeeded");
	time_checks(&r);
	(void)hal->current_pcpu(hal->ctx);
	check(&r, "kick_pcpu of the current pCPU succeeds",
	      hal->kick_pcpu(hal->ctx, hal->current_pcpu(hal->ctx)) == 0,
	      "kick_pcpu returned an error");
	if (hal->alloc) {
		void *p = hal->alloc(hal->ctx, 100);
		check(&r, "small objects are 8-byte aligned",
		      p && ((uintptr_t)p & 7) == 0, "NULL or misaligned object");
		if (p)
			hal->free(hal->ctx, p, 100);
	}
	if (hal->wait) {
		uint64_t t0 = hal->now_ns(hal->ctx);
		hal->wait(hal->ctx, 1000000);
		check(&r, "wait returns after its timeout",
		      hal->now_ns(hal->ctx) - t0 < 1000000000ull,
		      "wait(1 ms) took over a second");
	}
	if (o->exhaust_limit_pages)
		exhaustion(&r);
	return r.failures;
}
