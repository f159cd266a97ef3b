/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The test guests' hypercalls (docs/guest-abi-aarch64.md, -riscv64.md),
 * answered the same by every host that runs those guests: the bare-metal
 * kernel and the FreeRTOS EL2 firmware. Arguments are guest input.
 */
#include <axvm/vcpu.h>

#include "guest_hypercalls.h"
#include "kernel.h" /* kprintf */

#define HC_ADD 0x100u       /* result = arg0 + ... + arg5 */
#define HC_PUTNUM 0x101u    /* print arg0 on the console */
#define HC_RAISE_IRQ 0x102u /* inject interrupt arg0 into the caller */

bool bm_guest_hypercall_is_putnum(uint64_t nr)
{
	return nr == HC_PUTNUM;
}

void bm_guest_hypercall(struct axvm_vcpu *vcpu, const char *vm_name, uint64_t nr,
			const uint64_t args[6], uint64_t *ret)
{
	uint64_t sum = 0;

	switch (nr) {
	case HC_ADD:
		for (int i = 0; i < 6; i++)
			sum += args[i];
		*ret = sum;
		return;
	case HC_PUTNUM:
		kprintf("[%s] hypercall putnum %lu (0x%lx)\n", vm_name, args[0], args[0]);
		*ret = 0;
		return;
	case HC_RAISE_IRQ:
		*ret = (uint64_t)(int64_t)(args[0] > UINT32_MAX
						   ? AXVM_EINVAL
						   : axvm_vcpu_inject_irq(vcpu, (uint32_t)args[0]));
		return;
	default:
		*ret = UINT64_MAX; /* SMCCC NOT_SUPPORTED (-1) */
		return;
	}
}
