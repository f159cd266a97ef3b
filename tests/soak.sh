#!/usr/bin/env bash
# Soak: every QEMU case of both bare-metal targets (tests/integration-aarch64
# and tests/integration-riscv64), N rounds (default 20), with a CPU hog on
# every core the whole time, the load CI machines see. One case that fails
# once is one CI run lost, so this is how a flaky case is found before CI.
# Not part of ./scripts/test (too long: about a minute a round on 2 cores).
#
# usage: tests/soak.sh [N]       logs of failed cases: build/soak/
# Last line: "N passed, M failed", counting case runs (and extra checks).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-20}
logs=$root/build/soak
mkdir -p "$logs"

hogs=()
stop_hogs() { [ ${#hogs[@]} -gt 0 ] && kill "${hogs[@]}" 2>/dev/null; hogs=(); }
trap stop_hogs EXIT
for _ in $(seq "$(nproc)"); do
  (while :; do :; done) &
  hogs+=($!)
done
echo "soak: $rounds rounds, ${#hogs[@]} CPU hog(s) running ($(nproc) cores)"

passed=0 failed=0
for r in $(seq "$rounds"); do
  for arch in aarch64 riscv64; do
    out=$logs/round$r-$arch.log
    "$root/tests/integration-$arch/run.sh" >"$out" 2>&1
    line=$(grep -a "^$arch guests: " "$out" | tail -1)
    if [ -z "$line" ]; then
      echo "round $r $arch: no summary line (see $out)"
      failed=$((failed + 1))
      continue
    fi
    [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]
    p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
    passed=$((passed + p)) failed=$((failed + f))
    if [ "$f" -eq 0 ]; then
      rm -f "$out"
      echo "round $r $arch: $p passed"
    else
      echo "round $r $arch: $f failed: $(grep -a '^FAIL' "$out" | tr '\n' ' ') (log: $out)"
    fi
  done
done
stop_hogs
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
