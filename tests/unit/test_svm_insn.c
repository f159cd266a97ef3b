/* SPDX-License-Identifier: Apache-2.0 */
/* The SVM backend's MMIO instruction decoder (src/arch/x86_64/svm_insn.c):
 * its input is the guest's bytes. Reference encodings from GNU as (Intel
 * syntax), the instruction beside each; every one is decoded again from
 * each shorter prefix of its bytes, in a buffer of exactly that size, so
 * a read past `n` is an ASan error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <axvm/types.h>

#include "svm_insn.h"

struct ref {
	const char *what;
	uint8_t bytes[15];
	struct svm_insn want;
};

#define RD(l, w, r, d) { .len = l, .width = w, .reg = r, .dst_size = d }
#define WR(l, w, r) { .len = l, .write = true, .width = w, .reg = r, .dst_size = w }
#define IMM(l, w, v) { .len = l, .write = true, .width = w, .has_imm = true, .imm = v }

static const struct ref good[] = {
	{ "mov BYTE PTR [rax],cl", { 0x88, 0x08 }, WR(2, 1, 1) },
	{ "mov BYTE PTR [rbx+0x8],ah", { 0x88, 0x63, 0x08 },
	  { .len = 3, .write = true, .width = 1, .reg = 0, .high = true, .dst_size = 1 } },
	{ "mov BYTE PTR [rax],sil", { 0x40, 0x88, 0x30 }, WR(3, 1, 6) },
	{ "mov BYTE PTR [r8],r15b", { 0x45, 0x88, 0x38 }, WR(3, 1, 15) },
	{ "mov al,BYTE PTR [rdx]", { 0x8a, 0x02 }, RD(2, 1, 0, 1) },
	{ "mov bh,BYTE PTR [rdx+rcx*4]", { 0x8a, 0x3c, 0x8a },
	  { .len = 3, .width = 1, .reg = 3, .high = true, .dst_size = 1 } },
	{ "mov dil,BYTE PTR [rcx]", { 0x40, 0x8a, 0x39 }, RD(3, 1, 7, 1) },
	{ "mov DWORD PTR [rdi],eax", { 0x89, 0x07 }, WR(2, 4, 0) },
	{ "mov QWORD PTR [rsp+0x10],r9", { 0x4c, 0x89, 0x4c, 0x24, 0x10 }, WR(5, 8, 9) },
	{ "mov WORD PTR [rbp-0x2],dx", { 0x66, 0x89, 0x55, 0xfe }, WR(4, 2, 2) },
	{ "mov r12d,DWORD PTR [rip+0x1000]", { 0x44, 0x8b, 0x25, 0x00, 0x10, 0x00, 0x00 },
	  RD(7, 4, 12, 4) },
	{ "mov rax,QWORD PTR [r13+0x12345678]", { 0x49, 0x8b, 0x85, 0x78, 0x56, 0x34, 0x12 },
	  RD(7, 8, 0, 8) },
	{ "mov ecx,DWORD PTR ds:0x2000", { 0x8b, 0x0c, 0x25, 0x00, 0x20, 0x00, 0x00 },
	  RD(7, 4, 1, 4) },
	{ "mov ax,WORD PTR [esi]", { 0x67, 0x66, 0x8b, 0x06 }, RD(4, 2, 0, 2) },
	{ "mov DWORD PTR fs:[rax],ebx", { 0x64, 0x89, 0x18 }, WR(3, 4, 3) },
	{ "mov BYTE PTR [rdi],0x7f", { 0xc6, 0x07, 0x7f }, IMM(3, 1, 0x7f) },
	{ "mov WORD PTR [rax],0x1234", { 0x66, 0xc7, 0x00, 0x34, 0x12 }, IMM(5, 2, 0x1234) },
	{ "mov DWORD PTR [rax+rbx*8+0x40],0xdeadbeef",
	  { 0xc7, 0x44, 0xd8, 0x40, 0xef, 0xbe, 0xad, 0xde }, IMM(8, 4, 0xdeadbeef) },
	/* REX.W: the 32-bit immediate is sign-extended to 64 bits. */
	{ "mov QWORD PTR [rax],0xfffffffffffffffe", { 0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff },
	  IMM(7, 8, 0xfffffffffffffffeull) },
	{ "movabs al,ds:0x1122334455667788",
	  { 0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 }, RD(9, 1, 0, 1) },
	{ "movabs eax,ds:0xfee00020", { 0xa1, 0x20, 0x00, 0xe0, 0xfe, 0, 0, 0, 0 },
	  RD(9, 4, 0, 4) },
	{ "movabs ds:0x10,rax", { 0x48, 0xa3, 0x10, 0, 0, 0, 0, 0, 0, 0 }, WR(10, 8, 0) },
	{ "movabs ds:0x10,ax", { 0x66, 0xa3, 0x10, 0, 0, 0, 0, 0, 0, 0 }, WR(10, 2, 0) },
	/* 0x67: a 4-byte absolute address. */
	{ "addr32 mov eax,ds:0xfee00020", { 0x67, 0xa1, 0x20, 0x00, 0xe0, 0xfe },
	  RD(6, 4, 0, 4) },
	{ "movzx eax,BYTE PTR [rsi]", { 0x0f, 0xb6, 0x06 }, RD(3, 1, 0, 4) },
	{ "movzx r10,WORD PTR [rdi]", { 0x4c, 0x0f, 0xb7, 0x17 }, RD(4, 2, 10, 8) },
	{ "movzx cx,BYTE PTR [rbx]", { 0x66, 0x0f, 0xb6, 0x0b }, RD(4, 1, 1, 2) },
	{ "movsx edx,BYTE PTR [rax]", { 0x0f, 0xbe, 0x10 },
	  { .len = 3, .width = 1, .reg = 2, .dst_size = 4, .sign_extend = true } },
	{ "movsx rbx,WORD PTR [r11]", { 0x49, 0x0f, 0xbf, 0x1b },
	  { .len = 4, .width = 2, .reg = 3, .dst_size = 8, .sign_extend = true } },
	{ "movsxd rdx,DWORD PTR [rcx]", { 0x48, 0x63, 0x11 },
	  { .len = 3, .width = 4, .reg = 2, .dst_size = 8, .sign_extend = true } },
	/* Without REX.W a plain 32-bit load. */
	{ "movsxd edx,DWORD PTR [rcx]", { 0x63, 0x11 }, RD(2, 4, 2, 4) },
};

