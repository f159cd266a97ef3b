/* SPDX-License-Identifier: Apache-2.0 */
/* Core-private structures and helpers. Nothing here is part of the ABI. */
#ifndef AXVM_CORE_INTERNAL_H
#define AXVM_CORE_INTERNAL_H

#include <axvm/axvm.h>
#include <stdatomic.h>

/* A test-and-set spinlock for control-plane paths (registry, VM control).
 * Never taken on the exit hot path. */
typedef struct {
	atomic_flag flag;
} axvm_spinlock_t;
#define AXVM_SPINLOCK_INIT { ATOMIC_FLAG_INIT }
void axvm_spin_lock(axvm_spinlock_t *l);
void axvm_spin_unlock(axvm_spinlock_t *l);

/* One registered device range; [base, last] inclusive so a range may end at
 * UINT64_MAX without overflow. */
struct axvm_bus_entry {
	uint64_t base;
	uint64_t last;
	const struct axvm_device_ops *ops;
	void *ctx;
	const char *name;
	uint16_t width_ok;  /* bit w set: an access of w bytes is accepted */
	uint8_t align_mask; /* 7 if accesses must be naturally aligned, else 0 */
	bool fast;          /* desc.fast: callable from a backend's world switch */
};

#if defined(__GNUC__) || defined(__clang__)
#define AXVM_FALLTHROUGH __attribute__((fallthrough))
#else
#define AXVM_FALLTHROUGH ((void)0)
#endif

/* Devices one bus can hold: the lookup's unrolled search covers 16 levels. */
#define AXVM_BUS_MAX_DEVICES 65536u

/* Sorted by base, non-overlapping. `bases` mirrors entries[i].base in a
 * dense array (same allocation) so the exit-path binary search touches
 * 8 bytes per step instead of a whole entry. */
struct axvm_bus_table {
	struct axvm_bus_entry *entries;
	uint64_t *bases;
	uint32_t count;
	uint32_t cap;
	uint32_t step; /* largest power of two <= count (0 when empty) */
};

/* The backend's table as the core calls it. A library built for one
 * bare-metal backend calls that backend's own table, a constant: gcc then
 * calls its functions directly (LTO inlines them into the run loop) and
 * drops the tests of hooks it does not have. axvm_init() refuses, in such
 * a build, a table whose functions are not the backend's. The table's
 * ctx is always the caller's (vm->arch->ctx). The backend's stage-2
 * format is named here as well, for the walker (pt.c): its fields are
 * constants there even without LTO. */
#if defined(AXVM_ARCH_aarch64)
#define AXVM_ONE_BACKEND (&axvm_arch_aarch64)
#define AXVM_ONE_PT_FORMAT (&axvm_pt_arm_s2_4k_ipa40)
#elif defined(AXVM_ARCH_riscv64)
#define AXVM_ONE_BACKEND (&axvm_arch_riscv64)
#define AXVM_ONE_PT_FORMAT (&axvm_pt_riscv_sv39x4)
#elif defined(AXVM_ARCH_x86_64)
#define AXVM_ONE_BACKEND (&axvm_arch_x86_64)
#define AXVM_ONE_PT_FORMAT (&axvm_pt_amd_npt4)
#endif
#ifdef AXVM_ONE_BACKEND
#define ARCH(vm) ((void)(vm), AXVM_ONE_BACKEND)
#else
#define ARCH(vm) ((vm)->arch)
#endif

/* Whether this build's backend can return exits of `kind`: a constant,
 * so the run loop keeps no bus path a fixed backend never takes (no port
 * I/O on AArch64; on RISC-V only the SBI console's byte writes, and no
 * system registers). An exit of a kind left out is refused as a backend
 * bug, as an unknown kind is. Every kind where the backend is chosen at
 * run time. */
