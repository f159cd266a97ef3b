/* SPDX-License-Identifier: Apache-2.0 */
/* <stdlib.h> for the bare-metal kernel: only what exists here. libfdt's
 * libfdt_env.h includes this header but the parts of libfdt the kernel
 * builds (not fdt_overlay.c) call nothing from it. */
#ifndef AXVM_BAREMETAL_STDLIB_H
#define AXVM_BAREMETAL_STDLIB_H

#include <stddef.h>

#endif
