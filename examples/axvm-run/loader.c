/* SPDX-License-Identifier: Apache-2.0 */
/* ELF64 and raw image loading, bounds-checked throughout. */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int image_read_file(const char *path, size_t max_bytes, uint8_t **out,
                    size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	for (;;) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			if (cap > max_bytes) {
				free(buf);
				fclose(f);
				return fail(err, errlen,
				            "%s: larger than %zu bytes", path,
				            max_bytes);
			}
			uint8_t *nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				fclose(f);
				return fail(err, errlen, "%s: out of memory",
				            path);
			}
			buf = nb;
			cap = ncap;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return fail(err, errlen, "%s: read error", path);
	}
	fclose(f);
	if (n > max_bytes) {
		free(buf);
		return fail(err, errlen, "%s: larger than %zu bytes", path,
		            max_bytes);
	}
	if (n == 0) {
		free(buf);
		return fail(err, errlen, "%s: empty file", path);
	}
	*out = buf;
	*len = n;
	return 0;
}

/* [addr, addr + size) inside [lo, hi), without overflow. */
static bool fits(uint64_t addr, uint64_t size, uint64_t lo, uint64_t hi)
{
	return addr >= lo && addr <= hi && size <= hi - addr;
}

static int parse_elf(const uint8_t *buf, size_t len, uint64_t lo, uint64_t hi,
                     struct image *img, char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	bool entry_ok = false;

	if (len < sizeof(eh))
		return fail(err, errlen, "ELF: truncated header");
	memcpy(&eh, buf, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64)
		return fail(err, errlen, "ELF: not a 64-bit ELF file");
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, "ELF: not little-endian");
	if (eh.e_ident[EI_VERSION] != EV_CURRENT)
		return fail(err, errlen, "ELF: unknown version");
	if (eh.e_machine != EM_X86_64)
		return fail(err, errlen,
		            "ELF: not an x86_64 image (e_machine %u)",
		            (unsigned)eh.e_machine);
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return fail(err, errlen, "ELF: not an executable (e_type %u)",
		            (unsigned)eh.e_type);
	if (eh.e_phentsize != sizeof(Elf64_Phdr))
		return fail(err, errlen, "ELF: bad program header size %u",
		            (unsigned)eh.e_phentsize);
	if (eh.e_phnum == 0 || eh.e_phnum > IMAGE_MAX_PHDRS)
		return fail(err, errlen,
		            "ELF: %u program headers (1..%u allowed)",
		            (unsigned)eh.e_phnum, IMAGE_MAX_PHDRS);
	if (eh.e_phoff > len ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff)
		return fail(err, errlen,
		            "ELF: program headers past end of file");

	img->is_elf = true;
	img->entry = eh.e_entry;
	img->count = 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, buf + eh.e_phoff + (size_t)i * sizeof(ph),
		       sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (ph.p_filesz > ph.p_memsz)
			return fail(
			    err, errlen,
			    "ELF: segment %u: file size above memory size", i);
		if (ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
			return fail(err, errlen,
			            "ELF: segment %u: data past end of file",
			            i);
		if (!fits(ph.p_paddr, ph.p_memsz, lo, hi))
			return fail(
			    err, errlen,
			    "ELF: segment %u: [0x%llx, +0x%llx) outside the "
			    "loadable RAM [0x%llx, 0x%llx)",
			    i, (unsigned long long)ph.p_paddr,
			    (unsigned long long)ph.p_memsz,
			    (unsigned long long)lo, (unsigned long long)hi);
		if (img->count == IMAGE_MAX_SEGMENTS)
			return fail(err, errlen,
			            "ELF: more than %u loadable segments",
			            IMAGE_MAX_SEGMENTS);
		for (uint32_t j = 0; j < img->count; j++) {
			const struct image_segment *o = &img->seg[j];
			if (ph.p_paddr < o->paddr + o->memsz &&
			    o->paddr < ph.p_paddr + ph.p_memsz)
				return fail(err, errlen,
				            "ELF: segment %u overlaps another",
				            i);
		}
		img->seg[img->count++] = (struct image_segment){
		    .paddr = ph.p_paddr,
		    .filesz = ph.p_filesz,
		    .memsz = ph.p_memsz,
		    .data = buf + ph.p_offset,
		};
		if (eh.e_entry >= ph.p_paddr &&
		    eh.e_entry - ph.p_paddr < ph.p_memsz)
			entry_ok = true;
	}
	if (img->count == 0)
		return fail(err, errlen, "ELF: no loadable segment");
	if (!entry_ok)
		return fail(err, errlen,
		            "ELF: entry 0x%llx is in no loaded segment "
		            "(the guest ABI loads at physical addresses)",
		            (unsigned long long)eh.e_entry);
	return 0;
}

int image_parse(const uint8_t *buf, size_t len, uint64_t lo, uint64_t hi,
                struct image *img, char *err, size_t errlen)
{
	memset(img, 0, sizeof(*img));
	if (len >= SELFMAG && memcmp(buf, ELFMAG, SELFMAG) == 0)
		return parse_elf(buf, len, lo, hi, img, err, errlen);
	if (lo > IMAGE_RAW_BASE || !fits(IMAGE_RAW_BASE, len, lo, hi))
		return fail(
		    err, errlen,
		    "raw image of %zu bytes does not fit in the loadable "
		    "RAM [0x%llx, 0x%llx)",
		    len, (unsigned long long)lo, (unsigned long long)hi);
	img->is_elf = false;
	img->entry = IMAGE_RAW_BASE;
	img->count = 1;
	img->seg[0] = (struct image_segment){
	    .paddr = IMAGE_RAW_BASE,
	    .filesz = len,
	    .memsz = len,
	    .data = buf,
	};
	return 0;
}

int image_load(struct axvm_vm *vm, const struct image *img, char *err,
               size_t errlen)
{
	static const uint8_t zeros[4096];
	int rc;

	for (uint32_t i = 0; i < img->count; i++) {
		const struct image_segment *s = &img->seg[i];
		if (s->filesz &&
		    (rc = axvm_copy_to_guest(vm, s->paddr, s->data, s->filesz)))
			return fail(err, errlen, "loading segment %u: %s", i,
			            axvm_strerror(rc));
		for (uint64_t off = s->filesz; off < s->memsz;) {
			uint64_t n = s->memsz - off;
			if (n > sizeof(zeros))
				n = sizeof(zeros);
			if ((rc = axvm_copy_to_guest(vm, s->paddr + off, zeros,
			                             (size_t)n)))
				return fail(err, errlen,
				            "zeroing segment %u: %s", i,
				            axvm_strerror(rc));
			off += n;
		}
	}
	return 0;
}
