/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_rv_sbi: the RISC-V backend's SBI handler (rv_sbi.c), compiled for
 * the host with the shared RAM test (bm_backend.c), fed the traps a
 * hostile guest can make: any a0-a7 on any of 1-8 harts (some not yet
 * created), other trap causes, over a memory map of 1-3 RAM regions and a
 * device region that may be huge, empty, overlap or end at the top of the
 * address space. Each trap goes the way rv_vcpu_run() and rv_decode_exit()
 * take it: answered in place, else (an ECALL) sepc moved on and
 * rv_sbi_call(), then the rest of a fan-out drained as rv_pending_work()
 * does before the next entry. The timer, kicks and guest-memory reads are
 * stubs here that record what they were asked.
 *
 * What is checked, besides ASan and UBSan, against a model of the SBI 2.0
 * spec and docs/guest-abi-riscv64.md kept here:
 * - the caller's registers: a0 success or one of the spec's error codes
 *   (legacy getchar's -1 aside), a1 the value where the call has one, sepc
 *   past the ECALL exactly once, nothing else touched; the other vCPUs'
 *   registers untouched;
 * - base: version 2.0, probe_extension 1 for exactly the extensions
 *   implemented; unknown extension and function ids not supported, no exit;
 * - IPI and RFENCE hart masks: base -1 every hart; a hart the VM lacks (a
 *   shift past bit 63 included) invalid parameter, no IPI, no fence; else
 *   one SEND_IPI exit per named hart, lowest first, or each named hart's
 *   fence flag set, the others kicked, and a wait (to 100 ms) only for one
 *   inside the guest;
 * - HSM: a hart the VM lacks invalid parameter; an odd start address or
 *   one whose 4 bytes are not inside one RAM region invalid address; else
 *   the CPU_UP or CPU_STATUS exit with the guest's own arguments;
 * - DBCN console_write: the bytes of guest RAM from base_lo, at most 4096,
 *   each read inside RAM and in order, a1 the count written (short when a
 *   read faults); base_hi set or memory outside RAM invalid parameter;
 * - SRST: a reserved type or reason invalid parameter, shutdown and the reboots the
 *   documented down codes; set_timer sets exactly the deadline asked;
 * - no exit the SBI does not make, no fan-out left pending, no allocation
 *   outliving the input.
 *
 * Input: fuzz_rv_sbi.h; seeds from gen_sbi_seeds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "fuzz_rv_sbi.h"
#include "rv.h"

#define MAX_TRAPS 512u
#define MAX_HARTS 8u
#define DBCN_MAX 4096u                /* console bytes one write takes */
#define MAX_EXITS (DBCN_MAX + 1u)
#define RFENCE_WAIT_NS 100000000ull   /* the longest a remote fence waits */
#define CLOCK_STEP_NS 1000000ull      /* the clock moves on at each read */

/* SBI 2.0's return codes, 0 to -9 */
#define SBI_SUCCESS 0
#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)
#define SBI_ERR_INVALID_ADDRESS (-5)
#define SBI_ERR_LAST (-9) /* SBI_ERR_NO_SHMEM */

#define SBI_SPEC_2_0 0x02000000u /* major in bits 30:24, minor in 23:0 */
#define SBI_IMPL_ID 0x41585654u  /* "AXVT", rv_sbi.c's */

static const uint64_t eid_num[FS_NEIDS] = {
	[FS_LEGACY_SET_TIMER] = 0x00, [FS_LEGACY_PUTCHAR] = 0x01, [FS_LEGACY_GETCHAR] = 0x02,
	[FS_LEGACY_SHUTDOWN] = 0x08,  [FS_BASE] = 0x10,           [FS_TIME] = 0x54494d45,
	[FS_IPI] = 0x735049,          [FS_RFENCE] = 0x52464e43,   [FS_HSM] = 0x48534d,
	[FS_SRST] = 0x53525354,       [FS_DBCN] = 0x4442434e,
	[FS_HYPERCALL] = AXVM_RV_SBI_EXT_HYPERCALL,
};

__extension__ typedef unsigned __int128 u128;

/* What one trap should do. */
struct want {
	enum rv_sbi_in_place in_place;
	struct rv_regs regs; /* the caller's, after it */
	bool status;         /* a0 is an SBI return code */
	bool timer;          /* set_timer(deadline) */
	uint64_t deadline;
	bool fence;          /* a remote fence of `harts` */
	uint64_t harts;
	uint64_t reads;      /* console bytes read from guest RAM */
};

struct run {
	struct rv_vm *vm;
	struct axvm_config cfg;
	uint8_t salt;
	uint64_t clock, clock_reads;
	/* what the stubs were asked during one trap */
	uint32_t timer_calls, kicks;
	struct rv_vcpu *timer_vcpu;
	uint64_t timer_value, kick_mask;
	uint64_t read_base, reads, reads_allowed, fail_at;
	/* the trap's exits: what came out, what should have */
	struct axvm_exit got[MAX_EXITS], want[MAX_EXITS];
	size_t ngot, nwant;
};

static struct run R; /* one input at a time; too big for the stack */
static struct fuzz_input in;

/* --- the guest's memory, modelled -------------------------------------------- */

/* [gpa, gpa + len) inside one RAM region, in exact arithmetic. */
static bool ram_holds(uint64_t gpa, uint64_t len)
{
	for (uint32_t i = 0; i < R.cfg.region_count; i++) {
		const struct axvm_mem_region *r = &R.cfg.regions[i];

		if (r->type == AXVM_MAP_DEVICE || (r->flags & AXVM_MEM_DEVICE))
			continue;
		if (gpa >= r->gpa && (u128)gpa + len <= (u128)r->gpa + r->size)
			return true;
	}
	return false;
}

/* What guest RAM holds at `gpa`: a function of the address, as a region
 * may span the whole address space. */
static uint8_t ram_byte(uint64_t gpa)
{
	return (uint8_t)((gpa * 0x9e3779b97f4a7c15ull) >> 56) ^ R.salt;
}

/* --- what rv_sbi.c calls outside itself ----------------------------------------- */

static uint64_t fake_now(void *ctx)
{
	(void)ctx;
	R.clock_reads++;
	return R.clock += CLOCK_STEP_NS;
}

static const struct axvm_hal hal = { .now_ns = fake_now };

void rv_set_timer(struct rv_vcpu *v, uint64_t timecmp)
{
	R.timer_calls++;
	R.timer_vcpu = v;
	R.timer_value = timecmp;
	v->timecmp = timecmp;
}

void rv_kick_others(struct rv_vm *vm, uint64_t vcpu_mask)
{
	CHECK(vm == R.vm);
	R.kicks++;
	R.kick_mask = vcpu_mask;
}

/* The backend reads only what axvm_bm_gpa_is_ram() accepted: the bytes
 * of the console write under way, in order. Read `fail_at` faults. */
int64_t rv_guest_phys_byte(uint64_t gpa)
{
	CHECK(ram_holds(gpa, 1));
	CHECK(R.reads < R.reads_allowed && gpa == R.read_base + R.reads);
	if (R.reads++ == R.fail_at)
		return -1;
	return ram_byte(gpa);
}

/* --- the model -------------------------------------------------------------------- */

static bool implemented(uint64_t eid)
{
	for (unsigned i = 0; i < FS_NEIDS; i++)
		if (eid_num[i] == eid)
			return true;
	return false;
}

/* The harts a (hart_mask, hart_mask_base) pair names, hart by hart;
 * false if one is not the VM's. */
static bool named_harts(uint64_t mask, uint64_t base, uint64_t *out)
{
	uint32_t n = R.vm->base.vcpu_count;

	*out = 0;
	if (base == UINT64_MAX) {
		*out = (1ull << n) - 1;
		return true;
	}
	for (unsigned i = 0; i < 64; i++) {
		if (!(mask >> i & 1))
			continue;
		if (base >= n || i >= n - base)
			return false;
		*out |= 1ull << (base + i);
	}
	return true;
}

static void want_exit(const struct axvm_exit *x)
{
	CHECK(R.nwant < MAX_EXITS);
	R.want[R.nwant++] = *x;
}

static void ret(struct want *w, int64_t err)
{
	w->regs.x[10] = (uint64_t)err;
	w->status = true;
}

static void ret_val(struct want *w, int64_t err, uint64_t val)
{
	ret(w, err);
	w->regs.x[11] = val;
}

static void console_exit(uint8_t byte)
{
	want_exit(&(struct axvm_exit){ .kind = AXVM_EXIT_IO_WRITE,
				       .u.write = { .addr = AXVM_RV_SBI_CONSOLE_PORT, .width = 1,
						    .data = byte } });
}

static void base_model(struct want *w, uint64_t fid, uint64_t a0)
{
	switch (fid) {
	case 0: ret_val(w, SBI_SUCCESS, SBI_SPEC_2_0); break;
	case 1: ret_val(w, SBI_SUCCESS, SBI_IMPL_ID); break;
	case 2: ret_val(w, SBI_SUCCESS, 1); break;
	case 3: ret_val(w, SBI_SUCCESS, implemented(a0)); break;
	case 4: case 5: case 6: /* mvendorid, marchid, mimpid */
		ret_val(w, SBI_SUCCESS, 0);
		break;
	default: ret(w, SBI_ERR_NOT_SUPPORTED); break;
	}
}

/* send_ipi: one SEND_IPI exit per named hart, lowest first. */
static void ipi_model(struct want *w, uint64_t fid, const uint64_t *a)
{
	uint64_t harts;

	if (fid != 0) {
		ret(w, SBI_ERR_NOT_SUPPORTED);
	} else if (!named_harts(a[0], a[1], &harts)) {
		ret(w, SBI_ERR_INVALID_PARAM);
	} else {
		ret(w, SBI_SUCCESS);
		for (unsigned t = 0; t < 64; t++)
			if (harts >> t & 1)
				want_exit(&(struct axvm_exit){
					.kind = AXVM_EXIT_SEND_IPI,
					.u.ipi = { .target = t, .vector = AXVM_RV_IRQ_SOFT } });
	}
}

/* remote_fence_i, remote_sfence_vma(_asid); the HFENCE ones are for
 * nested hypervisors, not supported. */
static void rfence_model(struct want *w, uint64_t fid, const uint64_t *a)
{
	if (fid > 2) {
		ret(w, SBI_ERR_NOT_SUPPORTED);
	} else if (!named_harts(a[0], a[1], &w->harts)) {
		ret(w, SBI_ERR_INVALID_PARAM);
	} else {
		w->fence = true;
		ret(w, SBI_SUCCESS);
	}
}

/* Power state is the core's: it answers hart_start and hart_get_status
 * through SBI_RET. */
static void hsm_model(struct want *w, uint64_t fid, const uint64_t *a)
{
	uint32_t n = R.vm->base.vcpu_count;

	if (fid == 0 && a[0] >= n)
		ret(w, SBI_ERR_INVALID_PARAM);
	else if (fid == 0 && ((a[1] & 1) || !ram_holds(a[1], 4)))
		ret(w, SBI_ERR_INVALID_ADDRESS);
	else if (fid == 0)
		want_exit(&(struct axvm_exit){ .kind = AXVM_EXIT_CPU_UP,
					       .u.cpu_up = { .target = a[0], .entry = a[1],
							     .arg = a[2],
							     .ret_reg = AXVM_RV_REG_SBI_RET } });
	else if (fid == 1) /* hart_stop */
		want_exit(&(struct axvm_exit){ .kind = AXVM_EXIT_CPU_DOWN });
	else if (fid == 2 && a[0] >= n)
		ret(w, SBI_ERR_INVALID_PARAM);
	else if (fid == 2)
		want_exit(&(struct axvm_exit){ .kind = AXVM_EXIT_CPU_STATUS,
					       .u.cpu_status = { .target = a[0],
								 .ret_reg = AXVM_RV_REG_SBI_RET,
								 .has_off_pending = true } });
	else /* hart_suspend and beyond */
		ret(w, SBI_ERR_NOT_SUPPORTED);
}

/* console_write(num_bytes, base_lo, base_hi), short past DBCN_MAX and at
 * the read that faults; console_read (no input, ever); console_write_byte. */
static void dbcn_model(struct want *w, uint64_t fid, const uint64_t *a)
{
	uint64_t n = a[0] < DBCN_MAX ? a[0] : DBCN_MAX, written;

	if (fid == 0 && (a[2] || (n && !ram_holds(a[1], n)))) {
		ret(w, SBI_ERR_INVALID_PARAM);
	} else if (fid == 0) {
		written = n < R.fail_at ? n : R.fail_at;
		w->reads = n > R.fail_at ? R.fail_at + 1 : n;
		ret_val(w, SBI_SUCCESS, written);
		for (uint64_t i = 0; i < written; i++)
			console_exit(ram_byte(a[1] + i));
	} else if (fid == 1) {
		ret_val(w, SBI_SUCCESS, 0);
	} else if (fid == 2) {
		ret(w, SBI_SUCCESS);
		console_exit((uint8_t)a[0]);
	} else {
		ret(w, SBI_ERR_NOT_SUPPORTED);
	}
}

/* Everything the trap of vCPU `v` (its registers as the guest left them)
 * should do; its exits into R.want. */
static void model(const struct rv_vcpu *v, struct want *w)
{
	const struct rv_regs *r = &v->regs;
	uint64_t eid = r->x[17], fid = r->x[16];
	const uint64_t *a = &r->x[10];

	*w = (struct want){ .in_place = RV_SBI_NOT, .regs = *r };
	if (r->scause != RV_EXC_ECALL_VS)
		return; /* not the SBI's business */
	w->regs.sepc += 4;
	if (eid == eid_num[FS_BASE]) {
		w->in_place = RV_SBI_ANSWERED;
		base_model(w, fid, a[0]);
		return;
	}
	if (eid == eid_num[FS_LEGACY_SET_TIMER] || (eid == eid_num[FS_TIME] && fid == 0)) {
		w->in_place = RV_SBI_ANSWERED_TIMER;
		w->timer = true;
		w->deadline = a[0];
		w->regs.x[10] = SBI_SUCCESS;
		w->status = eid != eid_num[FS_LEGACY_SET_TIMER];
		return;
	}
	if (eid == eid_num[FS_LEGACY_PUTCHAR]) {
		w->regs.x[10] = 0;
		console_exit((uint8_t)a[0]);
	} else if (eid == eid_num[FS_LEGACY_GETCHAR]) {
		w->regs.x[10] = UINT64_MAX; /* no input */
	} else if (eid == eid_num[FS_LEGACY_SHUTDOWN]) {
		want_exit(&(struct axvm_exit){ .kind = AXVM_EXIT_SYSTEM_DOWN,
					       .u.system_down.code = AXVM_RV_DOWN_OFF });
	} else if (eid == eid_num[FS_IPI]) {
		ipi_model(w, fid, a);
	} else if (eid == eid_num[FS_RFENCE]) {
		rfence_model(w, fid, a);
	} else if (eid == eid_num[FS_HSM]) {
		hsm_model(w, fid, a);
	} else if (eid == eid_num[FS_SRST] && fid != 0) {
		ret(w, SBI_ERR_NOT_SUPPORTED);
	} else if (eid == eid_num[FS_SRST] && (a[0] > 2 || a[1] > 1)) {
		ret(w, SBI_ERR_INVALID_PARAM); /* a reserved or vendor type or reason */
	} else if (eid == eid_num[FS_SRST]) {
		/* system_reset(type, reason): 0 shutdown, 1 cold, 2 warm reboot */
		want_exit(&(struct axvm_exit){
			.kind = AXVM_EXIT_SYSTEM_DOWN,
			.u.system_down.code = a[0] ? AXVM_RV_DOWN_RESET : AXVM_RV_DOWN_OFF });
	} else if (eid == eid_num[FS_DBCN]) {
		dbcn_model(w, fid, a);
	} else if (eid == eid_num[FS_HYPERCALL]) {
		struct axvm_exit x = { .kind = AXVM_EXIT_HYPERCALL,
				       .u.hypercall = { .nr = fid,
							.ret_reg = AXVM_RV_REG_SBI_VALUE } };
		memcpy(x.u.hypercall.args, a, sizeof(x.u.hypercall.args));
		want_exit(&x);
	} else {
		ret(w, SBI_ERR_NOT_SUPPORTED); /* TIME's others, every id not here */
	}
	/* The call's own exit, when nothing else came of it. */
	if (!R.nwant)
		want_exit(&(struct axvm_exit){ .kind = AXVM_EXIT_NOTHING });
}

/* --- what came out ---------------------------------------------------------------- */

static bool same_exit(const struct axvm_exit *g, const struct axvm_exit *w)
{
	if (g->kind != w->kind)
		return false;
	switch (g->kind) {
	case AXVM_EXIT_NOTHING:
		return true;
	case AXVM_EXIT_IO_WRITE:
		return g->u.write.addr == w->u.write.addr && g->u.write.width == w->u.write.width &&
		       g->u.write.data == w->u.write.data;
	case AXVM_EXIT_SEND_IPI:
		return g->u.ipi.target == w->u.ipi.target && g->u.ipi.target_aux == 0 &&
		       !g->u.ipi.to_all && !g->u.ipi.to_self && g->u.ipi.vector == w->u.ipi.vector;
	case AXVM_EXIT_CPU_UP:
		return g->u.cpu_up.target == w->u.cpu_up.target &&
		       g->u.cpu_up.entry == w->u.cpu_up.entry && g->u.cpu_up.arg == w->u.cpu_up.arg &&
		       g->u.cpu_up.ret_reg == w->u.cpu_up.ret_reg;
	case AXVM_EXIT_CPU_DOWN:
		return g->u.cpu_down.state == w->u.cpu_down.state;
	case AXVM_EXIT_CPU_STATUS:
		return g->u.cpu_status.target == w->u.cpu_status.target &&
		       g->u.cpu_status.ret_reg == w->u.cpu_status.ret_reg &&
		       g->u.cpu_status.has_off_pending == w->u.cpu_status.has_off_pending;
	case AXVM_EXIT_SYSTEM_DOWN:
		return g->u.system_down.code == w->u.system_down.code;
	case AXVM_EXIT_HYPERCALL:
		return g->u.hypercall.nr == w->u.hypercall.nr &&
		       !memcmp(g->u.hypercall.args, w->u.hypercall.args,
			       sizeof(g->u.hypercall.args)) &&
		       g->u.hypercall.ret_reg == w->u.hypercall.ret_reg;
	default:
		return false; /* the model makes no other kind */
	}
}

/* One exit the handler made: only kinds an SBI call makes, naming only
 * harts the VM has. */
static void got_exit(const struct axvm_exit *x)
{
	uint32_t n = R.vm->base.vcpu_count;

	switch (x->kind) {
	case AXVM_EXIT_SEND_IPI: CHECK(x->u.ipi.target < n); break;
	case AXVM_EXIT_CPU_UP: CHECK(x->u.cpu_up.target < n); break;
	case AXVM_EXIT_CPU_STATUS: CHECK(x->u.cpu_status.target < n); break;
	case AXVM_EXIT_NOTHING: case AXVM_EXIT_IO_WRITE: case AXVM_EXIT_CPU_DOWN:
	case AXVM_EXIT_SYSTEM_DOWN: case AXVM_EXIT_HYPERCALL: break;
	default: CHECK(0);
	}
	CHECK(R.ngot < MAX_EXITS);
	R.got[R.ngot++] = *x;
}

/* rv_pending_work(), run() after run(): the rest of a fan-out, an exit
 * each, until none is left or a console read faults (the guest then
 * runs). */
static void drain(struct rv_vcpu *v)
{
	while (v->ipi_targets || v->con_left) {
		struct axvm_exit x;
		int rc;

		memset(&x, 0xa5, sizeof(x));
		rc = v->ipi_targets ? rv_sbi_emit_ipi(v, &x) : rv_sbi_emit_console(v, &x);
		CHECK(rc == 0 || rc == 1);
		if (!rc)
			break;
		got_exit(&x);
	}
	CHECK(!v->ipi_targets && !v->con_left);
}

/* --- the input --------------------------------------------------------------------- */

/* Byte 0: the vCPU count; byte 1: which exist; byte 2: the memory map's
 * layout; then the regions, the pc, the salt (fuzz_rv_sbi.h). */
static void setup(void)
{
	uint32_t n = 1 + (uint32_t)(fuzz_take(&in, 1) % MAX_HARTS);
	uint8_t created = (uint8_t)fuzz_take(&in, 1) | 1u, layout = (uint8_t)fuzz_take(&in, 1);
	uint32_t nram = 1 + (layout & 3u) % 3u, dev = ((layout >> 2) & 3u) % (nram + 1);
	uint64_t sepc;

	memset(&R.cfg, 0, sizeof(R.cfg));
	R.cfg.vcpu_count = n;
	R.cfg.region_count = nram + 1;
	for (uint32_t i = 0; i < nram + 1; i++) {
		struct axvm_mem_region *r = &R.cfg.regions[i];

		r->gpa = fuzz_take(&in, 8);
		r->size = fuzz_take(&in, 8);
		/* The core refuses a region past the top of the address space
		 * (config.c), never one that ends at it; the rest of its rules
		 * (alignment, overlaps, no size 0) are left to break. */
		if (r->size && r->gpa + (r->size - 1) < r->gpa)
			r->size = 0 - r->gpa;
		r->hpa = r->gpa;
		r->flags = AXVM_MEM_RWX;
		r->type = (enum axvm_map_type)(((layout >> 5) & 3u) % 3u);
		if (i == dev && (layout & 0x10u)) {
			r->type = AXVM_MAP_LINEAR;
			r->flags |= AXVM_MEM_DEVICE;
		} else if (i == dev) {
			r->type = AXVM_MAP_DEVICE;
		}
	}
	sepc = fuzz_take(&in, 8);
	R.salt = (uint8_t)fuzz_take(&in, 1);

	/* As vm_init and vcpu_create lay them out (bm_backend.c). */
	R.vm = calloc(1, sizeof(*R.vm));
	CHECK(R.vm);
	R.vm->base = (struct axvm_bm_vm){ .hal = &hal, .cfg = &R.cfg, .vcpu_count = n, .vmid = 1 };
	R.vm->base.vcpus = calloc(n, sizeof(R.vm->base.vcpus[0]));
	CHECK(R.vm->base.vcpus);
	for (uint32_t i = 0; i < n; i++) {
		struct rv_vcpu *v;

		if (!(created >> i & 1))
			continue;
		v = calloc(1, sizeof(*v));
		CHECK(v);
		v->vm = R.vm;
		v->id = i;
		v->timecmp = UINT64_MAX;
		for (unsigned r = 1; r < 32; r++)
			v->regs.x[r] = 0x0101010101010101ull * r + i;
		v->regs.sepc = sepc;
		v->regs.sstatus = 0x100 + i;
		v->regs.hstatus = 0x80;
		R.vm->base.vcpus[i] = v;
	}
}

static void teardown(void)
{
	for (uint32_t i = 0; i < R.vm->base.vcpu_count; i++)
		free(R.vm->base.vcpus[i]);
	free(R.vm->base.vcpus);
	free(R.vm);
	R.vm = NULL;
}

/* An argument: 8 bytes when wide, else one byte that spells a value a
 * call is picky about (fuzz_rv_sbi.h): a hart id, a one-hart mask up to
 * bit 63, a value near -1. */
static uint64_t arg_from(bool wide)
{
	uint64_t a;

	if (wide)
		return fuzz_take(&in, 8);
	a = fuzz_take(&in, 1);
	if (a < 0x80)
		return a;
	if (a < 0xc0)
		return 1ull << (a - 0x80);
	return UINT64_MAX - (0xff - a);
}

static uint64_t eid_from(unsigned sel)
{
	uint64_t k;

	switch (sel) {
	case FS_LEGACY_OTHER:
		return 3 + fuzz_take(&in, 1) % 5;
	case FS_FLIPPED:
		k = fuzz_take(&in, 1) % FS_NEIDS;
		return eid_num[k] ^ (1ull << (fuzz_take(&in, 1) % 64));
	case FS_RAW32:
		return fuzz_take(&in, 4);
	case FS_RAW64:
		return fuzz_take(&in, 8);
	default:
		return eid_num[sel];
	}
}

static uint64_t cause_from(void)
{
	uint8_t c = (uint8_t)fuzz_take(&in, 1);

	if (c == 0xff)
		return fuzz_take(&in, 8);
	return (c & 0x80u ? RV_CAUSE_IRQ : 0) | (c & 63u);
}

/* One trap (fuzz_rv_sbi.h), run and checked. */
static void trap(void)
{
	struct rv_vm *vm = R.vm;
	uint32_t n = vm->base.vcpu_count;
	uint8_t op = (uint8_t)fuzz_take(&in, 1), wide, in_guest;
	uint32_t id = (op & 7u) % n;
	struct rv_vcpu *v;
	struct rv_regs before[MAX_HARTS];
	bool fenced[MAX_HARTS];
	uint64_t fail, clock0;
	enum rv_sbi_in_place answered;
	bool waits = false;
	struct want w;

	if (!rv_vcpu_at(vm, id))
		id = 0;
	v = rv_vcpu_at(vm, id);
	v->regs.scause = (op & FS_OP_CAUSE) ? cause_from() : RV_EXC_ECALL_VS;
	v->regs.x[17] = eid_from(op >> 4);
	v->regs.x[16] = fuzz_take(&in, 1);
	if (v->regs.x[16] == FS_FID_RAW)
		v->regs.x[16] = fuzz_take(&in, 8);
	wide = (uint8_t)fuzz_take(&in, 1);
	for (unsigned i = 0; i < 6; i++)
		v->regs.x[10 + i] = arg_from(wide >> i & 1);
	in_guest = (uint8_t)fuzz_take(&in, 1);
	fail = fuzz_take(&in, 2);

	/* The caller has left the guest (run() said so before decoding);
	 * one inside it took its pending fence on the way in. */
	for (uint32_t i = 0; i < n; i++) {
		struct rv_vcpu *t = rv_vcpu_at(vm, i);
		bool inside = i != id && (in_guest >> i & 1);

		if (!t)
			continue;
		atomic_store(&t->in_guest, inside);
		if (inside)
			atomic_store(&t->fence_pending, false);
		before[i] = t->regs;
		fenced[i] = atomic_load(&t->fence_pending);
	}
	R.timer_calls = R.kicks = 0;
	R.clock_reads = R.reads = 0;
	R.fail_at = fail == FS_NO_FAIL ? UINT64_MAX : fail;
	R.read_base = v->regs.x[11];
	R.ngot = R.nwant = 0;
	clock0 = R.clock;
	model(v, &w);
	R.reads_allowed = w.reads;

	answered = rv_sbi_answer_in_place(v);
	CHECK(answered == w.in_place);
	if (answered == RV_SBI_NOT && v->regs.scause == RV_EXC_ECALL_VS) {
		struct axvm_exit x;

		memset(&x, 0xa5, sizeof(x));
		v->regs.sepc += 4; /* rv_decode_exit, past the ECALL */
		CHECK(rv_sbi_call(v, &x) == 0);
		got_exit(&x);
		drain(v);
	}

	/* The caller's registers, and the exits in order. */
	CHECK(!memcmp(&v->regs, &w.regs, sizeof(w.regs)));
	if (w.status)
		CHECK((int64_t)v->regs.x[10] <= SBI_SUCCESS && (int64_t)v->regs.x[10] >= SBI_ERR_LAST);
	CHECK(R.ngot == R.nwant);
	for (size_t i = 0; i < R.ngot; i++)
		CHECK(same_exit(&R.got[i], &R.want[i]));
	CHECK(R.reads == w.reads);

	/* Only the timer asked for, only the harts named fenced and kicked. */
	CHECK(R.timer_calls == (w.timer ? 1u : 0u));
	if (w.timer)
		CHECK(R.timer_vcpu == v && R.timer_value == w.deadline && v->timecmp == w.deadline);
	CHECK(R.kicks == (w.fence ? 1u : 0u));
	if (w.fence)
		CHECK(R.kick_mask == (w.harts & ~(1ull << id)));
	for (uint32_t i = 0; i < n; i++) {
		struct rv_vcpu *t = rv_vcpu_at(vm, i);
		bool named = w.fence && (w.harts >> i & 1);

		if (!t)
			continue;
		CHECK(atomic_load(&t->fence_pending) == (fenced[i] || named));
		if (i != id)
			CHECK(!memcmp(&t->regs, &before[i], sizeof(before[i])));
		if (named && i != id && (in_guest >> i & 1))
			waits = true;
	}
	/* A fence waits for a target inside the guest, until the deadline
	 * (nothing here leaves it), and for none outside. */
	if (!w.fence)
		CHECK(R.clock_reads == 0);
	else if (waits)
		CHECK(R.clock - clock0 >= RFENCE_WAIT_NS + CLOCK_STEP_NS &&
		      R.clock_reads <= 1 + RFENCE_WAIT_NS / CLOCK_STEP_NS + n);
	else
		CHECK(R.clock_reads == 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	in = (struct fuzz_input){ data, size };
	R.clock = 1000000000ull;
	setup();
	for (unsigned i = 0; i < MAX_TRAPS && in.n; i++)
		trap();
	teardown();
	return 0;
}
