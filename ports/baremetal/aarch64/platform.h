/* SPDX-License-Identifier: Apache-2.0 */
/* QEMU `virt` (virtualization=on, gic-version=3): the host's physical map
 * and how the bare-metal kernel divides its RAM. */
#ifndef BM_PLATFORM_H
#define BM_PLATFORM_H

/* Devices */
#define BM_UART_BASE 0x09000000ul /* PL011 */
#define BM_GICD_BASE 0x08000000ul
#define BM_GICR_BASE 0x080A0000ul /* one 128 KiB frame pair per CPU */
#define BM_GICR_STRIDE 0x20000ul

/* PPIs (INTIDs) of the generic timer on virt */
#define BM_IRQ_HYP_TIMER 26u   /* CNTHP: the kernel's own timer */
#define BM_IRQ_VTIMER 27u      /* CNTV: belongs to the running guest */
#define BM_IRQ_MAINT 25u       /* GIC maintenance: the running guest's */
#define BM_SGI_KICK 0u         /* kick_pcpu() */
#define BM_IRQ_UART 33u        /* the board PL011 (SPI 1): console input */

/* RAM starts at 1 GiB; QEMU puts its DTB (the board's: RAM size) at the
 * start. Layout, the placement scheme of docs/guest-abi-aarch64.md:
 *   0x4000_0000  QEMU's DTB (read for the RAM size)
 *   0x4020_0000  this kernel (text, data, bss, stacks)
 *   0x4100_0000  page pool for the HAL (64 MiB)
 *   0x47f0_0000  the VM config blob (axvm,vm binding), at most 1 MiB,
 *                loaded by QEMU's generic loader
 *   0x4800_0000  .. end of RAM: VM RAM, where each VM's linear memory
 *                nodes put it (host-addr); images loaded there by QEMU
 * Everything below BM_VM_RAM_BASE is the kernel's. */
#define BM_RAM_BASE 0x40000000ul
#define BM_BOARD_DTB 0x40000000ul /* QEMU's, for an ELF -kernel */
#define BM_POOL_BASE 0x41000000ul
#define BM_POOL_SIZE 0x04000000ul
#define BM_CONFIG_ADDR 0x47f00000ul
#define BM_CONFIG_MAX 0x00100000ul
#define BM_VM_RAM_BASE 0x48000000ul

/* The guest side (docs/guest-abi-aarch64.md). */
#define BM_GUEST_TESTDEV_GPA 0x0a000000ull
#define BM_GUEST_TESTDEV_SIZE 0x1000ull

#endif
