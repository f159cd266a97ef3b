#!/usr/bin/env bash
# RISC-V guests under QEMU (-cpu rv64,h=true, OpenSBI) through the bare-metal
# kernel's riscv64 target: builds the kernel and guests once
# (scripts/run-riscv64 --build-only), then boots each case, checks the
# guest's and the kernel's output, and that QEMU exited on its own (board
# powered off) within the timeout. One line per case: "PASS <case>" or
# "FAIL <case>: <why>"; exits 1 if any case failed.
#
# usage: tests/integration-riscv64/run.sh [BUILD_DIR]   (default build/rv64-image)
# Ends with tests/integration-riscv64/linux.sh (a Linux guest; the first
# run builds its kernel); AXVM_RV_LINUX=0 leaves it out.
# Prints "SKIPPED: <reason>" and exits 0 when QEMU or the cross compiler is
# missing.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/rv64-image}
run="$root/scripts/run-riscv64"
timeout_s=${AXVM_RV_CASE_TIMEOUT:-30}

command -v qemu-system-riscv64 >/dev/null || { echo "SKIPPED: qemu-system-riscv64 not found"; exit 0; }
command -v riscv64-linux-gnu-gcc >/dev/null ||
  { echo "SKIPPED: no riscv64-linux-gnu-gcc (gcc-riscv64-linux-gnu)"; exit 0; }

echo "== building kernel and guests in $build"
"$run" --build-dir "$build" --build-only || { echo "FAIL build"; exit 1; }

. "$root/tests/lib/qemu-cases.sh"

case_ hello "hello -" \
  "axvm: bare-metal kernel, libaxvm + riscv64 backend, HS-mode" \
  "[vm1] Hello from an AxVM guest on RISC-V!" \
  "[vm1] hello: through SBI DBCN console_write" \
  "[vm1] hello: through SBI DBCN console_write_byte" \
  "[vm1] hello: through SBI legacy console_putchar" \
  "[vm1] RESULT hello PASS" "axvm: vm1: down, guest code 0 (SBI shutdown)"
# Every byte through the UART is one trapped THR write (and one LSR read);
# every SBI console byte one I/O exit.
[ "$(exit_count vm1 0 mmio_write)" -ge 60 ] && [ "$(exit_count vm1 0 io_write)" -ge 80 ]
extra_check "hello-exits: fewer trapped console accesses than bytes" $?

case_ mmio "mmio -" "[vm1] RESULT mmio PASS" "axvm: vm1: down, guest code 0"

# The NS16550A as Linux's 8250 driver programs it: the divisor latch
# behind LCR.DLAB is not data (no stray byte in the next line), the
# registers it reads back, IIR's THR-empty report.
case_ uart "uart -" "[vm1] RESULT uart PASS" "[vm1] uart: before the divisor" \
  "[vm1] uart: after the divisor"

case_ hypercall "hypercall -" "[vm1] RESULT hypercall PASS" \
  "[vm1] hypercall putnum 4242" "hypercall=8"

case_ smp "smp -" "[vm1] RESULT smp PASS" "[vm1] smp: hart 1 up, opaque 0x1234" \
  "[vm1] smp: hart 1 up, opaque 0x5678" "[vm1] smp: hart 1 up, opaque 0x9999" \
  "axvm: vm1 vCPU 1: SBI hart_stop" "send_ipi=2" "cpu_up=4" "cpu_status=" \
  "axvm: vm1: down, guest code 0"

case_ timer "timer -" "[vm1] RESULT timer PASS" "[vm1] timer: 5 ticks in"
# Each WFI that waits for the timer is one halt exit, not a busy loop.
n=$(exit_count vm1 0 halt)
[ "$n" -ge 1 ] && [ "$n" -le 40 ]
extra_check "timer-halts: $n halt exits, not 1..40 (a busy WFI loop?)" $?

case_ off "off -" "[vm1] off: calling SBI system_reset shutdown" \
  "axvm: vm1: down, guest code 0 (SBI shutdown)" "!RESULT"

case_ reset "reset -" "[vm1] reset: first boot" \
  "axvm: vm1: guest asked for a reset, rebooting (1 of 3)" \
  "[vm1] reset: boot 2 after system_reset" "[vm1] RESULT reset PASS" \
  "axvm: vm1: down, guest code 0" "!rebooting (2 of 3)"

case_ hostile "hostile -" "[vm1] RESULT hostile PASS" "io_write=4096" \
  "axvm: vm1: down, guest code 0"

case_ two-vms "hello timer" "[vm1] RESULT hello PASS" "[vm2] RESULT timer PASS" \
  "axvm: vm1: down, guest code 0" "axvm: vm2: down, guest code 0"

