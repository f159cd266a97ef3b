/* SPDX-License-Identifier: Apache-2.0 */
/* Names for error codes and exit kinds. */
#include <string.h>

#include "internal.h"

/* String i of a list of NUL-terminated strings ending in an empty one, or
 * the last string when the list is shorter. */
static const char *nth(const char *list, unsigned i)
{
	const char *s = list;

	for (; i; i--) {
		const char *next = s + strlen(s) + 1;
		if (!*next)
			break;
		s = next;
	}
	return s;
}

const char *axvm_strerror(int err)
{
	/* -err of each code, in the order of the texts below (every code fits a byte). */
	static const unsigned char codes[] = {
		0, -AXVM_EPERM, -AXVM_ENOENT, -AXVM_EINTR, -AXVM_EIO, -AXVM_E2BIG,
		-AXVM_EAGAIN, -AXVM_ENOMEM, -AXVM_EFAULT, -AXVM_EBUSY, -AXVM_EEXIST,
		-AXVM_ENODEV, -AXVM_EINVAL, -AXVM_ERANGE, -AXVM_ENOSYS, -AXVM_EOVERFLOW,
		-AXVM_ENOTSUP, -AXVM_ESHUTDOWN, -AXVM_ESTATE, -AXVM_EUNHANDLED, -AXVM_EGUEST,
	};
	unsigned i = 0;

	while (i < sizeof(codes) && err != -(int)codes[i])
		i++;
	return nth("success\0"
	           "operation not permitted\0"
	           "no such object\0"
	           "interrupted at the host's request\0"
	           "I/O error\0"
	           "over a fixed limit\0"
	           "try again (not ready)\0"
	           "out of memory\0"
	           "bad guest address\0"
	           "busy\0"
	           "already exists or overlaps\0"
	           "no device at that address\0"
	           "invalid argument\0"
	           "out of range\0"
	           "not implemented by the backend\0"
	           "size or address overflows\0"
	           "not supported\0"
	           "VM is shut down\0"
	           "illegal state transition\0"
	           "unhandled exit\0"
	           "guest fault\0"
	           "unknown error\0",
	           i);
}

const char *axvm_exit_kind_name(enum axvm_exit_kind kind)
{
	/* In the order of enum axvm_exit_kind. */
	_Static_assert(AXVM_EXIT_KIND_COUNT == 17, "one name per exit kind");
	return nth("nothing\0"
	           "mmio_read\0"
	           "mmio_write\0"
	           "io_read\0"
	           "io_write\0"
	           "sysreg_read\0"
	           "sysreg_write\0"
	           "hypercall\0"
	           "nested_page_fault\0"
	           "external_irq\0"
	           "halt\0"
	           "cpu_up\0"
	           "cpu_down\0"
	           "system_down\0"
	           "send_ipi\0"
	           "fail_entry\0"
	           "cpu_status\0"
	           "invalid\0",
	           (unsigned)kind < AXVM_EXIT_KIND_COUNT ? (unsigned)kind
	                                                 : AXVM_EXIT_KIND_COUNT);
}
