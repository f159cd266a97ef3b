/* SPDX-License-Identifier: Apache-2.0 */
/* hello: the UART, the boot registers and the exit port. */
#include "guest.h"

int guest_main(uint64_t index, uint64_t ram_size, uint64_t arg)
{
	(void)arg;
	puts("Hello from an x86_64 guest on libaxvm!\n");
	puts("hello: vcpu ");
	put_dec(index);
	puts(", ram ");
	put_dec(ram_size >> 20);
	puts(" MiB\n");
	return 0;
}
