#!/usr/bin/env bash
# KVM exit cost in user-space instructions, deterministic: callgrind counts
# the instructions of axvm-run's vCPU thread, and of bench_kvm_raw's bare
# KVM_RUN loop, on the uart-exits guest at two exit counts (2000 and 4000
# port writes to the UART data port); the difference over the extra exits
# leaves start-up out. The counts are user-space only, so they are the same
# on native KVM and inside scripts/with-kvm's emulated SVM (named
# emulated_kvm_* there all the same, as kvm_exit.sh does).
#   kvm_{axvm,raw}_user_instr_per_exit, kvm_user_instr_per_exit_extra
#   kvm_instr.sh BUILD_DIR [--annotate]   (--annotate: per-function table
#   of the axvm-run difference on stderr)
set -euo pipefail
build=${1:?usage: kvm_instr.sh BUILD_DIR [--annotate]}
annotate=${2:-}
run=$build/examples/axvm-run/axvm-run
raw=$build/tests/bench/bench_kvm_raw
guests=$build/tests/guests/x86_64
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
  echo "SKIPPED: no /dev/kvm (scripts/bench runs this through scripts/with-kvm)"; exit 0
fi
command -v valgrind >/dev/null || { echo "SKIPPED: no valgrind (apt-get install valgrind)"; exit 0; }
kvm=kvm
[ "${AXVM_WITH_KVM_EMULATED:-0}" = 1 ] && kvm=emulated_kvm
lo=2000 hi=4000
for f in "$run" "$raw" "$guests/uart-exits-$lo.elf" "$guests/uart-exits-$hi.bin"; do
  [ -e "$f" ] || { echo "SKIPPED: $f missing (not a KVM build?)"; exit 0; }
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cg=(valgrind --tool=callgrind --separate-threads=yes --dump-instr=no)

# Ir of one callgrind output file (its "totals:" or "summary:" line).
ir() { awk '/^(totals|summary):/ {print $2; exit}' "$1"; }

# axvm-run: thread 2 is vCPU 0's (thread 1, the main one, wakes every 20 ms
# to watch the VM, so its count depends on time). Prints "Ir exits".
axvm() {
  local n=$1 out=$tmp/axvm-$1
  "${cg[@]}" --callgrind-out-file="$out" "$run" --stats \
    --kernel "$guests/uart-exits-$n.elf" >/dev/null 2>"$tmp/log-$n" ||
    { cat "$tmp/log-$n" >&2; echo "kvm_instr.sh: axvm-run failed" >&2; exit 1; }
  echo "$(ir "$out-02") $(awk '/^stats: total exits/ {print $4}' "$tmp/log-$n")"
}
raw() {
  local n=$1 out=$tmp/raw-$1
  "${cg[@]}" --callgrind-out-file="$out" "$raw" "$guests/uart-exits-$n.bin" \
    >"$tmp/rawlog-$n" 2>"$tmp/rawerr-$n" ||
    { cat "$tmp/rawlog-$n" "$tmp/rawerr-$n" >&2; echo "kvm_instr.sh: bench_kvm_raw failed" >&2; exit 1; }
  echo "$(ir "$out-01") $(awk '{print $3}' "$tmp/rawlog-$n")"
}
per() { awk -v a="$1" -v b="$2" -v x="$3" -v y="$4" \
  'BEGIN {if (y <= x) exit 1; printf "%.1f", (b - a) / (y - x)}'; }

read -r a1 ax1 <<<"$(axvm $lo)"; read -r a2 ax2 <<<"$(axvm $hi)"
read -r r1 rx1 <<<"$(raw $lo)"; read -r r2 rx2 <<<"$(raw $hi)"
echo "kvm_instr: axvm-run Ir $a1/$a2 exits $ax1/$ax2, raw Ir $r1/$r2 exits $rx1/$rx2" >&2
pa=$(per "$a1" "$a2" "$ax1" "$ax2") pr=$(per "$r1" "$r2" "$rx1" "$rx2")
echo "bench ${kvm}_axvm_user_instr_per_exit $pa instr"
echo "bench ${kvm}_raw_user_instr_per_exit $pr instr"
echo "bench ${kvm}_user_instr_per_exit_extra $(awk -v a="$pa" -v r="$pr" 'BEGIN {printf "%.1f", a - r}') instr"
if [ "$annotate" = --annotate ]; then
  # Per function, self cost: the hi run minus the lo run, over the extra
  # exits. The key leaves out the percentage, which differs between runs.
  for n in $lo $hi; do
    callgrind_annotate --auto=no --threshold=100 "$tmp/axvm-$n-02" |
      awk '/^ *[0-9,]+ .*:/ {gsub(",", "", $1); sub(/ \[.*/, ""); n = $1; $1 = ""
        sub(/^ *\( *[0-9.]+%\) */, ""); if (!seen[$0]++) print $0 "\t" n}' \
      >"$tmp/fn-$n"
  done
  awk -F'\t' -v d=$((ax2 - ax1)) 'NR == FNR {lo[$1] = $2; next}
    {x = ($2 - lo[$1]) / d; if (x >= 0.5) printf "%8.1f  %s\n", x, $1}' \
    "$tmp/fn-$lo" "$tmp/fn-$hi" | sort -rn >&2
fi
