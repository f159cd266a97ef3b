#!/usr/bin/env bash
# Linux as a guest (issue 12): Debian 12's own arm64 kernel boots as a VM
# of the bare-metal kernel (scripts/run-aarch64 --linux: a config with one
# boot-protocol "linux" VM, 2 vCPUs, 256 MiB) to a busybox initramfs
# whose /init prints uname -r, the CPU count and the sha256 of a file this
# test makes now, then powers off
# (PSCI SYSTEM_OFF), after which the kernel must power the board off.
# A kernel build of its own (build/a64-linux); the Linux boot itself took
# 4-6 s of wall time here (QEMU TCG), more on a loaded machine.
#
# Before that, two cases that need no Debian: the boot protocol's move of
# an image by its text_offset, and a header that must be refused. After
# it: Linux taking CPU 1 offline and online (PSCI), Linux beside the
# timer test guest on a shared pCPU, the guest DTB
# written by the kernel from the config, that config booted as a user's
# own blob, a guest reset
# (the VM must go down, not reboot from kept RAM), the virtio-console as
# Linux's console (hvc0) and its input, a virtio-blk disk Linux writes a
# file to, and the boot with a guest DTB the library generated from
# linux-vm.dts (needs axvm-config from a host build, else SKIPPED).
#
# usage: tests/integration-aarch64/linux.sh [BUILD_DIR]  (default build/a64-linux)
# Fetches the assets with scripts/linux-aarch64-assets when they are not
# cached (Debian's archive, root); prints "SKIPPED: reason" and exits 0
# when they cannot be had or QEMU is missing. "PASS <case>" or
# "FAIL <case>: why" (exit 1) otherwise.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/a64-linux}
timeout_s=${AXVM_LINUX_TIMEOUT:-300}
assets=$root/build/linux-a64

