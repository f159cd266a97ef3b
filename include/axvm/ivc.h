/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inter-VM channel (src/devices/ivc.c), Bao's IPC shape: a shared-memory
 * region the port maps into two VMs, plus one doorbell device per end.
 * A guest writes bits to its DOORBELL register; they appear in the peer
 * end's PENDING register and, where the peer enabled them, raise the
 * peer's interrupt through a host callback (the port injects it into the
 * peer VM). The model never touches the shared memory: what goes through
 * it is the guests' business (docs/ivc.md, the protocol).
 *
 * The caller owns the storage of both ends (no allocation), links them
 * with axvm_ivc_connect(), registers each end in its VM with the
 * descriptor axvm_ivc_desc() fills, and wires the irq callbacks.
 *
 * Threads: the two ends run on different pCPUs and may ring each other
 * at once. Each end has a lock of its own; a ring takes only the peer's,
 * a register access only its own, so there is no lock order to violate.
 */
#ifndef AXVM_IVC_H
#define AXVM_IVC_H

#include <stdatomic.h>

#include <axvm/device.h>
#include <axvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The doorbell's registers: 32-bit, 4-byte accesses, naturally aligned.
 * Anything else (other widths, offsets in between or past the end, writes
 * to read-only registers) is refused with AXVM_ENODEV and counted; the
 * VM's unhandled-access policy decides what the guest sees. */
#define AXVM_IVC_MAGIC 0x000   /* RO: AXVM_IVC_MAGIC_VALUE */
#define AXVM_IVC_VERSION 0x004 /* RO: 1 */
#define AXVM_IVC_CHANNEL 0x008 /* RO: the channel id of the config */
#define AXVM_IVC_END 0x00c     /* RO: this end, 0 or 1 (lower VM id is 0) */
#define AXVM_IVC_SHM_LO 0x010  /* RO: guest address of the shared region */
#define AXVM_IVC_SHM_HI 0x014
#define AXVM_IVC_SIZE_LO 0x018 /* RO: its size in bytes */
#define AXVM_IVC_SIZE_HI 0x01c
#define AXVM_IVC_DOORBELL 0x020 /* WO: OR the value into the peer's PENDING */
#define AXVM_IVC_PENDING 0x024  /* RO: bits the peer rang, not yet acked */
#define AXVM_IVC_ACK 0x028      /* WO: clear these PENDING bits (W1C) */
#define AXVM_IVC_IRQ_ENABLE 0x02c /* RW: interrupt = PENDING & IRQ_ENABLE */
#define AXVM_IVC_STATUS 0x030   /* RO: bit 0 = the peer's VM is there */
#define AXVM_IVC_WINDOW 0x1000u /* the register window's size */

#define AXVM_IVC_MAGIC_VALUE 0x43564941u /* "AIVC", little-endian */
#define AXVM_IVC_STATUS_PEER 1u

/* The host side of one end: irq raises or lowers this end's interrupt
 * line in its own VM (level = PENDING & IRQ_ENABLE != 0). Called with
 * this end's lock held, from the exit path of either VM's vCPU (the peer
 * rings from its own pCPU): it must not call back into the model and must
 * be safe from any pCPU (axvm_vcpu_inject_irq() is). */
struct axvm_ivc_host {
	void *arg;
	void (*irq)(void *arg, bool level); /* required */
};

/* Fields are the model's: read them only through the calls below. */
struct axvm_ivc_end {
	struct axvm_ivc_host host;
	atomic_flag lock;
	struct axvm_ivc_end *peer; /* fixed once connected */
	uint32_t channel, end;
	uint64_t shm_gpa, shm_size;
	uint32_t pending, irq_enable;
	bool level;
	bool closed; /* its VM was destroyed: rings to it are dropped */
	uint64_t rings_sent, rings_received, bad_accesses;
};

/* Counters for reports and tests. */
struct axvm_ivc_stats {
	uint64_t rings_sent;     /* DOORBELL writes with a nonzero value */
	uint64_t rings_received; /* rings from the peer */
	uint64_t bad_accesses;   /* refused guest accesses */
};

/* Put an end in its reset state: `channel` id, `end` 0 or 1, the shared
 * region at guest `shm_gpa` of `shm_size` bytes (> 0, no wrap). */
int axvm_ivc_init(struct axvm_ivc_end *e, const struct axvm_ivc_host *host,
		  uint32_t channel, uint32_t end, uint64_t shm_gpa, uint64_t shm_size);
/* Link two ends of the same channel (ends 0 and 1, same size, both
 * unconnected): AXVM_EINVAL otherwise. Before either VM runs. */
int axvm_ivc_connect(struct axvm_ivc_end *a, struct axvm_ivc_end *b);
/* Fill an MMIO descriptor for `e` at guest `base` (AXVM_IVC_WINDOW bytes,
 * page aligned). Its reset hook clears PENDING and IRQ_ENABLE; its destroy
 * hook closes the end, so that the peer's later rings go nowhere. */
int axvm_ivc_desc(struct axvm_ivc_end *e, uint64_t base, struct axvm_device_desc *desc);
/* Ring the peer from the host side, as a DOORBELL write of `bits` would. */
int axvm_ivc_ring(struct axvm_ivc_end *e, uint32_t bits);
/* Copy the end's counters into *st. */
int axvm_ivc_stats(struct axvm_ivc_end *e, struct axvm_ivc_stats *st);

#ifdef __cplusplus
}
#endif
#endif /* AXVM_IVC_H */
