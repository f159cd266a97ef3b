/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bare-metal kernel: boots every CPU in the hypervisor mode of its
 * target (EL2, HS-mode), links libaxvm with that target's backend, creates
 * the VMs its config blob describes, runs each vCPU on the pCPU its
 * affinity names, and powers the board off when every VM is down.
 *
 * The VMs come from a device tree in the axvm,vm binding
 * (docs/bindings/axvm-vm.md) that QEMU's generic loader puts at host
 * BM_CONFIG_ADDR, parsed by libaxvm's own parser (vmconfig.c): any number
 * of VMs up to BM_MAX_VMS, each with the vCPUs, pCPU affinity, RAM (linear
 * regions at the host addresses the config names, where QEMU also loaded
 * the images), UART and boot protocol it says. A config the parser or the
 * board refuses starts no VM: the kernel says why and powers off.
 * Placement scheme and guest contracts: docs/guest-abi-aarch64.md,
 * docs/guest-abi-riscv64.md; scripts/run-<arch> write the config.
 */
#include <string.h>

#include "guest_hypercalls.h"
#include "kernel.h"

/* Hypercalls the kernel offers its guests (X0 = number, X1.. = args). */

struct percpu bm_cpus[BM_MAX_CPUS];
uint32_t bm_ncpus = 1;

static struct axvm_host *host;
static atomic_bool vms_ready;
static atomic_uint cpus_done;

/* Bumped after every change that can alter what a pCPU's scheduler
 * works out from the VMs' and vCPUs' states: before a power-on or a
 * reboot is announced (each with a kick of the pCPUs concerned), after
 * the kernel's own shutdown of a VM, and by a pCPU after a run() of its
 * own that ended with the vCPU off (CPU_DOWN), stopped, or its VM going
 * down (AXVM_ESHUTDOWN: the vCPU that stops a VM returns it). Those are
 * the only ways a vCPU powers on or off and a VM stops or runs again
 * here; a run() refused because nothing was to run (AXVM_EAGAIN,
 * AXVM_ESTATE) changed nothing. A reader loads the count before the
 * states, so a change that lands while it works counts for its next
 * look. With it a busy pCPU looks at the VMs (look_at_vms) and works out
 * which of its vCPUs are ready (slice_others_ready) only after a
 * change. */
static _Atomic uint64_t bm_changes;

static void changed(void)
{
	atomic_fetch_add(&bm_changes, 1);
}

/* --- VM callbacks ------------------------------------------------------------------ */

/* Targets without hypercalls of their own keep this one. */
__attribute__((weak)) bool bm_arch_hypercall(uint64_t nr, const uint64_t args[6], uint64_t *ret)
{
	(void)nr;
	(void)args;
	(void)ret;
	return false;
}

static int on_hypercall(void *ctx, struct axvm_vcpu *vcpu, uint64_t nr,
			const uint64_t args[6], uint64_t *ret)
{
	struct bm_vm *s = ctx;

	if (bm_arch_hypercall(nr, args, ret))
		return 0;
	if (bm_guest_hypercall_is_putnum(nr))
		bm_devs_flush(s->devs);
	bm_guest_hypercall(vcpu, s->name, nr, args, ret);
	return 0;
}

static int on_unhandled(void *ctx, struct axvm_vcpu *vcpu, struct axvm_exit *exit)
{
	(void)ctx;
	(void)vcpu;
	(void)exit;
	return AXVM_EUNHANDLED; /* run() returns it; the scheduler reports it */
}

static void on_powered_on(void *ctx, struct axvm_vm *vm, uint32_t vcpu_id)
{
	struct bm_vm *s = ctx;
	(void)vm;
	changed();
	if (vcpu_id < s->nvcpus)
		bm_hal.kick_pcpu(bm_hal.ctx, s->affinity[vcpu_id]);
}

/* --- VMs ----------------------------------------------------------------------------- */

/* The guest's DTB address (the config's dtb-addr) if a DTB is there: QEMU
 * loaded one, or the address is not the host's to look at. */
static int set_boot_args(struct bm_vm *s, uint64_t *dtb)
{
	uint64_t hpa = s->fdt->has_dtb ? bm_vm_hpa(s, s->fdt->dtb_addr, 4) : 0;

	*dtb = 0;
	if (s->fdt->has_dtb &&
	    (!hpa || *(const volatile uint32_t *)(uintptr_t)hpa == BM_FDT_MAGIC_LE))
		*dtb = s->fdt->dtb_addr;
	return axvm_vcpu_set_gpr(s->vcpu[0], bm_guest.dtb_reg, *dtb);
}

