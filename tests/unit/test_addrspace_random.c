/* SPDX-License-Identifier: Apache-2.0 */
/* Differential test: random map / unmap / protect operations on the page
 * tables and on a plain extent list; after each batch, translate() must
 * agree with the list at random and boundary addresses.
 *
 * AXVM_TEST_SEED=<n> replays a run (the seed is printed first and in every
 * failure); AXVM_TEST_OPS=<n> changes the operations per format (50000 by
 * default, 300000 over the six formats). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>

#include "addrspace_env.h"

#define K4 4096ull
#define M2 (2ull << 20)
#define G1 (1ull << 30)
#define WINDOW (8 * G1) /* guest range the operations stay in */
#define BATCH 1000u
#define DEFAULT_SEED 0x5eed0a11c0ffee01ull
#define DEFAULT_OPS 50000u /* per format: 300000 in all */

static uint64_t seed_used;

static uint64_t rng_state;

/* splitmix64: tiny, fast, and every seed is a good one. */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return rnd() % n;
}

/* ---- the reference: sorted, disjoint extents [s, e) -> hpa --------------- */

struct ext {
	uint64_t s, e, hpa;
	uint32_t fl;
};

struct model {
	struct ext *v;
	size_t n, cap;
};

/* First extent ending after a. */
static size_t m_find(const struct model *m, uint64_t a)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->v[mid].e > a)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static void m_insert_at(struct model *m, size_t i, struct ext x)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 256;
		m->v = realloc(m->v, m->cap * sizeof(*m->v));
		assert_non_null(m->v);
	}
	memmove(&m->v[i + 1], &m->v[i], (m->n - i) * sizeof(*m->v));
	m->v[i] = x;
	m->n++;
}

static void m_remove_at(struct model *m, size_t i, size_t count)
{
	if (!count)
		return;
	memmove(&m->v[i], &m->v[i + count], (m->n - i - count) * sizeof(*m->v));
	m->n -= count;
}

static bool m_overlaps(const struct model *m, uint64_t s, uint64_t e)
{
	size_t i = m_find(m, s);
	return i < m->n && m->v[i].s < e;
}

/* Merge v[i] with its neighbours where the translation continues. */
static void m_merge(struct model *m, size_t i)
{
	if (i + 1 < m->n && m->v[i].e == m->v[i + 1].s &&
	    m->v[i].hpa + (m->v[i].e - m->v[i].s) == m->v[i + 1].hpa &&
	    m->v[i].fl == m->v[i + 1].fl) {
		m->v[i].e = m->v[i + 1].e;
		m_remove_at(m, i + 1, 1);
	}
	if (i > 0 && m->v[i - 1].e == m->v[i].s &&
	    m->v[i - 1].hpa + (m->v[i - 1].e - m->v[i - 1].s) == m->v[i].hpa &&
	    m->v[i - 1].fl == m->v[i].fl) {
		m->v[i - 1].e = m->v[i].e;
		m_remove_at(m, i, 1);
	}
}

static void m_split(struct model *m, uint64_t a)
{
	size_t i = m_find(m, a);

	if (i < m->n && m->v[i].s < a) {
		struct ext r = m->v[i];
		r.hpa += a - r.s;
		r.s = a;
		m->v[i].e = a;
		m_insert_at(m, i + 1, r);
	}
}

static void m_map(struct model *m, uint64_t s, uint64_t e, uint64_t hpa,
		  uint32_t fl)
{
	size_t i = m_find(m, s);
	m_insert_at(m, i, (struct ext){ s, e, hpa, fl });
	m_merge(m, i);
}

static void m_unmap(struct model *m, uint64_t s, uint64_t e)
{
	size_t i, j;

	m_split(m, s);
	m_split(m, e);
	i = m_find(m, s);
	for (j = i; j < m->n && m->v[j].s < e; j++)
		;
	m_remove_at(m, i, j - i);
}

static void m_protect(struct model *m, uint64_t s, uint64_t e, uint32_t fl)
{
	size_t i, j;

	m_split(m, s);
	m_split(m, e);
	i = m_find(m, s);
	for (j = i; j < m->n && m->v[j].s < e; j++)
		m->v[j].fl = fl;
	/* Merge back from the right end so indices below stay valid. */
	while (j-- > i)
		m_merge(m, j);
	if (i > 0)
		m_merge(m, i - 1);
}

static const struct ext *m_lookup(const struct model *m, uint64_t a)
{
	size_t i = m_find(m, a);
	return i < m->n && m->v[i].s <= a ? &m->v[i] : NULL;
}

/* ---- the run --------------------------------------------------------------- */

struct run {
	const struct as_geo *g;
	struct axvm_addrspace *as;
	struct model m;
	uint64_t base; /* window start */
	uint64_t op;
	const char *what;
};

