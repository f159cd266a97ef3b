/* SPDX-License-Identifier: Apache-2.0 */
/* VM config builder and the one validation every config source shares. */
#include <string.h>

#include "internal.h"

int axvm_config_init(struct axvm_config *cfg, uint32_t id)
{
	if (!cfg)
		return AXVM_EINVAL;
	memset(cfg, 0, sizeof(*cfg));
	cfg->id = id;
	axvm_strlcpy(cfg->name, "vm", sizeof(cfg->name));
	axvm_strcat_u64(cfg->name, sizeof(cfg->name), id);
	cfg->vcpu_count = 1;
	for (uint32_t i = 0; i < AXVM_MAX_VCPUS; i++)
		cfg->pcpu_affinity[i] = i;
	cfg->unhandled_policy = AXVM_POLICY_IGNORE;
	return 0;
}

int axvm_config_set_name(struct axvm_config *cfg, const char *name)
{
	if (!cfg || !name || !name[0])
		return AXVM_EINVAL;
	if (strlen(name) >= sizeof(cfg->name))
		return AXVM_E2BIG;
	axvm_strlcpy(cfg->name, name, sizeof(cfg->name));
	return 0;
}

int axvm_config_set_vcpus(struct axvm_config *cfg, uint32_t count)
{
	if (!cfg || count == 0)
		return AXVM_EINVAL;
	if (count > AXVM_MAX_VCPUS)
		return AXVM_E2BIG;
	cfg->vcpu_count = count;
	return 0;
}

int axvm_config_add_region(struct axvm_config *cfg,
			   const struct axvm_mem_region *region)
{
	if (!cfg || !region)
		return AXVM_EINVAL;
	if (cfg->region_count >= AXVM_MAX_REGIONS)
		return AXVM_E2BIG;
	cfg->regions[cfg->region_count++] = *region;
	return 0;
}

int axvm_config_add_device(struct axvm_config *cfg,
			   const struct axvm_device_desc *desc)
{
	if (!cfg || !desc)
		return AXVM_EINVAL;
	if (cfg->device_count >= AXVM_MAX_CONFIG_DEVICES)
		return AXVM_E2BIG;
	cfg->devices[cfg->device_count++] = *desc;
	return 0;
}

/* Append s to the NUL-terminated string in buf, bounded by size. */
static void cat(char *buf, size_t size, const char *s)
{
	size_t n = strlen(buf);

	axvm_strlcpy(buf + n, s, size - n);
}

/* Record the first failure: code, field "<what>[i].<prop>" and a message. */
static int fail(struct axvm_config_error *err, int code, const char *what,
		int64_t index, const char *prop, const char *msg)
{
	if (!err)
		return code;
	err->code = code;
	axvm_strlcpy(err->field, what, sizeof(err->field));
	if (index >= 0) {
		cat(err->field, sizeof(err->field), "[");
		axvm_strcat_u64(err->field, sizeof(err->field), (uint64_t)index);
		cat(err->field, sizeof(err->field), "]");
	}
	if (prop) {
		cat(err->field, sizeof(err->field), ".");
		cat(err->field, sizeof(err->field), prop);
	}
	axvm_strlcpy(err->message, err->field, sizeof(err->message));
	cat(err->message, sizeof(err->message), ": ");
	cat(err->message, sizeof(err->message), msg);
	return code;
}

/* The same for field "regions[i].<prop>", "devices[i].<prop>" and a
 * field of the config itself. */
static __attribute__((noinline)) int fail_region(struct axvm_config_error *err, int code, uint32_t i,
		       const char *prop, const char *msg)
{
	return fail(err, code, "regions", i, prop, msg);
}

static __attribute__((noinline)) int fail_device(struct axvm_config_error *err, int code, uint32_t i,
		       const char *prop, const char *msg)
{
	return fail(err, code, "devices", i, prop, msg);
}

static __attribute__((noinline)) int fail_field(struct axvm_config_error *err, int code,
		      const char *field, const char *msg)
{
	return fail(err, code, field, -1, NULL, msg);
}

static bool page_aligned(uint64_t v)
{
	return (v & (AXVM_PAGE_SIZE - 1)) == 0;
}

/* Inclusive ranges [a0,a1] and [b0,b1] intersect. */
static bool ranges_overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 <= b1 && b0 <= a1;
}

static int check_region(const struct axvm_mem_region *r, uint32_t i,
			struct axvm_config_error *err)
{
	if (r->type > AXVM_MAP_DEVICE)
		return fail_region(err, AXVM_EINVAL, i, "type",
			    "unknown map type");
	if (r->flags & ~(uint32_t)AXVM_MEM_FLAGS_ALL)
		return fail_region(err, AXVM_EINVAL, i, "flags",
			    "unknown flag bits");
	if (!(r->flags & AXVM_MEM_RWX))
		return fail_region(err, AXVM_EINVAL, i, "flags",
			    "no access flags (READ, WRITE or EXEC)");
	if (r->size == 0)
		return fail_region(err, AXVM_EINVAL, i, "size", "is zero");
	if (!page_aligned(r->gpa))
		return fail_region(err, AXVM_EINVAL, i, "gpa",
			    "not 4 KiB aligned");
	if (!page_aligned(r->size))
		return fail_region(err, AXVM_EINVAL, i, "size",
			    "not a multiple of 4 KiB");
	if (r->gpa + (r->size - 1) < r->gpa)
		return fail_region(err, AXVM_EOVERFLOW, i, "size",
			    "gpa + size wraps around");
	if (r->type == AXVM_MAP_LINEAR || r->type == AXVM_MAP_DEVICE) {
		if (!page_aligned(r->hpa))
			return fail_region(err, AXVM_EINVAL, i, "hpa",
				    "not 4 KiB aligned");
		if (r->hpa + (r->size - 1) < r->hpa)
			return fail_region(err, AXVM_EOVERFLOW, i, "hpa",
				    "hpa + size wraps around");
	}
	if (r->type == AXVM_MAP_DEVICE && !(r->flags & AXVM_MEM_DEVICE))
		return fail_region(err, AXVM_EINVAL, i, "flags",
			    "device map type needs the DEVICE flag");
	return 0;
}