/* A guest that asked for a system reset is reset (vCPUs to power-on
 * state, devices reset, RAM kept) and booted again, a few times at most
 * (the VM's max_reboots: none for a Linux VM). */
static bool wants_reboot(struct bm_vm *s)
{
	uint64_t code;

	return !axvm_vm_exit_code(s->vm, &code) && code == bm_guest.down_reset &&
	       atomic_load(&s->reboots) < s->max_reboots;
}

static bool maybe_reboot(struct bm_vm *s)
{
	uint64_t dtb;
	int rc;

	if (!wants_reboot(s))
		return false;
	unsigned n = atomic_fetch_add(&s->reboots, 1) + 1;
	bm_devs_flush(s->devs);
	kprintf("axvm: %s: guest asked for a reset, rebooting (%u of %u)\n", s->name, n,
		s->max_reboots);
	if ((rc = axvm_vm_reset(s->vm)) || (rc = set_boot_args(s, &dtb)) ||
	    (rc = axvm_vm_boot(s->vm))) {
		kprintf("axvm: %s: reboot failed: %s\n", s->name, bm_strerror(rc));
		return false;
	}
	changed();
	for (uint32_t i = 0; i < s->nvcpus; i++)
		bm_hal.kick_pcpu(bm_hal.ctx, s->affinity[i]);
	return true;
}

/* A Linux VM's entry: its image placed by the boot protocol. */
static int place_linux(struct bm_vm *s, uint64_t *entry)
{
	const struct axvm_config *c = &s->fdt->cfg;
	const uint64_t gpa = s->fdt->kernel_addr;

	for (uint32_t i = 0; i < c->region_count; i++) {
		const struct axvm_mem_region *r = &c->regions[i];
		if (r->type == AXVM_MAP_LINEAR && gpa >= r->gpa && gpa - r->gpa < r->size)
			return bm_arch_linux_place((void *)(uintptr_t)(r->hpa + (gpa - r->gpa)), gpa,
						   r->gpa, r->size, entry);
	}
	return AXVM_ERANGE; /* vmconfig.c refused it already */
}

/* Drop the kernel's references to a VM and its vCPUs (none held: nothing). */
static void put_vm(struct bm_vm *s)
{
	for (uint32_t i = 0; i < s->nvcpus; i++) {
		if (s->vcpu[i])
			axvm_vcpu_put(s->vcpu[i]);
		s->vcpu[i] = NULL;
	}
	if (s->vm)
		axvm_vm_put(s->vm);
	s->vm = NULL;
}

static int create_vm(struct bm_vm *s)
{
	struct axvm_config *cfg = &s->fdt->cfg;
	struct axvm_config_error err = { 0 };
	struct axvm_vm_callbacks cb = {
		.ctx = s,
		.hypercall = on_hypercall,
		.unhandled_exit = on_unhandled,
		.vcpu_powered_on = on_powered_on,
	};
	int rc;

	for (uint32_t i = 0; i < s->nvcpus; i++) {
		if (s->affinity[i] >= bm_ncpus) {
			kprintf("axvm: %s vCPU %u wants pCPU %u, only %u online: using pCPU %u\n",
				s->name, i, s->affinity[i], bm_ncpus, s->affinity[i] % bm_ncpus);
			s->affinity[i] %= bm_ncpus;
		}
		cfg->pcpu_affinity[i] = s->affinity[i];
	}
	if (bm_boots_linux(s)) {
		if ((rc = place_linux(s, &cfg->bsp_entry))) {
			kprintf("axvm: %s: the Linux image cannot be placed: %s\n", s->name,
				bm_strerror(rc));
			return rc;
		}
		cfg->ap_entry = cfg->bsp_entry;
	}
	if (!(s->devs = bm_devs_create(s->name)))
		return AXVM_ENOMEM;
	if ((rc = bm_devs_add(s->devs, s)))
		return rc;
	if ((rc = axvm_vm_create(host, cfg, &s->vm, &err))) {
		kprintf("axvm: %s: create failed: %s (%s)\n", s->name,
			bm_strerror(rc), err.message);
		return rc;
	}
	if ((rc = axvm_vm_set_callbacks(s->vm, &cb)))
		return rc;
	for (uint32_t i = 0; i < s->nvcpus; i++)
		if ((rc = axvm_vm_vcpu(s->vm, i, &s->vcpu[i])))
			return rc;
	uint64_t dtb;
	if ((rc = bm_vm_guest_dtb(s)) || (rc = set_boot_args(s, &dtb)))
		return rc;
	for (uint32_t i = 0; i < cfg->region_count; i++) {
		const struct axvm_mem_region *r = &cfg->regions[i];
		if (r->type == AXVM_MAP_LINEAR)
			kprintf("axvm: %s: RAM %lx..%lx at host %lx\n", s->name, r->gpa,
				r->gpa + r->size - 1, r->hpa);
	}
	kprintf("axvm: %s: %u vCPU(s), %s boot, entry %lx, dtb %lx\n", s->name, s->nvcpus,
		axvm_boot_protocol_name(s->fdt->boot), cfg->bsp_entry, dtb);
	return axvm_vm_boot(s->vm);
}

