#!/usr/bin/env bash
# KVM exit cost: the many-exits guest (10^6 port writes) through axvm-run's
# full path (libaxvm run loop, dispatch, device lookup, the UART model) and
# under bench_kvm_raw's bare KVM_RUN loop, interleaved ROUNDS times (default
# 3); the best round of each side counts (the least disturbed one).
#   kvm_exit_{axvm,raw}_ns, kvm_exit_ratio: the vCPU thread's CPU time per
#     exit. On a shared machine a thread waits for a CPU for a good part of
#     the wall time; CPU time leaves that out and is what an exit costs.
#   kvm_exit_{axvm,raw}_wall_ns, kvm_exit_wall_ratio: wall time per exit.
# Then the VM create -> first exit -> destroy latency through libaxvm.
# Inside scripts/with-kvm's QEMU guest (AXVM_WITH_KVM_EMULATED=1) every
# figure is of emulated SVM under TCG and is named emulated_kvm_*, so it is
# never compared with a native kvm_* one.
#   kvm_exit.sh BUILD_DIR [ROUNDS]
set -euo pipefail
build=${1:?usage: kvm_exit.sh BUILD_DIR [ROUNDS]}
run=$build/examples/axvm-run/axvm-run
raw=$build/tests/bench/bench_kvm_raw
lat=$build/tests/integration/kvm_vm_latency
guests=$build/tests/guests/x86_64
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
  echo "SKIPPED: no /dev/kvm (scripts/bench runs this through scripts/with-kvm)"; exit 0
fi
# Emulated, one round by default: a round takes minutes under TCG and its
# figures only tell the order of magnitude anyway.
kvm=kvm round=round rounds=${2:-${AXVM_KVM_BENCH_ROUNDS:-3}}
if [ "${AXVM_WITH_KVM_EMULATED:-0}" = 1 ]; then
  kvm=emulated_kvm round="emulated round" rounds=${2:-${AXVM_KVM_BENCH_ROUNDS:-1}}
fi
for f in "$run" "$raw" "$lat" "$guests/many-exits.elf" "$guests/many-exits.bin"; do
  [ -e "$f" ] || { echo "SKIPPED: $f missing (not a KVM build?)"; exit 0; }
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

best_axvm= best_raw= best_axvm_cpu= best_raw_cpu=
min() { if [ -z "$1" ] || [ "$2" -lt "$1" ]; then echo "$2"; else echo "$1"; fi; }
for ((i = 1; i <= rounds; i++)); do
  "$run" --kernel "$guests/many-exits.elf" --stats >/dev/null 2>"$tmp/axvm" ||
    { cat "$tmp/axvm" >&2; echo "kvm_exit.sh: axvm-run failed" >&2; exit 1; }
  ns=$(awk '/^stats: vcpu 0 run_ns/ {print $5}' "$tmp/axvm")
  exits=$(awk '/^stats: vcpu 0 run_ns/ {print $7}' "$tmp/axvm")
  cpu=$(awk '/^stats: vcpu 0 thread_cpu_ns/ {print $5}' "$tmp/axvm")
  a=$((ns / exits)); ac=$((cpu / exits))
  "$raw" "$guests/many-exits.bin" >"$tmp/raw" ||
    { cat "$tmp/raw" >&2; echo "kvm_exit.sh: bench_kvm_raw failed" >&2; exit 1; }
  read -r _ _ rexits _ rns _ rcpu _ _ <"$tmp/raw"
  r=$((rns / rexits)); rc=$((rcpu / rexits))
  echo "$round $i: axvm $a ns/exit ($ac cpu), raw $r ns/exit ($rc cpu), exits $exits/$rexits" >&2
  best_axvm=$(min "$best_axvm" "$a"); best_raw=$(min "$best_raw" "$r")
  best_axvm_cpu=$(min "$best_axvm_cpu" "$ac"); best_raw_cpu=$(min "$best_raw_cpu" "$rc")
done
ratio() { awk -v a="$1" -v r="$2" 'BEGIN {printf "%.3f", a / r}'; }
echo "bench ${kvm}_exit_axvm_ns $best_axvm_cpu ns"
echo "bench ${kvm}_exit_raw_ns $best_raw_cpu ns"
echo "bench ${kvm}_exit_ratio $(ratio "$best_axvm_cpu" "$best_raw_cpu") x"
echo "bench ${kvm}_exit_axvm_wall_ns $best_axvm ns"
echo "bench ${kvm}_exit_raw_wall_ns $best_raw ns"
echo "bench ${kvm}_exit_wall_ratio $(ratio "$best_axvm" "$best_raw") x"
"$lat" "$guests/hello.elf" 20 | sed "s/^bench kvm_/bench ${kvm}_/"
