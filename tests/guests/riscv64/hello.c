/* SPDX-License-Identifier: Apache-2.0 */
/* hello: the emulated UART (one trapped access per register touch), the
 * three SBI console paths, and SBI base. */
#include "guest.h"

static const char dbcn_line[] = "hello: through SBI DBCN console_write\n";

int main(uint64_t hartid, uint64_t dtb);
int main(uint64_t hartid, uint64_t dtb)
{
	struct sbiret r;

	gputs("Hello from an AxVM guest on RISC-V!\n");
	gprintf("hello: hart %lu, a1 = 0x%lx\n", hartid, dtb);
	check_eq(hartid, 0, "boot hart is hart 0");
	if (dtb) {
		const volatile uint8_t *m = (const volatile uint8_t *)dtb;
		uint32_t magic = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
				 (uint32_t)m[2] << 8 | m[3];
		check_eq(magic, 0xd00dfeed, "a1 points at a flattened device tree");
	}

	r = sbi(SBI_EXT_DBCN, 0, sizeof(dbcn_line) - 1, (uintptr_t)dbcn_line, 0);
	check_eq((uint64_t)r.error, 0, "DBCN console_write");
	check_eq(r.value, sizeof(dbcn_line) - 1, "DBCN wrote every byte");
	for (const char *s = "hello: through SBI DBCN console_write_byte\n"; *s; s++)
		sbi(SBI_EXT_DBCN, 2, (uint8_t)*s, 0, 0);
	for (const char *s = "hello: through SBI legacy console_putchar\n"; *s; s++)
		sbi(SBI_EXT_LEGACY_PUTCHAR, 0, (uint8_t)*s, 0, 0);
	r = sbi(SBI_EXT_DBCN, 1, 16, (uintptr_t)dbcn_line, 0);
	check_eq(r.value, 0, "DBCN console_read: no input");
	check_eq((uint64_t)sbi(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0).error, (uint64_t)-1,
		 "legacy getchar: no input");

	r = sbi(SBI_EXT_BASE, 0, 0, 0, 0);
	check_eq(r.value, 0x02000000, "SBI spec version 2.0");
	static const uint32_t exts[] = { SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE,
					 SBI_EXT_HSM, SBI_EXT_SRST, SBI_EXT_DBCN,
					 SBI_EXT_HYPERCALL, SBI_EXT_LEGACY_PUTCHAR };
	for (unsigned i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		check_eq(sbi(SBI_EXT_BASE, 3, exts[i], 0, 0).value, 1, "probe_extension finds it");
	check_eq(sbi(SBI_EXT_BASE, 3, 0x12345678, 0, 0).value, 0, "probe of an unknown one");
	check_eq((uint64_t)sbi(0x12345678, 0, 0, 0, 0).error, (uint64_t)SBI_ERR_NOT_SUPPORTED,
		 "unknown extension is not supported");
	check_eq((uint64_t)sbi(SBI_EXT_BASE, 99, 0, 0, 0).error, (uint64_t)SBI_ERR_NOT_SUPPORTED,
		 "unknown base function is not supported");
	done("hello");
}

void secondary_main(uint64_t hartid, uint64_t opaque);
void secondary_main(uint64_t hartid, uint64_t opaque)
{
	(void)hartid;
	(void)opaque;
}
