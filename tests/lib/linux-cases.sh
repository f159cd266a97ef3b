# shellcheck shell=bash disable=SC2154,SC2059,SC2034
# (root, tmp, build and assets are the caller's, want_hash is for it;
# printf builds bytes on purpose)
# Shared by tests/integration-<arch>/linux.sh: the Linux-guest cases both
# targets run the same way. The caller sets root, tmp, build, assets and
# defines tiny() (TEXT_OFFSET FILE: a header-only "kernel" for its arch).
. "$root/tests/lib/log-check.sh"

check() { # NAME LOG RC PATTERN...: PASS, or FAIL with the log and exit 1
  local name=$1 log=$2 rc=$3 why
  shift 3
  why=$(log_why "$log" "$rc" "$@" "axvm: all VMs stopped, powering off" "!PANIC")
  if [ -n "$why" ]; then echo "FAIL $name: $why"; sed 's/^/    | /' "$log"; exit 1; fi
  echo "PASS $name"
}

le() { # VALUE BYTES: VALUE little-endian
  local i
  for ((i = 0; i < $2; i++)); do printf "\\x$(printf %02x $((($1 >> (8 * i)) & 255)))"; done
}

# The boot protocol without a real kernel: ARCH GOOD_OFFSET GOOD_LINE
# DOWN_LINE BAD_OFFSET. An image whose header asks for GOOD_OFFSET must be
# moved there and entered (it powers off: DOWN_LINE); one asking for
# BAD_OFFSET must be refused before any VM starts (the run script then
# exits 1, having seen "no VM started").
linux_header_cases() {
  local arch=$1 rc
  tiny "$2" "$tmp/tiny.img"
  "$root/scripts/run-$arch" --build-dir "$build" --linux "$tmp/tiny.img" --timeout 60 >"$tmp/log" 2>&1
  check linux-text-offset "$tmp/log" $? "$3" "$4"
  tiny "$5" "$tmp/tiny.img"
  "$root/scripts/run-$arch" --build-dir "$build" --no-build --linux "$tmp/tiny.img" --timeout 60 \
    >"$tmp/log" 2>&1
  rc=$?
  [ $rc -eq 1 ] && rc=0 || rc=99
  check linux-bad-header "$tmp/log" $rc "axvm: vm1: the Linux image cannot be placed" \
    "!axvm: vm1: down" "axvm: no VM started"
}

# ARCH: the cached kernel and an initrd with a payload made now
# ($tmp/initrd.gz; its sha256 in want_hash, so the guest's answer proves
# it read this run's initrd). Exits 0 after the assets script's SKIPPED
# line when they cannot be had, 1 (FAIL) when the script failed.
linux_assets() {
  local rc
  { date +%s%N; head -c 4096 /dev/urandom; } >"$tmp/payload"
  want_hash=$(sha256sum "$tmp/payload" | cut -d' ' -f1)
  "$root/scripts/linux-$1-assets" --dir "$assets" --payload "$tmp/payload" "$tmp/initrd.gz" \
    >"$tmp/assets.log" 2>&1
  rc=$?
  if [ $rc -eq 3 ]; then grep -a 'SKIPPED: ' "$tmp/assets.log"; exit 0; fi
  if [ $rc -ne 0 ]; then
    echo "FAIL linux: scripts/linux-$1-assets exited $rc"
    sed 's/^/    | /' "$tmp/assets.log" | tail -40
    exit 1
  fi
}

