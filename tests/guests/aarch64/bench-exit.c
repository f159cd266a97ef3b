/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-exit: what an exit and an interrupt cost, in instructions, under
 * QEMU -icount shift=0,sleep=off (bench.h). Load into vm1 (2 vCPUs on
 * pCPUs 0 and 1) with vm2 empty:
 *
 *   exit_null_call_aarch64     PSCI_VERSION by HVC, net of the same loop
 *                              with a NOP in the HVC's place
 *   exit_null_call_bare_aarch64  the same loop answered by the test-only
 *                              bare trap stub (AXVM_BM_TEST_BARE_TRAP
 *                              builds only; see a64_entry.S)
 *   exit_mmio_read_aarch64     a 4-byte load from the test device
 *   irq_timer_latency_aarch64  virtual timer deadline -> the handler's
 *                              first instructions, the guest busy
 *   irq_timer_latency_wfi_aarch64  the same, the guest waiting in WFI
 *   irq_timer_eoi_aarch64      the handler's IAR read + EOIR write
 *                              (with the exit an EOI maintenance
 *                              interrupt costs, if any)
 *   ipi_latency_aarch64        vCPU 0's SGI write -> vCPU 1's handler,
 *                              vCPU 1 waiting in WFI on the other pCPU
 *
 * Per-call figures are the minimum over batches (a host timer tick inside
 * a batch only makes that batch slower); per-event figures are the mean
 * of samples within 2048 instructions of the smallest, for the same
 * reason. Under icount QEMU runs the two pCPUs in turn on one thread: the
 * IPI figure is every instruction the board executes from the send to
 * the handler, the sender's return to its guest included, and the sender
 * waits with WFE (which QEMU turns into a switch to the other CPU) so the
 * receiver gets to run at all.
 */
#include "bench.h"

#define BATCHES 8u
#define PER_BATCH 1000u
#define SAMPLES 48u
#define SGI_BENCH 1u

/* The bare trap stub answers X0 = BARE_FID by returning at once, X0
 * untouched; libaxvm answers it as an unknown hypercall (-1). */
#define BARE_FID 0xba5000ull

/* Written by the IRQ vector below, per vCPU index (32 bytes each). */
struct rec {
	uint64_t t_irq, t_eoi, count, intid;
};
extern volatile struct rec bench_rec[16];
volatile struct rec bench_rec[16];
extern char bench_vectors[];
static volatile uint32_t rx_ready, rx_stop;

/*
 * EL1 vectors for the benchmarks: the IRQ entry reads the counter as its
 * second instruction (the first frees X9 into TPIDR_EL1), records it,
 * acknowledges, masks the virtual timer if that was it, EOIs, records the
 * counter again and counts. Any other exception is fatal.
 */
__asm__(
	".macro bvec_fatal kind\n"
	"	.balign 0x80\n"
	"	mov	x0, #\\kind\n"
	"	mrs	x1, esr_el1\n"
	"	mrs	x2, elr_el1\n"
	"	mrs	x3, far_el1\n"
	"	b	guest_fatal\n"
	".endm\n"
	"	.text\n"
	"	.balign 2048\n"
	"	.global bench_vectors\n"
	"bench_vectors:\n"
	"	bvec_fatal 0\n	bvec_fatal 1\n	bvec_fatal 2\n	bvec_fatal 3\n"
	"	bvec_fatal 4\n"
	"	.balign 0x80\n" /* EL1h IRQ */
	"	msr	tpidr_el1, x9\n"
	"	mrs	x9, cntvct_el0\n"
	"	stp	x10, x11, [sp, #-16]!\n"
	"	mrs	x10, mpidr_el1\n"
	"	and	x10, x10, #0xf\n"
	"	adrp	x11, bench_rec\n"
	"	add	x11, x11, :lo12:bench_rec\n"
	"	add	x11, x11, x10, lsl #5\n"
	"	str	x9, [x11]\n"
	"	mrs	x10, icc_iar1_el1\n"
	"	and	x9, x10, #0xffffff\n"
	"	cmp	x9, #1020\n"
	"	b.hs	2f\n"
	"	str	x9, [x11, #24]\n"
	"	cmp	x9, #27\n"
	"	b.ne	1f\n"
	"	msr	cntv_ctl_el0, xzr\n"
	"1:	msr	icc_eoir1_el1, x10\n"
	"	isb\n"
	"	mrs	x9, cntvct_el0\n"
	"	str	x9, [x11, #8]\n"
	"	ldr	x9, [x11, #16]\n"
	"	add	x9, x9, #1\n"
	"	str	x9, [x11, #16]\n"
	"	dsb	sy\n"
	"	sev\n"
	"2:	ldp	x10, x11, [sp], #16\n"
	"	mrs	x9, tpidr_el1\n"
	"	eret\n"
	"	bvec_fatal 6\n	bvec_fatal 7\n"
	"	bvec_fatal 8\n	bvec_fatal 9\n	bvec_fatal 10\n	bvec_fatal 11\n"
	"	bvec_fatal 12\n	bvec_fatal 13\n	bvec_fatal 14\n	bvec_fatal 15\n");

