/* SPDX-License-Identifier: Apache-2.0 */
/* KVM backend: KVM_RUN and the translation of struct kvm_run into struct
 * axvm_exit. Everything in kvm_run is treated as untrusted: it describes
 * what the guest did. No allocation on this path. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm_internal.h"

static uint64_t load_le(const uint8_t *d, unsigned n)
{
	uint64_t v = 0;

	/* Console bytes are the common port write: no loop for them. */
	if (n == 1)
		return d[0];
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)d[i] << (8 * i);
	return v;
}

static int fail(struct kvm_vcpu *v, struct axvm_exit *exit, uint32_t cls,
                uint32_t detail)
{
	v->pending = KVM_PENDING_NONE;
	v->io_left = 0;
	exit->kind = AXVM_EXIT_FAIL_ENTRY;
	exit->u.fail_entry.reason = AXVM_KVM_FAIL(cls, detail);
	return 0;
}

int axvm_kvm_complete_pending(struct kvm_vcpu *v)
{
	int r, e;

	if (!v->needs_completion)
		return 0;
	/* KVM finishes the operation, then sees immediate_exit and returns
	 * -EINTR without running guest code. */
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	r = ioctl(v->fd, KVM_RUN, 0);
	e = errno;
	__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	v->needs_completion = false;
	v->pending = KVM_PENDING_NONE;
	v->io_left = 0;
	v->regs_valid = false;
	if (r < 0 && e != EINTR && e != EAGAIN)
		return AXVM_EIO;
	return 0;
}

/* Element io_index of the port access in kvm_run. */
static int io_element(struct kvm_vcpu *v, struct axvm_exit *exit)
{
	const struct kvm_run *run = v->run;
	const uint8_t *d = (const uint8_t *)run + run->io.data_offset +
	                   (size_t)v->io_index * run->io.size;

	if (run->io.direction == KVM_EXIT_IO_OUT) {
		exit->kind = AXVM_EXIT_IO_WRITE;
		exit->u.write.addr = run->io.port;
		exit->u.write.width = run->io.size;
		exit->u.write.data = load_le(d, run->io.size);
	} else {
		exit->kind = AXVM_EXIT_IO_READ;
		exit->u.read.addr = run->io.port;
		exit->u.read.width = run->io.size;
		exit->u.read.reg_width = run->io.size; /* KVM merges into RAX */
		exit->u.read.sign_extend = false;
		exit->u.read.reg = AXVM_KVM_REG_IO_DATA;
	}
	return 0;
}

/* The doorbell: registers carry the call (guest ABI). */
static int hypercall(struct kvm_vcpu *v, struct axvm_exit *exit)
{
	const struct kvm_regs *r = &v->regs;
	int rc;

	if ((rc = axvm_kvm_load_regs(v)))
		return rc;
	if (r->rax == AXVM_KVM_HC_CPU_UP) {
		exit->kind = AXVM_EXIT_CPU_UP;
		exit->u.cpu_up.target = r->rdi;
		exit->u.cpu_up.entry = r->rsi;
		exit->u.cpu_up.arg = r->rdx;
		exit->u.cpu_up.ret_reg = AXVM_KVM_REG_RAX;
		return 0;
	}
	exit->kind = AXVM_EXIT_HYPERCALL;
	exit->u.hypercall.nr = r->rax;
	exit->u.hypercall.args[0] = r->rdi;
	exit->u.hypercall.args[1] = r->rsi;
	exit->u.hypercall.args[2] = r->rdx;
	exit->u.hypercall.args[3] = r->r10;
	exit->u.hypercall.args[4] = r->r8;
	exit->u.hypercall.args[5] = r->r9;
	exit->u.hypercall.ret_reg = AXVM_KVM_REG_RAX;
	return 0;
}

