/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Console input: bytes typed on the board's console go to the UART of the
 * VM with the focus (input.h: three Ctrl-A move it on). The target's
 * receive interrupt calls bm_console_rx() on one pCPU; input is taken only
 * while VMs exist (bm_console_input(true) after they are created, false
 * before they are torn down).
 */
#include "devices.h"
#include "input.h"
#include "kernel.h"

static struct bm_input focus;
static atomic_bool live;

void bm_console_input(bool on)
{
	atomic_store(&live, on);
	if (on && bm_nvms) {
		kprintf("axvm: console input goes to %s (Ctrl-A three times: next VM)\n",
			bm_vms[0].name);
		bm_arch_console_input_on();
	}
}

void bm_console_rx(uint8_t c)
{
	struct bm_input_step s;
	struct bm_vm_devs *d;

	if (!atomic_load(&live))
		return;
	s = bm_input_feed(&focus, c, bm_nvms);
	if (s.switched)
		kprintf("\naxvm: console input now goes to %s\n", bm_vms[s.focus].name);
	if (s.focus >= bm_nvms || !(d = bm_vms[s.focus].devs))
		return;
	for (uint32_t i = 0; i < s.deliver_ctrl_a; i++)
		(void)bm_devs_input(d, BM_INPUT_SWITCH_CHAR);
	if (s.deliver >= 0)
		(void)bm_devs_input(d, (uint8_t)s.deliver);
}
