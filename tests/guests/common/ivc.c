/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ivc: a ping-pong over the inter-VM channel (docs/ivc.md) between two
 * VMs on two pCPUs. Load it into vm1 and vm2 with the channel configured
 * (scripts/run-<arch> --ivc ivc ivc): end 0 pings IVC_ROUNDS rounds, end
 * 1 answers each; every message is checked for its ring position, its
 * checksum, its round (order) and its content (the pattern of its round,
 * complemented in answers). Waits are WFI on the doorbell interrupt.
 * End 0 prints the round trip's cost as a bench line (instructions under
 * -icount shift=0,sleep=off). Beside ivc-hostile (as end 0) this guest,
 * end 1, must still answer every valid ping and refuse the rest.
 */
#include "ivc_proto.h"

static struct ivc ch;

static void on_doorbell(void)
{
	ivc_ack(&ch);
}

static void pong_rounds(struct ivc *c, uint32_t n)
{
	uint8_t buf[SLOT_DATA], msg[SLOT_DATA];

	for (uint32_t r = 0; r < n;) {
		int len = ivc_wait_msg(c, buf);
		if (!ivc_msg_ok(buf, len, r, false)) {
			c->refused++;
			continue;
		}
		put32(msg, r);
		for (uint32_t i = 0; i < PAYLOAD; i++)
			msg[4 + i] = (uint8_t)~buf[4 + i];
		ivc_send(c, msg, 4 + PAYLOAD);
		r++;
	}
}

int main(void);
int main(void)
{
	irq_disable();
	check(ivc_open(&ch, IVC_DOORBELL) == 0, "the doorbell says AIVC and names a usable region");
	check_eq(r32(IVC_DOORBELL + DB_CHANNEL), 1, "channel 1");
	check_eq(r32(IVC_DOORBELL + DB_SHM_LO), (uint32_t)IVC_SHM, "shared region where configured");
	check_eq(r32(IVC_DOORBELL + DB_STATUS), 1, "the peer VM is there");
	guest_irq_route(IVC_IRQ, on_doorbell);
	w32(IVC_DOORBELL + DB_IRQ_ENABLE, RING_DATA);
	gprintf("ivc: end %u ready, %u slots per ring\n", ch.end, ch.nslots);

	if (ch.end == 0) {
		uint64_t t0 = guest_ticks();
		ivc_ping_rounds(&ch, IVC_ROUNDS);
		uint64_t t = guest_ticks() - t0, v = ivc_instr100(t, guest_ticks_hz(), IVC_ROUNDS);
		gprintf("bench ivc_round_trip_%s %lu.%02lu instr\n", GUEST_ARCH, v / 100, v % 100);
	} else {
		pong_rounds(&ch, IVC_ROUNDS);
	}
	gprintf("ivc: end %u: %u rounds in order, %u messages refused, %u doorbell interrupts\n",
		ch.end, IVC_ROUNDS, ch.refused, ch.irqs);
	if (ch.end == 0)
		check_eq(ch.refused, 0, "a well-behaved peer sends nothing to refuse");
	check(ch.irqs > 0, "doorbell interrupts arrived");
	done("ivc");
}

void secondary_main(void);
void secondary_main(void)
{
}
