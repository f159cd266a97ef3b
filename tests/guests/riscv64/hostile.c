/* SPDX-License-Identifier: Apache-2.0 */
/* hostile: arguments no well-behaved guest passes. Each must come back as
 * an SBI error, a short result or an ignored access; the host must not
 * stop the VM or crash. */
#include "guest.h"

#define HSM_START 0u

static volatile uint32_t ticks;

static void on_irq(uint64_t irq)
{
	if (irq == IRQ_TIMER) {
		ticks = ticks + 1;
		set_timer(UINT64_MAX);
	}
}

int main(uint64_t hartid, uint64_t dtb);
int main(uint64_t hartid, uint64_t dtb)
{
	uintptr_t entry = (uintptr_t)guest_secondary_entry;
	struct sbiret r;

	(void)hartid;
	(void)dtb;
	r = sbi(SBI_EXT_HSM, HSM_START, 1, 0x1000, 0);
	check_eq((uint64_t)r.error, (uint64_t)SBI_ERR_INVALID_ADDRESS, "hart_start outside RAM");
	r = sbi(SBI_EXT_HSM, HSM_START, 1, RAM_BASE + 0x1000000 - 2, 0);
	check_eq((uint64_t)r.error, (uint64_t)SBI_ERR_INVALID_ADDRESS, "hart_start past RAM's end");
	r = sbi(SBI_EXT_HSM, HSM_START, 1, entry + 1, 0);
	check_eq((uint64_t)r.error, (uint64_t)SBI_ERR_INVALID_ADDRESS, "hart_start at an odd address");
	r = sbi(SBI_EXT_HSM, HSM_START, 1ull << 63, entry, 0);
	check_eq((uint64_t)r.error, (uint64_t)SBI_ERR_INVALID_PARAM, "hart_start of hart 2^63");
	r = sbi(SBI_EXT_HSM, HSM_START, UINT64_MAX, entry, 0);
	check_eq((uint64_t)r.error, (uint64_t)SBI_ERR_INVALID_PARAM, "hart_start of hart -1");
	r = sbi(SBI_EXT_HSM, 2, UINT64_MAX, 0, 0);
	check_eq((uint64_t)r.error, (uint64_t)SBI_ERR_INVALID_PARAM, "hart_get_status of hart -1");
	r = sbi(SBI_EXT_HSM, 3, 0, 0, 0);
	check_eq((uint64_t)r.error, (uint64_t)SBI_ERR_NOT_SUPPORTED, "hart_suspend");

	r = sbi(SBI_EXT_IPI, 0, 1, 64, 0);
	check_eq((uint64_t)r.error, (uint64_t)SBI_ERR_INVALID_PARAM, "send_ipi base past the harts");
	r = sbi(SBI_EXT_IPI, 0, 1ull << 63, 1, 0);
	check_eq((uint64_t)r.error, (uint64_t)SBI_ERR_INVALID_PARAM, "send_ipi mask past the harts");
	r = sbi(SBI_EXT_IPI, 0, 0, 0, 0);
	check_eq((uint64_t)r.error, 0, "send_ipi to nobody");
	r = sbi(SBI_EXT_RFENCE, 1, 1, 0, 0);
	check_eq((uint64_t)r.error, 0, "remote_sfence_vma on hart 0");
	r = sbi(SBI_EXT_RFENCE, 0, 0xff, 0, 0);
	check_eq((uint64_t)r.error, (uint64_t)SBI_ERR_INVALID_PARAM, "remote_fence_i to harts it lacks");
	r = sbi(SBI_EXT_RFENCE, 3, 1, 0, 0);
	check_eq((uint64_t)r.error, (uint64_t)SBI_ERR_NOT_SUPPORTED, "remote HFENCE");

	r = sbi(SBI_EXT_DBCN, 0, 16, 0x1000, 0);
	check_eq((uint64_t)r.error, (uint64_t)SBI_ERR_INVALID_PARAM, "console_write outside RAM");
	r = sbi(SBI_EXT_DBCN, 0, 16, RAM_BASE, 1);
	check_eq((uint64_t)r.error, (uint64_t)SBI_ERR_INVALID_PARAM, "console_write base_hi");
	static char text[4096 + 64];
	for (unsigned i = 0; i < sizeof(text); i++)
		text[i] = (i % 64 == 63) ? '\n' : "hostile console "[i % 16];
	r = sbi(SBI_EXT_DBCN, 0, UINT64_MAX, (uintptr_t)text, 0);
	check_eq((uint64_t)r.error, 0, "console_write of 2^64-1 bytes is cut short");
	check_eq(r.value, 4096, "to 4096");
	r = sbi(SBI_EXT_DBCN, 0, 8, RAM_BASE + 0x1000000 - 4, 0);
	check_eq((uint64_t)r.error, (uint64_t)SBI_ERR_INVALID_PARAM, "console_write across RAM's end");

	r = sbi(SBI_EXT_HYPERCALL, HC_RAISE_IRQ, 1ull << 40, 0, 0);
	check_eq(r.value, (uint64_t)-22, "HC_RAISE_IRQ 2^40");
	r = sbi(SBI_EXT_SRST, 0, 7, 0, 0);
	check_eq((uint64_t)r.error, (uint64_t)SBI_ERR_INVALID_PARAM, "system_reset type 7");
	r = sbi(SBI_EXT_SRST, 0, 0, 2, 0);
	check_eq((uint64_t)r.error, (uint64_t)SBI_ERR_INVALID_PARAM, "system_reset reason 2");
	r = sbi(SBI_EXT_SRST, 5, 0, 0, 0);
	check_eq((uint64_t)r.error, (uint64_t)SBI_ERR_NOT_SUPPORTED, "SRST function 5");
	r = sbi(SBI_EXT_TIME, 9, 0, 0, 0);
	check_eq((uint64_t)r.error, (uint64_t)SBI_ERR_NOT_SUPPORTED, "TIME function 9");

	/* PLIC at odd widths and offsets: reads are 0, writes ignored. */
	check_eq(r8(PLIC_BASE + 4), 0, "PLIC byte read");
	check_eq(r64(PLIC_BASE + 0x2000), 0, "PLIC doubleword read");
	check_eq(r32(PLIC_BASE + 0x3ffffc), 0, "PLIC last word");
	check_eq(r32(PLIC_BASE + 0x201004 + 0x1000 * 40), 0, "claim of a context it lacks");
	w16(PLIC_BASE + 4, 0xffff);
	check_eq(r32(PLIC_BASE + 4), 0, "PLIC halfword write ignored");

	/* A timer in the past fires as soon as it is unmasked. */
	irq_hook = on_irq;
	sie_set(SIE_STIE);
	set_timer(0);
	irq_enable();
	for (int i = 0; i < 100 && !ticks; i++)
		delay_us(100);
	irq_disable();
	check_eq(ticks, 1, "set_timer(0) fires at once");
	check_eq((uint64_t)sbi(SBI_EXT_LEGACY_SET_TIMER, 0, UINT64_MAX - 1, 0, 0).error, 0,
		 "legacy set_timer far away");
	sie_clear(SIE_STIE);
	done("hostile");
}

void secondary_main(uint64_t hartid, uint64_t opaque);
void secondary_main(uint64_t hartid, uint64_t opaque)
{
	(void)hartid;
	(void)opaque;
}