#define AXVM_EXIT_BIT(kind) (1u << (kind))
#if defined(AXVM_ARCH_aarch64)
#define AXVM_NO_EXITS (AXVM_EXIT_BIT(AXVM_EXIT_IO_READ) | AXVM_EXIT_BIT(AXVM_EXIT_IO_WRITE))
#elif defined(AXVM_ARCH_riscv64)
#define AXVM_NO_EXITS                                                     \
	(AXVM_EXIT_BIT(AXVM_EXIT_IO_READ) | AXVM_EXIT_BIT(AXVM_EXIT_SYSREG_READ) | \
	 AXVM_EXIT_BIT(AXVM_EXIT_SYSREG_WRITE))
#else
#define AXVM_NO_EXITS 0u
#endif
#define BACKEND_EXITS(kind) (!(AXVM_NO_EXITS & AXVM_EXIT_BIT(kind)))

/* The HAL as the core calls it. A port may build libaxvm with
 * AXVM_ONE_HAL=<its const struct axvm_hal> (ports/baremetal does): the
 * core then calls that table's hooks as constants, directly (LTO inlines
 * the small ones, such as an identity phys_to_virt) and without the tests
 * of hooks the port does not have. axvm_init() refuses, in such a build,
 * any other HAL. */
#ifdef AXVM_ONE_HAL
extern const struct axvm_hal AXVM_ONE_HAL;
#define HAL(h) ((void)(h), &AXVM_ONE_HAL)
#else
#define HAL(h) (h)
#endif

struct axvm_host {
	struct axvm_hal hal; /* copied: the caller's struct may be a local */
	const struct axvm_arch_ops *arch;
	axvm_spinlock_t lock; /* guards `vms` */
	struct axvm_vm *vms;
	atomic_uint live_vms;
};

/* OFF -> STARTING (entry being written) -> ON; run() needs ON. The middle
 * state keeps two racing power-ons from both writing the entry. A guest's
 * CPU_DOWN makes it STOPPING, and its run() makes it OFF only once the
 * backend has unbound it: a sibling that sees OFF and powers it on again
 * must not write the entry into a context the other pCPU still saves. A
 * power-on during STOPPING leaves its entry in the vCPU (RESTARTING), and
 * that run() writes it after the unbind and makes the vCPU ON: the
 * guest's CPU-up succeeds however long the host takes to unbind. */
/* The CPU_DOWN states come last: run() tests `>= STOPPING` after unbind. */
enum { AXVM_POWER_OFF = 0, AXVM_POWER_STARTING = 1, AXVM_POWER_ON = 2,
       AXVM_POWER_STOPPING = 3, AXVM_POWER_RESTARTING = 4 };

struct axvm_vcpu {
	struct axvm_vm *vm;
	void *arch_vcpu;
	uint32_t index;
	_Atomic int state;     /* enum axvm_vcpu_state */
	atomic_uint refs;      /* 1 = the VM's own; users add to it */
	_Atomic int power;     /* AXVM_POWER_* */
	/* A power-on's entry for RESTARTING: written under restart_lock
	 * while STOPPING, published by the CAS to RESTARTING, read by the
	 * run() of the CPU_DOWN. */
	axvm_spinlock_t restart_lock;
	uint64_t restart_entry, restart_arg;
	/* Words used as flags (0/1), not atomic_bool: RV64A has no byte AMO,
	 * so a bool exchange is a libgcc CAS loop (~40 instructions) on every
	 * halt check and every kicked entry. */
	atomic_uint wake;      /* an inject or kick since the last halt check */
	atomic_uint interrupt; /* axvm_vcpu_interrupt(): return from run() */
	_Atomic uint32_t bound_pcpu;
	/* Single writer (the thread in run()), any reader: relaxed atomics
	 * compile to plain moves and keep TSan quiet. */
	_Atomic uint64_t exit_counts[AXVM_EXIT_KIND_COUNT];
	_Atomic uint64_t run_ns;
	/* The device each bus found last, for one axvm_vcpu_run() call (set
	 * to NULL at its start): a guest that keeps to one device skips the
	 * search. Here, not on run()'s stack, because the backend's fast MMIO
	 * path (axvm_vcpu_fast_mmio) uses it too. Only the vCPU's own thread
	 * inside run() touches it. */
	const struct axvm_bus_entry *bus_last[AXVM_BUS_COUNT];
};

