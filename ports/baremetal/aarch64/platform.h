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

/* RAM starts at 1 GiB; QEMU puts its DTB at the start. Layout:
 *   0x4000_0000  QEMU's DTB (not used yet)
 *   0x4020_0000  this kernel (text, data, bss, stacks)
 *   0x4100_0000  page pool for the HAL (64 MiB)
 *   0x4800_0000  VM slots: guest RAM, 16 MiB each (images loaded by QEMU)
 * Run with -m 256M or more. */
#define BM_POOL_BASE 0x41000000ul
#define BM_POOL_SIZE 0x04000000ul
#define BM_SLOT_BASE 0x48000000ul
#define BM_SLOT_SIZE 0x01000000ul
/* The Linux layout (cmake -DAXVM_BM_LINUX=ON): one slot, vm1, of 256 MiB
 * at BM_SLOT_BASE, up to host 0x5800_0000: run with -m 384M or more
 * (scripts/run-aarch64 gives 512M). The kernel Image goes at RAM + 2 MiB,
 * the first 2 MiB-aligned base past the DTB at RAM + 0. */
#define BM_LINUX_SLOT_SIZE 0x10000000ul
#define BM_LINUX_IMAGE_OFF 0x200000ul

/* The guest side (docs/guest-abi-aarch64.md). */
#define BM_GUEST_RAM_GPA 0x40000000ul
#define BM_GUEST_ENTRY_OFF 0x80000ul
#define BM_GUEST_UART_GPA 0x09000000ull
#define BM_GUEST_TESTDEV_GPA 0x0a000000ull
#define BM_GUEST_TESTDEV_SIZE 0x1000ull

#define BM_MAX_CPUS 4u
#define BM_STACK_SIZE 0x4000ul

#endif
