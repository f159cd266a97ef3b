/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exit decoding: ESR_EL2 (plus FAR_EL2/HPFAR_EL2) of an exception the guest
 * took to EL2 becomes one struct axvm_exit, or is handled here (PSCI
 * queries, the emulated GIC) and reported as AXVM_EXIT_NOTHING.
 *
 * Everything read here is guest-controlled: register numbers are 5-bit
 * fields (31 = XZR, never SP), widths come from 2-bit fields, addresses and
 * PSCI arguments are checked before they index anything.
 */
#include "a64.h"
#include "a64_fault.h"
#include "a64_idregs.h"
#include "a64_sysreg.h"

/* ESR_EL2 */
#define ESR_EC(esr) (((esr) >> 26) & 0x3fu)
#define ESR_IL (1ull << 25)
#define ESR_ISS(esr) ((esr) & 0x1ffffffu)

#define EC_UNKNOWN 0x00u
#define EC_WFX 0x01u
#define EC_HVC32 0x12u
#define EC_SMC32 0x13u
#define EC_HVC64 0x16u
#define EC_SMC64 0x17u
#define EC_SYSREG 0x18u
#define EC_IABT_LOW 0x20u
#define EC_DABT_LOW 0x24u
#define EC_DABT_CUR 0x25u

/* Data-abort ISS */
#define DABT_ISV (1u << 24)
#define DABT_SAS(iss) (((iss) >> 22) & 3u)
#define DABT_SSE (1u << 21)
#define DABT_SRT(iss) (((iss) >> 16) & 0x1fu)
#define DABT_SF (1u << 15)
#define DABT_FNV (1u << 10)
#define DABT_EA (1u << 9)
#define DABT_CM (1u << 8)
#define DABT_S1PTW (1u << 7)
#define DABT_WNR (1u << 6)
#define DABT_DFSC(iss) ((iss) & 0x3fu)
#define DFSC_SEA 0x10u /* synchronous external abort, not on a table walk */

/* PSCI 1.0 (DEN0022) */
#define PSCI_VERSION 0x0u
#define PSCI_CPU_SUSPEND 0x1u
#define PSCI_CPU_OFF 0x2u
#define PSCI_CPU_ON 0x3u
#define PSCI_AFFINITY_INFO 0x4u
#define PSCI_MIGRATE 0x5u
#define PSCI_MIGRATE_INFO_TYPE 0x6u
#define PSCI_SYSTEM_OFF 0x8u
#define PSCI_SYSTEM_RESET 0x9u
#define PSCI_FEATURES 0xAu
#define PSCI_RET_SUCCESS 0
#define PSCI_RET_NOT_SUPPORTED (-1)
#define PSCI_RET_INVALID_PARAMS (-2)
#define PSCI_RET_INVALID_ADDRESS (-9)

#define SMCCC_FAST (1u << 31)
#define SMCCC_64 (1u << 30)
#define SMCCC_OWNER(fid) (((fid) >> 24) & 0x3fu)
#define SMCCC_OWNER_ARCH 0u
#define SMCCC_OWNER_STANDARD 4u
/* SMCCC 1.1 (DEN0028): the Arm-architecture calls. */
#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u
#define SMCCC_VERSION_1_1 0x10001

#define ICC_SGI1R_EL1 AXVM_A64_SYSREG(3, 0, 12, 11, 5)
#define ICC_ASGI1R_EL1 AXVM_A64_SYSREG(3, 0, 12, 11, 6)
#define ICC_SGI0R_EL1 AXVM_A64_SYSREG(3, 0, 12, 11, 7)

#define PSTATE_EL1H_MASKED 0x3c5u

static inline __attribute__((always_inline)) void set_x(struct a64_vcpu *v, uint32_t r, uint64_t val)
{
	if (r < 31)
		v->regs.x[r] = val;
}

static inline __attribute__((always_inline)) uint64_t get_x(const struct a64_vcpu *v, uint32_t r)
{
	return r < 31 ? v->regs.x[r] : 0; /* 31 is XZR here, never SP */
}

