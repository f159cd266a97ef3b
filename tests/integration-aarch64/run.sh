#!/usr/bin/env bash
# AArch64 guests under QEMU through the bare-metal EL2 port: builds the
# kernel and guests once (scripts/run-aarch64 --build-only), then boots each
# case, checks the guest's and the kernel's output, and that QEMU exited on
# its own (board powered off) within the timeout. One line per case:
# "PASS <case>" or "FAIL <case>: <why>"; exits 1 if any case failed.
#
# usage: tests/integration-aarch64/run.sh [BUILD_DIR]   (default build/a64-image)
# The last case boots Linux (tests/integration-aarch64/linux.sh, its kernel
# built next to BUILD_DIR in a64-linux); AXVM_A64_LINUX=0 leaves it out.
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

. "$root/tests/lib/qemu-cases.sh"

# Every byte of hello's greeting is a trapped MMIO write: at least 120.
case_ hello "hello -" \
  "[vm1] Hello from an AxVM guest on AArch64!" "[vm1] RESULT hello PASS" \
  "axvm: vm1: down, guest code 0 (PSCI SYSTEM_OFF)"
[ "$(exit_count vm1 0 mmio_write)" -ge 120 ]
extra_check "hello-exits: fewer trapped UART writes than bytes" $?

case_ mmio "mmio -" "[vm1] RESULT mmio PASS" "sysreg_read=2"

case_ hypercall "hypercall -" "[vm1] RESULT hypercall PASS" \
  "[vm1] hypercall putnum 4242" "hypercall=5"

case_ smp "smp -" "[vm1] RESULT smp PASS" "[vm1] smp: vCPU 1 up, context 0x1234" \
  "[vm1] smp: vCPU 1 up, context 0x5678" "[vm1] smp: vCPU 1 up, context 0x9999" \
  "axvm: vm1 vCPU 1: PSCI CPU_OFF" "[vm1] smp: vCPU 1 got 2 SGI(s)" "axvm: vm1: down, guest code 0"

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
n=$(exit_count vm1 0 halt)
[ "$n" -ge 1 ] && [ "$n" -le 40 ]
extra_check "fpu-halts: $n halt exits, not 1..40 (a busy WFI loop?)" $?

case_ hostile "hostile -" "[vm1] RESULT hostile PASS" "axvm: vm1: down, guest code 0"

# A misaligned access crossing from RAM (or unclaimed space) into a page
# no RAM backs is refused with an abort the guest sees, never emulated.
case_ straddle "straddle -" "[vm1] RESULT straddle PASS" "axvm: vm1: down, guest code 0"

# PSCI CPU_SUSPEND is a WFI: 20 standby calls with the timer firing now
# (PPI 27 disabled) return without a halt exit, like WFI; the one real
# standby at the end halts (once, or a few times if woken early).
case_ suspend "suspend -" "[vm1] RESULT suspend PASS" "axvm: vm1: down, guest code 0"
n=$(exit_count vm1 0 halt)
[ "$n" -ge 1 ] && [ "$n" -le 5 ]
extra_check "suspend-halts: $n halt exits, not 1..5 (CPU_SUSPEND halting where WFI would not?)" $?

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

case_ cortex-a57-straddle "--cpu cortex-a57 straddle -" "[vm1] RESULT straddle PASS"

# Time slices on the shared pCPU 1 (the same for every target).
shared_pcpu_cases
icount_cases
input_case

# Four VMs at once, two per pCPU (vm3 on pCPU 0 beside vm1's vCPU 0,
# vm2 and vm4 on pCPU 1 beside vm1's vCPU 1).
case_ four-vms "hello timer mmio hypercall" "[vm1] RESULT hello PASS" \
  "[vm2] RESULT timer PASS" "[vm3] RESULT mmio PASS" "[vm4] RESULT hypercall PASS" \
  "axvm: vm4: down, guest code 0"

