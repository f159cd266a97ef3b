/* SPDX-License-Identifier: Apache-2.0 */
/* The corpus of broken device-tree blobs: each case names its source (a
 * broken .dts from tests/fdt/corpus, or a valid example to mutate), the
 * error code the parser must return and a piece of the message. Shared by
 * test_fdt_corpus (in-process) and fdt_corpus_gen (files for the CLI). */
#ifndef AXVM_TEST_FDT_CORPUS_H
#define AXVM_TEST_FDT_CORPUS_H

#include <stddef.h>

struct corpus_case {
	const char *name;
	const char *source; /* "<name>.dtb" in the corpus or example dir */
	int mutation;       /* 0: the compiled broken .dts as is */
	int code;           /* expected AXVM_E* */
	const char *code_name;
	const char *expect; /* substring of the error message */
};

extern const struct corpus_case corpus_cases[];
extern const size_t corpus_case_count;

/* Build case c's blob: malloc'd, exactly *len bytes (so a sanitizer sees
 * any read past it). Returns 0, or -1 with a reason printed. */
int corpus_make(const struct corpus_case *c, const char *example_dir,
                const char *corpus_dir, void **blob, size_t *len);

/* Read a whole file into an exact-size malloc'd buffer; 0 or -1. */
int corpus_read_file(const char *path, void **blob, size_t *len);

#endif
