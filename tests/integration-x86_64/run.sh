#!/usr/bin/env bash
# x86_64 guests under QEMU's software emulation (-accel tcg -cpu max: AMD
# SVM with nested paging) through the bare-metal kernel's x86_64 target and
# libaxvm's own SVM backend: no /dev/kvm needed. Builds the kernel and
# guests once (scripts/run-x86_64 --build-only), then boots each case,
# checks the guest's and the kernel's output, and that QEMU exited on its
# own (board powered off) within the timeout. The guests are the ones the
# KVM backend runs (tests/guests/x86_64, unchanged): where a KVM test
# checks a guest's whole output (tests/integration/expected), the same
# file is checked here against the guest's console lines.
# One line per case: "PASS <case>" or "FAIL <case>: <why>"; exits 1 if any
# case failed.
#
# usage: tests/integration-x86_64/run.sh [BUILD_DIR]   (default build/x64-image)
# Prints "SKIPPED: <reason>" and exits 0 when QEMU is missing.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/x64-image}
run="$root/scripts/run-x86_64"
timeout_s=${AXVM_X64_CASE_TIMEOUT:-60}
exp=$root/tests/integration/expected

command -v qemu-system-x86_64 >/dev/null || { echo "SKIPPED: qemu-system-x86_64 not found"; exit 0; }

echo "== building kernel and guests in $build"
"$run" --build-dir "$build" --build-only || { echo "FAIL build"; exit 1; }

. "$root/tests/lib/qemu-cases.sh"

# The last case's console lines of VM $1, without the "[vmN] " prefix, must
# be the KVM test's expected output $2 (sorted with a third argument: the
# lines of vCPUs printing at once may interleave in any order).
same_as_kvm() {
  local got
  got=$(sed -n "s/^\[$1\] //p" "$log" | tr -d '\r')
  if [ -n "${3-}" ]; then
    [ "$(sort <<<"$got")" = "$(sort "$2")" ]
  else
    [ "$got" = "$(cat "$2")" ]
  fi
  extra_check "$(basename "$2" .out): $1's output differs from the KVM test's $2" $?
}

cfgdir=$(mktemp -d)
case_ hello "hello --config-out $cfgdir/hello.dtb" \
  "axvm: bare-metal kernel, libaxvm + x86_64 backend, CPL 0, AMD SVM" \
  "[vm1] Hello from an x86_64 guest on libaxvm!" "[vm1] hello: vcpu 0, ram 64 MiB" \
  "axvm: vm1: down, guest code 0 (exit port)"
same_as_kvm vm1 "$exp/hello.out"

case_ hypercall "hypercall" "[vm1] hypercall: ok" "axvm: vm1: down, guest code 42 (exit port)"
same_as_kvm vm1 "$exp/hypercall.out"

# MMIO through NPF with the instruction fetched and decoded (movsx/movzx,
# merging 8/16-bit moves, moffs), and rep outsb/insb one element per exit.
case_ mmio "mmio" "[vm1] mmio: ok" "axvm: vm1: down, guest code 0 (exit port)"
same_as_kvm vm1 "$exp/mmio.out"

# Hostile: ports and guest-physical holes nobody answers are ignored, then
# a triple fault (no IDT) stops the VM with the SVM shutdown code while the
# kernel carries on and powers off normally.
case_ fault "fault" "[vm1] fault: ignored accesses ok" \
  "axvm: vm1 vCPU 0 stopped: unhandled fail_entry, ESR 0x7f" \
  "axvm: vm1: down (stopped by the host)" "!still running after a triple fault"
same_as_kvm vm1 "$exp/fault.out"

# Four vCPUs started by the CPU-up hypercall, two on each pCPU (secondary
# pCPUs came up by INIT/SIPI): vCPU 0 spins until the others ran, so the
# host timer's slices must preempt it.
# Hostile, SVM-specific: SVM hidden from CPUID, SVM instructions and
# MWAIT fault with #UD, MSRs are the host's, and an ADD to device memory
# (no backend emulates it) stops vm1 with the decode reason while vm2
# runs to its end on the other pCPU.
case_ hostile "hostile hello" "[vm1] hostile: contained" \
  "axvm: vm1 vCPU 0 stopped: unhandled fail_entry, ESR 0x1" "axvm: vm1: down (stopped by the host)" \
  "[vm2] hello: vcpu 0, ram 64 MiB" "axvm: vm2: down, guest code 0" "!hostile: still running"

case_ smp4 "--vcpus 4 smp" "[vm1] smp: 4 cpus up" "axvm: vm1: down, guest code 0 (exit port)"
same_as_kvm vm1 "$exp/smp4.out" sorted
# The same on one pCPU: only the slices let the others run at all.
case_pcpus=1 case_ smp4-one-pcpu "--smp 1 --vcpus 4 smp" "[vm1] smp: 4 cpus up" \
  "axvm: vm1: down, guest code 0 (exit port)"
[ "$(slices_on 0)" -ge 1 ]
extra_check "smp4-one-pcpu: no slice ended on pCPU 0" $?

# An interrupt raised while the guest has IF clear waits for its STI (the
# V_IRQ window, intercepted), then goes in through EVENTINJ.
case_ irq-window "irq-self" "[vm1] irq-self: delivered when interrupts came on" \
  "[vm1] irq-self: ok" "axvm: vm1: down, guest code 0 (exit port)"

# The unchanged irq guest (the KVM lifecycle test injects 0x40 from its
# host thread): here the kernel injects it when vCPU 0 first halts.
case_ irq-injected "--inject-irq 0x40 irq" "[vm1] irq: waiting" "[vm1] irq: got vector 0x40" \
  "axvm: vm1: down, guest code 0 (exit port)"

