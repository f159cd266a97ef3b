/* SPDX-License-Identifier: Apache-2.0 */
/* Shared bits of the KVM integration test programs. */
#ifndef KVM_TEST_H
#define KVM_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define KVM_TEST_SKIP 77

static inline void kvm_test_require_kvm(void)
{
	if (access("/dev/kvm", R_OK | W_OK) != 0) {
		printf("SKIPPED: no /dev/kvm\n");
		exit(KVM_TEST_SKIP);
	}
}

#define EXPECT(cond)                                                           \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__,         \
			        __LINE__, #cond);                              \
			failures++;                                            \
		}                                                              \
	} while (0)

#endif
