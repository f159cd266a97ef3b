/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smp: SBI HSM starts hart 1 (on the other pCPU); hart_get_status and
 * "already available"; an SBI IPI wakes hart 1 out of WFI; hart 1 stops
 * with hart_stop and is started twice more, the last time spinning with no
 * exits while hart 0 powers the VM off.
 */
#include "guest.h"

static volatile uint32_t up_count, last_opaque, soft, stop;

static bool wait_for(volatile uint32_t *v, uint32_t want, uint64_t ms)
{
	uint64_t end = rdtime() + TIMEBASE_HZ / 1000 * ms;
	while (*v != want && rdtime() < end)
		__asm__ volatile("fence" ::: "memory");
	return *v == want;
}

static uint64_t status(uint64_t hart)
{
	struct sbiret r = sbi(SBI_EXT_HSM, 2, hart, 0, 0);
	return r.error ? (uint64_t)r.error : r.value;
}

/* On its way down a hart is started (0) or stop pending (3), never
 * anything else; stopped (1) only once the host has saved it. */
static bool wait_stopped(uint64_t ms)
{
	uint64_t end = rdtime() + TIMEBASE_HZ / 1000 * ms, st;
	while ((st = status(1)) != 1 && rdtime() < end)
		if (st != 0 && st != 3) {
			gprintf("smp: hart 1 status %lu while stopping\n", st);
			return false;
		}
	return status(1) == 1;
}

static void on_irq(uint64_t irq)
{
	if (irq == IRQ_SOFT) {
		__asm__ volatile("csrc sip, %0" ::"r"(SIE_SSIE));
		soft = soft + 1;
	}
}

int main(uint64_t hartid, uint64_t dtb);
int main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	gputs("smp: starting hart 1\n");
	check_eq(status(1), 1, "hart 1 starts stopped");
	check_eq((uint64_t)guest_cpu_on(1, 0x1234),
		 0, "hart_start(1)");
	check(wait_for(&up_count, 1, 2000), "hart 1 came up");
	check_eq(last_opaque, 0x1234, "opaque reaches a1");
	check_eq(status(1), 0, "hart_get_status(1) is started");
	check_eq((uint64_t)guest_cpu_on(1, 0),
		 (uint64_t)SBI_ERR_ALREADY_AVAILABLE, "second hart_start is already available");
	check_eq((uint64_t)guest_cpu_on(7, 0),
		 (uint64_t)SBI_ERR_INVALID_PARAM, "hart_start of a hart the VM lacks");

	/* hart 1 sleeps in WFI (a halt exit); an IPI must wake it. */
	delay_us(20000);
	send_ipi(1u << 1, 0);
	check(wait_for(&soft, 1, 2000), "IPI reached hart 1");
	stop = 1;
	__asm__ volatile("fence" ::: "memory");
	send_ipi(1u << 1, 0);
	check(wait_stopped(2000), "hart 1 is stopped after hart_stop");

	/* Start it again: a fresh entry with a new opaque value. */
	check_eq((uint64_t)guest_cpu_on(1, 0x5678),
		 0, "hart_start(1) again");
	check(wait_for(&up_count, 3, 2000), "hart 1 came up again");
	check_eq(last_opaque, 0x5678, "second opaque value");

	/* A third time it spins without ever exiting: the shutdown from here
	 * must still stop the VM (the host kicks hart 1 out of the guest). */
	check(wait_stopped(2000), "hart 1 stopped again");
	/* This time at an entry that is only 2-byte aligned (C extension). */
	check_eq((uintptr_t)guest_secondary_entry_rvc & 3, 2, "the RVC entry is 2 mod 4");
	check_eq((uint64_t)sbi(SBI_EXT_HSM, 0, 1, (uintptr_t)guest_secondary_entry_rvc, 0x9999).error,
		 0, "hart_start(1) a third time, at a 2-byte aligned entry");
	check(wait_for(&up_count, 4, 2000), "hart 1 spinning");
	done("smp");
}

void secondary_main(uint64_t hartid, uint64_t opaque);
void secondary_main(uint64_t hartid, uint64_t opaque)
{
	gprintf("smp: hart %lu up, opaque 0x%lx\n", hartid, opaque);
	check_eq(hartid, 1, "a0 is the hart id");
	last_opaque = (uint32_t)opaque;
	if (opaque == 0x1234) {
		irq_hook = on_irq;
		sie_set(SIE_SSIE);
		irq_enable();
		up_count = 1;
		while (!stop)
			wfi();
		irq_disable();
		gprintf("smp: hart %lu got %u IPI(s), hart_stop\n", hartid, soft);
	} else if (opaque == 0x9999) {
		up_count = 4;
		__asm__ volatile("fence" ::: "memory");
		for (;;)
			__asm__ volatile("" ::: "memory"); /* no exits, ever */
	} else {
		up_count = 3;
	}
	/* returning calls SBI hart_stop */
}
