/* SPDX-License-Identifier: Apache-2.0 */
/* Basic types and error codes shared by every libaxvm header. */
#ifndef AXVM_TYPES_H
#define AXVM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Guest-physical and host-physical addresses. Kept distinct in name so a
 * signature says which side of stage-2 translation a value lives on. */
typedef uint64_t axvm_gpa_t;
typedef uint64_t axvm_hpa_t;

#define AXVM_PAGE_SHIFT 12u
#define AXVM_PAGE_SIZE ((size_t)1 << AXVM_PAGE_SHIFT)

/* Errors: 0 is success, every failure a negative code. Values mirror errno
 * where one fits (like littlefs), so a port can pass them through. */
enum axvm_error {
	AXVM_OK = 0,
	AXVM_EPERM = -1,      /* operation not permitted in this context */
	AXVM_ENOENT = -2,     /* no such VM, vCPU, device or region */
	AXVM_EINTR = -4,      /* run() returned at the host's request */
	AXVM_EIO = -5,        /* backend or device I/O failure */
	AXVM_E2BIG = -7,      /* a count or size over a fixed limit */
	AXVM_EAGAIN = -11,    /* try again (e.g. vCPU not powered on yet) */
	AXVM_ENOMEM = -12,    /* HAL allocation failed */
	AXVM_EFAULT = -14,    /* bad guest address (unmapped, device memory) */
	AXVM_EBUSY = -16,     /* resource in use (running VM, live VMs) */
	AXVM_EEXIST = -17,    /* duplicate id or overlapping range */
	AXVM_ENODEV = -19,    /* access hit no device */
	AXVM_EINVAL = -22,    /* invalid argument or configuration */
	AXVM_ERANGE = -34,    /* value outside the accepted range */
	AXVM_ENOSYS = -38,    /* backend does not implement the operation */
	AXVM_EOVERFLOW = -75, /* arithmetic on a size or address overflows */
	AXVM_ENOTSUP = -95,   /* width, alignment or feature not supported */
	AXVM_ESHUTDOWN = -108,/* VM is shutting down or stopped */
	AXVM_ESTATE = -200,   /* illegal state transition; nothing changed */
	AXVM_EUNHANDLED = -201, /* an exit nobody handled (see the exit) */
	AXVM_EGUEST = -202,   /* the guest faulted (triple fault, entry fail) */
};

/* Human-readable name of an AXVM_E* code (never NULL). */
const char *axvm_strerror(int err);

/* Each code with axvm_strerror()'s text for it, as X(code, text), for a
 * host that keeps the texts out of its image (the bare-metal port's
 * dictionary log); any other code reads AXVM_ERROR_TEXT_UNKNOWN. */
#define AXVM_ERROR_TEXTS(X) \
	X(AXVM_OK, "success") \
	X(AXVM_EPERM, "operation not permitted") \
	X(AXVM_ENOENT, "no such object") \
	X(AXVM_EINTR, "interrupted at the host's request") \
	X(AXVM_EIO, "I/O error") \
	X(AXVM_E2BIG, "over a fixed limit") \
	X(AXVM_EAGAIN, "try again (not ready)") \
	X(AXVM_ENOMEM, "out of memory") \
	X(AXVM_EFAULT, "bad guest address") \
	X(AXVM_EBUSY, "busy") \
	X(AXVM_EEXIST, "already exists or overlaps") \
	X(AXVM_ENODEV, "no device at that address") \
	X(AXVM_EINVAL, "invalid argument") \
	X(AXVM_ERANGE, "out of range") \
	X(AXVM_ENOSYS, "not implemented by the backend") \
	X(AXVM_EOVERFLOW, "size or address overflows") \
	X(AXVM_ENOTSUP, "not supported") \
	X(AXVM_ESHUTDOWN, "VM is shut down") \
	X(AXVM_ESTATE, "illegal state transition") \
	X(AXVM_EUNHANDLED, "unhandled exit") \
	X(AXVM_EGUEST, "guest fault")
#define AXVM_ERROR_TEXT_UNKNOWN "unknown error"

/* Access flags, shared by memory regions, stage-2 mappings and faults. */
enum axvm_access {
	AXVM_ACCESS_READ = 1u << 0,
	AXVM_ACCESS_WRITE = 1u << 1,
	AXVM_ACCESS_EXEC = 1u << 2,
};

#ifdef __cplusplus
}
#endif
#endif /* AXVM_TYPES_H */
