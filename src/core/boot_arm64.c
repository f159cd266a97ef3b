/* SPDX-License-Identifier: Apache-2.0 */
/* The arm64 Linux boot protocol's image placement (include/axvm/boot.h).
 * Pure arithmetic on a guest-supplied header: portable, no allocation,
 * tested on the build host. */
#include <axvm/boot.h>

/* Little-endian fields, read byte by byte: the header may be unaligned
 * and the host may be big-endian. */
static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

int axvm_arm64_image_place(const void *hdr, size_t len, uint64_t file_size,
			   axvm_gpa_t base_gpa, axvm_gpa_t ram_gpa, uint64_t ram_size,
			   struct axvm_arm64_image *out)
{
	const uint8_t *h = hdr;
	uint64_t text_offset, image_size, flags, load, end, ram_end;

	if (!h || !out || len < AXVM_ARM64_IMAGE_HDR_SIZE)
		return AXVM_EINVAL;
	if ((uint32_t)le64(h + 56) != AXVM_ARM64_IMAGE_MAGIC)
		return AXVM_EINVAL;
	text_offset = le64(h + 8);
	image_size = le64(h + 16);
	flags = le64(h + 24);
	if (flags & AXVM_ARM64_IMAGE_FLAG_BE)
		return AXVM_ENOTSUP; /* guests run little-endian here */
	/* Before 3.17 image_size was 0 and the BSS size unknown: the image's
	 * true extent cannot be checked, so such kernels are refused. */
	if (image_size == 0)
		return AXVM_ENOTSUP;
	if (file_size && file_size > image_size)
		return AXVM_EINVAL;
	if (file_size && file_size < AXVM_ARM64_IMAGE_HDR_SIZE)
		return AXVM_EINVAL;
	/* Linux's text_offset is 0, 0x80000 or a randomised page-aligned value
	 * below 2 MiB; anything else is not an image we know how to place. */
	if (text_offset % 0x1000u || text_offset >= AXVM_ARM64_IMAGE_ALIGN)
		return AXVM_ERANGE;
	if (base_gpa % AXVM_ARM64_IMAGE_ALIGN)
		return AXVM_EINVAL;
	if (base_gpa > UINT64_MAX - text_offset)
		return AXVM_EOVERFLOW;
	load = base_gpa + text_offset;
	if (load > UINT64_MAX - image_size)
		return AXVM_EOVERFLOW;
	end = load + image_size;
	if (ram_gpa > UINT64_MAX - ram_size)
		return AXVM_EOVERFLOW;
	ram_end = ram_gpa + ram_size;
	if (base_gpa < ram_gpa || end > ram_end)
		return AXVM_ERANGE;
	out->text_offset = text_offset;
	out->image_size = image_size;
	out->flags = flags;
	out->load_gpa = load;
	out->end_gpa = end;
	return 0;
}