# Console input: ARCH APPEND DOWN_LINE [NAME [RUN-ARGS...]]. The board's
# UART feeds the VM with the focus: Linux (vm1, booted with axvm.input)
# waits for a line, the `input` test guest (vm2, polling) for another;
# three Ctrl-A move the focus. Each line must reach only its VM; Linux then
# goes down (DOWN_LINE). RUN-ARGS go to the run script (e.g. a
# virtio-console for Linux's console).
. "$root/tests/lib/console-input.sh"
linux_input_case() {
  local arch=$1 append=$2 down=$3 name=${4:-linux-console-input}
  shift 3
  [ $# -gt 0 ] && shift
  typing_start "$tmp/log" "$root/scripts/run-$arch" --build-dir "$build" --no-build \
    --linux "$assets/Image" --initrd "$tmp/initrd.gz" --append "$append axvm.input" \
    --with input --timeout "$timeout_s" "$@"
  typing_wait "[vm2] input: ready" && typing_wait "[vm1] AXVM-LINUX-READY" &&
    typing_send "$TYPING_SWITCH" && typing_wait "axvm: console input now goes to vm2" &&
    typing_send 'to-two\r' && typing_wait "[vm2] input: got to-two" &&
    typing_send "$TYPING_SWITCH" && typing_wait "axvm: console input now goes to vm1" &&
    typing_send 'to-one\r'
  typing_end
  check "$name" "$tmp/log" "$typing_rc" "[vm2] input: got to-two" \
    "[vm2] RESULT input PASS" "[vm1] AXVM-LINUX-INPUT got=to-one" "$down" "!got=to-two" \
    "!Kernel panic" "axvm: page pool: 0 of"
}

# virtio-blk (src/devices/virtio_blk.c, ports/baremetal/virtio.c): ARCH
# APPEND DOWN_LINE DISK_LINE [CHECK...] -- NAME [RUN-ARGS...]. An ext4
# image made now with mke2fs -d holds /seed.txt; Linux (axvm.disk) mounts
# /dev/vda, reads it, writes /from-guest.txt, syncs, unmounts and powers
# off (DOWN_LINE). The run script's --disk writes the disk's bytes back
# into the image, where debugfs must find the file with this run's seed
# and payload hash, and e2fsck a clean file system. DISK_LINE is the
# kernel's line for the device; CHECKs are more log patterns.
linux_virtio_blk_case() {
  local arch=$1 append=$2 down=$3 disk_line=$4 seed got want rc name checks=()
  shift 4
  while [ "$1" != -- ]; do checks+=("$1"); shift; done
  shift
  name=$1
  shift
  rm -rf "$tmp/disk-root" "$tmp/disk.img"
  mkdir -p "$tmp/disk-root"
  seed="seed $RANDOM$RANDOM from the host"
  echo "$seed" >"$tmp/disk-root/seed.txt"
  mke2fs -q -F -t ext4 -d "$tmp/disk-root" "$tmp/disk.img" 16M >/dev/null 2>&1 ||
    { echo "FAIL $name: mke2fs"; exit 1; }
  "$root/scripts/run-$arch" --build-dir "$build" --no-build --linux "$assets/Image" \
    --initrd "$tmp/initrd.gz" --append "$append axvm.disk" "$@" \
    --disk "$tmp/disk.img" --timeout "$timeout_s" >"$tmp/log" 2>&1
  rc=$?
  got=$(debugfs -R "cat /from-guest.txt" "$tmp/disk.img" 2>/dev/null)
  want="from the guest: seed=$seed payload=$want_hash"
  if [ "$got" != "$want" ]; then
    { echo "[from-guest.txt] got: $got"; echo "[from-guest.txt] want: $want"; } >>"$tmp/log"
    rc=1
  elif ! e2fsck -fn "$tmp/disk.img" >>"$tmp/log" 2>&1; then
    rc=1
  fi
  check "$name" "$tmp/log" $rc "$disk_line" "[vda] 32768 512-byte logical blocks" \
    "[vm1] AXVM-DISK-OK seed=$seed" "$down" "${checks[@]}" \
    "!AXVM-DISK-FAIL" "!Kernel panic" "!I/O error" "axvm: page pool: 0 of"
}

# Both virtio-blk cases (the DTB from linux.dts plus the disk's node, and
# the one the kernel writes from the config), with linux_virtio_blk_case's
# arguments up to and without the NAME.
linux_virtio_blk_cases() {
  if ! command -v mke2fs >/dev/null || ! command -v debugfs >/dev/null; then
    echo "SKIPPED: linux-virtio-blk: mke2fs or debugfs (e2fsprogs) not found"
    return 0
  fi
  linux_virtio_blk_case "$@" linux-virtio-blk
  linux_virtio_blk_case "$@" linux-virtio-blk-config-dtb --dtb -
}

# Linux on the kernel built without its optional features
# (tests/lib/minimal-kernel.sh, in BUILD-minimal): with its DTB loaded
# (linux.dts, the run script's default) it needs none of them. Then the
# same VM compiled into that kernel (AXVM_BM_CONFIG_C, in BUILD-builtin,
# tests/lib/builtin-config.sh): the run script still writes and loads the
# same blob, for the images it names, and the kernel must not read it.
#   linux_minimal_case ARCH DOWN_LINE
. "$(dirname "${BASH_SOURCE[0]}")/minimal-kernel.sh"
. "$(dirname "${BASH_SOURCE[0]}")/builtin-config.sh"
linux_minimal_case() {
  local run=$root/scripts/run-$1 min=${build}-minimal bi=${build}-builtin
  local ok="[vm1] AXVM-LINUX-OK uname=$want_uname cpus=2 payload=$want_hash"
  if ! "$run" --build-dir "$min" --build-only "${bm_minimal_run[@]}" >"$tmp/log" 2>&1; then
    echo "FAIL linux-minimal-kernel: build"
    sed 's/^/    | /' "$tmp/log"
    exit 1
  fi
  "$run" --build-dir "$min" --no-build --linux "$assets/Image" --initrd "$tmp/initrd.gz" \
    --config-out "$tmp/linux-vms.dtb" --timeout "$timeout_s" >"$tmp/log" 2>&1
  check linux-minimal-kernel "$tmp/log" $? "$ok" "$2" "!Kernel panic" "axvm: page pool: 0 of"

  if ! builtin_kernel "$run" "$bi" "$tmp/linux-vms.dtb" >"$tmp/log" 2>&1; then
    echo "FAIL linux-builtin-config: the config or the kernel was not built"
    sed 's/^/    | /' "$tmp/log"
    exit 1
  fi
  "$run" --build-dir "$bi" --no-build --linux "$assets/Image" --initrd "$tmp/initrd.gz" \
    --timeout "$timeout_s" >"$tmp/log" 2>&1
  check linux-builtin-config "$tmp/log" $? "axvm: config: 1 VM(s) built into this kernel;" \
    "$ok" "$2" "!Kernel panic" "axvm: page pool: 0 of"
}