static inline __attribute__((always_inline)) void skip_insn(struct a64_vcpu *v, uint64_t esr)
{
	v->regs.pc += (esr & ESR_IL) ? 4u : 2u;
}

/* PSTATE.M: the guest was at EL0 (AArch64 or AArch32), not EL1. */
static bool from_el0(uint64_t pstate)
{
	return (pstate & 0x10u) || (pstate & 0xcu) == 0;
}

/*
 * The one way the backend hands the guest an exception: a synchronous
 * exception taken to EL1 at the instruction in PC, as the hardware would
 * have raised it, with syndrome `esr`. EL1 registers are live (bound).
 */
static int inject_sync(struct a64_vcpu *v, uint64_t esr, struct axvm_exit *exit)
{
	uint64_t ps = v->regs.pstate, off;

	if (ps & 0x10u)
		off = 0x600; /* from AArch32 EL0 */
	else if ((ps & 0xcu) == 0)
		off = 0x400; /* from EL0 */
	else
		off = (ps & 1u) ? 0x200 : 0x000; /* EL1h / EL1t */
	wr_esr_el1(esr);
	wr_elr_el1(v->regs.pc);
	wr_spsr_el1(ps);
	v->regs.pc = rd_vbar_el1() + off;
	v->regs.pstate = PSTATE_EL1H_MASKED;
	return axvm_bm_exit_nothing(exit);
}

/* Undefined Instruction, for an instruction the VM does not offer (SVE,
 * SME, pointer authentication, AArch32 HVC/SMC). */
static int inject_undef(struct a64_vcpu *v, struct axvm_exit *exit)
{
	return inject_sync(v, ESR_IL, exit); /* EC = unknown reason */
}

/* A synchronous external abort on the data access that took stage-2 abort
 * `esr`, for an access no RAM and no single device can take: what a bus
 * answers for an address nothing decodes. FAR_EL1 gets the address the
 * CPU reported (a byte of the access); the instruction is not completed
 * (PC stays on it, a load's register is untouched). */
static int inject_dabt(struct a64_vcpu *v, uint64_t esr, uint64_t far,
		       struct axvm_exit *exit)
{
	uint64_t ec = from_el0(v->regs.pstate) ? EC_DABT_LOW : EC_DABT_CUR;

	wr_far_el1(far);
	return inject_sync(v, ec << 26 | (esr & (ESR_IL | DABT_WNR)) | DFSC_SEA, exit);
}

/* --- PSCI and hypercalls --------------------------------------------------- */

/*
 * WFI, and PSCI CPU_SUSPEND's standby, which is one: run on at once if an
 * interrupt is pending or the guest's timer fires now (it is injected at
 * the next entry), else halt until one arrives. Both go through here so
 * they cannot disagree about what wakes a vCPU.
 */
static int standby(struct a64_vcpu *v, struct axvm_exit *exit)
{
	if (a64_vgic_has_pending(v) || a64_timer_fires_now(v))
		return axvm_bm_exit_nothing(exit);
	exit->kind = AXVM_EXIT_HALT;
	return 0;
}

static bool psci_implemented(uint32_t fid)
{
	uint32_t fn = fid & 0xffffu;
	bool is64 = fid & SMCCC_64;

	/* PSCI 1.0 reports SMCCC_VERSION through PSCI_FEATURES. */
	if (fid == SMCCC_VERSION)
		return true;
	if ((fid & ~(SMCCC_64 | 0xffffu)) != (SMCCC_FAST | (SMCCC_OWNER_STANDARD << 24)))
		return false;
	switch (fn) {
	case PSCI_VERSION:
	case PSCI_CPU_OFF:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_FEATURES:
		return !is64;
	case PSCI_CPU_SUSPEND:
	case PSCI_CPU_ON:
	case PSCI_AFFINITY_INFO:
		return true;
	default:
		return false;
	}
}

static int psci_ret(struct a64_vcpu *v, int64_t r, struct axvm_exit *exit)
{
	v->regs.x[0] = (uint64_t)r;
	return axvm_bm_exit_nothing(exit);
}

