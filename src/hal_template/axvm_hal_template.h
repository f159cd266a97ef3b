/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A complete HAL to copy when porting libaxvm to a new OS or kernel.
 *
 * Copy this file and hal_template.c into your port, rename the prefix, and
 * replace the few OS primitives in struct axvm_template_os with yours. It
 * needs no malloc and no libc beyond memset: frames come from one memory
 * pool you hand it (a linker-script section, a carve-out from your page
 * allocator, a static array), which is how most embedded kernels already
 * manage memory. It compiles as is and passes the HAL conformance suite
 * (tests/conformance), which is how you check your own copy.
 */
#ifndef AXVM_HAL_TEMPLATE_H
#define AXVM_HAL_TEMPLATE_H

#include <axvm/hal.h>

/* What your OS provides. Only read_counter, counter_hz and cpu_id are
 * required; the rest make kicks and halts efficient. */
struct axvm_template_os {
	uint64_t (*read_counter)(void); /* free-running monotonic counter */
	uint64_t counter_hz;            /* its frequency */
	uint32_t (*cpu_id)(void);       /* current CPU, 0 on uniprocessors */
	void (*send_ipi)(uint32_t cpu); /* optional: interrupt another CPU */
	void (*idle)(uint64_t max_ns);  /* optional: sleep until interrupt */
	void (*puts)(const char *line); /* optional: console */
	/* Virtual address of physical address 0 in your kernel's map (0 for
	 * an identity map). phys = virt - phys_offset... inverted below. */
	uintptr_t virt_offset;
};

/* One pool of frames, tracked by a bitmap that lives inside the pool's
 * first pages (so the template needs no other memory). */
struct axvm_template_pool {
	uint8_t *base;     /* page aligned */
	size_t pages;      /* frames in the pool, bitmap included */
	size_t reserved;   /* frames used by the bitmap itself */
	size_t free_pages; /* for diagnostics */
};

struct axvm_template_ctx {
	struct axvm_template_os os;
	struct axvm_template_pool pool;
};

/* Set up `ctx` over [mem, mem + size) (page aligned) and fill `hal`.
 * Returns 0, or AXVM_EINVAL for a misaligned or too small pool. */
int axvm_template_hal_init(struct axvm_template_ctx *ctx, struct axvm_hal *hal,
			   const struct axvm_template_os *os, void *mem,
			   size_t size);

#endif
