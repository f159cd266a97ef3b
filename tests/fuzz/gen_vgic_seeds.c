/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Seeds for fuzz_a64_vgic (input language: fuzz_a64_vgic.h): what a GICv3
 * driver does at boot and later, and the edges a hostile guest tries.
 *
 *   gen_vgic_seeds DIR
 */
#include "fuzz_a64_vgic.h"
#include "seed_file.h"

#define W1 0u
#define W2 1u
#define W4 2u
#define W8 3u

static void head(struct seed *s, unsigned vcpus, unsigned flags, unsigned slot)
{
	seed_put(s, vcpus - 1, 1);
	seed_put(s, flags, 1);
	seed_put(s, slot, 1);
}

static void gicd_rd(struct seed *s, unsigned off, unsigned w)
{
	seed_put(s, FV_GICD_READ, 1);
	seed_put(s, off, 2);
	seed_put(s, w, 1);
}

static void gicd_wr(struct seed *s, unsigned off, unsigned w, uint64_t v)
{
	seed_put(s, FV_GICD_WRITE, 1);
	seed_put(s, off, 2);
	seed_put(s, w, 1);
	seed_put(s, v, 8);
}

static void gicr_rd(struct seed *s, unsigned frame, unsigned off, unsigned w)
{
	seed_put(s, FV_GICR_READ, 1);
	seed_put(s, frame, 1);
	seed_put(s, off, 3);
	seed_put(s, w, 1);
}

static void gicr_wr(struct seed *s, unsigned frame, unsigned off, unsigned w, uint64_t v)
{
	seed_put(s, FV_GICR_WRITE, 1);
	seed_put(s, frame, 1);
	seed_put(s, off, 3);
	seed_put(s, w, 1);
	seed_put(s, v, 8);
}

static void sgi(struct seed *s, unsigned from, unsigned rt, uint64_t v)
{
	seed_put(s, FV_SGI, 1);
	seed_put(s, from, 1);
	seed_put(s, rt, 1);
	seed_put(s, v, 8);
}

/* Linux's gic_dist_init() and, per CPU, gic_cpu_init(), for 4 vCPUs. */
static void boot(struct seed *s)
{
	head(s, 4, 0, 0);
	gicd_wr(s, 0x0000, W4, 0);
	gicd_rd(s, 0x0004, W4);
	gicd_rd(s, 0xffe8, W4);
	for (unsigned n = 1; n < 3; n++) {
		gicd_wr(s, 0x0080 + 4 * n, W4, 0xffffffffu);
		gicd_wr(s, 0x0180 + 4 * n, W4, 0xffffffffu);
	}
	for (unsigned n = 2; n < 6; n++)
		gicd_wr(s, 0x0c00 + 4 * n, W4, 0);
	for (unsigned n = 0; n < 64; n += 4)
		gicd_wr(s, 0x0420 + n, W4, 0xa0a0a0a0u);
	for (unsigned n = 0; n < 64; n++)
		gicd_wr(s, 0x6100 + 8 * n, W8, 0);
	gicd_wr(s, 0x0000, W4, 0x12);
	for (unsigned c = 0; c < 4; c++) {
		gicr_rd(s, c, 0x0008, W8);
		gicr_wr(s, c, 0x0014, W4, 0);
		gicr_rd(s, c, 0x0014, W4);
		gicr_wr(s, c, 0x10180, W4, 0xffff0000u);
		gicr_wr(s, c, 0x10100, W4, 0x0000ffffu);
		for (unsigned n = 0; n < 32; n += 4)
			gicr_wr(s, c, 0x10400 + n, W4, 0xa0a0a0a0u);
		gicr_wr(s, c, 0x10c04, W4, 0);
	}
}

