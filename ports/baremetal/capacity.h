/* SPDX-License-Identifier: Apache-2.0 */
/* How many pCPUs the kernel brings up and each one's stack: the same on
 * every target. C and each target's boot.S read them from here, so no
 * suffixes. BM_MAX_CPUS comes from AXVM_BM_MAX_CPUS (CMakeLists.txt) in
 * the kernel's build. */
#ifndef BM_CAPACITY_H
#define BM_CAPACITY_H

#ifndef BM_MAX_CPUS
#define BM_MAX_CPUS 4
#endif
#define BM_STACK_SIZE 0x4000

#endif
