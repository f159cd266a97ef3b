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

#define ERROR_CODE(code, text) -(code),
#define ERROR_TEXT(code, text) text "\0"

const char *axvm_strerror(int err)
{
	/* -err of each code, in the order of its text (every code fits a byte). */
	static const unsigned char codes[] = { AXVM_ERROR_TEXTS(ERROR_CODE) };
	unsigned i = 0;

	while (i < sizeof(codes) && err != -(int)codes[i])
		i++;
	return nth(AXVM_ERROR_TEXTS(ERROR_TEXT) AXVM_ERROR_TEXT_UNKNOWN "\0", i);
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