/* SPIs enabled, routed to different vCPUs, made pending and cleared. */
static void spis(struct seed *s)
{
	head(s, 20, 0, 0);
	gicd_wr(s, 0x0000, W4, 0x12);
	gicd_wr(s, 0x0104, W4, 0xffffffffu);
	gicd_wr(s, 0x0108, W4, 0x0000ffffu);
	gicd_wr(s, 0x6100, W8, 0x0001);   /* SPI 0 -> vCPU 1 */
	gicd_wr(s, 0x6108, W4, 0x0103);   /* SPI 1 -> vCPU 19 */
	gicd_wr(s, 0x610c, W4, 0);
	gicd_wr(s, 0x6110, W8, 0x80000000u); /* IRM */
	gicd_wr(s, 0x6118, W8, 0x10000);  /* Aff2: no vCPU */
	gicd_wr(s, 0x0204, W4, 0x0000000fu);
	gicd_wr(s, 0x0208, W4, 0x80000001u);
	gicd_wr(s, 0x0284, W4, 0x00000005u);
	gicr_wr(s, 3, 0x10200, W4, 0x08000002u);
	gicr_wr(s, 3, 0x10280, W4, 0x00000002u);
	gicd_rd(s, 0x6108, W8);
	gicd_rd(s, 0x6108, W1); /* IROUTER, one byte */
	gicd_rd(s, 0x610c, W2);
}

/* SGIs: TargetList with Aff1, IRM, to itself, by XZR, another register. */
static void sgis(struct seed *s)
{
	head(s, 40, FV_NO_CORE, 17);
	gicr_wr(s, 0, 0x10100, W4, 0xffffu);
	sgi(s, 0, 1, (5ull << 24) | 0x6);                  /* vCPUs 1, 2 */
	sgi(s, 2, 3, (1ull << 24) | (1ull << 16) | 0x3);   /* vCPUs 16, 17 */
	sgi(s, 1, 2, (15ull << 24) | (1ull << 40));        /* all but 1 */
	sgi(s, 4, 4, 0x10);                                /* itself */
	sgi(s, 5, 31, 0);                                  /* XZR */
	sgi(s, 6, 5, (2ull << 16) | (1ull << 44) | 0xff);  /* RS 1 */
	sgi(s, 7, 0x80 | 6, 0xffffu);                      /* raw syndrome */
	seed_put(s, 0x18u << 26 | 0x1f0 | 0x10, 4);
	seed_put(s, FV_TARGETS, 1);
	seed_put(s, (3ull << 16) | 0xffffu, 8);
}

/* The windows' edges, every width, unaligned offsets, frames past the
 * last vCPU and one not created yet, the port's hook. */
static void edges(struct seed *s)
{
	head(s, 3, FV_NO_VCPU | FV_HOOK, 1);
	gicd_rd(s, 0xffff, W8);
	gicd_wr(s, 0x07ff, W8, ~0ull);
	gicd_wr(s, 0x045f, W8, ~0ull); /* the last SPI's priority, then nothing */
	gicr_wr(s, 1, 0x1041f, W8, ~0ull);
	gicd_wr(s, 0x0105, W4, ~0ull);
	gicd_wr(s, 0x0c17, W4, ~0ull);
	gicd_wr(s, 0x62ff, W8, ~0ull);
	gicd_rd(s, 0x62fc, W4);
	gicr_rd(s, 1, 0x0008, W8);
	gicr_rd(s, 2, 0x000c, W4);
	gicr_wr(s, 3, 0x10100, W4, 1);
	gicr_rd(s, 2, 0x1041f, W8);
	sgi(s, 0, 1, 0x7);
	seed_put(s, FV_ANY, 1);
	seed_put(s, 0x080A0000ull + 3 * 0x20000ull - 1, 8);
	seed_put(s, 0x80 | W2, 1);
	seed_put(s, 0xffff, 8);
	seed_put(s, FV_ANY, 1);
	seed_put(s, ~0ull, 8);
	seed_put(s, W8, 1);
	seed_put(s, 0, 8);
	seed_put(s, FV_INJECT, 1);
	seed_put(s, 0, 1);
	seed_put(s, 96, 2);
	seed_put(s, 1, 1);
	seed_put(s, FV_INJECT, 1);
	seed_put(s, 2, 1);
	seed_put(s, 27, 2);
	seed_put(s, 1, 1);
}

int main(int argc, char **argv)
{
	static const struct seed_kind kinds[] = {
		{ "boot", boot }, { "spis", spis }, { "sgis", sgis }, { "edges", edges },
	};

	return seed_main(argc, argv, kinds, sizeof(kinds) / sizeof(kinds[0]));
}