/* 32-bit code (as --32): no REX; 0x67 is 16-bit addressing. */
static const struct ref good32[] = {
	{ "mov DWORD PTR [ebx],eax", { 0x89, 0x03 }, WR(2, 4, 0) },
	{ "mov WORD PTR [ebx],ax", { 0x66, 0x89, 0x03 }, WR(3, 2, 0) },
	{ "mov DWORD PTR [bx],eax", { 0x67, 0x89, 0x07 }, WR(3, 4, 0) },
	{ "mov eax,ds:0x12345678", { 0xa1, 0x78, 0x56, 0x34, 0x12 }, RD(5, 4, 0, 4) },
	{ "mov DWORD PTR [esi+0x10],0x11223344",
	  { 0xc7, 0x46, 0x10, 0x44, 0x33, 0x22, 0x11 }, IMM(7, 4, 0x11223344) },
	{ "mov WORD PTR [edi],0x5566", { 0x66, 0xc7, 0x07, 0x66, 0x55 }, IMM(5, 2, 0x5566) },
	{ "mov BYTE PTR [ecx],ah", { 0x88, 0x21 },
	  { .len = 2, .write = true, .width = 1, .reg = 0, .high = true, .dst_size = 1 } },
	{ "movzx edx,BYTE PTR [esi]", { 0x0f, 0xb6, 0x16 }, RD(3, 1, 2, 4) },
	{ "movsx ecx,WORD PTR [eax]", { 0x0f, 0xbf, 0x08 },
	  { .len = 3, .width = 2, .reg = 1, .dst_size = 4, .sign_extend = true } },
	{ "mov ebx,DWORD PTR [esp+ecx*4+0x40]", { 0x8b, 0x5c, 0x8c, 0x40 }, RD(4, 4, 3, 4) },
};