static int psci(struct a64_vcpu *v, uint32_t fid, struct axvm_exit *exit)
{
	struct a64_vm *vm = v->vm;
	bool is64 = fid & SMCCC_64;
	uint64_t mask = is64 ? UINT64_MAX : UINT32_MAX;
	uint64_t a1 = v->regs.x[1] & mask, a2 = v->regs.x[2] & mask;
	uint64_t a3 = v->regs.x[3] & mask;
	uint32_t t;

	/* The queries (VERSION, FEATURES, MIGRATE_INFO_TYPE) and the ids
	 * nothing implements were answered by smccc_query(). */
	switch (fid & 0xffffu) {
	case PSCI_CPU_SUSPEND:
		/* Standby only: a WFI that returns success. */
		v->regs.x[0] = PSCI_RET_SUCCESS;
		return standby(v, exit);
	case PSCI_CPU_OFF:
		exit->kind = AXVM_EXIT_CPU_DOWN;
		exit->u.cpu_down.state = 0;
		return 0;
	case PSCI_CPU_ON:
		t = a64_mpidr_to_index(vm, a1);
		if (t == UINT32_MAX)
			return psci_ret(v, PSCI_RET_INVALID_PARAMS, exit);
		if ((a2 & 3u) || !a64_gpa_is_ram(vm, a2, 4))
			return psci_ret(v, PSCI_RET_INVALID_ADDRESS, exit);
		exit->kind = AXVM_EXIT_CPU_UP;
		exit->u.cpu_up.target = t;
		exit->u.cpu_up.entry = a2;
		exit->u.cpu_up.arg = a3;
		exit->u.cpu_up.ret_reg = AXVM_A64_REG_PSCI_RET;
		return 0;
	case PSCI_AFFINITY_INFO:
		t = a64_mpidr_to_index(vm, a1);
		if (t == UINT32_MAX || a2 != 0 || !a64_vcpu_at(vm, t))
			return psci_ret(v, PSCI_RET_INVALID_PARAMS, exit);
		exit->kind = AXVM_EXIT_CPU_STATUS;
		exit->u.cpu_status.target = t;
		exit->u.cpu_status.ret_reg = AXVM_A64_REG_PSCI_RET;
		exit->u.cpu_status.has_off_pending = false;
		return 0;
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		exit->kind = AXVM_EXIT_SYSTEM_DOWN;
		exit->u.system_down.code = (fid & 0xffffu) == PSCI_SYSTEM_OFF
						   ? AXVM_A64_DOWN_OFF
						   : AXVM_A64_DOWN_RESET;
		return 0;
	default:
		return psci_ret(v, PSCI_RET_NOT_SUPPORTED, exit);
	}
}

/* SMCCC 1.1 VERSION and ARCH_FEATURES, and nothing else of the Arm-
 * architecture range: the CPU-erratum workarounds (ARCH_WORKAROUND_1..3)
 * are not offered, so ARCH_FEATURES answers NOT_SUPPORTED for them and a
 * guest never issues them; SOC_ID is not offered either. */
static int64_t smccc_arch(uint32_t fid, uint32_t q)
{
	switch (fid) {
	case SMCCC_VERSION:
		return SMCCC_VERSION_1_1;
	case SMCCC_ARCH_FEATURES:
		return q == SMCCC_VERSION || q == SMCCC_ARCH_FEATURES ? PSCI_RET_SUCCESS
								     : PSCI_RET_NOT_SUPPORTED;
	default:
		return PSCI_RET_NOT_SUPPORTED;
	}
}

/*
 * The SMCCC calls answered from the guest's registers alone: the Arm-
 * architecture range, PSCI's queries (VERSION, FEATURES, MIGRATE_INFO_
 * TYPE) and every standard-service id nothing implements. True if `fid`
 * is one of them; X0 then holds the answer. No other state is read or
 * written, so a64_fast_exit() may answer these without leaving the world
 * switch.
 */
