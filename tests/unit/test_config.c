/* SPDX-License-Identifier: Apache-2.0 */
/* Config builder and validation: every rejected field, with its message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "test_env.h"


/* A valid config: 2 vCPUs, 64 MiB RAM at 0x40000000, a UART. */
static void good(struct axvm_config *c)
{
	struct axvm_mem_region ram = {
		.gpa = 0x40000000, .size = 64 << 20, .flags = AXVM_MEM_RWX,
		.type = AXVM_MAP_ALLOCATED };
	struct axvm_device_desc uart = {
		.name = "uart", .bus = AXVM_BUS_MMIO, .base = 0x9000000,
		.size = 0x1000, .ops = &test_nop_device };

	assert_int_equal(axvm_config_init(c, 3), 0);
	assert_int_equal(axvm_config_set_vcpus(c, 2), 0);
	assert_int_equal(axvm_config_add_region(c, &ram), 0);
	assert_int_equal(axvm_config_add_device(c, &uart), 0);
	c->bsp_entry = 0x40080000;
	c->ap_entry = 0x40080000;
}

/* Validate, expect `code`, the field and a fragment of the message. */
static void expect(const struct axvm_config *c, int code, const char *field,
		   const char *fragment)
{
	struct axvm_config_error err;

	assert_int_equal(axvm_config_validate(c, &err), code);
	assert_int_equal(err.code, code);
	assert_string_equal(err.field, field);
	if (!strstr(err.message, fragment))
		fail_msg("message '%s' lacks '%s'", err.message, fragment);
	/* The message starts with the field, so a user sees what to fix. */
	assert_memory_equal(err.message, field, strlen(field));
}

static void test_config_init_defaults(void **state)
{
	struct axvm_config c;
	(void)state;

	assert_int_equal(axvm_config_init(&c, 12), 0);
	assert_int_equal(c.id, 12);
	assert_string_equal(c.name, "vm12");
	assert_int_equal(c.vcpu_count, 1);
	assert_int_equal(c.pcpu_affinity[5], 5);
	assert_int_equal(c.unhandled_policy, AXVM_POLICY_IGNORE);
	assert_int_equal(axvm_config_validate(&c, NULL), 0);
	assert_int_equal(axvm_config_init(NULL, 1), AXVM_EINVAL);
}

static void test_config_good_config_validates(void **state)
{
	struct axvm_config c;
	struct axvm_config_error err;
	(void)state;

	good(&c);
	assert_int_equal(axvm_config_validate(&c, &err), 0);
	assert_int_equal(err.code, 0);
}

