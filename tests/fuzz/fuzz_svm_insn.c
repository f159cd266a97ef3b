/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_svm_insn: the bytes of the instruction a guest's MMIO access
 * faulted on, into the SVM backend's decoder (svm_insn.c), in 64-bit
 * mode or 32- or 16-bit code, checked against Capstone 4 (the
 * disassembler, through its public API) as npf() in svm_exit.c uses the
 * result.
 *
 * What is checked, besides ASan and UBSan (the bytes are a heap block of
 * exactly the n bytes the decoder is given):
 * - an accepted instruction is the one Capstone decodes from the same
 *   bytes: exactly `len` bytes long, a MOV, MOVZX, MOVSX or MOVSXD with
 *   one memory operand of `width` bytes, written iff `write`, at the
 *   address size svm_insn_asize() gives and in the segment the last
 *   override names;
 * - its effect, computed from Capstone's operands and from the decoder's
 *   fields (as svm_exit.c and the vCPU's register write apply them): a
 *   read leaves the same 16 GPRs for values loaded with and without
 *   their top bit set; a write stores the same data (an immediate, or a
 *   register part, AH..BH included);
 * - the same decode from exactly `len` bytes, and a refusal from fewer
 *   (a fetch cut short at a page end);
 * - a refused instruction is not one Capstone decodes from the first
 *   bytes as such a move (without REP), bar the refusals allowed below;
 * - svm_insn_prefixes() counts and names the legacy prefixes.
 *
 * Input: fuzz_svm_insn.h; seeds from gen_svm_insn_seeds.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include <axvm/types.h>

#include "fuzz_input.h"
#include "fuzz_svm_insn.h"
#include "svm_insn.h"

/* The GPRs as Capstone names them, in the hardware's order, per size. */
static const x86_reg gpr8[16] = {
	X86_REG_AL,   X86_REG_CL,   X86_REG_DL,   X86_REG_BL,   X86_REG_SPL,  X86_REG_BPL,
	X86_REG_SIL,  X86_REG_DIL,  X86_REG_R8B,  X86_REG_R9B,  X86_REG_R10B, X86_REG_R11B,
	X86_REG_R12B, X86_REG_R13B, X86_REG_R14B, X86_REG_R15B,
};
static const x86_reg gpr16[16] = {
	X86_REG_AX,   X86_REG_CX,   X86_REG_DX,   X86_REG_BX,   X86_REG_SP,   X86_REG_BP,
	X86_REG_SI,   X86_REG_DI,   X86_REG_R8W,  X86_REG_R9W,  X86_REG_R10W, X86_REG_R11W,
	X86_REG_R12W, X86_REG_R13W, X86_REG_R14W, X86_REG_R15W,
};
static const x86_reg gpr32[16] = {
	X86_REG_EAX,  X86_REG_ECX,  X86_REG_EDX,  X86_REG_EBX,  X86_REG_ESP,  X86_REG_EBP,
	X86_REG_ESI,  X86_REG_EDI,  X86_REG_R8D,  X86_REG_R9D,  X86_REG_R10D, X86_REG_R11D,
	X86_REG_R12D, X86_REG_R13D, X86_REG_R14D, X86_REG_R15D,
};
static const x86_reg gpr64[16] = {
	X86_REG_RAX, X86_REG_RCX, X86_REG_RDX, X86_REG_RBX, X86_REG_RSP, X86_REG_RBP,
	X86_REG_RSI, X86_REG_RDI, X86_REG_R8,  X86_REG_R9,  X86_REG_R10, X86_REG_R11,
	X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15,
};
static const x86_reg gpr8h[4] = { X86_REG_AH, X86_REG_CH, X86_REG_DH, X86_REG_BH };

/* Segment registers in SVM_SEG_* order. */
static const x86_reg segs[6] = { X86_REG_ES, X86_REG_CS, X86_REG_SS,
				 X86_REG_DS, X86_REG_FS, X86_REG_GS };

/* A register operand: bytes `size` of GPR `gpr`, or bits 15:8 if high. */
struct part {
	unsigned gpr, size;
	bool high;
};

static csh cs[3]; /* by enum fi_code */
static cs_insn *insn[3];

/* Every byte of every GPR different, so that a wrong register, byte lane
 * or merge shows in the result. */
static uint64_t regs0[16];

static uint64_t mask(unsigned bytes)
{
	return bytes >= 8 ? UINT64_MAX : (1ull << (8 * bytes)) - 1;
}

static uint64_t sext(uint64_t v, unsigned bytes)
{
	unsigned sh = 64 - 8 * bytes;

	return (uint64_t)((int64_t)(v << sh) >> sh);
}

static bool gpr_part(x86_reg r, struct part *p)
{
	static const x86_reg *const by_size[4] = { gpr8, gpr16, gpr32, gpr64 };

	for (unsigned s = 0; s < 4; s++)
		for (unsigned g = 0; g < 16; g++)
			if (by_size[s][g] == r) {
				*p = (struct part){ g, 1u << s, false };
				return true;
			}
	for (unsigned g = 0; g < 4; g++)
		if (gpr8h[g] == r) {
			*p = (struct part){ g, 1, true };
			return true;
		}
	return false;
}

static uint64_t get(const uint64_t *r, struct part p)
{
	return (r[p.gpr] >> (p.high ? 8 : 0)) & mask(p.size);
}

/* x86's result into part of a GPR: bytes and words merge, a doubleword
 * zero-extends, a quadword replaces (svm_vcpu.c's set_part). */
static void put(uint64_t *r, struct part p, uint64_t v)
{
	unsigned sh = p.high ? 8 : 0;

	CHECK(p.gpr < 16 && (p.size == 1 || p.size == 2 || p.size == 4 || p.size == 8));
	CHECK(!p.high || (p.size == 1 && p.gpr < 4)); /* set_part refuses others */
	if (p.size >= 4)
		r[p.gpr] = v & mask(p.size);
	else
		r[p.gpr] = (r[p.gpr] & ~(mask(p.size) << sh)) | (v & mask(p.size)) << sh;
}

static bool is_legacy_prefix(uint8_t c)
{
	switch (c) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	}
	return false;
}

