# shellcheck shell=bash
# Shared by tests/lib/qemu-cases.sh and tests/integration-aarch64/linux.sh:
# what is wrong with one QEMU boot, from its exit status and its output.
# Sourced, not run.
#
#   log_why LOG RC PATTERN...   prints why the boot failed, nothing if it
#                               passed: RC 124 is a timeout, any other
#                               non-zero RC QEMU's status; each PATTERN must
#                               appear in LOG, one starting with '!' must not
log_why() {
  local log=$1 rc=$2 p
  shift 2
  if [ "$rc" -eq 124 ]; then echo "timed out (QEMU killed)"; return; fi
  if [ "$rc" -ne 0 ]; then echo "QEMU exit status $rc"; return; fi
  for p in "$@"; do
    if [ "${p:0:1}" = "!" ]; then
      grep -qaF -- "${p:1}" "$log" && { echo "unexpected: ${p:1}"; return; }
    else
      grep -qaF -- "$p" "$log" || { echo "missing: $p"; return; }
    fi
  done
}
