/* SPDX-License-Identifier: Apache-2.0 */
/* The inter-VM channel's doorbell, through its device callbacks as the
 * core calls them: discovery registers, a ring reaching the peer's
 * PENDING and interrupt (one edge per interrupt), acknowledgement,
 * hostile accesses (offsets, widths, values, read-only and write-only
 * registers), the closed end, and both ends ringing at once on threads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <axvm/ivc.h>

#define SHM_GPA 0x50000000ull
#define SHM_SIZE 0x10000ull

struct line {
	atomic_uint rises, falls;
	atomic_bool level;
};

static void on_irq(void *arg, bool level)
{
	struct line *l = arg;

	atomic_store(&l->level, level);
	if (level)
		atomic_fetch_add(&l->rises, 1);
	else
		atomic_fetch_add(&l->falls, 1);
}

struct pair {
	struct axvm_ivc_end e[2];
	struct axvm_device_desc d[2];
	struct line l[2];
};

static void pair_setup(struct pair *p)
{
	memset(p, 0, sizeof(*p));
	for (uint32_t i = 0; i < 2; i++) {
		struct axvm_ivc_host h = { .arg = &p->l[i], .irq = on_irq };
		assert_int_equal(axvm_ivc_init(&p->e[i], &h, 7, i, SHM_GPA, SHM_SIZE), 0);
		assert_int_equal(axvm_ivc_desc(&p->e[i], 0xb000000, &p->d[i]), 0);
	}
	assert_int_equal(axvm_ivc_connect(&p->e[0], &p->e[1]), 0);
}

static uint32_t rd(struct pair *p, int i, uint64_t off)
{
	uint64_t v = 0xdeadbeefdeadull;
	assert_int_equal(p->d[i].ops->read(p->d[i].ctx, off, 4, &v), 0);
	assert_true(v <= UINT32_MAX);
	return (uint32_t)v;
}

static void wr(struct pair *p, int i, uint64_t off, uint64_t v)
{
	assert_int_equal(p->d[i].ops->write(p->d[i].ctx, off, 4, v), 0);
}

static uint64_t bad_count(struct pair *p, int i)
{
	struct axvm_ivc_stats st;
	assert_int_equal(axvm_ivc_stats(&p->e[i], &st), 0);
	return st.bad_accesses;
}

static void test_ivc_args(void **state)
{
	struct axvm_ivc_end a, b, c;
	struct axvm_device_desc d;
	struct line l = { 0 };
	struct axvm_ivc_host h = { .arg = &l, .irq = on_irq }, no_irq = { 0 };
	struct axvm_ivc_stats st;
	(void)state;

	assert_int_equal(axvm_ivc_init(NULL, &h, 1, 0, 0, 4096), AXVM_EINVAL);
	assert_int_equal(axvm_ivc_init(&a, NULL, 1, 0, 0, 4096), AXVM_EINVAL);
	assert_int_equal(axvm_ivc_init(&a, &no_irq, 1, 0, 0, 4096), AXVM_EINVAL);
	assert_int_equal(axvm_ivc_init(&a, &h, 1, 2, 0, 4096), AXVM_EINVAL);
	assert_int_equal(axvm_ivc_init(&a, &h, 1, 0, 0, 0), AXVM_EINVAL);
	assert_int_equal(axvm_ivc_init(&a, &h, 1, 0, UINT64_MAX - 10, 4096), AXVM_EINVAL);
	assert_int_equal(axvm_ivc_init(&a, &h, 1, 0, 0, 4096), 0);
	assert_int_equal(axvm_ivc_init(&b, &h, 1, 0, 0, 4096), 0);
	assert_int_equal(axvm_ivc_connect(&a, &b), AXVM_EINVAL); /* both end 0 */
	assert_int_equal(axvm_ivc_connect(&a, &a), AXVM_EINVAL);
	assert_int_equal(axvm_ivc_init(&b, &h, 2, 1, 0, 4096), 0);
	assert_int_equal(axvm_ivc_connect(&a, &b), AXVM_EINVAL); /* other channel */
	assert_int_equal(axvm_ivc_init(&b, &h, 1, 1, 0, 8192), 0);
	assert_int_equal(axvm_ivc_connect(&a, &b), AXVM_EINVAL); /* other size */
	assert_int_equal(axvm_ivc_init(&b, &h, 1, 1, 0, 4096), 0);
	assert_int_equal(axvm_ivc_connect(&a, &b), 0);
	assert_int_equal(axvm_ivc_init(&c, &h, 1, 1, 0, 4096), 0);
	assert_int_equal(axvm_ivc_connect(&a, &c), AXVM_EINVAL); /* a third end */
	assert_int_equal(axvm_ivc_connect(NULL, &c), AXVM_EINVAL);
	assert_int_equal(axvm_ivc_desc(&a, 0xb000004, &d), AXVM_EINVAL);
	assert_int_equal(axvm_ivc_desc(&a, UINT64_MAX & ~0xfffull, &d), AXVM_EINVAL);
	assert_int_equal(axvm_ivc_desc(NULL, 0xb000000, &d), AXVM_EINVAL);
	assert_int_equal(axvm_ivc_desc(&a, 0xb000000, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_ivc_desc(&a, 0xb000000, &d), 0);
	assert_int_equal(d.size, AXVM_IVC_WINDOW);
	assert_int_equal(d.widths, AXVM_WIDTH_4);
	assert_true(d.naturally_aligned);
	assert_int_equal(axvm_ivc_ring(NULL, 1), AXVM_EINVAL);
	assert_int_equal(axvm_ivc_stats(NULL, &st), AXVM_EINVAL);
	assert_int_equal(axvm_ivc_stats(&a, NULL), AXVM_EINVAL);
}