static bool is_rex(unsigned code, uint8_t c)
{
	return code == 8 && (c & 0xf0) == 0x40;
}

/* A REX the CPU ignores: one followed by another prefix or REX rather
 * than by the opcode. */
static bool stray_rex(const uint8_t *b, unsigned n, unsigned code)
{
	for (unsigned i = 0; i + 1 < n; i++) {
		if (!is_legacy_prefix(b[i]) && !is_rex(code, b[i]))
			return false;
		if (is_rex(code, b[i]) && (is_legacy_prefix(b[i + 1]) || is_rex(code, b[i + 1])))
			return true;
	}
	return false;
}

/* svm_insn_prefixes() against a scan of its own: how many, which. */
static void check_prefixes(const uint8_t *b, unsigned n, struct svm_prefixes *p)
{
	static const uint8_t seg_byte[6] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };
	struct svm_prefixes want = { 0 };
	unsigned i;

	for (i = 0; i < n && is_legacy_prefix(b[i]); i++) {
		want.osz |= b[i] == 0x66;
		want.asz |= b[i] == 0x67;
		want.rep |= b[i] == 0xf2 || b[i] == 0xf3;
		for (unsigned s = 0; s < 6; s++)
			if (b[i] == seg_byte[s])
				want.seg = (uint8_t)(1 + s);
	}
	CHECK(svm_insn_prefixes(b, n, p) == i);
	CHECK(p->osz == want.osz && p->asz == want.asz && p->rep == want.rep &&
	      p->seg == want.seg);
}

/* Capstone's decode of the first instruction in b[0..n), or NULL. */
static const cs_insn *disasm(enum fi_code c, const uint8_t *b, unsigned n)
{
	const uint8_t *code = b;
	size_t size = n;
	uint64_t addr = 0;

	return cs_disasm_iter(cs[c], &code, &size, &addr, insn[c]) ? insn[c] : NULL;
}

