/* SPDX-License-Identifier: Apache-2.0 */
/* Zeroed memory through the HAL: the HAL's small allocator when it has
 * one, whole pages otherwise. For the core and the bare-metal backends
 * (src/arch/common), one copy in the library. */
#ifndef AXVM_CORE_HAL_ALLOC_H
#define AXVM_CORE_HAL_ALLOC_H

#include <stddef.h>

#include <axvm/hal.h>

/* NULL when out of memory, or for 0 bytes. */
void *axvm_zalloc(const struct axvm_hal *hal, size_t size);
/* Free what axvm_zalloc() returned, with the same size (NULL is ignored). */
void axvm_zfree(const struct axvm_hal *hal, void *ptr, size_t size);

#endif /* AXVM_CORE_HAL_ALLOC_H */
