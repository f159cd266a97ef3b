/* SPDX-License-Identifier: Apache-2.0 */
/* HAL validation: done once, so the hot path never checks for NULL hooks. */
#include "internal.h"

int axvm_hal_validate(const struct axvm_hal *hal)
{
	const char *missing = NULL;

	if (!hal)
		return AXVM_EINVAL;
	if (!hal->alloc_pages)
		missing = "alloc_pages";
	else if (!hal->free_pages)
		missing = "free_pages";
	else if (!hal->phys_to_virt)
		missing = "phys_to_virt";
	else if (!hal->virt_to_phys)
		missing = "virt_to_phys";
	else if (!hal->now_ns)
		missing = "now_ns";
	else if (!hal->current_pcpu)
		missing = "current_pcpu";
	else if (!hal->kick_pcpu)
		missing = "kick_pcpu";
	else if (!hal->alloc != !hal->free)
		missing = hal->alloc ? "free (alloc is set)" : "alloc (free is set)";
	if (missing) {
		axvm_log3(hal, AXVM_LOG_ERROR, "HAL is missing required hook ",
			  missing, NULL);
		return AXVM_EINVAL;
	}
	return 0;
}
