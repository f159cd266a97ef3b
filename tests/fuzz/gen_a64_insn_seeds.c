/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Seeds for fuzz_a64_insn (input: fuzz_a64_insn.h): one word of each form
 * a64_ldst_va() decodes, and of the forms it refuses, with registers that
 * put the access just below a page boundary and index registers whose
 * sign and upper half matter. Each faults 8 bytes wide with FAR 4 bytes
 * past the decoded start, on the page after RAM, as QEMU reports it.
 *
 *   gen_a64_insn_seeds DIR
 */
#include "fuzz_a64_insn.h"
#include "seed_file.h"

/* Encodings from GNU as (Capstone agrees), mnemonic beside each. */
static const struct {
	const char *name;
	uint32_t insn;
} forms[] = {
	/* unsigned immediate, each size and sign */
	{ "ldrb-imm", 0x397ffc01 },  /* ldrb w1, [x0, #4095] */
	{ "strh-imm", 0x79000c62 },  /* strh w2, [x3, #6] */
	{ "ldrsh-imm", 0x79c00401 }, /* ldrsh w1, [x0, #2] */
	{ "ldr-w-imm", 0xb9400c01 }, /* ldr w1, [x0, #12] */
	{ "ldrsw-imm", 0xb9800401 }, /* ldrsw x1, [x0, #4] */
	{ "str-x-imm", 0xf90007e1 }, /* str x1, [sp, #8] */
	{ "prfm-imm", 0xf9800400 },  /* prfm pldl1keep, [x0, #8] */
	/* unscaled and unprivileged, signed imm9 */
	{ "ldur", 0xf85fc001 },   /* ldur x1, [x0, #-4] */
	{ "sturh", 0x781ff3e1 },  /* sturh w1, [sp, #-1] */
	{ "ldursw", 0xb88ff001 }, /* ldursw x1, [x0, #255] */
	{ "ldtr", 0xf8400801 },   /* ldtr x1, [x0] */
	{ "sttrb", 0x381fd801 },  /* sttrb w1, [x0, #-3] */
	{ "ldtrsw", 0xb8808801 }, /* ldtrsw x1, [x0, #8] */
	{ "ldtrh-rt-rn", 0x78405821 }, /* ldtrh w1, [x1, #5]: Capstone 4 refuses it */
	/* register offset: each extend, with and without the S bit */
	{ "reg-lsl", 0xf8626801 },    /* ldr x1, [x0, x2] */
	{ "reg-lsl-s", 0xf8627801 },  /* ldr x1, [x0, x2, lsl #3] */
	{ "reg-uxtw", 0xb8624801 },   /* ldr w1, [x0, w2, uxtw] */
	{ "reg-uxtw-s", 0x78625801 }, /* ldrh w1, [x0, w2, uxtw #1] */
	{ "reg-sxtw", 0x3862c801 },   /* ldrb w1, [x0, w2, sxtw] */
	{ "reg-sxtw-s", 0xb822dbe1 }, /* str w1, [sp, w2, sxtw #2] */
	{ "reg-sxtx", 0xb8a2e801 },   /* ldrsw x1, [x0, x2, sxtx] */
	{ "reg-sxtx-s", 0x7822f801 }, /* strh w1, [x0, x2, sxtx #1] */
	{ "reg-xzr", 0xf87f7801 },    /* ldr x1, [x0, xzr, lsl #3] */
	{ "reg-prfm", 0xf8a27800 },   /* prfm pldl1keep, [x0, x2, lsl #3] */
	/* literal: PC relative */
	{ "lit-w", 0x18ffffe1 },     /* ldr w1, . - 4 */
	{ "lit-x", 0x58000041 },     /* ldr x1, . + 8 */
	{ "lit-ldrsw", 0x98008001 }, /* ldrsw x1, . + 4096 */
	{ "lit-prfm", 0xd8800000 },  /* prfm pldl1keep, . - 1 MiB */
	/* refused: no syndrome, or never across a page */
	{ "ldp", 0xa9400801 },       /* ldp x1, x2, [x0] */
	{ "post-index", 0xf8408401 }, /* ldr x1, [x0], #8 */
	{ "pre-index", 0xf8408c01 }, /* ldr x1, [x0, #8]! */
	{ "simd", 0x3dc00401 },      /* ldr q1, [x0, #16] */
	{ "ldar", 0xc8dffc01 },      /* ldar x1, [x0] */
	{ "ldxr", 0xc85f7c01 },      /* ldxr x1, [x0] */
};

static void fill(struct seed *s, uint32_t insn)
{
	seed_put(s, insn, 4);
	seed_put(s, 0x40080000u, 8); /* PC */
	seed_put(s, 0x40ffff00u, 8); /* SP */
	for (unsigned i = 0; i < FI_NR_X; i++) {
		uint64_t v = 0x40fff000u + 0x10u * i;
		if (i == 0)
			v = 0x40fffff0u;
		else if (i == 2)
			v = 0x1fffffff8ull; /* W2 is -8 signed, 0xfffffff8 unsigned */
		else if (i == 3)
			v = 0x40ffeffcu;
		seed_put(s, v, 8);
	}
	seed_put(s, FI_NEAR | 3u, 1);  /* SAS 3: 8 bytes wide */
	seed_put(s, 4, 8);             /* FAR: the decoded start + 4 */
	seed_put(s, 0x41000u << 4, 8); /* HPFAR: IPA page 0x41000000 */
	seed_put(s, 0x40fff000u, 8);   /* the start's IPA page */
}

int main(int argc, char **argv)
{
	static struct seed s;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		s.n = 0;
		fill(&s, forms[i].insn);
		bad |= seed_save(argv[1], forms[i].name, &s);
	}
	return bad;
}
