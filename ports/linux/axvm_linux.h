/* SPDX-License-Identifier: Apache-2.0 */
/* The Linux host port: struct axvm_hal on mmap, clock_gettime and pthreads.
 * "Physical" addresses are host virtual addresses (identity), which is what
 * a userspace hypervisor (KVM) needs. */
#ifndef AXVM_LINUX_H
#define AXVM_LINUX_H

#include <axvm/hal.h>
#include <pthread.h>
#include <stdatomic.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Port state; the HAL's ctx points here. Fields are the port's own. */
struct axvm_linux_hal {
	atomic_long live_pages;   /* frames handed out and not yet freed */
	atomic_long live_objects; /* small objects handed out */
	size_t max_pages;         /* 0 = no limit; else ENOMEM past it */
	enum axvm_log_level log_level;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned long generation; /* bumped by every kick */
};

/* Initialise `port` and fill `hal` with its hooks (ctx = port). */
int axvm_linux_hal_init(struct axvm_linux_hal *port, struct axvm_hal *hal);

/* Release the port's locks; AXVM_EBUSY if frames or objects are still live. */
int axvm_linux_hal_fini(struct axvm_linux_hal *port);

#ifdef __cplusplus
}
#endif
#endif /* AXVM_LINUX_H */
