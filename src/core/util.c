/* SPDX-License-Identifier: Apache-2.0 */
/* Spinlock, HAL-backed allocation, bounded strings and logging. */
#include <string.h>

#include "internal.h"

void axvm_spin_lock(axvm_spinlock_t *l)
{
	/* acquire pairs with the release in unlock: the critical section's
	 * accesses cannot move above the lock. */
	while (atomic_flag_test_and_set_explicit(&l->flag, memory_order_acquire))
		;
}

void axvm_spin_unlock(axvm_spinlock_t *l)
{
	atomic_flag_clear_explicit(&l->flag, memory_order_release);
}

static size_t pages_for(size_t size)
{
	return (size + AXVM_PAGE_SIZE - 1) / AXVM_PAGE_SIZE;
}

void *axvm_zalloc(const struct axvm_hal *h, size_t size)
{
	const struct axvm_hal *hal = HAL(h);
	void *p;

	if (size == 0 || size > SIZE_MAX - AXVM_PAGE_SIZE)
		return NULL;
	if (hal->alloc) {
		p = hal->alloc(hal->ctx, size);
	} else {
		axvm_hpa_t pa;
		if (hal->alloc_pages(hal->ctx, pages_for(size), AXVM_PAGE_SIZE, &pa))
			return NULL;
		p = hal->phys_to_virt(hal->ctx, pa);
	}
	if (p)
		memset(p, 0, size);
	return p;
}

void axvm_zfree(const struct axvm_hal *h, void *ptr, size_t size)
{
	const struct axvm_hal *hal = HAL(h);

	if (!ptr)
		return;
	if (hal->free)
		hal->free(hal->ctx, ptr, size);
	else
		hal->free_pages(hal->ctx, hal->virt_to_phys(hal->ctx, ptr),
				pages_for(size));
}

size_t axvm_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

void axvm_strcat_u64(char *buf, size_t size, uint64_t v)
{
	char tmp[21];
	size_t i = sizeof(tmp) - 1, len = strlen(buf);

	tmp[i] = '\0';
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (len < size)
		axvm_strlcpy(buf + len, tmp + i, size - len);
}

void axvm_log3(const struct axvm_hal *h, enum axvm_log_level level,
	       const char *a, const char *b, const char *c)
{
	const struct axvm_hal *hal = h ? HAL(h) : NULL;
	char line[192];
	size_t n;

	if (!hal || !hal->log)
		return;
	n = axvm_strlcpy(line, "axvm: ", sizeof(line));
	const char *parts[3] = { a, b, c };
	for (int i = 0; i < 3; i++) {
		if (parts[i] && n < sizeof(line))
			n += axvm_strlcpy(line + n, parts[i], sizeof(line) - n);
	}
	hal->log(hal->ctx, level, line);
}
