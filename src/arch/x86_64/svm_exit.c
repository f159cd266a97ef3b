/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SVM exits as the core's exits. What the VMCB reports (exit code,
 * EXITINFO1/2, the guest's registers and memory) describes what the guest
 * did: every field is input, checked before use. No allocation here.
 * Instructions that exit before they complete (CPUID, HLT, VMMCALL,
 * RDMSR/WRMSR, IN/OUT, MMIO moves) are stepped over here: QEMU's SVM has
 * no next-RIP save, so the lengths are the instructions' own (IOIO gives
 * the next RIP in EXITINFO2).
 */
#include "svm.h"
#include "svm_insn.h"

/* EXITINFO1 of IOIO */
#define IO_IN (1ull << 0)
#define IO_STR (1ull << 2)
#define IO_REP (1ull << 3)
#define IO_SZ_SHIFT 4
#define IO_A16 (1ull << 7)
#define IO_A32 (1ull << 8)
#define IO_A64 (1ull << 9)
#define IO_SEG_SHIFT 10 /* the segment, with decode assists */
/* EXITINFO1 of NPF: the #PF-style error code */
#define NPF_WRITE (1ull << 1)
#define NPF_FETCH (1ull << 4)

#define EVENT_VALID (1ull << 31)
#define EVENT_EXCEPTION (3ull << 8)
#define VEC_UD 6u

static void skip(struct svm_vcpu *v, uint64_t len)
{
	vmcb_set64(v, VMCB_RIP, vmcb_get64(v, VMCB_RIP) + len);
}

static uint64_t mask(unsigned width)
{
	return width >= 8 ? UINT64_MAX : (1ull << (8 * width)) - 1;
}

static int hypercall(struct svm_vcpu *v, struct axvm_exit *exit)
{
	uint64_t nr = svm_gpr(v, AXVM_X86_REG_RAX);

	if (nr == AXVM_X86_HC_CPU_UP) {
		exit->kind = AXVM_EXIT_CPU_UP;
		exit->u.cpu_up.target = svm_gpr(v, AXVM_X86_REG_RDI);
		exit->u.cpu_up.entry = svm_gpr(v, AXVM_X86_REG_RSI);
		exit->u.cpu_up.arg = svm_gpr(v, AXVM_X86_REG_RDX);
		exit->u.cpu_up.ret_reg = AXVM_X86_REG_RAX;
		return 0;
	}
	exit->kind = AXVM_EXIT_HYPERCALL;
	exit->u.hypercall.nr = nr;
	exit->u.hypercall.args[0] = svm_gpr(v, AXVM_X86_REG_RDI);
	exit->u.hypercall.args[1] = svm_gpr(v, AXVM_X86_REG_RSI);
	exit->u.hypercall.args[2] = svm_gpr(v, AXVM_X86_REG_RDX);
	exit->u.hypercall.args[3] = svm_gpr(v, 10);
	exit->u.hypercall.args[4] = svm_gpr(v, 8);
	exit->u.hypercall.args[5] = svm_gpr(v, 9);
	exit->u.hypercall.ret_reg = AXVM_X86_REG_RAX;
	return 0;
}

/* --- string port I/O ---------------------------------------------------------- */

static int64_t str_step(struct svm_vcpu *v)
{
	int64_t w = v->str.width;
	return (vmcb_get64(v, VMCB_RFLAGS) & RFLAGS_DF) ? -w : w;
}

/* The code's default size in bytes: 8 in 64-bit mode (long mode and
 * CS.L), else 4 or 2 (CS.D). Outside 64-bit mode segment bases apply and
 * linear addresses wrap at 4 GiB. */
static unsigned code_size(const struct svm_vcpu *v)
{
	uint32_t cs_attr = (uint32_t)vmcb_get64(v, VMCB_CS) >> 16;

	if ((vmcb_get64(v, VMCB_EFER) & EFER_LMA) && (cs_attr & SEG_ATTR_L))
		return 8;
	return (cs_attr & SEG_ATTR_DB) ? 4 : 2;
}