static bool smccc_query(struct a64_vcpu *v, uint32_t fid)
{
	int64_t r;

	if (!(fid & SMCCC_FAST))
		return false;
	if (SMCCC_OWNER(fid) == SMCCC_OWNER_ARCH) {
		r = smccc_arch(fid, (uint32_t)v->regs.x[1]);
	} else if (SMCCC_OWNER(fid) != SMCCC_OWNER_STANDARD) {
		return false;
	} else if ((fid & 0xffe0u) != 0 || !psci_implemented(fid)) {
		r = PSCI_RET_NOT_SUPPORTED;
	} else {
		switch (fid & 0xffffu) {
		case PSCI_VERSION:
			r = 0x10000; /* 1.0 */
			break;
		case PSCI_FEATURES: /* SMC32 only: the argument is 32 bits */
			r = psci_implemented((uint32_t)v->regs.x[1]) ? PSCI_RET_SUCCESS
								     : PSCI_RET_NOT_SUPPORTED;
			break;
		case PSCI_MIGRATE_INFO_TYPE:
			r = 2; /* no trusted OS to migrate */
			break;
		default:
			return false;
		}
	}
	v->regs.x[0] = (uint64_t)r;
	return true;
}

/* HVC, or a trapped SMC: PSCI and the rest of the Arm-architecture and
 * standard-service SMCCC ranges are answered here; any other function id
 * is a hypercall for the host program (nr = X0, args X1..X6, result X0). */
static int hvc(struct a64_vcpu *v, struct axvm_exit *exit)
{
	uint32_t fid = (uint32_t)v->regs.x[0];

	if (smccc_query(v, fid))
		return axvm_bm_exit_nothing(exit);
	/* What is left of those ranges: PSCI calls that act. */
	if ((fid & SMCCC_FAST) && SMCCC_OWNER(fid) == SMCCC_OWNER_STANDARD)
		return psci(v, fid, exit);
	exit->kind = AXVM_EXIT_HYPERCALL;
	exit->u.hypercall.nr = v->regs.x[0];
	for (unsigned i = 0; i < 6; i++)
		exit->u.hypercall.args[i] = v->regs.x[i + 1];
	exit->u.hypercall.ret_reg = 0;
	return 0;
}

/* --- SGIs ------------------------------------------------------------------- */

/* ICC_SGI1R_EL1: TargetList[15:0], Aff1[23:16], INTID[27:24], Aff2[39:32],
 * IRM[40], RS[47:44], Aff3[55:48]. */
static int sgi_write(struct a64_vcpu *v, uint64_t val, struct axvm_exit *exit)
{
	struct a64_vm *vm = v->vm;
	uint32_t intid = (uint32_t)(val >> 24) & 0xfu;

	if (val & (1ull << 40)) {
		exit->kind = AXVM_EXIT_SEND_IPI;
		exit->u.ipi.target = 0;
		exit->u.ipi.target_aux = 0;
		exit->u.ipi.to_all = true;
		exit->u.ipi.to_self = false;
		exit->u.ipi.vector = intid;
		return 0;
	}
	v->sgi_targets = a64_sgi_targets(vm, val);
	v->sgi_intid = intid;
	return a64_emit_sgi(v, exit);
}

/* One SEND_IPI exit per target of the last SGI write, lowest first. */
int a64_emit_sgi(struct a64_vcpu *v, struct axvm_exit *exit)
{
	if (!v->sgi_targets)
		return axvm_bm_exit_nothing(exit);
	uint32_t t = (uint32_t)__builtin_ctzll(v->sgi_targets);
	v->sgi_targets &= v->sgi_targets - 1;
	exit->kind = AXVM_EXIT_SEND_IPI;
	exit->u.ipi.target = t;
	exit->u.ipi.target_aux = 0;
	exit->u.ipi.to_all = false;
	exit->u.ipi.to_self = false;
	exit->u.ipi.vector = v->sgi_intid;
	return 0;
}

/* --- system registers -------------------------------------------------------- */

/* ISS: Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1] Dir[0] */

/* ID registers (HCR_EL2.TID3): answered here, minus what the backend does
 * not give guests (a64_idregs.c); true if the trapped access was a read
 * of one. Writes to them are UNDEFINED at EL1 and never trap. */
