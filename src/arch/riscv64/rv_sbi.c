/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SBI a guest sees (docs/guest-abi-riscv64.md): base, legacy console,
 * timer and shutdown, TIME, IPI, RFENCE, HSM, SRST, DBCN, and the hypercall
 * extension. Every argument is guest input. What the core owns (power
 * state, shutdown, hypercalls, console devices) becomes an exit; the rest
 * is answered here.
 */
#include "rv.h"

#define EXT_LEGACY_SET_TIMER 0x00u
#define EXT_LEGACY_PUTCHAR 0x01u
#define EXT_LEGACY_GETCHAR 0x02u
#define EXT_LEGACY_SHUTDOWN 0x08u
#define EXT_BASE 0x10u
#define EXT_TIME 0x54494d45u
#define EXT_IPI 0x735049u
#define EXT_RFENCE 0x52464e43u
#define EXT_HSM 0x48534du
#define EXT_SRST 0x53525354u
#define EXT_DBCN 0x4442434eu

#define SBI_SUCCESS 0
#define SBI_ERR_FAILED (-1)
#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)
#define SBI_ERR_INVALID_ADDRESS (-5)

#define SBI_SPEC_VERSION 0x02000000u /* 2.0 */
#define SBI_IMPL_ID 0x41585654u      /* "AXVT": not a registered id */
#define DBCN_MAX 4096u

static int ret2(struct rv_vcpu *v, int64_t err, uint64_t val, struct axvm_exit *exit)
{
	v->regs.x[10] = (uint64_t)err;
	v->regs.x[11] = val;
	exit->kind = AXVM_EXIT_NOTHING;
	return 0;
}

static int ret1(struct rv_vcpu *v, int64_t err, struct axvm_exit *exit)
{
	v->regs.x[10] = (uint64_t)err;
	exit->kind = AXVM_EXIT_NOTHING;
	return 0;
}

static bool ext_present(uint64_t eid)
{
	switch (eid) {
	case EXT_LEGACY_SET_TIMER:
	case EXT_LEGACY_PUTCHAR:
	case EXT_LEGACY_GETCHAR:
	case EXT_LEGACY_SHUTDOWN:
	case EXT_BASE:
	case EXT_TIME:
	case EXT_IPI:
	case EXT_RFENCE:
	case EXT_HSM:
	case EXT_SRST:
	case EXT_DBCN:
	case AXVM_RV_SBI_EXT_HYPERCALL:
		return true;
	default:
		return false;
	}
}

static int down(uint64_t code, struct axvm_exit *exit)
{
	exit->kind = AXVM_EXIT_SYSTEM_DOWN;
	exit->u.system_down.code = code;
	return 0;
}

static int console_byte(uint8_t c, struct axvm_exit *exit)
{
	exit->kind = AXVM_EXIT_IO_WRITE;
	exit->u.write.addr = AXVM_RV_SBI_CONSOLE_PORT;
	exit->u.write.width = 1;
	exit->u.write.data = c;
	return 0;
}

/* The harts a (hart_mask, hart_mask_base) pair names, as a vCPU bitmask;
 * false if it names one the VM lacks. Base -1 means every hart. */
static inline __attribute__((always_inline)) bool
hart_set(const struct rv_vm *vm, uint64_t mask, uint64_t base, uint64_t *out)
{
	uint64_t all = vm->base.vcpu_count >= 64 ? ~0ull : (1ull << vm->base.vcpu_count) - 1;

	if (base == UINT64_MAX) {
		*out = all;
		return true;
	}
	if (!mask) {
		*out = 0;
		return true;
	}
	if (base >= vm->base.vcpu_count || (mask << base) >> base != mask)
		return false;
	*out = mask << base;
	return (*out & ~all) == 0;
}

/* The base extension reads and writes nothing but a0 and a1, so it is
 * answered next to the world switch (rv_sbi_answer_in_place). */
static void base_call(struct rv_vcpu *v, uint64_t fid, uint64_t a0)
{
	uint64_t val = 0;

	switch (fid) {
	case 0: val = SBI_SPEC_VERSION; break;
	case 1: val = SBI_IMPL_ID; break;
	case 2: val = 1; break; /* implementation version */
	case 3: val = ext_present(a0) ? 1 : 0; break;
	case 4: case 5: case 6: break; /* mvendorid, marchid, mimpid: 0 */
	default:
		v->regs.x[10] = (uint64_t)SBI_ERR_NOT_SUPPORTED;
		return;
	}
	v->regs.x[10] = SBI_SUCCESS;
	v->regs.x[11] = val;
}

static int ipi_call(struct rv_vcpu *v, uint64_t mask, uint64_t base, struct axvm_exit *exit)
{
	uint64_t targets;

	if (!hart_set(v->vm, mask, base, &targets))
		return ret1(v, SBI_ERR_INVALID_PARAM, exit);
	ret1(v, SBI_SUCCESS, exit);
	v->ipi_targets = targets;
	if (targets)
		rv_sbi_emit_ipi(v, exit);
	return 0;
}

