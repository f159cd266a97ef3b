#!/usr/bin/env bash
# A 4 KiB virtio-blk read through the bare-metal kernel on riscv64, in
# instructions (issue 13; docs/virtio.md): the bench-blk test guest
# (tests/guests/riscv64/bench-blk.c), its own polled virtio-mmio driver,
# reads a 1 MiB disk in 256 sequential 4 KiB requests under QEMU -icount
# shift=0,sleep=off, where the counter advances with every instruction the
# board executes, so the figure is the same on every machine and run. The
# mean per read covers the request's set-up, the notify exit, the device
# model's copy and the completion on the used ring. The disk holds a
# pattern the guest checks in every block; two boots must agree.
#
#   bench virtio_blk_read_riscv64 <n> instr
#
# The kernel is built in build/rv-blk-bench. usage: tests/bench/virtio_blk.sh
# [BUILD_DIR] (BUILD_DIR, the host build scripts/bench passes, is unused).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
. tests/lib/bench-boot.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v qemu-system-riscv64 >/dev/null; then
  echo "SKIPPED: virtio-blk read (riscv64): no qemu-system-riscv64"
  exit 0
fi

# 64-bit word w of sector s holds s + (w << 32), as bench-blk expects.
perl -e 'for my $s (0..2047) { print pack("V2", $s, $_) for 0..63 }' >"$tmp/disk.img"

bench_twice "virtio_blk bench" riscv64 build/rv-blk-bench virtio_blk_read_riscv64 \
  '^\[vm1\] RESULT bench-blk PASS' -- --disk "$tmp/disk.img" bench-blk -
