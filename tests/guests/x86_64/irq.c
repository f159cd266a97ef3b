/* SPDX-License-Identifier: Apache-2.0 */
/* irq: installs an IDT entry for vector 0x40, enables interrupts and halts
 * until the host injects that vector (axvm_vcpu_inject_irq); exits 0 after
 * it arrived once. Driven by tests/integration/test_kvm_lifecycle. */
#include "guest.h"
#include "idt.h"

static volatile uint32_t hits;

__attribute__((interrupt)) static void isr40(struct interrupt_frame *f)
{
	(void)f;
	hits++;
}

int guest_main(uint64_t index, uint64_t ram_size, uint64_t arg)
{
	(void)index;
	(void)ram_size;
	(void)arg;
	idt_set(0x40, isr40);
	idt_load();
	puts("irq: waiting\n");
	while (!hits)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	puts("irq: got vector 0x40\n");
	return 0;
}
