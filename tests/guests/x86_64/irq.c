/* SPDX-License-Identifier: Apache-2.0 */
/* irq: installs an IDT entry for vector 0x40, enables interrupts and halts
 * until the host injects that vector (axvm_vcpu_inject_irq); exits 0 after
 * it arrived once. Driven by tests/integration/test_kvm_lifecycle. */
#include "guest.h"

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

static struct idt_gate idt[256] __attribute__((aligned(16)));
static volatile uint32_t hits;

__attribute__((interrupt)) static void isr40(struct interrupt_frame *f)
{
	(void)f;
	hits++;
}

int guest_main(uint64_t index, uint64_t ram_size, uint64_t arg)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = {sizeof(idt) - 1, (uint64_t)idt};
	uint64_t h = (uint64_t)isr40;

	(void)index;
	(void)ram_size;
	(void)arg;
	idt[0x40] = (struct idt_gate){
	    .off0 = (uint16_t)h,
	    .sel = 0x08,  /* the ABI's code segment */
	    .type = 0x8e, /* present, 64-bit interrupt gate */
	    .off1 = (uint16_t)(h >> 16),
	    .off2 = (uint32_t)(h >> 32),
	};
	__asm__ volatile("lidt %0" : : "m"(idtr));
	puts("irq: waiting\n");
	while (!hits)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	puts("irq: got vector 0x40\n");
	return 0;
}
