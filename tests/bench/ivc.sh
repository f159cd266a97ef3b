#!/usr/bin/env bash
# The inter-VM channel's round trip (docs/ivc.md), in instructions: the
# ivc test guests ping-pong 500 rounds between two VMs on two pCPUs of the
# bare-metal kernel under QEMU -icount shift=0,sleep=off, where the
# virtual counter advances with every instruction the board executes (one
# nanosecond each), so the figure is the same on every machine and run.
# Each target boots twice and the two figures must agree.
#
#   bench ivc_round_trip_aarch64 <n> instr
#   bench ivc_round_trip_riscv64 <n> instr
#
# Kernels are built in build/a64-bench and build/rv64-bench.
# usage: tests/bench/ivc.sh [BUILD_DIR]  (BUILD_DIR, the host build
# scripts/bench passes, is not used).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
. tests/lib/bench-boot.sh

rc=0
for arch in aarch64 riscv64; do
  case $arch in aarch64) build=build/a64-bench ;; riscv64) build=build/rv64-bench ;; esac
  if ! command -v "qemu-system-$arch" >/dev/null; then
    echo "SKIPPED: ivc round trip ($arch): no qemu-system-$arch"
    continue
  fi
  bench_twice "ivc bench ($arch)" "$arch" "$build" "ivc_round_trip_$arch" \
    '^\[vm1\] RESULT ivc PASS' '^\[vm2\] RESULT ivc PASS' -- --ivc ivc ivc || rc=1
done
exit $rc
