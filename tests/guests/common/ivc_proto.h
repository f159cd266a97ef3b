/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest side of the inter-VM channel protocol (docs/ivc.md): the
 * doorbell's registers and two one-directional rings in the shared
 * region, one per end. Each end writes only its own half and keeps the
 * truth (its head, its tail) in private memory: what it reads from the
 * shared region is the peer's word, checked before use, never trusted.
 */
#ifndef IVC_PROTO_H
#define IVC_PROTO_H

#include "guest.h"

/* Doorbell registers (include/axvm/ivc.h). */
#define DB_MAGIC 0x000u
#define DB_CHANNEL 0x008u
#define DB_END 0x00cu
#define DB_SHM_LO 0x010u
#define DB_SHM_HI 0x014u
#define DB_SIZE_LO 0x018u
#define DB_SIZE_HI 0x01cu
#define DB_DOORBELL 0x020u
#define DB_PENDING 0x024u
#define DB_ACK 0x028u
#define DB_IRQ_ENABLE 0x02cu
#define DB_STATUS 0x030u
#define DB_MAGIC_VALUE 0x43564941u

/* Doorbell bits. */
#define RING_DATA 1u /* my ring has new messages */

/* One half of the region: the ring its owner produces into. */
#define HALF_MAGIC 0x0000u /* "IVCR" once the owner set its half up */
#define HALF_HEAD 0x0040u  /* messages the owner published */
#define HALF_TAIL 0x0080u  /* the peer's messages the owner consumed */
#define HALF_SLOTS 0x0100u
#define HALF_MAGIC_VALUE 0x52435649u
#define SLOT_SIZE 64u
#define SLOT_DATA 48u /* payload bytes per message, at most */

struct slot {
	uint32_t seq;  /* ring position: the head it was published at */
	uint32_t len;  /* payload bytes, <= SLOT_DATA */
	uint32_t csum; /* ivc_csum(data, len) */
	uint32_t rsvd;
	uint8_t data[SLOT_DATA];
};

struct ivc {
	uintptr_t db;              /* doorbell window */
	volatile uint8_t *mine, *peer; /* the two halves */
	uint32_t nslots;
	uint32_t end;
	/* Private truth. */
	uint32_t head; /* messages I published */
	uint32_t tail; /* peer messages I consumed */
	uint32_t refused; /* peer messages or states that failed a check */
	volatile uint32_t irqs;
};

