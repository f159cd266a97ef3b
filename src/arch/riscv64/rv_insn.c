/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RV64 integer loads and stores, full-size and compressed (the privileged
 * spec's "transformed instruction" form in htinst is a full-size one with
 * bit 1 telling the original length). Everything else is refused: the
 * host emulates no FP, atomic or vector access to a device.
 */
#include <axvm/types.h>

#include "rv_insn.h"

#define OP_LOAD 0x03u
#define OP_STORE 0x23u

static int set(struct rv_mmio_insn *o, unsigned len, unsigned log2w, bool store,
	       bool sx, unsigned reg)
{
	o->len = (uint8_t)len;
	o->width = (uint8_t)(1u << log2w);
	o->store = store;
	o->sign_extend = sx;
	o->reg = (uint8_t)reg;
	return 0;
}

static int decode32(uint32_t i, unsigned len, struct rv_mmio_insn *o)
{
	unsigned f3 = (i >> 12) & 7u;

	switch (i & 0x7fu) {
	case OP_LOAD: /* lb lh lw ld lbu lhu lwu; f3 = 7 is reserved */
		if (f3 == 7)
			return AXVM_EINVAL;
		return set(o, len, f3 & 3u, false, f3 < 4 && f3 != 3, (i >> 7) & 31u);
	case OP_STORE: /* sb sh sw sd */
		if (f3 > 3)
			return AXVM_EINVAL;
		return set(o, len, f3, true, false, (i >> 20) & 31u);
	default:
		return AXVM_EINVAL;
	}
}

/* Quadrants 0 and 2 hold the compressed loads and stores; rd'/rs2' name
 * x8..x15. The FP forms share the encoding space and are refused. */
static int decode16(uint32_t i, struct rv_mmio_insn *o)
{
	unsigned f3 = (i >> 13) & 7u, rp = 8u + ((i >> 2) & 7u), rd = (i >> 7) & 31u;

	switch (i & 3u) {
	case 0:
		switch (f3) {
		case 2: return set(o, 2, 2, false, true, rp);  /* c.lw */
		case 3: return set(o, 2, 3, false, false, rp); /* c.ld */
		case 6: return set(o, 2, 2, true, false, rp);  /* c.sw */
		case 7: return set(o, 2, 3, true, false, rp);  /* c.sd */
		default: return AXVM_EINVAL;
		}
	case 2:
		switch (f3) {
		case 2: /* c.lwsp; rd = 0 is reserved */
			return rd ? set(o, 2, 2, false, true, rd) : AXVM_EINVAL;
		case 3: /* c.ldsp */
			return rd ? set(o, 2, 3, false, false, rd) : AXVM_EINVAL;
		case 6: return set(o, 2, 2, true, false, (i >> 2) & 31u); /* c.swsp */
		case 7: return set(o, 2, 3, true, false, (i >> 2) & 31u); /* c.sdsp */
		default: return AXVM_EINVAL;
		}
	default:
		return AXVM_EINVAL;
	}
}

int rv_insn_decode(uint32_t insn, struct rv_mmio_insn *out)
{
	if (!out)
		return AXVM_EINVAL;
	if ((insn & 3u) == 3u)
		return decode32(insn, 4, out);
	return decode16(insn & 0xffffu, out);
}

int rv_insn_from_htinst(uint64_t htinst, struct rv_mmio_insn *out)
{
	if (!out)
		return AXVM_EINVAL;
	if (!htinst)
		return AXVM_ENOENT;
	/* Bit 0 clear: a pseudoinstruction (implicit VS-stage page-table
	 * access: 0x2000, 0x3000, 0x2020, 0x3020) or a custom value. */
	if (!(htinst & 1u) || htinst > UINT32_MAX)
		return AXVM_EINVAL;
	return decode32((uint32_t)htinst | 3u, (htinst & 2u) ? 4u : 2u, out);
}
