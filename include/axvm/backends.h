/* SPDX-License-Identifier: Apache-2.0 */
/* The backend tables libaxvm can be built with. Only the backend selected
 * by AXVM_ARCH is in libaxvm.a; the mock backend is in the test support
 * library. Pass one of these to axvm_init(). */
#ifndef AXVM_BACKENDS_H
#define AXVM_BACKENDS_H

#include <axvm/arch.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Linux /dev/kvm (x86_64 host): real guests in a host process. */
extern const struct axvm_arch_ops axvm_arch_kvm;
/* AArch64 EL2 (bare metal). */
extern const struct axvm_arch_ops axvm_arch_aarch64;
/* RISC-V H extension (bare metal). */
extern const struct axvm_arch_ops axvm_arch_riscv64;
/* x86_64 AMD SVM with nested paging (bare metal). */
extern const struct axvm_arch_ops axvm_arch_x86_64;

#ifdef __cplusplus
}
#endif
#endif /* AXVM_BACKENDS_H */
