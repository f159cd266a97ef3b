/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mmio: every load/store width, sign-extending loads into X and W
 * registers, XZR as source and destination, a system-register device
 * (ACTLR_EL1), an access nobody claims, and the emulated GIC's registers.
 * Each access below is one stage-2 fault decoded from ESR_EL2.
 */
#include "guest.h"

#define DEV TESTDEV_BASE
#define LOAD(insn, reg)                                                       \
	static inline uint64_t insn##_##reg(uintptr_t a)                      \
	{                                                                     \
		uint64_t v;                                                   \
		/* preload all-ones: a W load must clear the upper half */     \
		__asm__ volatile("mov %x0, #-1\n\t" #insn " %" #reg "0, [%1]" \
				 : "=&r"(v) : "r"(a) : "memory");             \
		return v;                                                     \
	}
LOAD(ldrb, w)
LOAD(ldrh, w)
LOAD(ldr, w)
LOAD(ldr, x)
LOAD(ldrsb, x)
LOAD(ldrsb, w)
LOAD(ldrsh, x)
LOAD(ldrsh, w)
LOAD(ldrsw, x)

#define STORE(insn, reg)                                                      \
	static inline void insn##_##reg(uintptr_t a, uint64_t v)              \
	{                                                                     \
		__asm__ volatile(#insn " %" #reg "0, [%1]" ::"r"(v), "r"(a) : "memory"); \
	}
STORE(strb, w)
STORE(strh, w)
STORE(str, w)
STORE(str, x)

static uint64_t actlr_read(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, actlr_el1" : "=r"(v));
	return v;
}

int main(uint64_t dtb);
int main(uint64_t dtb)
{
	uint64_t sp0, sp1;

	(void)dtb;
	gputs("mmio: widths, sign extension, XZR, sysregs, vGIC\n");

	/* Widths: a 64-bit store read back in pieces. */
	str_x(DEV, 0x1122334455667788ull);
	check_eq(ldr_x(DEV), 0x1122334455667788ull, "64-bit round trip");
	check_eq(ldrb_w(DEV), 0x88, "8-bit load zero-extends into Wt and Xt");
	check_eq(ldrh_w(DEV + 6), 0x1122, "16-bit load");
	check_eq(ldr_w(DEV + 4), 0x11223344, "32-bit load clears bits 63:32");
	strb_w(DEV + 1, 0xab);
	strh_w(DEV + 2, 0xcdef);
	str_w(DEV + 4, 0x01020304);
	check_eq(ldr_x(DEV), 0x01020304cdefab88ull, "8/16/32-bit stores merge");

	/* Sign extension: SSE with SF = 1 (Xt) and SF = 0 (Wt). */
	strb_w(DEV + 8, 0x80);
	check_eq(ldrsb_x(DEV + 8), 0xffffffffffffff80ull, "ldrsb Xt");
	check_eq(ldrsb_w(DEV + 8), 0x00000000ffffff80ull, "ldrsb Wt");
	strb_w(DEV + 9, 0x7f);
	check_eq(ldrsb_x(DEV + 9), 0x7f, "ldrsb of a positive byte");
	strh_w(DEV + 16, 0x8001);
	check_eq(ldrsh_x(DEV + 16), 0xffffffffffff8001ull, "ldrsh Xt");
	check_eq(ldrsh_w(DEV + 16), 0x00000000ffff8001ull, "ldrsh Wt");
	check_eq(ldrh_w(DEV + 16), 0x8001, "ldrh does not sign-extend");
	str_w(DEV + 24, 0x80000000u);
	check_eq(ldrsw_x(DEV + 24), 0xffffffff80000000ull, "ldrsw");
	check_eq(ldr_w(DEV + 24), 0x80000000ull, "ldr Wt does not sign-extend");

	/* Register 31 is XZR in loads and stores, never SP. */
	str_x(DEV + 32, 0x5555aaaa5555aaaaull);
	__asm__ volatile("str xzr, [%0]" ::"r"(DEV + 32) : "memory");
	check_eq(ldr_x(DEV + 32), 0, "str xzr stores zero");
	__asm__ volatile("mov %0, sp" : "=r"(sp0));
	__asm__ volatile("ldr xzr, [%0]" ::"r"(DEV) : "memory");
	__asm__ volatile("ldrsb wzr, [%0]" ::"r"(DEV + 8) : "memory");
	__asm__ volatile("mov %0, sp" : "=r"(sp1));
	check_eq(sp1, sp0, "a load into XZR leaves SP alone");

	/* Device registers other than scratch: a read-only id, any width. */
	check_eq(ldr_x(DEV + 0x100), 0x0123456789abcdefull, "id register");
	check_eq(ldrb_w(DEV + 0x100), 0xef, "id register, byte 0");
	check_eq(ldrh_w(DEV + 0x102), 0x89ab, "id register, bytes 2-3");
	check_eq(ldr_w(DEV + 0x104), 0x01234567, "id register, high word");
	uint64_t n0 = ldr_x(DEV + 0x200), n1 = ldr_x(DEV + 0x200);
	check_eq(n1, n0 + 1, "every access reaches the device once");

	/* Nobody claims this address: the VM's IGNORE policy reads zero. */
	str_w(UNMAPPED_MMIO, 0x12345678);
	check_eq(ldr_w(UNMAPPED_MMIO), 0, "unclaimed MMIO reads as zero");

	/* ACTLR_EL1 traps (HCR_EL2.TACR) to a SYSREG-bus device. */
	check_eq(actlr_read(), 0x5a5a, "ACTLR_EL1 read through a sysreg exit");
	__asm__ volatile("msr actlr_el1, %0" ::"r"(0x1234ull));
	check_eq(actlr_read(), 0x1234, "ACTLR_EL1 write then read");

	/* The emulated GICv3 distributor and redistributors. */
	check_eq(ldr_w(GICD_BASE + 0xffe8) >> 4 & 0xf, 3, "GICD_PIDR2 says GICv3");
	check_eq(ldr_w(GICD_BASE + 0x4) & 0x1f, 2, "GICD_TYPER: 96 interrupt lines");
	/* Redistributors: one per vCPU, affinities 0, 1, ..., Last on the
	 * final one; nothing after it. */
	unsigned n = 0;
	bool order_ok = true;
	for (; n < 4; n++) {
		uint64_t typer = ldr_x(GICR_BASE + n * GICR_STRIDE + 0x8);
		order_ok &= (typer >> 32) == n && ((typer >> 8) & 0xffff) == n;
		if (typer & (1u << 4))
			break;
	}
	check(n < 4 && order_ok, "GICR_TYPER: affinity and processor number per vCPU");
	check_eq(ldr_x(GICR_BASE + (n + 1) * GICR_STRIDE + 0x8), 0,
		 "no redistributor after the Last one");
	w32(GICD_BASE + 0x420, 0xa0b0c0d0);
	check_eq(ldrb_w(GICD_BASE + 0x421), 0xc0, "GICD_IPRIORITYR byte access");
	done("mmio");
}

void secondary_main(uint64_t ctx);
void secondary_main(uint64_t ctx)
{
	(void)ctx;
}
