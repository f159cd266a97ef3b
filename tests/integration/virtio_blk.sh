#!/usr/bin/env bash
# axvm-run --disk: the x86_64 virtio-blk guest reads a disk this script
# makes (word w of sector s = s + (w << 32), 64 KiB), checks every word,
# writes sector 3; then the file must hold the guest's sector 3 and
# nothing else changed. Also: a disk that is no multiple of 512 bytes and
# a missing one are refused before the guest starts.
#   virtio_blk.sh AXVM_RUN GUEST_ELF
# Prints "SKIPPED: no /dev/kvm" and exits 77 without KVM.
set -uo pipefail
run=${1:?usage: virtio_blk.sh AXVM_RUN GUEST_ELF}
guest=${2:?usage: virtio_blk.sh AXVM_RUN GUEST_ELF}
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
  echo "SKIPPED: no /dev/kvm"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }

sectors=128
perl -e 'for $s (0..$ARGV[0]-1) { print pack("Q<", $s + ($_ << 32)) for 0..63 }' \
  $sectors >"$tmp/disk" || { echo "FAIL: cannot make the disk"; exit 1; }
cp "$tmp/disk" "$tmp/orig"

"$run" --kernel "$guest" --disk "$tmp/disk" --timeout 120 >"$tmp/out" 2>"$tmp/err"
rc=$?
echo "--- stdout:"; cat "$tmp/out"
echo "--- stderr:"; cat "$tmp/err"
[ "$rc" = 0 ] || no "axvm-run exit status $rc, expected 0"
grep -qx "virtio-blk: 16 blocks of 4 KiB read and checked, sector 3 written" "$tmp/out" ||
  no "the guest did not read the whole disk"
grep -qx "virtio-blk: OK" "$tmp/out" || no "the guest did not report OK"

# Sector 3 is the guest's; every other byte as it was.
want=$(perl -e 'print "written!" x 64')
got=$(dd if="$tmp/disk" bs=512 skip=3 count=1 status=none)
[ "$got" = "$want" ] || no "sector 3 of the file is not what the guest wrote"
cmp -s <(dd if="$tmp/disk" bs=512 count=3 status=none) \
       <(dd if="$tmp/orig" bs=512 count=3 status=none) || no "sectors 0-2 changed"
cmp -s <(dd if="$tmp/disk" bs=512 skip=4 status=none) \
       <(dd if="$tmp/orig" bs=512 skip=4 status=none) || no "sectors 4- changed"
[ "$(stat -c %s "$tmp/disk")" = $((sectors * 512)) ] || no "the file changed size"

# Refused before the guest runs: host-error status 125 and the reason.
head -c 1000 /dev/zero >"$tmp/odd"
"$run" --kernel "$guest" --disk "$tmp/odd" >/dev/null 2>"$tmp/err2"
rc=$?
[ "$rc" = 125 ] && grep -q "multiple of 512" "$tmp/err2" ||
  no "a 1000-byte disk: status $rc, $(cat "$tmp/err2")"
"$run" --kernel "$guest" --disk "$tmp/missing" >/dev/null 2>"$tmp/err3"
rc=$?
[ "$rc" = 125 ] && grep -q "missing" "$tmp/err3" ||
  no "a missing disk: status $rc, $(cat "$tmp/err3")"

[ "$fail" = 0 ] && echo "PASS"
exit "$fail"
