/* SPDX-License-Identifier: Apache-2.0 */
/* VM exits: one tagged union, filled by a backend's run() (AxVCpuExitReason). */
#ifndef AXVM_EXIT_H
#define AXVM_EXIT_H

#include <axvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

enum axvm_exit_kind {
	AXVM_EXIT_NOTHING = 0,   /* nothing to do (e.g. kicked); run again */
	AXVM_EXIT_MMIO_READ,
	AXVM_EXIT_MMIO_WRITE,
	AXVM_EXIT_IO_READ,
	AXVM_EXIT_IO_WRITE,
	AXVM_EXIT_SYSREG_READ,
	AXVM_EXIT_SYSREG_WRITE,
	AXVM_EXIT_HYPERCALL,
	AXVM_EXIT_NESTED_PAGE_FAULT,
	AXVM_EXIT_EXTERNAL_IRQ,
	AXVM_EXIT_HALT,
	AXVM_EXIT_CPU_UP,
	AXVM_EXIT_CPU_DOWN,
	AXVM_EXIT_SYSTEM_DOWN,
	AXVM_EXIT_SEND_IPI,
	AXVM_EXIT_FAIL_ENTRY,
	AXVM_EXIT_CPU_STATUS,    /* guest asks whether a vCPU is powered */
	AXVM_EXIT_KIND_COUNT
};

/* What a CPU_STATUS exit writes back. The values are PSCI AFFINITY_INFO's
 * and SBI HSM hart_get_status's, so most backends pass them on as they are;
 * an unknown vCPU index gets AXVM_EINVAL instead. OFF_PENDING is SBI's
 * STOP_PENDING, which PSCI lacks: only an exit that asks gets it. */
enum axvm_cpu_status {
	AXVM_CPU_STATUS_ON = 0,
	AXVM_CPU_STATUS_OFF = 1,
	AXVM_CPU_STATUS_ON_PENDING = 2,
	AXVM_CPU_STATUS_OFF_PENDING = 3,
};

/* A register index meaning "no register": the backend wants no value back. */
#define AXVM_REG_NONE UINT32_MAX

/* A read's result goes to `reg`, a backend-defined register index (a GPR
 * number, or a backend's pseudo-register such as KVM's I/O data buffer). */
struct axvm_exit_read {
	uint64_t addr;     /* guest-physical address, port, or sysreg id */
	uint8_t width;     /* access width in bytes: 1, 2, 4 or 8 */
	uint8_t reg_width; /* destination register width in bytes */
	bool sign_extend;  /* sign-extend from width to reg_width */
	uint32_t reg;
};

struct axvm_exit_write {
	uint64_t addr;
	uint8_t width;
	uint64_t data; /* already truncated to width by the backend */
};

struct axvm_exit {
	enum axvm_exit_kind kind;
	union {
		/* MMIO_READ, IO_READ, SYSREG_READ */
		struct axvm_exit_read read;
		/* MMIO_WRITE, IO_WRITE, SYSREG_WRITE */
		struct axvm_exit_write write;
		struct {
			uint64_t nr;
			uint64_t args[6];
			uint32_t ret_reg; /* where the handler's result goes */
		} hypercall;
		struct {
			axvm_gpa_t addr;
			uint32_t access; /* enum axvm_access bits */
		} page_fault;
		struct {
			uint64_t vector;
		} external_irq;
		struct {
			uint64_t target; /* vCPU index (backends map MPIDR/hartid) */
			uint64_t entry;
			uint64_t arg;
			uint32_t ret_reg; /* gets 0 or a negative AXVM_E* code */
		} cpu_up;
		struct {
			uint64_t state;
		} cpu_down;
		/* Answered by the core, which owns power state: a backend's
		 * own flag can say OFF before the core lets CPU_UP succeed. */
		struct {
			uint64_t target;  /* vCPU index (guest input) */
			uint32_t ret_reg; /* gets an enum axvm_cpu_status or AXVM_EINVAL */
			/* The guest's interface has OFF_PENDING (SBI HSM); else
			 * a vCPU still stopping reads ON, as PSCI has it. */
			bool has_off_pending;
		} cpu_status;
		struct {
			uint64_t code; /* guest-supplied status (e.g. exit port) */
		} system_down;
		struct {
			uint64_t target;
			uint64_t target_aux;
			bool to_all; /* all vCPUs but the sender */
			bool to_self;
			uint64_t vector;
		} ipi;
		struct {
			uint64_t reason; /* hardware entry-failure reason */
		} fail_entry;
	} u;
};

/* Short name of an exit kind, for logs and statistics (never NULL). */
const char *axvm_exit_kind_name(enum axvm_exit_kind kind);

#ifdef __cplusplus
}
#endif
#endif /* AXVM_EXIT_H */
