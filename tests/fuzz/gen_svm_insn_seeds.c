/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Seeds for fuzz_svm_insn (input language: fuzz_svm_insn.h): each form
 * the decoder takes, in each code size it exists in, with the prefixes,
 * REX bits, addressing forms and absolute addresses (moffs) that change
 * its length or meaning, and two it refuses.
 *
 *   gen_svm_insn_seeds DIR
 */
#include "fuzz_svm_insn.h"
#include "seed_file.h"

struct form {
	const char *name;
	enum fi_code code;
	unsigned n;
	uint8_t b[FI_MAX_BYTES];
};

static const struct form forms[] = {
	/* 64-bit mode */
	{ "mov8-ah", FI_CODE64, 3, { 0x88, 0x63, 0x08 } },             /* mov [rbx+8],ah */
	{ "mov8-rex", FI_CODE64, 3, { 0x45, 0x88, 0x38 } },            /* mov [r8],r15b */
	{ "mov8-load-sib", FI_CODE64, 3, { 0x8a, 0x3c, 0x8a } },       /* mov bh,[rdx+rcx*4] */
	{ "mov64-sib", FI_CODE64, 5, { 0x4c, 0x89, 0x4c, 0x24, 0x10 } }, /* mov [rsp+0x10],r9 */
	{ "mov16", FI_CODE64, 4, { 0x66, 0x89, 0x55, 0xfe } },         /* mov [rbp-2],dx */
	{ "mov-rip", FI_CODE64, 7, { 0x44, 0x8b, 0x25, 0x00, 0x10, 0x00, 0x00 } },
	{ "mov-disp32", FI_CODE64, 7, { 0x8b, 0x0c, 0x25, 0x00, 0x20, 0x00, 0x00 } },
	{ "mov-addr32-fs", FI_CODE64, 5, { 0x64, 0x67, 0x66, 0x8b, 0x06 } },
	{ "imm8", FI_CODE64, 3, { 0xc6, 0x07, 0x7f } },
	{ "imm16", FI_CODE64, 5, { 0x66, 0xc7, 0x00, 0x34, 0x82 } },
	{ "imm32-sib", FI_CODE64, 8, { 0xc7, 0x44, 0xd8, 0x40, 0xef, 0xbe, 0xad, 0xde } },
	{ "imm-rexw", FI_CODE64, 7, { 0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff } },
	{ "moffs64", FI_CODE64, 9, { 0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 } },
	{ "moffs64-store", FI_CODE64, 10, { 0x48, 0xa3, 0x10 } },
	{ "moffs-addr32", FI_CODE64, 6, { 0x67, 0xa1, 0x20, 0x00, 0xe0, 0xfe } },
	{ "movzx", FI_CODE64, 4, { 0x4c, 0x0f, 0xb7, 0x17 } },         /* movzx r10,word [rdi] */
	{ "movzx16", FI_CODE64, 4, { 0x66, 0x0f, 0xb6, 0x0b } },       /* movzx cx,byte [rbx] */
	{ "movsx", FI_CODE64, 4, { 0x49, 0x0f, 0xbf, 0x1b } },         /* movsx rbx,word [r11] */
	{ "movsxd", FI_CODE64, 3, { 0x48, 0x63, 0x11 } },              /* movsxd rdx,[rcx] */
	{ "movsxd32", FI_CODE64, 2, { 0x63, 0x11 } },                  /* movsxd edx,[rcx] */
	{ "trailing", FI_CODE64, 15, { 0x8b, 0x07, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
				       0x90, 0x90, 0x90, 0x90, 0x90, 0x90 } },
	{ "rep", FI_CODE64, 3, { 0xf3, 0x89, 0x07 } },                 /* refused */
	{ "lock", FI_CODE64, 3, { 0xf0, 0x89, 0x07 } },                /* #UD on the CPU */
	/* 32-bit code: no REX, 0x67 is 16-bit addressing */
	{ "32-mov16", FI_CODE32, 3, { 0x66, 0x89, 0x03 } },
	{ "32-addr16", FI_CODE32, 3, { 0x67, 0x89, 0x07 } },           /* mov [bx],eax */
	{ "32-moffs", FI_CODE32, 5, { 0xa1, 0x78, 0x56, 0x34, 0x12 } },
	{ "32-imm-ss", FI_CODE32, 8, { 0x36, 0xc7, 0x46, 0x10, 0x44, 0x33, 0x22, 0x81 } },
	{ "32-ah", FI_CODE32, 2, { 0x88, 0x21 } },                     /* mov [ecx],ah */
	{ "32-movsx-sib", FI_CODE32, 5, { 0x0f, 0xbe, 0x4c, 0x8c, 0x40 } },
	/* 16-bit code: 0x66 and 0x67 select 32 bits */
	{ "16-mov", FI_CODE16, 4, { 0x8b, 0x91, 0x34, 0x12 } },        /* mov dx,[bx+di+0x1234] */
	{ "16-mov32", FI_CODE16, 3, { 0x66, 0x89, 0x07 } },
	{ "16-disp16", FI_CODE16, 4, { 0x88, 0x26, 0x34, 0x12 } },     /* mov [0x1234],ah */
	{ "16-moffs", FI_CODE16, 3, { 0xa2, 0x34, 0x12 } },
	{ "16-moffs32", FI_CODE16, 7, { 0x66, 0x67, 0xa3, 0x78, 0x56, 0x34, 0x12 } },
	{ "16-imm", FI_CODE16, 5, { 0xc7, 0x42, 0x10, 0x34, 0x12 } },
	{ "16-imm8", FI_CODE16, 4, { 0xc6, 0x46, 0xfe, 0x7f } },
	{ "16-addr32-sib", FI_CODE16, 6, { 0x67, 0x0f, 0xb7, 0x44, 0x8c, 0x40 } },
};

/* Each form as dir/<name>: its code size, then its bytes. The forms are
 * a table rather than seed_main's callbacks, one per seed. */
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
		seed_put(&s, forms[i].code, 1);
		for (unsigned k = 0; k < forms[i].n; k++)
			seed_put(&s, forms[i].b[k], 1);
		bad |= seed_save(argv[1], forms[i].name, &s);
	}
	return bad;
}
