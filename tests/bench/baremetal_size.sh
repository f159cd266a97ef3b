#!/usr/bin/env bash
# Footprint of libaxvm for bare metal, per target (aarch64, riscv64, x86_64): core +
# backend built at -Os (MinSizeRel) with the freestanding toolchain, in
# build/<arch>-size, the backend alone (its objects plus the shared
# src/arch/common ones), and the whole bare-metal kernel image. Prints
# `bench <arch>_<what> <value> bytes`, then the kernel's text (code plus
# read-only data, what Berkeley `size` calls text) as
# `bench baremetal_text_<arch> <value> B` beside issue 15's target for it,
# `bench baremetal_text_target_<arch> <value> B` (docs/performance.md), and
# the kernel without its optional features as
# `bench baremetal_text_minimal_<arch> <value> B`, and both with the demo's
# two VMs compiled in instead of parsed at boot as
# `bench baremetal_text_builtin_<arch>` and
# `bench baremetal_text_builtin_minimal_<arch>`, the last also with the
# dictionary log as `bench baremetal_text_builtin_minimal_dict_<arch>`,
# and that with the test device on as
# `bench baremetal_text_builtin_minimal_testdev_dict_<arch>`.
# The image is built exactly as the integration tests build theirs
# (MinSizeRel, LTO; only the test guests are left out). $1 (the host build
# dir scripts/bench passes) is not used.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. tests/lib/minimal-kernel.sh
. tests/lib/builtin-config.sh
# The host tool for the compiled-in builds; without it they are skipped.
tool=$(axvm_config_tool "$root") || tool=""

# The kernel image with more cmake definitions, in $out/image-KIND (the
# caller's $out, $tc, $arch, $size_tool): prints
# `bench baremetal_text_KIND_<arch> <value> B` and its .bss (static RAM)
# as `bench baremetal_bss_KIND_<arch> <value> B`.
#   image_text KIND -DNAME=VALUE...
image_text() {
  local kind=$1 itext ibss
  shift
  cmake -S ports/baremetal -B "$out/image-$kind" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$tc" \
    -UCMAKE_C_FLAGS -UCMAKE_ASM_FLAGS -DCMAKE_BUILD_TYPE=MinSizeRel -DAXVM_BM_GUESTS=OFF \
    -DAXVM_BM_MAX_VMS=8 -DAXVM_BM_MAX_CPUS=4 "$@" >/dev/null
  cmake --build "$out/image-$kind" -j 2 >/dev/null
  read -r itext _ ibss _ < <("$size_tool" "$out/image-$kind/axvm-baremetal.elf" | tail -1)
  echo "bench baremetal_text_${kind}_${arch} $itext B"
  echo "bench baremetal_bss_${kind}_${arch} $ibss B"
}