#define CHECK(r, cond, ...)                                                  \
	do {                                                                 \
		if (!(cond)) {                                               \
			char msg_[256];                                      \
			snprintf(msg_, sizeof(msg_), __VA_ARGS__);           \
			fail_msg("%s: op %" PRIu64 " (%s): %s [seed %#" PRIx64 \
				 ", rerun with AXVM_TEST_SEED]",             \
				 (r)->g->name, (r)->op, (r)->what, msg_,     \
				 seed_used);                                 \
		}                                                            \
	} while (0)

/* Flags as the format keeps them: no stage-2 USER, DEVICE over UNCACHED. */
static uint32_t canon(uint32_t fl)
{
	fl &= AXVM_MEM_RWX | AXVM_MEM_DEVICE | AXVM_MEM_UNCACHED;
	if (fl & AXVM_MEM_DEVICE)
		fl &= ~(uint32_t)AXVM_MEM_UNCACHED;
	return fl;
}

static uint32_t random_flags(const struct as_geo *g)
{
	static const uint32_t arm[] = { 1, 2, 3, 4, 5, 6, 7 };
	static const uint32_t rv[] = { 1, 3, 4, 5, 7 };
	static const uint32_t x86[] = { 1, 3, 5, 7 };
	static const uint32_t extra[] = { 0, 0, 0, AXVM_MEM_DEVICE,
					  AXVM_MEM_UNCACHED, AXVM_MEM_USER,
					  AXVM_MEM_DEVICE | AXVM_MEM_UNCACHED };
	uint32_t p;

	switch (g->family) {
	case AS_ARM:
		p = arm[below(7)];
		break;
	case AS_RISCV:
		p = rv[below(5)];
		break;
	default:
		p = x86[below(4)];
		break;
	}
	return p | extra[below(7)];
}

/* A range in the window: mostly small, some 2 MiB-ish, a few 1 GiB-ish,
 * and some that start or end just inside a huge boundary. */
static void random_range(const struct run *r, uint64_t *s, uint64_t *size)
{
	uint64_t k = below(100), off, len;

	if (k < 50) {
		off = below(WINDOW / K4) * K4;
		len = (1 + below(16)) * K4;
	} else if (k < 75) {
		off = below(WINDOW / M2) * M2;
		if (below(2))
			off += below(512) * K4;
		len = (1 + below(4)) * M2 + (below(2) ? below(512) * K4 : 0);
	} else if (k < 80) {
		off = below(WINDOW / G1) * G1;
		if (below(4) == 0)
			off += below(512) * M2;
		len = G1 * (1 + below(2)) + (below(3) == 0 ? below(512) * M2 : 0);
	} else {
		/* a few pages either side of a 2 MiB or 1 GiB boundary */
		uint64_t unit = below(2) ? M2 : G1;
		off = (1 + below(WINDOW / unit - 1)) * unit - below(8) * K4;
		len = (1 + below(16)) * K4;
	}
	if (off + len > WINDOW)
		len = WINDOW - off;
	if (len == 0) {
		off = 0;
		len = K4;
	}
	*s = r->base + off;
	*size = len;
}

static void one_op(struct run *r)
{
	uint64_t s, size, hpa;
	uint32_t fl;
	int rc, expect;
	uint64_t k = below(10);

	random_range(r, &s, &size);
	fl = random_flags(r->g);
	if (k < 4) {
		/* hpa congruent to gpa mod 1 GiB (huge leaves possible) or any
		 * page below 2^40 (4 KiB leaves, many tables). */
		if (below(10) < 8)
			hpa = (s & (G1 - 1)) + below(64) * G1;
		else
			hpa = below((1ull << 40) / K4) * K4;
		if (size > 4 * M2 && (hpa & (M2 - 1)) != (s & (M2 - 1)))
			hpa = (s & (G1 - 1)) + below(64) * G1; /* keep runs cheap */
		r->what = "map";
		expect = m_overlaps(&r->m, s, s + size) ? AXVM_EEXIST : 0;
		rc = axvm_addrspace_map(r->as, s, hpa, size, fl);
		CHECK(r, rc == expect, "map %#" PRIx64 "+%#" PRIx64 " -> rc %d, want %d",
		      s, size, rc, expect);
		if (!rc)
			m_map(&r->m, s, s + size, hpa, canon(fl));
	} else if (k < 7) {
		r->what = "unmap";
		rc = axvm_addrspace_unmap(r->as, s, size);
		CHECK(r, rc == 0, "unmap %#" PRIx64 "+%#" PRIx64 " -> rc %d", s, size, rc);
		m_unmap(&r->m, s, s + size);
	} else {
		r->what = "protect";
		rc = axvm_addrspace_protect(r->as, s, size, fl);
		CHECK(r, rc == 0, "protect %#" PRIx64 "+%#" PRIx64 " -> rc %d", s,
		      size, rc);
		m_protect(&r->m, s, s + size, canon(fl));
	}
}

