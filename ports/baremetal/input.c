/* SPDX-License-Identifier: Apache-2.0 */
/* The console-input focus (input.h). */
#include <stdbool.h>

#include "input.h"

struct bm_input_step bm_input_feed(struct bm_input *in, uint8_t c, uint32_t nvms)
{
	struct bm_input_step s = { .deliver = -1 };

	if (nvms && in->focus >= nvms)
		in->focus = 0; /* VMs went away */
	if (c == BM_INPUT_SWITCH_CHAR) {
		if (++in->pending == BM_INPUT_SWITCH_COUNT) {
			in->pending = 0;
			if (nvms) {
				in->focus = (in->focus + 1) % nvms;
				s.switched = true;
			}
		}
		s.focus = in->focus;
		return s;
	}
	s.deliver_ctrl_a = in->pending;
	in->pending = 0;
	s.deliver = c;
	s.focus = in->focus;
	if (!nvms) {
		s.deliver_ctrl_a = 0;
		s.deliver = -1;
	}
	return s;
}
