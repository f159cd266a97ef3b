/* SPDX-License-Identifier: Apache-2.0 */
/* The RISC-V backend's PLIC model (src/arch/riscv64/rv_plic.c), against
 * the register map in docs/guest-abi-riscv64.md. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <axvm/types.h>

#include "rv_plic.h"

#define PRIO(n) (4ull * (n))
#define PENDING 0x1000ull
#define ENABLE(c) (0x2000ull + 0x80ull * (c))
#define THRESHOLD(c) (0x200000ull + 0x1000ull * (c))
#define CLAIM(c) (THRESHOLD(c) + 4)

static struct rv_plic plic;

static uint64_t rd(uint64_t off)
{
	uint64_t v = 0xdead;
	assert_int_equal(rv_plic_read(&plic, off, 4, &v), 0);
	return v;
}

static void wr(uint64_t off, uint64_t v)
{
	assert_int_equal(rv_plic_write(&plic, off, 4, v), 0);
}

static void test_rv_plic_claim_order_and_threshold(void **state)
{
	(void)state;
	rv_plic_init(&plic, 2);
	wr(PRIO(3), 2);
	wr(PRIO(5), 6);
	wr(PRIO(7), 6);
	wr(PRIO(9), 0); /* priority 0 never interrupts */
	wr(ENABLE(0), (1u << 3) | (1u << 5) | (1u << 7) | (1u << 9));
	assert_false(rv_plic_pending(&plic, 0));
	assert_int_equal(rv_plic_raise(&plic, 3), 0);
	assert_int_equal(rv_plic_raise(&plic, 7), 0);
	assert_int_equal(rv_plic_raise(&plic, 5), 0);
	assert_int_equal(rv_plic_raise(&plic, 9), 0);
	assert_int_equal(rd(PENDING), (1u << 3) | (1u << 5) | (1u << 7) | (1u << 9));
	assert_true(rv_plic_pending(&plic, 0));
	assert_false(rv_plic_pending(&plic, 1)); /* nothing enabled there */
	/* Highest priority first, lowest id among equals; claim clears. */
	assert_int_equal(rd(CLAIM(0)), 5);
	assert_int_equal(rd(CLAIM(0)), 7);
	wr(THRESHOLD(0), 2); /* source 3 (priority 2) is not above it */
	assert_int_equal(rd(THRESHOLD(0)), 2);
	assert_false(rv_plic_pending(&plic, 0));
	assert_int_equal(rd(CLAIM(0)), 0);
	wr(THRESHOLD(0), 1);
	assert_true(rv_plic_pending(&plic, 0));
	assert_int_equal(rd(CLAIM(0)), 3);
	wr(CLAIM(0), 3); /* complete: accepted */
	assert_int_equal(rd(PENDING), 1u << 9);
	assert_false(rv_plic_pending(&plic, 0));
}

/* The gateway: a claimed source is not delivered again before its
 * completion, even when raised meanwhile (the raise waits, pending); a
 * completion from a context that has not enabled the source, or of a
 * source out of range, is ignored. */
static void test_rv_plic_gateway_holds_until_complete(void **state)
{
	(void)state;
	rv_plic_init(&plic, 2);
	wr(PRIO(10), 1);
	wr(ENABLE(0), 1u << 10);
	assert_int_equal(rv_plic_raise(&plic, 10), 0);
	assert_int_equal(rd(CLAIM(0)), 10);
	assert_int_equal(rv_plic_raise(&plic, 10), 0); /* the device again */
	assert_int_equal(rd(PENDING), 1u << 10);
	assert_false(rv_plic_pending(&plic, 0)); /* held by the gateway */
	assert_int_equal(rd(CLAIM(0)), 0);
	wr(CLAIM(1), 10); /* context 1 has not enabled it: ignored */
	wr(CLAIM(0), 40);  /* no such source: ignored */
	wr(CLAIM(0), UINT64_MAX);
	assert_false(rv_plic_pending(&plic, 0));
	wr(CLAIM(0), 10); /* complete */
	assert_true(rv_plic_pending(&plic, 0));
	assert_int_equal(rd(CLAIM(0)), 10);
	wr(CLAIM(0), 10);
	assert_false(rv_plic_pending(&plic, 0));
	assert_int_equal(rd(PENDING), 0);
	/* A VM reset forgets claims. */
	assert_int_equal(rv_plic_raise(&plic, 10), 0);
	assert_int_equal(rd(CLAIM(0)), 10);
	rv_plic_init(&plic, 2);
	wr(PRIO(10), 1);
	wr(ENABLE(0), 1u << 10);
	assert_int_equal(rv_plic_raise(&plic, 10), 0);
	assert_int_equal(rd(CLAIM(0)), 10);
}

