/* SPDX-License-Identifier: Apache-2.0 */
/* mmio: the test device through every integer load/store width, sign and
 * zero extension, the compressed forms, x0 as a destination, and
 * unclaimed MMIO. */
#include "guest.h"

#define TD TESTDEV_BASE

/* c.sw / c.lw / c.sd / c.ld: registers x8..x15 only. */
static uint64_t compressed_rt(uint64_t v)
{
	register uint64_t a0 __asm__("a0") = v;
	register uint64_t a1 __asm__("a1") = TD + 0x40;
	register uint64_t a2 __asm__("a2");
	register uint64_t a3 __asm__("a3");

	__asm__ volatile(".option push\n.option rvc\n"
			 "c.sd a0, 8(a1)\n"
			 "c.sw a0, 16(a1)\n"
			 "c.ld a2, 8(a1)\n"
			 "c.lw a3, 16(a1)\n"
			 ".option pop"
			 : "=r"(a2), "=r"(a3)
			 : "r"(a0), "r"(a1)
			 : "memory");
	return a2 ^ (a3 << 1);
}

/* The sp-relative forms: sp points at the device for one asm block
 * (interrupts are off, nothing else can use the stack meanwhile). */
static void compressed_sp(uint64_t v, uint64_t *d, uint64_t *w)
{
	uint64_t rd, rw;

	__asm__ volatile(".option push\n.option rvc\n"
			 "mv t0, sp\n"
			 "mv sp, %[dev]\n"
			 "c.sdsp %[v], 24(sp)\n"
			 "c.swsp %[v], 32(sp)\n"
			 "c.ldsp %[rd], 24(sp)\n"
			 "c.lwsp %[rw], 32(sp)\n"
			 "mv sp, t0\n"
			 ".option pop"
			 : [rd] "=&r"(rd), [rw] "=&r"(rw)
			 : [v] "r"(v), [dev] "r"(TD + 0x80)
			 : "t0", "memory");
	*d = rd;
	*w = rw;
}

int main(uint64_t hartid, uint64_t dtb);
int main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	uint64_t before = r64(TD + 0x200);

	w8(TD + 0, 0xa5);
	check_eq(r8(TD + 0), 0xa5, "byte round trip");
	w16(TD + 2, 0xbeef);
	check_eq(r16(TD + 2), 0xbeef, "halfword round trip");
	w32(TD + 4, 0xcafef00d);
	check_eq(r32(TD + 4), 0xcafef00d, "word round trip");
	w64(TD + 8, 0x0123456789abcdefull);
	check_eq(r64(TD + 8), 0x0123456789abcdefull, "doubleword round trip");
	check_eq(r32(TD + 0), 0xbeef00a5, "little-endian layout");

	w8(TD + 16, 0x80);
	w16(TD + 18, 0x8000);
	w32(TD + 20, 0x80000000u);
	check_eq((uint64_t)r8s(TD + 16), 0xffffffffffffff80ull, "lb sign-extends");
	check_eq(r8(TD + 16), 0x80, "lbu zero-extends");
	check_eq((uint64_t)r16s(TD + 18), 0xffffffffffff8000ull, "lh sign-extends");
	check_eq(r16(TD + 18), 0x8000, "lhu zero-extends");
	check_eq((uint64_t)r32s(TD + 20), 0xffffffff80000000ull, "lw sign-extends");
	check_eq(r32(TD + 20), 0x80000000u, "lwu zero-extends");

	check_eq(r64(TD + 0x100), 0x0123456789abcdefull, "read-only id");
	w64(TD + 0x100, 0); /* outside the scratch: refused, ignored */
	check_eq(r32(TD + 0x104), 0x01234567, "id upper word");

	check_eq(compressed_rt(0x1122334455667788ull),
		 0x1122334455667788ull ^ (0x55667788ull << 1), "c.sd/c.sw/c.ld/c.lw");
	w32(TD + 0x50, 0x80000001u);
	register uint64_t a3 __asm__("a3");
	register uint64_t a1 __asm__("a1") = TD + 0x40;
	__asm__ volatile(".option push\n.option rvc\nc.lw a3, 16(a1)\n.option pop"
			 : "=r"(a3) : "r"(a1) : "memory");
	check_eq(a3, 0xffffffff80000001ull, "c.lw sign-extends");

	uint64_t d, w;
	compressed_sp(0x8877665544332211ull, &d, &w);
	check_eq(d, 0x8877665544332211ull, "c.sdsp/c.ldsp");
	check_eq(w, 0x44332211ull, "c.swsp/c.lwsp");

	/* A load into x0 is performed and discarded. */
	__asm__ volatile(".option push\n.option norvc\nlw x0, 0(%0)\n.option pop" ::"r"(TD)
			 : "memory");
	check_eq(r8(TD + 0), 0xa5, "still alive after a load into x0");

	check_eq(r32(UNMAPPED_MMIO), 0, "unclaimed MMIO reads 0");
	w32(UNMAPPED_MMIO, 1);
	check(r64(TD + 0x200) > before + 20, "the device counted the accesses");
	done("mmio");
}

void secondary_main(uint64_t hartid, uint64_t opaque);
void secondary_main(uint64_t hartid, uint64_t opaque)
{
	(void)hartid;
	(void)opaque;
}
