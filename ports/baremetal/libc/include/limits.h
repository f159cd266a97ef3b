/* SPDX-License-Identifier: Apache-2.0 */
/* The C library's half of <limits.h>, which GCC's own <limits.h> (found
 * first, it defines INT_MAX and the rest) pulls in with #include_next.
 * There is no C library here, so nothing to add. */
#ifndef AXVM_BAREMETAL_LIMITS_H
#define AXVM_BAREMETAL_LIMITS_H
#endif
