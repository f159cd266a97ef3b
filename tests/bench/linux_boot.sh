#!/usr/bin/env bash
# Linux boot time, side by side in one run (issue 12): the same kernel and
# initramfs booted directly under QEMU (no hypervisor) and as a libaxvm
# guest of the bare-metal kernel, each to the guest's power-off, wall
# time. Runs alternate (direct, guest, direct, ...) so that load on the
# machine falls on both alike; the median of each side is compared.
#
#   bench linux_boot_ratio_<arch> <guest / direct> x
#   bench linux_boot_direct_<arch> <s> s, bench linux_boot_guest_<arch> <s> s
#   bench linux_boot_exits_per_s_<arch> <n> exits/s   (all vCPUs, guest run)
#   profile linux_boot_<arch> <exit kind> <count> <per s>   (informational)
#
# Same guest-visible CPU: the direct run masks what the hypervisor's
# ID-register filter hides from its guests (pointer authentication, SVE,
# SME, the PMU: docs/guest-abi-aarch64.md). Without that the direct
# kernel signs every return with QEMU's slow software QARMA and takes
# three times as long, which would flatter the hypervisor. On riscv64
# the direct CPU has the extensions the guest's riscv,isa leaves out
# (tests/guests/riscv64/linux.dts: rv64imafdc) turned off: H, Sstc (the
# guest's timer is SBI's), Svpbmt, Svinval, Svnapot, Zihintpause.
#
# usage: tests/bench/linux_boot.sh [BUILD_DIR]   (BUILD_DIR unused)
# Env: AXVM_BOOT_RUNS (default 3 per side).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
runs=${AXVM_BOOT_RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now_ns() { date +%s%N; }

median() { # values... -> the middle one (the lower of the two middles)
  printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"
}

# Sum the kernel's per-vCPU "exits: kind=n ..." lines of LOG into
# "kind count" lines.
exit_profile() {
  grep -a ' exits:' "$1" | sed 's/.* exits://' | tr ' ' '\n' | grep '=' |
    awk -F= '{ n[$1] += $2 } END { for (k in n) print k, n[k] }' | sort -k2,2nr
}

# LABEL LOG CMD...: run one boot to LOG; print its wall time in ns, or
# fail (status 1) when it did not reach the marker or exited non-zero.
timed_boot() {
  local label=$1 log=$2 t0 rc
  shift 2
  t0=$(now_ns)
  "$@" </dev/null >"$log" 2>&1
  rc=$?
  if [ $rc -ne 0 ] || ! grep -aq 'AXVM-LINUX-OK' "$log"; then
    echo "linux_boot: $label boot failed (rc $rc)" >&2
    tail -20 "$log" >&2
    return 1
  fi
  echo $(($(now_ns) - t0))
}

# ARCH DIRECT_CMD... -- GUEST_CMD... : time both, print the figures.
compare() {
  local arch=$1 i t
  shift
  local direct=() guest=()
  while [ "$1" != "--" ]; do direct+=("$1"); shift; done
  shift
  guest=("$@")
  local td=() tg=()
  for ((i = 0; i < runs; i++)); do
    t=$(timed_boot "$arch direct" "$tmp/direct.log" "${direct[@]}") || return 1
    td+=("$t")
    t=$(timed_boot "$arch guest" "$tmp/guest.log" "${guest[@]}") || return 1
    tg+=("$t")
  done
  local md mg
  md=$(median "${td[@]}")
  mg=$(median "${tg[@]}")
  awk -v d="$md" -v g="$mg" -v a="$arch" 'BEGIN {
    printf "bench linux_boot_ratio_%s %.3f x\n", a, g / d
    printf "bench linux_boot_direct_%s %.2f s\n", a, d / 1e9
    printf "bench linux_boot_guest_%s %.2f s\n", a, g / 1e9 }'
  # The profile of the last guest run, per second of that run.
  local last=${tg[$((runs - 1))]}
  exit_profile "$tmp/guest.log" >"$tmp/prof"
  awk -v t="$last" -v a="$arch" '{ s += $2; printf "profile linux_boot_%s %s %d %.0f/s\n", a, $1, $2, $2 / (t / 1e9) }
    END { printf "bench linux_boot_exits_per_s_%s %.0f exits/s\n", a, s / (t / 1e9) }' "$tmp/prof"
  local bytes
  bytes=$(grep -a '^\[vm1\] ' "$tmp/guest.log" | sed 's/^\[vm1\] //' | wc -c)
  echo "profile linux_boot_${arch} console_bytes $bytes"
}

# ARCH ASSETS_DIR APPEND DIRECT_QEMU...: fetch or build the assets, build
# the kernel, and compare the direct boot (DIRECT_QEMU plus the common
# options) with the guest boot (scripts/run-ARCH --linux).
boot_ratio() {
  local arch=$1 assets=$2 append=$3 st=0
  shift 3
  command -v "$1" >/dev/null || { echo "SKIPPED: linux_boot_ratio_$arch: no $1"; return 0; }
  "scripts/linux-$arch-assets" --dir "$assets" >"$tmp/assets.log" 2>&1 || st=$?
  if [ $st -eq 3 ]; then grep -a 'SKIPPED' "$tmp/assets.log"; return 0; fi
  [ $st -eq 0 ] || { cat "$tmp/assets.log" >&2; return 1; }
  "scripts/run-$arch" --build-only --linux "$assets/Image" >"$tmp/build.log" 2>&1 ||
    { cat "$tmp/build.log" >&2; return 1; }
  compare "$arch" timeout 600 "$@" -smp 2 -m 256M -nographic -no-reboot -nic none \
    -kernel "$assets/Image" -initrd "$assets/initrd.cpio.gz" -append "$append" -- \
    "scripts/run-$arch" --no-build --linux "$assets/Image" --initrd "$assets/initrd.cpio.gz" \
    --append "$append" --timeout 600
}

rc=0
boot_ratio aarch64 build/linux-a64 "console=ttyAMA0 earlycon=pl011,0x9000000" \
  qemu-system-aarch64 -M virt,gic-version=3 -cpu max,pauth=off,sve=off,sme=off,pmu=off || rc=1
boot_ratio riscv64 build/linux-rv64 "console=ttyS0 earlycon" \
  qemu-system-riscv64 -M virt -bios default \
  -cpu rv64,h=false,sstc=false,svpbmt=false,svinval=false,svnapot=false,Zihintpause=false || rc=1
exit $rc
