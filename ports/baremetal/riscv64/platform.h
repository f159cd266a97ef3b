/* SPDX-License-Identifier: Apache-2.0 */
/* QEMU `virt` for riscv64 (-cpu rv64,h=true, OpenSBI as firmware): the
 * host's physical map and how the bare-metal kernel divides its RAM. */
#ifndef BM_PLATFORM_H
#define BM_PLATFORM_H

/* The time CSR's rate on virt (its DT timebase-frequency). */
#define BM_TIMEBASE_HZ 10000000ull

/* RAM starts at 2 GiB; OpenSBI keeps the first 2 MiB. Layout:
 *   0x8000_0000  OpenSBI
 *   0x8020_0000  this kernel (text, data, bss, stacks)
 *   0x8100_0000  page pool for the HAL (64 MiB)
 *   0x8800_0000  VM slots: guest RAM, 16 MiB each (images loaded by QEMU)
 * Run with -m 512M. */
#define BM_POOL_BASE 0x81000000ul
#define BM_POOL_SIZE 0x04000000ul
#define BM_SLOT_BASE 0x88000000ul
#define BM_SLOT_SIZE 0x01000000ul
/* The Linux layout (cmake -DAXVM_BM_LINUX=ON): one slot, vm1, of 256 MiB
 * at BM_SLOT_BASE, up to host 0x9800_0000: -m 384M or more
 * (scripts/run-riscv64 gives 512M). The kernel Image goes at RAM + 2 MiB,
 * the rv64 kernel's text_offset, past the DTB at RAM + 0. */
#define BM_LINUX_SLOT_SIZE 0x10000000ul
#define BM_LINUX_IMAGE_OFF 0x200000ul

/* The guest side (docs/guest-abi-riscv64.md). */
#define BM_GUEST_RAM_GPA 0x80000000ul
#define BM_GUEST_ENTRY_OFF 0x200000ul
#define BM_GUEST_UART_GPA 0x10000000ull
#define BM_GUEST_TESTDEV_GPA 0x11000000ull
#define BM_GUEST_TESTDEV_SIZE 0x1000ull

#define BM_MAX_CPUS 4u
#define BM_STACK_SIZE 0x4000ul

#endif
