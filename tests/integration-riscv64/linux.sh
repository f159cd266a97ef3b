#!/usr/bin/env bash
# Linux as a riscv64 guest: a Linux 6.1 kernel built from Debian's
# linux-source-6.1 (scripts/linux-riscv64-assets, cached in build/linux-rv64)
# boots as a boot-protocol "linux" VM (scripts/run-riscv64 --linux: one VM,
# 2 vCPUs, 256 MiB) to an initramfs whose static C /init prints the kernel
# release, the online CPU count and the sha256 of a file this test makes
# now, then powers off (SBI SRST shutdown), after which the kernel must
# power the board off.
# The first run builds the Linux kernel (about 10-20 minutes of make -j2
# on two cores); later runs reuse it.
#
# Before that, two cases that need no Linux: the boot protocol's move of
# an image up to its text_offset, and a header that must be refused.
# After it: CPU 1 offline and online (SBI HSM); console input; a guest
# reset (SBI SRST reboot) with hvc0 (the SBI console) as the console,
# which brings a Linux VM down instead of
# booting it again from kept RAM; the virtio-console as Linux's console
# (hvc1) and its input; virtio-blk.
#
# usage: tests/integration-riscv64/linux.sh [BUILD_DIR]  (default build/rv64-linux)
# Prints "SKIPPED: reason" and exits 0 when QEMU, dtc or the Linux build's
# tools cannot be had. "PASS <case>" or "FAIL <case>: why" (exit 1)
# otherwise.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/rv64-linux}
timeout_s=${AXVM_LINUX_TIMEOUT:-300}
assets=$root/build/linux-rv64

