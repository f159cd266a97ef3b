/* SPDX-License-Identifier: Apache-2.0 */
/* The devices axvm-run gives an x86_64 guest (docs/guest-abi-x86_64.md),
 * each an ordinary axvm_device_ops model registered through the core's
 * device API. */
#ifndef AXVM_RUN_DEVICES_H
#define AXVM_RUN_DEVICES_H

#include <axvm/axvm.h>
#include <axvm/testdev.h>
#include <axvm/uart.h>
#include <stdatomic.h>
#include <stdio.h>

/* COM1 (ports 0x3f8..0x3ff): the library's 16550A model, polled (no
 * interrupt line). Transmit goes to `out` a line at a time (at a newline,
 * when the line buffer is full, and at fini); with `out` NULL it is
 * dropped; nothing is received. */
#define UART16550_LINE 128
struct uart16550 {
	struct axvm_ns16550 model;
	FILE *out;
	uint8_t line[UART16550_LINE]; /* the model's line buffer */
};
void uart16550_init(struct uart16550 *u, FILE *out);
void uart16550_fini(struct uart16550 *u);
void uart16550_desc(struct uart16550 *u, struct axvm_device_desc *d);

/* Exit port: a write of v shuts the VM down; v & 0xff is the status. */
struct exit_port {
	struct axvm_vm *vm; /* set once the VM exists */
	atomic_bool written;
	_Atomic uint8_t code;
};
void exit_port_desc(struct exit_port *e, struct axvm_device_desc *d);

/* Test device for the mmio guest (axvm-run --testdev): the library's
 * (axvm/testdev.h) with 64 bytes of scratch at 0x00, a read-only pattern
 * at 0x40..0x4f and the access counter at 0x200. */
#define TESTDEV_BASE 0xfe000000ull
void testdev_init(struct axvm_testdev *t);
void testdev_desc(struct axvm_testdev *t, struct axvm_device_desc *d);

/* The hypercalls of docs/guest-abi-x86_64.md a host program answers (the
 * backend turns CPU-up into an exit itself): the library's answers
 * (axvm/test_hypercall.h), as the bare-metal kernel gives them. An axvm_vm
 * callbacks' `hypercall`; `ctx` is not used. */
int x86_abi_hypercall(void *ctx, struct axvm_vcpu *vcpu, uint64_t nr,
                      const uint64_t args[6], uint64_t *ret);

#endif