/* How long a remote fence waits for a hart to leave the guest. A kicked
 * hart exits within microseconds; past this, its fence still happens at
 * its next entry, and the caller is not held hostage. */
#define RFENCE_WAIT_NS 100000000ull

/* SBI returns from a remote fence once the targets have fenced (a guest
 * frees pages after it): wait for each target that is inside the guest
 * to leave it. One outside fences before it enters again. */
static void rfence_wait(struct rv_vm *vm, uint64_t targets)
{
	const struct axvm_hal *hal = vm->base.hal;
	uint64_t end = hal->now_ns(hal->ctx) + RFENCE_WAIT_NS;

	for (uint32_t i = 0; i < vm->base.vcpu_count && i < 64; i++) {
		struct rv_vcpu *t = rv_vcpu_at(vm, i);
		if (!(targets >> i & 1) || !t)
			continue;
		while (atomic_load(&t->fence_pending) && atomic_load(&t->in_guest) &&
		       hal->now_ns(hal->ctx) < end)
			;
	}
}

/* Remote fences: each named hart flushes its VS-stage TLB and I-cache
 * before it next enters the guest (this one at once), and the call
 * returns when no target can still use the old translations. */
static int rfence_call(struct rv_vcpu *v, uint64_t fid, uint64_t mask, uint64_t base,
		       struct axvm_exit *exit)
{
	struct rv_vm *vm = v->vm;
	uint64_t targets, others;

	if (fid > 2) /* the HFENCE calls are for nested hypervisors */
		return ret1(v, SBI_ERR_NOT_SUPPORTED, exit);
	if (!hart_set(vm, mask, base, &targets))
		return ret1(v, SBI_ERR_INVALID_PARAM, exit);
	for (uint32_t i = 0; i < vm->base.vcpu_count && i < 64; i++)
		if ((targets >> i & 1) && rv_vcpu_at(vm, i))
			atomic_store(&rv_vcpu_at(vm, i)->fence_pending, true);
	others = targets & ~(1ull << v->id);
	rv_kick_others(vm, others);
	rfence_wait(vm, others);
	return ret1(v, SBI_SUCCESS, exit);
}

static int hsm_call(struct rv_vcpu *v, uint64_t fid, const uint64_t *a, struct axvm_exit *exit)
{
	struct rv_vm *vm = v->vm;

	switch (fid) {
	case 0: /* hart_start(hartid, start_addr, opaque) */
		if (a[0] >= vm->base.vcpu_count)
			return ret1(v, SBI_ERR_INVALID_PARAM, exit);
		/* 2-byte aligned is an instruction boundary with the C
		 * extension (IALIGN 16): Linux built with it starts its
		 * harts at such an address. */
		if ((a[1] & 1) || !axvm_bm_gpa_is_ram(vm->base.cfg, a[1], 4))
			return ret1(v, SBI_ERR_INVALID_ADDRESS, exit);
		exit->kind = AXVM_EXIT_CPU_UP;
		exit->u.cpu_up.target = a[0];
		exit->u.cpu_up.entry = a[1];
		exit->u.cpu_up.arg = a[2];
		exit->u.cpu_up.ret_reg = AXVM_RV_REG_SBI_RET;
		return 0;
	case 1: /* hart_stop */
		exit->kind = AXVM_EXIT_CPU_DOWN;
		exit->u.cpu_down.state = 0;
		return 0;
	case 2: /* hart_get_status(hartid): the core owns power state */
		if (a[0] >= vm->base.vcpu_count)
			return ret1(v, SBI_ERR_INVALID_PARAM, exit);
		exit->kind = AXVM_EXIT_CPU_STATUS;
		exit->u.cpu_status.target = a[0];
		exit->u.cpu_status.ret_reg = AXVM_RV_REG_SBI_RET;
		exit->u.cpu_status.has_off_pending = true;
		return 0;
	default:
		return ret1(v, SBI_ERR_NOT_SUPPORTED, exit);
	}
}

static int dbcn_call(struct rv_vcpu *v, uint64_t fid, const uint64_t *a, struct axvm_exit *exit)
{
	uint64_t n = a[0];

	switch (fid) {
	case 0: /* console_write(num_bytes, base_lo, base_hi) */
		if (n > DBCN_MAX)
			n = DBCN_MAX; /* a short write; the guest writes the rest */
		if (a[2] || (n && !axvm_bm_gpa_is_ram(v->vm->base.cfg, a[1], n)))
			return ret1(v, SBI_ERR_INVALID_PARAM, exit);
		ret2(v, SBI_SUCCESS, n, exit);
		v->con_gpa = a[1];
		v->con_left = n;
		v->con_done = 0;
		if (n)
			rv_sbi_emit_console(v, exit);
		return 0;
	case 1: /* console_read: no input */
		return ret2(v, SBI_SUCCESS, 0, exit);
	case 2: /* console_write_byte */
		ret1(v, SBI_SUCCESS, exit);
		return console_byte((uint8_t)n, exit);
	default:
		return ret1(v, SBI_ERR_NOT_SUPPORTED, exit);
	}
}