/* The linear address of the instruction at RIP (a real-mode AP's CS:IP). */
static uint64_t rip_linear(const struct svm_vcpu *v, unsigned code)
{
	uint64_t rip = vmcb_get64(v, VMCB_RIP);

	return code == 8 ? rip : (uint32_t)(vmcb_get64(v, VMCB_CS + VMCB_SEG_BASE) + rip);
}

/* Where a string IN/OUT's memory operand is: its address size and its
 * segment (OUTS reads DS:rSI or an override's, INS writes ES:rDI). A CPU
 * with decode assists reports both in EXITINFO1; QEMU's SVM does not, so
 * then they come from the code segment and the instruction's prefixes.
 * In 64-bit mode only FS and GS have a base. Limits are not checked. */
static void str_operand(struct svm_vcpu *v, uint64_t info, uint64_t next_rip)
{
	uint64_t len = next_rip - vmcb_get64(v, VMCB_RIP);
	unsigned code = code_size(v), seg = (info & IO_IN) ? SVM_SEG_ES : SVM_SEG_DS;
	uint8_t b[15];
	struct svm_prefixes p = { 0 };

	if (info & (IO_A16 | IO_A32 | IO_A64)) {
		v->str.abytes = (info & IO_A16) ? 2 : (info & IO_A32) ? 4 : 8;
		if (!(info & IO_IN) && ((info >> IO_SEG_SHIFT) & 7) <= SVM_SEG_GS)
			seg = (info >> IO_SEG_SHIFT) & 7;
	} else {
		if (len >= 1 && len <= sizeof(b) && !svm_gva_read(v, rip_linear(v, code), b, len))
			svm_insn_prefixes(b, (unsigned)len, &p);
		v->str.abytes = (uint8_t)svm_insn_asize(code, p.asz);
		if (!(info & IO_IN) && p.seg)
			seg = p.seg - 1u;
	}
	v->str.lin32 = code != 8;
	v->str.seg_base = code == 8 && seg < SVM_SEG_FS ? 0 : vmcb_get64(v, VMCB_SEG(seg) + VMCB_SEG_BASE);
}

/* The linear address of offset `off` in the operand's segment. */
static uint64_t str_linear(const struct svm_vcpu *v, uint64_t off)
{
	uint64_t a = v->str.seg_base + off;

	return v->str.lin32 ? (uint32_t)a : a;
}

/* A string register as the instruction sees it (its address size). */
static uint64_t str_reg(struct svm_vcpu *v, unsigned reg)
{
	return svm_gpr(v, reg) & mask(v->str.abytes);
}

/* ... and as it writes it: a 32-bit address size zero-extends (as any
 * 32-bit register write in 64-bit mode), a 16-bit one keeps the rest. */
static void str_set_reg(struct svm_vcpu *v, unsigned reg, uint64_t val)
{
	uint64_t m = mask(v->str.abytes);

	if (v->str.abytes != 2)
		svm_set_gpr(v, reg, val & m);
	else
		svm_set_gpr(v, reg, (svm_gpr(v, reg) & ~m) | (val & m));
}

