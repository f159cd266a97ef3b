/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_a64_insn: the AArch64 backend's decoder of the load or store that
 * took a stage-2 data abort (a64_ldst_va() in a64_fault.c, compiled for
 * the host), on any instruction word and register values, checked against
 * Capstone 4's disassembly of the same word at the same PC; then the
 * inline helpers of a64_fault.h on what was decoded and a fault's FAR,
 * HPFAR and syndrome width.
 *
 * What is checked, besides ASan and UBSan (X0..X30 are a heap block of
 * exactly 31 registers):
 * - the decoder answers for exactly the words Capstone disassembles as a
 *   load or store of one general register, or a prefetch, with no
 *   writeback: LDR/STR of every size and sign (unsigned immediate,
 *   register offset, literal), LDUR/STUR, LDTR/STTR, PRFM/PRFUM. Pairs,
 *   writeback, SIMD, acquire/release, exclusives, atomics, unallocated
 *   encodings and every other instruction are refused;
 * - the address it gives is the one Capstone's operands name: the base
 *   register (31 is SP) plus the displacement, or plus the index register
 *   (31 is XZR) extended and shifted as Capstone says, or the literal's
 *   target, which Capstone computes from the PC it is given;
 * - a64_access_start() takes the decoded address exactly when the access
 *   of `width` bytes there holds FAR; a64_access_straddles() and
 *   a64_far_may_follow_start() agree with a walk over the access's bytes;
 *   a64_dabt_ipa() stays on HPFAR's page, at the start's offset unless the
 *   access crosses into a page other than the start's.
 *
 * Where Capstone 4 is wrong (it refuses LDTR loads with Rt == Rn) the
 * harness works around it in capstone_va(), for that form alone.
 *
 * Input: fuzz_a64_insn.h; seeds from gen_a64_insn_seeds.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <capstone/capstone.h>

#include "a64_fault.h"
#include "fuzz_a64_insn.h"
#include "fuzz_input.h"

static csh cs;
static cs_insn *ci;
static uint64_t *x; /* X0..X30, nothing past them */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	CHECK(cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &cs) == CS_ERR_OK);
	CHECK(cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON) == CS_ERR_OK);
	CHECK((ci = cs_malloc(cs)) != NULL);
	CHECK((x = malloc(FI_NR_X * sizeof(*x))) != NULL);
	return 0;
}

/* --- Capstone's view of the word --------------------------------------------- */

/* X0..X30: what a base register is, besides SP. */
static bool is_x(unsigned reg)
{
	return (reg >= ARM64_REG_X0 && reg <= ARM64_REG_X28) || reg == ARM64_REG_X29 ||
	       reg == ARM64_REG_X30;
}

/* A general register Rt may be: Xn, Wn, XZR, WZR. */
static bool is_rt(unsigned reg)
{
	return is_x(reg) || (reg >= ARM64_REG_W0 && reg <= ARM64_REG_W30) ||
	       reg == ARM64_REG_XZR || reg == ARM64_REG_WZR;
}

/* A general register Capstone names, as an address computation reads it:
 * Wn is Xn's low half, WZR and XZR are zero, SP the stack pointer. False
 * for anything else (SIMD registers, none). */
static bool gpr(unsigned reg, const struct a64_addr_regs *r, uint64_t *v)
{
	if (reg >= ARM64_REG_X0 && reg <= ARM64_REG_X28)
		*v = r->x[reg - ARM64_REG_X0];
	else if (reg == ARM64_REG_X29)
		*v = r->x[29];
	else if (reg == ARM64_REG_X30)
		*v = r->x[30];
	else if (reg >= ARM64_REG_W0 && reg <= ARM64_REG_W30)
		*v = (uint32_t)r->x[reg - ARM64_REG_W0];
	else if (reg == ARM64_REG_XZR || reg == ARM64_REG_WZR)
		*v = 0;
	else if (reg == ARM64_REG_SP)
		*v = r->sp;
	else
		return false;
	return true;
}

/* Loads and stores of one general register (Rt), by Capstone's name.
 * LDR and STR also name the SIMD forms: Rt's register tells those. */