static bool id_reg_read(struct a64_vcpu *v, uint64_t esr)
{
	uint32_t iss = (uint32_t)ESR_ISS(esr);

	if (!(iss & 1u) || ((iss >> 20) & 3u) != 3u || ((iss >> 14) & 7u) != 0 ||
	    ((iss >> 10) & 0xfu) != 0 || ((iss >> 1) & 0xfu) < 1u)
		return false;
	set_x(v, (iss >> 5) & 0x1fu, a64_guest_id_reg((iss >> 1) & 0xfu, (iss >> 17) & 7u));
	skip_insn(v, esr);
	return true;
}

static int sysreg(struct a64_vcpu *v, uint64_t esr, struct axvm_exit *exit)
{
	uint32_t iss = (uint32_t)ESR_ISS(esr);
	uint64_t id = AXVM_A64_SYSREG((iss >> 20) & 3u, (iss >> 14) & 7u,
				      (iss >> 10) & 0xfu, (iss >> 1) & 0xfu,
				      (iss >> 17) & 7u);
	uint32_t rt = (iss >> 5) & 0x1fu;
	bool read = iss & 1u;

	if (id_reg_read(v, esr))
		return axvm_bm_exit_nothing(exit);
	skip_insn(v, esr);
	if (!read && id == ICC_SGI1R_EL1)
		return sgi_write(v, get_x(v, rt), exit);
	if (!read && (id == ICC_ASGI1R_EL1 || id == ICC_SGI0R_EL1))
		return axvm_bm_exit_nothing(exit); /* no Group 0 / other security state */
	if (read) {
		exit->kind = AXVM_EXIT_SYSREG_READ;
		exit->u.read.addr = id;
		exit->u.read.width = 8;
		exit->u.read.reg_width = 8;
		exit->u.read.sign_extend = false;
		exit->u.read.reg = rt == 31 ? AXVM_REG_NONE : rt;
	} else {
		exit->kind = AXVM_EXIT_SYSREG_WRITE;
		exit->u.write.addr = id;
		exit->u.write.width = 8;
		exit->u.write.data = get_x(v, rt);
	}
	return 0;
}

/* --- aborts ------------------------------------------------------------------ */

/* IPA of FAR_EL2 through the guest's own stage 1: for a stage-2 permission
 * fault, where HPFAR_EL2 is not guaranteed valid, and to tell which page
 * of a page-crossing access faulted. AT S1E1R uses the live EL1 registers;
 * PAR_EL1 is guest state, so it is put back. */
static bool far_to_ipa(uint64_t far, uint64_t *ipa)
{
	uint64_t saved = rd_par_el1(), par;

	__asm__ volatile("at s1e1r, %0" ::"r"(far));
	a64_isb();
	par = rd_par_el1();
	wr_par_el1(saved);
	if (par & 1u)
		return false;
	*ipa = (par & 0x0000fffffffff000ull) | (far & 0xfffu);
	return true;
}

static int page_fault(struct axvm_exit *exit, uint64_t ipa, uint32_t access)
{
	exit->kind = AXVM_EXIT_NESTED_PAGE_FAULT;
	exit->u.page_fault.addr = ipa;
	exit->u.page_fault.access = access;
	return 0;
}

/* Bytes the access moves, from its syndrome; 0 (unknown) without ISV. */
static inline __attribute__((always_inline)) unsigned dabt_width(uint32_t iss)
{
	return (iss & DABT_ISV) ? 1u << DABT_SAS(iss) : 0u;
}

/* The instruction at the guest's PC, read through both stages of its
 * translation (AT S12E1R; PAR_EL1 is guest state, so it is put back).
 * False if it does not translate or the host cannot reach it. */
static bool fetch_insn(const struct a64_vcpu *v, uint32_t *insn)
{
	const struct axvm_hal *hal = v->vm->base.hal;
	uint64_t saved = rd_par_el1(), par, pc = v->regs.pc;
	const volatile uint32_t *p;

	if (pc & 3u)
		return false;
	__asm__ volatile("at s12e1r, %0" ::"r"(pc));
	a64_isb();
	par = rd_par_el1();
	wr_par_el1(saved);
	if (par & 1u)
		return false;
	p = hal->phys_to_virt(hal->ctx, (par & 0x0000fffffffff000ull) | (pc & 0xfffu));
	if (!p)
		return false;
	*insn = *p;
	return true;
}

