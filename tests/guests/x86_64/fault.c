/* SPDX-License-Identifier: Apache-2.0 */
/* fault: accesses nothing answers. Ports and guest-physical addresses with
 * no device are ignored under axvm-run's default policy (reads give 0) and
 * stop the VM under --strict; then a load from an address above the 4 GiB
 * identity map page-faults with no IDT: a triple fault, which must stop
 * the VM with a reason while the host carries on. */
#include "guest.h"

int guest_main(uint64_t index, uint64_t ram_size, uint64_t arg)
{
	int bad = 0;

	(void)index;
	(void)arg;
	puts("fault: start\n");
	outb(0x1234 & 0xff, 1); /* no device at port 0x34 */
	outw(0x1234, 0xbeef);
	outl(0x1234, 0xdeadbeef);
	bad |= check("in from nowhere", inb(0x2345 & 0xff), 0);
	bad |= check("inl from nowhere", inl(0x2345), 0);
	/* Guest-physical memory past RAM, below the device windows. */
	volatile uint32_t *hole = (volatile uint32_t *)(ram_size + 0x100000);
	*hole = 0x12345678;
	bad |= check("read from a hole", *hole, 0);
	volatile uint64_t *dev = (volatile uint64_t *)0xd0000000ul;
	*dev = 1;
	bad |= check("read from 0xd0000000", *dev, 0);
	if (bad)
		return 1;
	puts("fault: ignored accesses ok\n");
	/* Not identity-mapped: #PF, no IDT, triple fault. */
	volatile uint64_t *far = (volatile uint64_t *)0x200000000ul;
	(void)*far;
	puts("fault: still running after a triple fault?\n");
	return 99;
}
