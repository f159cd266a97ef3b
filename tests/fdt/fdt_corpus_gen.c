/* SPDX-License-Identifier: Apache-2.0 */
/* fdt_corpus_gen OUT-DIR EXAMPLE-DIR CORPUS-DIR: write every corpus case
 * as OUT-DIR/<name>.dtb plus OUT-DIR/<name>.expect (the AXVM_E* name on
 * the first line, the expected message piece on the second), for the CLI
 * test (cli_corpus.cmake) and as reproducible files for debugging. */
#include <stdio.h>
#include <stdlib.h>

#include "corpus.h"

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f)) {
		fprintf(stderr, "fdt_corpus_gen: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char path[1024], text[512];

	if (argc != 4) {
		fprintf(
		    stderr,
		    "usage: fdt_corpus_gen OUT-DIR EXAMPLE-DIR CORPUS-DIR\n");
		return 1;
	}
	for (size_t i = 0; i < corpus_case_count; i++) {
		const struct corpus_case *c = &corpus_cases[i];
		void *blob;
		size_t len;
		if (corpus_make(c, argv[2], argv[3], &blob, &len))
			return 1;
		snprintf(path, sizeof(path), "%s/%s.dtb", argv[1], c->name);
		int rc = write_file(path, blob, len);
		free(blob);
		if (rc)
			return 1;
		int n = snprintf(text, sizeof(text), "%s\n%s\n", c->code_name,
		                 c->expect);
		snprintf(path, sizeof(path), "%s/%s.expect", argv[1], c->name);
		if (n < 0 || (size_t)n >= sizeof(text) ||
		    write_file(path, text, (size_t)n))
			return 1;
	}
	return 0;
}
