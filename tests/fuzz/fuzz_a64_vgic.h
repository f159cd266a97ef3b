/* SPDX-License-Identifier: Apache-2.0 */
/* The input language of fuzz_a64_vgic, shared with its seed generator: a
 * header, then operations, each an opcode byte and its operands
 * (little-endian), until the input ends. */
#ifndef AXVM_FUZZ_A64_VGIC_H
#define AXVM_FUZZ_A64_VGIC_H

/* Header: count:1 (vCPUs: 1 + count % 64), flags:1, slot:1. */
#define FV_HOOK 0x01u    /* the port has an inject_irq hook */
#define FV_NO_VCPU 0x02u /* vCPU `slot` is not created yet */
#define FV_NO_CORE 0x04u /* vCPU `slot` has no core vCPU attached */

/* width:1 below: 1 << (width & 3) bytes. */
enum fv_op {
	FV_GICD_READ = 0,  /* off:2 width:1 */
	FV_GICD_WRITE = 1, /* off:2 width:1 value:8 */
	FV_GICR_READ = 2,  /* frame:1 off:3 width:1 (off below 0x20000) */
	FV_GICR_WRITE = 3, /* frame:1 off:3 width:1 value:8 */
	FV_ANY = 4,        /* ipa:8 width:1 (bit 7: write) value:8 */
	FV_SGI = 5,        /* vcpu:1 rt:1 (bit 7: raw esr:4 follows) value:8 */
	FV_INJECT = 6,     /* vcpu:1 intid:2 set:1, the port's injection */
	FV_TARGETS = 7,    /* value:8, ICC_SGI1R_EL1's TargetList form */
};

#endif