static void test_ivc_discovery(void **state)
{
	struct pair p;
	(void)state;

	pair_setup(&p);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(rd(&p, i, AXVM_IVC_MAGIC), AXVM_IVC_MAGIC_VALUE);
		assert_int_equal(rd(&p, i, AXVM_IVC_VERSION), 1);
		assert_int_equal(rd(&p, i, AXVM_IVC_CHANNEL), 7);
		assert_int_equal(rd(&p, i, AXVM_IVC_END), i);
		assert_int_equal(rd(&p, i, AXVM_IVC_SHM_LO), (uint32_t)SHM_GPA);
		assert_int_equal(rd(&p, i, AXVM_IVC_SHM_HI), 0);
		assert_int_equal(rd(&p, i, AXVM_IVC_SIZE_LO), (uint32_t)SHM_SIZE);
		assert_int_equal(rd(&p, i, AXVM_IVC_SIZE_HI), 0);
		assert_int_equal(rd(&p, i, AXVM_IVC_PENDING), 0);
		assert_int_equal(rd(&p, i, AXVM_IVC_STATUS), AXVM_IVC_STATUS_PEER);
	}
}

static void test_ivc_ring_reaches_peer(void **state)
{
	struct pair p;
	struct axvm_ivc_stats st;
	(void)state;

	pair_setup(&p);
	/* Not enabled: PENDING records it, no interrupt. */
	wr(&p, 0, AXVM_IVC_DOORBELL, 0x5);
	assert_int_equal(rd(&p, 1, AXVM_IVC_PENDING), 0x5);
	assert_int_equal(rd(&p, 0, AXVM_IVC_PENDING), 0);
	assert_int_equal(atomic_load(&p.l[1].rises), 0);
	/* Enabling a pending bit raises the line at once. */
	wr(&p, 1, AXVM_IVC_IRQ_ENABLE, 0x1);
	assert_int_equal(atomic_load(&p.l[1].rises), 1);
	assert_true(atomic_load(&p.l[1].level));
	/* Another ring while the line is up: no second edge. */
	wr(&p, 0, AXVM_IVC_DOORBELL, 0x1);
	assert_int_equal(atomic_load(&p.l[1].rises), 1);
	/* ACK of the enabled bit drops it; the masked bit stays. */
	wr(&p, 1, AXVM_IVC_ACK, 0x1);
	assert_false(atomic_load(&p.l[1].level));
	assert_int_equal(rd(&p, 1, AXVM_IVC_PENDING), 0x4);
	/* The next ring is a new edge. */
	wr(&p, 0, AXVM_IVC_DOORBELL, 0x1);
	assert_int_equal(atomic_load(&p.l[1].rises), 2);
	wr(&p, 1, AXVM_IVC_ACK, 0xffffffffu);
	assert_int_equal(rd(&p, 1, AXVM_IVC_PENDING), 0);
	/* A zero ring rings nobody. */
	wr(&p, 0, AXVM_IVC_DOORBELL, 0);
	assert_int_equal(rd(&p, 1, AXVM_IVC_PENDING), 0);
	assert_int_equal(atomic_load(&p.l[1].rises), 2);
	/* The host may ring too. */
	assert_int_equal(axvm_ivc_ring(&p.e[1], 0x8), 0);
	assert_int_equal(rd(&p, 0, AXVM_IVC_PENDING), 0x8);
	assert_int_equal(axvm_ivc_stats(&p.e[0], &st), 0);
	assert_int_equal(st.rings_sent, 3);
	assert_int_equal(st.rings_received, 1);
	assert_int_equal(st.bad_accesses, 0);
	/* The other side never saw an interrupt of its own. */
	assert_int_equal(atomic_load(&p.l[0].rises), 0);
}