# The emulated local APIC (docs/guest-abi-x86_64.md, "Local APIC"). Its
# timer, periodic and one-shot, counted; in the spinning part the guest
# makes no exit, so only the kernel's LAPIC timer, lent for the guest's
# deadline, gets the interrupt in; TPR and in-service priority; x2APIC.
case_ apic-timer "apic-timer" "[vm1] apic-timer: periodic 5" "[vm1] apic-timer: one-shot 1" \
  "[vm1] apic-timer: spinning 5" "[vm1] apic-timer: priority ok" "[vm1] apic-timer: x2apic ok" \
  "[vm1] apic-timer: ok" "axvm: vm1: down, guest code 0 (exit port)" "!] FAIL "
# INIT/SIPI into a real-mode trampoline, then 100 fixed-IPI round trips
# between vCPUs on two pCPUs (each IPI wakes a halted vCPU on the other
# pCPU through the core's kick), then on one pCPU (no slices needed: the
# receiver is halted, the sender's exit lets it run).
case_ apic-ipi "--vcpus 2 apic-ipi" "[vm1] apic-ipi: AP up in real mode at 0900:0000" \
  "[vm1] apic-ipi: 100 round trips" "[vm1] apic-ipi: ok" \
  "axvm: vm1: down, guest code 0 (exit port)" "!] FAIL "
[ "$(exit_count vm1 1 send_ipi)" -eq 100 ]
extra_check "apic-ipi: vCPU 1 did not send 100 IPIs" $?
case_pcpus=1 case_ apic-ipi-one-pcpu "--smp 1 --vcpus 2 apic-ipi" "[vm1] apic-ipi: ok" \
  "axvm: vm1: down, guest code 0 (exit port)" "!] FAIL "
# Hostile, APIC: bad ICR destinations/vectors/modes, read-only writes,
# timer counts 0, 1 and 2^32-1: the guest sees only what the APIC defines
# and hello, beside it on the other pCPU, runs to its end.
case_ apic-hostile "apic-hostile hello" "[vm1] apic-hostile: survived" \
  "axvm: vm1: down, guest code 0 (exit port)" "[vm2] hello: vcpu 0, ram 64 MiB" \
  "axvm: vm2: down, guest code 0" "!] FAIL "

# Two VMs at once, one on each pCPU.
case_ two-vms "mmio hypercall" "[vm1] mmio: ok" "[vm2] hypercall: ok" \
  "axvm: vm1: down, guest code 0" "axvm: vm2: down, guest code 42"

# spin never exits on its own; hello beside it on the same pCPU (vm3 and
# vm1 on pCPU 0) must still run to its end (the slices take the pCPU
# back), and the board stays up.
spin_case() {
  local why t0=$SECONDS rc
  "$run" --build-dir "$build" --no-build --timeout 20 spin - hello >"$log" 2>&1
  rc=$?
  case $rc in 124) rc=0 ;; 0) rc=99 ;; esac
  why=$(log_why "$log" "$rc" "[vm1] spin: spinning" "[vm3] hello: vcpu 0, ram 64 MiB" \
    "TIMEOUT" "!PANIC")
  [ "$rc" = 99 ] && why="the board powered off: spin stopped"
  case_verdict spin-beside-hello "$why" "$log" "$t0"
}
spin_case

# apic-timer sharing its one pCPU with spin: its timer runs on while
# spin has the pCPU (a periodic count read after a slice away has
# reloaded, not stopped at 0), and the lent timer coexists with the
# slices' own. spin never ends, so the board stays up until the timeout.
apic_spin_case() {
  local why t0=$SECONDS rc
  "$run" --build-dir "$build" --no-build --smp 1 --timeout 30 apic-timer spin >"$log" 2>&1
  rc=$?
  case $rc in 124) rc=0 ;; 0) rc=99 ;; esac
  why=$(log_why "$log" "$rc" "[vm2] spin: spinning" "[vm1] apic-timer: spinning 5" \
    "[vm1] apic-timer: ok" "TIMEOUT" "!PANIC" "!] FAIL ")
  [ "$rc" = 99 ] && why="the board powered off: spin stopped"
  case_verdict apic-timer-beside-spin "$why" "$log" "$t0"
}
apic_spin_case

# A million port writes (the exit path under load); TCG takes ~30 s.
timeout_s=${AXVM_X64_MANY_TIMEOUT:-300} case_ many-exits "many-exits" \
  "[vm1] many-exits: done" "axvm: vm1: down, guest code 0 (exit port)" "io_write=10000"
same_as_kvm vm1 "$exp/many-exits.out"

# Configs the kernel must refuse: it prints why and starts no VM.
refused_config_cases 0x0 0x6000000 0x1000000

# No x86_64 guest DTB is written (AXVM_BM_GUEST_DTB is off for this
# target): a dtb-addr with nothing loaded there is refused, not handed an
# AArch64 DTB (or left half made, without an interrupt controller node).
guest_dtb_refused_case config-dtb-addr 0x0 0x6000000

# The same hello VM compiled into the kernel (AXVM_BM_CONFIG_C, its
# optional features off) instead of parsed from the blob at boot.
builtin_boot_case builtin-config "$cfgdir/hello.dtb" "[vm1] Hello from an x86_64 guest on libaxvm!" \
  "axvm: vm1: down, guest code 0 (exit port)"
rm -rf "$cfgdir"

echo "x86_64 guests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
