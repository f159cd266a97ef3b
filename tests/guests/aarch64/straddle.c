/* SPDX-License-Identifier: Apache-2.0 */
/*
 * straddle: misaligned accesses that cross a page boundary at stage 2.
 *
 * An access that is not all RAM is never emulated as a device access when
 * it crosses a page: the guest gets a synchronous external abort (data
 * abort, DFSC 0x10) at the instruction, FAR = an address in the access
 * (the CPU's choice: QEMU names the second page's first byte when the
 * fault is there), the load's register untouched, and RAM outside the
 * access untouched. Only
 * Normal memory allows misaligned accesses, so the guest turns its MMU on
 * first: an identity map in 1 GiB blocks, the first Device (the emulated
 * devices), RAM and the next gigabyte (unclaimed) Normal.
 */
#include "guest.h"

#define RAM_END 0x41000000ul
#define UNCLAIMED 0x80000000ul
#define RAM_PAGE 0x40100000ul /* two RAM pages the image does not use */

#define DFSC_SEA 0x10u
#define EC_DABT_CUR 0x25u
#define ESR_WNR (1u << 6)

static volatile uint64_t abort_esr, abort_far, abort_elr;
static uint64_t insn_pc; /* where the last ld8/st8 instruction is */
static volatile uint32_t aborts;
static uint64_t l1[512] __attribute__((aligned(4096)));

static uint64_t on_sync(uint64_t esr, uint64_t elr, uint64_t far)
{
	if ((esr >> 26) != EC_DABT_CUR)
		guest_fatal(4, esr, elr, far);
	abort_esr = esr;
	abort_far = far;
	abort_elr = elr;
	aborts = aborts + 1;
	return elr + 4; /* skip the access */
}

/* Identity map, 4 KiB granule, 32-bit VA (level-1 start), walks and
 * data non-cacheable (SCTLR.C = 0): nothing to clean when it goes off. */
static void mmu_on(void)
{
	const uint64_t block = 1u, af = 1u << 10, device = 0u << 2, normal = 1u << 2;
	uint64_t mair = 0xffull << 8, tcr = 32u | 1u << 23 | 2ull << 32, sctlr;

	l1[0] = 0x00000000ul | block | af | device | 3ull << 53; /* XN */
	l1[1] = 0x40000000ul | block | af | normal | 3u << 8;
	l1[2] = 0x80000000ul | block | af | normal | 3u << 8 | 3ull << 53;
	__asm__ volatile("dsb sy; msr mair_el1, %0; msr tcr_el1, %1; msr ttbr0_el1, %2;"
			 "isb; tlbi vmalle1; dsb sy; isb" ::"r"(mair),
			 "r"(tcr), "r"((uint64_t)(uintptr_t)l1) : "memory");
	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	__asm__ volatile("msr sctlr_el1, %0; isb" ::"r"(sctlr | 1u) : "memory");
}

static void mmu_off(void)
{
	uint64_t sctlr;

	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	__asm__ volatile("msr sctlr_el1, %0; isb" ::"r"(sctlr & ~1ull) : "memory");
}

/* One 8-byte load or store at `a`; the register keeps `sentinel` if the
 * load aborts. */
static uint64_t ld8(uintptr_t a, uint64_t sentinel)
{
	uint64_t v = sentinel, pc;
	__asm__ volatile("adr %1, 1f\n1: ldr %0, [%2]" : "+r"(v), "=&r"(pc) : "r"(a) : "memory");
	insn_pc = pc;
	return v;
}

static void st8(uintptr_t a, uint64_t v)
{
	uint64_t pc;
	__asm__ volatile("adr %0, 1f\n1: str %1, [%2]" : "=&r"(pc) : "r"(v), "r"(a) : "memory");
	insn_pc = pc;
}

/* The last access aborted as a synchronous external abort at `a`. */
static void check_abort(uint32_t before, uintptr_t a, bool write, const char *what)
{
	check_eq(aborts, before + 1, what);
	check_eq(abort_esr & 0x3fu, DFSC_SEA, "  as a synchronous external abort");
	check(abort_far - a < 8, "  FAR is an address in the access");
	check_eq(abort_elr, insn_pc, "  ELR is the access instruction");
	check_eq(!!(abort_esr & ESR_WNR), write, "  WnR says load or store");
	check_eq(abort_esr >> 25 & 1u, 1, "  IL: a 32-bit instruction");
	gprintf("straddle: %s at %lx: ESR %lx FAR %lx\n", write ? "store" : "load",
		(uint64_t)a, abort_esr, abort_far);
}

int main(uint64_t dtb);
int main(uint64_t dtb)
{
	(void)dtb;
	gputs("straddle: accesses across the end of RAM\n");
	mmu_on();
	sync_hook = on_sync;

	/* Inside RAM a page-crossing access is just memory. */
	st8(RAM_PAGE + 0xffc, 0x0102030405060708ull);
	check_eq(ld8(RAM_PAGE + 0xffc, 0), 0x0102030405060708ull, "RAM page crossing");
	check_eq(aborts, 0, "  without an abort");

	/* The finding: the load's RAM half must not read as zero. */
	st8(RAM_END - 8, 0x1112131415161718ull);
	check_eq(r32(RAM_END - 4), 0x11121314u, "last RAM word written");
	uint32_t n = aborts;
	uint64_t v = ld8(RAM_END - 4, 0x5a5a5a5a5a5a5a5aull);
	check_abort(n, RAM_END - 4, false, "8-byte load across the end of RAM aborts");
	check_eq(v, 0x5a5a5a5a5a5a5a5aull, "  and leaves its register alone");

	/* A store there: the abort, and no byte outside the access changes.
	 * The RAM half may or may not have been written (the architecture
	 * allows either); it is never written with anything else. */
	n = aborts;
	st8(RAM_END - 4, 0x2122232425262728ull);
	check_abort(n, RAM_END - 4, true, "8-byte store across the end of RAM aborts");
	uint32_t lo = r32(RAM_END - 4);
	check(lo == 0x11121314u || lo == 0x25262728u, "  RAM half old or the store's");
	gprintf("straddle: RAM half after the store: %x\n", lo);
	check_eq(r32(RAM_END - 8), 0x15161718u, "  RAM before the access unchanged");

	/* Crossing between two unclaimed pages: no device takes it either. */
	n = aborts;
	v = ld8(UNCLAIMED + 0xffc, 0x77);
	check_abort(n, UNCLAIMED + 0xffc, false, "8-byte load across two unclaimed pages aborts");
	check_eq(v, 0x77, "  and leaves its register alone");
	/* Not crossing: unclaimed space keeps its policy (reads as zero). */
	n = aborts;
	check_eq(ld8(UNCLAIMED + 0xff8, 0x77), 0, "unclaimed, not crossing: reads zero");
	check_eq(aborts, n, "  without an abort");

	sync_hook = NULL;
	mmu_off();
	done("straddle");
}

void secondary_main(uint64_t ctx);
void secondary_main(uint64_t ctx)
{
	(void)ctx;
}