static void test_ivc_hostile_accesses(void **state)
{
	static const unsigned widths[] = { 1, 2, 8, 3, 0, 16 };
	struct pair p;
	uint64_t v = 0x77;
	uint64_t n = 0;
	(void)state;

	pair_setup(&p);
	for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
		for (uint64_t off = 0; off < 0x40; off++) {
			assert_int_equal(p.d[0].ops->read(p.d[0].ctx, off, widths[w], &v),
					 AXVM_ENODEV);
			assert_int_equal(p.d[0].ops->write(p.d[0].ctx, off, widths[w], ~0ull),
					 AXVM_ENODEV);
			n += 2;
		}
	}
	assert_int_equal(v, 0x77); /* refused reads write nothing back */
	/* Misaligned and out-of-window offsets at the right width. */
	static const uint64_t offs[] = { 1, 2, 3, 0x21, 0x1000, 0x1004, UINT64_MAX,
					 UINT64_MAX - 3, 1ull << 63 };
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		assert_int_equal(p.d[0].ops->read(p.d[0].ctx, offs[i], 4, &v), AXVM_ENODEV);
		assert_int_equal(p.d[0].ops->write(p.d[0].ctx, offs[i], 4, 1), AXVM_ENODEV);
		n += 2;
	}
	/* Write-only registers read, read-only ones written, holes. */
	static const uint64_t wo[] = { AXVM_IVC_DOORBELL, AXVM_IVC_ACK, 0x34, 0xffc };
	static const uint64_t ro[] = { AXVM_IVC_MAGIC, AXVM_IVC_END, AXVM_IVC_SHM_LO,
				       AXVM_IVC_PENDING, AXVM_IVC_STATUS, 0x34, 0xffc };
	for (size_t i = 0; i < sizeof(wo) / sizeof(wo[0]); i++, n++)
		assert_int_equal(p.d[0].ops->read(p.d[0].ctx, wo[i], 4, &v), AXVM_ENODEV);
	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++, n++)
		assert_int_equal(p.d[0].ops->write(p.d[0].ctx, ro[i], 4, 0x12345678), AXVM_ENODEV);
	assert_int_equal(bad_count(&p, 0), n);
	/* None of it changed either end, or rang anything. */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(rd(&p, i, AXVM_IVC_MAGIC), AXVM_IVC_MAGIC_VALUE);
		assert_int_equal(rd(&p, i, AXVM_IVC_END), i);
		assert_int_equal(rd(&p, i, AXVM_IVC_PENDING), 0);
		assert_int_equal(rd(&p, i, AXVM_IVC_IRQ_ENABLE), 0);
		assert_int_equal(atomic_load(&p.l[i].rises), 0);
	}
	assert_int_equal(bad_count(&p, 1), 0);
	/* Bits above 32 in a 4-byte write are not the guest's to give. */
	wr(&p, 0, AXVM_IVC_DOORBELL, 0xffffffff00000000ull);
	assert_int_equal(rd(&p, 1, AXVM_IVC_PENDING), 0);
	wr(&p, 1, AXVM_IVC_IRQ_ENABLE, 0x1ffffffffull);
	assert_int_equal(rd(&p, 1, AXVM_IVC_IRQ_ENABLE), 0xffffffffu);
}