int svm_str_next(struct svm_vcpu *v, struct axvm_exit *exit)
{
	struct svm_str *s = &v->str;
	uint64_t data = 0, rsi;

	if (s->rep ? str_reg(v, AXVM_X86_REG_RCX) == 0 : s->issued) {
		s->active = false;
		vmcb_set64(v, VMCB_RIP, s->next_rip);
		return 0;
	}
	s->issued = true;
	if (s->in) {
		exit->kind = AXVM_EXIT_IO_READ;
		exit->u.read.addr = s->port;
		exit->u.read.width = s->width;
		exit->u.read.reg_width = s->width;
		exit->u.read.sign_extend = false;
		exit->u.read.reg = AXVM_X86_REG_STR_IN;
		return 1;
	}
	rsi = str_reg(v, AXVM_X86_REG_RSI);
	if (svm_gva_read(v, str_linear(v, rsi), &data, s->width)) {
		/* A real CPU would #PF; the guest is stopped instead. */
		s->active = false;
		axvm_bm_exit_fail(exit, AXVM_X86_FAIL_FETCH | (rsi & 0xffffffffu));
		return 1;
	}
	str_set_reg(v, AXVM_X86_REG_RSI, rsi + (uint64_t)str_step(v));
	if (s->rep)
		str_set_reg(v, AXVM_X86_REG_RCX, str_reg(v, AXVM_X86_REG_RCX) - 1);
	exit->kind = AXVM_EXIT_IO_WRITE;
	exit->u.write.addr = s->port;
	exit->u.write.width = s->width;
	exit->u.write.data = data & mask(s->width);
	return 1;
}

int svm_str_in_complete(struct svm_vcpu *v, uint64_t value)
{
	struct svm_str *s = &v->str;
	uint64_t rdi = str_reg(v, AXVM_X86_REG_RDI);
	int rc;

	if (!s->active || !s->in)
		return AXVM_EINVAL;
	if ((rc = svm_gva_write(v, str_linear(v, rdi), &value, s->width))) {
		s->active = false; /* stop the instruction: the VM stops too */
		return rc;
	}
	str_set_reg(v, AXVM_X86_REG_RDI, rdi + (uint64_t)str_step(v));
	if (s->rep)
		str_set_reg(v, AXVM_X86_REG_RCX, str_reg(v, AXVM_X86_REG_RCX) - 1);
	return 0;
}

/* The first element of a string IN/OUT. Out of line: its state and the
 * address size stay off the other exits' path. */
static __attribute__((noinline)) int str_start(struct svm_vcpu *v, uint64_t info, uint16_t port,
					       uint8_t width, uint64_t next_rip,
					       struct axvm_exit *exit)
{
	v->str = (struct svm_str){ .active = true, .in = info & IO_IN, .rep = info & IO_REP,
				   .width = width, .port = port, .next_rip = next_rip };
	str_operand(v, info, next_rip);
	if (svm_str_next(v, exit))
		return 0;
	return axvm_bm_exit_nothing(exit); /* rep with RCX = 0 */
}

/* --- exits ------------------------------------------------------------------- */

static int ioio(struct svm_vcpu *v, uint64_t info, uint64_t next_rip, struct axvm_exit *exit)
{
	uint16_t port = (uint16_t)(info >> 16);
	uint8_t width = (info >> IO_SZ_SHIFT & 1) ? 1 : (info >> IO_SZ_SHIFT & 2) ? 2 : 4;

	if (info & IO_STR)
		return str_start(v, info, port, width, next_rip, exit);
	vmcb_set64(v, VMCB_RIP, next_rip);
	if (info & IO_IN) {
		exit->kind = AXVM_EXIT_IO_READ;
		exit->u.read.addr = port;
		exit->u.read.width = width;
		exit->u.read.reg_width = width;
		exit->u.read.sign_extend = false;
		exit->u.read.reg = AXVM_X86_REG_PART(AXVM_X86_REG_RAX, width, false);
		return 0;
	}
	if (port == AXVM_X86_HYPERCALL_PORT)
		return hypercall(v, exit);
	if (port == AXVM_X86_EXIT_PORT) {
		exit->kind = AXVM_EXIT_SYSTEM_DOWN;
		exit->u.system_down.code = svm_gpr(v, AXVM_X86_REG_RAX) & 0xff;
		return 0;
	}
	exit->kind = AXVM_EXIT_IO_WRITE;
	exit->u.write.addr = port;
	exit->u.write.width = width;
	exit->u.write.data = svm_gpr(v, AXVM_X86_REG_RAX) & mask(width);
	return 0;
}

