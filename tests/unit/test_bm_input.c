/* SPDX-License-Identifier: Apache-2.0 */
/* The bare-metal kernel's console-input focus (ports/baremetal/input.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "input.h"

static void test_plain_bytes_go_to_the_focus(void **state)
{
	struct bm_input in = { 0 };
	(void)state;

	struct bm_input_step s = bm_input_feed(&in, 'x', 2);
	assert_int_equal(s.deliver, 'x');
	assert_int_equal(s.deliver_ctrl_a, 0);
	assert_int_equal(s.focus, 0);
	assert_false(s.switched);
}

static void test_three_ctrl_a_switch(void **state)
{
	struct bm_input in = { 0 };
	struct bm_input_step s;
	(void)state;

	for (unsigned round = 1; round <= 3; round++) {
		s = bm_input_feed(&in, 1, 3);
		assert_int_equal(s.deliver, -1);
		s = bm_input_feed(&in, 1, 3);
		assert_int_equal(s.deliver, -1);
		assert_false(s.switched);
		s = bm_input_feed(&in, 1, 3);
		assert_true(s.switched);
		assert_int_equal(s.focus, round % 3); /* 1, 2, then back to 0 */
	}
	s = bm_input_feed(&in, 'y', 3);
	assert_int_equal(s.focus, 0);
	assert_int_equal(s.deliver, 'y');
}

static void test_held_ctrl_a_delivered_before_next_byte(void **state)
{
	struct bm_input in = { 0 };
	struct bm_input_step s;
	(void)state;

	(void)bm_input_feed(&in, 1, 2);
	(void)bm_input_feed(&in, 1, 2);
	s = bm_input_feed(&in, 'c', 2);
	assert_int_equal(s.deliver_ctrl_a, 2);
	assert_int_equal(s.deliver, 'c');
	assert_false(s.switched);
	s = bm_input_feed(&in, 'd', 2);
	assert_int_equal(s.deliver_ctrl_a, 0);
}

static void test_no_vms_and_vanished_focus(void **state)
{
	struct bm_input in = { .focus = 5 };
	struct bm_input_step s;
	(void)state;

	s = bm_input_feed(&in, 'a', 2);
	assert_int_equal(s.focus, 0); /* out of range: back to the first */
	for (int i = 0; i < 3; i++)
		s = bm_input_feed(&in, 1, 0);
	assert_false(s.switched);
	s = bm_input_feed(&in, 'a', 0);
	assert_int_equal(s.deliver, -1);
	assert_int_equal(s.deliver_ctrl_a, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_bytes_go_to_the_focus),
		cmocka_unit_test(test_three_ctrl_a_switch),
		cmocka_unit_test(test_held_ctrl_a_delivered_before_next_byte),
		cmocka_unit_test(test_no_vms_and_vanished_focus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
