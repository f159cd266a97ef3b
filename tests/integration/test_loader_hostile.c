/* SPDX-License-Identifier: Apache-2.0 */
/* axvm-run's image loader on hostile files: crafted ELF headers and many
 * random corruptions of a real guest. It must refuse them with a message or
 * accept them with every segment inside the loadable window; under ASan
 * any out-of-bounds read fails the test. Needs no KVM. */
#include <elf.h>
#include <string.h>

#include "kvm_test.h"
#include "loader.h"

#define LO 0x100000ull
#define HI 0x800000ull

static int failures;

static int parse(const uint8_t *buf, size_t len, struct image *img)
{
	char msg[256];
	int rc = image_parse(buf, len, LO, HI, img, msg, sizeof(msg));

	if (rc == 0 && img->is_elf) {
		for (uint32_t i = 0; i < img->count; i++) {
			const struct image_segment *s = &img->seg[i];
			EXPECT(s->paddr >= LO && s->memsz <= HI - s->paddr);
			EXPECT(s->filesz <= s->memsz);
			EXPECT(s->data >= buf &&
			       (size_t)(s->data - buf) <= len &&
			       s->filesz <= len - (size_t)(s->data - buf));
		}
	}
	return rc;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(int argc, char **argv)
{
	uint8_t *good, *buf;
	size_t len;
	char msg[256];
	struct image img;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;

	if (argc != 2) {
		fprintf(stderr, "usage: %s GUEST.elf\n", argv[0]);
		return 2;
	}
	if (image_read_file(argv[1], 1u << 20, &good, &len, msg, sizeof(msg))) {
		fprintf(stderr, "%s\n", msg);
		return 1;
	}
	buf = malloc(len);
	EXPECT(parse(good, len, &img) == 0 && img.is_elf && img.count >= 1);

	/* Truncations at every length up to the program headers' end. */
	for (size_t n = 0; n < len && n < 4096; n++) {
		uint8_t *t = malloc(n ? n : 1);
		memcpy(t, good, n);
		parse(t, n, &img); /* ASan watches the reads */
		free(t);
	}
#define FRESH()                                                                \
	(memcpy(buf, good, len), eh = (Elf64_Ehdr *)buf,                       \
	 ph = (Elf64_Phdr *)(buf + eh->e_phoff))
	FRESH();
	eh->e_phoff = UINT64_MAX - 8;
	EXPECT(parse(buf, len, &img) != 0);
	FRESH();
	eh->e_phnum = 0xffff;
	EXPECT(parse(buf, len, &img) != 0);
	FRESH();
	eh->e_phentsize = 1;
	EXPECT(parse(buf, len, &img) != 0);
	FRESH();
	eh->e_machine = EM_AARCH64;
	EXPECT(parse(buf, len, &img) != 0);
	FRESH();
	buf[EI_CLASS] = ELFCLASS32;
	EXPECT(parse(buf, len, &img) != 0);
	FRESH();
	ph[0].p_offset = UINT64_MAX - 2;
	EXPECT(parse(buf, len, &img) != 0);
	FRESH();
	ph[0].p_filesz = UINT64_MAX;
	ph[0].p_memsz = UINT64_MAX;
	EXPECT(parse(buf, len, &img) != 0);
	FRESH();
	ph[0].p_paddr = 0x1000; /* over the runner's page tables */
	EXPECT(parse(buf, len, &img) != 0);
	FRESH();
	ph[0].p_paddr = UINT64_MAX - 0xfff; /* wraps */
	EXPECT(parse(buf, len, &img) != 0);
	FRESH();
	ph[0].p_memsz = HI; /* past the end of RAM */
	EXPECT(parse(buf, len, &img) != 0);
	FRESH();
	ph[0].p_filesz = ph[0].p_memsz + 1;
	EXPECT(parse(buf, len, &img) != 0);
	FRESH();
	eh->e_entry = 0x12345;
	EXPECT(parse(buf, len, &img) != 0);
	if (eh->e_phnum >= 2) {
		FRESH();
		ph[1].p_paddr = ph[0].p_paddr; /* overlapping segments */
		ph[1].p_type = PT_LOAD;
		ph[1].p_memsz = 0x10;
		ph[1].p_filesz = 0;
		ph[1].p_offset = 0;
		EXPECT(parse(buf, len, &img) != 0);
	}
	/* A raw image too big for the window. */
	EXPECT(image_parse(good, len, LO, LO + 16, &img, msg, sizeof(msg)) !=
	           0 ||
	       len <= 16);

	/* Random corruption of the headers and the whole file. */
	unsigned accepted = 0;
	for (int i = 0; i < 200000; i++) {
		FRESH();
		int flips = 1 + (int)(next() % 8);
		for (int f = 0; f < flips; f++) {
			size_t at = (next() & 1) ? next() % 256 : next() % len;
			if (at < len)
				buf[at] = (uint8_t)next();
		}
		if (parse(buf, len, &img) == 0)
			accepted++;
	}
	printf(
	    "random corruptions: %u of 200000 still accepted (all in bounds)\n",
	    accepted);
	free(buf);
	free(good);
	printf("%s\n", failures ? "FAILED" : "loader: ok");
	return failures ? 1 : 0;
}
