/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guests the firmware hosts: which ones comes from a manifest QEMU's
 * loader puts at GUESTS_MANIFEST_ADDR (text, one "<name> <vcpus>" line
 * per VM, written by scripts/run-freertos-aarch64); VM i's RAM is 16 MiB
 * at host GUESTS_RAM_BASE + i * 16 MiB, guest-physical 0x4000_0000, with
 * its image at +512 KiB and (optionally) guest.dtb at its start, as in
 * docs/guest-abi-aarch64.md.
 */
#ifndef FREERTOS_A64_GUESTS_H
#define FREERTOS_A64_GUESTS_H

#include <stdbool.h>
#include <stdint.h>

#include <axvm/axvm.h>

#include "axvm_freertos.h"

#define GUESTS_MANIFEST_ADDR 0x47f00000ul
#define GUESTS_MANIFEST_MAX 4096u
#define GUESTS_RAM_BASE 0x48000000ul
#define GUESTS_RAM_SIZE 0x01000000ul
#define GUESTS_MAX 4u

/* Create every VM the manifest names, run each vCPU in a FreeRTOS task,
 * wait until all are down (or timeout_ms passed: then they are shut
 * down), report, destroy them. Returns how many VMs failed: not booted,
 * not down with PSCI SYSTEM_OFF, or no "RESULT <name> PASS" line. */
unsigned guests_run(struct axvm_host *host, struct axvm_freertos_hal *port,
		    uint32_t timeout_ms);

#endif
