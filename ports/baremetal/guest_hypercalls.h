/* SPDX-License-Identifier: Apache-2.0 */
/* The test guests' hypercalls, for each host that runs those guests. */
#ifndef BM_GUEST_HYPERCALLS_H
#define BM_GUEST_HYPERCALLS_H

#include <stdbool.h>
#include <stdint.h>

struct axvm_vcpu;

/* Answer hypercall `nr` of `vcpu` (a VM named vm_name) into *ret; an
 * unknown number gets -1 (SMCCC NOT_SUPPORTED). */
void bm_guest_hypercall(struct axvm_vcpu *vcpu, const char *vm_name, uint64_t nr,
			const uint64_t args[6], uint64_t *ret);
/* Whether `nr` prints (a host with line-buffered guest output flushes the
 * VM's partial line first, so the two keep their order). */
bool bm_guest_hypercall_is_putnum(uint64_t nr);

#endif