static bool one_gpr_ldst(unsigned id)
{
	switch (id) {
	case ARM64_INS_LDR: case ARM64_INS_LDRB: case ARM64_INS_LDRH:
	case ARM64_INS_LDRSB: case ARM64_INS_LDRSH: case ARM64_INS_LDRSW:
	case ARM64_INS_STR: case ARM64_INS_STRB: case ARM64_INS_STRH:
	case ARM64_INS_LDUR: case ARM64_INS_LDURB: case ARM64_INS_LDURH:
	case ARM64_INS_LDURSB: case ARM64_INS_LDURSH: case ARM64_INS_LDURSW:
	case ARM64_INS_STUR: case ARM64_INS_STURB: case ARM64_INS_STURH:
	case ARM64_INS_LDTR: case ARM64_INS_LDTRB: case ARM64_INS_LDTRH:
	case ARM64_INS_LDTRSB: case ARM64_INS_LDTRSH: case ARM64_INS_LDTRSW:
	case ARM64_INS_STTR: case ARM64_INS_STTRB: case ARM64_INS_STTRH:
		return true;
	default:
		return false;
	}
}

/* Rt of a load or store, or the prefetch operation of a prefetch
 * (Capstone gives an immediate for the prfop values it has no name for). */
static bool transfers_one_gpr(unsigned id, const cs_arm64_op *rt)
{
	if (id == ARM64_INS_PRFM || id == ARM64_INS_PRFUM)
		return rt->type == ARM64_OP_PREFETCH || rt->type == ARM64_OP_IMM;
	return one_gpr_ldst(id) && rt->type == ARM64_OP_REG && is_rt(rt->reg);
}

/* The index term of a register-offset address: Rm, extended, shifted. */
static bool index_term(const cs_arm64_op *m, const struct a64_addr_regs *r, uint64_t *v)
{
	if (m->mem.index == ARM64_REG_SP || !gpr(m->mem.index, r, v))
		return false;
	switch (m->ext) {
	case ARM64_EXT_INVALID: /* LSL, or none */
	case ARM64_EXT_UXTX:
	case ARM64_EXT_SXTX:
		break;
	case ARM64_EXT_UXTW:
		*v = (uint32_t)*v;
		break;
	case ARM64_EXT_SXTW:
		*v = (uint64_t)(int64_t)(int32_t)(uint32_t)*v;
		break;
	default:
		return false; /* no load or store extends a byte or halfword */
	}
	if (m->shift.type == ARM64_SFT_LSL && m->shift.value < 64)
		*v <<= m->shift.value;
	else if (m->shift.type != ARM64_SFT_INVALID)
		return false;
	return true;
}

/* Capstone's disassembly of `insn` at `pc` into ci. */
static bool disasm(uint32_t insn, uint64_t pc)
{
	const uint8_t code[4] = { (uint8_t)insn, (uint8_t)(insn >> 8), (uint8_t)(insn >> 16),
				  (uint8_t)(insn >> 24) };
	const uint8_t *p = code;
	size_t n = sizeof(code);

	return cs_disasm_iter(cs, &p, &n, &pc, ci);
}

/* What Capstone makes of `insn` at r->pc: true, with the address it
 * accesses, for a load or store of one general register or a prefetch
 * with no writeback. */
static bool capstone_va(uint32_t insn, const struct a64_addr_regs *r, uint64_t *va)
{
	uint32_t rt = insn & 0x1fu, rn = (insn >> 5) & 0x1fu;
	uint64_t base, idx;
	const cs_arm64 *d;
	const cs_arm64_op *m;

	/* Capstone 4 refuses LDTR loads with Rt == Rn as if they wrote back;
	 * the Arm ARM's LDTR has no writeback, so no such constraint. Rt
	 * plays no part in the address: ask with another. */
	if (!disasm(insn, r->pc) &&
	    !((insn & 0x3f200c00u) == 0x38000800u && rt == rn && disasm(insn ^ 1u, r->pc)))
		return false;
	d = &ci->detail->arm64;
	/* pre- and post-index: writeback (post-index's offset is a third operand) */
	if (d->writeback || d->op_count != 2 || !transfers_one_gpr(ci->id, &d->operands[0]))
		return false;
	m = &d->operands[1];
	if (m->type == ARM64_OP_IMM) {
		/* literal: Capstone resolves it to the target, PC + offset */
		if (ci->id != ARM64_INS_LDR && ci->id != ARM64_INS_LDRSW && ci->id != ARM64_INS_PRFM)
			return false;
		*va = (uint64_t)m->imm;
		return true;
	}
	/* the base is Xn or SP, never a W register or XZR */
	if (m->type != ARM64_OP_MEM || !(is_x(m->mem.base) || m->mem.base == ARM64_REG_SP))
		return false;
	CHECK(gpr(m->mem.base, r, &base));
	*va = base + (uint64_t)(int64_t)m->mem.disp;
	if (m->mem.index == ARM64_REG_INVALID)
		return m->ext == ARM64_EXT_INVALID && m->shift.type == ARM64_SFT_INVALID;
	if (!index_term(m, r, &idx))
		return false;
	*va += idx;
	return true;
}