command -v qemu-system-riscv64 >/dev/null || { echo "SKIPPED: qemu-system-riscv64 not found"; exit 0; }
command -v fdtput >/dev/null || { echo "SKIPPED: fdtput (device-tree-compiler) not found"; exit 0; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The boot protocol without Linux: a 92-byte "kernel" (the 64-byte
# header, then SBI SRST shutdown) whose header asks for text_offset
# 4 MiB, so the kernel must move it up from where QEMU loaded it (RAM +
# 2 MiB) before entering it (a wrong move enters zeros: an illegal
# instruction, no clean shutdown); then the same with a text_offset that
# is not 2 MiB aligned, which must be refused without starting the VM.
tiny() { # TEXT_OFFSET FILE
  { le 0x0400006f 4; le 0 4; le "$1" 8; le 0x1000 8; le 0 8; le 2 4; le 0 4; le 0 8
    printf 'RISCV\0\0\0RSC\x05'; le 0 4
    # li a7, SRST; li a6, 0; li a0, 0 (shutdown); li a1, 0; ecall; j .
    for w in 0x535258b7 0x3548889b 0x00000813 0x00000513 0x00000593 0x00000073 0x0000006f; do
      le $w 4
    done; } >"$2"
}
. "$root/tests/lib/linux-cases.sh"
linux_header_cases riscv64 0x400000 \
  "text_offset 0x400000, image_size 0x1000, flags 0x0, version 0x2, entry 0x80400000" \
  "axvm: vm1: down, guest code 0 (SBI shutdown)" 0x280000
linux_assets riscv64
grep -a "^== Linux built" "$tmp/assets.log"
want_uname=$(cat "$assets/release")

t0=$SECONDS
"$root/scripts/run-riscv64" --build-dir "$build" --no-build --linux "$assets/Image" \
  --initrd "$tmp/initrd.gz" --timeout "$timeout_s" >"$tmp/log" 2>&1
rc=$?
why=$(log_why "$tmp/log" "$rc" "[vm1] AXVM-LINUX-OK uname=$want_uname cpus=2 payload=$want_hash" \
  "axvm: vm1: down, guest code 0 (SBI shutdown)" "axvm: all VMs stopped, powering off" \
  "axvm: 2 pCPU(s) online" "axvm: page pool: 0 of" "!PANIC" "!Kernel panic" "!Oops" \
  "!stopped: unhandled" "!TIMEOUT")
if [ -n "$why" ]; then
  echo "FAIL linux: $why"
  sed 's/^/    | /' "$tmp/log"
  exit 1
fi
grep -a "AXVM-LINUX-OK\|reboot: Power down\|exits:" "$tmp/log"
echo "PASS linux ($((SECONDS - t0)) s; $(paste -sd, "$assets/versions"))"

# CPU hotplug: Linux takes CPU 1 offline and online twice (SBI
# hart_stop; one hart_get_status, which may find it stop pending; then
# hart_start, which must be taken even while the host still saves it).
"$root/scripts/run-riscv64" --build-dir "$build" --no-build --linux "$assets/Image" \
  --initrd "$tmp/initrd.gz" --append "console=ttyS0 earlycon axvm.hotplug" \
  --timeout "$timeout_s" >"$tmp/log" 2>&1
check linux-cpu-hotplug "$tmp/log" $? "[vm1] AXVM-HOTPLUG ok online=0-1" \
  "[vm1] AXVM-LINUX-OK uname=$want_uname cpus=2 payload=$want_hash" \
  "axvm: vm1 vCPU 1: SBI hart_stop" "cpu_up=3 " "cpu_down=2 " "!failed to come online" \
  "!Kernel panic" "!Oops" "axvm: vm1: down, guest code 0 (SBI shutdown)" "axvm: page pool: 0 of"

# Console input: Linux (vm1, its 8250 driver on PLIC source 10) and the
# `input` test guest (vm2, polling) each get their own line.
linux_input_case riscv64 "console=ttyS0 earlycon" "axvm: vm1: down, guest code 0 (SBI shutdown)"

# A guest reset (SBI SRST cold reboot) of a Linux VM is not a
# reboot: Linux reused its own image's memory, so the kernel must not
# boot it again from the RAM it kept; the VM goes down with the reset code.
# This boot's console is hvc0 (SBI legacy console_putchar, one I/O exit
# per byte) instead of the UART.
"$root/scripts/run-riscv64" --build-dir "$build" --no-build --linux "$assets/Image" \
  --initrd "$tmp/initrd.gz" --append "console=hvc0 axvm.reboot" --timeout "$timeout_s" \
  >"$tmp/log" 2>&1
check linux-reset "$tmp/log" $? "printk: console [hvc0] enabled" \
  "[vm1] AXVM-LINUX-OK uname=$want_uname cpus=2 payload=$want_hash" \
  "axvm: vm1: down, guest code 1 (SBI reboot)" "io_write=" "!rebooting" "!Kernel panic" \
  "axvm: page pool: 0 of"

# virtio-console (src/devices/virtio_console.c, ports/baremetal/virtio.c):
# the VM's console is hvc1 (hvc0 is the SBI console, CONFIG_HVC_RISCV_SBI,
# registered first), the virtio-console at 0x10008200. Its bytes must come
# out as the VM's console lines like the UART's; without the device
# nothing would (no earlycon, no SBI console use: no io_write exits). The
# boot log before the port is up is lost by Linux's virtio_console (its
# replay finds no port yet), so /init's lines are what is checked. Once
# with linux.dts (plus the node), once with the DTB the kernel writes from
# the config. Then console input through it: each line to its VM, Linux's
# via hvc1 (with no virtio-console it would reach the UART, which nothing
# reads).
hvc_case() { # NAME DTB-ARGS...
  local name=$1
  shift
  "$root/scripts/run-riscv64" --build-dir "$build" --no-build --linux "$assets/Image" \
    --initrd "$tmp/initrd.gz" --append "console=hvc1" --virtio-console "$@" \
    --timeout "$timeout_s" >"$tmp/log" 2>&1
  check "$name" "$tmp/log" $? "axvm: vm1: virtio-console at 0x10008200" \
    "[vm1] Run /init as init process" \
    "[vm1] AXVM-LINUX-OK uname=$want_uname cpus=2 payload=$want_hash" \
    "axvm: vm1: down, guest code 0 (SBI shutdown)" "! io_write=" "!Kernel panic" "!Oops" \
    "!console input byte(s) refused" "axvm: page pool: 0 of"
}
hvc_case linux-hvc0
hvc_case linux-hvc0-config-dtb --dtb -
linux_input_case riscv64 "console=hvc1" "axvm: vm1: down, guest code 0 (SBI shutdown)" \
  linux-hvc0-input --virtio-console

# virtio-blk (tests/lib/linux-cases.sh).
linux_virtio_blk_cases riscv64 "console=ttyS0 earlycon" "axvm: vm1: down, guest code 0 (SBI shutdown)" \
  "axvm: vm1: virtio-blk at 0x10008000, 16384 KiB" --

# The kernel without virtio, channels and the guest DTB writer (its own
# build): Linux with its DTB loaded boots there too.
linux_minimal_case riscv64 "axvm: vm1: down, guest code 0 (SBI shutdown)"
