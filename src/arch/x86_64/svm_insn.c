/* SPDX-License-Identifier: Apache-2.0 */
/* The MMIO instruction decoder (svm_insn.h). The bytes are the guest's:
 * every read is bounded by `n`, every field checked before use. */
#include <axvm/types.h>

#include "svm_insn.h"

#define REX_W 8u
#define REX_R 4u

/* Bytes of ModRM, SIB and displacement from b[0] (the ModRM byte), or 0
 * for a register operand (not a memory access) or bytes cut short.
 * `a16`: 16-bit addressing (no SIB; disp16, alone at mod 0 rm 6). */
static unsigned modrm_len(const uint8_t *b, unsigned n, bool a16)
{
	unsigned mod, rm, len = 1;

	if (n < 1)
		return 0;
	mod = b[0] >> 6;
	rm = b[0] & 7;
	if (mod == 3)
		return 0;
	if (a16) {
		if (mod == 2 || (mod == 0 && rm == 6))
			len += 2;
	} else if (rm == 4) { /* SIB */
		if (n < 2)
			return 0;
		len++;
		if (mod == 0 && (b[1] & 7) == 5)
			len += 4; /* no base: disp32 */
	} else if (mod == 0 && rm == 5) {
		len += 4; /* RIP-relative, or disp32 outside 64-bit mode */
	}
	if (mod == 1)
		len += 1;
	else if (mod == 2 && !a16)
		len += 4;
	return len <= n ? len : 0;
}

static uint64_t le(const uint8_t *b, unsigned k)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < k; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

unsigned svm_insn_prefixes(const uint8_t *b, unsigned n, struct svm_prefixes *p)
{
	unsigned i;

	*p = (struct svm_prefixes){ 0 };
	for (i = 0; i < n; i++) {
		uint8_t c = b[i];
		if (c == 0x66)
			p->osz = true;
		else if (c == 0x67)
			p->asz = true;
		else if (c == 0xf2 || c == 0xf3)
			p->rep = true;
		else if (c == 0x26 || c == 0x2e || c == 0x36 || c == 0x3e)
			p->seg = (uint8_t)(1 + ((c >> 3) & 3)); /* ES, CS, SS, DS */
		else if (c == 0x64 || c == 0x65)
			p->seg = (uint8_t)(1 + SVM_SEG_FS + (c & 1));
		else if (c != 0xf0) /* LOCK */
			break;
	}
	return i;
}

int svm_insn_decode(const uint8_t *b, unsigned n, unsigned code, struct svm_insn *out)
{
	unsigned i, rex = 0, op, ml, opsize, asize;
	struct svm_prefixes pfx;

	if (!b || !out || n > 15 || (code != 2 && code != 4 && code != 8))
		return AXVM_EINVAL;
	*out = (struct svm_insn){ 0 };
	i = svm_insn_prefixes(b, n, &pfx);
	if (pfx.rep) /* no MOV needs it */
		return AXVM_EINVAL;
	/* REX, last before the opcode, exists in 64-bit mode only (40..4F
	 * are INC and DEC elsewhere: refused below as no MOV). */
	if (code == 8 && i < n && (b[i] & 0xf0) == 0x40)
		rex = b[i++];
	if (i >= n)
		return AXVM_EINVAL;
	asize = svm_insn_asize(code, pfx.asz);
	/* 0x66 swaps 32 and 16 bits, REX.W makes 64. */
	if (code == 8)
		opsize = (rex & REX_W) ? 8 : pfx.osz ? 2 : 4;
	else
		opsize = (code == 4) != pfx.osz ? 4 : 2;
	op = b[i++];
	if (op == 0x0f) {
		if (i >= n)
			return AXVM_EINVAL;
		op = 0x100u | b[i++];
	}
	if (op >= 0xa0 && op <= 0xa3) {
		/* mov AL/AX/EAX/RAX to or from an absolute address (moffs):
		 * no ModRM, an address of the address size. */
		unsigned k = asize;
		if (i + k > n)
			return AXVM_EINVAL;
		out->reg = 0;
		out->width = (op & 1) ? (uint8_t)opsize : 1;
		out->dst_size = out->width;
		out->write = op >= 0xa2;
		out->len = (uint8_t)(i + k);
		return 0;
	}
	ml = modrm_len(b + i, n - i, asize == 2);
	if (!ml)
		return AXVM_EINVAL;
	out->reg = (uint8_t)(((b[i] >> 3) & 7) | ((rex & REX_R) ? 8 : 0));
	switch (op) {
	case 0x88: /* mov r/m8, r8 */
	case 0x8a: /* mov r8, r/m8 */
		out->width = 1;
		out->write = op == 0x88;
		out->dst_size = 1;
		/* Without REX, 8-bit registers 4..7 are AH, CH, DH, BH. */
		if (!rex && out->reg >= 4 && out->reg < 8) {
			out->reg -= 4;
			out->high = true;
		}
		break;
	case 0x89: /* mov r/m, r */
	case 0x8b: /* mov r, r/m */
		out->width = (uint8_t)opsize;
		out->dst_size = (uint8_t)opsize;
		out->write = op == 0x89;
		break;
	case 0xc6: /* mov r/m8, imm8 */
	case 0xc7: /* mov r/m, imm16/32 (sign-extended to 64) */
		if ((b[i] >> 3) & 7)
			return AXVM_EINVAL;
		out->write = true;
		out->has_imm = true;
		out->width = op == 0xc6 ? 1 : (uint8_t)opsize;
		{
			unsigned k = op == 0xc6 ? 1 : opsize == 2 ? 2 : 4;
			if (i + ml + k > n)
				return AXVM_EINVAL;
			out->imm = le(b + i + ml, k);
			if (k == 4 && opsize == 8)
				out->imm = (uint64_t)(int64_t)(int32_t)out->imm;
			i += k;
		}
		break;
	case 0x1b6: /* movzx r, r/m8 */
	case 0x1b7: /* movzx r, r/m16 */
	case 0x1be: /* movsx r, r/m8 */
	case 0x1bf: /* movsx r, r/m16 */
		out->width = (op & 1) ? 2 : 1;
		out->dst_size = (uint8_t)opsize;
		out->sign_extend = op >= 0x1be;
		break;
	case 0x63: /* movsxd r, r/m32 (without REX.W: a plain 32-bit load) */
		out->width = 4;
		out->dst_size = (uint8_t)opsize;
		out->sign_extend = opsize == 8;
		if (opsize == 2 || code != 8) /* ARPL outside 64-bit mode */
			return AXVM_EINVAL;
		break;
	default:
		return AXVM_EINVAL;
	}
	i += ml;
	out->len = (uint8_t)i;
	return 0;
}
