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
 *   ipi_latency_riscv64      hart 0's SBI send_ipi -> hart 1's handler,
 *                            hart 1 waiting in WFI on the other pCPU
 *   exit_null_call_bare_riscv64  the same loop as the null call answered
 *                            by the test-only bare trap stub (printed
 *                            only by a kernel that has it)
 *
 * Per-call figures are the minimum over batches (a host timer tick inside
 * a batch only makes that batch slower); per-event figures are the mean
 * of samples within 2 ticks of the smallest, for the same reason.
 *
 * Under icount QEMU 7.2 runs the two pCPUs in turn on one thread and
 * switches only when one halts (or its budget, up to a host tick, runs
 * out): an interrupt raised for the other pCPU does not switch, and
 * RISC-V has no yield instruction QEMU 7.2 knows. So hart 0 waits for
 * hart 1 with WFI (a halt exit: its pCPU then idles in WFI too) and hart
 * 1 answers every IPI with one back. The IPI figure is every instruction
 * the board executes from the send to hart 1's handler, serialized: hart
 * 0's trap, the host's injection and kick, hart 0's return to its guest,
 * its WFI exit and its pCPU going idle, then hart 1's pCPU waking,
 * entering the guest and the guest's vector.
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
/* Written by hart 1's handler (the IPI below). */
static volatile uint64_t t_ipi, ipi_count;

/* Both harts' handler: hart 0 takes the timer, hart 1 the IPI. */
static void on_irq(uint64_t irq)
{
	/* rdtime first: what the handler's entry (lib.c's trap vector) costs
	 * before this is in the figure, the same few instructions each time. */
	uint64_t t = rdtime();

	if (irq == IRQ_TIMER) {
		t_irq = t;
		irq_count = irq_count + 1;
		set_timer(UINT64_MAX);
	} else if (irq == IRQ_SOFT) {
		__asm__ volatile("csrc sip, %0" ::"r"(SIE_SSIE));
		t_ipi = t;
		ipi_count = ipi_count + 1;
		send_ipi(1u << 0, 0); /* wake hart 0 (see above) */
	}
}

/* Mean x100 in instructions of the samples within 2 ticks of the smallest
 * (UINT64_MAX: a sample that never arrived); 0 if none did. */
static uint64_t robust_mean(const uint64_t *s, unsigned n)
{
	uint64_t lo = UINT64_MAX, sum = 0, kept = 0;

	for (unsigned i = 0; i < n; i++)
		if (s[i] < lo)
			lo = s[i];
	if (lo == UINT64_MAX)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		if (s[i] <= lo + 2) {
			sum += s[i];
			kept++;
		}
	}
	return sum * INSTR_PER_TICK * 100u / kept;
}

static uint64_t timer_latency(void)
{
	uint64_t s[SAMPLES], mean;

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
	mean = robust_mean(s, SAMPLES);
	check(mean != 0, "timer interrupts arrived");
	return mean;
}

/* --- the IPI: hart 0's send -> hart 1's handler ------------------------------ */

static volatile uint64_t rx_ready;
static volatile uint32_t rx_stop;

/* Hart 0, interrupts off, sie.SSIE set: sleep until hart 1's IPI back
 * (WFI wakes on it; it is cleared here, not taken) or `*v` changes. */
static void wait_for_hart1(volatile uint64_t *v, uint64_t old)
{
	uint64_t end = rdtime() + TIMEBASE_HZ;

	while (*v == old && rdtime() < end)
		wfi();
	__asm__ volatile("csrc sip, %0" ::"r"(SIE_SSIE));
}

static uint64_t ipi_latency(void)
{
	uint64_t s[SAMPLES], mean;

	for (unsigned i = 0; i < SAMPLES; i++) {
		uint64_t before = ipi_count, t0 = rdtime();
		send_ipi(1u << 1, 0);
		wait_for_hart1(&ipi_count, before);
		s[i] = ipi_count == before + 1 && t_ipi >= t0 ? t_ipi - t0 : UINT64_MAX;
	}
	mean = robust_mean(s, SAMPLES);
	check(mean != 0, "IPIs reached hart 1");
	return mean;
}

int main(uint64_t hartid, uint64_t dtb);
int main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	gputs("bench-exit: exit costs under -icount shift=0,sleep=off\n");
	irq_hook = on_irq;
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

	sie_set(SIE_SSIE);
	if (guest_cpu_on(1, 0) == 0) {
		wait_for_hart1(&rx_ready, 0);
		check(rx_ready, "hart 1 came up");
		bench_print("ipi_latency_riscv64", ipi_latency());
		rx_stop = 1;
		__asm__ volatile("fence" ::: "memory");
		send_ipi(1u << 1, 0);
	} else {
		check(false, "hart 1 powers on (load bench-exit into vm1)");
	}
	done("bench-exit");
}

void secondary_main(uint64_t hartid, uint64_t opaque);
void secondary_main(uint64_t hartid, uint64_t opaque)
{
	(void)hartid;
	(void)opaque;
	sie_set(SIE_SSIE);
	irq_enable();
	rx_ready = 1;
	__asm__ volatile("fence" ::: "memory");
	send_ipi(1u << 0, 0);
	while (!rx_stop)
		wfi();
	irq_disable();
}
