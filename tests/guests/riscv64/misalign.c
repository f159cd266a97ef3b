/* SPDX-License-Identifier: Apache-2.0 */
/*
 * misalign: a misaligned load or store that leaves RAM (to an emulated
 * device, to unclaimed MMIO, across either end of RAM) is not emulated:
 * the guest takes load address misaligned (cause 4) or store/AMO address
 * misaligned (cause 6) at the instruction, with stval = the access's
 * guest-virtual address, and nothing is read or written. Checked with
 * paging off and with Sv39 paging (where virtual and physical differ);
 * misaligned accesses inside RAM stay the hart's business and work.
 */
#include "guest.h"

#define RAM_END (RAM_BASE + 0x1000000ul)
#define SENTINEL 0x5a5a5a5a5a5a5a5aull
#define CAUSE_LOAD_MISALIGNED 4u
#define CAUSE_STORE_MISALIGNED 6u

/* Sv39: identity gigapages for the devices (0..1 GiB: the console keeps
 * working) and RAM, and the devices' gigapage again at 3 GiB. */
#define DEV_ALIAS 0xc0000000ul

static uint64_t root[512] __attribute__((aligned(4096)));
static volatile uint64_t traps, got_cause, got_epc, got_tval;
static uint8_t ram_buf[16] __attribute__((aligned(8)));

/* Record the exception and resume after the instruction (2 or 4 bytes:
 * the guest's code is identity-mapped, so epc can be read). */
static uint64_t on_exception(uint64_t cause, uint64_t epc, uint64_t tval)
{
	uint16_t first = *(volatile uint16_t *)epc;

	traps = traps + 1;
	got_cause = cause;
	got_epc = epc;
	got_tval = tval;
	return epc + ((first & 3u) == 3u ? 4u : 2u);
}

/* One access, its address in a register; returns the instruction's pc.
 * The loaded register starts as SENTINEL: a skipped load leaves it. */
#define ACCESS_LOAD(name, insn)                                                   \
	static uint64_t name(uintptr_t a, uint64_t *val)                          \
	{                                                                         \
		uint64_t pc, v = SENTINEL;                                        \
		__asm__ volatile(".option push\n.option norvc\n"                  \
				 "lla %0, 1f\n"                                   \
				 "1: " insn " %1, 0(%2)\n"                        \
				 ".option pop"                                    \
				 : "=&r"(pc), "+r"(v) : "r"(a) : "memory");       \
		*val = v;                                                         \
		return pc;                                                        \
	}
#define ACCESS_STORE(name, insn)                                                  \
	static uint64_t name(uintptr_t a, uint64_t v)                             \
	{                                                                         \
		uint64_t pc;                                                      \
		__asm__ volatile(".option push\n.option norvc\n"                  \
				 "lla %0, 1f\n"                                   \
				 "1: " insn " %1, 0(%2)\n"                        \
				 ".option pop"                                    \
				 : "=&r"(pc) : "r"(v), "r"(a) : "memory");        \
		return pc;                                                        \
	}
ACCESS_LOAD(try_lh, "lh")
ACCESS_LOAD(try_lw, "lw")
ACCESS_LOAD(try_lwu, "lwu")
ACCESS_LOAD(try_ld, "ld")
ACCESS_STORE(try_sh, "sh")
ACCESS_STORE(try_sw, "sw")
ACCESS_STORE(try_sd, "sd")

/* lw a0, -2(a1): the address is a register plus a negative offset. */
static uint64_t try_lw_minus2(uintptr_t a, uint64_t *val)
{
	register uint64_t a0 __asm__("a0") = SENTINEL;
	register uint64_t a1 __asm__("a1") = a;
	uint64_t pc;

	__asm__ volatile(".option push\n.option norvc\n"
			 "lla %0, 1f\n"
			 "1: lw a0, -2(a1)\n"
			 ".option pop"
			 : "=&r"(pc), "+r"(a0) : "r"(a1) : "memory");
	*val = a0;
	return pc;
}

/* c.lw a3, 4(a1) and c.sd a2, 8(a1): the compressed forms, x8..x15. */
static uint64_t try_c_lw(uintptr_t a, uint64_t *val)
{
	register uint64_t a3 __asm__("a3") = SENTINEL;
	register uint64_t a1 __asm__("a1") = a;
	uint64_t pc;

	__asm__ volatile(".option push\n.option rvc\n"
			 "lla %0, 1f\n"
			 "1: c.lw a3, 4(a1)\n"
			 ".option pop"
			 : "=&r"(pc), "+r"(a3) : "r"(a1) : "memory");
	*val = a3;
	return pc;
}

static uint64_t try_c_sd(uintptr_t a, uint64_t v)
{
	register uint64_t a2 __asm__("a2") = v;
	register uint64_t a1 __asm__("a1") = a;
	uint64_t pc;

	__asm__ volatile(".option push\n.option rvc\n"
			 "lla %0, 1f\n"
			 "1: c.sd a2, 8(a1)\n"
			 ".option pop"
			 : "=&r"(pc) : "r"(a2), "r"(a1) : "memory");
	return pc;
}

static void arm(void)
{
	traps = 0;
	got_cause = got_epc = got_tval = 0;
}

/* Exactly one exception, `cause` at `pc` with stval `tval`. */
static void expect_trap(uint64_t cause, uint64_t pc, uint64_t tval, const char *what)
{
	if (traps != 1 || got_cause != cause || got_epc != pc || got_tval != tval) {
		gprintf("FAIL: %s: %lu trap(s), cause %lu at 0x%lx, stval 0x%lx; "
			"want cause %lu at 0x%lx, stval 0x%lx\n",
			what, traps, got_cause, got_epc, got_tval, cause, pc, tval);
		check(false, what);
	} else {
		check(true, what);
	}
}

