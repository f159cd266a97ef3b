/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ivc-hostile: a channel end that does what a broken or malicious guest
 * would, then plays fair. Load it into vm1 (end 0) with the ivc guest in
 * vm2 (scripts/run-<arch> --ivc ivc-hostile ivc):
 *  1. its doorbell at odd widths, misaligned and unassigned offsets,
 *     writes to read-only registers: refused (reads 0, the VM's
 *     unhandled-access policy), its registers unchanged;
 *  2. rings with garbage values, thousands of them;
 *  3. random bytes over the whole shared region, the peer's half too;
 *  4. messages that fail the protocol's checks (checksum, length,
 *     position), rung one by one;
 *  5. waits until the peer has consumed (refused) each of them, then
 *  6. pings IVC_ROUNDS valid rounds, which the peer must answer in order.
 * The host must survive (the kernel's report counts the refused
 * accesses) and the peer lose nothing but the channel's contents.
 */
#include "ivc_proto.h"

static struct ivc ch;
static uint32_t rng = 0x2545f491u;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void on_doorbell(void)
{
	ivc_ack(&ch);
}

static void odd_accesses(uintptr_t db)
{
	for (uintptr_t off = 0; off < 0x40; off++) {
		(void)r8(db + off);
		w8(db + off, (uint8_t)rnd());
		if (!(off & 1)) {
			(void)r16(db + off);
			w16(db + off, (uint16_t)rnd());
		}
		if (!(off & 7)) {
			(void)r64(db + off);
			w64(db + off, (uint64_t)rnd() << 32 | rnd());
		}
	}
	static const uint32_t ro[] = { DB_MAGIC, DB_CHANNEL, DB_END, DB_SHM_LO, DB_SHM_HI,
				       DB_SIZE_LO, DB_SIZE_HI, DB_PENDING, DB_STATUS, 0x34u, 0xffcu };
	for (unsigned i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		w32(db + ro[i], rnd());
	check_eq(r32(db + 0x800), 0, "an unassigned register reads 0");
	check_eq(r32(db + DB_DOORBELL), 0, "DOORBELL is write-only: reads 0");
	check_eq(r32(db + DB_MAGIC), DB_MAGIC_VALUE, "MAGIC unchanged");
	check_eq(r32(db + DB_END), 0, "END unchanged");
	check_eq(r32(db + DB_CHANNEL), 1, "CHANNEL unchanged");
	check_eq(r32(db + DB_SHM_LO), (uint32_t)IVC_SHM, "SHM unchanged");
}

/* The peer has consumed everything up to my head (10 s at most). */
static bool wait_consumed(void)
{
	uint64_t deadline = guest_now_us() + 10000000u;

	while (*word(ch.peer, HALF_TAIL) != ch.head)
		if (guest_now_us() >= deadline)
			return false;
	return true;
}

int main(void);
int main(void)
{
	uintptr_t db = IVC_DOORBELL;

	irq_disable();
	check(ivc_open(&ch, db) == 0, "the doorbell says AIVC");
	check_eq(ch.end, 0, "ivc-hostile is end 0 (load it into vm1, ivc into vm2)");
	guest_irq_route(IVC_IRQ, on_doorbell);

	odd_accesses(db);
	gputs("ivc-hostile: odd register accesses done\n");

	for (unsigned i = 0; i < 4000; i++)
		w32(db + DB_DOORBELL, i == 0 ? 0 : i == 1 ? ~0u : rnd());
	gputs("ivc-hostile: garbage rings done\n");

	uint64_t size = (uint64_t)r32(db + DB_SIZE_HI) << 32 | r32(db + DB_SIZE_LO);
	volatile uint32_t *shm = (volatile uint32_t *)IVC_SHM;
	for (int pass = 0; pass < 4; pass++) {
		for (uint64_t i = 0; i < size / 4; i++)
			shm[i] = rnd();
		io_wmb();
		w32(db + DB_DOORBELL, RING_DATA);
	}
	gputs("ivc-hostile: shared region scribbled\n");

	/* Messages at the right positions that fail a check each, published
	 * only once broken. */
	ch.head = rnd();
	for (unsigned i = 0; i < 30; i++) {
		volatile struct slot *s = (volatile struct slot *)(ch.mine + HALF_SLOTS +
			(ch.head % ch.nslots) * SLOT_SIZE);
		uint8_t junk[SLOT_DATA];
		for (unsigned k = 0; k < SLOT_DATA; k++)
			s->data[k] = junk[k] = (uint8_t)rnd();
		s->seq = i % 3 == 0 ? ch.head + 7 : ch.head;
		s->len = i % 3 == 1 ? 0x1000u : SLOT_DATA;
		s->csum = ivc_csum(junk, SLOT_DATA) ^ (i % 3 == 2);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		ch.head++;
		ivc_publish_header(&ch);
		io_wmb();
		w32(db + DB_DOORBELL, RING_DATA);
		/* One at a time, so that each is checked, not skipped with the
		 * rest (the first is more than a ring ahead: the peer resyncs). */
		if (!wait_consumed())
			break;
	}
	check_eq(*word(ch.peer, HALF_TAIL), ch.head, "the peer consumed the junk");
	ch.tail = *word(ch.peer, HALF_HEAD);
	ivc_publish_header(&ch);
	gputs("ivc-hostile: junk messages consumed, now playing fair\n");

	w32(db + DB_IRQ_ENABLE, RING_DATA);
	ivc_ping_rounds(&ch, IVC_ROUNDS);
	check_eq(r32(db + DB_STATUS), 1, "the peer is still there");
	gprintf("ivc-hostile: %u valid rounds answered after the abuse\n", IVC_ROUNDS);
	done("ivc-hostile");
}

void secondary_main(void);
void secondary_main(void)
{
}
