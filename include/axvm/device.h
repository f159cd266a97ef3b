/* SPDX-License-Identifier: Apache-2.0 */
/* Emulated devices on MMIO, port-I/O and system-register buses. */
#ifndef AXVM_DEVICE_H
#define AXVM_DEVICE_H

#include <axvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

enum axvm_bus {
	AXVM_BUS_MMIO = 0,
	AXVM_BUS_PIO = 1,
	AXVM_BUS_SYSREG = 2,
	AXVM_BUS_COUNT
};

/* Width mask bits: a device lists the access widths it accepts. */
#define AXVM_WIDTH_1 (1u << 0)
#define AXVM_WIDTH_2 (1u << 1)
#define AXVM_WIDTH_4 (1u << 2)
#define AXVM_WIDTH_8 (1u << 3)
#define AXVM_WIDTH_ANY (AXVM_WIDTH_1 | AXVM_WIDTH_2 | AXVM_WIDTH_4 | AXVM_WIDTH_8)

/* Device callbacks. `offset` is relative to the range base; `width` is 1,
 * 2, 4 or 8 and already checked against the device's width mask. read and
 * write return 0 or a negative AXVM_E* code, which the VM's unhandled-access
 * policy then applies to. They run on the exit hot path: no blocking. */
struct axvm_device_ops {
	int (*read)(void *ctx, uint64_t offset, unsigned width, uint64_t *value);
	int (*write)(void *ctx, uint64_t offset, unsigned width, uint64_t value);
	void (*reset)(void *ctx);   /* optional: VM reset */
	void (*destroy)(void *ctx); /* optional: VM destroy or device removal */
};

struct axvm_device_desc {
	const char *name;   /* for logs; may be NULL */
	enum axvm_bus bus;
	uint64_t base;      /* first address (gpa, port, or sysreg id) */
	uint64_t size;      /* bytes (or ports, or ids); > 0, no wrap-around */
	uint8_t widths;     /* AXVM_WIDTH_* mask; 0 means AXVM_WIDTH_ANY */
	bool naturally_aligned; /* refuse accesses not aligned to their width */
	/* Opt in to the fast MMIO path (MMIO bus only): a backend may then
	 * call read and write from inside its world switch, with host
	 * interrupts masked and guest state still live (on AArch64 at EL2
	 * with the guest's vectors installed and its FP registers loaded),
	 * and enter the guest again without returning to the core. Only for
	 * ops that touch nothing but the device's own memory: no blocking, no
	 * locks another vCPU could hold across an exit, no HAL calls, no
	 * interrupt injection or kicks (an injection would wait for the next
	 * full exit), no faults. Exit counts and unhandled-access counts are
	 * kept as on the full path. A device over one of the VM's memory
	 * regions is never fast (the config refuses such a device, and
	 * axvm_vm_add_device drops the flag), so a backend may leave its RAM
	 * test until the core has declined an access. */
	bool fast;
	const struct axvm_device_ops *ops;
	void *ctx;
};

/* What happens to an access that hits no device or that a device refuses. */
enum axvm_unhandled_policy {
	AXVM_POLICY_IGNORE = 0, /* read as zero, write ignored, counted */
	AXVM_POLICY_STOP = 1,   /* stop the vCPU's run with AXVM_ENODEV */
};

struct axvm_vm;

/* Register a device on a VM that is not running. Overlapping ranges return
 * AXVM_EEXIST; a running VM AXVM_EBUSY; bad fields AXVM_EINVAL. */
int axvm_vm_add_device(struct axvm_vm *vm, const struct axvm_device_desc *desc);

/* Remove the device whose range starts at `base` (VM not running); calls
 * its destroy hook. AXVM_ENOENT if there is none. */
int axvm_vm_remove_device(struct axvm_vm *vm, enum axvm_bus bus, uint64_t base);

/* Count of accesses the IGNORE policy absorbed, per bus. */
int axvm_vm_unhandled_accesses(const struct axvm_vm *vm, enum axvm_bus bus,
			       uint64_t *count);

#ifdef __cplusplus
}
#endif
#endif /* AXVM_DEVICE_H */
