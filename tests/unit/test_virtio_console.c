/* SPDX-License-Identifier: Apache-2.0 */
/* virtio-console, one port, as Linux's virtio_console drives it without
 * MULTIPORT: transmit through queue 1 to the host's callback, receive
 * through the buffers the guest posts on queue 0, and AXVM_EAGAIN while
 * it has none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "virtio_driver.h"

static struct fixture {
	struct vdrv v;
	struct axvm_virtio_console c;
} F;

static struct fixture *init_only(void)
{
	struct fixture *f = &F;

	memset(f, 0, sizeof(*f));
	vd_init(&f->v);
	assert_int_equal(axvm_virtio_console_init(&f->c, &f->v.mem, &f->v.host), 0);
	assert_int_equal(axvm_virtio_console_desc(&f->c, 0xa000200, &f->v.d), 0);
	return f;
}

static struct fixture *setup(void)
{
	struct fixture *f = init_only();

	vd_setup(&f->v, 3, 0, 2, 8);
	return f;
}

static void test_virtio_console_args(void **state)
{
	struct vdrv *v = &F.v;
	struct axvm_virtio_host notx = { .irq = vd_irq };
	size_t taken = 99;
	(void)state;

	vd_init(v);
	notx.arg = v;
	assert_int_equal(axvm_virtio_console_init(NULL, &v->mem, &v->host), AXVM_EINVAL);
	assert_int_equal(axvm_virtio_console_init(&F.c, NULL, &v->host), AXVM_EINVAL);
	assert_int_equal(axvm_virtio_console_init(&F.c, &v->mem, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_virtio_console_init(&F.c, &v->mem, &notx), AXVM_EINVAL);
	assert_int_equal(axvm_virtio_console_init(&F.c, &v->mem, &v->host), 0);
	assert_int_equal(axvm_virtio_console_desc(&F.c, 0xa000010, &v->d), AXVM_EINVAL);
	assert_int_equal(axvm_virtio_console_desc(NULL, 0xa000000, &v->d), AXVM_EINVAL);
	assert_int_equal(axvm_virtio_console_rx(NULL, "x", 1, &taken), AXVM_EINVAL);
	assert_int_equal(axvm_virtio_console_rx(&F.c, "x", 1, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_virtio_console_rx(&F.c, NULL, 1, &taken), AXVM_EINVAL);
	/* not set up by a driver: nowhere to put a byte */
	assert_int_equal(axvm_virtio_console_rx(&F.c, "x", 1, &taken), AXVM_EAGAIN);
	assert_int_equal(taken, 0);
}

static void test_virtio_console_probe(void **state)
{
	struct fixture *f = init_only();
	struct vdrv *v = &f->v;
	uint64_t feat;
	(void)state;

	feat = vd_probe(v, 3);
	assert_true(feat & F_VERSION_1);
	assert_false(feat & 7u); /* no SIZE, MULTIPORT, EMERG_WRITE */
	assert_false(vd_features(v, F_VERSION_1 | 2u)); /* MULTIPORT refused */
	vd_probe(v, 3);
	assert_true(vd_features(v, F_VERSION_1));
	for (unsigned q = 0; q < 2; q++) {
		wr(v, R_QUEUE_SEL, q);
		assert_int_equal(rd(v, R_QUEUE_NUM_MAX), AXVM_VIRTIO_QUEUE_MAX);
	}
	wr(v, R_QUEUE_SEL, 2);
	assert_int_equal(rd(v, R_QUEUE_NUM_MAX), 0);
}

