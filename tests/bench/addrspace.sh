#!/usr/bin/env bash
# Stage-2 page-table figures: 1 GiB mapped as 4 KiB and as 2 MiB pages
# (pages/s, table bytes, unmap rate, translate ns) and, with valgrind,
# instructions per mapped page:
#   addrspace_map_*_instr_per_page  (Ir(map 64 MiB) - Ir(setup only)) / pages,
#                                   libaxvm plus the Linux HAL's table
#                                   allocations (user-space part)
set -euo pipefail
build=${1:?usage: addrspace.sh BUILD_DIR}
bin=$build/tests/bench/bench_addrspace
"$bin"
command -v valgrind >/dev/null || { echo "addrspace.sh: valgrind missing, no instruction counts" >&2; exit 0; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ir() {
  valgrind --tool=callgrind --callgrind-out-file="$tmp/out" "$bin" --callgrind "$@" >/dev/null 2>&1
  awk '/^(summary|totals):/ {print $2; exit}' "$tmp/out"
}
mib=64
base=$(ir 0 4k)
for size in 4k 2m; do
  case $size in 4k) page=4096 ;; 2m) page=2097152 ;; esac
  pages=$(( mib * 1048576 / page ))
  total=$(ir $mib $size)
  echo "bench addrspace_map_${size}_instr_per_page $(( (total - base) / pages )) instr"
done
