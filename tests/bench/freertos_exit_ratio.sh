#!/usr/bin/env bash
# The per-exit cost of the FreeRTOS-hosted path against the bare-metal
# kernel's (issue 14): the bench-exit guest's null call (PSCI_VERSION by
# HVC, in instructions under QEMU -icount shift=0,sleep=off, as in
# tests/bench/exit_cost.sh) hosted by the FreeRTOS EL2 firmware
# (ports/freertos/demo-aarch64) and by the bare-metal kernel.
#
#   bench freertos_exit_null_call_aarch64 <n> instr
#   bench freertos_exit_ratio_aarch64 <r> x     FreeRTOS / bare metal
#
# Needs FREERTOS_KERNEL_PATH (else one SKIPPED line). Builds in
# build/freertos-a64-bench and build/a64-bench.
# usage: tests/bench/freertos_exit_ratio.sh [BUILD_DIR] (not used)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
if [ -z "${FREERTOS_KERNEL_PATH:-}" ]; then
  echo "SKIPPED: freertos_exit_ratio_aarch64: FREERTOS_KERNEL_PATH not set"
  exit 0
fi
command -v qemu-system-aarch64 >/dev/null ||
  { echo "SKIPPED: freertos_exit_ratio_aarch64: no qemu-system-aarch64"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

scripts/run-freertos-aarch64 --build build/freertos-a64-bench --timeout 600 \
  --qemu -icount --qemu shift=0,sleep=off bench-exit:2 >"$tmp/rtos.log" 2>&1 ||
  { tail -20 "$tmp/rtos.log" >&2; echo "freertos_exit_ratio: the FreeRTOS run failed" >&2; exit 1; }
scripts/run-aarch64 --build-dir build/a64-bench --build-only >"$tmp/build.log" 2>&1 ||
  { cat "$tmp/build.log" >&2; exit 1; }
scripts/run-aarch64 --build-dir build/a64-bench --no-build --icount --timeout 600 bench-exit - \
  >"$tmp/bm.log" 2>&1 && grep -aq "RESULT bench-exit PASS" "$tmp/bm.log" ||
  { tail -20 "$tmp/bm.log" >&2; echo "freertos_exit_ratio: the bare-metal run failed" >&2; exit 1; }

null_call() { grep -a 'bench exit_null_call_aarch64 ' "$1" | awk '{ print $(NF-1) }' | head -1; }
rtos=$(null_call "$tmp/rtos.log")
bm=$(null_call "$tmp/bm.log")
[ -n "$rtos" ] && [ -n "$bm" ] ||
  { echo "freertos_exit_ratio: no null-call figure (FreeRTOS '$rtos', bare metal '$bm')" >&2; exit 1; }
echo "bench freertos_exit_null_call_aarch64 $rtos instr"
awk -v r="$rtos" -v b="$bm" 'BEGIN { printf "bench freertos_exit_ratio_aarch64 %.2f x\n", r / b }'
