/* SPDX-License-Identifier: Apache-2.0 */
/* hypercall: the kernel's hypercalls through SBI extension 0x0a000000,
 * and HC_RAISE_IRQ arriving as a PLIC external interrupt. */
#include "guest.h"

static volatile uint32_t claimed, external;

static void on_irq(uint64_t irq)
{
	if (irq != IRQ_EXT) {
		check(false, "only external interrupts here");
		return;
	}
	external++;
	uint32_t src = plic_claim(0);
	claimed = src;
	plic_complete(0, src);
}

int main(uint64_t hartid, uint64_t dtb);
int main(uint64_t hartid, uint64_t dtb)
{
	struct sbiret r;

	(void)hartid;
	(void)dtb;
	r = sbi6(SBI_EXT_HYPERCALL, HC_ADD, 1, 2, 3, 4, 5, 6);
	check_eq((uint64_t)r.error, 0, "HC_ADD succeeds");
	check_eq(r.value, 21, "HC_ADD sums a0..a5");
	r = sbi6(SBI_EXT_HYPERCALL, HC_ADD, UINT64_MAX, 2, 0, 0, 0, 0);
	check_eq(r.value, 1, "HC_ADD wraps");
	r = sbi(SBI_EXT_HYPERCALL, HC_PUTNUM, 4242, 0, 0);
	check_eq(r.value, 0, "HC_PUTNUM");
	r = sbi(SBI_EXT_HYPERCALL, 0x1ff, 0, 0, 0);
	check_eq(r.value, UINT64_MAX, "unknown hypercall gives -1");

	irq_hook = on_irq;
	plic_set_priority(5, 1);
	plic_enable(0, 5);
	plic_set_threshold(0, 0);
	sie_set(SIE_SEIE);
	irq_enable();
	r = sbi(SBI_EXT_HYPERCALL, HC_RAISE_IRQ, 5, 0, 0);
	check_eq(r.value, 0, "HC_RAISE_IRQ(5)");
	for (int i = 0; i < 1000 && !external; i++)
		delay_us(10);
	check_eq(external, 1, "one external interrupt");
	check_eq(claimed, 5, "the claim returns source 5");
	check_eq(plic_claim(0), 0, "nothing else pending");
	r = sbi(SBI_EXT_HYPERCALL, HC_RAISE_IRQ, 0, 0, 0);
	check_eq(r.value, (uint64_t)-22, "source 0 does not exist");
	r = sbi(SBI_EXT_HYPERCALL, HC_RAISE_IRQ, 32, 0, 0);
	check_eq(r.value, (uint64_t)-22, "nor does source 32");
	/* A source raised while masked by the threshold waits for it. */
	plic_set_threshold(0, 1);
	sbi(SBI_EXT_HYPERCALL, HC_RAISE_IRQ, 5, 0, 0);
	delay_us(2000);
	check_eq(external, 1, "below the threshold: no interrupt");
	plic_set_threshold(0, 0);
	for (int i = 0; i < 1000 && external < 2; i++)
		delay_us(10);
	check_eq(external, 2, "lowering the threshold delivers it");
	irq_disable();
	done("hypercall");
}

void secondary_main(uint64_t hartid, uint64_t opaque);
void secondary_main(uint64_t hartid, uint64_t opaque)
{
	(void)hartid;
	(void)opaque;
}