/*
 * The virtual address of the access's first byte. FAR_EL2 is that byte
 * unless the access crossed into a page and faulted there: then the CPU
 * may report the later page's first byte (QEMU does), and only the
 * instruction says where the access began. So it is decoded when FAR is
 * within width - 1 bytes of a page start, never otherwise.
 */
static uint64_t access_start(const struct a64_vcpu *v, uint32_t iss, uint64_t far)
{
	unsigned width = dabt_width(iss);
	struct a64_addr_regs r = { .x = v->regs.x, .pc = v->regs.pc };
	uint32_t insn;
	uint64_t va = 0;
	bool have;

	/* AArch32 EL0 instructions are not A64 encodings. */
	if ((v->regs.pstate & 0x10u) || !a64_far_may_follow_start(far, width) ||
	    !fetch_insn(v, &insn))
		return far;
	/* Rn = 31 is the SP of the level the access came from. */
	r.sp = (v->regs.pstate & 0xfu) == 0x5u ? rd_sp_el1() : rd_sp_el0();
	have = a64_ldst_va(insn, &r, &va);
	return a64_access_start(far, width, have, va);
}

/*
 * The IPA of a stage-2 translation or access-flag fault of an access that
 * starts at virtual address `start` (a64_fault.h): HPFAR's page, with the
 * start's offset when the start is on that page. Only an access that
 * crosses a page needs the start's stage-1 translation to tell which of
 * its two pages faulted, so AT runs then and only then.
 */
static uint64_t dabt_ipa(uint32_t iss, uint64_t start, uint64_t hpfar)
{
	unsigned width = dabt_width(iss);
	uint64_t start_ipa = A64_IPA_UNKNOWN;

	if (a64_access_straddles(start, width) && far_to_ipa(start, &start_ipa))
		start_ipa &= ~(uint64_t)(A64_PAGE - 1u);
	return a64_dabt_ipa(start, hpfar, width, start_ipa);
}

_Static_assert(AXVM_A64_GICR_BASE + (uint64_t)AXVM_MAX_VCPUS * AXVM_A64_GICR_STRIDE <=
		       AXVM_A64_GICD_BASE + 0x1000000u,
	       "the vGIC windows fit the 16 MiB mmio() checks first");

/* The MMIO exit for the core's devices of an access with a valid syndrome
 * at `ipa`: what mmio() returns and what a64_fast_mmio() offers the core
 * first. Write data is cut to the access's width. */
static inline __attribute__((always_inline)) void mmio_exit(const struct a64_vcpu *v, uint32_t iss,
							    uint64_t ipa, struct axvm_exit *exit)
{
	unsigned width = dabt_width(iss);
	uint32_t srt = DABT_SRT(iss);

	if (iss & DABT_WNR) {
		uint64_t data = get_x(v, srt);

		if (width < 8)
			data &= (1ull << (8 * width)) - 1;
		exit->kind = AXVM_EXIT_MMIO_WRITE;
		exit->u.write.addr = ipa;
		exit->u.write.width = (uint8_t)width;
		exit->u.write.data = data;
	} else {
		exit->kind = AXVM_EXIT_MMIO_READ;
		exit->u.read.addr = ipa;
		exit->u.read.width = (uint8_t)width;
		exit->u.read.reg_width = (iss & DABT_SF) ? 8 : 4;
		exit->u.read.sign_extend = iss & DABT_SSE;
		exit->u.read.reg = srt == 31 ? AXVM_REG_NONE : srt;
	}
}

/* An MMIO access with a valid syndrome, inside one page: the vGIC's, or
 * an MMIO exit for the core's devices. PC moves past it. */