static void test_rv_plic_registers_mask_and_ignore(void **state)
{
	uint64_t v;

	(void)state;
	rv_plic_init(&plic, 1);
	wr(PRIO(4), 0xffffffff);
	assert_int_equal(rd(PRIO(4)), 7);
	wr(PRIO(0), 5); /* source 0 does not exist */
	assert_int_equal(rd(PRIO(0)), 0);
	wr(ENABLE(0), 0xffffffff);
	assert_int_equal(rd(ENABLE(0)), 0xfffffffe);
	wr(THRESHOLD(0), 0x1f);
	assert_int_equal(rd(THRESHOLD(0)), 7);
	wr(PENDING, 0xffffffff); /* read-only */
	assert_int_equal(rd(PENDING), 0);
	/* A context the PLIC lacks, odd widths and offsets, past the end. */
	wr(ENABLE(1), 0xffffffff);
	assert_int_equal(rd(ENABLE(1)), 0);
	wr(THRESHOLD(1), 3);
	assert_int_equal(rd(THRESHOLD(1)), 0);
	assert_int_equal(rd(CLAIM(63)), 0);
	for (unsigned w = 0; w <= 16; w++) {
		if (w == 4)
			continue;
		assert_int_equal(rv_plic_write(&plic, PRIO(4), w, 1), 0);
		v = 0xdead;
		assert_int_equal(rv_plic_read(&plic, PRIO(4), w, &v), 0);
		assert_int_equal(v, 0);
	}
	assert_int_equal(rd(PRIO(4)), 7);
	assert_int_equal(rd(PRIO(4) + 2), 0); /* misaligned */
	assert_int_equal(rd(0x3ffffc), 0);
	assert_int_equal(rd(0x400000), 0);
	assert_int_equal(rd(UINT64_MAX - 3), 0);
	wr(UINT64_MAX - 3, 1);
	assert_int_equal(rd(0x1004), 0); /* between register blocks */
	assert_false(rv_plic_pending(&plic, 1));
	assert_false(rv_plic_pending(&plic, UINT32_MAX));
}

static void test_rv_plic_raise_range_and_targets(void **state)
{
	(void)state;
	rv_plic_init(&plic, 3);
	assert_int_equal(rv_plic_raise(&plic, 0), AXVM_EINVAL);
	assert_int_equal(rv_plic_raise(&plic, 32), AXVM_EINVAL);
	assert_int_equal(rv_plic_raise(&plic, UINT32_MAX), AXVM_EINVAL);
	assert_int_equal(rd(PENDING), 0);
	wr(ENABLE(0), 1u << 6);
	wr(ENABLE(2), 1u << 6);
	assert_int_equal(rv_plic_raise_targets(&plic, 6), 0x5);
	assert_int_equal(rv_plic_raise_targets(&plic, 7), 0);
	assert_int_equal(rv_plic_raise_targets(&plic, 0), 0);
	assert_int_equal(rv_plic_raise_targets(&plic, 99), 0);
	/* init resets everything */
	rv_plic_raise(&plic, 6);
	rv_plic_init(&plic, 3);
	assert_int_equal(rd(PENDING), 0);
	assert_int_equal(rd(ENABLE(0)), 0);
	/* more contexts than the model holds are clamped */
	rv_plic_init(&plic, 1000);
	wr(ENABLE(63), 2);
	assert_int_equal(rd(ENABLE(63)), 2);
}

/* Two harts raise and claim at once: every raise is claimed exactly
 * once (a source raised while still pending merges, so each thread raises
 * only after its previous claim). */
#define ROUNDS 20000
static void *hart(void *arg)
{
	uint32_t ctx = (uint32_t)(uintptr_t)arg, src = 1 + ctx, claimed = 0;

	for (int i = 0; i < ROUNDS; i++) {
		rv_plic_raise(&plic, src);
		uint64_t v;
		rv_plic_read(&plic, CLAIM(ctx), 4, &v);
		if (v == src)
			claimed++;
		rv_plic_write(&plic, CLAIM(ctx), 4, v);
	}
	return (void *)(uintptr_t)claimed;
}

static void test_rv_plic_concurrent_harts(void **state)
{
	pthread_t t[2];
	void *r[2];

	(void)state;
	rv_plic_init(&plic, 2);
	wr(PRIO(1), 1);
	wr(PRIO(2), 1);
	wr(ENABLE(0), 1u << 1);
	wr(ENABLE(1), 1u << 2);
	for (uintptr_t i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hart, (void *)i), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], &r[i]), 0);
	assert_int_equal((uintptr_t)r[0], ROUNDS);
	assert_int_equal((uintptr_t)r[1], ROUNDS);
	assert_int_equal(rd(PENDING), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rv_plic_claim_order_and_threshold),
		cmocka_unit_test(test_rv_plic_gateway_holds_until_complete),
		cmocka_unit_test(test_rv_plic_registers_mask_and_ignore),
		cmocka_unit_test(test_rv_plic_raise_range_and_targets),
		cmocka_unit_test(test_rv_plic_concurrent_harts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