static bool in_ram(const struct axvm_config *cfg, uint64_t addr)
{
	for (uint32_t i = 0; i < cfg->region_count; i++) {
		const struct axvm_mem_region *r = &cfg->regions[i];
		if (r->type != AXVM_MAP_DEVICE && !(r->flags & AXVM_MEM_DEVICE) &&
		    addr >= r->gpa && addr - r->gpa < r->size)
			return true;
	}
	return false;
}

static int check_device(const struct axvm_config *cfg,
			const struct axvm_device_desc *d, uint32_t i,
			struct axvm_config_error *err)
{
	if ((unsigned)d->bus >= AXVM_BUS_COUNT)
		return fail_device(err, AXVM_EINVAL, i, "bus", "unknown bus");
	if (!d->ops || !d->ops->read || !d->ops->write)
		return fail_device(err, AXVM_EINVAL, i, "ops",
			    "read and write callbacks are required");
	if (d->size == 0)
		return fail_device(err, AXVM_EINVAL, i, "size", "is zero");
	if (d->base + (d->size - 1) < d->base)
		return fail_device(err, AXVM_EOVERFLOW, i, "size",
			    "base + size wraps around");
	if (d->widths & ~(unsigned)AXVM_WIDTH_ANY)
		return fail_device(err, AXVM_EINVAL, i, "widths",
			    "unknown width bits");
	uint64_t last = d->base + (d->size - 1);
	for (uint32_t j = 0; j < i; j++) {
		const struct axvm_device_desc *o = &cfg->devices[j];
		if (o->bus == d->bus &&
		    ranges_overlap(d->base, last, o->base, o->base + (o->size - 1)))
			return fail_device(err, AXVM_EEXIST, i, "base",
				    "overlaps an earlier device");
	}
	if (d->bus == AXVM_BUS_MMIO) {
		for (uint32_t j = 0; j < cfg->region_count; j++) {
			const struct axvm_mem_region *r = &cfg->regions[j];
			if (ranges_overlap(d->base, last, r->gpa,
					   r->gpa + (r->size - 1)))
				return fail_device(err, AXVM_EEXIST, i, "base",
						   "overlaps a memory region");
		}
	}
	return 0;
}

int axvm_config_validate(const struct axvm_config *cfg,
			 struct axvm_config_error *err)
{
	int rc;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!cfg)
		return fail_field(err, AXVM_EINVAL, "config", "is NULL");
	if (memchr(cfg->name, '\0', sizeof(cfg->name)) == NULL || !cfg->name[0])
		return fail_field(err, AXVM_EINVAL, "name",
			    "empty or not NUL-terminated");
	if (cfg->vcpu_count == 0)
		return fail_field(err, AXVM_EINVAL, "vcpu_count", "is zero");
	if (cfg->vcpu_count > AXVM_MAX_VCPUS)
		return fail_field(err, AXVM_E2BIG, "vcpu_count",
			    "more than AXVM_MAX_VCPUS");
	if (cfg->region_count > AXVM_MAX_REGIONS)
		return fail_field(err, AXVM_E2BIG, "region_count",
			    "more than AXVM_MAX_REGIONS");
	if (cfg->device_count > AXVM_MAX_CONFIG_DEVICES)
		return fail_field(err, AXVM_E2BIG, "device_count",
			    "more than AXVM_MAX_CONFIG_DEVICES");
	if (cfg->unhandled_policy != AXVM_POLICY_IGNORE &&
	    cfg->unhandled_policy != AXVM_POLICY_STOP)
		return fail_field(err, AXVM_EINVAL, "unhandled_policy",
			    "unknown policy");
	for (uint32_t i = 0; i < cfg->region_count; i++) {
		const struct axvm_mem_region *r = &cfg->regions[i];
		if ((rc = check_region(r, i, err)))
			return rc;
		for (uint32_t j = 0; j < i; j++) {
			const struct axvm_mem_region *o = &cfg->regions[j];
			if (ranges_overlap(r->gpa, r->gpa + (r->size - 1), o->gpa,
					   o->gpa + (o->size - 1)))
				return fail_region(err, AXVM_EEXIST, i, "gpa",
					    "overlaps an earlier region");
		}
	}
	/* Without memory (host tests on the mock backend) entries are moot. */
	if (cfg->region_count > 0) {
		if (!in_ram(cfg, cfg->bsp_entry))
			return fail_field(err, AXVM_ERANGE, "bsp_entry",
				    "not inside a RAM region");
		if (cfg->vcpu_count > 1 && !in_ram(cfg, cfg->ap_entry))
			return fail_field(err, AXVM_ERANGE, "ap_entry",
				    "not inside a RAM region");
	}
	for (uint32_t i = 0; i < cfg->device_count; i++)
		if ((rc = check_device(cfg, &cfg->devices[i], i, err)))
			return rc;
	return 0;
}
