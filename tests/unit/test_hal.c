/* SPDX-License-Identifier: Apache-2.0 */
/* HAL and backend validation at axvm_init(), and error/exit names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "test_env.h"

static char last_log[256];
static void capture_log(void *ctx, enum axvm_log_level l, const char *msg)
{
	(void)ctx; (void)l;
	strncpy(last_log, msg, sizeof(last_log) - 1);
}

static void test_hal_each_missing_required_hook_is_named(void **state)
{
	struct axvm_linux_hal port;
	struct axvm_hal good, h;
	struct axvm_mock mock;
	struct axvm_host *host = (void *)1;
	static const struct { size_t off; const char *name; } req[] = {
		{ offsetof(struct axvm_hal, alloc_pages), "alloc_pages" },
		{ offsetof(struct axvm_hal, free_pages), "free_pages" },
		{ offsetof(struct axvm_hal, phys_to_virt), "phys_to_virt" },
		{ offsetof(struct axvm_hal, virt_to_phys), "virt_to_phys" },
		{ offsetof(struct axvm_hal, now_ns), "now_ns" },
		{ offsetof(struct axvm_hal, current_pcpu), "current_pcpu" },
		{ offsetof(struct axvm_hal, kick_pcpu), "kick_pcpu" },
		{ offsetof(struct axvm_hal, free), "free" },
	};
	(void)state;

	assert_int_equal(axvm_linux_hal_init(&port, &good), 0);
	good.log = capture_log;
	axvm_mock_init(&mock);
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		h = good;
		memset((char *)&h + req[i].off, 0, sizeof(void (*)(void)));
		last_log[0] = '\0';
		assert_int_equal(axvm_hal_validate(&h), AXVM_EINVAL);
		if (!strstr(last_log, req[i].name))
			fail_msg("log '%s' does not name %s", last_log, req[i].name);
		assert_int_equal(axvm_init(&h, &mock.ops, &host), AXVM_EINVAL);
		assert_null(host);
	}
	/* Optional hooks may be absent. */
	h = good;
	h.alloc = NULL;
	h.free = NULL;
	h.wait = NULL;
	h.log = NULL;
	h.inject_irq = NULL;
	h.vcpu_resides_on = NULL;
	assert_int_equal(axvm_hal_validate(&h), 0);
	assert_int_equal(axvm_hal_validate(NULL), AXVM_EINVAL);
	assert_int_equal(axvm_linux_hal_fini(&port), 0);
}

static void test_hal_backend_table_validated(void **state)
{
	struct test_env e;
	struct axvm_arch_ops ops;
	struct axvm_host *host;
	(void)state;

	assert_int_equal(test_env_init(&e), 0);
	e.fh.hal.log = capture_log;
	ops = e.mock.ops;
	ops.vcpu_run = NULL;
	assert_int_equal(axvm_init(&e.fh.hal, &ops, &host), AXVM_EINVAL);
	assert_non_null(strstr(last_log, "vcpu_run"));
	ops = e.mock.ops;
	ops.vm_destroy = NULL;
	assert_int_equal(axvm_init(&e.fh.hal, &ops, &host), AXVM_EINVAL);
	assert_int_equal(axvm_init(&e.fh.hal, NULL, &host), AXVM_EINVAL);
	assert_int_equal(axvm_init(&e.fh.hal, &e.mock.ops, NULL), AXVM_EINVAL);
	assert_int_equal(test_env_fini(&e), 0);
}

/* Without the small-object hooks the core falls back to whole pages. */
static void test_hal_works_without_object_allocator(void **state)
{
	struct test_env e;
	struct axvm_host *host;
	struct axvm_hal h;
	struct axvm_config cfg;
	struct axvm_vm *vm;
	(void)state;

	assert_int_equal(test_env_init(&e), 0);
	h = e.fh.hal;
	h.alloc = NULL;
	h.free = NULL;
	assert_int_equal(axvm_init(&h, &e.mock.ops, &host), 0);
	test_env_config(&cfg, 1, 1);
	/* The mock backend itself needs the object allocator: refused cleanly. */
	assert_int_equal(axvm_vm_create(host, &cfg, &vm, NULL), AXVM_ENOSYS);
	assert_int_equal(atomic_load(&e.fh.live_pages) > 0, 1); /* host itself */
	assert_int_equal(axvm_fini(host), 0);
	assert_int_equal(test_env_fini(&e), 0);
}

static void test_hal_strerror_names_every_code(void **state)
{
	static const int codes[] = {
		AXVM_OK, AXVM_EPERM, AXVM_ENOENT, AXVM_EINTR, AXVM_EIO, AXVM_E2BIG, AXVM_EAGAIN,
		AXVM_ENOMEM, AXVM_EFAULT, AXVM_EBUSY, AXVM_EEXIST, AXVM_ENODEV,
		AXVM_EINVAL, AXVM_ERANGE, AXVM_ENOSYS, AXVM_EOVERFLOW, AXVM_ENOTSUP,
		AXVM_ESHUTDOWN, AXVM_ESTATE, AXVM_EUNHANDLED, AXVM_EGUEST,
	};
	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *s = axvm_strerror(codes[i]);
		assert_non_null(s);
		assert_string_not_equal(s, "unknown error");
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(s, axvm_strerror(codes[j]));
	}
	assert_string_equal(axvm_strerror(-9999), "unknown error");
	assert_string_equal(axvm_strerror(5), "unknown error");
	assert_string_equal(AXVM_ERROR_TEXT_UNKNOWN, "unknown error");

	/* The public list (a dictionary log's decoder prints from it) holds
	 * every code, each with the text axvm_strerror() gives. */
#define LISTED(code, text) { code, text },
	static const struct {
		int code;
		const char *text;
	} listed[] = { AXVM_ERROR_TEXTS(LISTED) };
#undef LISTED
	assert_int_equal(sizeof(listed) / sizeof(listed[0]), sizeof(codes) / sizeof(codes[0]));
	for (size_t i = 0; i < sizeof(listed) / sizeof(listed[0]); i++) {
		assert_int_equal(listed[i].code, codes[i]);
		assert_string_equal(axvm_strerror(listed[i].code), listed[i].text);
	}
	for (int k = 0; k < AXVM_EXIT_KIND_COUNT; k++)
		assert_string_not_equal(axvm_exit_kind_name((enum axvm_exit_kind)k), "invalid");
	assert_string_equal(axvm_exit_kind_name(AXVM_EXIT_KIND_COUNT), "invalid");
	assert_string_equal(axvm_exit_kind_name((enum axvm_exit_kind)-1), "invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hal_each_missing_required_hook_is_named),
		cmocka_unit_test(test_hal_backend_table_validated),
		cmocka_unit_test(test_hal_works_without_object_allocator),
		cmocka_unit_test(test_hal_strerror_names_every_code),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