struct axvm_vm {
	struct axvm_host *host;
	const struct axvm_hal *hal;
	const struct axvm_arch_ops *arch;
	struct axvm_vm *next; /* host registry link, under host->lock */
	atomic_uint refs;
	/* enum axvm_vm_state in the high 32 bits, the number of vCPUs inside
	 * axvm_vcpu_run() in the low 32: one word, so "the last vCPU out of a
	 * shutting-down VM stops it" is a single CAS that cannot act on a
	 * later shutdown of the same VM (no ABA after a reset and reboot). */
	_Atomic uint64_t run_state;
	axvm_spinlock_t ctl;      /* serialises control-plane calls */
	uint32_t id;
	uint32_t vcpu_count;
	enum axvm_unhandled_policy policy;
	void *arch_vm;
	struct axvm_addrspace *as;
	struct axvm_vcpu *vcpus; /* vcpu_count entries */
	struct axvm_bus_table buses[AXVM_BUS_COUNT];
	_Atomic uint64_t unhandled[AXVM_BUS_COUNT];
	struct axvm_vm_callbacks cb;
	atomic_bool exit_code_set;
	_Atomic uint64_t exit_code;
	struct axvm_config cfg;
};

/* Result of dispatching one exit inside the run loop. */
#define AXVM_DISPATCH_CONTINUE 1

/* HAL-backed memory for core bookkeeping (zeroed): axvm_zalloc(),
 * axvm_zfree(). */
#include "hal_alloc.h"

/* Diagnostics through hal->log, without printf: up to three pieces joined. */
void axvm_log3(const struct axvm_hal *hal, enum axvm_log_level level,
	       const char *a, const char *b, const char *c);

/* Tiny string helpers (the core avoids depending on a full libc). */
size_t axvm_strlcpy(char *dst, const char *src, size_t size);
/* Append the decimal form of v to buf (NUL-terminated, bounded). */
void axvm_strcat_u64(char *buf, size_t size, uint64_t v);

/* Buses. */
int axvm_bus_add(const struct axvm_hal *hal, struct axvm_bus_table *t,
		 const struct axvm_device_desc *d);
int axvm_bus_remove(struct axvm_bus_table *t, uint64_t base);
void axvm_bus_destroy(const struct axvm_hal *hal, struct axvm_bus_table *t);
void axvm_bus_reset(struct axvm_bus_table *t);
/* Find the device covering [addr, addr+width-1], or NULL. Inline: it runs
 * on every device exit. */
static inline const struct axvm_bus_entry *axvm_bus_find(const struct axvm_bus_table *t,
					   uint64_t addr, unsigned width)
{
	const struct axvm_bus_entry *e;
	const uint64_t *p = t->bases;
	uint32_t n = t->count, step = t->step;

	if (n == 0)
		return NULL;
	/* Power-of-two search for the last base <= addr (Shar's method): the
	 * first probe leaves a window of exactly `step` entries, then each
	 * halving is a compare and a conditional move. The halvings are
	 * unrolled and entered at the table's step (a fallthrough switch),
	 * so a level costs about three instructions and no data-dependent
	 * branch on guest input. */
	if (p[n - step] <= addr)
		p += n - step;
#define AXVM_BUS_LEVEL(s)                                                      \
	case 2u * (s):                                                         \
		p = p[s] <= addr ? p + (s) : p;                                \
		AXVM_FALLTHROUGH;
	switch (step) {
		AXVM_BUS_LEVEL(1u << 15) AXVM_BUS_LEVEL(1u << 14)
		AXVM_BUS_LEVEL(1u << 13) AXVM_BUS_LEVEL(1u << 12)
		AXVM_BUS_LEVEL(1u << 11) AXVM_BUS_LEVEL(1u << 10)
		AXVM_BUS_LEVEL(1u << 9) AXVM_BUS_LEVEL(1u << 8)
		AXVM_BUS_LEVEL(1u << 7) AXVM_BUS_LEVEL(1u << 6)
		AXVM_BUS_LEVEL(1u << 5) AXVM_BUS_LEVEL(1u << 4)
		AXVM_BUS_LEVEL(1u << 3) AXVM_BUS_LEVEL(1u << 2)
		AXVM_BUS_LEVEL(1u << 1) AXVM_BUS_LEVEL(1u << 0)
	default:
		break;
	}
#undef AXVM_BUS_LEVEL
	if (*p > addr)
		return NULL;
	e = &t->entries[p - t->bases];
	/* The whole access must fall inside the range: width - 1 cannot
	 * overflow past `last` because addr <= last is checked first. */
	if (addr > e->last || e->last - addr < (uint64_t)width - 1)
		return NULL;
	return e;
}

