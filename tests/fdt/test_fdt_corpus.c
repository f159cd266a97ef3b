/* SPDX-License-Identifier: Apache-2.0 */
/* Every broken blob of the corpus (corpus.c) is refused with its expected
 * code and a message naming the node and property. One CMocka test per
 * case, named after it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <axvm/config_fdt.h>

#include "corpus.h"

#ifndef AXVM_FDT_EXAMPLE_DIR
#error "AXVM_FDT_EXAMPLE_DIR and AXVM_FDT_CORPUS_DIR must be defined"
#endif

static struct axvm_fdt_vm vms[4];

static void test_fdt_corpus_case(void **state)
{
	const struct corpus_case *c = *state;
	struct axvm_fdt_error err;
	uint32_t n = 77;
	void *blob = NULL;
	size_t len = 0;

	assert_int_equal(corpus_make(c, AXVM_FDT_EXAMPLE_DIR,
	                             AXVM_FDT_CORPUS_DIR, &blob, &len),
	                 0);
	int rc = axvm_config_from_fdt(blob, len, vms, 4, &n, &err);
	if (rc != c->code || !strstr(err.message, c->expect))
		fprintf(stderr, "%s: got %d \"%s\"\n  want %s \"%s\"\n",
		        c->name, rc, err.message, c->code_name, c->expect);
	assert_int_equal(rc, c->code);
	assert_int_equal(err.code, c->code);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err.message, c->expect));
	/* Messages are printable and terminated. */
	assert_non_null(memchr(err.message, '\0', sizeof(err.message)));
	for (const char *p = err.message; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	free(blob);
}

int main(void)
{
	struct CMUnitTest *tests = calloc(corpus_case_count, sizeof(*tests));

	if (!tests)
		return 1;
	for (size_t i = 0; i < corpus_case_count; i++) {
		tests[i].name = corpus_cases[i].name;
		tests[i].test_func = test_fdt_corpus_case;
		tests[i].initial_state = (void *)&corpus_cases[i];
	}
	int rc = _cmocka_run_group_tests("fdt_corpus", tests, corpus_case_count,
	                                 NULL, NULL);
	free(tests);
	return rc;
}
