#!/usr/bin/env bash
# AArch64 guests under QEMU through the bare-metal EL2 port: builds the
# kernel and guests once (scripts/run-aarch64 --build-only), then boots each
# case, checks the guest's and the kernel's output, and that QEMU exited on
# its own (board powered off) within the timeout. One line per case:
# "PASS <case>" or "FAIL <case>: <why>"; exits 1 if any case failed.
#
# usage: tests/integration-aarch64/run.sh [BUILD_DIR]   (default build/a64-image)
# Prints "SKIPPED: <reason>" and exits 0 when QEMU or a cross compiler is
# missing.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/a64-image}
run="$root/scripts/run-aarch64"
timeout_s=${AXVM_A64_CASE_TIMEOUT:-30}

command -v qemu-system-aarch64 >/dev/null || { echo "SKIPPED: qemu-system-aarch64 not found"; exit 0; }
command -v aarch64-linux-gnu-gcc >/dev/null || command -v clang >/dev/null ||
  { echo "SKIPPED: no AArch64 cross compiler (aarch64-linux-gnu-gcc or clang)"; exit 0; }

echo "== building kernel and guests in $build"
"$run" --build-dir "$build" --build-only || { echo "FAIL build"; exit 1; }

pass=0 fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# case NAME "QEMU args for run-aarch64" EXPECT... ; a pattern starting with
# '!' must not appear. Every case also needs the power-off line, exit 0, no
# panic, no guest FAIL line, and an empty page pool after teardown.
case_() {
  local name=$1 args=$2; shift 2
  local why="" t0=$SECONDS rc
  # shellcheck disable=SC2086
  "$run" --build-dir "$build" --no-build --timeout "$timeout_s" $args >"$log" 2>&1
  rc=$?
  [ $rc -eq 124 ] && why="timed out after ${timeout_s} s"
  [ -z "$why" ] && [ $rc -ne 0 ] && why="QEMU exit status $rc"
  local p
  for p in "axvm: all VMs stopped, powering off" \
           "axvm: page pool: 0 of" "!PANIC" "!FAIL:" "!TIMEOUT" "$@"; do
    [ -n "$why" ] && break
    if [ "${p:0:1}" = "!" ]; then
      grep -qF -- "${p:1}" "$log" && why="unexpected: ${p:1}"
    else
      grep -qF -- "$p" "$log" || why="missing: $p"
    fi
  done
  if [ -z "$why" ]; then
    echo "PASS $name ($((SECONDS - t0)) s)"
    pass=$((pass + 1))
  else
    echo "FAIL $name: $why"
    sed 's/^/    | /' "$log"
    fail=$((fail + 1))
  fi
}

# Every byte of hello's greeting is a trapped MMIO write: at least 120.
hello_exits() {
  local n
  n=$(sed -n 's/.*vm1 vCPU 0 exits:.*mmio_write=\([0-9]*\).*/\1/p' "$log")
  [ "${n:-0}" -ge 120 ]
}

case_ hello "hello -" \
  "[vm1] Hello from an AxVM guest on AArch64!" "[vm1] RESULT hello PASS" \
  "axvm: vm1: down, guest code 0 (PSCI SYSTEM_OFF)"
hello_exits || { echo "FAIL hello-exits: fewer trapped UART writes than bytes"; fail=$((fail + 1)); }

case_ mmio "mmio -" "[vm1] RESULT mmio PASS" "sysreg_read=2"

case_ hypercall "hypercall -" "[vm1] RESULT hypercall PASS" \
  "[vm1] hypercall putnum 4242" "hypercall=5"

case_ smp "smp -" "[vm1] RESULT smp PASS" "[vm1] smp: vCPU 1 up, context 0x1234" \
  "[vm1] smp: vCPU 1 up, context 0x5678" "[vm1] smp: vCPU 1 up, context 0x9999" \
  "axvm: vm1 vCPU 1: PSCI CPU_OFF" "send_ipi=" "axvm: vm1: down, guest code 0"

case_ timer "timer -" "[vm1] RESULT timer PASS" "[vm1] timer: 5 ticks in"

case_ off "off -" "[vm1] off: calling PSCI SYSTEM_OFF" \
  "axvm: vm1: down, guest code 0 (PSCI SYSTEM_OFF)" "!RESULT"

case_ isv0 "isv0 -" "[vm1] isv0: ldp from the test device" \
  "axvm: vm1 vCPU 0 stopped: unhandled nested_page_fault at 0xa000000" \
  "axvm: vm1: down (stopped by the host)" "!RESULT"

case_ reset "reset -" "[vm1] reset: first boot" \
  "axvm: vm1: guest asked for a reset, rebooting (1 of 3)" \
  "[vm1] reset: boot 2 after SYSTEM_RESET" "[vm1] RESULT reset PASS" \
  "axvm: vm1: down, guest code 0"

case_ fpu "fpu -" "[vm1] fpu: FP/SIMD state kept" "[vm1] RESULT fpu PASS"
# A WFI waiting for the guest's timer is one halt exit per wait, not a
# busy loop of exits (the fpu guest waits four times).
fpu_halts() {
  local n
  n=$(sed -n 's/.*vm1 vCPU 0 exits:.* halt=\([0-9]*\).*/\1/p' "$log")
  [ "${n:-0}" -ge 1 ] && [ "${n:-0}" -le 40 ]
}
fpu_halts || { echo "FAIL fpu-halts: halt exits not 1..40 (a busy WFI loop?)"; fail=$((fail + 1)); }

case_ hostile "hostile -" "[vm1] RESULT hostile PASS" "axvm: vm1: down, guest code 0"

case_ two-vms "hello timer" "[vm1] RESULT hello PASS" "[vm2] RESULT timer PASS" \
  "axvm: vm1: down, guest code 0" "axvm: vm2: down, guest code 0"

case_ two-vms-mmio-hypercall "mmio hypercall" "[vm1] RESULT mmio PASS" \
  "[vm2] RESULT hypercall PASS"

# smp's vCPU 1 and fpu's vCPU share pCPU 1: each must start with zeroed
# FP/SIMD registers and keep its own.
case_ fp-isolation "smp fpu" "[vm1] RESULT smp PASS" "[vm2] RESULT fpu PASS"

case_ cortex-a57 "--cpu cortex-a57 smp timer" "[vm1] RESULT smp PASS" \
  "[vm2] RESULT timer PASS"

case_ cortex-a57-hostile "--cpu cortex-a57 hostile mmio" "[vm1] RESULT hostile PASS" \
  "[vm2] RESULT mmio PASS"

echo "aarch64 guests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