enum rv_sbi_in_place rv_sbi_answer_in_place(struct rv_vcpu *v)
{
	uint64_t eid = v->regs.x[17];

	if (v->regs.scause != RV_EXC_ECALL_VS)
		return RV_SBI_NOT;
	if (eid == EXT_BASE) {
		v->regs.sepc += 4;
		base_call(v, v->regs.x[16], v->regs.x[10]);
		return RV_SBI_ANSWERED;
	}
	if (eid == EXT_LEGACY_SET_TIMER || (eid == RV_CONST(EXT_TIME) && v->regs.x[16] == 0)) {
		v->regs.sepc += 4;
		rv_set_timer(v, v->regs.x[10]);
		v->regs.x[10] = SBI_SUCCESS;
		return RV_SBI_ANSWERED_TIMER;
	}
	return RV_SBI_NOT;
}

/* Every call rv_sbi_answer_in_place() left: the base extension and
 * set_timer (legacy and TIME's) never get here. */
int rv_sbi_call(struct rv_vcpu *v, struct axvm_exit *exit)
{
	uint64_t eid = v->regs.x[17], fid = v->regs.x[16];

	/* send_ipi, the call a guest makes most here, before the copy below:
	 * it takes its two arguments by value. */
	if (eid == EXT_IPI) {
		if (fid != 0)
			return ret1(v, SBI_ERR_NOT_SUPPORTED, exit);
		return ipi_call(v, v->regs.x[10], v->regs.x[11], exit);
	}
	/* A copy: the results go to a0/a1, sometimes before the arguments
	 * are done with. */
	const uint64_t a[6] = { v->regs.x[10], v->regs.x[11], v->regs.x[12],
				v->regs.x[13], v->regs.x[14], v->regs.x[15] };

	switch (eid) {
	case EXT_LEGACY_PUTCHAR:
		ret1(v, SBI_SUCCESS, exit);
		return console_byte((uint8_t)a[0], exit);
	case EXT_LEGACY_GETCHAR:
		return ret1(v, -1, exit);
	case EXT_LEGACY_SHUTDOWN:
		return down(AXVM_RV_DOWN_OFF, exit);
	case EXT_RFENCE:
		return rfence_call(v, fid, a[0], a[1], exit);
	case EXT_HSM:
		return hsm_call(v, fid, a, exit);
	case EXT_SRST:
		/* Types 0-2 and reasons 0 (none) and 1 (system failure) are
		 * implemented; SBI 2.0 refuses a reserved or vendor one. */
		if (fid != 0 || a[0] > 2 || a[1] > 1)
			return ret1(v, fid ? SBI_ERR_NOT_SUPPORTED : SBI_ERR_INVALID_PARAM, exit);
		return down(a[0] == 0 ? AXVM_RV_DOWN_OFF : AXVM_RV_DOWN_RESET, exit);
	case EXT_DBCN:
		return dbcn_call(v, fid, a, exit);
	case AXVM_RV_SBI_EXT_HYPERCALL:
		exit->kind = AXVM_EXIT_HYPERCALL;
		exit->u.hypercall.nr = fid;
		for (int i = 0; i < 6; i++)
			exit->u.hypercall.args[i] = a[i];
		exit->u.hypercall.ret_reg = AXVM_RV_REG_SBI_VALUE;
		return 0;
	default:
		return ret1(v, SBI_ERR_NOT_SUPPORTED, exit);
	}
}

/* One SEND_IPI exit per target, lowest hart first; 1 when one went out. */
int rv_sbi_emit_ipi(struct rv_vcpu *v, struct axvm_exit *exit)
{
	uint32_t t = 0;

	while (!(v->ipi_targets >> t & 1)) /* no ctz without Zbb: no libgcc call */
		t++;
	v->ipi_targets &= v->ipi_targets - 1;
	exit->kind = AXVM_EXIT_SEND_IPI;
	exit->u.ipi.target = t;
	exit->u.ipi.target_aux = 0;
	exit->u.ipi.to_all = false;
	exit->u.ipi.to_self = false;
	exit->u.ipi.vector = AXVM_RV_IRQ_SOFT;
	return 1;
}

/* The next byte of a DBCN write; a byte that cannot be read (the guest's
 * RAM went away under it) ends the write short. 1 when one went out. */
int rv_sbi_emit_console(struct rv_vcpu *v, struct axvm_exit *exit)
{
	int64_t c = rv_guest_phys_byte(v->con_gpa);

	if (c < 0) {
		v->regs.x[11] = v->con_done;
		v->con_left = 0;
		return 0;
	}
	v->con_gpa++;
	v->con_done++;
	v->con_left--;
	console_byte((uint8_t)c, exit);
	return 1;
}
