/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypercalls of docs/guest-abi-x86_64.md a host program answers for
 * the x86 test guests, beside the test device they poke: version and sum.
 * axvm-run and the bare-metal kernel's x86_64 target both answer from
 * here, so the two hosts cannot drift apart. CPU up (1) is not one: the
 * backends turn it into an AXVM_EXIT_CPU_UP exit themselves. Inline: the
 * version call is the null-hypercall benchmark, and a call out of line
 * costs it more than the answer does.
 */
#ifndef AXVM_TEST_HYPERCALL_H
#define AXVM_TEST_HYPERCALL_H

#include <axvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AXVM_X86_HC_VERSION 0u /* answers AXVM_X86_ABI_VERSION */
#define AXVM_X86_HC_SUM 2u     /* answers the six arguments' sum (mod 2^64) */
#define AXVM_X86_ABI_VERSION 0x00010000u

/* The guest's result (RAX) for hypercall `nr` with arguments `args`:
 * the version, the sum, or AXVM_ENOSYS (as the guest reads it: a 64-bit
 * negative) for any other number; a sum without `args` answers
 * AXVM_EINVAL. A value, not a status: a host returns it to the guest
 * whatever it is. */
static inline uint64_t axvm_x86_test_hypercall(uint64_t nr, const uint64_t args[6])
{
	if (nr == AXVM_X86_HC_VERSION)
		return AXVM_X86_ABI_VERSION;
	if (nr != AXVM_X86_HC_SUM)
		return (uint64_t)(int64_t)AXVM_ENOSYS;
	if (!args)
		return (uint64_t)(int64_t)AXVM_EINVAL;
	return args[0] + args[1] + args[2] + args[3] + args[4] + args[5];
}

#ifdef __cplusplus
}
#endif
#endif /* AXVM_TEST_HYPERCALL_H */