/* 16-bit code (.code16): 0x66 and 0x67 select 32 bits. */
static const struct ref good16[] = {
	{ "mov WORD PTR [bx],ax", { 0x89, 0x07 }, WR(2, 2, 0) },
	{ "mov DWORD PTR [bx],eax", { 0x66, 0x89, 0x07 }, WR(3, 4, 0) },
	{ "mov ds:0x1234,al", { 0xa2, 0x34, 0x12 }, WR(3, 1, 0) },
	{ "mov ds:0x1234,ax", { 0xa3, 0x34, 0x12 }, WR(3, 2, 0) },
	{ "mov WORD PTR [bp+si+0x10],0x1234", { 0xc7, 0x42, 0x10, 0x34, 0x12 },
	  IMM(5, 2, 0x1234) },
	{ "mov ds:0x1234,eax", { 0x66, 0xa3, 0x34, 0x12 }, WR(4, 4, 0) },
	{ "mov WORD PTR [ebx],ax", { 0x67, 0x89, 0x03 }, WR(3, 2, 0) },
	{ "mov dx,WORD PTR [bx+di+0x1234]", { 0x8b, 0x91, 0x34, 0x12 }, RD(4, 2, 2, 2) },
	{ "mov BYTE PTR [bp-0x2],0x7f", { 0xc6, 0x46, 0xfe, 0x7f }, IMM(4, 1, 0x7f) },
};

/* Each table with the code size it is decoded as. */
static const struct {
	const struct ref *refs;
	size_t n;
	unsigned code;
} tables[] = {
	{ good, sizeof(good) / sizeof(good[0]), 8 },
	{ good32, sizeof(good32) / sizeof(good32[0]), 4 },
	{ good16, sizeof(good16) / sizeof(good16[0]), 2 },
};

/* Decode the first n bytes from a heap buffer of exactly n bytes, as
 * code of `code` bytes. */
static int decode_in(const uint8_t *bytes, unsigned n, unsigned code, struct svm_insn *out)
{
	uint8_t *b = malloc(n ? n : 1);
	int rc;

	assert_non_null(b);
	memcpy(b, bytes, n);
	rc = svm_insn_decode(b, n, code, out);
	free(b);
	return rc;
}

/* The same in 64-bit mode. */
static int decode_exact(const uint8_t *bytes, unsigned n, struct svm_insn *out)
{
	return decode_in(bytes, n, 8, out);
}

static void check_insn(const struct svm_insn *got, const struct svm_insn *want)
{
	assert_int_equal(got->len, want->len);
	assert_int_equal(got->write, want->write);
	assert_int_equal(got->width, want->width);
	assert_int_equal(got->has_imm, want->has_imm);
	assert_int_equal(got->imm, want->imm);
	assert_int_equal(got->reg, want->reg);
	assert_int_equal(got->high, want->high);
	assert_int_equal(got->dst_size, want->dst_size);
	assert_int_equal(got->sign_extend, want->sign_extend);
}

static void test_reference_encodings(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		for (size_t i = 0; i < tables[t].n; i++) {
			const struct ref *r = &tables[t].refs[i];
			unsigned len = r->want.len, code = tables[t].code;
			struct svm_insn in;
			uint8_t fetch[15];

			print_message("%s (%u-byte code)\n", r->what, code);
			/* Exactly its bytes, and inside a 15-byte fetch (the rest 0x90). */
			assert_int_equal(decode_in(r->bytes, len, code, &in), 0);
			check_insn(&in, &r->want);
			memset(fetch, 0x90, sizeof(fetch));
			memcpy(fetch, r->bytes, len);
			assert_int_equal(decode_in(fetch, sizeof(fetch), code, &in), 0);
			check_insn(&in, &r->want);
		}
	}
}

