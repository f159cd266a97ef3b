#!/usr/bin/env bash
# Exit-dispatch figures: wall-clock ns/exit, allocations inside the run loop,
# VM lifecycle time, and (with valgrind) instructions per dispatched exit.
#   dispatch_loop_instr_per_exit_*  the whole loop: libaxvm + mock backend +
#                                   the no-op device, (Ir(N2)-Ir(N1))/(N2-N1)
#                                   so setup and teardown cancel out
#   dispatch_instr_per_exit_*       libaxvm alone: the same minus the
#                                   backend's and device's own instructions
set -euo pipefail
build=${1:?usage: dispatch.sh BUILD_DIR}
bin=$build/tests/bench/bench_dispatch
"$bin"
command -v valgrind >/dev/null || { echo "dispatch.sh: valgrind missing, no instruction counts" >&2; exit 0; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
total() { awk '/^(summary|totals):/ {print $2; exit}' "$1"; }
# Self cost of the functions that are not libaxvm (mock backend, device).
outside() {
  callgrind_annotate --threshold=100 "$1" 2>/dev/null |
    awk '/:(mock_|nop_)/ { gsub(",", "", $1); s += $1 } END { print s + 0 }'
}
n1=65536; n2=327680
for d in 1 16 256; do
  valgrind --tool=callgrind --callgrind-out-file="$tmp/a" "$bin" --exits $n1 --devices $d >/dev/null 2>&1
  valgrind --tool=callgrind --callgrind-out-file="$tmp/b" "$bin" --exits $n2 --devices $d >/dev/null 2>&1
  a=$(total "$tmp/a"); b=$(total "$tmp/b")
  oa=$(outside "$tmp/a"); ob=$(outside "$tmp/b")
  loop=$(( (b - a) / (n2 - n1) ))
  core=$(( ((b - ob) - (a - oa)) / (n2 - n1) ))
  echo "bench dispatch_loop_instr_per_exit_${d}dev $loop instr"
  echo "bench dispatch_instr_per_exit_${d}dev $core instr"
done