/* Why a vCPU stopped: the error, or the exit nobody handled with what
 * it carries. One kprintf per shape of line, none built in a buffer: a
 * dictionary log then needs no formatter in the image. Cold, and out of
 * run_cpu(): the scheduler's loop keeps its code for the runs. */
#define STOPPED "axvm: %s vCPU %u stopped: %s"
#define STOPPED_UN "axvm: %s vCPU %u stopped: unhandled %s"
__attribute__((noinline, cold)) static void report_stop(struct bm_vm *s, uint32_t idx, int rc,
							const struct axvm_exit *ex)
{
	const char *why = axvm_exit_kind_name(ex->kind);

	bm_devs_flush(s->devs);
	if (rc) {
		kprintf(STOPPED "\n", s->name, idx, bm_strerror(rc));
		return;
	}
	switch (ex->kind) {
	case AXVM_EXIT_NESTED_PAGE_FAULT:
		kprintf(STOPPED_UN " at 0x%lx (access %u)\n", s->name, idx, why,
			ex->u.page_fault.addr, ex->u.page_fault.access);
		break;
	case AXVM_EXIT_FAIL_ENTRY:
		kprintf(STOPPED_UN ", ESR 0x%lx\n", s->name, idx, why, ex->u.fail_entry.reason);
		break;
	case AXVM_EXIT_HYPERCALL:
		kprintf(STOPPED_UN " nr 0x%lx\n", s->name, idx, why, ex->u.hypercall.nr);
		break;
	default:
		kprintf(STOPPED_UN "\n", s->name, idx, why);
		break;
	}
}

/* --- time slices ----------------------------------------------------------------------- */

/* How long a vCPU keeps a pCPU that other powered-on vCPUs wait for. */
#define SLICE_NS 5000000ull
/* How long an idle pCPU sleeps between looks at its vCPUs. */
#define IDLE_WAIT_NS 10000000ull
/* After the end of a slice was asked for, how often to ask again: a kick
 * taken while the host, not the guest, ran makes no exit of its own. */
#define SLICE_RETRY_NS 1000000ull

/* The vCPUs whose affinity is each pCPU, listed once by that pCPU's
 * run_cpu() before its first slice: the slice-end check walks these
 * instead of every vCPU of every VM (the config's affinities and the
 * VMs' vCPU objects do not change while run_cpu runs: a reboot resets
 * a VM, it does not create it again). Read and written on that pCPU
 * only, by the scheduler and its timer interrupt. */
struct bm_sharer {
	struct bm_vm *s;
	struct axvm_vcpu *v;
	uint32_t i;
	uint64_t bit; /* its bit in bm_ready's mask: 1 << its index here */
};
#define BM_MAX_SHARERS (BM_MAX_VMS * BM_MAX_VM_VCPUS)
_Static_assert(BM_MAX_SHARERS <= 64, "a pCPU's sharers must fit one ready mask");
static struct bm_sharer bm_sharers[BM_MAX_CPUS][BM_MAX_SHARERS];
static uint32_t bm_nsharers[BM_MAX_CPUS];

/* Which of a pCPU's sharers are powered on in a running VM, as its slice
 * timer's handler last worked it out, and bm_changes then (UINT64_MAX:
 * never). Read and written by that handler only. */