static void test_ivc_reset_and_close(void **state)
{
	struct pair p;
	(void)state;

	pair_setup(&p);
	wr(&p, 1, AXVM_IVC_IRQ_ENABLE, 1);
	wr(&p, 0, AXVM_IVC_DOORBELL, 1);
	assert_true(atomic_load(&p.l[1].level));
	p.d[1].ops->reset(p.d[1].ctx);
	assert_false(atomic_load(&p.l[1].level));
	assert_int_equal(rd(&p, 1, AXVM_IVC_PENDING), 0);
	assert_int_equal(rd(&p, 1, AXVM_IVC_IRQ_ENABLE), 0);
	assert_int_equal(rd(&p, 1, AXVM_IVC_CHANNEL), 7); /* config kept */
	/* Its VM is destroyed: the peer sees it gone, its rings go nowhere. */
	wr(&p, 1, AXVM_IVC_IRQ_ENABLE, 1);
	unsigned rises = atomic_load(&p.l[1].rises);
	p.d[1].ops->destroy(p.d[1].ctx);
	assert_int_equal(rd(&p, 0, AXVM_IVC_STATUS), 0);
	wr(&p, 0, AXVM_IVC_DOORBELL, 1);
	assert_int_equal(atomic_load(&p.l[1].rises), rises);
	assert_int_equal(rd(&p, 1, AXVM_IVC_PENDING), 0);
	/* An unconnected end rings nobody and says so. */
	struct axvm_ivc_end lone;
	struct axvm_device_desc d;
	struct line l = { 0 };
	struct axvm_ivc_host h = { .arg = &l, .irq = on_irq };
	uint64_t v;
	assert_int_equal(axvm_ivc_init(&lone, &h, 3, 0, 0, 4096), 0);
	assert_int_equal(axvm_ivc_desc(&lone, 0, &d), 0);
	assert_int_equal(d.ops->write(d.ctx, AXVM_IVC_DOORBELL, 4, 1), 0);
	assert_int_equal(d.ops->read(d.ctx, AXVM_IVC_STATUS, 4, &v), 0);
	assert_int_equal(v, 0);
}

/* Both ends ping-pong as fast as they can, each on its own thread: end i
 * rings bit (1 << i) and acknowledges what it gets; every ring must arrive
 * (counted) and nothing may deadlock. */
#define ROUNDS 20000u

struct side {
	struct pair *p;
	int i;
};

static void *pinger(void *arg)
{
	struct side *s = arg;
	struct pair *p = s->p;
	int i = s->i;
	uint32_t got = 0;
	uint64_t v;

	for (uint32_t n = 0; n < ROUNDS; n++) {
		p->d[i].ops->write(p->d[i].ctx, AXVM_IVC_DOORBELL, 4, 1u << i);
		p->d[i].ops->read(p->d[i].ctx, AXVM_IVC_PENDING, 4, &v);
		if (v) {
			p->d[i].ops->write(p->d[i].ctx, AXVM_IVC_ACK, 4, v);
			got++;
		}
		/* Stray traffic beside it, as a hostile guest would add. */
		p->d[i].ops->write(p->d[i].ctx, 0x2, 2, 0xff);
		p->d[i].ops->write(p->d[i].ctx, AXVM_IVC_IRQ_ENABLE, 4, n & 1u ? ~0u : 0u);
	}
	return (void *)(uintptr_t)got;
}

static void test_ivc_both_ring_at_once(void **state)
{
	struct pair p;
	struct side s[2] = { { &p, 0 }, { &p, 1 } };
	pthread_t t[2];
	struct axvm_ivc_stats st[2];
	(void)state;

	pair_setup(&p);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, pinger, &s[i]), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(axvm_ivc_stats(&p.e[i], &st[i]), 0);
		assert_int_equal(st[i].rings_sent, ROUNDS);
		assert_int_equal(st[i].bad_accesses, ROUNDS);
	}
	assert_int_equal(st[0].rings_received, ROUNDS);
	assert_int_equal(st[1].rings_received, ROUNDS);
	/* What is left pending is only the peer's bit. */
	assert_int_equal(rd(&p, 0, AXVM_IVC_PENDING) & ~2u, 0);
	assert_int_equal(rd(&p, 1, AXVM_IVC_PENDING) & ~1u, 0);
	/* Every rise was followed by a fall, or is the line still up. */
	for (int i = 0; i < 2; i++) {
		unsigned r = atomic_load(&p.l[i].rises), f = atomic_load(&p.l[i].falls);
		assert_true(r == f || (r == f + 1 && atomic_load(&p.l[i].level)));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ivc_args),
		cmocka_unit_test(test_ivc_discovery),
		cmocka_unit_test(test_ivc_ring_reaches_peer),
		cmocka_unit_test(test_ivc_hostile_accesses),
		cmocka_unit_test(test_ivc_reset_and_close),
		cmocka_unit_test(test_ivc_both_ring_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
