#!/usr/bin/env bash
# The cost of a VM exit on the x86_64 SVM backend, in instructions: the
# bench-exit guest of tests/guests/x86_64 times itself with RDTSC under
# QEMU -icount shift=0,sleep=off, where the TSC advances with every
# instruction the board executes (guest and host), so the figures are the
# same on every machine and every run; it runs twice and the two runs must
# agree line for line. QEMU counts VMRUN and the #VMEXIT as instructions
# like any other: these are libaxvm's path lengths, not hardware cycles.
#
#   bench exit_null_call_x86_64 <n> instr   hypercall 0 by the 0xf5 doorbell
#   bench exit_io_x86_64 <n> instr          1-byte OUT to a device port
#
# The kernel is built in build/x64-bench. usage: exit_cost_x86_64.sh [BUILD_DIR]
# (BUILD_DIR, the host build scripts/bench passes, is not used).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
run=scripts/run-x86_64
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v qemu-system-x86_64 >/dev/null ||
  { echo "SKIPPED: exit cost (x86_64): no qemu-system-x86_64"; exit 0; }
"$run" --build-dir build/x64-bench --build-only >"$tmp/build.log" 2>&1 ||
  { cat "$tmp/build.log" >&2; exit 1; }

boot() { # LOG
  if ! "$run" --build-dir build/x64-bench --no-build --icount --smp 1 --timeout 600 \
    bench-exit >"$1" 2>&1 || ! grep -aq 'axvm: vm1: down, guest code 0' "$1"; then
    echo "exit_cost_x86_64: bench-exit failed:" >&2
    tail -20 "$1" >&2
    return 1
  fi
}
benches() { grep -a '^\[vm1\] bench ' "$1" | sed 's/^\[vm1\] //'; }

boot "$tmp/1.log" || exit 1
boot "$tmp/2.log" || exit 1
benches "$tmp/1.log" >"$tmp/a"
benches "$tmp/2.log" >"$tmp/b"
rc=0
if ! cmp -s "$tmp/a" "$tmp/b"; then
  echo "exit_cost_x86_64: two runs of bench-exit disagree:" >&2
  diff "$tmp/a" "$tmp/b" >&2
  rc=1
fi
cat "$tmp/a"
exit $rc
