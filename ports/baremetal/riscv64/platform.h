/* SPDX-License-Identifier: Apache-2.0 */
/* QEMU `virt` for riscv64 (-cpu rv64,h=true, OpenSBI as firmware): the
 * host's physical map and how the bare-metal kernel divides its RAM. */
#ifndef BM_PLATFORM_H
#define BM_PLATFORM_H

/* The time CSR's rate on virt (its DT timebase-frequency). */
#define BM_TIMEBASE_HZ 10000000ull

/* RAM starts at 2 GiB; OpenSBI keeps the first 2 MiB and hands the
 * kernel the board's DTB (read for the RAM size). Layout, the placement
 * scheme of docs/guest-abi-riscv64.md:
 *   0x8000_0000  OpenSBI
 *   0x8020_0000  this kernel (text, data, bss, stacks)
 *   0x8100_0000  page pool for the HAL (64 MiB)
 *   0x87f0_0000  the VM config blob (axvm,vm binding), at most 1 MiB,
 *                loaded by QEMU's generic loader
 *   0x8800_0000  .. end of RAM: VM RAM, where each VM's linear memory
 *                nodes put it (host-addr); images loaded there by QEMU
 * Everything below BM_VM_RAM_BASE is the kernel's. QEMU puts the board
 * DTB near the end of RAM, where VM RAM may go: the kernel reads it once
 * at boot, before any VM runs. */
#define BM_RAM_BASE 0x80000000ul
#define BM_POOL_BASE 0x81000000ul
#define BM_POOL_SIZE 0x04000000ul
#define BM_CONFIG_ADDR 0x87f00000ul
#define BM_CONFIG_MAX 0x00100000ul
#define BM_VM_RAM_BASE 0x88000000ul

/* The board's console UART (OpenSBI transmits on it for us; this kernel
 * only takes its receive interrupt) and the PLIC that routes it. */
#define BM_UART_BASE 0x10000000ul
#define BM_UART_IRQ 10u
#define BM_PLIC_BASE 0x0c000000ul

/* The guest side (docs/guest-abi-riscv64.md). */
#define BM_GUEST_TESTDEV_GPA 0x11000000ull
#define BM_GUEST_TESTDEV_SIZE 0x1000ull

#endif
