/* SPDX-License-Identifier: Apache-2.0 */
/* FP/SIMD register helpers for the guests (C is built general-regs-only):
 * a pattern derived from a seed in V0-V31 and FPCR, checked later, to see
 * that the hypervisor keeps a vCPU's FP state and leaks none to others. */
#define REGS 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31

	.arch_extension simd	/* the C flags say general-regs-only */
	.text
	.global fp_enable
fp_enable:
	mrs	x0, cpacr_el1
	orr	x0, x0, #(3 << 20)	/* FPEN: no EL1/EL0 trap */
	msr	cpacr_el1, x0
	isb
	ret

/* void fp_fill(uint64_t seed): Vn = {seed + n, ~(seed + n)}, FPCR.RMode = 3 */
	.global fp_fill
fp_fill:
	.irp n, REGS
	add	x1, x0, #\n
	mvn	x2, x1
	ins	v\n\().d[0], x1
	ins	v\n\().d[1], x2
	.endr
	mov	x1, #(3 << 22)
	msr	fpcr, x1
	ret

/* unsigned fp_check(uint64_t seed): how many halves (and FPCR) differ */
	.global fp_check
fp_check:
	mov	x3, #0
	.irp n, REGS
	add	x1, x0, #\n
	mvn	x2, x1
	umov	x4, v\n\().d[0]
	cmp	x4, x1
	cinc	x3, x3, ne
	umov	x4, v\n\().d[1]
	cmp	x4, x2
	cinc	x3, x3, ne
	.endr
	mrs	x4, fpcr
	cmp	x4, #(3 << 22)
	cinc	x3, x3, ne
	mov	x0, x3
	ret

/* unsigned fp_nonzero(void): how many halves (and FPCR) are not zero */
	.global fp_nonzero
fp_nonzero:
	mov	x3, #0
	.irp n, REGS
	umov	x4, v\n\().d[0]
	cmp	x4, #0
	cinc	x3, x3, ne
	umov	x4, v\n\().d[1]
	cmp	x4, #0
	cinc	x3, x3, ne
	.endr
	mrs	x4, fpcr
	cmp	x4, #0
	cinc	x3, x3, ne
	mov	x0, x3
	ret