static struct bm_ready {
	uint64_t seen;
	uint64_t mask;
} bm_ready[BM_MAX_CPUS];

/* Fill pCPU `cpu`'s list (VMs that exist, vCPUs created); their count. */
static uint32_t list_sharers(uint32_t cpu)
{
	uint32_t n = 0;

	for (uint32_t k = 0; k < bm_nvms; k++) {
		struct bm_vm *s = &bm_vms[k];
		for (uint32_t i = 0; s->vm && i < s->nvcpus; i++) {
			if (s->affinity[i] != cpu || !s->vcpu[i])
				continue;
			bm_sharers[cpu][n] = (struct bm_sharer){ s, s->vcpu[i], i, (uint64_t)1 << n };
			n++;
		}
	}
	bm_nsharers[cpu] = n;
	bm_ready[cpu].seen = UINT64_MAX;
	return n;
}

/* Whether a sharer is powered on in a running VM. Safe from the timer
 * interrupt: VMs and vCPUs exist from before the first slice to after
 * the last (teardown follows run_cpu). */
static inline __attribute__((always_inline)) bool sharer_ready(const struct bm_sharer *e)
{
	enum axvm_vm_state st;
	bool on = false;

	return !axvm_vm_state(e->s->vm, &st) && st == AXVM_VM_RUNNING &&
	       !axvm_vcpu_powered(e->v, &on) && on;
}

/* Whether a vCPU other than `cur` with affinity `cpu` is ready and did
 * not leave its last run halted (the halt's yield; the slice's end has
 * slice_others_ready). */
static bool others_busy(uint32_t cpu, const struct axvm_vcpu *cur)
{
	const struct bm_sharer *e = bm_sharers[cpu];

	for (uint32_t n = bm_nsharers[cpu]; n; n--, e++)
		if (e->v != cur && !e->s->idle[e->i] && sharer_ready(e))
			return true;
	return false;
}

/* Which of pCPU `cpu`'s sharers are ready, as bm_ready's mask. Inline,
 * and sharer_ready() with it: a call here, even one the handler's usual
 * path does not make, gave the handler a larger frame (RISC-V: three
 * more registers saved and restored on every slice's end). */
static inline __attribute__((always_inline)) uint64_t ready_mask(uint32_t cpu)
{
	const struct bm_sharer *e = bm_sharers[cpu];
	uint64_t mask = 0;

	for (uint32_t n = bm_nsharers[cpu]; n; n--, e++)
		if (sharer_ready(e))
			mask |= e->bit;
	return mask;
}

/* Whether a vCPU other than the slice's own is ready on pCPU `c`: the
 * walk of its sharers only after a change (bm_changes). A stale
 * answer lasts until the change's own bump: a "ready" costs one switch
 * at most, a "not ready" is followed by the kick that announces the
 * change (which ends a slice that had no end). */
static bool slice_others_ready(struct percpu *c)
{
	struct bm_ready *r = &bm_ready[c->id];
	uint64_t changes = atomic_load(&bm_changes);

	if (changes != r->seen) {
		r->mask = ready_mask(c->id);
		r->seen = changes;
	}
	return r->mask & ~c->slice_bit;
}

/* A slice ends with axvm_vcpu_interrupt() only when someone else is
 * ready. Otherwise it runs on with no end and no timer until a kick: a
 * vCPU is powered on (or its VM rebooted) only with a kick to its pCPU.
 * Every path leaves the one-shot timer either re-armed in the future or
 * withdrawn, so the ports' handlers call this without withdrawing it
 * first (one timer write per slice instead of two). */
void bm_timer_fired(void)
{
	struct percpu *c = this_cpu();
	struct axvm_vcpu *v = c->slice_vcpu;
	uint64_t now;

	if (!v) {
		bm_arch_timer_at(0);
		return;
	}
	now = time_now_ns();
	if (now >= c->slice_end) {
		if (slice_others_ready(c)) {
			c->slice_idle = c->slice_waiting;
			/* v is bound here and this handler runs in its place:
			 * no kick of our own pCPU (a halted v still gets it). If
			 * the host, not the guest, was interrupted, the retry
			 * below asks again. */
			axvm_vcpu_interrupt_local(v);
			c->slice_end = now + SLICE_RETRY_NS;
		} else {
			c->slice_end = UINT64_MAX;
		}
	}
	bm_arch_timer_at(c->slice_end);
}