static void set_vbar(void *v)
{
	__asm__ volatile("msr vbar_el1, %0; isb" ::"r"(v));
}

/* --- loops: the same code around an HVC, a NOP, a load ----------------------- */

#define LOOP(name, insn)                                                      \
	static uint64_t name(uint64_t n, uint64_t fid, uintptr_t addr)        \
	{                                                                     \
		register uint64_t x0 __asm__("x0");                           \
		uint64_t t0 = cntvct();                                       \
		__asm__ volatile("1:	mov	x0, %[fid]\n\t" insn "\n\t"   \
				 "	subs	%[n], %[n], #1\n\t"           \
				 "	b.ne	1b"                           \
				 : [n] "+r"(n), "=&r"(x0)                     \
				 : [fid] "r"(fid), [a] "r"(addr)              \
				 : "x1", "x2", "x3", "x4", "x5", "x6", "x7",  \
				   "x8", "x9", "x10", "x11", "x12", "x13",    \
				   "x14", "x15", "x16", "x17", "cc", "memory"); \
		(void)x0;                                                     \
		return cntvct() - t0;                                         \
	}
LOOP(loop_hvc, "hvc	#0")
LOOP(loop_nop, "nop")
LOOP(loop_ldr, "ldr	w1, [%[a]]")

static uint64_t probe_x0(uint64_t fid)
{
	register uint64_t x0 __asm__("x0") = fid;

	__asm__ volatile("hvc #0"
			 : "+r"(x0)
			 :
			 : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",
			   "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory");
	return x0;
}

typedef uint64_t (*loop_fn)(uint64_t, uint64_t, uintptr_t);

/* Smallest batch of `fn`, in ticks. */
static uint64_t min_batch(loop_fn fn, uint64_t fid, uintptr_t addr)
{
	uint64_t best = UINT64_MAX;

	for (unsigned b = 0; b < BATCHES; b++) {
		uint64_t t = fn(PER_BATCH, fid, addr);
		if (t < best)
			best = t;
	}
	return best;
}

/* Net instructions x100 per operation of `fn` over the NOP loop. */
static uint64_t per_op(loop_fn fn, uint64_t fid, uintptr_t addr)
{
	uint64_t t = min_batch(fn, fid, addr), base = min_batch(loop_nop, fid, addr);

	return t > base ? ticks_to_instr100(t - base) / PER_BATCH : 0;
}

/* Mean of the samples within 128 ticks (2048 instructions) of the
 * smallest, x100 instructions. */
static uint64_t robust_mean(const uint64_t *s, unsigned n)
{
	uint64_t lo = UINT64_MAX, sum = 0, kept = 0;

	for (unsigned i = 0; i < n; i++)
		if (s[i] < lo)
			lo = s[i];
	for (unsigned i = 0; i < n; i++) {
		if (s[i] <= lo + 128) {
			sum += s[i];
			kept++;
		}
	}
	return kept ? ticks_to_instr100(sum) / kept : 0;
}

static void cntv_cval(uint64_t v)
{
	__asm__ volatile("msr cntv_cval_el0, %0; isb" ::"r"(v));
}