/* A move between memory and a GPR, or of an immediate to memory, of the
 * kinds the decoder is for: its memory operand's index, else -1. */
static int mmio_move(const cs_insn *ci)
{
	const cs_x86 *x = &ci->detail->x86;
	struct part p;
	int mem = -1;

	switch (ci->id) {
	case X86_INS_MOV:
	case X86_INS_MOVABS:
	case X86_INS_MOVZX:
	case X86_INS_MOVSX:
	case X86_INS_MOVSXD:
		break;
	default:
		return -1;
	}
	if (x->op_count != 2)
		return -1;
	for (int i = 0; i < 2; i++) {
		const cs_x86_op *o = &x->operands[i];
		if (o->type == X86_OP_MEM && mem < 0)
			mem = i;
		else if (!(o->type == X86_OP_REG && gpr_part(o->reg, &p)) &&
			 !(o->type == X86_OP_IMM && i == 1))
			return -1; /* a segment register, two memory operands */
	}
	return mem;
}

static bool same(const struct svm_insn *a, const struct svm_insn *b)
{
	return a->len == b->len && a->write == b->write && a->width == b->width &&
	       a->has_imm == b->has_imm && a->imm == b->imm && a->reg == b->reg &&
	       a->high == b->high && a->dst_size == b->dst_size &&
	       a->sign_extend == b->sign_extend;
}

static int decode(const uint8_t *bytes, unsigned n, unsigned code, struct svm_insn *out)
{
	uint8_t *b = malloc(n ? n : 1);
	int rc;

	CHECK(b);
	memcpy(b, bytes, n);
	rc = svm_insn_decode(b, n, code, out);
	free(b);
	return rc;
}

/* An accepted instruction against Capstone's reading of it. */
static void check_accepted(enum fi_code c, unsigned code, const uint8_t *b, unsigned n,
			   const struct svm_insn *in, const struct svm_prefixes *pfx)
{
	uint8_t nolock[FI_MAX_BYTES];
	unsigned k = 0, locks = 0, i;
	const cs_insn *ci;
	const cs_x86 *x;
	const cs_x86_op *mem, *other;
	struct part p = { 0 };
	struct svm_insn again;
	int m;

	CHECK(in->len >= 1 && in->len <= n);
	/* LOCK on a MOV is #UD, so no such access exits; the decoder lets it
	 * pass, Capstone refuses it: Capstone reads the bytes without it. */
	for (i = 0; i < n && is_legacy_prefix(b[i]); i++) {
		if (b[i] == 0xf0)
			locks++;
		else
			nolock[k++] = b[i];
	}
	for (; i < n; i++)
		nolock[k++] = b[i];
	ci = disasm(c, nolock, k);
	CHECK(ci && ci->size + locks == in->len);
	x = &ci->detail->x86;
	CHECK((m = mmio_move(ci)) >= 0);
	mem = &x->operands[m];
	other = &x->operands[1 - m];
	CHECK(in->width == 1 || in->width == 2 || in->width == 4 || in->width == 8);
	CHECK(in->width == mem->size);
	CHECK(in->write == (m == 0));
	CHECK(svm_insn_asize(code, pfx->asz) == x->addr_size);
	CHECK(pfx->seg ? mem->mem.segment == segs[pfx->seg - 1]
		       : mem->mem.segment == X86_REG_INVALID);
	if (other->type == X86_OP_REG)
		CHECK(gpr_part(other->reg, &p));

	if (in->write) {
		/* The data npf() gives the device. */
		uint64_t d, want;
		CHECK(in->reg < 16);
		d = in->has_imm ? in->imm : regs0[in->reg];
		want = other->type == X86_OP_IMM ? (uint64_t)other->imm : get(regs0, p);
		if (in->high)
			d >>= 8;
		CHECK(other->type == X86_OP_IMM || p.size == mem->size);
		CHECK((d & mask(in->width)) == (want & mask(mem->size)));
	} else {
		/* The GPRs after loading v: as svm_exit.c's exit (width,
		 * reg_width = dst_size, sign_extend) is applied by the run loop
		 * and set_part, and as the instruction says. */
		static const uint64_t vals[] = { 0x8899aabbccddeeffull, 0x7766554433221100ull,
						 0xff00ff0080ff7f80ull };
		bool sx = ci->id == X86_INS_MOVSX || ci->id == X86_INS_MOVSXD;
		CHECK(other->type == X86_OP_REG);
		/* MOVSXD without REX.W is r32, r/m32 (a plain load, the upper
		 * half zeroed); Capstone 4 names the 64-bit register for it. */
		if (ci->id == X86_INS_MOVSXD && !(x->rex & 8))
			p.size = 4;
		for (unsigned j = 0; j < sizeof(vals) / sizeof(vals[0]); j++) {
			uint64_t got[16], want[16], v = vals[j] & mask(in->width);
			memcpy(got, regs0, sizeof(got));
			memcpy(want, regs0, sizeof(want));
			if (in->sign_extend)
				v = sext(v, in->width);
			put(got, (struct part){ in->reg, in->dst_size, in->high }, v & mask(in->dst_size));
			v = vals[j] & mask(mem->size);
			put(want, p, sx ? sext(v, mem->size) : v);
			CHECK(!memcmp(got, want, sizeof(got)));
		}
	}

	/* What the fetch returned past the instruction does not matter; less
	 * than all of it is refused. */
	CHECK(decode(b, in->len, code, &again) == 0 && same(&again, in));
	CHECK(decode(b, in->len - 1u, code, &again) == AXVM_EINVAL);
}