measure() {
  local arch=$1 cc=$2 tc=$root/cmake/toolchain-$1-none-elf.cmake out=build/$1-size
  if ! command -v "$cc" >/dev/null; then
    echo "SKIPPED: $arch footprint: no $cc" >&2
    return 0
  fi
  # -U: flags come from the toolchain file again, not from an older cache.
  cmake -S . -B "$out" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$tc" -DCMAKE_BUILD_TYPE=MinSizeRel \
    -UCMAKE_C_FLAGS -UCMAKE_ASM_FLAGS \
    -DAXVM_ARCH="$arch" -DAXVM_PORT=baremetal -DAXVM_BUILD_TESTS=OFF -DAXVM_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build "$out" -j 2 --target axvm >/dev/null
  cmake -S ports/baremetal -B "$out/image" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$tc" \
    -UCMAKE_C_FLAGS -UCMAKE_ASM_FLAGS \
    -DCMAKE_BUILD_TYPE=MinSizeRel -DAXVM_BM_GUESTS=OFF >/dev/null
  cmake --build "$out/image" -j 2 >/dev/null

  local size_tool text data bss btext itext idata ibss
  size_tool=${cc%gcc}size
  command -v "$size_tool" >/dev/null || size_tool=size
  # Berkeley format, totals row: text data bss dec hex
  read -r text data bss _ < <("$size_tool" -t "$out/libaxvm.a" | tail -1)
  echo "bench ${arch}_text_bytes $text bytes"
  echo "bench ${arch}_data_bytes $data bytes"
  echo "bench ${arch}_bss_bytes $bss bytes"
  btext=$("$size_tool" -t "$out"/CMakeFiles/axvm.dir/src/arch/"$arch"/*.obj \
    "$out"/CMakeFiles/axvm.dir/src/arch/common/*.obj | tail -1 | awk '{print $1}')
  echo "bench ${arch}_backend_text_bytes $btext bytes"
  read -r itext idata ibss _ < <("$size_tool" "$out/image/axvm-baremetal.elf" | tail -1)
  echo "bench ${arch}_image_text_bytes $itext bytes"
  echo "bench ${arch}_image_data_bytes $idata bytes"
  echo "bench ${arch}_image_bss_bytes $ibss bytes"
  echo "bench baremetal_text_${arch} $itext B"
  # The same kernel without its optional features (tests/lib/minimal-kernel.sh),
  # then both with the demo's two VMs compiled in (AXVM_BM_CONFIG_C,
  # tests/lib/builtin-config.sh): no parser, no config reader.
  image_text minimal "${bm_minimal_cmake[@]}"
  if [ -z "$tool" ]; then
    echo "SKIPPED: $arch compiled-in config footprint: no host axvm-config" >&2
  elif builtin_demo_dts "$arch" | dtc -q -I dts -O dtb -o "$out/demo.dtb" - &&
    "$tool" -c "$out/demo.c" "$out/demo.dtb" >/dev/null; then
    image_text builtin -DAXVM_BM_CONFIG_C="$out/demo.c"
    # Sized to its config as well: room for the demo's two VMs, on the
    # two pCPUs they use.
    image_text builtin_minimal -DAXVM_BM_CONFIG_C="$out/demo.c" "${bm_minimal_cmake[@]}" \
      -DAXVM_BM_MAX_VMS=2 -DAXVM_BM_MAX_CPUS=2
    # And that with the console messages' text out of the image (the
    # dictionary log, AXVM_BM_DICT_LOG): the same messages, decoded on
    # the host by scripts/axvm-log-decode.
    image_text builtin_minimal_dict -DAXVM_BM_CONFIG_C="$out/demo.c" "${bm_minimal_cmake[@]}" \
      -DAXVM_BM_MAX_VMS=2 -DAXVM_BM_MAX_CPUS=2 -DAXVM_BM_DICT_LOG=ON
    # And with the test device, which the kernel had when issue 15 was
    # filed (the later minimal builds leave it out): the demo's VMs use
    # no other optional feature.
    image_text builtin_minimal_testdev_dict -DAXVM_BM_CONFIG_C="$out/demo.c" \
      "${bm_minimal_cmake[@]}" -DAXVM_BM_TESTDEV=ON -DAXVM_BM_MAX_VMS=2 -DAXVM_BM_MAX_CPUS=2 \
      -DAXVM_BM_DICT_LOG=ON
  else
    echo "SKIPPED: $arch compiled-in config footprint: its config was not written" >&2
  fi
  case $arch in
    # Under 44 KiB and 32 KiB: Bao's 58,309 and 32,960 bytes for QEMU virt.
    aarch64) echo "bench baremetal_text_target_${arch} $((44 * 1024)) B" ;;
    riscv64) echo "bench baremetal_text_target_${arch} $((32 * 1024)) B" ;;
  esac
}

measure aarch64 aarch64-linux-gnu-gcc
measure riscv64 riscv64-linux-gnu-gcc
measure x86_64 x86_64-linux-gnu-gcc