static void test_cut_short(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		for (size_t i = 0; i < tables[t].n; i++) {
			const struct ref *r = &tables[t].refs[i];
			for (unsigned n = 0; n < r->want.len; n++) {
				struct svm_insn in;
				assert_int_equal(decode_in(r->bytes, n, tables[t].code, &in),
						 AXVM_EINVAL);
			}
		}
	}
}

static void test_refused(void **state)
{
	static const struct {
		const char *what;
		uint8_t bytes[15];
		unsigned n;
	} bad[] = {
		{ "mov eax,ecx (register operand)", { 0x89, 0xc8 }, 2 },
		{ "c7 /1: no such instruction", { 0xc7, 0x08, 1, 2, 3, 4 }, 6 },
		{ "movsxd ax,DWORD PTR [rdi] (0x66)", { 0x66, 0x63, 0x07 }, 3 },
		{ "add DWORD PTR [rax],eax", { 0x01, 0x00 }, 2 },
		{ "movs (string move)", { 0xa5 }, 1 },
		{ "rep mov: F3 is not accepted", { 0xf3, 0x89, 0x07 }, 3 },
		{ "REX then a legacy prefix", { 0x48, 0x66, 0x89, 0x07 }, 4 },
		{ "0x0f alone", { 0x0f }, 1 },
		{ "prefixes only", { 0x66, 0x67, 0x2e, 0x3e }, 4 },
		{ "more than 15 bytes", { 0x89, 0x07 }, 16 },
	};
	struct svm_insn in;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t buf[16] = { 0 };
		print_message("%s\n", bad[i].what);
		memcpy(buf, bad[i].bytes, sizeof(bad[i].bytes));
		assert_int_equal(decode_exact(buf, bad[i].n, &in), AXVM_EINVAL);
	}
	/* Outside 64-bit mode 0x40..0x4f are INC/DEC (no REX), 0x63 is ARPL. */
	assert_int_equal(decode_in((const uint8_t[]){ 0x48, 0x89, 0x07 }, 3, 4, &in), AXVM_EINVAL);
	assert_int_equal(decode_in((const uint8_t[]){ 0x63, 0x11 }, 2, 4, &in), AXVM_EINVAL);
	assert_int_equal(decode_in((const uint8_t[]){ 0x63, 0x11 }, 2, 2, &in), AXVM_EINVAL);
	assert_int_equal(svm_insn_decode(NULL, 2, 8, &in), AXVM_EINVAL);
	assert_int_equal(svm_insn_decode(good[0].bytes, 2, 8, NULL), AXVM_EINVAL);
	for (unsigned code = 0; code < 10; code++)
		if (code != 2 && code != 4 && code != 8)
			assert_int_equal(svm_insn_decode(good[0].bytes, 2, code, &in), AXVM_EINVAL);
}

/* Random bytes shaped like the accepted instructions (prefixes, REX, one of
 * the opcodes, then anything): whatever is accepted is a well-formed
 * decode, and the same decode from exactly its own bytes but no fewer. */