static int mmio(struct a64_vcpu *v, uint64_t esr, uint64_t ipa, struct axvm_exit *exit)
{
	uint32_t iss = (uint32_t)ESR_ISS(esr);
	unsigned width = dabt_width(iss);
	uint32_t srt = DABT_SRT(iss);
	bool write = iss & DABT_WNR;
	uint64_t data = write ? get_x(v, srt) : 0;

	skip_insn(v, esr);
	if (write && width < 8)
		data &= (1ull << (8 * width)) - 1;
	/* Both vGIC windows lie in the 16 MiB from GICD_BASE: one compare
	 * keeps every other device's exit out of the vGIC's range checks. */
	if (ipa - AXVM_A64_GICD_BASE < 0x1000000u &&
	    a64_vgic_mmio(v, ipa, write, width, &data)) {
		if (!write) {
			if ((iss & DABT_SSE) && width < 8 && (data >> (8 * width - 1)) & 1u)
				data |= ~((1ull << (8 * width)) - 1);
			if (!(iss & DABT_SF))
				data &= UINT32_MAX;
			set_x(v, srt, data);
		}
		return axvm_bm_exit_nothing(exit);
	}
	mmio_exit(v, iss, ipa, exit);
	return 0;
}

static int dabt(struct a64_vcpu *v, uint64_t esr, uint64_t far, uint64_t hpfar,
		struct axvm_exit *exit)
{
	uint32_t iss = (uint32_t)ESR_ISS(esr);
	uint32_t dfsc = DABT_DFSC(iss);
	uint32_t access = (iss & DABT_WNR) ? AXVM_ACCESS_WRITE : AXVM_ACCESS_READ;
	uint64_t ipa, start = far;

	/* External aborts and unknown FAR: nothing sensible to emulate. */
	if ((iss & (DABT_EA | DABT_FNV)) || dfsc < 0x04 || dfsc > 0x0f)
		return axvm_bm_exit_fail(exit, esr);
	/* The guest's own page-table walk hit a hole: its tables are bad. */
	if (iss & DABT_S1PTW)
		return page_fault(exit, a64_hpfar_page(hpfar), AXVM_ACCESS_READ);
	if (dfsc < 0x0c) {
		start = access_start(v, iss, far);
		ipa = dabt_ipa(iss, start, hpfar);
	} else if (!far_to_ipa(far, &ipa)) {
		return axvm_bm_exit_fail(exit, esr);
	}
	/* RAM (or a lazily backed region): the core may map it and retry. */
	if (a64_gpa_is_ram(v->vm, ipa, 1) || dfsc >= 0x08 || !(iss & DABT_ISV))
		return page_fault(exit, ipa, access);
	/* Cache maintenance by VA on an MMIO address: nothing to do. */
	if (iss & DABT_CM) {
		skip_insn(v, esr);
		return axvm_bm_exit_nothing(exit);
	}
	/* Part of the access is on a page no RAM backs, part on another page:
	 * no single device can take it and emulating half would lose or
	 * invent the rest, so the guest gets the abort a bus would give. */
	if (a64_access_straddles(start, dabt_width(iss)))
		return inject_dabt(v, esr, far, exit);
	return mmio(v, esr, ipa, exit);
}

/* --- entry points --------------------------------------------------------------- */

bool a64_fast_exit(struct a64_vcpu *v, uint64_t esr)
{
	switch (ESR_EC(esr)) {
	case EC_HVC64:
		return smccc_query(v, (uint32_t)v->regs.x[0]);
	case EC_SMC64:
		if (!smccc_query(v, (uint32_t)v->regs.x[0]))
			return false;
		skip_insn(v, esr); /* a trapped SMC returns to itself */
		return true;
	case EC_SYSREG:
		return id_reg_read(v, esr);
	default:
		return false;
	}
}

/*
 * The one data abort the world switch answers itself: what dabt() and
 * mmio() would turn into an MMIO exit for the core's devices, with every
 * check that could make them do anything else done first, in dabt()'s
 * terms: a valid syndrome; a stage-2 translation fault (access-flag and
 * permission faults are the core's); no external abort, unknown FAR,
 * table walk or cache maintenance; the access's first byte found as
 * dabt() finds it (the instruction fetched when FAR is near a page
 * start) and the access inside one page; outside the vGIC's window, whose
 * registers want the list registers synced first. RAM needs no test
 * before the core is asked: it takes only fast devices, which no memory
 * region overlaps (device.h). When the core declines, the exit it was
 * offered is the one mmio() would build, so it is handed on (-1, PC moved
 * on) unless the address is RAM (0: the full exit decodes the untouched
 * state into the core's page fault): a device that is not fast costs one
 * decode and one instruction fetch, not two.
 */
