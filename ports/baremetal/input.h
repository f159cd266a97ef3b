/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Console input: bytes typed on the board's UART go to one VM at a time,
 * the one with the focus. Ctrl-A pressed three times in a row moves the
 * focus to the next VM, as on Xen (under QEMU's -nographic, Ctrl-A is
 * QEMU's own escape: type Ctrl-A twice for each one). One or two Ctrl-A
 * followed by anything else reach the VM, before that byte.
 * Pure logic, no hardware: the caller delivers what it is told to.
 */
#ifndef BM_INPUT_H
#define BM_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#define BM_INPUT_SWITCH_CHAR 0x01u /* Ctrl-A */
#define BM_INPUT_SWITCH_COUNT 3u

struct bm_input {
	uint32_t focus;   /* index of the VM with the focus */
	uint32_t pending; /* Ctrl-As held back, < BM_INPUT_SWITCH_COUNT */
};

/* What to do with one input byte. */
struct bm_input_step {
	uint32_t deliver_ctrl_a; /* first send this many Ctrl-As ... */
	int deliver;             /* ... then this byte (-1: none) to `focus` */
	uint32_t focus;
	bool switched;           /* the focus moved: tell the user */
};

/* Feed byte `c`; `nvms` VMs are candidates (0: nothing is delivered). */
struct bm_input_step bm_input_feed(struct bm_input *in, uint8_t c, uint32_t nvms);

#endif
