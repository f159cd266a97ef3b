/* SPDX-License-Identifier: Apache-2.0 */
/* Writes fuzz_virtqueue's seeds into the directory argv[1]: a working
 * request of each kind (so the fuzzer starts past the probe) and a few
 * broken chains. Built and run by the fuzz build. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_virtqueue.h"
#include "seed_file.h"

/* Raw bytes (the console's input). */
static void bytes(struct seed *s, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		seed_put(s, (uint8_t)p[i], 1);
}

static void start(struct seed *s, enum fv_device dev, uint8_t setup_flags)
{
	s->n = 0;
	seed_put(s, dev, 1);
	seed_put(s, FV_SETUP, 1);
	seed_put(s, setup_flags, 1);
}

static void desc(struct seed *s, unsigned q, unsigned idx, uint64_t addr, uint32_t len,
		 uint16_t flags, uint16_t next)
{
	seed_put(s, FV_DESC, 1);
	seed_put(s, q, 1);
	seed_put(s, idx, 2);
	seed_put(s, addr, 8);
	seed_put(s, len, 4);
	seed_put(s, flags, 2);
	seed_put(s, next, 2);
}

static void post(struct seed *s, unsigned q, uint16_t head)
{
	seed_put(s, FV_POST, 1);
	seed_put(s, q, 1);
	seed_put(s, head, 2);
}

static void header(struct seed *s, uint32_t type, uint64_t sector)
{
	seed_put(s, FV_MEM_WRITE, 1);
	seed_put(s, 0x9000, 2); /* at FV_GPA + 0x9000 */
	seed_put(s, 16, 1);
	seed_put(s, type, 4);
	seed_put(s, 0, 4);
	seed_put(s, sector, 8);
}

/* header, data, status: a blk request at head 0 */
static void blk_request(struct seed *s, uint32_t type, uint64_t sector, uint32_t len, bool in)
{
	header(s, type, sector);
	desc(s, 0, 0, FV_GPA + 0x9000, 16, 1, 1);
	desc(s, 0, 1, FV_GPA + 0xa000, len, in ? 3 : 1, 2);
	desc(s, 0, 2, FV_GPA + 0x9100, 1, 2, 0);
	post(s, 0, 0);
	seed_put(s, FV_MMIO_READ, 1);
	seed_put(s, 0x60, 2);
	seed_put(s, 2, 1);
	seed_put(s, FV_MMIO_WRITE, 1);
	seed_put(s, 0x64, 2);
	seed_put(s, 2, 1);
	seed_put(s, 1, 4);
}

int main(int argc, char **argv)
{
	static struct seed s;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	start(&s, FV_BLK_MEM, 4);
	blk_request(&s, 1, 2, 1024, false);
	blk_request(&s, 0, 2, 1024, true);
	bad |= seed_save(argv[1], "blk-write-read", &s);

	start(&s, FV_BLK_BACKEND, 4);
	blk_request(&s, 0, 6, 4096, true);
	blk_request(&s, 4, 0, 0, false);
	blk_request(&s, 8, 0, 20, true);
	blk_request(&s, 1, 31, 1024, false);
	bad |= seed_save(argv[1], "blk-backend", &s);

	start(&s, FV_BLK_MEM, 16 | 4);
	header(&s, 0, 1);
	desc(&s, 0, 3, FV_GPA + 0xc000, 48, 4, 0);
	seed_put(&s, FV_MEM_WRITE, 1); /* the indirect table at FV_GPA + 0xc000 */
	seed_put(&s, 0xc000, 2);
	seed_put(&s, 48, 1);
	seed_put(&s, FV_GPA + 0x9000, 8); seed_put(&s, 16, 4); seed_put(&s, 1, 2); seed_put(&s, 1, 2);
	seed_put(&s, FV_GPA + 0xa000, 8); seed_put(&s, 512, 4); seed_put(&s, 3, 2); seed_put(&s, 2, 2);
	seed_put(&s, FV_GPA + 0x9100, 8); seed_put(&s, 1, 4); seed_put(&s, 2, 2); seed_put(&s, 0, 2);
	post(&s, 0, 3);
	bad |= seed_save(argv[1], "blk-indirect", &s);

	start(&s, FV_BLK_MEM, 3);
	desc(&s, 0, 0, FV_GPA + 0x9000, 16, 1, 1);
	desc(&s, 0, 1, FV_GPA + 0x9000, 16, 1, 0);
	post(&s, 0, 0);
	bad |= seed_save(argv[1], "blk-loop", &s);

	start(&s, FV_CONSOLE, 3);
	desc(&s, 0, 0, FV_GPA + 0x9000, 8, 2, 0);
	post(&s, 0, 0);
	seed_put(&s, FV_RX, 1);
	seed_put(&s, 5, 1);
	bytes(&s, "hello", 5);
	seed_put(&s, FV_MEM_WRITE, 1);
	seed_put(&s, 0xa000, 2);
	seed_put(&s, 3, 1);
	bytes(&s, "hi\n", 3);
	desc(&s, 1, 0, FV_GPA + 0xa000, 3, 0, 0);
	post(&s, 1, 0);
	seed_put(&s, FV_RESET, 1);
	bad |= seed_save(argv[1], "console", &s);
	return bad;
}
