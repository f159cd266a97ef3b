/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RISC-V world switch: enter a guest with sret (hstatus.SPV = 1 puts it in
 * VS/VU-mode) and come back through a trap vector installed only for the
 * time the guest runs. The host's ra, s0, gp, tp and sp are kept in the
 * vCPU's register block (struct rv_regs); sscratch holds the block while
 * the guest runs, and the vector swaps it with the guest's sp, so it can
 * save all 31 guest registers before touching the host's. Both ways sp
 * points at the block while the registers move: every load and store is
 * then a 2-byte c.ldsp/c.sdsp (offsets under 512), where with a0 as the
 * base only x8-x15 had a compressed form. Interrupts are off throughout,
 * so nothing else runs on that sp. Also FP save/restore and faulting-safe
 * guest-memory reads.
 */
#include "rv_offsets.h"

#define CSR_HSTATUS 0x600
#define CSR_VSATP 0x280
#define CSR_HTVAL 0x643
#define CSR_HTINST 0x64a

	.option push
	.option arch, +h
	.text

/* void axvm_rv_enter(struct rv_regs *regs): interrupts must be off. Not
 * a C function: it keeps ra, s0, gp, tp and sp, not s1-s11; call it only
 * through rv_enter() (rv.h), whose clobbers say so. */
	.globl axvm_rv_enter
	.type axvm_rv_enter, @function
	.balign 4
axvm_rv_enter:
	sd	sp, RV_REGS_HOST_SP(a0)
	mv	sp, a0
	sd	ra, RV_REGS_HOST_RA(sp)
	sd	s0, RV_REGS_HOST_S0(sp)
	sd	gp, RV_REGS_HOST_GP(sp)
	sd	tp, RV_REGS_HOST_TP(sp)
	csrw	sscratch, a0
	la	t0, rv_guest_trap
	csrrw	t0, stvec, t0
	sd	t0, RV_REGS_HOST_STVEC(sp)
	ld	t0, RV_REGS_SEPC(sp)
	csrw	sepc, t0
	ld	t0, RV_REGS_SSTATUS(sp)
	csrw	sstatus, t0
	ld	t0, RV_REGS_HSTATUS(sp)
	csrw	CSR_HSTATUS, t0
	ld	x1, 8(sp)
	ld	x3, 24(sp)
	ld	x4, 32(sp)
	ld	x5, 40(sp)
	ld	x6, 48(sp)
	ld	x7, 56(sp)
	ld	x8, 64(sp)
	ld	x9, 72(sp)
	ld	x10, 80(sp)
	ld	x11, 88(sp)
	ld	x12, 96(sp)
	ld	x13, 104(sp)
	ld	x14, 112(sp)
	ld	x15, 120(sp)
	ld	x16, 128(sp)
	ld	x17, 136(sp)
	ld	x18, 144(sp)
	ld	x19, 152(sp)
	ld	x20, 160(sp)
	ld	x21, 168(sp)
	ld	x22, 176(sp)
	ld	x23, 184(sp)
	ld	x24, 192(sp)
	ld	x25, 200(sp)
	ld	x26, 208(sp)
	ld	x27, 216(sp)
	ld	x28, 224(sp)
	ld	x29, 232(sp)
	ld	x30, 240(sp)
	ld	x31, 248(sp)
	ld	x2, 16(sp)
	sret

/* AXVM_RV_TEST_BARE_TRAP (a test-only build, ports/baremetal's
 * AXVM_BM_TEST_BARE_TRAP): an ECALL with a7 = RV_BARE_EID returns to the
 * guest at once, every register untouched. It is the floor of a null call
 * on this ISA, a trap, sepc past the ECALL and an SRET (tests/guests/
 * riscv64/bench-exit.c times it); it trusts the guest, so it is never
 * built into a kernel that runs anything else. */
#define RV_BARE_EID 0xba5000

/* Every trap while the guest runs lands here (HS-mode, interrupts off). */
	.balign 4
rv_guest_trap:
	csrrw	sp, sscratch, sp
