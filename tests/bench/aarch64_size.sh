#!/usr/bin/env bash
# Footprint of libaxvm for AArch64 bare metal: core + AArch64 backend built
# at -Os (MinSizeRel) with the freestanding toolchain, in build/a64-size, and
# the whole bare-metal kernel image. Prints `bench <name> <value> <unit>`.
# $1 (the host build dir scripts/bench passes) is not used.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if ! command -v aarch64-linux-gnu-gcc >/dev/null && ! command -v clang >/dev/null; then
  echo "SKIPPED: no AArch64 cross compiler" >&2
  exit 0
fi
tc=$root/cmake/toolchain-aarch64-none-elf.cmake
cmake -S . -B build/a64-size -G Ninja -DCMAKE_TOOLCHAIN_FILE="$tc" -DCMAKE_BUILD_TYPE=MinSizeRel \
  -DAXVM_ARCH=aarch64 -DAXVM_PORT=baremetal -DAXVM_BUILD_TESTS=OFF -DAXVM_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build/a64-size -j 2 --target axvm >/dev/null
cmake -S ports/baremetal -B build/a64-size/image -G Ninja -DCMAKE_TOOLCHAIN_FILE="$tc" \
  -DCMAKE_BUILD_TYPE=MinSizeRel -DAXVM_BM_GUESTS=OFF >/dev/null
cmake --build build/a64-size/image -j 2 >/dev/null

size_tool=$(sed -n 's/^AXVM_A64_SIZE:FILEPATH=//p' build/a64-size/CMakeCache.txt)
[ -x "$size_tool" ] || size_tool=size
# Berkeley format, totals row: text data bss dec hex
read -r text data bss _ < <("$size_tool" -t build/a64-size/libaxvm.a | tail -1)
echo "bench aarch64_text_bytes $text bytes"
echo "bench aarch64_data_bytes $data bytes"
echo "bench aarch64_bss_bytes $bss bytes"
# The backend alone (objects from src/arch/aarch64).
btext=$("$size_tool" -t build/a64-size/CMakeFiles/axvm.dir/src/arch/aarch64/*.obj | tail -1 | awk '{print $1}')
echo "bench aarch64_backend_text_bytes $btext bytes"
read -r itext idata ibss _ < <("$size_tool" build/a64-size/image/axvm-baremetal.elf | tail -1)
echo "bench aarch64_image_text_bytes $itext bytes"
echo "bench aarch64_image_data_bytes $idata bytes"
echo "bench aarch64_image_bss_bytes $ibss bytes"
