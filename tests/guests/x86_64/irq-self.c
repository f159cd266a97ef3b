/* SPDX-License-Identifier: Apache-2.0 */
/* irq-self: the bare-metal kernel's raise-IRQ hypercall (0x102) injects
 * vector 0x40 into the caller. Raised with interrupts off, it must wait
 * for the guest's STI (the backend's interrupt window); raised with them
 * on, it must arrive right after the hypercall returns. Exits 0 when both
 * arrived in time, 1 otherwise; on a host without the hypercall (axvm-run
 * answers ENOSYS) it says so and exits 0. */
#include "guest.h"
#include "idt.h"

#define HC_RAISE_IRQ 0x102

static volatile uint32_t hits;

__attribute__((interrupt)) static void isr40(struct interrupt_frame *f)
{
	(void)f;
	hits++;
}

int guest_main(uint64_t index, uint64_t ram_size, uint64_t arg)
{
	uint64_t r;
	int bad = 0;

	(void)index;
	(void)ram_size;
	(void)arg;
	idt_set(0x40, isr40);
	idt_load();
	r = hypercall(HC_RAISE_IRQ, 0x40, 0, 0, 0, 0, 0);
	if (r == (uint64_t)-38) {
		puts("irq-self: no raise-IRQ hypercall here\n");
		return 0;
	}
	bad |= check("raise", r, 0);
	/* Interrupts off: nothing may arrive, however long we wait. */
	for (volatile int i = 0; i < 100000; i++)
		;
	bad |= check("delivered with IF clear", hits, 0);
	__asm__ volatile("sti; nop; cli" ::: "memory");
	bad |= check("after the window opened", hits, 1);
	puts("irq-self: delivered when interrupts came on\n");
	/* Interrupts on: it arrives at the next entry, during the hlt's
	 * wait at the latest. */
	__asm__ volatile("sti" ::: "memory");
	hypercall(HC_RAISE_IRQ, 0x40, 0, 0, 0, 0, 0);
	for (int i = 0; i < 1000 && hits < 2; i++)
		__asm__ volatile("pause" ::: "memory");
	__asm__ volatile("cli" ::: "memory");
	bad |= check("with IF set", hits, 2);
	if (bad)
		return 1;
	puts("irq-self: ok\n");
	return 0;
}