static int decode_io(struct kvm_vcpu *v, struct axvm_exit *exit)
{
	const struct kvm_run *run = v->run;
	uint64_t size = run->io.size, count = run->io.count;
	uint64_t off = run->io.data_offset, room = v->vm->run_size;

	if ((size != 1 && size != 2 && size != 4) || count == 0 || off > room ||
	    size * count > room - off)
		return fail(v, exit, AXVM_KVM_FAIL_BAD_EXIT, KVM_EXIT_IO);
	v->pending = KVM_PENDING_IO;
	v->needs_completion = true;
	v->io_index = 0;
	v->io_left = (uint32_t)count - 1;
	if (run->io.direction == KVM_EXIT_IO_OUT && count == 1 &&
	    run->io.port == AXVM_KVM_HYPERCALL_PORT)
		return hypercall(v, exit);
	return io_element(v, exit);
}

static int decode_mmio(struct kvm_vcpu *v, struct axvm_exit *exit)
{
	const struct kvm_run *run = v->run;
	unsigned len = run->mmio.len;

	/* KVM splits page-crossing accesses into pieces of any length
	 * 1..8; the core refuses widths its devices do not take. */
	if (len == 0 || len > sizeof(run->mmio.data))
		return fail(v, exit, AXVM_KVM_FAIL_BAD_EXIT, KVM_EXIT_MMIO);
	v->pending = KVM_PENDING_MMIO;
	v->needs_completion = true;
	if (run->mmio.is_write) {
		exit->kind = AXVM_EXIT_MMIO_WRITE;
		exit->u.write.addr = run->mmio.phys_addr;
		exit->u.write.width = (uint8_t)len;
		exit->u.write.data = load_le(run->mmio.data, len);
	} else {
		/* KVM's emulator applies the instruction's own extension
		 * (movsx, movzx, 32-bit zeroing) to these bytes. */
		exit->kind = AXVM_EXIT_MMIO_READ;
		exit->u.read.addr = run->mmio.phys_addr;
		exit->u.read.width = (uint8_t)len;
		exit->u.read.reg_width = (uint8_t)len;
		exit->u.read.sign_extend = false;
		exit->u.read.reg = AXVM_KVM_REG_MMIO_DATA;
	}
	return 0;
}

/* Out of line: the exit that dominates takes single_byte_out() instead,
 * and keeping the rest out of axvm_kvm_vcpu_run spares that path the
 * registers the rest would make it save. */
static __attribute__((noinline)) int decode(struct kvm_vcpu *v,
                                            struct axvm_exit *exit)
{
	const struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return decode_io(v, exit);
	case KVM_EXIT_MMIO:
		return decode_mmio(v, exit);
	case KVM_EXIT_HLT:
		exit->kind = AXVM_EXIT_HALT;
		return 0;
	case KVM_EXIT_INTR:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		exit->kind = AXVM_EXIT_NOTHING;
		return 0;
	case KVM_EXIT_SHUTDOWN:
		return fail(v, exit, AXVM_KVM_FAIL_TRIPLE_FAULT, 0);
	case KVM_EXIT_FAIL_ENTRY:
		return fail(
		    v, exit, AXVM_KVM_FAIL_HARDWARE,
		    (uint32_t)run->fail_entry.hardware_entry_failure_reason);
	case KVM_EXIT_INTERNAL_ERROR:
		return fail(v, exit, AXVM_KVM_FAIL_INTERNAL,
		            run->internal.suberror);
	default:
		return fail(v, exit, AXVM_KVM_FAIL_UNKNOWN, run->exit_reason);
	}
}

/* Hand the highest queued vector to KVM once the guest can take it, else
 * ask KVM for an exit when it can (userspace irqchip). */
static __attribute__((noinline)) int inject_pending(struct kvm_vcpu *v)
{
	struct kvm_run *run = v->run;
	bool more = false;

	atomic_store(&v->irq_any, false);
	if (run->ready_for_interrupt_injection && run->if_flag) {
		for (int w = 3; w >= 0; w--) {
			uint64_t bits = atomic_load(&v->irq_pending[w]);
			if (!bits)
				continue;
			unsigned bit = 63u - (unsigned)__builtin_clzll(bits);
			atomic_fetch_and(&v->irq_pending[w],
			                 ~((uint64_t)1 << bit));
			struct kvm_interrupt irq = {.irq = (uint32_t)w * 64u +
			                                   bit};
			if (ioctl(v->fd, KVM_INTERRUPT, &irq))
				return AXVM_EIO;
			break;
		}
	}
	for (unsigned w = 0; w < 4; w++)
		more |= atomic_load(&v->irq_pending[w]) != 0;
	if (more)
		atomic_store(&v->irq_any, true);
	run->request_interrupt_window = more ? 1 : 0;
	return 0;
}