# Two VMs over an inter-VM channel, fair and hostile (docs/ivc.md).
ivc_cases 0x40000000 0x48000000 0xb000000 40

# Configs the kernel must refuse: it prints why and starts no VM.
refused_config_cases 0x40000000 0x48000000 0x41000000

# The kernel without virtio, channels and the guest DTB writer: what needs
# none still runs, a config that asks for one is refused by name.
minimal_kernel_cases 0x40000000 0x48000000 0xb000000 40

# That kernel with the dictionary log refusing a config: the error's text
# comes from the decoder's table, not from the image.
dict_log_refused_case 0x40000000 0x48000000

# The same kernel with its VMs compiled in (AXVM_BM_CONFIG_C) instead of
# parsed from a blob at boot; a config it could not honour fails its build.
builtin_config_cases aarch64 0x40000000 0x48000000 0xb000000 40

# An exception the kernel takes at EL2 itself (a test build's BRK on CPU 0
# once both CPUs are up) reaches its fatal report through the backend's
# vector table, which the kernel keeps in VBAR_EL2: slot 4 (current EL,
# SP_ELx, sync), the BRK's syndrome, and the board powered off.
fault=${build}-host-fault
echo "== building the host-fault test kernel in $fault"
if "$run" --build-dir "$fault" --build-only -D AXVM_BM_TEST_HOST_FAULT=ON >"$log" 2>&1; then
  t0=$SECONDS
  "$run" --build-dir "$fault" --no-build --timeout "$timeout_s" hello - >"$log" 2>&1
  why=$(log_why "$log" $? "axvm: PANIC: EL2 exception 4 on CPU 0: ESR f2000000 ELR " \
    "!pCPU(s) online" "![vm1]" "!TIMEOUT")
  case_verdict host-fault "$why" "$log" "$t0"
else
  case_verdict host-fault "build failed" "$log" "$SECONDS"
fi
# The same report through the dictionary log (AXVM_BM_DICT_LOG): panic's
# record, decoded, is the same line, and the raw console lacks it.
fault=${build}-host-fault-dict
echo "== building the host-fault test kernel with the dictionary log in $fault"
if "$run" --build-dir "$fault" --build-only -D AXVM_BM_TEST_HOST_FAULT=ON \
  -D AXVM_BM_DICT_LOG=ON >"$log" 2>&1; then
  t0=$SECONDS
  raw=$(mktemp)
  "$run" --build-dir "$fault" --no-build --timeout "$timeout_s" hello - >"$raw" 2>&1
  why=$(log_why "$raw" $? "$(printf '\x1e')p" "!PANIC" "!TIMEOUT")
  if [ -z "$why" ]; then
    "$root/scripts/axvm-log-decode" "$fault/axvm-baremetal.elf" "$raw" >"$log" 2>&1 ||
      why="the decoder refused a record"
    [ -z "$why" ] && why=$(log_why "$log" 0 \
      "axvm: PANIC: EL2 exception 4 on CPU 0: ESR f2000000 ELR " "!pCPU(s) online" "![vm1]")
  else
    cp "$raw" "$log"
  fi
  rm -f "$raw"
  case_verdict host-fault-dict-log "$why" "$log" "$t0"
else
  case_verdict host-fault-dict-log "build failed" "$log" "$SECONDS"
fi

# Debian's arm64 Linux as a guest, in the kernel's Linux layout (its own
# build directory and script; SKIPPED when the kernel package cannot be
# had). About 5-10 s of boot on an idle machine, plus its kernel build.
if [ "${AXVM_A64_LINUX:-1}" = 1 ]; then
  "$root/tests/integration-aarch64/linux.sh" "$(dirname "$build")/a64-linux" >"$log" 2>&1
  rc=$?
  cat "$log"
  pass=$((pass + $(grep -c '^PASS linux' "$log")))
  [ $rc -ne 0 ] && fail=$((fail + 1))
fi

echo "aarch64 guests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