static inline uint32_t ivc_csum(const uint8_t *p, uint32_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (uint32_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static inline volatile uint32_t *word(volatile uint8_t *half, uint32_t off)
{
	return (volatile uint32_t *)(half + off);
}

/* My half's header from my private state, magic included: a peer may
 * have scribbled over it, and each publish repairs it. */
static inline void ivc_publish_header(struct ivc *c)
{
	*word(c->mine, HALF_HEAD) = c->head;
	*word(c->mine, HALF_TAIL) = c->tail;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	*word(c->mine, HALF_MAGIC) = HALF_MAGIC_VALUE;
}

/* Discover the channel from the doorbell and set my half up; 0 or -1. */
static inline int ivc_open(struct ivc *c, uintptr_t db)
{
	uint64_t shm, size;

	c->db = db;
	if (r32(db + DB_MAGIC) != DB_MAGIC_VALUE)
		return -1;
	shm = (uint64_t)r32(db + DB_SHM_HI) << 32 | r32(db + DB_SHM_LO);
	size = (uint64_t)r32(db + DB_SIZE_HI) << 32 | r32(db + DB_SIZE_LO);
	c->end = r32(db + DB_END);
	if (c->end > 1 || size < 2u * (HALF_SLOTS + SLOT_SIZE))
		return -1;
	c->mine = (volatile uint8_t *)(uintptr_t)(shm + c->end * (size / 2));
	c->peer = (volatile uint8_t *)(uintptr_t)(shm + (1u - c->end) * (size / 2));
	c->nslots = (uint32_t)((size / 2 - HALF_SLOTS) / SLOT_SIZE);
	c->head = c->tail = c->refused = 0;
	ivc_publish_header(c);
	return 0;
}

/* Publish one message and ring the peer; waits while my ring is full
 * (the peer's published tail is its word: a peer that lies only stalls
 * its own channel). */
static inline void ivc_send(struct ivc *c, const void *data, uint32_t len)
{
	volatile struct slot *s;

	while (c->head - *word(c->peer, HALF_TAIL) >= c->nslots &&
	       *word(c->peer, HALF_MAGIC) == HALF_MAGIC_VALUE)
		;
	s = (volatile struct slot *)(c->mine + HALF_SLOTS + (c->head % c->nslots) * SLOT_SIZE);
	s->seq = c->head;
	s->len = len;
	for (uint32_t i = 0; i < len; i++)
		s->data[i] = ((const uint8_t *)data)[i];
	s->csum = ivc_csum(data, len);
	/* The slot before the head that announces it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	c->head++;
	ivc_publish_header(c);
	/* The head before the doorbell (an MMIO store). */
	io_wmb();
	w32(c->db + DB_DOORBELL, RING_DATA);
}

/* Take the next checked message from the peer's ring into out (at least
 * SLOT_DATA bytes): its length, or -1 when there is none. A message that
 * fails a check is refused (counted) and skipped; a head the peer could
 * not have published (more than a ring ahead, or behind) drops what is
 * outstanding: the peer reset or lied. */
static inline int ivc_recv(struct ivc *c, uint8_t *out)
{
	for (;;) {
		if (*word(c->peer, HALF_MAGIC) != HALF_MAGIC_VALUE)
			return -1;
		uint32_t head = *word(c->peer, HALF_HEAD);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (head == c->tail)
			return -1;
		if (head - c->tail > c->nslots) {
			c->refused++;
			c->tail = head;
			ivc_publish_header(c);
			return -1;
		}
		volatile struct slot *s = (volatile struct slot *)(c->peer + HALF_SLOTS +
								   (c->tail % c->nslots) * SLOT_SIZE);
		/* Copy first, then check the copy: the peer may change the slot
		 * under us. */
		uint32_t seq = s->seq, len = s->len, csum = s->csum;
		for (uint32_t i = 0; i < SLOT_DATA; i++)
			out[i] = s->data[i];
		c->tail++;
		__atomic_thread_fence(__ATOMIC_RELEASE);
		ivc_publish_header(c);
		if (seq != c->tail - 1 || len > SLOT_DATA || ivc_csum(out, len) != csum) {
			c->refused++;
			continue;
		}
		return (int)len;
	}
}

/* The doorbell interrupt: acknowledge first, so that a ring after the
 * caller's look at the ring is a new interrupt. */
static inline void ivc_ack(struct ivc *c)
{
	uint32_t p = r32(c->db + DB_PENDING);

	w32(c->db + DB_ACK, p);
	c->irqs++;
}

/* One message of the ping-pong test: round number, then a pattern. */
#define IVC_ROUNDS 500u
#define PAYLOAD 40u

static inline void ivc_pattern(uint32_t round, uint8_t *p)
{
	uint32_t x = round * 2654435761u + 1u;

	for (uint32_t i = 0; i < PAYLOAD; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The next checked message, waiting for the doorbell between looks
 * (interrupts masked by the caller). */
static inline int ivc_wait_msg(struct ivc *c, uint8_t *buf)
{
	int n;

	while ((n = ivc_recv(c, buf)) < 0)
		guest_wait_irq();
	return n;
}

/* A message is round r: r, then the pattern of r (a ping) or its
 * complement (the answer). */
static inline bool ivc_msg_ok(const uint8_t *buf, int len, uint32_t r, bool answer)
{
	uint8_t want[PAYLOAD];

	if (len != 4 + (int)PAYLOAD || get32(buf) != r)
		return false;
	ivc_pattern(r, want);
	for (uint32_t i = 0; i < PAYLOAD; i++)
		if (buf[4 + i] != (uint8_t)(answer ? ~want[i] : want[i]))
			return false;
	return true;
}

/* The pinging side: rounds r0 .. r0 + n - 1, each answered in order
 * before the next; answers that are not the one awaited are refused. */
static inline void ivc_ping_rounds(struct ivc *c, uint32_t n)
{
	uint8_t msg[SLOT_DATA], buf[SLOT_DATA];

	for (uint32_t r = 0; r < n; r++) {
		put32(msg, r);
		ivc_pattern(r, msg + 4);
		ivc_send(c, msg, 4 + PAYLOAD);
		for (;;) {
			int len = ivc_wait_msg(c, buf);
			if (ivc_msg_ok(buf, len, r, true))
				break;
			c->refused++;
		}
	}
}

/* Counter ticks of n round trips -> instructions per round trip, times
 * 100, under -icount shift=0 (one instruction per nanosecond). */
static inline uint64_t ivc_instr100(uint64_t ticks, uint64_t hz, uint32_t n)
{
	return (ticks / hz * 100000000000ull + ticks % hz * 100000000000ull / hz) / n;
}

#endif
