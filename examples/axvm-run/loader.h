/* SPDX-License-Identifier: Apache-2.0 */
/* Guest images for axvm-run: ELF64 (PT_LOAD segments at p_paddr) or raw
 * (loaded at 1 MiB). The file is hostile input: every offset and size is
 * checked before use, and nothing outside [load_min, load_end) is written. */
#ifndef AXVM_RUN_LOADER_H
#define AXVM_RUN_LOADER_H

#include <axvm/axvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMAGE_MAX_SEGMENTS 16u
#define IMAGE_MAX_PHDRS    256u
#define IMAGE_RAW_BASE     0x100000ull

struct image_segment {
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	const uint8_t *data; /* into the caller's buffer */
};

struct image {
	bool is_elf;
	uint64_t entry;
	uint32_t count;
	struct image_segment seg[IMAGE_MAX_SEGMENTS];
};

/* Read a whole file (at most max_bytes) into a malloc'd buffer. 0 or -1
 * with a message in err. */
int image_read_file(const char *path, size_t max_bytes, uint8_t **buf,
                    size_t *len, char *err, size_t errlen);

/* Parse buf as ELF64/x86_64 (it starts with the ELF magic) or as a raw
 * image; every byte to load must land in [load_min, load_end). */
int image_parse(const uint8_t *buf, size_t len, uint64_t load_min,
                uint64_t load_end, struct image *img, char *err, size_t errlen);

/* Copy the segments into guest RAM and zero their tails. */
int image_load(struct axvm_vm *vm, const struct image *img, char *err,
               size_t errlen);

#endif
