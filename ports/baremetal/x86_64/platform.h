/* SPDX-License-Identifier: Apache-2.0 */
/* QEMU's PC (qemu-system-x86_64 -cpu max, TCG with AMD SVM and NPT): the
 * host's physical map and how the bare-metal kernel divides its RAM. */
#ifndef BM_PLATFORM_H
#define BM_PLATFORM_H

/* RAM from 0 (the BIOS keeps the first 1 MiB's holes); QEMU's multiboot
 * loader puts the kernel at 1 MiB. No board DTB on a PC: the RAM end is
 * vmconfig.c's default (`-m 512M`, which the run script always gives).
 * Layout, the placement scheme of docs/guest-abi-x86_64.md:
 *   0x0010_0000  this kernel (text, data, bss, stacks, boot page tables)
 *   0x0100_0000  page pool for the HAL (64 MiB)
 *   0x05f0_0000  the VM config blob (axvm,vm binding), at most 1 MiB,
 *                loaded by QEMU's generic loader, as on the other targets
 *   0x0600_0000  .. end of RAM: VM RAM, where each VM's linear memory
 *                nodes put it (host-addr); images loaded there by QEMU */
#define BM_RAM_BASE 0x0ul
#define BM_POOL_BASE 0x01000000ul
#define BM_POOL_SIZE 0x04000000ul
#define BM_CONFIG_ADDR 0x05f00000ul
#define BM_CONFIG_MAX 0x00100000ul
#define BM_VM_RAM_BASE 0x06000000ul

/* The board console: the PC's first 16550, polled. */
#define BM_COM1 0x3f8u

/* The shared test device (devices.c) sits where no x86 guest looks; the
 * x86 guests' own test device (axvm-run's layout) is at 0xfe000000. */
#define BM_GUEST_TESTDEV_GPA 0xfd000000ull
#define BM_GUEST_TESTDEV_SIZE 0x1000ull

#endif
