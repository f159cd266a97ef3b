#!/usr/bin/env bash
# The cost of a VM exit and of an interrupt on the bare-metal EL2 backend,
# in instructions (issue 15): the benchmark guests of tests/guests/aarch64
# (bench-exit, bench-switch) time themselves with the virtual counter
# under QEMU -icount shift=0,sleep=off, where it advances with every
# instruction the board executes, so the figures are the same on every
# machine and every run. bench-exit runs twice and the two runs must
# agree line for line.
#
#   bench exit_null_call_aarch64 <n> instr       PSCI_VERSION by HVC
#   bench exit_mmio_read_aarch64 <n> instr       4-byte load, test device
#   bench irq_timer_latency_aarch64 <n> instr    deadline -> handler, busy
#   bench irq_timer_latency_wfi_aarch64 <n> instr  the same, guest in WFI
#   bench irq_timer_eoi_aarch64 <n> instr        the handler's IAR + EOI
#   bench ipi_latency_aarch64 <n> instr          SGI -> the other vCPU's
#                                                handler, two pCPUs
#   bench vcpu_switch_aarch64 <n> instr          time-slice switch, one pCPU
#   bench exit_null_call_bare_aarch64 <n> instr  the bare trap stub
#   bench exit_null_call_ratio_aarch64 <r> x     libaxvm / bare trap
#
# Kernels are built in build/a64-bench and (AXVM_BM_TEST_BARE_TRAP, a test
# build) build/a64-bare. usage: tests/bench/exit_cost.sh [BUILD_DIR]
# (BUILD_DIR, the host build scripts/bench passes, is not used).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
run=scripts/run-aarch64
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v qemu-system-aarch64 >/dev/null ||
  { echo "SKIPPED: exit cost (aarch64): no qemu-system-aarch64"; exit 0; }

# BUILD LOG GUEST [run-aarch64 options...]: boot GUEST in vm1 under icount.
boot() {
  local build=$1 log=$2 guest=$3
  shift 3
  if ! "$run" --build-dir "$build" --no-build --icount --timeout 600 "$@" "$guest" - >"$log" 2>&1 ||
    ! grep -aq "RESULT $guest PASS" "$log"; then
    echo "exit_cost: $guest failed:" >&2
    tail -20 "$log" >&2
    return 1
  fi
}

benches() { grep -a '^\[vm1\] bench ' "$1" | sed 's/^\[vm1\] //'; }

"$run" --build-dir build/a64-bench --build-only >"$tmp/build.log" 2>&1 ||
  { cat "$tmp/build.log" >&2; exit 1; }
"$run" --build-dir build/a64-bare --build-only -D AXVM_BM_TEST_BARE_TRAP=ON >"$tmp/build.log" 2>&1 ||
  { cat "$tmp/build.log" >&2; exit 1; }

rc=0
boot build/a64-bench "$tmp/exit1.log" bench-exit || exit 1
boot build/a64-bench "$tmp/exit2.log" bench-exit || exit 1
benches "$tmp/exit1.log" >"$tmp/a"
benches "$tmp/exit2.log" >"$tmp/b"
if ! cmp -s "$tmp/a" "$tmp/b"; then
  echo "exit_cost: two runs of bench-exit disagree:" >&2
  diff "$tmp/a" "$tmp/b" >&2
  rc=1
fi
cat "$tmp/a"
boot build/a64-bench "$tmp/switch.log" bench-switch --smp 1 || exit 1
benches "$tmp/switch.log"
boot build/a64-bare "$tmp/bare.log" bench-exit || exit 1
benches "$tmp/bare.log" | grep '^bench exit_null_call_bare_aarch64 ' >"$tmp/bare" ||
  { echo "exit_cost: the bare-trap build did not answer the bare call" >&2; exit 1; }
cat "$tmp/bare"
awk 'NR == FNR && $2 == "exit_null_call_aarch64" { full = $3 }
     NR != FNR { bare = $3 }
     END { if (bare > 0) printf "bench exit_null_call_ratio_aarch64 %.1f x\n", full / bare }' \
  "$tmp/a" "$tmp/bare"
exit $rc
