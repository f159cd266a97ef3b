/* SPDX-License-Identifier: Apache-2.0 */
/* Stage-2 format descriptors (data for the walker in pt.c) and the root
 * registers they yield. Bit positions cite the manuals; tests pin them. */
#include "pt.h"

#define BIT(n) ((uint64_t)1 << (n))
/* perm_ok bit for a R|W|X combination (R=1, W=2, X=4). */
#define OK(p) (1u << (p))

/* ---- Arm: Arm ARM (DDI 0487) "VMSAv8-64 translation table format
 * descriptors" (D8.3 in issue J.a), stage 2, 4 KiB granule; VTCR_EL2 and
 * VTTBR_EL2 from the AArch64 system register descriptions. */
#define ARM_VALID BIT(0)
#define ARM_TABLE (BIT(0) | BIT(1)) /* table at levels 0-2 */
#define ARM_PAGE (BIT(0) | BIT(1))  /* page at level 3 */
#define ARM_BLOCK BIT(0)            /* block at levels 1-2 */
#define ARM_S2AP_R BIT(6)
#define ARM_S2AP_W BIT(7)
#define ARM_SH_INNER (BIT(8) | BIT(9))
#define ARM_AF BIT(10)
#define ARM_XN BIT(54) /* XN[1:0] = 0b10: no execution at EL1 or EL0 */
/* Stage-2 MemAttr[3:0] (bits 5:2), FWB off: [3:2] outer, [1:0] inner. */
#define ARM_MEMATTR(v) ((uint64_t)(v) << 2)
#define ARM_NORMAL_WB (ARM_MEMATTR(0xf) | ARM_SH_INNER)
#define ARM_NORMAL_NC (ARM_MEMATTR(0x5) | ARM_SH_INNER)
#define ARM_DEVICE_NGNRE (ARM_MEMATTR(0x1) | ARM_SH_INNER)

/* VTCR_EL2: T0SZ[5:0], SL0[7:6], IRGN0[9:8]=WBWA, ORGN0[11:10]=WBWA,
 * SH0[13:12]=inner, TG0[15:14]=4K, PS[18:16], VS[19]=0 (8-bit VMID),
 * bit 31 RES1. PS is set to the IPA size; a host whose PARange is larger
 * and whose table pages live higher must raise it. */
#define VTCR(t0sz, sl0, ps)                                                  \
	((uint64_t)(t0sz) | (uint64_t)(sl0) << 6 | BIT(8) | BIT(10) |          \
	 (uint64_t)3 << 12 | (uint64_t)(ps) << 16 | BIT(31))

/* VTTBR_EL2: BADDR[47:1] (aligned to the concatenated root), VMID[55:48].
 * 8-bit VMIDs (VTCR_EL2.VS = 0) work on every ARMv8.0 core; VMID16 is an
 * optional ARMv8.1 feature whose bits 63:56 are RES0 without it. */
static int arm_vttbr(const struct axvm_pt_format *f, axvm_hpa_t root,
		     uint32_t vmid, uint64_t *out)
{
	if (vmid > 0xffu)
		return AXVM_ERANGE;
	if ((root & (f->root_pages * AXVM_PAGE_SIZE - 1u)) || (root >> 48))
		return AXVM_EINVAL;
	*out = (uint64_t)vmid << 48 | root;
	return 0;
}

#define ARM_S2(ia, lv, rp, ctl)                                              \
	.ia_bits = (ia), .oa_bits = 48, .levels = (lv), .root_pages = (rp),  \
	.leaf_levels = 0x7, .addr_lsb = 12,                                  \
	/* S2AP write-only and execute-only are both encodable. */           \
	.perm_ok = 0xfe, .valid = ARM_VALID, .table_mask = BIT(1),           \
	.table_match = BIT(1), .table_bits = ARM_TABLE,                      \
	.leaf_bits = { ARM_PAGE | ARM_AF, ARM_BLOCK | ARM_AF,                \
		       ARM_BLOCK | ARM_AF },                                 \
	.perm_r = ARM_S2AP_R, .perm_w = ARM_S2AP_W, .perm_x = 0,             \
	.perm_xn = ARM_XN, .attr_mask = ARM_SH_INNER | ARM_MEMATTR(0xf),     \
	.attr_normal = ARM_NORMAL_WB, .attr_uncached = ARM_NORMAL_NC,        \
	.attr_device = ARM_DEVICE_NGNRE, .control = (ctl),                   \
	.root_reg = arm_vttbr

/* 40-bit IPA: T0SZ = 24, walk starts at level 1 (SL0 = 1) with two
 * concatenated tables; PS = 0b010 (40 bits). */