#ifdef AXVM_RV_TEST_BARE_TRAP
	sd	x5, 40(sp)
	csrr	x5, scause
	addi	x5, x5, -10		/* ECALL from VS-mode */
	bnez	x5, 1f
	li	x5, RV_BARE_EID
	bne	x17, x5, 1f
	csrr	x5, sepc
	addi	x5, x5, 4
	csrw	sepc, x5
	ld	x5, 40(sp)
	csrrw	sp, sscratch, sp
	sret
1:	ld	x5, 40(sp)
#endif
	sd	x1, 8(sp)
	sd	x3, 24(sp)
	sd	x4, 32(sp)
	sd	x5, 40(sp)
	sd	x6, 48(sp)
	sd	x7, 56(sp)
	sd	x8, 64(sp)
	sd	x9, 72(sp)
	sd	x10, 80(sp)
	sd	x11, 88(sp)
	sd	x12, 96(sp)
	sd	x13, 104(sp)
	sd	x14, 112(sp)
	sd	x15, 120(sp)
	sd	x16, 128(sp)
	sd	x17, 136(sp)
	sd	x18, 144(sp)
	sd	x19, 152(sp)
	sd	x20, 160(sp)
	sd	x21, 168(sp)
	sd	x22, 176(sp)
	sd	x23, 184(sp)
	sd	x24, 192(sp)
	sd	x25, 200(sp)
	sd	x26, 208(sp)
	sd	x27, 216(sp)
	sd	x28, 224(sp)
	sd	x29, 232(sp)
	sd	x30, 240(sp)
	sd	x31, 248(sp)
	csrr	t0, sscratch
	sd	t0, 16(sp)
	csrr	t0, sepc
	sd	t0, RV_REGS_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, RV_REGS_SSTATUS(sp)
	/* Not hstatus: the entry loads the one prepare_entry() computed
	 * (also when rv_vcpu_run enters again without it). */
	csrr	t0, scause
	sd	t0, RV_REGS_SCAUSE(sp)
	/* For an interrupt stval, htval and htinst say nothing (the hart
	 * zeroes them): only an exception's decode reads them. */
	bltz	t0, 1f
	csrr	t0, stval
	sd	t0, RV_REGS_STVAL(sp)
	csrr	t0, CSR_HTVAL
	sd	t0, RV_REGS_HTVAL(sp)
	csrr	t0, CSR_HTINST
	sd	t0, RV_REGS_HTINST(sp)
1:	ld	t0, RV_REGS_HOST_STVEC(sp)
	csrw	stvec, t0
	ld	ra, RV_REGS_HOST_RA(sp)
	ld	s0, RV_REGS_HOST_S0(sp)
	ld	gp, RV_REGS_HOST_GP(sp)
	ld	tp, RV_REGS_HOST_TP(sp)
	ld	sp, RV_REGS_HOST_SP(sp)
	ret
	.size axvm_rv_enter, . - axvm_rv_enter

/* FP: sstatus.FS must be on to touch the registers; the caller's FS is put
 * back afterwards (the host itself never uses FP). */
	.option arch, +d
	.globl axvm_rv_fp_save
	.type axvm_rv_fp_save, @function
axvm_rv_fp_save:
	li	t0, 0x2000
	csrrs	t1, sstatus, t0
	fsd	f0, 0(a0)
	fsd	f1, 8(a0)
	fsd	f2, 16(a0)
	fsd	f3, 24(a0)
	fsd	f4, 32(a0)
	fsd	f5, 40(a0)
	fsd	f6, 48(a0)
	fsd	f7, 56(a0)
	fsd	f8, 64(a0)
	fsd	f9, 72(a0)
	fsd	f10, 80(a0)
	fsd	f11, 88(a0)
	fsd	f12, 96(a0)
	fsd	f13, 104(a0)
	fsd	f14, 112(a0)
	fsd	f15, 120(a0)
	fsd	f16, 128(a0)
	fsd	f17, 136(a0)
	fsd	f18, 144(a0)
	fsd	f19, 152(a0)
	fsd	f20, 160(a0)
	fsd	f21, 168(a0)
	fsd	f22, 176(a0)
	fsd	f23, 184(a0)
	fsd	f24, 192(a0)
	fsd	f25, 200(a0)
	fsd	f26, 208(a0)
	fsd	f27, 216(a0)
	fsd	f28, 224(a0)
	fsd	f29, 232(a0)
	fsd	f30, 240(a0)
	fsd	f31, 248(a0)
	frcsr	t0
	sd	t0, RV_FP_FCSR(a0)
	csrw	sstatus, t1
	ret
	.size axvm_rv_fp_save, . - axvm_rv_fp_save

	.globl axvm_rv_fp_restore
	.type axvm_rv_fp_restore, @function