static void load_faults(uint64_t (*op)(uintptr_t, uint64_t *), uintptr_t a,
			uint64_t tval, const char *what)
{
	uint64_t v, pc;

	arm();
	pc = op(a, &v);
	expect_trap(CAUSE_LOAD_MISALIGNED, pc, tval, what);
	check_eq(v, SENTINEL, "the faulting load left its register alone");
}

static void store_faults(uint64_t (*op)(uintptr_t, uint64_t), uintptr_t a,
			 uint64_t tval, const char *what)
{
	arm();
	uint64_t pc = op(a, 0xfeedfacecafebeefull);
	expect_trap(CAUSE_STORE_MISALIGNED, pc, tval, what);
}

/* dev: where the devices' gigapage is mapped (0 with paging off). */
static void device_cases(uintptr_t dev)
{
	uintptr_t plic = dev + PLIC_BASE, td = dev + TESTDEV_BASE;

	load_faults(try_lw, plic + 6, plic + 6, "lw at PLIC+6: load misaligned");
	w64(td + 0, 0x0706050403020100ull);
	w64(td + 8, 0x0f0e0d0c0b0a0908ull);
	store_faults(try_sd, td + 3, td + 3, "sd at test device+3: store misaligned");
	check_eq(r64(td + 0), 0x0706050403020100ull, "the misaligned sd wrote nothing");
	check_eq(r64(td + 8), 0x0f0e0d0c0b0a0908ull, "nor in the next doubleword");

	load_faults(try_c_lw, plic + 2, plic + 6, "c.lw at PLIC+6: load misaligned");
	store_faults(try_c_sd, td + 0x21, td + 0x29, "c.sd at test device+0x29");
	load_faults(try_lw_minus2, td + 0x10, td + 0xe, "lw -2(reg) at test device+0xe");
	store_faults(try_sh, td + 1, td + 1, "sh at test device+1");
	load_faults(try_lh, td + 0x101, td + 0x101, "lh in the id register");
	load_faults(try_lwu, td + 0xfe, td + 0xfe, "lwu across the scratch's end");

	w32(plic + 4, 3); /* source 1 priority */
	store_faults(try_sw, plic + 5, plic + 5, "sw at PLIC+5");
	check_eq(r32(plic + 4), 3, "the misaligned PLIC store changed nothing");
	w32(plic + 4, 0);

	load_faults(try_ld, dev + UNMAPPED_MMIO + 4, dev + UNMAPPED_MMIO + 4,
		    "ld in unclaimed MMIO");
	store_faults(try_sw, dev + UNMAPPED_MMIO + 2, dev + UNMAPPED_MMIO + 2,
		     "sw in unclaimed MMIO");

	/* Aligned accesses are emulated as before. */
	arm();
	w64(td + 0x18, 0x1122334455667788ull);
	check_eq(r64(td + 0x18), 0x1122334455667788ull, "an aligned round trip still works");
	check_eq(r32(plic + 4), 0, "an aligned PLIC read still works");
	check_eq(traps, 0, "and takes no exception");
}

/* Across RAM's ends: half the access is RAM, half is not. */
static void straddle_cases(void)
{
	volatile uint64_t *last = (volatile uint64_t *)(RAM_END - 8);

	*last = 0x8877665544332211ull;
	load_faults(try_ld, RAM_END - 4, RAM_END - 4, "ld across RAM's end");
	store_faults(try_sd, RAM_END - 4, RAM_END - 4, "sd across RAM's end");
	check_eq(*last, 0x8877665544332211ull, "the straddling sd left RAM alone");
	load_faults(try_lw, RAM_BASE - 2, RAM_BASE - 2, "lw across RAM's start");
}

static void paging_on(void)
{
	const uint64_t rw = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;

	root[0] = (0ul >> 12) << 10 | rw;
	root[2] = (RAM_BASE >> 12) << 10 | rw | PTE_X;
	root[DEV_ALIAS >> 30] = (0ul >> 12) << 10 | rw;
	__asm__ volatile("csrw satp, %0; sfence.vma" ::"r"(SATP_SV39 | (uintptr_t)root >> 12)
			 : "memory");
}

static void paging_off(void)
{
	__asm__ volatile("csrw satp, zero; sfence.vma" ::: "memory");
}

int main(uint64_t hartid, uint64_t dtb);
int main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	exc_hook = on_exception;

	device_cases(0);
	straddle_cases();

	/* Misaligned inside RAM: QEMU's hart performs it, the host never sees it. */
	for (unsigned i = 0; i < sizeof(ram_buf); i++)
		ram_buf[i] = (uint8_t)(0x10 + i);
	uint64_t v;
	arm();
	try_lw((uintptr_t)ram_buf + 1, &v);
	check_eq(v, 0x14131211u, "a misaligned lw in RAM reads RAM");
	check_eq(traps, 0, "and takes no exception");

	/* stval is the virtual address, not the guest-physical one. */
	paging_on();
	device_cases(DEV_ALIAS);
	paging_off();

	exc_hook = 0;
	done("misalign");
}

void secondary_main(uint64_t hartid, uint64_t opaque);
void secondary_main(uint64_t hartid, uint64_t opaque)
{
	(void)hartid;
	(void)opaque;
}
