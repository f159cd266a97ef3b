# Shared by tests/integration-<arch>/run.sh: boot one case of the bare-metal
# kernel under QEMU and check what it printed. Sourced, not run. The
# caller sets `run` (its scripts/run-<arch>), `build` and `timeout_s`.
#
#   case_ NAME "runner args" PATTERN...   a pattern starting with '!' must
#                                         not appear
# Every case also needs the power-off line, exit status 0, no panic, no
# guest FAIL line, no timeout, an empty page pool after teardown, every
# pCPU online ($case_pcpus, default 2) and the kernel booted once.
# Prints "PASS <case> (N s)" or "FAIL <case>: <why>" plus the output.

. "$(dirname "${BASH_SOURCE[0]}")/log-check.sh"

pass=0 fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

case_() {
  local name=$1 args=$2; shift 2
  local why t0=$SECONDS rc boots
  # shellcheck disable=SC2086
  "$run" --build-dir "$build" --no-build --timeout "$timeout_s" $args >"$log" 2>&1
  rc=$?
  why=$(log_why "$log" "$rc" "axvm: all VMs stopped, powering off" \
    "axvm: ${case_pcpus:-2} pCPU(s) online" "axvm: page pool: 0 of" "!PANIC" "!FAIL:" \
    "!TIMEOUT" "$@")
  boots=$(grep -ac '^axvm: bare-metal kernel' "$log")
  [ -z "$why" ] && [ "$boots" -ne 1 ] && why="the kernel booted $boots times"
  if [ -z "$why" ]; then
    echo "PASS $name ($((SECONDS - t0)) s)"
    pass=$((pass + 1))
  else
    echo "FAIL $name: $why"
    sed 's/^/    | /' "$log"
    fail=$((fail + 1))
  fi
}

# The count of exit KIND for "VM vCPU N" in the last case's report (0 if
# none): exit_count vm1 0 mmio_write
exit_count() {
  local n
  n=$(sed -n "s/.*$1 vCPU $2 exits:.* $3=\([0-9]*\).*/\1/p" "$log")
  echo "${n:-0}"
}

# How long "VM vCPU N" held its pCPU (ms, inside run()) in the last case.
held_ms() {
  local n
  n=$(sed -n "s/^axvm: $1 vCPU $2 held its pCPU \([0-9]*\) ms.*/\1/p" "$log")
  echo "${n:-999999}"
}

# How many time slices ended with a switch on pCPU N in the last case.
slices_on() {
  local n
  n=$(sed -n "s/^axvm: pCPU $1: .*, \([0-9]*\) slices.*/\1/p" "$log")
  echo "${n:-0}"
}

# A check on the last case's numbers: extra_check NAME CONDITION-EXIT-CODE
extra_check() {
  if [ "$2" -eq 0 ]; then
    pass=$((pass + 1))
  else
    echo "FAIL $1"
    fail=$((fail + 1))
  fi
}

# The bare-metal kernel's time slices, with the common guests on pCPU 1
# (vm1's vCPU 1 and vm2's vCPU 0 share it on every target):
# - spin holds pCPU 1 for 3 s without one exit while smp needs its vCPU 1
#   there: smp's 2 s waits pass only if slices take the pCPU back;
# - idle's vCPU 1 only halts beside spin: it must give the pCPU up when it
#   halts, not sit on it for each 5 ms slice (that held it ~1.5 s of 3).
# Under -icount QEMU 7.2 runs the CPUs in turn on one thread, and a CPU
# that spins keeps the later ones from running: both pCPUs must still
# come up and run a VM each (deterministic counts need this mode).
icount_cases() {
  case_ icount "--icount hello timer" "[vm1] RESULT hello PASS" "[vm2] RESULT timer PASS"
}

shared_pcpu_cases() {
  case_ time-slices "smp spin" "[vm1] RESULT smp PASS" "[vm2] RESULT spin PASS"
  [ "$(slices_on 1)" -ge 1 ]
  extra_check "time-slices: no slice ended on pCPU 1" $?

  case_ idle-neighbour "idle spin" "[vm1] RESULT idle PASS" "[vm2] RESULT spin PASS"
  [ "$(held_ms vm1 1)" -lt 750 ]
  extra_check "idle-neighbour: the halted vCPU held the shared pCPU $(held_ms vm1 1) ms" $?
}