axvm_rv_fp_restore:
	li	t0, 0x2000
	csrrs	t1, sstatus, t0
	fld	f0, 0(a0)
	fld	f1, 8(a0)
	fld	f2, 16(a0)
	fld	f3, 24(a0)
	fld	f4, 32(a0)
	fld	f5, 40(a0)
	fld	f6, 48(a0)
	fld	f7, 56(a0)
	fld	f8, 64(a0)
	fld	f9, 72(a0)
	fld	f10, 80(a0)
	fld	f11, 88(a0)
	fld	f12, 96(a0)
	fld	f13, 104(a0)
	fld	f14, 112(a0)
	fld	f15, 120(a0)
	fld	f16, 128(a0)
	fld	f17, 136(a0)
	fld	f18, 144(a0)
	fld	f19, 152(a0)
	fld	f20, 160(a0)
	fld	f21, 168(a0)
	fld	f22, 176(a0)
	fld	f23, 184(a0)
	fld	f24, 192(a0)
	fld	f25, 200(a0)
	fld	f26, 208(a0)
	fld	f27, 216(a0)
	fld	f28, 224(a0)
	fld	f29, 232(a0)
	fld	f30, 240(a0)
	fld	f31, 248(a0)
	ld	t0, RV_FP_FCSR(a0)
	fscsr	t0
	csrw	sstatus, t1
	ret
	.size axvm_rv_fp_restore, . - axvm_rv_fp_restore

/*
 * Guest-memory reads that may fault: a local trap vector catches the fault
 * and the call returns -1 instead. Interrupts must be off (the caller's
 * job), so the only trap possible here is the access's own.
 */
/* int64_t axvm_rv_hlvx_hu(uint64_t gva) */
	.globl axvm_rv_hlvx_hu
	.type axvm_rv_hlvx_hu, @function
axvm_rv_hlvx_hu:
	la	t0, rv_access_fault
	csrrw	t0, stvec, t0
	hlvx.hu	a1, (a0)
	csrw	stvec, t0
	mv	a0, a1
	ret
	.size axvm_rv_hlvx_hu, . - axvm_rv_hlvx_hu

/* int64_t axvm_rv_hlvx_wu(uint64_t gva): gva 4-byte aligned */
	.globl axvm_rv_hlvx_wu
	.type axvm_rv_hlvx_wu, @function
axvm_rv_hlvx_wu:
	la	t0, rv_access_fault
	csrrw	t0, stvec, t0
	hlvx.wu	a1, (a0)
	csrw	stvec, t0
	mv	a0, a1
	ret
	.size axvm_rv_hlvx_wu, . - axvm_rv_hlvx_wu

/* int64_t axvm_rv_guest_phys_byte(uint64_t gpa): vsatp = 0 (Bare) for the
 * access, so the guest's own page tables play no part. */
	.globl axvm_rv_guest_phys_byte
	.type axvm_rv_guest_phys_byte, @function
axvm_rv_guest_phys_byte:
	csrrw	t2, CSR_VSATP, zero
	la	t0, rv_access_fault_vsatp
	csrrw	t0, stvec, t0
	hlv.bu	a1, (a0)
	csrw	stvec, t0
	csrw	CSR_VSATP, t2
	mv	a0, a1
	ret
	.size axvm_rv_guest_phys_byte, . - axvm_rv_guest_phys_byte

	.balign 4
rv_access_fault_vsatp:
	csrw	CSR_VSATP, t2
	.balign 4
rv_access_fault:
	csrw	stvec, t0
	li	a0, -1
	ret

	.option pop