case_ two-vms-mmio-hypercall "mmio hypercall" "[vm1] RESULT mmio PASS" \
  "[vm2] RESULT hypercall PASS" "[vm2] hypercall putnum 4242"

# smp's hart 1 and the timer guest's hart share pCPU 1.
case_ smp-timer "smp timer" "[vm1] RESULT smp PASS" "[vm2] RESULT timer PASS"

# Both harts page with Sv39; hart 0 remaps a page hart 1 keeps reading,
# then remote_sfence_vma: hart 1 must never read the old frame after it.
case_ rfence "rfence -" "[vm1] RESULT rfence PASS" "rfence: 300 rounds, 0 stale reads"

# Time slices on the shared pCPU 1 (the same for every target).
shared_pcpu_cases

# Misaligned accesses that leave RAM (devices, unclaimed MMIO, across RAM's
# ends) are the guest's address-misaligned exceptions (cause 4/6, stval =
# the virtual address), with paging off and on; the VM keeps running.
case_ misalign "misalign -" "[vm1] RESULT misalign PASS" \
  "axvm: vm1: down, guest code 0" "!stopped: unhandled"

# A guest's own virtio-mmio driver (bench-blk, without icount its figure
# is noise) reads a 1 MiB disk in 4 KiB blocks and checks every word of
# the pattern tests/bench/virtio_blk.sh also writes.
blk_img=$build/virtio-blk-guest.img
perl -e 'for my $s (0..2047) { print pack("V2", $s, $_) for 0..63 }' >"$blk_img"
case_ virtio-blk-guest "--disk $blk_img bench-blk -" "[vm1] RESULT bench-blk PASS" \
  "axvm: vm1: virtio-blk at 0x10008000, 1024 KiB" \
  "[vm1] bench-blk: 256 blocks of 4 KiB read and checked" "axvm: vm1: down, guest code 0"

icount_cases
input_case

# Four VMs at once, two per pCPU (vm3 on pCPU 0 beside vm1's vCPU 0,
# vm2 and vm4 on pCPU 1 beside vm1's vCPU 1).
case_ four-vms "hello timer mmio hypercall" "[vm1] RESULT hello PASS" \
  "[vm2] RESULT timer PASS" "[vm3] RESULT mmio PASS" "[vm4] RESULT hypercall PASS" \
  "axvm: vm4: down, guest code 0"

# Two VMs over an inter-VM channel, fair and hostile (docs/ivc.md).
ivc_cases 0x80000000 0x88000000 0x12000000 6

# Configs the kernel must refuse: it prints why and starts no VM.
refused_config_cases 0x80000000 0x88000000 0x81000000

# The kernel without virtio, channels and the guest DTB writer: what needs
# none still runs, a config that asks for one is refused by name.
minimal_kernel_cases 0x80000000 0x88000000 0x12000000 6

# That kernel with the dictionary log refusing a config: the error's text
# comes from the decoder's table, not from the image.
dict_log_refused_case 0x80000000 0x88000000

# The same kernel with its VMs compiled in (AXVM_BM_CONFIG_C) instead of
# parsed from a blob at boot; a config it could not honour fails its build.
builtin_config_cases riscv64 0x80000000 0x88000000 0x12000000 6

# OpenSBI 1.1 can let a started hart leave at the boot entry with the DTB
# as its argument (ports/baremetal/riscv64/boot.S). A test build starts
# hart 1 there every time: it must join as pCPU 1, not boot the kernel
# again over the running one.
stale=${build}-stale-hart
echo "== building the stale-hart-start test kernel in $stale"
if "$run" --build-dir "$stale" --build-only -D AXVM_BM_TEST_STALE_HART_START=ON; then
  build=$stale case_ stale-hart-start "smp timer" "[vm1] RESULT smp PASS" "[vm2] RESULT timer PASS"
else
  echo "FAIL stale-hart-start: build"
  fail=$((fail + 1))
fi

# Linux 6.1 as a guest, in the kernel's Linux layout (its own build
# directory and script; SKIPPED when the tools cannot be had). The first
# run builds the Linux kernel (10-20 minutes on two cores), cached in
# build/linux-rv64; then about 10-30 s of boot under QEMU TCG.
if [ "${AXVM_RV_LINUX:-1}" = 1 ]; then
  "$root/tests/integration-riscv64/linux.sh" "$(dirname "$build")/rv64-linux" >"$log" 2>&1
  rc=$?
  cat "$log"
  pass=$((pass + $(grep -c '^PASS linux' "$log")))
  [ $rc -ne 0 ] && fail=$((fail + 1))
fi

echo "riscv64 guests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