static int msr(struct svm_vcpu *v, uint64_t write, struct axvm_exit *exit)
{
	uint32_t ecx = (uint32_t)svm_gpr(v, AXVM_X86_REG_RCX);

	skip(v, 2); /* rdmsr, wrmsr: 0f 32, 0f 30 */
	if (svm_lapic_msr(v, ecx, write, exit)) /* the APIC's and EFER */
		return 0;
	if (write) {
		exit->kind = AXVM_EXIT_SYSREG_WRITE;
		exit->u.write.addr = ecx;
		exit->u.write.width = 8;
		exit->u.write.data = (svm_gpr(v, AXVM_X86_REG_RDX) << 32) |
				     (svm_gpr(v, AXVM_X86_REG_RAX) & 0xffffffffu);
		return 0;
	}
	exit->kind = AXVM_EXIT_SYSREG_READ;
	exit->u.read.addr = ecx;
	exit->u.read.width = 8;
	exit->u.read.reg_width = 8;
	exit->u.read.sign_extend = false;
	exit->u.read.reg = AXVM_X86_REG_MSR;
	return 0;
}

/* The faulting instruction's bytes: the VMCB's when the CPU has decode
 * assists, else fetched at CS:RIP through the guest's page tables (up
 * to 15, fewer where the next page is not readable). */
static unsigned fetch_insn(struct svm_vcpu *v, unsigned code, uint8_t *b)
{
	unsigned n = v->vmcb[VMCB_INSN_LEN] & 0xf, first;
	uint64_t rip;

	if (n) {
		for (unsigned i = 0; i < n; i++)
			b[i] = v->vmcb[VMCB_INSN_BYTES + i];
		return n;
	}
	rip = rip_linear(v, code);
	first = (unsigned)(4096 - (rip & 4095));
	if (first > 15)
		first = 15;
	if (svm_gva_read(v, rip, b, first))
		return 0;
	if (first < 15 && !svm_gva_read(v, rip + first, b + first, 15 - first))
		return 15;
	return first;
}

static int npf(struct svm_vcpu *v, uint64_t info, uint64_t gpa, struct axvm_exit *exit)
{
	struct svm_insn in;
	uint8_t b[15];
	unsigned n, code;

	if (axvm_bm_gpa_is_ram(v->vm->base.cfg, gpa, 1)) {
		/* RAM not mapped yet (a lazy region): the core maps it. */
		exit->kind = AXVM_EXIT_NESTED_PAGE_FAULT;
		exit->u.page_fault.addr = gpa;
		exit->u.page_fault.access = (info & NPF_WRITE)   ? AXVM_ACCESS_WRITE
					    : (info & NPF_FETCH) ? AXVM_ACCESS_EXEC
								 : AXVM_ACCESS_READ;
		return 0;
	}
	code = code_size(v);
	if (!(n = fetch_insn(v, code, b)))
		return axvm_bm_exit_fail(exit, AXVM_X86_FAIL_FETCH |
					 (vmcb_get64(v, VMCB_RIP) & 0xffffffffu));
	if ((info & NPF_FETCH) || svm_insn_decode(b, n, code, &in))
		return axvm_bm_exit_fail(exit, AXVM_X86_FAIL_DECODE |
					 (vmcb_get64(v, VMCB_RIP) & 0xffffffffu));
	skip(v, in.len);
	if (in.write) {
		uint64_t d = in.has_imm ? in.imm : svm_gpr(v, in.reg);
		if (in.high)
			d >>= 8;
		if (svm_lapic_is_mmio(v, gpa))
			return svm_lapic_mmio(v, gpa - AXVM_X86_LAPIC_BASE, true,
					      d & mask(in.width), AXVM_REG_NONE, exit);
		exit->kind = AXVM_EXIT_MMIO_WRITE;
		exit->u.write.addr = gpa;
		exit->u.write.width = in.width;
		exit->u.write.data = d & mask(in.width);
		return 0;
	}
	if (svm_lapic_is_mmio(v, gpa)) {
		/* The APIC's registers are 32-bit: narrower reads see its low
		 * bytes, extended as the instruction says. */
		uint64_t r = AXVM_X86_REG_PART(in.reg, in.dst_size, in.high);
		if (in.width != 4)
			return svm_lapic_mmio(v, 1, false, 0, (uint32_t)r, exit);
		return svm_lapic_mmio(v, gpa - AXVM_X86_LAPIC_BASE, false, 0, (uint32_t)r, exit);
	}
	exit->kind = AXVM_EXIT_MMIO_READ;
	exit->u.read.addr = gpa;
	exit->u.read.width = in.width;
	exit->u.read.reg_width = in.dst_size;
	exit->u.read.sign_extend = in.sign_extend;
	exit->u.read.reg = AXVM_X86_REG_PART(in.reg, in.dst_size, in.high);
	return 0;
}