void bm_kick_received(void)
{
	struct percpu *c = this_cpu();

	if (c->slice_vcpu && c->slice_end == UINT64_MAX) {
		c->slice_end = time_now_ns() + SLICE_NS;
		bm_arch_timer_at(c->slice_end);
	}
}

/* A halted vCPU gives its slice up at once to a neighbour that was busy
 * when it last ran, so an idle guest does not halve a busy one's share.
 * Not to one that was halted too: two idle vCPUs then take turns at the
 * slices' pace instead of trading the pCPU in a loop of entries. An idle
 * vCPU that gets an interrupt waits for the end of the running slice. */
bool bm_halt_yield(void)
{
	struct percpu *c = this_cpu();
	struct axvm_vcpu *v = c->slice_vcpu;

	if (!v || !others_busy(c->id, v))
		return false;
	c->slice_idle = true;
	axvm_vcpu_interrupt(v);
	return true;
}

/* Targets without a one-read version keep this one. */
__attribute__((weak)) void bm_arch_timer_in(uint64_t ns, volatile uint64_t *deadline_ns)
{
	bm_timer_in_by_deadline(ns, deadline_ns);
}

/* slice_end is set before slice_vcpu: a firing of the last slice's timer
 * in between must not see a deadline of the past (it would end this
 * slice at once); with UINT64_MAX it only withdraws the timer, which
 * bm_arch_timer_in() then arms. */
static void slice_begin(struct percpu *c, const struct bm_sharer *e)
{
	struct axvm_vcpu *v = e->v;

	c->slice_bit = e->bit;
	c->slice_end = UINT64_MAX;
	c->slice_waiting = false;
	c->slice_idle = false;
	c->slice_vcpu = v;
	bm_arch_timer_in(SLICE_NS, &c->slice_end);
}

/* The one-shot timer is left as it is: the next slice_begin() re-arms
 * it, a wait arms it for its own end, and if it fires first the handler
 * sees no slice_vcpu and withdraws it (one timer write per switch
 * fewer). */
static void slice_end(struct percpu *c)
{
	c->slice_vcpu = NULL;
}

/* --- the scheduler ------------------------------------------------------------------- */

/* One look at every VM, before each round of runs: pCPU 0 reboots the
 * stopped ones that asked (no vCPU is in a STOPPED VM; the other pCPUs
 * wait for it), and a running VM whose every vCPU is off (on any pCPU)
 * is shut down. Whether any VM is still alive. */
static bool look_at_vms(uint32_t cpu)
{
	bool alive = false;

	for (uint32_t k = 0; k < bm_nvms; k++) {
		struct bm_vm *s = &bm_vms[k];
		enum axvm_vm_state st;
		if (!s->vm || axvm_vm_state(s->vm, &st))
			continue;
		if (st == AXVM_VM_STOPPED && cpu != 0) {
			alive |= wants_reboot(s);
			continue;
		}
		if (st == AXVM_VM_STOPPED && !maybe_reboot(s))
			continue;
		alive = true;
		if (st != AXVM_VM_RUNNING)
			continue;
		bool any_on = false;
		for (uint32_t i = 0; i < s->nvcpus && !any_on; i++)
			axvm_vcpu_powered(s->vcpu[i], &any_on);
		if (!any_on) {
			kprintf("axvm: %s: every vCPU is off, shutting it down\n", s->name);
			axvm_vm_shutdown(s->vm);
			changed();
		}
	}
	return alive;
}

/* Run every vCPU whose affinity is this pCPU, round robin, until every VM
 * is stopped. A vCPU keeps the pCPU until its run() returns: guest
 * CPU_OFF, VM shutdown, an exit nobody handled, or (where vCPUs share the
 * pCPU) the end of its time slice. Each round looks at the VMs once and
 * then runs each vCPU of this pCPU's list once, in VM and vCPU order: a
 * switch between two of them walks no other VM's vCPUs (a vCPU that is
 * off, or not in a running VM, gets AXVM_EAGAIN, AXVM_ESHUTDOWN or
 * AXVM_ESTATE from run(), skipped as before). */
