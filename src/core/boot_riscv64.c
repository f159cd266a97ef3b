/* SPDX-License-Identifier: Apache-2.0 */
/* The RISC-V Linux boot protocol's image placement (include/axvm/boot.h).
 * Pure arithmetic on a guest-supplied header: portable, no allocation,
 * tested on the build host. */
#include <axvm/boot.h>

/* Little-endian fields, read byte by byte: the header may be unaligned
 * and the host may be big-endian. */
static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

int axvm_riscv64_image_place(const void *hdr, size_t len, uint64_t file_size,
			     axvm_gpa_t ram_gpa, uint64_t ram_size,
			     struct axvm_riscv64_image *out)
{
	const uint8_t *h = hdr;
	uint64_t text_offset, image_size, flags, load, end, ram_end;

	if (!h || !out || len < AXVM_RISCV64_IMAGE_HDR_SIZE)
		return AXVM_EINVAL;
	/* magic2 since header 0.2; the older "RISCV" magic is still there
	 * in every kernel that has magic2, and alone in 0.1 headers. */
	if (le(h + 56, 4) != AXVM_RISCV64_IMAGE_MAGIC2 &&
	    le(h + 48, 8) != AXVM_RISCV64_IMAGE_MAGIC)
		return AXVM_EINVAL;
	text_offset = le(h + 8, 8);
	image_size = le(h + 16, 8);
	flags = le(h + 24, 8);
	if (flags & AXVM_RISCV64_IMAGE_FLAG_BE)
		return AXVM_ENOTSUP; /* guests run little-endian here */
	/* Without image_size the image's extent (BSS included) is unknown:
	 * "booting will fail otherwise", says Linux's header document. */
	if (image_size == 0)
		return AXVM_ENOTSUP;
	if (file_size && (file_size > image_size || file_size < AXVM_RISCV64_IMAGE_HDR_SIZE))
		return AXVM_EINVAL;
	/* text_offset is from the start of RAM; an rv64 kernel maps itself
	 * with 2 MiB pages and must start on such a boundary. */
	if (ram_gpa % AXVM_RISCV64_IMAGE_ALIGN)
		return AXVM_EINVAL;
	if (text_offset % AXVM_RISCV64_IMAGE_ALIGN)
		return AXVM_ERANGE;
	if (ram_gpa > UINT64_MAX - ram_size)
		return AXVM_EOVERFLOW;
	ram_end = ram_gpa + ram_size;
	if (text_offset >= ram_size)
		return AXVM_ERANGE;
	load = ram_gpa + text_offset; /* below ram_end: no wrap */
	if (load > UINT64_MAX - image_size)
		return AXVM_EOVERFLOW;
	end = load + image_size;
	if (end > ram_end)
		return AXVM_ERANGE;
	out->text_offset = text_offset;
	out->image_size = image_size;
	out->flags = flags;
	out->version = (uint32_t)le(h + 32, 4);
	out->load_gpa = load;
	out->end_gpa = end;
	return 0;
}