/* One checked vCPU state transition: succeeds only from `from`, else
 * nothing changes. */
static inline bool axvm_vcpu_transition(struct axvm_vcpu *v, int from, int to)
{
	return atomic_compare_exchange_strong(&v->state, &from, to);
}

/* Kick a vCPU that may be in the guest (backend hook or HAL IPI). */
void axvm_vcpu_kick_internal(struct axvm_vcpu *vcpu);

/* The VM's run_state word. */
static inline uint64_t axvm_run_state(int state, uint32_t active)
{
	return (uint64_t)(uint32_t)state << 32 | active;
}
static inline int axvm_run_state_vm(uint64_t rs)
{
	return (int)(rs >> 32);
}
static inline uint32_t axvm_run_state_active(uint64_t rs)
{
	return (uint32_t)rs;
}
/* The VM's lifecycle state (enum axvm_vm_state). Always inline: three
 * instructions, which the MinSizeRel kernel otherwise called out of line
 * from the run loop's every iteration and from axvm_vm_state(). */
static inline __attribute__((always_inline)) int axvm_vm_state_now(const struct axvm_vm *vm)
{
	return axvm_run_state_vm(atomic_load(&vm->run_state));
}

/* Device tables and callbacks change only while no vCPU can be in the run
 * loop: the VM is CREATED or STOPPED. */
static inline bool axvm_vm_quiescent(const struct axvm_vm *vm)
{
	int st = axvm_vm_state_now(vm);
	return st == AXVM_VM_CREATED || st == AXVM_VM_STOPPED;
}

/* Entry point of vCPU `i` at power-on: the BSP's or the APs'. */
static inline uint64_t axvm_vm_vcpu_entry(const struct axvm_vm *vm, uint32_t i)
{
	return i == 0 ? vm->cfg.bsp_entry : vm->cfg.ap_entry;
}

/* Add to a statistics counter with relaxed load + store: no locked
 * read-modify-write on the exit path. Exact for a single writer; where
 * several vCPUs race (unhandled accesses) the count is approximate. */
static inline __attribute__((always_inline)) void axvm_stat_add(_Atomic uint64_t *counter, uint64_t n)
{
	uint64_t c = atomic_load_explicit(counter, memory_order_relaxed);
	atomic_store_explicit(counter, c + n, memory_order_relaxed);
}

/* Enter the run loop's VM accounting: 0 if the VM is RUNNING (counted in),
 * else AXVM_ESHUTDOWN or AXVM_ESTATE and nothing changes. */
int axvm_vm_enter_run(struct axvm_vm *vm);

/* Host registry (host.c). */
int axvm_host_register(struct axvm_host *host, struct axvm_vm *vm);
void axvm_host_unregister(struct axvm_host *host, struct axvm_vm *vm);

/* Leave the run loop's VM accounting: the last vCPU out of a VM that is
 * shutting down marks it STOPPED. */
void axvm_vm_leave_run(struct axvm_vm *vm);

/* Reset a vCPU to its power-on state (VM reset); counters cleared. */
int axvm_vcpu_reset_internal(struct axvm_vcpu *vcpu, uint64_t entry);

#endif /* AXVM_CORE_INTERNAL_H */
