/* SPDX-License-Identifier: Apache-2.0 */
/* Names for error codes and exit kinds. */
#include "internal.h"

const char *axvm_strerror(int err)
{
	switch (err) {
	case AXVM_OK: return "success";
	case AXVM_EPERM: return "operation not permitted";
	case AXVM_ENOENT: return "no such object";
	case AXVM_EINTR: return "interrupted at the host's request";
	case AXVM_EIO: return "I/O error";
	case AXVM_E2BIG: return "over a fixed limit";
	case AXVM_EAGAIN: return "try again (not ready)";
	case AXVM_ENOMEM: return "out of memory";
	case AXVM_EFAULT: return "bad guest address";
	case AXVM_EBUSY: return "busy";
	case AXVM_EEXIST: return "already exists or overlaps";
	case AXVM_ENODEV: return "no device at that address";
	case AXVM_EINVAL: return "invalid argument";
	case AXVM_ERANGE: return "out of range";
	case AXVM_ENOSYS: return "not implemented by the backend";
	case AXVM_EOVERFLOW: return "size or address overflows";
	case AXVM_ENOTSUP: return "not supported";
	case AXVM_ESHUTDOWN: return "VM is shut down";
	case AXVM_ESTATE: return "illegal state transition";
	case AXVM_EUNHANDLED: return "unhandled exit";
	case AXVM_EGUEST: return "guest fault";
	default: return "unknown error";
	}
}

const char *axvm_exit_kind_name(enum axvm_exit_kind kind)
{
	static const char *const names[AXVM_EXIT_KIND_COUNT] = {
		[AXVM_EXIT_NOTHING] = "nothing",
		[AXVM_EXIT_MMIO_READ] = "mmio_read",
		[AXVM_EXIT_MMIO_WRITE] = "mmio_write",
		[AXVM_EXIT_IO_READ] = "io_read",
		[AXVM_EXIT_IO_WRITE] = "io_write",
		[AXVM_EXIT_SYSREG_READ] = "sysreg_read",
		[AXVM_EXIT_SYSREG_WRITE] = "sysreg_write",
		[AXVM_EXIT_HYPERCALL] = "hypercall",
		[AXVM_EXIT_NESTED_PAGE_FAULT] = "nested_page_fault",
		[AXVM_EXIT_EXTERNAL_IRQ] = "external_irq",
		[AXVM_EXIT_HALT] = "halt",
		[AXVM_EXIT_CPU_UP] = "cpu_up",
		[AXVM_EXIT_CPU_DOWN] = "cpu_down",
		[AXVM_EXIT_SYSTEM_DOWN] = "system_down",
		[AXVM_EXIT_SEND_IPI] = "send_ipi",
		[AXVM_EXIT_FAIL_ENTRY] = "fail_entry",
		[AXVM_EXIT_CPU_STATUS] = "cpu_status",
	};
	if ((unsigned)kind >= AXVM_EXIT_KIND_COUNT)
		return "invalid";
	return names[kind];
}
