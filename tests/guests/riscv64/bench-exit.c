/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-exit: what an exit costs on the HS-mode backend, in instructions,
 * under QEMU -icount shift=0,sleep=off: the time CSR then advances by one
 * tick per 100 instructions the board executes (10 MHz timebase, one
 * instruction per nanosecond), hypervisor and OpenSBI included. Load into
 * vm1:
 *
 *   exit_null_call_riscv64   SBI get_spec_version by ECALL, net of the
 *                            same loop with a NOP in the ECALL's place
 *   exit_mmio_read_riscv64   a 4-byte load from the test device
 *   irq_timer_latency_riscv64  SBI set_timer deadline -> the handler's
 *                            first instructions, the guest busy
 *   exit_null_call_bare_riscv64  the same loop as the null call answered
 *                            by the test-only bare trap stub (printed
 *                            only by a kernel that has it)
 *
 * Per-call figures are the minimum over batches (a host timer tick inside
 * a batch only makes that batch slower); per-event figures are the mean
 * of samples within 2 ticks of the smallest, for the same reason.
 */
#include "guest.h"

#define BATCHES 8u
#define PER_BATCH 2000u
#define SAMPLES 48u
#define INSTR_PER_TICK 100u

/* The bare trap stub (AXVM_BM_TEST_BARE_TRAP builds only; rv_entry.S)
 * answers an ECALL with a7 = BARE_EID by returning at once, a0 untouched;
 * libaxvm answers it as an unknown extension (a0 = -2). */
#define BARE_EID 0xba5000u

/* --- loops: the same code around an ECALL, a NOP, a load -------------------- */

#define LOOP(name, ext, insn)                                                 \
	static uint64_t name(uint64_t n, uintptr_t addr)                      \
	{                                                                     \
		uint64_t t0 = rdtime();                                       \
		__asm__ volatile("1:	li	a7, %[e]\n\t"                 \
				 "	li	a6, 0\n\t" insn "\n\t"        \
				 "	addi	%[n], %[n], -1\n\t"           \
				 "	bnez	%[n], 1b"                     \
				 : [n] "+r"(n)                                \
				 : [e] "i"(ext), [a] "r"(addr)                \
				 : "a0", "a1", "a6", "a7", "memory");         \
		return rdtime() - t0;                                         \
	}
LOOP(loop_ecall, SBI_EXT_BASE, "ecall")
LOOP(loop_bare, BARE_EID, "ecall")
LOOP(loop_nop, SBI_EXT_BASE, "nop")
LOOP(loop_lw, SBI_EXT_BASE, ".option push\n.option norvc\nlw a1, 0(%[a])\n.option pop")

typedef uint64_t (*loop_fn)(uint64_t, uintptr_t);

static uint64_t min_batch(loop_fn fn, uintptr_t addr)
{
	uint64_t best = UINT64_MAX;

	for (unsigned b = 0; b < BATCHES; b++) {
		uint64_t t = fn(PER_BATCH, addr);
		if (t < best)
			best = t;
	}
	return best;
}

/* Net instructions x100 per operation of `fn` over the NOP loop. */
static uint64_t per_op(loop_fn fn, uintptr_t addr)
{
	uint64_t t = min_batch(fn, addr), base = min_batch(loop_nop, addr);

	return t > base ? (t - base) * INSTR_PER_TICK * 100u / PER_BATCH : 0;
}

static void bench_print(const char *name, uint64_t v100)
{
	gprintf("bench %s %lu.%02lu instr\n", name, v100 / 100, v100 % 100);
}

/* --- the timer: deadline -> handler ------------------------------------------ */

static volatile uint64_t t_irq, irq_count;

static void on_irq(uint64_t irq)
{
	/* rdtime first: what the handler's entry (lib.c's trap vector) costs
	 * before this is in the figure, the same few instructions each time. */
	uint64_t t = rdtime();

	if (irq == IRQ_TIMER) {
		t_irq = t;
		irq_count = irq_count + 1;
		set_timer(UINT64_MAX);
	}
}

static uint64_t timer_latency(void)
{
	uint64_t s[SAMPLES], lo = UINT64_MAX, sum = 0, kept = 0;

	irq_hook = on_irq;
	sie_set(SIE_STIE);
	irq_enable();
	for (unsigned i = 0; i < SAMPLES; i++) {
		uint64_t before = irq_count, when = rdtime() + 50 + i % 7;
		set_timer(when);
		while (irq_count == before && rdtime() < when + TIMEBASE_HZ)
			;
		s[i] = irq_count != before && t_irq >= when ? t_irq - when : UINT64_MAX;
	}
	irq_disable();
	for (unsigned i = 0; i < SAMPLES; i++)
		if (s[i] < lo)
			lo = s[i];
	for (unsigned i = 0; i < SAMPLES; i++) {
		if (s[i] <= lo + 2) {
			sum += s[i];
			kept++;
		}
	}
	check(kept > 0 && lo != UINT64_MAX, "timer interrupts arrived");
	return kept ? sum * INSTR_PER_TICK * 100u / kept : 0;
}

int main(uint64_t hartid, uint64_t dtb);
int main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	gputs("bench-exit: exit costs under -icount shift=0,sleep=off\n");
	struct sbiret v = sbi(SBI_EXT_BASE, 0, 0, 0, 0);
	check(v.error == 0 && v.value != 0, "SBI get_spec_version answers");
	check(r32(TESTDEV_BASE + 0x100) == 0x89abcdefu, "the test device is there");

	if (sbi(BARE_EID, 0, 0x5a5a, 0, 0).error == 0x5a5a) {
		bench_print("exit_null_call_bare_riscv64", per_op(loop_bare, 0));
		done("bench-exit"); /* nothing else is answered as usual */
	}
	bench_print("exit_null_call_riscv64", per_op(loop_ecall, 0));
	bench_print("exit_mmio_read_riscv64", per_op(loop_lw, TESTDEV_BASE + 0x100));
	bench_print("irq_timer_latency_riscv64", timer_latency());
	done("bench-exit");
}

void secondary_main(uint64_t hartid, uint64_t opaque);
void secondary_main(uint64_t hartid, uint64_t opaque)
{
	(void)hartid;
	(void)opaque;
	for (;;)
		wfi();
}
