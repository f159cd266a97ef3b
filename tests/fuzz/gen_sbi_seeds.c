/* SPDX-License-Identifier: Apache-2.0 */
/* Writes fuzz_rv_sbi's seeds into the directory given: the SBI calls a
 * Linux guest on OpenSBI makes (probes at boot, the timer, IPIs and
 * remote fences, secondary harts started, console lines, a reset), each
 * with the mistakes a broken guest makes beside them, and a memory map
 * no sane config has. */
#include <stdint.h>
#include <stdio.h>

#include "fuzz_rv_sbi.h"
#include "seed_file.h"

#define RAM 0x80000000ull
#define RAM_SIZE 0x1000000ull
#define KERNEL (RAM + 0x200000ull)

/* Extensions Linux probes that the SBI lacks (PMU, SUSP, CPPC, STA). */
#define EID_PMU 0x504d55u
#define EID_SUSP 0x53555350u
#define EID_CPPC 0x43505043u
#define EID_STA 0x535441u

/* `harts` vCPUs, all created; 16 MiB of RAM at 0x8000_0000 and a UART
 * page as the device region; every hart at the kernel's entry. */
static void head(struct seed *s, unsigned harts)
{
	seed_put(s, harts - 1, 1);
	seed_put(s, 0xff, 1);
	seed_put(s, 1u << 2, 1); /* one RAM region, the device second */
	seed_put(s, RAM, 8);
	seed_put(s, RAM_SIZE, 8);
	seed_put(s, 0x10000000, 8);
	seed_put(s, 0x1000, 8);
	seed_put(s, KERNEL, 8);
	seed_put(s, 0x5a, 1);
}

/* The rest of a trap after its extension id: function 0, every argument
 * 0 (narrow), no hart in the guest, no read faulting. */
static void rest_zero(struct seed *s)
{
	seed_put(s, 0, 1);
	seed_put(s, 0, 1);
	for (unsigned i = 0; i < 6; i++)
		seed_put(s, 0, 1);
	seed_put(s, 0, 1);
	seed_put(s, FS_NO_FAIL, 2);
}

/* The byte that spells `v` as a narrow argument (fuzz_rv_sbi.h), or -1
 * when it takes 8: narrow ones are what mutations turn into each other. */
static int narrow(uint64_t v)
{
	if (v < 0x80)
		return (int)v;
	if (v >= UINT64_MAX - 0x3f)
		return 0xff - (int)(UINT64_MAX - v);
	for (int b = 7; b < 64; b++)
		if (v == 1ull << b)
			return 0x80 + b;
	return -1;
}

/* An ECALL of vCPU `hart` (a3-a5 zero); vCPUs `in_guest` inside the
 * guest; console read `fail` faulting. */
static void ecall_env(struct seed *s, unsigned hart, enum fs_eid e, uint8_t fid, uint64_t a0,
		      uint64_t a1, uint64_t a2, uint8_t in_guest, uint16_t fail)
{
	const uint64_t a[6] = { a0, a1, a2, 0, 0, 0 };
	uint8_t wide = 0;

	for (unsigned i = 0; i < 6; i++)
		if (narrow(a[i]) < 0)
			wide |= 1u << i;
	seed_put(s, FS_OP(hart, e), 1);
	seed_put(s, fid, 1);
	seed_put(s, wide, 1);
	for (unsigned i = 0; i < 6; i++) {
		if (wide >> i & 1)
			seed_put(s, a[i], 8);
		else
			seed_put(s, (uint64_t)narrow(a[i]), 1);
	}
	seed_put(s, in_guest, 1);
	seed_put(s, fail, 2);
}

static void ecall(struct seed *s, unsigned hart, enum fs_eid e, uint8_t fid, uint64_t a0,
		  uint64_t a1, uint64_t a2)
{
	ecall_env(s, hart, e, fid, a0, a1, a2, 0, FS_NO_FAIL);
}

/* base probe_extension(eid) */
static void probe_of(struct seed *s, uint64_t eid)
{
	ecall(s, 0, FS_BASE, 3, eid, 0, 0);
}

/* An ECALL to an extension id given in full. */
static void ecall_raw(struct seed *s, uint64_t eid, uint8_t fid)
{
	seed_put(s, FS_OP(0, FS_RAW64), 1);
	seed_put(s, eid, 8);
	seed_put(s, fid, 1);
	seed_put(s, 0, 1); /* narrow arguments, all 0 */
	for (unsigned i = 0; i < 6; i++)
		seed_put(s, 0, 1);
	seed_put(s, 0, 1);
	seed_put(s, FS_NO_FAIL, 2);
}

/* Linux's sbi_init(): the version, the implementation, then a probe of
 * each extension it can use; and base functions past the last. */
