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
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rc=0
for arch in aarch64 riscv64; do
  case $arch in aarch64) build=build/a64-bench ;; riscv64) build=build/rv64-bench ;; esac
  if ! command -v "qemu-system-$arch" >/dev/null; then
    echo "SKIPPED: ivc round trip ($arch): no qemu-system-$arch"
    continue
  fi
  "scripts/run-$arch" --build-dir "$build" --build-only >"$tmp/build.log" 2>&1 ||
    { cat "$tmp/build.log" >&2; rc=1; continue; }
  for n in 1 2; do
    if ! "scripts/run-$arch" --build-dir "$build" --no-build --icount --timeout 600 --ivc ivc ivc \
      >"$tmp/run$n.log" 2>&1 || ! grep -aq '^\[vm1\] RESULT ivc PASS' "$tmp/run$n.log" ||
      ! grep -aq '^\[vm2\] RESULT ivc PASS' "$tmp/run$n.log"; then
      echo "ivc bench ($arch): the ping-pong failed:" >&2
      tail -20 "$tmp/run$n.log" >&2
      rc=1
      continue 2
    fi
    grep -a "^\[vm1\] bench ivc_round_trip_$arch " "$tmp/run$n.log" | sed 's/^\[vm1\] //' >"$tmp/b$n"
  done
  if [ ! -s "$tmp/b1" ] || ! cmp -s "$tmp/b1" "$tmp/b2"; then
    echo "ivc bench ($arch): two runs disagree or printed nothing:" >&2
    cat "$tmp/b1" "$tmp/b2" >&2
    rc=1
    continue
  fi
  cat "$tmp/b1"
done
exit $rc