const struct axvm_pt_format axvm_pt_arm_s2_4k_ipa40 = {
	.name = "arm-s2-4k-ipa40",
	ARM_S2(40, 3, 2, VTCR(24, 1, 2)),
};
/* 48-bit IPA: T0SZ = 16, walk starts at level 0 (SL0 = 2), one root table;
 * PS = 0b101 (48 bits). */
const struct axvm_pt_format axvm_pt_arm_s2_4k_ipa48 = {
	.name = "arm-s2-4k-ipa48",
	ARM_S2(48, 4, 1, VTCR(16, 2, 5)),
};

/* ---- RISC-V: privileged spec, Hypervisor extension, "Two-Stage Address
 * Translation" (Sv39x4/Sv48x4, 16 KiB root) and "hgatp"; PTE layout from
 * "Sv39: Page-Based 39-bit Virtual-Memory System". */
#define RV_V BIT(0)
#define RV_R BIT(1)
#define RV_W BIT(2)
#define RV_X BIT(3)
/* G-stage accesses all count as user-mode accesses: U must be set. */
#define RV_U BIT(4)
/* A and D preset: without Svadu hardware faults instead of setting them. */
#define RV_A BIT(6)
#define RV_D BIT(7)
/* Memory type is a PMA on RISC-V (Svpbmt is optional and must be enabled
 * in henvcfg), so DEVICE / UNCACHED are kept in the RSW software bits. */
#define RV_SW_DEVICE BIT(8)
#define RV_SW_UNCACHED BIT(9)
#define HGATP_MODE_SV39X4 ((uint64_t)8 << 60)
#define HGATP_MODE_SV48X4 ((uint64_t)9 << 60)

static int riscv_hgatp(const struct axvm_pt_format *f, axvm_hpa_t root,
		       uint32_t vmid, uint64_t *out)
{
	/* VMID[57:44]: up to 14 bits (VMIDLEN may be fewer: the backend
	 * probes it by writing all ones). PPN[43:0]. */
	if (vmid > 0x3fffu)
		return AXVM_ERANGE;
	if ((root & (4 * AXVM_PAGE_SIZE - 1u)) || (root >> 56))
		return AXVM_EINVAL;
	*out = f->control | (uint64_t)vmid << 44 | root >> 12;
	return 0;
}

#define RISCV_G(ia, lv, mode)                                                \
	.ia_bits = (ia), .oa_bits = 56, .levels = (lv), .root_pages = 4,     \
	.leaf_levels = 0x7, .addr_lsb = 10,                                  \
	/* W without R is reserved. */                                       \
	.perm_ok = OK(1) | OK(3) | OK(4) | OK(5) | OK(7),                    \
	.valid = RV_V, .table_mask = RV_R | RV_W | RV_X, .table_match = 0,   \
	.table_bits = RV_V,                                                  \
	.leaf_bits = { RV_V | RV_U | RV_A | RV_D, RV_V | RV_U | RV_A | RV_D, \
		       RV_V | RV_U | RV_A | RV_D },                          \
	.perm_r = RV_R, .perm_w = RV_W, .perm_x = RV_X, .perm_xn = 0,        \
	.attr_mask = RV_SW_DEVICE | RV_SW_UNCACHED, .attr_normal = 0,        \
	.attr_uncached = RV_SW_UNCACHED, .attr_device = RV_SW_DEVICE,        \
	/* For RISC-V `control` is the hgatp MODE field. */                  \
	.control = (mode), .root_reg = riscv_hgatp

/* Sv39x4: 41-bit GPA, 3 levels, 2048-entry root. */
const struct axvm_pt_format axvm_pt_riscv_sv39x4 = {
	.name = "riscv-sv39x4",
	RISCV_G(41, 3, HGATP_MODE_SV39X4),
};
/* Sv48x4: 50-bit GPA, 4 levels, 2048-entry root. */
const struct axvm_pt_format axvm_pt_riscv_sv48x4 = {
	.name = "riscv-sv48x4",
	RISCV_G(50, 4, HGATP_MODE_SV48X4),
};

/* ---- Intel EPT: SDM Vol. 3C 29.3.2 (EPT translation mechanism), tables
 * 29-1..29-6 (entry formats) and 25.6.11 (EPTP). */
#define EPT_R BIT(0)
#define EPT_W BIT(1)
#define EPT_X BIT(2)
#define EPT_MT(t) ((uint64_t)(t) << 3) /* bits 5:3, leaves only */
#define EPT_IPAT BIT(6)
#define EPT_LARGE BIT(7)
#define EPT_MT_UC 0u
#define EPT_MT_WB 6u
/* EPTP: memory type WB (bits 2:0), page-walk length 4 - 1 (bits 5:3). */
#define EPTP_WB_4LEVEL ((uint64_t)EPT_MT_WB | (uint64_t)3 << 3)