static void run_cpu(uint32_t cpu)
{
	struct percpu *c = this_cpu();
	/* Time slices only where vCPUs of any VM share the pCPU (the
	 * config, not power). */
	const uint32_t n = list_sharers(cpu);
	const bool shared = n > 1;

	uint64_t looked = UINT64_MAX; /* bm_changes at the last look; none yet */

	for (;;) {
		uint64_t changes = atomic_load(&bm_changes);
		bool ran = false;

		if (changes != looked) {
			looked = changes;
			if (!look_at_vms(cpu))
				return;
		}

		for (const struct bm_sharer *e = bm_sharers[cpu]; e < bm_sharers[cpu] + n; e++) {
			struct bm_vm *s = e->s;
			struct axvm_exit ex;
			/* No power test of our own: run() returns AXVM_EAGAIN
			 * for a vCPU that is off, before it touches anything. */
			if (shared)
				slice_begin(c, e);
			int rc = axvm_vcpu_run(e->v, &ex);
			if (shared)
				slice_end(c);
			/* Its slice is over: the common case where vCPUs
			 * share the pCPU, tested first. */
			if (rc == AXVM_EINTR) {
				ran = true;
				s->idle[e->i] = c->slice_idle;
				c->slices++;
				continue;
			}
			/* Off, or its VM not running (stopped, or being reset
			 * by pCPU 0): nothing changed here. */
			if (rc == AXVM_EAGAIN || rc == AXVM_ESTATE)
				continue;
			/* Going down (and maybe the one that stopped its VM),
			 * off now, or stopped. */
			if (rc != AXVM_ESHUTDOWN) {
				ran = true;
				s->idle[e->i] = false;
				/* The console line is the VM's, not this vCPU's:
				 * flushing it here would split another vCPU's line. */
				if (rc == 0 && ex.kind == AXVM_EXIT_CPU_DOWN) {
					kprintf("axvm: %s vCPU %u: %s\n", s->name, e->i,
						bm_guest.cpu_off_name);
				} else {
					report_stop(s, e->i, rc, &ex);
					axvm_vm_shutdown(s->vm);
				}
			}
			changed();
		}
		/* Nothing to run here: a power-on or a reboot kicks this
		 * pCPU, so the timeout only bounds how late it sees its VMs
		 * stop. After a wait it looks at them whatever bm_changes
		 * says, as before it had one. */
		if (!ran) {
			bm_hal.wait(bm_hal.ctx, IDLE_WAIT_NS);
			looked = UINT64_MAX;
		}
	}
}

/* " name=count" at p, NUL-terminated, if it fits before end; the new
 * end of the text, or end once one does not fit, so that no later,
 * shorter one follows a gap. The exit counts' line has as many of these
 * as kinds came, which no one format says. */
static char *put_count(char *p, char *end, const char *name, uint64_t c)
{
	char digits[20];
	size_t len = strlen(name), n = 0;

	do
		digits[n++] = (char)('0' + c % 10u);
	while ((c /= 10u));
	if ((size_t)(end - p) <= len + n + 2u)
		return end;
	*p++ = ' ';
	memcpy(p, name, len);
	p += len;
	*p++ = '=';
	while (n)
		*p++ = digits[--n];
	*p = '\0';
	return p;
}

static void report_vm(struct bm_vm *s)
{
	/* The order the suites' checks know (a count followed by a space). */
	static const enum axvm_exit_kind kinds[] = {
		AXVM_EXIT_MMIO_READ, AXVM_EXIT_MMIO_WRITE, AXVM_EXIT_SYSREG_READ,
		AXVM_EXIT_SYSREG_WRITE, AXVM_EXIT_HYPERCALL, AXVM_EXIT_HALT,
		AXVM_EXIT_EXTERNAL_IRQ, AXVM_EXIT_CPU_UP, AXVM_EXIT_CPU_DOWN,
		AXVM_EXIT_SEND_IPI, AXVM_EXIT_SYSTEM_DOWN, AXVM_EXIT_NOTHING,
		AXVM_EXIT_IO_WRITE, AXVM_EXIT_CPU_STATUS,
	};
	uint64_t code;
	char counts[224];

	bm_devs_flush(s->devs);
	bm_devs_report(s->devs);
	if (axvm_vm_exit_code(s->vm, &code) == 0)
		kprintf("axvm: %s: down, guest code %lu (%s)\n", s->name, code,
			code == bm_guest.down_reset ? bm_guest.down_reset_name
						    : bm_guest.down_off_name);
	else
		kprintf("axvm: %s: down (stopped by the host)\n", s->name);
	for (uint32_t i = 0; i < s->nvcpus; i++) {
		char *p = counts;
		counts[0] = '\0';
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			uint64_t c = 0;
			axvm_vcpu_exit_count(s->vcpu[i], kinds[k], &c);
			if (c)
				p = put_count(p, counts + sizeof(counts), axvm_exit_kind_name(kinds[k]), c);
		}
		uint64_t ns = 0;
		axvm_vcpu_run_time_ns(s->vcpu[i], &ns);
		kprintf("axvm: %s vCPU %u exits:%s\n", s->name, i, counts);
		kprintf("axvm: %s vCPU %u held its pCPU %lu ms\n", s->name, i, ns / 1000000u);
	}
}