/* A refused instruction: not a move the decoder is documented to take. */
static void check_refused(enum fi_code c, unsigned code, const uint8_t *b, unsigned n,
			  const struct svm_prefixes *pfx)
{
	const cs_insn *ci = disasm(c, b, n);
	const cs_x86 *x;

	if (!ci || mmio_move(ci) < 0 || pfx->rep)
		return;
	x = &ci->detail->x86;
	/* Refused by design (test_refused): a REX not right before the
	 * opcode, which the CPU ignores... */
	if (stray_rex(b, n, code))
		return;
	/* ...and 66 63 without REX.W, MOVSXD r16, r/m16 in the SDM (a 16-bit
	 * read), which Capstone 4 shows as movsxd rax, dword. */
	if (ci->id == X86_INS_MOVSXD && pfx->osz && !(x->rex & 8))
		return;
	CHECK(0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const cs_mode modes[3] = { CS_MODE_64, CS_MODE_32, CS_MODE_16 };

	(void)argc, (void)argv;
	for (unsigned c = 0; c < 3; c++) {
		CHECK(cs_open(CS_ARCH_X86, modes[c], &cs[c]) == CS_ERR_OK);
		CHECK(cs_option(cs[c], CS_OPT_DETAIL, CS_OPT_ON) == CS_ERR_OK);
		CHECK((insn[c] = cs_malloc(cs[c])));
	}
	for (unsigned g = 0; g < 16; g++)
		for (unsigned k = 0; k < 8; k++)
			regs0[g] |= (uint64_t)(g * 8 + k + 1) << (8 * k);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned codes[3] = { 8, 4, 2 };
	enum fi_code c;
	unsigned n, code;
	uint8_t *b;
	struct svm_insn in;
	struct svm_prefixes pfx;

	if (size < 1)
		return 0;
	c = (enum fi_code)(data[0] % 3);
	code = codes[c];
	n = size - 1 < FI_MAX_BYTES ? (unsigned)(size - 1) : FI_MAX_BYTES;
	b = malloc(n ? n : 1);
	CHECK(b);
	memcpy(b, data + 1, n);
	check_prefixes(b, n, &pfx);
	if (svm_insn_decode(b, n, code, &in) == 0)
		check_accepted(c, code, b, n, &in, &pfx);
	else
		check_refused(c, code, b, n, &pfx);
	free(b);
	return 0;
}