/* --- the helpers against walks over the access's bytes ---------------------- */

/* Does the access of `width` bytes at `start` touch address `a`? */
static bool holds(uint64_t start, unsigned width, uint64_t a)
{
	for (unsigned i = 0; i < width; i++)
		if (start + i == a)
			return true;
	return false;
}

/* Is some byte of it on another page than its first (the top of the
 * address space wraps to page 0, another page)? */
static bool crosses(uint64_t start, unsigned width)
{
	for (unsigned i = 1; i < width; i++)
		if ((start + i) / A64_PAGE != start / A64_PAGE)
			return true;
	return false;
}

/* Could an access of `width` bytes that holds FAR start on an earlier
 * page than FAR's? */
static bool may_start_before(uint64_t far, unsigned width)
{
	for (unsigned j = 1; j < width; j++)
		if ((far - j) / A64_PAGE != far / A64_PAGE)
			return true;
	return false;
}

/* The fault path of a64_exit.c on a fault at `far` of `width` bytes whose
 * instruction decoded (`have`) to `va`. */
static void check_fault(uint64_t far, unsigned width, bool have, uint64_t va, uint64_t hpfar,
			uint64_t start_ipa)
{
	uint64_t start = a64_access_start(far, width, have, va), page = a64_hpfar_page(hpfar);
	uint64_t ipa, path_start;

	/* the decoded start only when its access holds FAR: a rewritten
	 * instruction cannot move the access away from FAR */
	CHECK(start == (have && holds(va, width, far) ? va : far));
	CHECK(a64_access_straddles(start, width) == crosses(start, width));
	CHECK(a64_access_straddles(far, width) == crosses(far, width));
	CHECK(a64_far_may_follow_start(far, width) == may_start_before(far, width));
	/* as access_start() in a64_exit.c: decoded only near a page start */
	path_start = a64_far_may_follow_start(far, width) ? start : far;
	CHECK(path_start == far || holds(path_start, width, far));

	/* HPFAR's FIPA, bits [43:4], is IPA bits [51:12] */
	CHECK(page == ((hpfar >> 4) & ((1ull << 40) - 1u)) << 12);
	ipa = a64_dabt_ipa(start, hpfar, width, start_ipa);
	if (crosses(start, width) && start_ipa != page)
		CHECK(ipa == page); /* the next page faulted: its first byte */
	else
		CHECK(ipa == (page | (start % A64_PAGE)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct a64_addr_regs r = { .x = x };
	uint32_t insn = (uint32_t)fuzz_take(&in, 4);
	uint64_t va = 0, want = 0, far, hpfar, start_ipa;
	unsigned mode, width;
	bool have, known;

	r.pc = fuzz_take(&in, 8);
	r.sp = fuzz_take(&in, 8);
	for (unsigned i = 0; i < FI_NR_X; i++)
		x[i] = fuzz_take(&in, 8);
	mode = (unsigned)fuzz_take(&in, 1);
	far = fuzz_take(&in, 8);
	hpfar = fuzz_take(&in, 8);
	start_ipa = fuzz_take(&in, 8);

	have = a64_ldst_va(insn, &r, &va);
	known = capstone_va(insn, &r, &want);
	CHECK(have == known);
	CHECK(!have || va == want);

	width = mode & FI_NO_ISV ? 0u : 1u << (mode & FI_SAS);
	if ((mode & FI_NEAR) && have)
		far = va + (uint64_t)(int64_t)(int8_t)far;
	if (mode & FI_SAME_PAGE)
		start_ipa = a64_hpfar_page(hpfar);
	check_fault(far, width, have, va, hpfar, start_ipa);
	return 0;
}