static void test_virtio_console_tx(void **state)
{
	struct fixture *f = setup();
	struct vdrv *v = &f->v;
	static const char msg[] = "hello, world\n";
	uint32_t id, len;
	(void)state;

	memcpy(gp(v, DATA), msg, 5);
	memcpy(gp(v, DATA + 0x100), msg + 5, sizeof(msg) - 6);
	vd_desc(v, 1, 0, DATA, 5, D_NEXT, 1);
	vd_desc(v, 1, 1, DATA + 0x100, sizeof(msg) - 6, 0, 0);
	vd_post(v, 1, 0);
	wr(v, R_QUEUE_NOTIFY, 1);
	assert_int_equal(v->ntx, sizeof(msg) - 1);
	assert_memory_equal(v->tx, msg, sizeof(msg) - 1);
	assert_int_equal(vd_used_idx(v, 1), 1);
	vd_used(v, 1, 0, &id, &len);
	assert_int_equal(id, 0);
	assert_int_equal(len, 0);
	assert_true(v->level);
	assert_int_equal(rd(v, R_ISR), 1);
	wr(v, R_ACK, 1);
	assert_false(v->level);

	/* longer than the bounce buffer, in one descriptor */
	v->ntx = 0;
	for (unsigned i = 0; i < 1000; i++)
		*gp(v, DATA + 0x1000 + i) = (uint8_t)(i * 13);
	vd_desc(v, 1, 2, DATA + 0x1000, 1000, 0, 0);
	vd_post(v, 1, 2);
	wr(v, R_QUEUE_NOTIFY, 1);
	assert_int_equal(v->ntx, 1000);
	assert_memory_equal(v->tx, gp(v, DATA + 0x1000), 1000);

	/* a buffer outside RAM transmits nothing but is returned */
	v->ntx = 0;
	vd_desc(v, 1, 3, 0x1000, 10, 0, 0);
	vd_post(v, 1, 3);
	wr(v, R_QUEUE_NOTIFY, 1);
	assert_int_equal(v->ntx, 0);
	assert_int_equal(vd_used_idx(v, 1), 3);
	/* a notify of the receive queue transmits nothing */
	wr(v, R_QUEUE_NOTIFY, 0);
	assert_int_equal(f->c.t.broken, 0);
}

static void test_virtio_console_rx(void **state)
{
	struct fixture *f = setup();
	struct vdrv *v = &f->v;
	size_t taken = 99;
	uint32_t id, len;
	(void)state;

	assert_int_equal(axvm_virtio_console_rx(&f->c, "abc", 3, &taken), AXVM_EAGAIN);
	assert_int_equal(taken, 0);
	vd_desc(v, 0, 0, DATA, 4, D_WRITE, 0);
	vd_desc(v, 0, 1, DATA + 0x100, 4, D_WRITE, 0);
	vd_post(v, 0, 0);
	vd_post(v, 0, 1);
	assert_int_equal(axvm_virtio_console_rx(&f->c, "abcdefghij", 10, &taken), 0);
	assert_int_equal(taken, 8);
	assert_memory_equal(gp(v, DATA), "abcd", 4);
	assert_memory_equal(gp(v, DATA + 0x100), "efgh", 4);
	assert_int_equal(vd_used_idx(v, 0), 2);
	vd_used(v, 0, 0, &id, &len);
	assert_int_equal(id, 0);
	assert_int_equal(len, 4);
	vd_used(v, 0, 1, &id, &len);
	assert_int_equal(id, 1);
	assert_int_equal(len, 4);
	assert_true(v->level);
	assert_int_equal(axvm_virtio_console_rx(&f->c, "ij", 2, &taken), AXVM_EAGAIN);

	/* a short burst into a big buffer uses one buffer */
	vd_desc(v, 0, 2, DATA + 0x200, 64, D_WRITE, 0);
	vd_post(v, 0, 2);
	assert_int_equal(axvm_virtio_console_rx(&f->c, "ij", 2, &taken), 0);
	assert_int_equal(taken, 2);
	vd_used(v, 0, 2, &id, &len);
	assert_int_equal(len, 2);
	/* a buffer outside RAM comes back empty; the next one is used */
	vd_desc(v, 0, 3, 0x1000, 64, D_WRITE, 0);
	vd_desc(v, 0, 4, DATA + 0x300, 64, D_WRITE, 0);
	vd_post(v, 0, 3);
	vd_post(v, 0, 4);
	assert_int_equal(axvm_virtio_console_rx(&f->c, "kl", 2, &taken), 0);
	assert_int_equal(taken, 2);
	vd_used(v, 0, 3, &id, &len);
	assert_int_equal(len, 0);
	assert_memory_equal(gp(v, DATA + 0x300), "kl", 2);
	/* a broken receive queue: NEEDS_RESET, no bytes taken */
	vd_desc(v, 0, 5, DATA, 4, D_WRITE | D_NEXT, 5);
	vd_post(v, 0, 5);
	assert_int_equal(axvm_virtio_console_rx(&f->c, "m", 1, &taken), AXVM_EAGAIN);
	assert_true(rd(v, R_STATUS) & S_NEEDS_RESET);
	vd_desc(v, 0, 6, DATA, 4, D_WRITE, 0);
	vd_post(v, 0, 6);
	assert_int_equal(axvm_virtio_console_rx(&f->c, "m", 1, &taken), AXVM_EAGAIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virtio_console_args),
		cmocka_unit_test(test_virtio_console_probe),
		cmocka_unit_test(test_virtio_console_tx),
		cmocka_unit_test(test_virtio_console_rx),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
