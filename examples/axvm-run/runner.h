/* SPDX-License-Identifier: Apache-2.0 */
/* Run one x86_64 guest on a libaxvm host: build the VM (RAM at 0, the
 * ABI's devices), load the image, one host thread per vCPU, wait for the
 * end, report. Used by axvm-run and by tests that run several VMs in one
 * process. */
#ifndef AXVM_RUN_RUNNER_H
#define AXVM_RUN_RUNNER_H

#include <axvm/axvm.h>
#include <stdbool.h>
#include <stdio.h>

/* Status when the VM stops for any reason but the exit port. */
#define RUNNER_STATUS_GUEST_FAILED 124
/* Status for host-side errors (bad arguments, image, KVM). */
#define RUNNER_STATUS_HOST_ERROR 125

struct runner_opts {
	const char *kernel;   /* guest image path */
	const uint8_t *image; /* or the image bytes (kernel then names it) */
	size_t image_len;
	bool has_entry;
	uint64_t entry;
	uint64_t mem; /* RAM bytes at gpa 0 */
	uint32_t vcpus;
	uint32_t vm_id;
	bool strict;         /* STOP policy: accesses with no device stop */
	bool testdev;        /* the mmio guest's test device */
	const char *disk;    /* NULL, or a virtio-blk disk's backing file */
	bool stats;          /* per-vCPU statistics on `err` at the end */
	uint64_t timeout_ms; /* 0: none; else stop the VM after this long */
	FILE *out;           /* UART output */
	FILE *err;           /* reasons and statistics */
	const struct axvm_config *base_cfg; /* NULL, or e.g. from a DTB */
};

/* Run to the end. Returns the process status: the exit-port byte, or
 * RUNNER_STATUS_* with a one-line reason on opts->err. */
int runner_run(struct axvm_host *host, const struct runner_opts *opts);

#endif
