/* SPDX-License-Identifier: Apache-2.0 */
/* The test guests' IDT: one table of 64-bit interrupt gates in the ABI's
 * code segment, filled per vector and loaded once. Header-only like
 * guest.h: each guest is one C file. */
#ifndef GUEST_IDT_H
#define GUEST_IDT_H

#include <stdint.h>

struct interrupt_frame;

struct idt_gate {
	uint16_t off0;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off1;
	uint32_t off2;
	uint32_t zero;
} __attribute__((packed));

static struct idt_gate guest_idt[256] __attribute__((aligned(16)));

/* Vector `vec` runs `handler` (an __attribute__((interrupt)) function). */
static inline void idt_set(unsigned vec, void *handler)
{
	uint64_t h = (uint64_t)handler;

	guest_idt[vec & 0xff] = (struct idt_gate){
	    .off0 = (uint16_t)h,
	    .sel = 0x08,  /* the ABI's code segment */
	    .type = 0x8e, /* present, 64-bit interrupt gate */
	    .off1 = (uint16_t)(h >> 16),
	    .off2 = (uint32_t)(h >> 32),
	};
}

/* LIDT of the table; every vCPU that takes interrupts loads it. */
static inline void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = {sizeof(guest_idt) - 1, (uint64_t)guest_idt};

	__asm__ volatile("lidt %0" : : "m"(idtr));
}

#endif