static void test_random_bytes(void **state)
{
	static const uint8_t prefixes[] = { 0x66, 0x67, 0xf0, 0x2e, 0x36, 0x3e,
					    0x26, 0x64, 0x65, 0xf2, 0xf3 };
	static const uint16_t opcodes[] = { 0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7, 0xa0,
					    0xa1, 0xa2, 0xa3, 0x63, 0x1b6, 0x1b7,
					    0x1be, 0x1bf };
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned accepted = 0;

	(void)state;
	for (unsigned round = 0; round < 200000; round++) {
		uint8_t b[15];
		unsigned k = 0;
		struct svm_insn in, again;

		for (unsigned i = 0; i < sizeof(b); i++) { /* xorshift64 */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			b[i] = (uint8_t)x;
		}
		for (unsigned p = (unsigned)(x >> 20) % 4; p; p--)
			b[k++] = prefixes[(x >> (8 * p)) % sizeof(prefixes)];
		if ((x >> 40) & 1)
			b[k++] = (uint8_t)(0x40 | ((x >> 44) & 15));
		uint16_t op = opcodes[(x >> 50) % (sizeof(opcodes) / sizeof(opcodes[0]))];
		if (op > 0xff)
			b[k++] = 0x0f;
		b[k++] = (uint8_t)op;

		if (svm_insn_decode(b, sizeof(b), 8, &in))
			continue;
		accepted++;
		assert_true(in.len > k && in.len <= sizeof(b));
		assert_true(in.width == 1 || in.width == 2 || in.width == 4 || in.width == 8);
		assert_true(in.reg < 16);
		if (in.high)
			assert_true(in.width == 1 && in.reg < 4);
		if (in.has_imm) /* fits its width (REX.W: sign-extended imm32) */
			assert_true(in.write && (in.width == 8 || !(in.imm >> (8 * in.width))));
		if (!in.write && !in.has_imm)
			assert_true(in.dst_size >= in.width && in.dst_size <= 8);
		assert_int_equal(decode_exact(b, in.len, &again), 0);
		check_insn(&again, &in);
		assert_int_equal(decode_exact(b, in.len - 1u, &again), AXVM_EINVAL);
	}
	/* The shapes above are mostly decodable: a decoder refusing
	 * everything must not pass. */
	assert_true(accepted > 100000);
}

static void test_prefixes(void **state)
{
	static const uint8_t rep_outs32[] = { 0x67, 0xf3, 0x6e };
	static const uint8_t all[] = { 0x2e, 0x66, 0xf0, 0x64, 0xf2, 0x36, 0x67, 0x65,
				       0x3e, 0x26, 0x48, 0x89, 0x07 };
	struct svm_prefixes p;

	(void)state;
	assert_int_equal(svm_insn_prefixes(rep_outs32, sizeof(rep_outs32), &p), 2);
	assert_true(p.asz && p.rep && !p.osz);
	/* Every legacy prefix; REX (0x48) ends them. */
	assert_int_equal(svm_insn_prefixes(all, sizeof(all), &p), 10);
	assert_true(p.asz && p.rep && p.osz);
	/* Never past n, even when all n bytes are prefixes. */
	assert_int_equal(svm_insn_prefixes(all, 3, &p), 3);
	assert_true(p.osz && !p.asz && !p.rep);
	assert_int_equal(svm_insn_prefixes(all, 0, &p), 0);
	assert_true(!p.osz && !p.asz && !p.rep && !p.seg);
	/* The last segment override counts, each one named right. */
	assert_int_equal(svm_insn_prefixes(all, 10, &p), 10);
	assert_int_equal(p.seg, 1 + SVM_SEG_ES);
	static const struct {
		uint8_t byte, seg;
	} overrides[] = { { 0x26, SVM_SEG_ES }, { 0x2e, SVM_SEG_CS }, { 0x36, SVM_SEG_SS },
			  { 0x3e, SVM_SEG_DS }, { 0x64, SVM_SEG_FS }, { 0x65, SVM_SEG_GS } };
	for (unsigned i = 0; i < sizeof(overrides) / sizeof(overrides[0]); i++) {
		const uint8_t outs[] = { 0xf3, overrides[i].byte, 0x6e };
		assert_int_equal(svm_insn_prefixes(outs, sizeof(outs), &p), 2);
		assert_int_equal(p.seg, 1 + overrides[i].seg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_encodings),
		cmocka_unit_test(test_cut_short),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_prefixes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