/* First entry after set_entry(): an exit still in flight is finished
 * first, or KVM would apply it on top of the fresh registers. Out of line:
 * once per power-on. */
static __attribute__((noinline)) int after_power_on(struct kvm_vcpu *v)
{
	int rc;

	v->boot_pending = false;
	if (v->needs_completion) {
		struct kvm_regs fresh = v->regs;
		if ((rc = axvm_kvm_complete_pending(v)))
			return rc;
		v->regs = fresh;
		v->regs_valid = true;
		v->regs_dirty = true;
	}
	return 0;
}

/* The exit a console makes for every byte: one byte out of a port other
 * than the doorbell. Its tests are decode_io()'s checks narrowed to that
 * case (size 1 times count 1 fits when the offset is inside the mapping),
 * so what decode() would refuse still goes to decode(). Direction, size
 * and count are compared as one word, port masked out: one compare, not
 * three. */
struct io_head {
	uint8_t direction, size;
	uint16_t port;
	uint32_t count;
};

static inline bool single_byte_out(const struct kvm_run *run, uint64_t room)
{
	static const struct io_head want = {KVM_EXIT_IO_OUT, 1, 0, 1};
	static const struct io_head mask = {0xff, 0xff, 0, 0xffffffffu};
	uint64_t h, w, m;

	_Static_assert(sizeof(struct io_head) == 8 &&
	                   offsetof(struct kvm_run, io.data_offset) ==
	                       offsetof(struct kvm_run, io) + 8,
	               "kvm_run.io starts with direction, size, port, count");
	memcpy(&h, &run->io, 8);
	memcpy(&w, &want, 8);
	memcpy(&m, &mask, 8);
	return run->exit_reason == KVM_EXIT_IO && (h & m) == w &&
	       run->io.port != AXVM_KVM_HYPERCALL_PORT &&
	       run->io.data_offset < room;
}

int axvm_kvm_vcpu_run(void *p, struct axvm_exit *exit)
{
	struct kvm_vcpu *v = p;
	struct kvm_run *run = v->run;
	int r, rc;

	/* The rest of a string instruction (rep ins/outs): one element per
	 * exit, without entering the guest. */
	if (v->io_left) {
		v->io_left--;
		v->io_index++;
		return io_element(v, exit);
	}
	if (v->boot_pending && (rc = after_power_on(v)))
		return rc;
	/* Registers are dirty only after a hypercall's result or a power-on:
	 * test it here, not behind a call, on every entry. */
	if (v->regs_dirty && (rc = axvm_kvm_flush_regs(v)))
		return rc;
	if (atomic_load_explicit(&v->irq_any, memory_order_relaxed) &&
	    (rc = inject_pending(v)))
		return rc;
	r = ioctl(v->fd, KVM_RUN, 0);
	v->regs_valid = false;
	/* Any kick up to here has done its job: this run() returns. */
	__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_RELAXED);
	if (r == 0 && single_byte_out(run, v->run_size)) {
		v->pending = KVM_PENDING_IO;
		v->needs_completion = true;
		v->io_index = 0;
		exit->kind = AXVM_EXIT_IO_WRITE;
		exit->u.write.addr = run->io.port;
		exit->u.write.width = 1;
		exit->u.write.data = ((const uint8_t *)run)[run->io.data_offset];
		return 0;
	}
	v->pending = KVM_PENDING_NONE;
	v->needs_completion = false;
	v->io_left = 0;
	if (r < 0) {
		if (errno == EINTR || errno == EAGAIN) {
			exit->kind = AXVM_EXIT_NOTHING;
			return 0;
		}
		return AXVM_EIO;
	}
	return decode(v, exit);
}
