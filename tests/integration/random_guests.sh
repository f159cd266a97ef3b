#!/usr/bin/env bash
# Hostile guests: COUNT raw images of random bytes (a fresh draw each run;
# a failing image is kept for replay). Whatever the guest does, axvm-run
# must finish normally (it prints its statistics last), report no
# host-side failure, and stop each VM one way or another.
#   random_guests.sh AXVM_RUN COUNT
set -uo pipefail
run=${1:?usage: random_guests.sh AXVM_RUN COUNT}
count=${2:-20}
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
  echo "SKIPPED: no /dev/kvm"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for ((i = 0; i < count; i++)); do
  head -c 65536 /dev/urandom >"$tmp/img"
  "$run" --kernel "$tmp/img" --mem 8M --vcpus 2 --stats --timeout 5 \
    >"$tmp/out" 2>"$tmp/err"
  rc=$?
  reason=$(grep -m1 '^axvm-run:' "$tmp/err" || echo "exit port: status $rc")
  echo "guest $i: $reason"
  if ! grep -q '^stats: total exits' "$tmp/err" || grep -q 'run failed' "$tmp/err"; then
    keep=${TMPDIR:-/tmp}/axvm-random-guest-$$-$i.bin
    cp "$tmp/img" "$keep"
    echo "FAIL: guest $i (status $rc) broke the host; image kept at $keep"
    cat "$tmp/err"
    fail=1
  fi
done
exit $fail
