/* SPDX-License-Identifier: Apache-2.0 */
/* VM configuration: a plain struct with fixed capacity (no allocation), a
 * small builder, and one strict validation shared by every config source. */
#ifndef AXVM_CONFIG_H
#define AXVM_CONFIG_H

#include <axvm/device.h>
#include <axvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AXVM_MAX_VCPUS 64u
#define AXVM_MAX_REGIONS 16u
#define AXVM_MAX_CONFIG_DEVICES 32u
#define AXVM_NAME_MAX 32u /* including the NUL */

/* Region flags (READ/WRITE/EXEC are the enum axvm_access bits). */
#define AXVM_MEM_READ AXVM_ACCESS_READ
#define AXVM_MEM_WRITE AXVM_ACCESS_WRITE
#define AXVM_MEM_EXEC AXVM_ACCESS_EXEC
#define AXVM_MEM_USER (1u << 3)
#define AXVM_MEM_DEVICE (1u << 4)
#define AXVM_MEM_UNCACHED (1u << 5)
#define AXVM_MEM_RWX (AXVM_MEM_READ | AXVM_MEM_WRITE | AXVM_MEM_EXEC)
#define AXVM_MEM_FLAGS_ALL                                                    \
	(AXVM_MEM_RWX | AXVM_MEM_USER | AXVM_MEM_DEVICE | AXVM_MEM_UNCACHED)

enum axvm_map_type {
	AXVM_MAP_LINEAR = 0,    /* gpa -> fixed hpa (identity when equal) */
	AXVM_MAP_ALLOCATED = 1, /* frames allocated when the VM is created */
	AXVM_MAP_LAZY = 2,      /* frames allocated on first guest touch */
	AXVM_MAP_DEVICE = 3,    /* passthrough MMIO at a fixed hpa */
};

struct axvm_mem_region {
	axvm_gpa_t gpa;      /* page aligned */
	uint64_t size;       /* page aligned, > 0 */
	axvm_hpa_t hpa;      /* LINEAR and DEVICE only; page aligned */
	uint32_t flags;      /* AXVM_MEM_* */
	enum axvm_map_type type;
};

struct axvm_config {
	uint32_t id;                 /* unique among live VMs of a host */
	char name[AXVM_NAME_MAX];
	uint32_t vcpu_count;         /* 1 .. AXVM_MAX_VCPUS */
	/* pCPU each vCPU prefers to run on (AxVM phys_cpu_ls). */
	uint32_t pcpu_affinity[AXVM_MAX_VCPUS];
	uint64_t bsp_entry;          /* guest address vCPU 0 starts at */
	uint64_t ap_entry;           /* default entry for secondary vCPUs */
	uint32_t region_count;
	struct axvm_mem_region regions[AXVM_MAX_REGIONS];
	uint32_t device_count;
	struct axvm_device_desc devices[AXVM_MAX_CONFIG_DEVICES];
	enum axvm_unhandled_policy unhandled_policy;
};

/* What validation rejected: the code it returned, the field, and a message
 * a user can act on (e.g. "regions[1]: overlaps regions[0]"). */
struct axvm_config_error {
	int code;
	char field[48];
	char message[160];
};

/* Fill `cfg` with defaults: one vCPU on pCPU 0, no regions or devices,
 * IGNORE policy, name "vm<id>". */
int axvm_config_init(struct axvm_config *cfg, uint32_t id);

/* Set the VM name (truncated names are refused with AXVM_E2BIG). */
int axvm_config_set_name(struct axvm_config *cfg, const char *name);

/* Set the vCPU count; affinities of new vCPUs default to their index. */
int axvm_config_set_vcpus(struct axvm_config *cfg, uint32_t count);

/* Append a memory region (validated later, as a whole, by validate()). */
int axvm_config_add_region(struct axvm_config *cfg,
			   const struct axvm_mem_region *region);

/* Append an emulated device to register at VM creation. */
int axvm_config_add_device(struct axvm_config *cfg,
			   const struct axvm_device_desc *desc);

/* Check every field; 0 or the first error's code (detail in *err if given). */
int axvm_config_validate(const struct axvm_config *cfg,
			 struct axvm_config_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AXVM_CONFIG_H */
