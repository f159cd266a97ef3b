/* SPDX-License-Identifier: Apache-2.0 */
/* axvm-config -c: parsed VMs as a C function that fills them again, for a
 * kernel that takes its config compiled in instead of parsing a blob. */
#ifndef AXVM_CONFIG_EMIT_C_H
#define AXVM_CONFIG_EMIT_C_H

#include <stdio.h>

#include <axvm/config_fdt.h>

/* Write to `out` a C source defining `int name(struct axvm_fdt_vm *vms,
 * uint32_t max, uint32_t *count)` that fills vms[0..n-1] as
 * axvm_config_from_fdt() filled `vms` (`source` names the blob in its
 * comment). 0, or -1 if `name` is not a C identifier, n is 0 or writing
 * failed. */
int emit_c(FILE *out, const char *name, const char *source,
           const struct axvm_fdt_vm *vms, uint32_t n);

#endif /* AXVM_CONFIG_EMIT_C_H */
