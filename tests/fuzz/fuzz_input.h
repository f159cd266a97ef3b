/* SPDX-License-Identifier: Apache-2.0 */
/* What the fuzz targets share: the check that ends a run as a finding,
 * and operands read from the input, little-endian. */
#ifndef AXVM_FUZZ_INPUT_H
#define AXVM_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

/* A broken contract: libFuzzer reports the input as a crash. */
#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			__builtin_trap();                                      \
	} while (0)

struct fuzz_input {
	const uint8_t *p;
	size_t n; /* bytes left */
};

/* The next `len` (<= 8) bytes as a number; bytes past the end read 0. */
static inline uint64_t fuzz_take(struct fuzz_input *in, unsigned len)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < len && in->n; i++, in->n--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

#endif
