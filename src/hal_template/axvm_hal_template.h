/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A complete HAL for a new OS or kernel: fill struct axvm_template_os with
 * the OS's few primitives and use it as is (ports/freertos and ports/zephyr
 * do), or copy this file and hal_template.c and adapt them. It needs no
 * malloc and no libc beyond memset: frames come from one memory pool you
 * hand it (a linker-script section, a carve-out from your page allocator, a
 * static array), which is how most embedded kernels already manage memory.
 * It passes the HAL conformance suite (tests/conformance), which is how you
 * check your own use or copy of it.
 */
#ifndef AXVM_HAL_TEMPLATE_H
#define AXVM_HAL_TEMPLATE_H

#include <axvm/hal.h>

/* What your OS provides; each hook gets `ctx`. Only read_counter,
 * counter_hz and cpu_id are required; the rest make kicks and halts
 * efficient. */
struct axvm_template_os {
	void *ctx;
	uint64_t (*read_counter)(void *ctx); /* free-running monotonic counter */
	uint64_t counter_hz;                  /* its frequency */
	uint32_t (*cpu_id)(void *ctx);        /* current CPU, 0 on uniprocessors */
	/* Optional: interrupt another CPU (a vCPU running there exits). */
	void (*send_ipi)(void *ctx, uint32_t cpu);
	/* Optional: wake whatever sleeps in idle() for `cpu`, on that CPU or
	 * this one (an RTOS runs several vCPU threads on one CPU). */
	void (*wake)(void *ctx, uint32_t cpu);
	/* Optional: sleep until wake(), an interrupt, or max_ns. */
	void (*idle)(void *ctx, uint64_t max_ns);
	void (*puts)(void *ctx, const char *line); /* optional: console */
	/* Virtual address of physical address 0 in your kernel's map (0 for
	 * an identity map): virt = phys + virt_offset. */
	uintptr_t virt_offset;
};

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