/* x86 roots carry no VM tag: the VPID (VMCS) or ASID (VMCB) is separate,
 * so `vmid` is not encoded. */
static int x86_root(const struct axvm_pt_format *f, axvm_hpa_t root,
		    uint32_t vmid, uint64_t *out)
{
	(void)vmid;
	if ((root & (AXVM_PAGE_SIZE - 1u)) || (root >> 52))
		return AXVM_EINVAL;
	*out = root | f->control;
	return 0;
}

const struct axvm_pt_format axvm_pt_x86_ept4 = {
	.name = "x86-ept4",
	.ia_bits = 48, .oa_bits = 52, .levels = 4, .root_pages = 1,
	.leaf_levels = 0x7, .addr_lsb = 12,
	/* Write without read is a misconfiguration; execute-only needs a
	 * CPU capability, so it is not offered. */
	.perm_ok = OK(1) | OK(3) | OK(5) | OK(7),
	.valid = EPT_R | EPT_W | EPT_X,
	.table_mask = EPT_LARGE, .table_match = 0,
	/* Non-leaf entries grant everything; the leaf decides. */
	.table_bits = EPT_R | EPT_W | EPT_X,
	.leaf_bits = { 0, EPT_LARGE, EPT_LARGE },
	.perm_r = EPT_R, .perm_w = EPT_W, .perm_x = EPT_X, .perm_xn = 0,
	.attr_mask = EPT_MT(7) | EPT_IPAT,
	/* RAM: WB, guest PAT ignored. UNCACHED: UC whatever the guest says.
	 * DEVICE: UC, but the guest PAT may still choose WC (framebuffers). */
	.attr_normal = EPT_MT(EPT_MT_WB) | EPT_IPAT,
	.attr_uncached = EPT_MT(EPT_MT_UC) | EPT_IPAT,
	.attr_device = EPT_MT(EPT_MT_UC),
	/* For EPT `control` is the EPTP's low bits. */
	.control = EPTP_WB_4LEVEL,
	.root_reg = x86_root,
};

/* ---- AMD NPT: APM Vol. 2, 15.25 (Nested Paging) over the long-mode
 * 4-level formats of 5.3.3 / 5.4 (PML4E..PTE); nCR3 is a CR3 image. */
#define X86_P BIT(0)
#define X86_RW BIT(1)
#define X86_US BIT(2) /* nested walks are user accesses: always set */
#define X86_PWT BIT(3)
#define X86_PCD BIT(4)
#define X86_PS BIT(7)
#define X86_NX BIT(63) /* honoured with the host's EFER.NXE = 1 */

const struct axvm_pt_format axvm_pt_amd_npt4 = {
	.name = "amd-npt4",
	.ia_bits = 48, .oa_bits = 52, .levels = 4, .root_pages = 1,
	.leaf_levels = 0x7, .addr_lsb = 12,
	/* Present means readable. */
	.perm_ok = OK(1) | OK(3) | OK(5) | OK(7),
	.valid = X86_P,
	.table_mask = X86_PS, .table_match = 0,
	.table_bits = X86_P | X86_RW | X86_US,
	.leaf_bits = { X86_P | X86_US, X86_P | X86_US | X86_PS,
		       X86_P | X86_US | X86_PS },
	.perm_r = X86_P, .perm_w = X86_RW, .perm_x = 0, .perm_xn = X86_NX,
	/* PAT index from PCD/PWT with the power-on PAT: 0 = WB, PCD = UC-,
	 * PCD|PWT = UC. */
	.attr_mask = X86_PCD | X86_PWT,
	.attr_normal = 0, .attr_uncached = X86_PCD,
	.attr_device = X86_PCD | X86_PWT,
	.control = 0,
	.root_reg = x86_root,
};

int axvm_pt_root_register(const struct axvm_pt_format *fmt, axvm_hpa_t root,
			  uint32_t vmid, uint64_t *value)
{
	if (!fmt || !value || !fmt->root_reg)
		return AXVM_EINVAL;
	return fmt->root_reg(fmt, root, vmid, value);
}

int axvm_pt_format_info(const struct axvm_pt_format *fmt,
			struct axvm_pt_info *info)
{
	if (!fmt || !info)
		return AXVM_EINVAL;
	info->name = fmt->name;
	info->ia_bits = fmt->ia_bits;
	info->levels = fmt->levels;
	info->root_pages = fmt->root_pages;
	info->control = fmt->control;
	return 0;
}
