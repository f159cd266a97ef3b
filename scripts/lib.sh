# Shared by scripts/test, scripts/demo and scripts/bench. Sourced, not run.
# shellcheck shell=bash

AXVM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian packages the project needs. Installed only when missing, so a
# prepared machine pays nothing and a fresh Debian 12 gets everything.
AXVM_PACKAGES=(cmake ninja-build gcc clang libclang-rt-14-dev pkg-config
  libcmocka-dev libfdt-dev device-tree-compiler valgrind
  libcapstone-dev # the decoder fuzz targets' reference disassembler
  qemu-system-arm qemu-system-misc gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu
  binutils-aarch64-linux-gnu binutils-riscv64-linux-gnu file
  qemu-system-x86 busybox-static kmod # these three: scripts/with-kvm
  linux-source-6.1 # libfdt's sources for the bare-metal kernel (ports/baremetal)
  python3) # scripts/axvm-log-decode (the kernel's dictionary log) and its test

axvm_install_deps() {
  local missing=() p
  for p in "${AXVM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# libfdt for the bare-metal kernel: scripts/dtc/libfdt of Debian's
# linux-source-6.1 tarball, extracted once into build/libfdt-src (never
# into the tree). Prints the directory, for -DAXVM_BM_LIBFDT_DIR.
axvm_libfdt_dir() {
  local tarball=/usr/src/linux-source-6.1.tar.xz dir=$AXVM_ROOT/build/libfdt-src
  if [ ! -f "$dir/libfdt.h" ]; then
    [ -f "$tarball" ] || axvm_install_deps >&2
    mkdir -p "$dir"
    tar -xJf "$tarball" -C "$dir" --strip-components=4 linux-source-6.1/scripts/dtc/libfdt >&2 ||
      { echo "axvm: cannot extract libfdt from $tarball" >&2; return 1; }
  fi
  echo "$dir"
}

# True when KVM works here: /dev/kvm opens read-write, which is what every
# KVM user does first (a node that exists but cannot be opened, as in some
# containers, does not count). Without it, scripts/with-kvm runs KVM work
# inside a QEMU guest.
axvm_kvm_usable() {
  [ -c /dev/kvm ] && { : <>/dev/kvm; } 2>/dev/null
}

# Configure and build one preset from scratch (build/<preset>).
axvm_build_preset() {
  local preset=$1; shift
  rm -rf "$AXVM_ROOT/build/$preset"
  cmake --preset "$preset" -S "$AXVM_ROOT" "$@" >/dev/null
  cmake --build "$AXVM_ROOT/build/$preset" -j "$(nproc)"
}

# Build a bare-metal kernel's build directory without its progress lines;
# if the build fails, what it said (Ninja prints a failed command's errors
# on stdout) goes to stderr. Host compiler flags from the environment
# (sanitizers, ...) must not reach the freestanding cross build.
axvm_build_cross() {
  local out rc=0
  out=$(env -u CFLAGS -u CPPFLAGS -u LDFLAGS -u ASMFLAGS -u CC cmake --build "$1" -j 2 2>&1) || rc=$?
  [ $rc -eq 0 ] || printf '%s\n' "$out" >&2
  return $rc
}

# Step accounting: every step counts as passed or failed; the summary line
# is the one CI reads. A step's output is also kept long enough to collect
# its "SKIPPED: reason" lines, so that the summary says what did not run.
AXVM_PASSED=0
AXVM_FAILED=0
AXVM_FAILED_STEPS=()
AXVM_SKIPPED=()
axvm_step() {
  local name=$1; shift
  echo
  echo "=== $name"
  local t0=$SECONDS log st line
  log=$(mktemp)
  "$@" 2>&1 | tee "$log"
  st=${PIPESTATUS[0]}
  while IFS= read -r line; do
    AXVM_SKIPPED+=("$name: ${line#*SKIPPED: }")
  done < <(grep -a 'SKIPPED: ' "$log" | awk '!seen[$0]++')
  rm -f "$log"
  if [ "$st" -eq 0 ]; then
    AXVM_PASSED=$((AXVM_PASSED + 1))
    echo "=== $name: ok ($((SECONDS - t0)) s)"
  else
    AXVM_FAILED=$((AXVM_FAILED + 1))
    AXVM_FAILED_STEPS+=("$name")
    echo "=== $name: FAILED ($((SECONDS - t0)) s)"
  fi
}
axvm_summary() {
  echo
  [ ${#AXVM_SKIPPED[@]} -gt 0 ] && printf 'skipped: %s\n' "${AXVM_SKIPPED[@]}"
  [ ${#AXVM_FAILED_STEPS[@]} -gt 0 ] && printf 'failed step: %s\n' "${AXVM_FAILED_STEPS[@]}"
  echo "$AXVM_PASSED passed, $AXVM_FAILED failed"
  [ "$AXVM_FAILED" -eq 0 ]
}

# The run scripts' exit status, from QEMU's (RC) and the console's log: a
# power-off carries no status, so a refused config is told by its line, 1.
# A dictionary-log kernel (AXVM_BM_DICT_LOG) prints that line as a record,
# so a log with records is also read decoded with its ELF (a kernel
# without the log decodes to nothing: the raw log still counts).
#   axvm_run_status RC LOG ELF
axvm_run_status() {
  local rc=$1 text
  if [ "$rc" -eq 0 ]; then
    text=$(cat "$2")
    if grep -aq $'\x1e' "$2"; then
      text+=$'\n'$("$AXVM_ROOT/scripts/axvm-log-decode" "$3" "$2" 2>/dev/null) || true
    fi
    grep -aq '^axvm: no VM started' <<<"$text" && rc=1
  fi
  echo "$rc"
}
