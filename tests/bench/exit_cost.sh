#!/usr/bin/env bash
# The cost of a VM exit and of an interrupt on the bare-metal backends
# (AArch64 EL2, RISC-V HS-mode), in instructions (issue 15): the benchmark
# guests of tests/guests/<arch> time themselves with the architectural
# counter under QEMU -icount shift=0,sleep=off, where it advances with
# every instruction the board executes, so the figures are the same on
# every machine and every run. bench-exit runs twice and the two runs
# must agree line for line.
#
#   bench exit_null_call_<arch> <n> instr   PSCI_VERSION by HVC (aarch64),
#                                           SBI get_spec_version (riscv64)
#   bench exit_mmio_read_<arch> <n> instr   4-byte load, test device
#   bench irq_timer_latency_<arch> <n> instr  deadline -> handler, busy
#   bench ipi_latency_<arch> <n> instr      SGI / SBI IPI -> the other
#                                           vCPU's handler, two pCPUs
#   bench vcpu_switch_<arch> <n> instr      a time-slice switch between two
#                                           vCPUs on one pCPU (bench-switch)
#   aarch64 only: irq_timer_latency_wfi, irq_timer_eoi
#   bench exit_null_call_bare_<arch> <n> instr  the bare trap stub
#   bench exit_null_call_ratio_<arch> <r> x     libaxvm / bare trap
#
# Kernels are built in build/<a64|rv>-bench and (AXVM_BM_TEST_BARE_TRAP, a
# test build) build/<a64|rv>-bare. usage: tests/bench/exit_cost.sh
# [BUILD_DIR] (BUILD_DIR, the host build scripts/bench passes, is unused).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# RUN BUILD LOG GUEST [run options...]: boot GUEST in vm1 under icount.
boot() {
  local run=$1 build=$2 log=$3 guest=$4
  shift 4
  if ! "$run" --build-dir "$build" --no-build --icount --timeout 600 "$@" "$guest" - >"$log" 2>&1 ||
    ! grep -aq "RESULT $guest PASS" "$log"; then
    echo "exit_cost: $guest failed:" >&2
    tail -20 "$log" >&2
    return 1
  fi
}

benches() { grep -a '^\[vm1\] bench ' "$1" | sed 's/^\[vm1\] //'; }

# ARCH SHORT: every figure of one target.
costs() {
  local arch=$1 short=$2 run=scripts/run-$1 t=$tmp/$1
  mkdir -p "$t"
  command -v "qemu-system-$arch" >/dev/null ||
    { echo "SKIPPED: exit cost ($arch): no qemu-system-$arch"; return 0; }
  "$run" --build-dir "build/$short-bench" --build-only >"$t/build.log" 2>&1 ||
    { cat "$t/build.log" >&2; return 1; }
  "$run" --build-dir "build/$short-bare" --build-only -D AXVM_BM_TEST_BARE_TRAP=ON >"$t/build.log" 2>&1 ||
    { cat "$t/build.log" >&2; return 1; }

  local rc=0
  boot "$run" "build/$short-bench" "$t/exit1.log" bench-exit || return 1
  boot "$run" "build/$short-bench" "$t/exit2.log" bench-exit || return 1
  benches "$t/exit1.log" >"$t/a"
  benches "$t/exit2.log" >"$t/b"
  if ! cmp -s "$t/a" "$t/b"; then
    echo "exit_cost: two runs of bench-exit ($arch) disagree:" >&2
    diff "$t/a" "$t/b" >&2
    rc=1
  fi
  cat "$t/a"
  boot "$run" "build/$short-bench" "$t/switch.log" bench-switch --smp 1 || return 1
  benches "$t/switch.log"
  boot "$run" "build/$short-bare" "$t/bare.log" bench-exit || return 1
  benches "$t/bare.log" | grep "^bench exit_null_call_bare_$arch " >"$t/bare" ||
    { echo "exit_cost: the bare-trap build ($arch) did not answer the bare call" >&2; return 1; }
  cat "$t/bare"
  awk -v a="$arch" 'NR == FNR && $2 == "exit_null_call_" a { full = $3 }
       NR != FNR { bare = $3 }
       END { if (bare > 0) printf "bench exit_null_call_ratio_%s %.1f x\n", a, full / bare }' \
    "$t/a" "$t/bare"
  return $rc
}

rc=0
costs aarch64 a64 || rc=1
costs riscv64 rv || rc=1
exit $rc
