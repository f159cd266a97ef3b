#!/usr/bin/env bash
# Run one command (axvm-run and a guest) and check its exit status, stdout
# and stderr. Prints "SKIPPED: no /dev/kvm" and exits 77 without KVM.
#   run_guest.sh --status N [--stdout FILE] [--stdout-sorted FILE]
#                [--stderr-grep ERE] [--stdout-grep ERE] -- command...
set -uo pipefail
status=0 stdout_file= sorted_file= stderr_re= stdout_re=
while [ $# -gt 0 ]; do
  case "$1" in
    --status) status=$2; shift 2 ;;
    --stdout) stdout_file=$2; shift 2 ;;
    --stdout-sorted) sorted_file=$2; shift 2 ;;
    --stderr-grep) stderr_re=$2; shift 2 ;;
    --stdout-grep) stdout_re=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "run_guest.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
  echo "SKIPPED: no /dev/kvm"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$@" >"$tmp/out" 2>"$tmp/err"
rc=$?
fail=0
echo "--- command: $*"
echo "--- stdout:"; cat "$tmp/out"
echo "--- stderr:"; cat "$tmp/err"
echo "--- status: $rc"
if [ "$rc" != "$status" ]; then
  echo "FAIL: exit status $rc, expected $status"; fail=1
fi
if [ -n "$stdout_file" ] && ! diff -u "$stdout_file" "$tmp/out"; then
  echo "FAIL: stdout differs from $stdout_file"; fail=1
fi
if [ -n "$sorted_file" ] && ! diff -u <(sort "$sorted_file") <(sort "$tmp/out"); then
  echo "FAIL: stdout lines differ from $sorted_file"; fail=1
fi
if [ -n "$stderr_re" ] && ! grep -Eq -- "$stderr_re" "$tmp/err"; then
  echo "FAIL: stderr does not match /$stderr_re/"; fail=1
fi
if [ -n "$stdout_re" ] && ! grep -Eq -- "$stdout_re" "$tmp/out"; then
  echo "FAIL: stdout does not match /$stdout_re/"; fail=1
fi
exit $fail