/* One timer interrupt `ahead` ticks from now, waited for busy or in WFI. */
static void timer_samples(bool use_wfi, uint64_t ahead, uint64_t *lat, uint64_t *eoi)
{
	volatile struct rec *r = &bench_rec[0];

	for (unsigned i = 0; i < SAMPLES; i++) {
		uint64_t before = r->count, cval = cntvct() + ahead, end = cval + cntfrq();
		cntv_cval(cval);
		cntv_ctl(1);
		irq_enable();
		while (r->count == before && cntvct() < end)
			if (use_wfi)
				wfi();
		irq_disable();
		if (r->count != before + 1 || r->intid != IRQ_VTIMER) {
			gprintf("count %lu before %lu intid %lu ctl %lx wfi %u\n", r->count, before, r->intid, cntv_ctl_read(), use_wfi);
			check(false, "timer interrupt taken");
			return;
		}
		lat[i] = r->t_irq - cval;
		eoi[i] = r->t_eoi - r->t_irq;
	}
}

static void ipi_samples(uint64_t *lat)
{
	volatile struct rec *r = &bench_rec[1];

	for (unsigned i = 0; i < SAMPLES; i++) {
		uint64_t before = r->count, end = cntvct() + cntfrq();
		uint64_t t0 = cntvct();
		gic_send_sgi(SGI_BENCH, 1);
		while (r->count == before && cntvct() < end)
			__asm__ volatile("wfe" ::: "memory");
		check(r->count == before + 1 && r->intid == SGI_BENCH, "IPI taken");
		lat[i] = r->t_irq - t0;
	}
}

int main(uint64_t dtb);
int main(uint64_t dtb)
{
	static uint64_t lat[SAMPLES], eoi[SAMPLES];

	(void)dtb;
	gic_dist_enable();
	gic_cpu_init();
	gic_enable_irq(IRQ_VTIMER);
	set_vbar(bench_vectors);
	gprintf("bench-exit: CNTFRQ %lu Hz, %u batches of %u calls, %u samples\n",
		cntfrq(), BATCHES, PER_BATCH, SAMPLES);

	check_eq(probe_x0(PSCI_VERSION), 0x10000, "PSCI_VERSION is 1.0");
	bench_print("exit_null_call_aarch64", per_op(loop_hvc, PSCI_VERSION, 0));
	bench_print("exit_mmio_read_aarch64", per_op(loop_ldr, PSCI_VERSION, TESTDEV_BASE));
	if (probe_x0(BARE_FID) == BARE_FID)
		bench_print("exit_null_call_bare_aarch64", per_op(loop_hvc, BARE_FID, 0));

	timer_samples(false, 64, lat, eoi);
	bench_print("irq_timer_latency_aarch64", robust_mean(lat, SAMPLES));
	bench_print("irq_timer_eoi_aarch64", robust_mean(eoi, SAMPLES));
	timer_samples(true, 2048, lat, eoi);
	bench_print("irq_timer_latency_wfi_aarch64", robust_mean(lat, SAMPLES));
	cntv_ctl(0);

	if (guest_cpu_on(1, 0) == 0) {
		uint64_t end = cntvct() + cntfrq();
		while (!rx_ready && cntvct() < end)
			__asm__ volatile("wfe" ::: "memory");
		check(rx_ready, "vCPU 1 came up");
		ipi_samples(lat);
		bench_print("ipi_latency_aarch64", robust_mean(lat, SAMPLES));
		rx_stop = 1;
		__asm__ volatile("dsb sy" ::: "memory");
		gic_send_sgi(SGI_BENCH, 1);
	} else {
		check(false, "vCPU 1 powers on (load bench-exit into vm1)");
	}
	done("bench-exit");
}

void secondary_main(uint64_t ctx);
void secondary_main(uint64_t ctx)
{
	(void)ctx;
	gic_cpu_init();
	gic_enable_irq(SGI_BENCH);
	set_vbar(bench_vectors);
	irq_enable();
	rx_ready = 1;
	__asm__ volatile("dsb sy; sev" ::: "memory");
	while (!rx_stop)
		wfi();
	irq_disable();
}