command -v qemu-system-aarch64 >/dev/null || { echo "SKIPPED: qemu-system-aarch64 not found"; exit 0; }
command -v fdtput >/dev/null || { echo "SKIPPED: fdtput (device-tree-compiler) not found"; exit 0; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# First, the boot protocol without Debian: a 80-byte position-independent
# "kernel" (header, then PSCI SYSTEM_OFF) whose header asks for
# text_offset 0x80000, so the kernel must move it up before entering it
# (a wrong move enters zeros: an undefined instruction, no power-off);
# then the same with a text_offset no kernel may have, which must be
# refused without starting the VM.
tiny() { # TEXT_OFFSET FILE
  { le 0x14000010 4; le 0 4; le "$1" 8; le 0x1000 8; le 0xa 8; le 0 24; printf 'ARM\x64'; le 0 4
    le 0x52800100 4; le 0x72b08000 4; le 0xd4000002 4; le 0x14000000 4; } >"$2"
}
. "$root/tests/lib/linux-cases.sh"
linux_header_cases aarch64 0x80000 "text_offset 0x80000, image_size 0x1000, flags 0xa, entry 0x40280000" \
  "axvm: vm1: down, guest code 0 (PSCI SYSTEM_OFF)" 0x80800
linux_assets aarch64
want_uname=$(ls "$assets/root/lib/modules" | head -n1)

t0=$SECONDS
"$root/scripts/run-aarch64" --build-dir "$build" --no-build --linux "$assets/Image" --initrd "$tmp/initrd.gz" \
  --timeout "$timeout_s" >"$tmp/log" 2>&1
rc=$?
why=$(log_why "$tmp/log" "$rc" "[vm1] AXVM-LINUX-OK uname=$want_uname cpus=2 payload=$want_hash" \
  "axvm: vm1: down, guest code 0 (PSCI SYSTEM_OFF)" "axvm: all VMs stopped, powering off" \
  "axvm: 2 pCPU(s) online" "axvm: page pool: 0 of" "psci: SMC Calling Convention v1.1" "!PANIC" "!Kernel panic" "!Internal error" \
  "!TIMEOUT")
if [ -n "$why" ]; then
  echo "FAIL linux: $why"
  sed 's/^/    | /' "$tmp/log"
  exit 1
fi
grep -a "AXVM-LINUX-OK\|reboot: Power down\|exits:" "$tmp/log"
echo "PASS linux ($((SECONDS - t0)) s; $(paste -sd, "$assets/versions"))"

# CPU hotplug: Linux takes CPU 1 offline and online twice (PSCI CPU_OFF,
# its AFFINITY_INFO polls until the CPU is off, CPU_ON from CPU 0).
"$root/scripts/run-aarch64" --build-dir "$build" --no-build --linux "$assets/Image" \
  --initrd "$tmp/initrd.gz" --append "console=ttyAMA0 earlycon=pl011,0x9000000 axvm.hotplug" \
  --timeout "$timeout_s" >"$tmp/log" 2>&1
check linux-cpu-hotplug "$tmp/log" $? "[vm1] AXVM-HOTPLUG ok online=0-1" \
  "[vm1] AXVM-LINUX-OK uname=$want_uname cpus=2 payload=$want_hash" "psci: CPU1 killed" \
  "axvm: vm1 vCPU 1: PSCI CPU_OFF" "cpu_up=3 " "cpu_down=2 " "!may not have shut down cleanly" \
  "!failed to come online" "!Kernel panic" "axvm: vm1: down, guest code 0 (PSCI SYSTEM_OFF)" \
  "axvm: page pool: 0 of"

# The same Linux VM beside the timer test guest, its vCPU 1 and the
# guest's vCPU sharing pCPU 1 (time slices): both must finish.
"$root/scripts/run-aarch64" --build-dir "$build" --no-build --linux "$assets/Image" \
  --initrd "$tmp/initrd.gz" --with timer --timeout "$timeout_s" >"$tmp/log" 2>&1
check linux-beside-timer "$tmp/log" $? "[vm1] AXVM-LINUX-OK uname=$want_uname cpus=2 payload=$want_hash" \
  "[vm2] RESULT timer PASS" "axvm: vm1: down, guest code 0 (PSCI SYSTEM_OFF)" \
  "axvm: vm2: down, guest code 0" "!Kernel panic" "axvm: page pool: 0 of"

# Console input: Linux (vm1, its PL011 driver's receive interrupt) and the
# `input` test guest (vm2, polling) each get their own line.
linux_input_case aarch64 "console=ttyAMA0 earlycon=pl011,0x9000000" \
  "axvm: vm1: down, guest code 0 (PSCI SYSTEM_OFF)"

# A 1 GiB VM on a 2 GiB board (-m 2G): Linux must see and keep it (its
# MemTotal over 900 MiB; the 256 MiB VM's is under 256 MiB).
"$root/scripts/run-aarch64" --build-dir "$build" --no-build --linux "$assets/Image" \
  --initrd "$tmp/initrd.gz" --mem 1G --board-mem 2G --timeout "$timeout_s" >"$tmp/log" 2>&1
rc=$?
kb=$(grep -ao 'AXVM-LINUX-OK .* mem=[0-9]*kB' "$tmp/log" | sed 's/.*mem=//; s/kB//')
[ "${kb:-0}" -gt 921600 ] || { [ $rc -eq 0 ] && rc=98; } # 98: "QEMU exit status 98" = too little
check linux-1g "$tmp/log" $rc "axvm: vm1: RAM 40000000..7fffffff at host 48000000" \
  "[vm1] AXVM-LINUX-OK uname=$want_uname cpus=2 payload=$want_hash mem=" \
  "axvm: vm1: down, guest code 0 (PSCI SYSTEM_OFF)" "!Kernel panic" "axvm: page pool: 0 of"
echo "    linux-1g: MemTotal ${kb:-?} kB"

# No guest DTB file: the kernel writes it from the config at boot
# (axvm_guest_fdt_build() on the target), here for 3 vCPUs on 2 pCPUs. The
# config this run wrote is then booted as a user's own (--config).
"$root/scripts/run-aarch64" --build-dir "$build" --no-build --linux "$assets/Image" \
  --initrd "$tmp/initrd.gz" --dtb - --vcpus 3 --config-out "$tmp/user.dtb" --timeout "$timeout_s" \
  >"$tmp/log" 2>&1
check linux-dtb-from-config "$tmp/log" $? "axvm: vm1: guest DTB written from the config at 0x40000000" \
  "Machine model: axvm guest (aarch64)" "[vm1] AXVM-LINUX-OK uname=$want_uname cpus=3 payload=$want_hash" \
  "axvm: vm1: down, guest code 0 (PSCI SYSTEM_OFF)" "!Kernel panic" "axvm: page pool: 0 of"
"$root/scripts/run-aarch64" --build-dir "$build" --no-build --config "$tmp/user.dtb" \
  --timeout "$timeout_s" >"$tmp/log" 2>&1
check linux-user-config "$tmp/log" $? "[vm1] AXVM-LINUX-OK uname=$want_uname cpus=3 payload=$want_hash" \
  "axvm: vm1: down, guest code 0 (PSCI SYSTEM_OFF)" "!Kernel panic" "axvm: page pool: 0 of"

# A guest reset (PSCI SYSTEM_RESET) of a Linux VM is not a reboot:
# Linux reused its own image's memory, so the kernel must not boot it
# again from the RAM it kept; the VM goes down with the reset code.
"$root/scripts/run-aarch64" --build-dir "$build" --no-build --linux "$assets/Image" \
  --initrd "$tmp/initrd.gz" --append "console=ttyAMA0 axvm.reboot" --timeout "$timeout_s" \
  >"$tmp/log" 2>&1
check linux-reset "$tmp/log" $? "[vm1] AXVM-LINUX-OK uname=$want_uname cpus=2" \
  "axvm: vm1: down, guest code 1 (PSCI SYSTEM_RESET)" "!rebooting" "!Kernel panic" \
  "axvm: page pool: 0 of"

# virtio-console (src/devices/virtio_console.c, ports/baremetal/virtio.c)
# as Linux's console, hvc0, at 0xa001200. Debian's virtio drivers are
# modules: /init loads them (console=hvc0 on the command line) and opens
# /dev/console again, which the kernel could not when it started /init.
# No earlycon and no PL011 console, so the kernel's own boot log is not
# seen (its lines before the console existed are dropped) and /init's
# lines can only come out through the virtio-console. Once with linux.dts
# (plus the node), once with the guest DTB the kernel writes from the
# config. Then console input through it: each line to its VM, Linux's via
# hvc0 (with no virtio-console it would reach the PL011, which nothing
# reads).
hvc_case() { # NAME DTB-ARGS...
  local name=$1
  shift
  "$root/scripts/run-aarch64" --build-dir "$build" --no-build --linux "$assets/Image" \
    --initrd "$tmp/initrd.gz" --append "console=hvc0" --virtio-console "$@" \
    --timeout "$timeout_s" >"$tmp/log" 2>&1
  check "$name" "$tmp/log" $? "axvm: vm1: virtio-console at 0xa001200" \
    "[vm1] AXVM-LINUX-OK uname=$want_uname cpus=2 payload=$want_hash" \
    "axvm: vm1: down, guest code 0 (PSCI SYSTEM_OFF)" "!Machine model" "!AXVM-MODULE-FAIL" \
    "!Kernel panic" "!console input byte(s) refused" "axvm: page pool: 0 of"
}
hvc_case linux-hvc0
hvc_case linux-hvc0-config-dtb --dtb -
linux_input_case aarch64 "console=hvc0" "axvm: vm1: down, guest code 0 (PSCI SYSTEM_OFF)" \
  linux-hvc0-input --virtio-console

# virtio-blk (tests/lib/linux-cases.sh): Debian's kernel loads the
# virtio modules from the initramfs first.
linux_virtio_blk_cases aarch64 "console=ttyAMA0 earlycon=pl011,0x9000000" \
  "axvm: vm1: down, guest code 0 (PSCI SYSTEM_OFF)" "axvm: vm1: virtio-blk at 0xa001000, 16384 KiB" \
  "!AXVM-MODULE-FAIL" --

# The kernel without virtio, channels and the guest DTB writer (its own
# build): Linux with its DTB loaded boots there too.
linux_minimal_case aarch64 "axvm: vm1: down, guest code 0 (PSCI SYSTEM_OFF)"

# The same VM described with the axvm,vm binding (linux-vm.dts) and its
# guest DTB made by the library's generator (src/core/fdt/guest.c, through
# axvm-config -g from a host build) instead of the hand-written linux.dts.
if ! cfg=$(axvm_config_tool_built "$root"); then
  echo "SKIPPED: linux-generated-dtb: no axvm-config (build a host preset, e.g. cmake --preset debug)"
  exit 0
fi
dtc -q -I dts -O dtb -o "$tmp/vms.dtb" "$root/tests/guests/aarch64/linux-vm.dts"
fdtput -t x "$tmp/vms.dtb" /vms/vm@1 initrd 0x0 0x48000000 0x0 \
  "$(printf '0x%x' "$(stat -c %s "$tmp/initrd.gz")")"
"$cfg" -g "$tmp/guest.dtb" -i 1 "$tmp/vms.dtb" >"$tmp/log" 2>&1 ||
  { echo "FAIL linux-generated-dtb: axvm-config -g failed"; sed 's/^/    | /' "$tmp/log"; exit 1; }
"$root/scripts/run-aarch64" --build-dir "$build" --no-build --linux "$assets/Image" \
  --initrd "$tmp/initrd.gz" --dtb "$tmp/guest.dtb" --timeout "$timeout_s" >"$tmp/log" 2>&1
check linux-generated-dtb "$tmp/log" $? "Machine model: axvm guest (aarch64)" \
  "[vm1] AXVM-LINUX-OK uname=$want_uname cpus=2 payload=$want_hash" \
  "axvm: vm1: down, guest code 0 (PSCI SYSTEM_OFF)" "!Kernel panic" "axvm: page pool: 0 of"
