/* SPDX-License-Identifier: Apache-2.0 */
/* The input language of fuzz_rv_sbi, shared with its seed generator: a
 * set-up (the VM's harts and memory map), then traps, each an opcode byte
 * and its operands (little-endian), until the input ends.
 *
 * Set-up:
 *   harts:1    bits 0-2 vCPUs - 1 (1..8)
 *   created:1  bit i: vCPU i exists (vCPU 0 always); the others' slots are
 *              NULL, as before vcpu_create
 *   layout:1   bits 0-1 RAM regions - 1 (3 is 1), bits 2-3 where the
 *              device region goes among them, bit 4 the device region is
 *              LINEAR with AXVM_MEM_DEVICE (else an AXVM_MAP_DEVICE one),
 *              bits 5-6 the RAM regions' map type
 *   regions    gpa:8 size:8 for each, RAM and device, in config order (a
 *              size past the top of the address space is cut there)
 *   sepc:8     every vCPU's pc at the start
 *   salt:1     what guest RAM holds (a function of the address)
 *
 * Each trap:
 *   op:1       bits 0-2 the vCPU (one that does not exist: vCPU 0), bit 3
 *              a cause follows (else an ECALL from VS-mode), bits 4-7 the
 *              extension id, enum fs_eid
 *   [cause:1]  with bit 3: 0xff cause:8; bit 7 an interrupt, bits 0-5
 *              its number; else exception bits 0-5
 *   [eid ops]  as enum fs_eid says
 *   fid:1      0xff: fid:8 follows
 *   wide:1     bit i: a<i> (i = 0..5) is 8 bytes, else a byte b: b itself
 *              below 0x80, 1 << (b - 0x80) below 0xc0, else b - 0x100
 *              (0xff is -1)
 *   a0..a5
 *   in_guest:1 bit i: vCPU i is inside the guest (a remote fence waits)
 *   fail:2     the read of console byte `fail` of a DBCN write faults
 *              (the guest's RAM went away); 0xffff none
 */
#ifndef AXVM_FUZZ_RV_SBI_H
#define AXVM_FUZZ_RV_SBI_H

/* op bits 4-7: the extension id. The ones the SBI implements first, in
 * this order (fuzz_rv_sbi.c has their numbers), then ids it lacks. */
enum fs_eid {
	FS_LEGACY_SET_TIMER, FS_LEGACY_PUTCHAR, FS_LEGACY_GETCHAR, FS_LEGACY_SHUTDOWN,
	FS_BASE, FS_TIME, FS_IPI, FS_RFENCE, FS_HSM, FS_SRST, FS_DBCN, FS_HYPERCALL,
	FS_NEIDS,
	FS_LEGACY_OTHER = FS_NEIDS, /* k:1, the legacy extension 3 + k % 5 */
	FS_FLIPPED,                 /* k:1 bit:1, id k % FS_NEIDS with bit `bit % 64` flipped */
	FS_RAW32,                   /* eid:4 */
	FS_RAW64,                   /* eid:8 */
};

#define FS_OP(vcpu, eid_sel) ((unsigned)(vcpu) | (unsigned)(eid_sel) << 4)
#define FS_OP_CAUSE 0x08u
#define FS_FID_RAW 0xffu
#define FS_NO_FAIL 0xffffu

#endif
