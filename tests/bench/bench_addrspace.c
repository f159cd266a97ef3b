/* SPDX-License-Identifier: Apache-2.0 */
/* Stage-2 page-table cost: map 1 GiB as 4 KiB and as 2 MiB pages (pages per
 * second, table memory; 4 KiB also one call per page), translate latency,
 * unmap rate. Prints lines
 * `bench <name> <value> <unit>`; tests/bench/addrspace.sh runs it.
 *
 *   bench_addrspace [--format NAME]       the timed benchmark
 *   bench_addrspace --callgrind MIB 4k|2m  map MIB MiB once (0: setup only),
 *                                          for instruction counts
 */
#include <axvm/axvm.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axvm_linux.h"

#define K4 4096ull
#define M2 (2ull << 20)
#define G1 (1ull << 30)
#define GPA G1 /* where the benchmark maps */
#define REPS 3
#define LOOKUPS 1000000u

static const struct {
	const char *name;
	const struct axvm_pt_format *fmt;
} formats[] = {
	{ "arm-s2-4k-ipa40", &axvm_pt_arm_s2_4k_ipa40 },
	{ "arm-s2-4k-ipa48", &axvm_pt_arm_s2_4k_ipa48 },
	{ "riscv-sv39x4", &axvm_pt_riscv_sv39x4 },
	{ "riscv-sv48x4", &axvm_pt_riscv_sv48x4 },
	{ "x86-ept4", &axvm_pt_x86_ept4 },
	{ "amd-npt4", &axvm_pt_amd_npt4 },
};

static struct axvm_linux_hal port;
static struct axvm_hal hal;

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench_addrspace: %s: %s\n", what, axvm_strerror(rc));
	exit(1);
}

static uint64_t now(void)
{
	return hal.now_ns(hal.ctx);
}

/* hpa for a run of `page`-sized leaves: aligned to the page size but not
 * to the next one up, so the walker cannot pick anything larger. */
static uint64_t hpa_for(uint64_t page)
{
	return 64 * G1 + page;
}

static struct axvm_addrspace *make(const struct axvm_pt_format *fmt)
{
	struct axvm_addrspace *as;
	int rc = axvm_addrspace_create(&hal, fmt, &as);

	if (rc)
		die("create", rc);
	return as;
}

static void bench_size(const struct axvm_pt_format *fmt, uint64_t page,
		       const char *tag)
{
	uint64_t pages = G1 / page, best_map = UINT64_MAX, best_unmap = UINT64_MAX;
	uint64_t bytes = 0, t, sum = 0, rng = 0x9e3779b97f4a7c15ull;
	struct axvm_addrspace *as = NULL;
	axvm_hpa_t hpa;
	int rc;

	for (int rep = 0; rep < REPS; rep++) {
		as = make(fmt);
		t = now();
		if ((rc = axvm_addrspace_map(as, GPA, hpa_for(page), G1, AXVM_MEM_RWX)))
			die("map", rc);
		t = now() - t;
		best_map = t < best_map ? t : best_map;
		axvm_addrspace_table_bytes(as, &bytes);
		if (rep == REPS - 1)
			break; /* keep the last one for the lookups */
		t = now();
		if ((rc = axvm_addrspace_unmap(as, GPA, G1)))
			die("unmap", rc);
		t = now() - t;
		best_unmap = t < best_unmap ? t : best_unmap;
		axvm_addrspace_destroy(as);
	}
	printf("bench addrspace_map_%s_pages_per_s %.0f pages/s\n", tag,
	       (double)pages * 1e9 / (double)best_map);
	printf("bench addrspace_map_%s_table_bytes %" PRIu64 " bytes\n", tag, bytes);
	printf("bench addrspace_unmap_%s_pages_per_s %.0f pages/s\n", tag,
	       (double)pages * 1e9 / (double)best_unmap);
	/* Random addresses in the mapped GiB, through the public call (its
	 * lock included): the cost a copy or fault path pays per page. */
	t = now();
	for (unsigned i = 0; i < LOOKUPS; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		if ((rc = axvm_addrspace_translate(as, GPA + (rng & (G1 - 1)), &hpa,
						   NULL, NULL)))
			die("translate", rc);
		sum += hpa;
	}
	t = now() - t;
	printf("bench addrspace_translate_%s_ns %.1f ns\n", tag,
	       (double)t / LOOKUPS);
	axvm_addrspace_destroy(as);
	if (sum == 1)
		puts(""); /* keep the loop */
}

/* 1 GiB of 4 KiB pages, one map call each: what lazy faults pay. */
static void bench_single_calls(const struct axvm_pt_format *fmt)
{
	uint64_t pages = G1 / K4, best = UINT64_MAX, t;
	int rc;

	for (int rep = 0; rep < REPS; rep++) {
		struct axvm_addrspace *as = make(fmt);
		t = now();
		for (uint64_t i = 0; i < pages; i++)
			if ((rc = axvm_addrspace_map(as, GPA + i * K4,
						     hpa_for(K4) + i * K4, K4,
						     AXVM_MEM_RWX)))
				die("map", rc);
		t = now() - t;
		best = t < best ? t : best;
		axvm_addrspace_destroy(as);
	}
	printf("bench addrspace_map_4k_one_call_per_page_pages_per_s %.0f pages/s\n",
	       (double)pages * 1e9 / (double)best);
}

/* One map for callgrind; MiB 0 runs the same setup without mapping. */
static void callgrind_mode(const struct axvm_pt_format *fmt, uint64_t mib,
			   uint64_t page)
{
	struct axvm_addrspace *as = make(fmt);
	int rc;

	if (mib && (rc = axvm_addrspace_map(as, GPA, hpa_for(page), mib << 20,
					    AXVM_MEM_RWX)))
		die("map", rc);
	axvm_addrspace_destroy(as);
}

int main(int argc, char **argv)
{
	const struct axvm_pt_format *fmt = &axvm_pt_arm_s2_4k_ipa48;
	const char *fname = "arm-s2-4k-ipa48";
	int rc;

	for (int i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--format"))
			continue;
		fmt = NULL;
		for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++)
			if (!strcmp(argv[i + 1], formats[f].name)) {
				fmt = formats[f].fmt;
				fname = formats[f].name;
			}
		if (!fmt) {
			fprintf(stderr, "bench_addrspace: unknown format %s\n", argv[i + 1]);
			return 2;
		}
	}
	if ((rc = axvm_linux_hal_init(&port, &hal)))
		die("hal", rc);
	if (argc >= 4 && !strcmp(argv[1], "--callgrind")) {
		callgrind_mode(fmt, strtoull(argv[2], NULL, 0),
			       !strcmp(argv[3], "2m") ? M2 : K4);
	} else {
		fprintf(stderr, "bench_addrspace: format %s, 1 GiB\n", fname);
		bench_size(fmt, K4, "4k");
		bench_single_calls(fmt);
		bench_size(fmt, M2, "2m");
	}
	if ((rc = axvm_linux_hal_fini(&port)))
		die("leak", rc);
	return 0;
}
