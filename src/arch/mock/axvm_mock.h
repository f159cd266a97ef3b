/* SPDX-License-Identifier: Apache-2.0 */
/* The scripted mock backend: replays a list of exits per vCPU and records
 * everything the core writes back. The basis of the host tests. */
#ifndef AXVM_MOCK_H
#define AXVM_MOCK_H

#include <axvm/axvm.h>
#include <stdatomic.h>

#define AXVM_MOCK_GPRS 32u
#define AXVM_MOCK_LOG 64u

/* What one vCPU replays. When the script is used up: stop with a
 * SYSTEM_DOWN exit (code end_code), unless `repeat` asks for more rounds. */
struct axvm_mock_script {
	const struct axvm_exit *exits;
	size_t count;
	uint64_t repeat;     /* extra rounds after the first (bench, stress) */
	uint64_t end_code;
	bool block_until_kick; /* run() waits for a kick, returns NOTHING */
	int fail_at;         /* 1-based run() call that returns AXVM_EIO; 0 = never */
};

/* Per-vCPU record. Written by the thread running the vCPU, except the
 * atomics, which other threads (inject, kick) touch. */
struct axvm_mock_vcpu {
	uint32_t index;
	struct axvm_mock_script script;
	size_t pos;
	uint64_t round;
	uint64_t gpr[AXVM_MOCK_GPRS];
	uint64_t entry, arg, s2_root;
	unsigned setups, set_entries, binds, unbinds, runs;
	unsigned nwrites;
	struct {
		uint32_t reg;
		uint64_t value;
	} writes[AXVM_MOCK_LOG]; /* set_gpr calls, in order (first 64) */
	atomic_uint kicks;
	atomic_uint irqs;
	atomic_uint last_irq;
	atomic_bool kicked;
};

struct axvm_mock_vm;

/* One mock backend instance; `ops` is what to pass to axvm_init(). */
struct axvm_mock {
	struct axvm_arch_ops ops;
	struct axvm_mock_script scripts[AXVM_MAX_VCPUS]; /* by vCPU index */
	atomic_flag lock;
	struct axvm_mock_vm *vms;
	int fail_vm_init; /* vm_init returns this when non-zero */
};

/* Initialise a mock backend instance (all scripts empty). */
void axvm_mock_init(struct axvm_mock *m);

/* The record of vCPU `index` of VM `vm_id`, or NULL. */
struct axvm_mock_vcpu *axvm_mock_vcpu(struct axvm_mock *m, uint32_t vm_id,
				      uint32_t index);

/* Register index the mock treats as invalid (set_gpr returns AXVM_EINVAL). */
#define AXVM_MOCK_BAD_REG 31u

#endif /* AXVM_MOCK_H */