int svm_decode_exit(struct svm_vcpu *v, struct axvm_exit *exit)
{
	uint64_t code = vmcb_get64(v, VMCB_EXITCODE);
	uint64_t info1 = vmcb_get64(v, VMCB_EXITINFO1), info2 = vmcb_get64(v, VMCB_EXITINFO2);
	uint64_t pending = vmcb_get64(v, VMCB_EXITINTINFO);

	/* An event the exit interrupted (e.g. an interrupt whose delivery
	 * hit an NPF) is delivered again at the next entry. */
	if (pending & EVENT_VALID)
		vmcb_set64(v, VMCB_EVENTINJ, pending);

	switch (code) {
	case VMEXIT_INTR:
	case VMEXIT_NMI:
	case VMEXIT_VINTR: /* the window opened: run() injects */
		return axvm_bm_exit_nothing(exit);
	case VMEXIT_CPUID:
		svm_cpuid(v);
		skip(v, 2);
		return axvm_bm_exit_nothing(exit);
	case VMEXIT_HLT:
		skip(v, 1);
		/* `sti; hlt` with an interrupt queued: the STI shadow covers
		 * the HLT, so it exits before the window does. A real CPU
		 * would wake at once; so does the guest, which takes the
		 * interrupt at the next entry. */
		if (atomic_load(&v->irq_any) && (vmcb_get64(v, VMCB_RFLAGS) & RFLAGS_IF))
			return axvm_bm_exit_nothing(exit);
		exit->kind = AXVM_EXIT_HALT;
		return 0;
	case VMEXIT_IOIO:
		return ioio(v, info1, info2, exit);
	case VMEXIT_MSR:
		return msr(v, info1 & 1, exit);
	case VMEXIT_VMMCALL:
		skip(v, 3);
		return hypercall(v, exit);
	case VMEXIT_NPF:
		return npf(v, info1, info2, exit);
	case VMEXIT_SHUTDOWN:
		return axvm_bm_exit_fail(exit, AXVM_X86_FAIL_SHUTDOWN);
	case VMEXIT_INVALID:
		return axvm_bm_exit_fail(exit, AXVM_X86_FAIL_INVALID);
	case VMEXIT_VMRUN:
	default:
		if ((code >= VMEXIT_VMRUN && code <= VMEXIT_VMRUN + 6) || code == VMEXIT_INVLPGA ||
		    (code >= VMEXIT_MONITOR && code <= VMEXIT_MWAIT_COND)) {
			/* VMRUN, VMLOAD, VMSAVE, STGI, CLGI, SKINIT, INVLPGA: no
			 * nested SVM here; MONITOR/MWAIT: CPUID says there are
			 * none. The guest gets #UD, as on a CPU without them. */
			vmcb_set64(v, VMCB_EVENTINJ, EVENT_VALID | EVENT_EXCEPTION | VEC_UD);
			return axvm_bm_exit_nothing(exit);
		}
		return axvm_bm_exit_fail(exit, AXVM_X86_FAIL_EXIT | (code & 0xffffffffu));
	}
}
