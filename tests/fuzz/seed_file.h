/* SPDX-License-Identifier: Apache-2.0 */
/* What the seed generators share: an input being built, little-endian,
 * and the file it is saved as. */
#ifndef AXVM_FUZZ_SEED_FILE_H
#define AXVM_FUZZ_SEED_FILE_H

#include <stdint.h>
#include <stdio.h>

struct seed {
	uint8_t b[4096];
	size_t n;
};

/* Append the low `len` bytes of v; what does not fit is dropped. */
static inline void seed_put(struct seed *s, uint64_t v, unsigned len)
{
	for (unsigned i = 0; i < len && s->n < sizeof(s->b); i++)
		s->b[s->n++] = (uint8_t)(v >> (8 * i));
}

/* Write it as dir/name: 0, or 1 on any failure. */
static inline int seed_save(const char *dir, const char *name, const struct seed *s)
{
	char path[4096];
	FILE *f;
	int ok;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return 1;
	if (!(f = fopen(path, "wb")))
		return 1;
	ok = fwrite(s->b, 1, s->n, f) == s->n;
	return (fclose(f) == 0 && ok) ? 0 : 1;
}

/* A generator's main: each kind filled into an empty seed and saved under
 * its name in the directory argv[1]. */
struct seed_kind {
	const char *name;
	void (*fill)(struct seed *);
};

static inline int seed_main(int argc, char **argv, const struct seed_kind *kinds, size_t n)
{
	static struct seed s;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		s.n = 0;
		kinds[i].fill(&s);
		bad |= seed_save(argv[1], kinds[i].name, &s);
	}
	return bad;
}

#endif
