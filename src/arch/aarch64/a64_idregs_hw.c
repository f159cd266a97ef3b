/* SPDX-License-Identifier: Apache-2.0 */
/* Reads the host's ID group 3 registers for a64_id_sanitize()
 * (a64_idregs.h). At every trap: an OS reads them at boot, and there is
 * nothing to keep per VM. */
#include <stdint.h>

#include "a64_idregs.h"

/* a64_entry.S: one mrs stub per register, in the vector table's slots;
 * crm 1-7, op2 0-7 only. */
uint64_t axvm_a64_id_read(uint32_t crm, uint32_t op2);

uint64_t a64_guest_id_reg(uint32_t crm, uint32_t op2)
{
	if (crm < 1 || crm > 7 || op2 > 7)
		return 0;
	return a64_id_sanitize(crm, op2, axvm_a64_id_read(crm, op2));
}