int a64_fast_mmio(struct a64_vcpu *v, uint64_t esr, struct axvm_exit *exit)
{
	uint32_t iss = (uint32_t)ESR_ISS(esr);
	uint32_t dfsc = DABT_DFSC(iss);
	struct axvm_exit e; /* local, so the inlined core sees no stores */
	uint64_t far, ipa, val = 0;

	if ((iss & (DABT_ISV | DABT_EA | DABT_FNV | DABT_S1PTW | DABT_CM)) != DABT_ISV ||
	    dfsc < 0x04 || dfsc > 0x07 || !v->core)
		return 0;
	far = access_start(v, iss, rd_far_el2());
	if (a64_access_straddles(far, dabt_width(iss)))
		return 0;
	ipa = a64_hpfar_page(rd_hpfar_el2()) | A64_PAGE_OFF(far);
	if (ipa - AXVM_A64_GICD_BASE < 0x1000000u)
		return 0;
	mmio_exit(v, iss, ipa, &e);
	if (axvm_vcpu_fast_mmio(v->core, &e, &val)) {
		if (!(iss & DABT_WNR))
			set_x(v, DABT_SRT(iss), val);
		skip_insn(v, esr);
		return 1;
	}
	/* The RAM test only now (a fast device is never RAM): RAM is the
	 * core's page fault, decoded again from the untouched state. */
	if (a64_gpa_is_ram(v->vm, ipa, 1))
		return 0;
	mmio_exit(v, iss, ipa, exit); /* again: cheaper than copying e */
	skip_insn(v, esr);
	return -1;
}

int a64_decode_exit(struct a64_vcpu *v, uint64_t kind, uint64_t esr,
		    uint64_t far, uint64_t hpfar, struct axvm_exit *exit)
{
	switch (kind) {
	case A64_EXC_IRQ:
	case A64_EXC_FIQ:
		/* A host interrupt (already handled by the host when the
		 * caller's DAIF came back), or the guest's timer or GIC
		 * maintenance interrupt (handled at exit). */
		exit->kind = AXVM_EXIT_EXTERNAL_IRQ;
		exit->u.external_irq.vector = 0;
		return 0;
	case A64_EXC_SERROR:
		return axvm_bm_exit_fail(exit, esr);
	case A64_EXC_SYNC:
		break;
	default:
		return AXVM_EIO;
	}

	switch (ESR_EC(esr)) {
	case EC_WFX:
		skip_insn(v, esr);
		/* WFE (TI = 1, 3) is not trapped (TWE = 0); if it ever is,
		 * it is a hint: just continue. */
		if (esr & 1u)
			return axvm_bm_exit_nothing(exit);
		return standby(v, exit);
	case EC_HVC64:
		return hvc(v, exit); /* ELR_EL2 already points past the HVC */
	case EC_SMC64:
		skip_insn(v, esr); /* a trapped SMC returns to itself */
		return hvc(v, exit);
	case EC_SYSREG:
		return sysreg(v, esr, exit);
	case EC_DABT_LOW:
		return dabt(v, esr, far, hpfar, exit);
	case EC_IABT_LOW:
		if (ESR_ISS(esr) & DABT_S1PTW)
			return page_fault(exit, a64_hpfar_page(hpfar), AXVM_ACCESS_READ);
		/* 4-byte aligned instructions never straddle a page. */
		return page_fault(exit, a64_hpfar_page(hpfar) | (far & 0xfffu),
				  AXVM_ACCESS_EXEC);
	case EC_UNKNOWN:
	case 0x07: /* FP/SIMD access (if trapped) */
	case 0x09: /* pointer authentication */
	case EC_HVC32:
	case EC_SMC32:
	case 0x19: /* SVE */
	case 0x1d: /* SME */
		return inject_undef(v, exit);
	default:
		return axvm_bm_exit_fail(exit, esr);
	}
}
