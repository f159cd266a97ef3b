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

/* The RISC-V Linux `Image` header (Linux's Documentation/riscv/
 * boot-image-header.rst): 64 bytes at the start of the image, whose first
 * instruction is its entry point. */
#define AXVM_RISCV64_IMAGE_HDR_SIZE 64u
#define AXVM_RISCV64_IMAGE_MAGIC 0x5643534952ull /* "RISCV\0\0\0" at 48 (deprecated) */
#define AXVM_RISCV64_IMAGE_MAGIC2 0x05435352u    /* "RSC\x05" at 56 */
#define AXVM_RISCV64_IMAGE_ALIGN 0x200000ull     /* rv64: 2 MiB-aligned load */
#define AXVM_RISCV64_IMAGE_FLAG_BE (1ull << 0)

/* Where a RISC-V image is placed. */
struct axvm_riscv64_image {
	uint64_t text_offset; /* from the start of RAM */
	uint64_t image_size;  /* bytes the image uses from load_gpa, BSS included */
	uint64_t flags;       /* the header's flags */
	uint32_t version;     /* the header's version: major << 16 | minor */
	axvm_gpa_t load_gpa;  /* RAM + text_offset: the entry point */
	axvm_gpa_t end_gpa;   /* load_gpa + image_size (exclusive) */
};

/* Parse the header `hdr` (`len` readable bytes, at least 64) of a RISC-V
 * Image and place it at its text_offset from the start of guest RAM
 * [ram_gpa, ram_gpa + ram_size), which must be 2 MiB aligned. `file_size`
 * is the image file's length, or 0 when the caller does not know it. The
 * header is guest-supplied input: every field is checked. The guest is
 * entered at load_gpa with a0 = hart id, a1 = the DTB's address.
 * Returns 0 and fills `out`; AXVM_EINVAL (NULL argument, short header, no
 * magic, RAM not 2 MiB aligned, file longer than image_size or shorter
 * than the header), AXVM_ENOTSUP (big-endian image, image_size 0),
 * AXVM_ERANGE (text_offset not 2 MiB aligned, image outside RAM),
 * AXVM_EOVERFLOW (address arithmetic wraps). */
int axvm_riscv64_image_place(const void *hdr, size_t len, uint64_t file_size,
			     axvm_gpa_t ram_gpa, uint64_t ram_size,
			     struct axvm_riscv64_image *out);

#ifdef __cplusplus
}
#endif

#endif /* AXVM_BOOT_H */