static void check_addr(struct run *r, uint64_t a)
{
	const struct ext *x = m_lookup(&r->m, a);
	axvm_hpa_t hpa = 0;
	uint32_t fl = 0;
	int rc = axvm_addrspace_translate(r->as, a, &hpa, &fl, NULL);

	if (!x) {
		CHECK(r, rc == AXVM_EFAULT, "translate %#" PRIx64 ": rc %d, want unmapped",
		      a, rc);
		return;
	}
	CHECK(r, rc == 0, "translate %#" PRIx64 ": rc %d, want mapped", a, rc);
	CHECK(r, hpa == x->hpa + (a - x->s),
	      "translate %#" PRIx64 ": hpa %#" PRIx64 ", want %#" PRIx64, a, hpa,
	      x->hpa + (a - x->s));
	CHECK(r, fl == x->fl, "translate %#" PRIx64 ": flags %#x, want %#x", a, fl,
	      x->fl);
}

static void check_batch(struct run *r)
{
	r->what = "check";
	for (unsigned i = 0; i < 1000; i++)
		check_addr(r, r->base + below(WINDOW));
	/* Edges of live extents, where splits and merges go wrong. */
	for (unsigned i = 0; i < 300 && r->m.n; i++) {
		const struct ext *x = &r->m.v[below(r->m.n)];
		check_addr(r, x->s);
		check_addr(r, x->e - 1);
		check_addr(r, x->s + below(x->e - x->s));
		if (x->e < r->base + WINDOW)
			check_addr(r, x->e);
		if (x->s > r->base)
			check_addr(r, x->s - 1);
	}
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);
	return s && *s ? strtoull(s, NULL, 0) : dflt;
}

static void run_format(const struct as_geo *g, unsigned idx)
{
	struct as_env env;
	struct run r = { .g = g };
	uint64_t ops = env_u64("AXVM_TEST_OPS", DEFAULT_OPS);
	uint64_t bytes = 0;
	struct axvm_pt_info info;

	seed_used = env_u64("AXVM_TEST_SEED", DEFAULT_SEED);
	rng_state = seed_used ^ (0x1000193ull * (idx + 1));
	printf("addrspace random: %s seed %#" PRIx64 " ops %" PRIu64 "\n", g->name,
	       seed_used, ops);
	assert_int_equal(as_env_init(&env), 0);
	assert_int_equal(axvm_addrspace_create(&env.fh.hal, g->fmt, &r.as), 0);
	assert_int_equal(axvm_pt_format_info(g->fmt, &info), 0);
	/* Alternate the window between the bottom and the top of the
	 * guest-physical range (the top uses the last root entries). */
	r.base = idx & 1 ? (1ull << info.ia_bits) - WINDOW : 0;
	for (r.op = 0; r.op < ops; r.op++) {
		one_op(&r);
		if ((r.op + 1) % BATCH == 0)
			check_batch(&r);
	}
	check_batch(&r);
	/* Emptying the window frees every table but the root. */
	r.what = "final unmap";
	assert_int_equal(axvm_addrspace_unmap(r.as, r.base, WINDOW), 0);
	assert_int_equal(axvm_addrspace_table_bytes(r.as, &bytes), 0);
	CHECK(&r, bytes == info.root_pages * K4, "tables left: %" PRIu64 " bytes", bytes);
	axvm_addrspace_destroy(r.as);
	free(r.m.v);
	assert_int_equal(as_env_fini(&env), 0);
}

#define FMT_TEST(n, i)                                                       \
	static void test_addrspace_random_matches_model_##n(void **state)    \
	{                                                                    \
		(void)state;                                                 \
		run_format(&as_geos[i], i);                                  \
	}

FMT_TEST(arm_ipa40, 0)
FMT_TEST(arm_ipa48, 1)
FMT_TEST(riscv_sv39x4, 2)
FMT_TEST(riscv_sv48x4, 3)
FMT_TEST(x86_ept4, 4)
FMT_TEST(amd_npt4, 5)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addrspace_random_matches_model_arm_ipa40),
		cmocka_unit_test(test_addrspace_random_matches_model_arm_ipa48),
		cmocka_unit_test(test_addrspace_random_matches_model_riscv_sv39x4),
		cmocka_unit_test(test_addrspace_random_matches_model_riscv_sv48x4),
		cmocka_unit_test(test_addrspace_random_matches_model_x86_ept4),
		cmocka_unit_test(test_addrspace_random_matches_model_amd_npt4),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
