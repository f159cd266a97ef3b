/* SPDX-License-Identifier: Apache-2.0 */
/* axvm-config -c round trip: for every example blob, the function it
 * writes (compiled into this test at build time, builtin_list.h) must fill
 * the VMs byte for byte as the parser did, pointers included: both fill
 * the same buffer, so the device bindings point at the same places. A
 * field the generator forgets is a difference here. Its constant of boot
 * protocols (fn_boots) must name those of the parsed VMs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <axvm/axvm.h>
#include <axvm/config_fdt.h>

#include "corpus.h"

#define MAX_VMS 4u

typedef int (*builtin_fn)(struct axvm_fdt_vm *, uint32_t, uint32_t *);

#define BUILTIN(fn, file) int fn(struct axvm_fdt_vm *, uint32_t, uint32_t *); \
	extern const uint32_t fn##_boots;
#include "builtin_list.h"
#undef BUILTIN

static const struct {
	builtin_fn fn;
	const uint32_t *boots;
	const char *file;
} builtins[] = {
#define BUILTIN(fn, file) {fn, &fn##_boots, file},
#include "builtin_list.h"
#undef BUILTIN
};

static struct axvm_fdt_vm vms[MAX_VMS];

static void check_one(builtin_fn fn, uint32_t boots, const char *file)
{
	char path[512];
	void *blob = NULL;
	size_t len;
	struct axvm_fdt_error err;
	uint32_t n = 0, m = 99;

	snprintf(path, sizeof(path), "%s/%s", AXVM_FDT_EXAMPLE_DIR, file);
	assert_int_equal(corpus_read_file(path, &blob, &len), 0);
	assert_int_equal(axvm_config_from_fdt(blob, len, vms, MAX_VMS, &n, &err), 0);
	free(blob);
	assert_true(n > 0);

	uint32_t want = 0;
	for (uint32_t i = 0; i < n; i++)
		want |= 1u << vms[i].boot;
	assert_int_equal(boots, want);

	struct axvm_fdt_vm *parsed = malloc(n * sizeof(*parsed));
	assert_non_null(parsed);
	memcpy(parsed, vms, n * sizeof(*parsed));
	memset(vms, 0xa5, sizeof(vms));
	assert_int_equal(fn(vms, MAX_VMS, &m), 0);
	assert_int_equal(m, n);
	for (uint32_t i = 0; i < n; i++)
		if (memcmp(&vms[i], &parsed[i], sizeof(vms[i])) != 0) {
			const unsigned char *a = (const void *)&vms[i];
			const unsigned char *b = (const void *)&parsed[i];
			size_t at = 0;
			while (a[at] == b[at])
				at++;
			fail_msg("%s: VM %u differs from the parser's at byte %zu",
			         file, i, at);
		}
	/* Too little room, or no room: refused, nothing counted. */
	m = 99;
	assert_int_equal(fn(vms, n - 1, &m), AXVM_E2BIG);
	assert_int_equal(m, 0);
	assert_int_equal(fn(NULL, MAX_VMS, &m), AXVM_EINVAL);
	assert_int_equal(fn(vms, MAX_VMS, NULL), AXVM_EINVAL);
	free(parsed);
}

static void test_fdt_builtin_round_trip(void **state)
{
	(void)state;
	assert_true(sizeof(builtins) / sizeof(builtins[0]) >= 4);
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		check_one(builtins[i].fn, *builtins[i].boots, builtins[i].file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fdt_builtin_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