static void probe(struct seed *s)
{
	head(s, 2);
	for (uint8_t fid = 0; fid <= 2; fid++)
		ecall(s, 0, FS_BASE, fid, 0, 0, 0);
	probe_of(s, 0x54494d45); /* TIME */
	probe_of(s, 0x735049);   /* IPI */
	probe_of(s, 0x52464e43); /* RFENCE */
	probe_of(s, 0x48534d);   /* HSM */
	probe_of(s, 0x53525354); /* SRST */
	probe_of(s, 0x4442434e); /* DBCN */
	probe_of(s, EID_PMU);
	probe_of(s, EID_SUSP);
	probe_of(s, EID_CPPC);
	probe_of(s, EID_STA);
	probe_of(s, 0x01); /* legacy putchar */
	probe_of(s, 0x0a000000);
	for (uint8_t fid = 4; fid <= 7; fid++)
		ecall(s, 1, FS_BASE, fid, 0, 0, 0);
	ecall_raw(s, EID_PMU, 0);
	ecall_raw(s, 0x0a000000ull | 1ull << 32, 0); /* the hypercall id, high bits set */
}

/* The timer: TIME set_timer as Linux arms it, the legacy one, no deadline. */
static void timer(struct seed *s)
{
	head(s, 2);
	ecall(s, 0, FS_TIME, 0, 0x12345678, 0, 0);
	ecall(s, 1, FS_TIME, 0, UINT64_MAX, 0, 0);
	ecall(s, 0, FS_LEGACY_SET_TIMER, 0, 0x1000, 0, 0);
	ecall(s, 0, FS_TIME, 1, 0, 0, 0); /* no such function */
}

/* send_ipi as Linux's sbi_send_ipi() builds masks, and masks that name
 * harts the VM lacks. */
static void ipi(struct seed *s)
{
	head(s, 4);
	ecall(s, 0, FS_IPI, 0, 0xe, 0, 0);      /* harts 1-3 */
	ecall(s, 1, FS_IPI, 0, 0x1, 0, 0);
	ecall(s, 2, FS_IPI, 0, 0x3, 2, 0);      /* harts 2, 3 */
	ecall(s, 3, FS_IPI, 0, 0, UINT64_MAX, 0); /* everyone */
	ecall(s, 0, FS_IPI, 0, 0, 7, 0);        /* none */
	ecall(s, 0, FS_IPI, 0, 0x1, 4, 0);      /* hart 4 */
	ecall(s, 0, FS_IPI, 0, 0x10, 0, 0);
	ecall(s, 0, FS_IPI, 0, 0x3, 63, 0);     /* past bit 63 */
	ecall(s, 1, FS_IPI, 0, 1ull << 63, 0, 0); /* hart 63 */
	ecall(s, 0, FS_IPI, 1, 0x1, 0, 0);      /* no such function */
}

/* remote fences while other harts run, and the HFENCE calls. */
static void rfence(struct seed *s)
{
	head(s, 4);
	ecall(s, 0, FS_RFENCE, 0, 0, UINT64_MAX, 0);
	ecall_env(s, 1, FS_RFENCE, 1, 0x5, 0, KERNEL, 0x4, FS_NO_FAIL);
	ecall_env(s, 2, FS_RFENCE, 2, 0xf, 0, 0, 0xb, FS_NO_FAIL);
	ecall(s, 0, FS_RFENCE, 1, 0x3, 3, 0);   /* hart 4 */
	ecall(s, 0, FS_RFENCE, 0, 1ull << 63, 1, 0); /* hart 64: the shift overflows */
	ecall(s, 0, FS_RFENCE, 3, 0, UINT64_MAX, 0);
	ecall(s, 0, FS_RFENCE, 6, 0, UINT64_MAX, 0);
}

/* Secondary harts as Linux's sbi_hsm brings them up, then the mistakes. */
static void hsm(struct seed *s)
{
	head(s, 4);
	for (unsigned h = 1; h < 4; h++) {
		ecall(s, 0, FS_HSM, 0, h, KERNEL + 0x1002, 0x1000 * h);
		ecall(s, 0, FS_HSM, 2, h, 0, 0);
	}
	ecall(s, 3, FS_HSM, 1, 0, 0, 0);
	ecall(s, 0, FS_HSM, 0, 4, KERNEL, 0);             /* no hart 4 */
	ecall(s, 0, FS_HSM, 0, 1, KERNEL + 1, 0);         /* odd */
	ecall(s, 0, FS_HSM, 0, 1, RAM + RAM_SIZE - 2, 0); /* straddles the end */
	ecall(s, 0, FS_HSM, 0, 1, 0x10000000, 0);         /* the device */
	ecall(s, 0, FS_HSM, 2, UINT64_MAX, 0, 0);
	ecall(s, 0, FS_HSM, 3, 0, 0, 0);                  /* hart_suspend */
}

/* DBCN as Linux's earlycon and hvc write: lines, a byte, a read; then a
 * write too long, one past RAM, one over base_hi, one cut short. */
