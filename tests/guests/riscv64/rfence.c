/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rfence: SBI remote_sfence_vma returns only once the remote hart can no
 * longer use a translation it cached. Both harts run with Sv39 paging;
 * hart 1 keeps reading one virtual page, hart 0 points that page at the
 * other of two frames, calls remote_sfence_vma for hart 1 and at once
 * tells it to look. A stale translation shows as the old frame's value.
 */
#include "guest.h"

#define ROUNDS 300u
#define TEST_VA 0xc0000000ul

static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t mid[512] __attribute__((aligned(4096)));
static uint64_t leaf[512] __attribute__((aligned(4096)));
static volatile uint32_t frame[2][1024] __attribute__((aligned(4096)));
static volatile uint32_t go, seen_round, up, stale;

static uint64_t table_pte(const void *next)
{
	return ((uintptr_t)next >> 12) << 10 | PTE_V;
}

static void point_test_page_at(unsigned which)
{
	leaf[0] = ((uintptr_t)frame[which] >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
	__asm__ volatile("fence rw, rw" ::: "memory");
}

/* Identity gigapages for the devices (0..1 GiB) and RAM (2..3 GiB); the
 * test page at 3 GiB through two more levels. */
static void build_tables(void)
{
	const uint64_t rwx = PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;

	root[0] = (0ul >> 12) << 10 | rwx;
	root[2] = (RAM_BASE >> 12) << 10 | rwx;
	root[3] = table_pte(mid);
	mid[0] = table_pte(leaf);
	frame[0][0] = 0xaaaa0000u;
	frame[1][0] = 0xbbbb0000u;
	point_test_page_at(0);
}

static void paging_on(void)
{
	__asm__ volatile("csrw satp, %0; sfence.vma" ::"r"(SATP_SV39 | (uintptr_t)root >> 12)
			 : "memory");
}

int main(uint64_t hartid, uint64_t dtb);
int main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	build_tables();
	paging_on();
	check_eq(*(volatile uint32_t *)TEST_VA, 0xaaaa0000u, "the test page maps frame 0");
	check_eq((uint64_t)guest_cpu_on(1, 0), 0,
		 "hart_start(1)");
	uint64_t end = guest_now_us() + 2000000;
	while (!up && guest_now_us() < end)
		;
	check(up, "hart 1 came up with paging on");

	for (uint32_t r = 1; r <= ROUNDS && up; r++) {
		point_test_page_at(r & 1);
		__asm__ volatile("sfence.vma %0" ::"r"(TEST_VA) : "memory");
		struct sbiret ret = sbi6(SBI_EXT_RFENCE, 1, 1u << 1, 0, TEST_VA, 4096, 0, 0);
		if (ret.error) {
			check_eq((uint64_t)ret.error, 0, "remote_sfence_vma");
			break;
		}
		go = r;
		end = guest_now_us() + 2000000;
		while (seen_round != r && guest_now_us() < end)
			;
		if (seen_round != r) {
			check(false, "hart 1 answered");
			break;
		}
	}
	gprintf("rfence: %u rounds, %u stale reads on hart 1\n", ROUNDS, stale);
	check_eq(stale, 0, "hart 1 never read through a fenced-off translation");
	go = UINT32_MAX;
	done("rfence");
}

void secondary_main(uint64_t hartid, uint64_t opaque);
void secondary_main(uint64_t hartid, uint64_t opaque)
{
	(void)hartid;
	(void)opaque;
	uint32_t r = 0;

	paging_on();
	up = 1;
	for (;;) {
		/* Keep the translation hot; no exits in this loop. */
		uint32_t v = *(volatile uint32_t *)TEST_VA;
		uint32_t g = go;
		if (g == UINT32_MAX)
			break;
		if (g == r)
			continue;
		__asm__ volatile("fence r, r" ::: "memory");
		v = *(volatile uint32_t *)TEST_VA;
		if (v != (g & 1 ? 0xbbbb0000u : 0xaaaa0000u))
			stale = stale + 1;
		r = g;
		seen_round = g;
	}
	/* returning calls SBI hart_stop */
}