/* --- boot ------------------------------------------------------------------------------ */

/* How long a CPU the firmware accepted may take to come up. Only a broken
 * bring-up takes this long; under QEMU on a loaded host a vCPU thread can
 * wait seconds for a core while the counter follows host time. */
#define BM_CPU_UP_LIMIT_NS 10000000000ull

/* Sleep, not spin, between looks: under QEMU's -icount one thread runs the
 * CPUs in turn, and one that spins keeps the later ones from running. */
void bm_wait_online(uint32_t id)
{
	uint64_t t0 = time_now_ns();

	while (!atomic_load(&bm_cpus[id].online)) {
		if (time_now_ns() - t0 > BM_CPU_UP_LIMIT_NS)
			panic("CPU %u (hw id %lu) did not come up", id, bm_cpus[id].hwid);
		bm_arch_wait(1000000);
	}
}

void bm_secondary_main(uint64_t id)
{
	bm_arch_cpu_setup(&bm_cpus[id]);
	while (!atomic_load(&vms_ready))
		bm_arch_wait(100000);
	run_cpu((uint32_t)id);
	atomic_fetch_add(&cpus_done, 1);
	for (;;)
		bm_arch_wait(1000000000ull);
}

void bm_main(void)
{
	int rc;

	bm_arch_early_init();
	bm_arch_cpu_setup(&bm_cpus[0]);
	bm_arch_banner();
	bm_arch_start_secondaries();
	kprintf("axvm: %u pCPU(s) online\n", bm_ncpus);

	if ((rc = axvm_init(&bm_hal, bm_arch_ops(), &host)))
		panic("axvm_init: %s", bm_strerror(rc));
	/* A refused config starts nothing: no VM of a config that is
	 * partly wrong runs. */
	unsigned started = 0;
	if (bm_config_load() == 0) {
		for (uint32_t k = 0; k < bm_nvms; k++) {
			struct bm_vm *s = &bm_vms[k];
			if ((rc = create_vm(s))) {
				kprintf("axvm: %s: not started: %s\n", s->name, bm_strerror(rc));
				/* Created but never booted, it would count as alive
				 * and keep every pCPU waiting for it to stop. */
				put_vm(s);
				continue;
			}
			started++;
		}
	}
	if (!started)
		kprintf("axvm: no VM started, powering off (see docs/guest-abi-%s.md)\n",
			bm_arch_ops()->name);
	atomic_store(&vms_ready, true);
	bm_console_input(started != 0);

	run_cpu(0);
	while (atomic_load(&cpus_done) + 1 < bm_ncpus)
		bm_hal.wait(bm_hal.ctx, 1000000);
	bm_console_input(false);

	bm_ivc_report();
	for (uint32_t k = 0; k < bm_nvms; k++) {
		struct bm_vm *s = &bm_vms[k];
		if (!s->vm)
			continue;
		report_vm(s);
		put_vm(s);
	}
	if ((rc = axvm_fini(host)))
		kprintf("axvm: axvm_fini: %s\n", bm_strerror(rc));
	for (uint32_t i = 0; i < bm_ncpus; i++)
		kprintf("axvm: pCPU %u: %lu interrupts (%lu kicks, %lu stray), %lu waits (%lu ended early), %lu slices\n",
			i, bm_cpus[i].irqs, bm_cpus[i].kicks, bm_cpus[i].stray_irqs,
			bm_cpus[i].waits, bm_cpus[i].early_waits, bm_cpus[i].slices);
	size_t used, total;
	bm_pool_stats(&used, &total);
	kprintf("axvm: page pool: %zu of %zu pages in use after teardown\n", used, total);
	kprintf("axvm: all VMs stopped, powering off\n");
	board_power_off();
}