static void dbcn(struct seed *s)
{
	head(s, 1);
	ecall(s, 0, FS_DBCN, 0, 36, RAM + 0x1000, 0);
	ecall(s, 0, FS_DBCN, 2, '\n', 0, 0);
	ecall(s, 0, FS_DBCN, 1, 16, RAM + 0x2000, 0);
	ecall(s, 0, FS_DBCN, 0, 0, 0, 0);
	ecall(s, 0, FS_DBCN, 0, 5000, RAM, 0);
	ecall(s, 0, FS_DBCN, 0, 16, RAM + RAM_SIZE - 8, 0);
	ecall(s, 0, FS_DBCN, 0, 16, RAM, 1);
	ecall_env(s, 0, FS_DBCN, 0, 40, RAM + 0x3000, 0, 0, 3);
	ecall(s, 0, FS_DBCN, 3, 0, 0, 0);
}

/* system_reset: shutdown, the reboots, a reserved type and reasons; the
 * legacy one. */
static void srst(struct seed *s)
{
	head(s, 2);
	ecall(s, 0, FS_SRST, 0, 0, 0, 0);
	ecall(s, 1, FS_SRST, 0, 1, 0, 0);
	ecall(s, 0, FS_SRST, 0, 2, 1, 0);
	ecall(s, 0, FS_SRST, 0, 3, 0, 0);
	ecall(s, 0, FS_SRST, 0, 0xf0000000u, 0, 0);
	ecall(s, 0, FS_SRST, 0, 0, 2, 0);
	ecall(s, 0, FS_SRST, 0, 1, 0xe0000000u, 0);
	ecall(s, 0, FS_SRST, 1, 0, 0, 0);
	ecall(s, 0, FS_LEGACY_SHUTDOWN, 0, 0, 0, 0);
}

/* The legacy console, the legacy calls the SBI lacks, hypercalls, and
 * traps that are no ECALL. */
static void legacy(struct seed *s)
{
	head(s, 2);
	ecall(s, 0, FS_LEGACY_PUTCHAR, 0, 'A', 0, 0);
	ecall(s, 1, FS_LEGACY_GETCHAR, 0, 0, 0, 0);
	for (unsigned k = 0; k < 5; k++) {
		seed_put(s, FS_OP(0, FS_LEGACY_OTHER), 1);
		seed_put(s, k, 1);
		rest_zero(s);
	}
	ecall(s, 0, FS_HYPERCALL, 0, 1, 2, 3);
	ecall(s, 1, FS_HYPERCALL, 0xfe, 0x102, 10, 0);
	seed_put(s, FS_OP(1, FS_BASE) | FS_OP_CAUSE, 1);
	seed_put(s, 22, 1); /* a virtual-instruction trap */
	rest_zero(s);
	seed_put(s, FS_OP(0, FS_TIME) | FS_OP_CAUSE, 1);
	seed_put(s, 0x85, 1); /* the timer interrupt */
	rest_zero(s);
	seed_put(s, FS_OP(0, FS_FLIPPED), 1);
	seed_put(s, FS_HSM, 1);
	seed_put(s, 40, 1);
	rest_zero(s);
}

/* Three RAM regions, one wrapping the top of the address space and one
 * of size 0, a device region inside RAM marked by its flag; harts 1 and
 * 3 not created yet. */
static void map(struct seed *s)
{
	seed_put(s, 4 - 1, 1);
	seed_put(s, 0x5, 1);
	seed_put(s, 2u | 1u << 2 | 1u << 4, 1);
	seed_put(s, RAM, 8);
	seed_put(s, RAM_SIZE, 8);
	seed_put(s, RAM + 0x100000, 8); /* the device, inside RAM */
	seed_put(s, 0x1000, 8);
	seed_put(s, UINT64_MAX - 0xfff, 8);
	seed_put(s, 0x2000, 8);
	seed_put(s, 0x40000000, 8);
	seed_put(s, 0, 8);
	seed_put(s, UINT64_MAX - 1, 8);
	seed_put(s, 0xa5, 1);
	ecall(s, 0, FS_HSM, 0, 1, UINT64_MAX - 3, 0);
	ecall(s, 0, FS_HSM, 0, 3, UINT64_MAX - 0x1000, 0);
	ecall(s, 0, FS_HSM, 0, 2, 0x40000000, 0);
	ecall(s, 0, FS_DBCN, 0, 0x1000, UINT64_MAX - 0xfff, 0);
	ecall(s, 0, FS_DBCN, 0, 0x1001, UINT64_MAX - 0xfff, 0);
	ecall(s, 0, FS_DBCN, 0, 8, RAM + 0x100000, 0);
	ecall_env(s, 2, FS_RFENCE, 0, 0, UINT64_MAX, 0, 0xff, FS_NO_FAIL);
	ecall(s, 0, FS_IPI, 0, 0xf, 0, 0);
}

int main(int argc, char **argv)
{
	static const struct seed_kind kinds[] = {
		{ "probe", probe }, { "timer", timer }, { "ipi", ipi }, { "rfence", rfence },
		{ "hsm", hsm }, { "dbcn", dbcn }, { "srst", srst }, { "legacy", legacy },
		{ "map", map },
	};

	return seed_main(argc, argv, kinds, sizeof(kinds) / sizeof(kinds[0]));
}