static void test_config_builder_limits(void **state)
{
	struct axvm_config c;
	struct axvm_mem_region r = { .gpa = 0, .size = 4096, .flags = AXVM_MEM_RWX };
	struct axvm_device_desc d = { .bus = AXVM_BUS_PIO, .size = 1, .ops = &test_nop_device };
	char longname[AXVM_NAME_MAX + 1];
	(void)state;

	axvm_config_init(&c, 1);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(axvm_config_set_name(&c, longname), AXVM_E2BIG);
	assert_string_equal(c.name, "vm1"); /* unchanged */
	assert_int_equal(axvm_config_set_name(&c, ""), AXVM_EINVAL);
	assert_int_equal(axvm_config_set_name(&c, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_config_set_name(&c, "guest"), 0);
	assert_string_equal(c.name, "guest");
	assert_int_equal(axvm_config_set_vcpus(&c, 0), AXVM_EINVAL);
	assert_int_equal(axvm_config_set_vcpus(&c, AXVM_MAX_VCPUS + 1), AXVM_E2BIG);
	assert_int_equal(axvm_config_set_vcpus(&c, AXVM_MAX_VCPUS), 0);
	for (unsigned i = 0; i < AXVM_MAX_REGIONS; i++) {
		r.gpa = (uint64_t)i * 4096;
		assert_int_equal(axvm_config_add_region(&c, &r), 0);
	}
	assert_int_equal(axvm_config_add_region(&c, &r), AXVM_E2BIG);
	for (unsigned i = 0; i < AXVM_MAX_CONFIG_DEVICES; i++) {
		d.base = i;
		assert_int_equal(axvm_config_add_device(&c, &d), 0);
	}
	assert_int_equal(axvm_config_add_device(&c, &d), AXVM_E2BIG);
	assert_int_equal(axvm_config_add_device(NULL, &d), AXVM_EINVAL);
	assert_int_equal(axvm_config_add_region(&c, NULL), AXVM_EINVAL);
}

static void test_config_rejects_vcpu_counts(void **state)
{
	struct axvm_config c;
	(void)state;

	good(&c);
	c.vcpu_count = 0;
	expect(&c, AXVM_EINVAL, "vcpu_count", "zero");
	c.vcpu_count = AXVM_MAX_VCPUS + 1;
	expect(&c, AXVM_E2BIG, "vcpu_count", "AXVM_MAX_VCPUS");
}

static void test_config_rejects_bad_name(void **state)
{
	struct axvm_config c;
	(void)state;

	good(&c);
	memset(c.name, 'x', sizeof(c.name)); /* no terminator */
	expect(&c, AXVM_EINVAL, "name", "NUL");
	c.name[0] = '\0';
	expect(&c, AXVM_EINVAL, "name", "empty");
}

static void test_config_rejects_bad_regions(void **state)
{
	struct axvm_config c;
	(void)state;

	good(&c);
	c.regions[0].size = 0;
	expect(&c, AXVM_EINVAL, "regions[0].size", "zero");
	good(&c);
	c.regions[0].gpa += 1;
	expect(&c, AXVM_EINVAL, "regions[0].gpa", "aligned");
	good(&c);
	c.regions[0].size = 4097;
	expect(&c, AXVM_EINVAL, "regions[0].size", "4 KiB");
	good(&c);
	c.regions[0].gpa = 0xfffffffffffff000ull;
	c.regions[0].size = 0x2000;
	expect(&c, AXVM_EOVERFLOW, "regions[0].size", "wraps");
	good(&c);
	c.regions[0].flags = 1u << 20;
	expect(&c, AXVM_EINVAL, "regions[0].flags", "unknown");
	good(&c);
	c.regions[0].flags = AXVM_MEM_USER;
	expect(&c, AXVM_EINVAL, "regions[0].flags", "no access");
	good(&c);
	c.regions[0].type = (enum axvm_map_type)9;
	expect(&c, AXVM_EINVAL, "regions[0].type", "unknown");
	good(&c);
	c.regions[0].type = AXVM_MAP_LINEAR;
	c.regions[0].hpa = 0x123;
	expect(&c, AXVM_EINVAL, "regions[0].hpa", "aligned");
	good(&c);
	c.regions[0].type = AXVM_MAP_LINEAR;
	c.regions[0].hpa = 0xfffffffffff00000ull;
	expect(&c, AXVM_EOVERFLOW, "regions[0].hpa", "wraps");
	good(&c);
	c.regions[0].type = AXVM_MAP_DEVICE;
	expect(&c, AXVM_EINVAL, "regions[0].flags", "DEVICE");
	good(&c);
	c.region_count = AXVM_MAX_REGIONS + 1;
	expect(&c, AXVM_E2BIG, "region_count", "AXVM_MAX_REGIONS");
}

static void test_config_rejects_overlapping_regions(void **state)
{
	struct axvm_config c;
	struct axvm_mem_region r = { .gpa = 0x43fff000, .size = 0x2000,
				     .flags = AXVM_MEM_READ };
	(void)state;

	good(&c);
	assert_int_equal(axvm_config_add_region(&c, &r), 0);
	expect(&c, AXVM_EEXIST, "regions[1].gpa", "overlaps");
	/* Touching but not overlapping is fine. */
	c.regions[1].gpa = 0x44000000;
	assert_int_equal(axvm_config_validate(&c, NULL), 0);
}

static void test_config_rejects_entries_outside_ram(void **state)
{
	struct axvm_config c;
	(void)state;

	good(&c);
	c.bsp_entry = 0x10;
	expect(&c, AXVM_ERANGE, "bsp_entry", "RAM");
	good(&c);
	c.ap_entry = 0x44000000; /* one past the end */
	expect(&c, AXVM_ERANGE, "ap_entry", "RAM");
	/* A single-vCPU VM ignores the AP entry. */
	c.vcpu_count = 1;
	assert_int_equal(axvm_config_validate(&c, NULL), 0);
	/* An entry in a device window is not in RAM. */
	good(&c);
	c.regions[0].type = AXVM_MAP_DEVICE;
	c.regions[0].flags |= AXVM_MEM_DEVICE;
	expect(&c, AXVM_ERANGE, "bsp_entry", "RAM");
}

static void test_config_rejects_bad_devices(void **state)
{
	struct axvm_config c;
	const struct axvm_device_ops no_read = { NULL, test_nop_device.write, NULL, NULL };
	(void)state;

	good(&c);
	c.devices[0].ops = NULL;
	expect(&c, AXVM_EINVAL, "devices[0].ops", "required");
	good(&c);
	c.devices[0].ops = &no_read;
	expect(&c, AXVM_EINVAL, "devices[0].ops", "required");
	good(&c);
	c.devices[0].size = 0;
	expect(&c, AXVM_EINVAL, "devices[0].size", "zero");
	good(&c);
	c.devices[0].bus = (enum axvm_bus)7;
	expect(&c, AXVM_EINVAL, "devices[0].bus", "unknown");
	good(&c);
	c.devices[0].base = UINT64_MAX;
	c.devices[0].size = 2;
	expect(&c, AXVM_EOVERFLOW, "devices[0].size", "wraps");
	good(&c);
	c.devices[0].widths = 0x30;
	expect(&c, AXVM_EINVAL, "devices[0].widths", "unknown");
	good(&c);
	c.devices[0].base = 0x40001000; /* inside RAM */
	expect(&c, AXVM_EEXIST, "devices[0].base", "memory region");
	good(&c);
	c.devices[1] = c.devices[0];
	c.devices[1].base += 0xfff;
	c.device_count = 2;
	expect(&c, AXVM_EEXIST, "devices[1].base", "overlaps");
	/* The same range on another bus is no overlap. */
	c.devices[1].bus = AXVM_BUS_PIO;
	assert_int_equal(axvm_config_validate(&c, NULL), 0);
	c.device_count = AXVM_MAX_CONFIG_DEVICES + 1;
	expect(&c, AXVM_E2BIG, "device_count", "AXVM_MAX_CONFIG_DEVICES");
}

static void test_config_rejects_bad_policy_and_null(void **state)
{
	struct axvm_config c;
	struct axvm_config_error err;
	(void)state;

	good(&c);
	c.unhandled_policy = (enum axvm_unhandled_policy)5;
	expect(&c, AXVM_EINVAL, "unhandled_policy", "unknown");
	assert_int_equal(axvm_config_validate(NULL, &err), AXVM_EINVAL);
	assert_string_equal(err.field, "config");
	assert_int_equal(axvm_config_validate(NULL, NULL), AXVM_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_init_defaults),
		cmocka_unit_test(test_config_good_config_validates),
		cmocka_unit_test(test_config_builder_limits),
		cmocka_unit_test(test_config_rejects_vcpu_counts),
		cmocka_unit_test(test_config_rejects_bad_name),
		cmocka_unit_test(test_config_rejects_bad_regions),
		cmocka_unit_test(test_config_rejects_overlapping_regions),
		cmocka_unit_test(test_config_rejects_entries_outside_ram),
		cmocka_unit_test(test_config_rejects_bad_devices),
		cmocka_unit_test(test_config_rejects_bad_policy_and_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
