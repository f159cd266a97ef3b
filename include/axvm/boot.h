/* SPDX-License-Identifier: Apache-2.0 */
/* Guest boot protocols: where a guest kernel image goes in guest RAM. */
#ifndef AXVM_BOOT_H
#define AXVM_BOOT_H

#include <axvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The arm64 Linux `Image` header (Linux's Documentation/arch/arm64/
 * booting.rst): 64 bytes at the start of the image. */
#define AXVM_ARM64_IMAGE_HDR_SIZE 64u
#define AXVM_ARM64_IMAGE_MAGIC 0x644d5241u /* "ARM\x64" at offset 56 */
#define AXVM_ARM64_IMAGE_ALIGN 0x200000ull /* the base is 2 MiB aligned */
#define AXVM_ARM64_IMAGE_FLAG_BE (1ull << 0)
#define AXVM_ARM64_IMAGE_FLAG_ANYWHERE (1ull << 3)

/* Where an arm64 image is placed. */
struct axvm_arm64_image {
	uint64_t text_offset; /* from the 2 MiB-aligned base */
	uint64_t image_size;  /* bytes the image uses from load_gpa, BSS included */
	uint64_t flags;       /* the header's flags */
	axvm_gpa_t load_gpa;  /* base + text_offset: the entry point */
	axvm_gpa_t end_gpa;   /* load_gpa + image_size (exclusive) */
};

/* Parse the header `hdr` (`len` readable bytes, at least 64) of an arm64
 * Image and place it at the 2 MiB-aligned `base_gpa`, inside guest RAM
 * [ram_gpa, ram_gpa + ram_size). `file_size` is the image file's length,
 * or 0 when the caller does not know it. The header is guest-supplied
 * input: every field is checked.
 * Returns 0 and fills `out`; AXVM_EINVAL (NULL argument, short header, no
 * magic, base not aligned, file longer than image_size), AXVM_ENOTSUP
 * (big-endian image, image_size 0 as in kernels before 3.17),
 * AXVM_ERANGE (text_offset not 4 KiB aligned or not below 2 MiB, image
 * outside RAM), AXVM_EOVERFLOW (address arithmetic wraps). */
int axvm_arm64_image_place(const void *hdr, size_t len, uint64_t file_size,
			   axvm_gpa_t base_gpa, axvm_gpa_t ram_gpa, uint64_t ram_size,
			   struct axvm_arm64_image *out);

#ifdef __cplusplus
}
#endif

#endif /* AXVM_BOOT_H */
