#!/usr/bin/env bash
# Linux as a guest (issue 12): Debian 12's own arm64 kernel boots in the
# bare-metal kernel's Linux layout (AXVM_BM_LINUX: one VM, 2 vCPUs,
# 256 MiB) to a busybox initramfs whose /init prints uname -r, the CPU
# count and the sha256 of a file this test makes now, then powers off
# (PSCI SYSTEM_OFF), after which the kernel must power the board off.
# Slow: a kernel build of its own, and the boot takes 20-60 s of QEMU
# time depending on the load of the machine (TCG, nested EL2).
#
# usage: tests/integration-aarch64/linux.sh [BUILD_DIR]  (default build/a64-linux)
# Fetches the assets with scripts/linux-aarch64-assets when they are not
# cached (Debian's archive, root); prints "SKIPPED: reason" and exits 0
# when they cannot be had or QEMU is missing. "PASS linux (N s)" or
# "FAIL linux: why" (exit 1) otherwise.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/a64-linux}
timeout_s=${AXVM_LINUX_TIMEOUT:-300}
assets=$root/build/linux-a64

command -v qemu-system-aarch64 >/dev/null || { echo "SKIPPED: qemu-system-aarch64 not found"; exit 0; }
command -v fdtput >/dev/null || { echo "SKIPPED: fdtput (device-tree-compiler) not found"; exit 0; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The payload is new at every run, so the hash proves the guest read the
# initrd this run loaded.
{ date +%s%N; head -c 4096 /dev/urandom; } >"$tmp/payload"
want_hash=$(sha256sum "$tmp/payload" | cut -d' ' -f1)
"$root/scripts/linux-aarch64-assets" --dir "$assets" --payload "$tmp/payload" "$tmp/initrd.gz" \
  >"$tmp/assets.log" 2>&1
rc=$?
if [ $rc -eq 3 ]; then grep -a 'SKIPPED: ' "$tmp/assets.log"; exit 0; fi
[ $rc -eq 0 ] || { echo "FAIL linux: scripts/linux-aarch64-assets exited $rc"; sed 's/^/    | /' "$tmp/assets.log"; exit 1; }
want_uname=$(ls "$assets/root/lib/modules" | head -n1)

t0=$SECONDS
"$root/scripts/run-aarch64" --build-dir "$build" --linux "$assets/Image" --initrd "$tmp/initrd.gz" \
  --timeout "$timeout_s" >"$tmp/log" 2>&1
rc=$?
why=""
[ $rc -eq 124 ] && why="timed out after ${timeout_s} s"
[ -z "$why" ] && [ $rc -ne 0 ] && why="QEMU exit status $rc"
for p in "[vm1] AXVM-LINUX-OK uname=$want_uname cpus=2 payload=$want_hash" \
         "axvm: vm1: down, guest code 0 (PSCI SYSTEM_OFF)" \
         "axvm: all VMs stopped, powering off" "axvm: 2 pCPU(s) online" \
         "axvm: page pool: 0 of" "!PANIC" "!Kernel panic" "!Internal error" "!TIMEOUT"; do
  [ -n "$why" ] && break
  if [ "${p:0:1}" = "!" ]; then
    grep -qaF -- "${p:1}" "$tmp/log" && why="unexpected: ${p:1}"
  else
    grep -qaF -- "$p" "$tmp/log" || why="missing: $p"
  fi
done
if [ -n "$why" ]; then
  echo "FAIL linux: $why"
  sed 's/^/    | /' "$tmp/log"
  exit 1
fi
grep -a "AXVM-LINUX-OK\|reboot: Power down\|exits:" "$tmp/log"
echo "PASS linux ($((SECONDS - t0)) s; $(paste -sd, "$assets/versions"))"
