# Shared by tests/integration-<arch>/run.sh: boot one case of the bare-metal
# kernel under QEMU and check what it printed. Sourced, not run. The
# caller sets `run` (its scripts/run-<arch>), `build` and `timeout_s`.
#
#   case_ NAME "runner args" PATTERN...   a pattern starting with '!' must
#                                         not appear
# Every case also needs the power-off line, exit status 0, no panic, no
# guest FAIL line (unless $case_guest_fails is 1), no timeout, an empty
# page pool after teardown, every pCPU online ($case_pcpus, default 2)
# and the kernel booted once.
# Prints "PASS <case> (N s)" or "FAIL <case>: <why>" plus the output.

. "$(dirname "${BASH_SOURCE[0]}")/log-check.sh"
. "$(dirname "${BASH_SOURCE[0]}")/minimal-kernel.sh"
. "$(dirname "${BASH_SOURCE[0]}")/builtin-config.sh"

pass=0 fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# NAME WHY LOG T0: count and print a case's verdict (WHY empty: passed;
# else the log follows, indented).
case_verdict() {
  if [ -z "$2" ]; then
    echo "PASS $1 ($((SECONDS - $4)) s)"
    pass=$((pass + 1))
  else
    echo "FAIL $1: $2"
    sed 's/^/    | /' "$3"
    fail=$((fail + 1))
  fi
}

case_() {
  local name=$1 args=$2 t0=$SECONDS rc; shift 2
  # shellcheck disable=SC2086
  "$run" --build-dir "$build" --no-build --timeout "$timeout_s" $args >"$log" 2>&1
  rc=$?
  case_judge "$name" "$rc" "$t0" "$@"
}

# case_'s checks of a boot's output in $log, and its verdict.
#   case_judge NAME RC T0 PATTERN...
case_judge() {
  local name=$1 rc=$2 t0=$3 why boots nofail="!FAIL:"
  shift 3
  # The guests' own checks meant to fail (they look for something the
  # kernel was built without): their FAIL lines are the case's to expect.
  [ "${case_guest_fails:-0}" = 1 ] && nofail=
  why=$(log_why "$log" "$rc" "axvm: all VMs stopped, powering off" \
    "axvm: ${case_pcpus:-2} pCPU(s) online" "axvm: page pool: 0 of" "!PANIC" \
    ${nofail:+"$nofail"} "!TIMEOUT" "$@")
  boots=$(grep -ac '^axvm: bare-metal kernel' "$log")
  [ -z "$why" ] && [ "$boots" -ne 1 ] && why="the kernel booted $boots times"
  case_verdict "$name" "$why" "$log" "$t0"
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

# Console input: two `input` guests, each waiting for a line; the first
# keeps the focus for "one" (after a lone Ctrl-A, which must reach it
# before the next key), three Ctrl-A move it to vm2 for "two".
. "$(dirname "${BASH_SOURCE[0]}")/console-input.sh"
input_case() {
  local why t0=$SECONDS
  typing_start "$log" "$run" --build-dir "$build" --no-build --timeout "$timeout_s" input input
  typing_wait "[vm1] input: ready" && typing_wait "[vm2] input: ready" &&
    typing_send '\x01\x01one\r' && typing_wait "[vm1] input: got" &&
    typing_send "$TYPING_SWITCH" && typing_wait "axvm: console input now goes to vm2" &&
    typing_send 'two\r'
  typing_end
  why=$(log_why "$log" "$typing_rc" "axvm: all VMs stopped, powering off" \
    "axvm: console input goes to vm1" "[vm1] input: got .one" "[vm2] input: got two" \
    "[vm1] RESULT input PASS" "[vm2] RESULT input PASS" "axvm: page pool: 0 of" "!PANIC" \
    "!FAIL:" "!TIMEOUT")
  case_verdict console-input "$why" "$log" "$t0"
}

# A config the kernel must refuse: it prints why (the parser's message or
# its own), starts no VM and powers off; the run script then exits 1.
#   refused_case NAME BLOB PATTERN...
refused_case() {
  local name=$1 blob=$2 rc t0=$SECONDS
  shift 2
  "$run" --build-dir "$build" --no-build --timeout "$timeout_s" --config "$blob" >"$log" 2>&1
  rc=$?
  refused_judge "$name" "$rc" "$t0" "$@"
}

# refused_case's checks of a boot's output in $log, and its verdict.
#   refused_judge NAME RC T0 PATTERN...
refused_judge() {
  local name=$1 rc=$2 t0=$3 why
  shift 3
  case $rc in 1) rc=0 ;; 0) rc=99 ;; esac # 99: "QEMU exit status 99", said below
  why=$(log_why "$log" "$rc" "axvm: no VM started, powering off" \
    "axvm: all VMs stopped, powering off" "!vCPU(s)," "!exits:" "!PANIC" "!TIMEOUT" "$@")
  [ "$rc" = 99 ] && why="the run script exited 0: a VM started or the refusal was not seen"
  case_verdict "$name" "$why" "$log" "$t0"
}

# One VM node of a test config: cfg_node ID HOST [EXTRA-PROPERTY-LINES]
# (guest RAM at $cfg_ram, 16 MiB; entry at its start).
cfg_node() {
  printf '\t\tvm@%s {\n\t\t\tcompatible = "axvm,vm";\n\t\t\treg = <%s>;\n' "$1" "$1"
  printf '\t\t\tcpus = <1>;\n%s\n' "${3-"			entry = <0x0 $cfg_ram>;"}"
  printf '\t\t\tmemory@0 {\n\t\t\t\tcompatible = "axvm,memory";\n'
  printf '\t\t\t\treg = <0x0 %s 0x1000000>;\n\t\t\t\tmap = "linear";\n' "$cfg_ram"
  printf '\t\t\t\thost-addr = <0x0 %s>;\n\t\t\t};\n\t\t};\n' "$2"
}
cfg_blob() { # OUT NODE-TEXT...
  local out=$1
  shift
  { printf '/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n\tvms {\n'
    printf '\t\t#address-cells = <1>;\n\t\t#size-cells = <0>;\n'
    printf '%s\n' "$@"
    printf '\t};\n};\n'; } | dtc -q -I dts -O dtb -o "$out" -
}

# Configs the kernel must refuse (the blob is hostile input), for a target
# whose guest RAM is at $1 and whose VM RAM starts at host $2, its page
# pool at host $3: the parser's own message for a malformed blob and for
# a missing property, and the kernel's for host ranges in its own memory
# or shared by two VMs (the valid VM of that config must not start
# either).
refused_config_cases() {
  local cfg_ram=$1 vm_base=$2 pool=$3 dir
  dir=$(mktemp -d)
  cfg_blob "$dir/ok.dtb" "$(cfg_node 1 "$vm_base")"
  # off_dt_struct (header bytes 8..11) pointed past the blob's end.
  { head -c 8 "$dir/ok.dtb"; printf '\x7f\xff\xff\xf0'; tail -c +13 "$dir/ok.dtb"; } >"$dir/garbled.dtb"
  refused_case config-garbled "$dir/garbled.dtb" "axvm: config: bad device tree blob:"
  cfg_blob "$dir/no-entry.dtb" "$(cfg_node 1 "$vm_base" "")"
  refused_case config-no-entry "$dir/no-entry.dtb" \
    "axvm: config: /vms/vm@1: entry: missing required property"
  cfg_blob "$dir/in-pool.dtb" "$(cfg_node 1 "$pool")"
  refused_case config-host-in-kernel "$dir/in-pool.dtb" \
    "axvm: config: /vms/vm@1: linear RAM outside the RAM VMs may use"
  cfg_blob "$dir/overlap.dtb" "$(cfg_node 1 "$vm_base")" "$(cfg_node 2 $((vm_base + 0x800000)))"
  refused_case config-host-overlap "$dir/overlap.dtb" \
    "axvm: config: /vms/vm@2: linear RAM host 0x" "overlaps /vms/vm@1's"
  rm -rf "$dir"
}

# A VM node's entry line, then one end of channel 1 (one size cell), for
# the caller's $cfg_ram, $db (doorbell) and $irq: ivc_props SHARED-SIZE
ivc_props() {
  printf '\t\t\tentry = <0x0 %s>;\n\t\t\tivc@%x {\n' "$cfg_ram" "$db"
  printf '\t\t\t\tcompatible = "axvm,ivc";\n\t\t\t\treg = <0x0 %s 0x1000>;\n' "$db"
  printf '\t\t\t\tshared-mem = <0x0 %s %s>;\n' $((cfg_ram + 0x2000000)) "$1"
  printf '\t\t\t\tchannel = <1>;\n\t\t\t\tinterrupts = <%s>;\n\t\t\t};\n' "$irq"
}

# The inter-VM channel (docs/ivc.md): vm1 and vm2 on two pCPUs ping-pong
# 500 rounds, every message checked for order and content by both (the
# doorbell's counters in the kernel's report must match); then the same
# beside ivc-hostile, which abuses the doorbell and scribbles the shared
# region first: the peer refuses its 30 junk messages and still answers
# every fair round. Two configs the kernel must refuse: a channel with
# one end (the parser's message) and one whose shared region does not fit
# the host range kept for channels (the kernel's).
#   ivc_cases GUEST_RAM VM_BASE DOORBELL IRQ
ivc_cases() {
  local cfg_ram=$1 vm_base=$2 db=$3 irq=$4 dir
  # Each half of a round trip wakes a halted vCPU on the other pCPU: on a
  # busy host every wake-up waits for a host time slice (~3 ms), so 500
  # rounds take seconds, not the microseconds -icount counts.
  local timeout_s=$((timeout_s * 2))
  case_ ivc "--ivc ivc ivc" "[vm1] RESULT ivc PASS" "[vm2] RESULT ivc PASS" \
    "[vm1] ivc: end 0: 500 rounds in order, 0 messages refused" \
    "axvm: vm1: channel 1 end 0: 500 rings sent, 500 received, 0 refused accesses" \
    "axvm: vm2: channel 1 end 1: 500 rings sent, 500 received, 0 refused accesses"
  case_ ivc-hostile "--ivc ivc-hostile ivc" "[vm1] RESULT ivc-hostile PASS" \
    "[vm2] RESULT ivc PASS" "[vm2] ivc: end 1: 500 rounds in order, 30 messages refused" \
    "axvm: vm1: channel 1 end 0: 4533 rings sent, 500 received, 13 refused accesses"

  timeout_s=$((timeout_s / 2))
  dir=$(mktemp -d)
  cfg_blob "$dir/one-end.dtb" "$(cfg_node 1 "$vm_base" "$(ivc_props 0x10000)")" \
    "$(cfg_node 2 $((vm_base + 0x1000000)))"
  refused_case config-ivc-one-end "$dir/one-end.dtb" \
    "axvm: config: /vms/vm@1/ivc@$(printf '%x' "$db"): channel: channel 1 has one end"
  cfg_blob "$dir/too-big.dtb" "$(cfg_node 1 "$vm_base" "$(ivc_props 0x10000000)")" \
    "$(cfg_node 2 $((vm_base + 0x1000000)) "$(ivc_props 0x10000000)")"
  refused_case config-ivc-too-big "$dir/too-big.dtb" \
    "axvm: config: /vms/vm@1/ivc@$(printf '%x' "$db"): shared-mem: 268435456 bytes, over the"
  rm -rf "$dir"
}

# A VM whose dtb-addr holds no DTB, on a kernel that writes none
# (AXVM_BM_GUEST_DTB off): refused, and said why.
#   guest_dtb_refused_case NAME GUEST_RAM VM_BASE
guest_dtb_refused_case() {
  local name=$1 cfg_ram=$2 vm_base=$3 dtb=$(($2 + 0x800000)) dir
  dir=$(mktemp -d)
  cfg_blob "$dir/dtb.dtb" "$(cfg_node 1 "$vm_base" "$(
    printf '\t\t\tentry = <0x0 %s>;\n\t\t\tdtb-addr = <0x0 %s>;\n' "$cfg_ram" "$dtb")")"
  refused_case "$name" "$dir/dtb.dtb" \
    "no DTB at dtb-addr $(printf '0x%x' "$dtb"), and this kernel writes none (built with AXVM_BM_GUEST_DTB=OFF)"
  rm -rf "$dir"
}

# A VM node's entry line, then a virtio-blk disk of 1 MiB at host
# VM_BASE + 32 MiB, for the caller's $cfg_ram, $vm_base, $db and $irq.
virtio_disk_props() {
  printf '\t\t\tentry = <0x0 %s>;\n\t\t\tvirtio@%x {\n' "$cfg_ram" "$db"
  printf '\t\t\t\tcompatible = "virtio,mmio";\n\t\t\t\treg = <0x0 %s 0x200>;\n' "$db"
  printf '\t\t\t\tinterrupts = <%s>;\n' "$irq"
  printf '\t\t\t\taxvm,disk = <0x0 %s 0x0 0x100000>;\n\t\t\t};\n' $((vm_base + 0x2000000))
}

# The kernel built without its optional features (tests/lib/minimal-kernel.sh),
# in BUILD-minimal: guests that need none of them run as on the full
# kernel, one that looks for the test device finds none; a config that
# asks for one is refused with the left-out feature named (a virtio disk,
# a channel with both ends, a dtb-addr with no DTB loaded there), and no
# VM of it starts.
#   minimal_kernel_cases GUEST_RAM VM_BASE DEVICE-ADDR IRQ
minimal_kernel_cases() {
  local cfg_ram=$1 vm_base=$2 db=$3 irq=$4 dir build=${build}-minimal
  # Sized down too: room for 2 VMs, and 1 pCPU on the 2-CPU board (the
  # other stays parked; every vCPU shares pCPU 0).
  echo "== building the kernel without its optional features, for 2 VMs and 1 pCPU, in $build"
  if ! "$run" --build-dir "$build" --build-only "${bm_minimal_run[@]}" -D AXVM_BM_MAX_VMS=2 \
    -D AXVM_BM_MAX_CPUS=1; then
    echo "FAIL minimal-kernel: build"
    fail=$((fail + 1))
    return
  fi
  case_pcpus=1 case_ minimal-kernel "hello timer" "[vm1] RESULT hello PASS" \
    "[vm2] RESULT timer PASS" "axvm: vm2: down, guest code 0" \
    "axvm: vm2 vCPU 0 wants pCPU 1, only 1 online: using pCPU 0"
  # No test device (AXVM_BM_TESTDEV=OFF): its window is unclaimed MMIO,
  # read as zero, so the mmio guest's checks of it fail and the VM runs to
  # its end.
  case_pcpus=1 case_guest_fails=1 case_ minimal-no-testdev "mmio -" \
    "got 0x0, want 0x123456789abcdef" "[vm1] RESULT mmio FAIL" "axvm: vm1: down, guest code 0"

  dir=$(mktemp -d)
  cfg_blob "$dir/virtio.dtb" "$(cfg_node 1 "$vm_base" "$(virtio_disk_props)")"
  refused_case minimal-refuses-virtio "$dir/virtio.dtb" \
    "axvm: config: /vms/vm@1/virtio@$(printf '%x' "$db"): compatible: this build has no virtio-mmio devices (AXVM_FDT_NO_VIRTIO)"
  cfg_blob "$dir/ivc.dtb" "$(cfg_node 1 "$vm_base" "$(ivc_props 0x10000)")" \
    "$(cfg_node 2 $((vm_base + 0x1000000)) "$(ivc_props 0x10000)")"
  refused_case minimal-refuses-ivc "$dir/ivc.dtb" \
    "axvm: config: /vms/vm@1/ivc@$(printf '%x' "$db"): compatible: this build has no inter-VM channels (AXVM_FDT_NO_IVC)"
  # One VM more than AXVM_BM_MAX_VMS: the parser says so, nothing starts.
  cfg_blob "$dir/three.dtb" "$(cfg_node 1 "$vm_base")" "$(cfg_node 2 $((vm_base + 0x1000000)))" \
    "$(cfg_node 3 $((vm_base + 0x2000000)))"
  refused_case minimal-refuses-max-vms "$dir/three.dtb" \
    "axvm: config: the blob describes more VMs than the 2 the array has room for (over a fixed limit)"
  rm -rf "$dir"
  guest_dtb_refused_case minimal-refuses-guest-dtb "$cfg_ram" "$vm_base"
}

# The kernel with its VMs compiled in (AXVM_BM_CONFIG_C, written by a host
# axvm-config -c) and its optional features off, in BUILD-builtin, built
# from BLOB and booted: it must say its VMs were built in, not read from
# the blob the run script still loads (for the guest images it names).
#   builtin_boot_case NAME BLOB PATTERN...
builtin_boot_case() {
  local name=$1 blob=$2 t0=$SECONDS build=${build}-builtin
  shift 2
  echo "== building the kernel with the VMs of $blob compiled in, in $build"
  if ! builtin_kernel "$run" "$build" "$blob" >"$log" 2>&1; then
    case_verdict "$name" "the config or the kernel was not built" "$log" "$t0"
    return
  fi
  case_ "$name" "--config $blob" " VM(s) built into this kernel;" "!from the blob" "$@"
}

# builtin_boot_case's kernel with the dictionary log (AXVM_BM_DICT_LOG),
# in BUILD-builtin-dict: the console must hold records, not the text
# (no kernel line as it is; guest lines only as a record's text), and
# scripts/axvm-log-decode must turn them, every one, into what
# builtin_boot_case checks.
#   builtin_dict_log_case NAME BLOB PATTERN...
builtin_dict_log_case() {
  local name=$1 blob=$2 t0=$SECONDS build=${build}-builtin-dict
  shift 2
  echo "== building the kernel with the VMs of $blob compiled in and the dictionary log, in $build"
  if ! builtin_kernel "$run" "$build" "$blob" 8 -D AXVM_BM_DICT_LOG=ON >"$log" 2>&1; then
    case_verdict "$name" "the config or the kernel was not built" "$log" "$t0"
    return
  fi
  if dict_boot "$name" "$build" "$blob" 0 "$t0" "!axvm: all VMs stopped, powering off" \
    "!built into this kernel" "![vm1] RESULT hello PASS"; then
    case_judge "$name" 0 "$t0" " VM(s) built into this kernel;" "!from the blob" "$@"
  fi
}

# Boot the dictionary-log kernel in BUILD with BLOB: its raw console must
# hold records, the run script must exit with RC (0, or 1 for a refused
# config) and the raw console match PATTERN... (a text the kernel prints, with '!': the
# records must not carry it); then the decoded console goes to $log, where
# the caller judges it. Returns 1 after a FAIL verdict.
#   dict_boot NAME BUILD BLOB RC T0 PATTERN...
dict_boot() {
  local name=$1 build=$2 blob=$3 want=$4 t0=$5 raw rc why
  shift 5
  raw=$(mktemp)
  "$run" --build-dir "$build" --no-build --timeout "$timeout_s" --config "$blob" >"$raw" 2>&1
  rc=$?
  # QEMU's own status first: a timeout is reported as one, not as text.
  if [ "$rc" = "$want" ]; then
    why=$(log_why "$raw" 0 "$(printf '\x1e')k" "$@")
  elif [ "$rc" = 0 ]; then
    why="the run script exited 0, not $want: a VM started or the refusal was not seen"
  else
    why=$(log_why "$raw" "$rc")
  fi
  if [ -n "$why" ]; then
    cp "$raw" "$log"
    case_verdict "$name" "raw console: $why" "$log" "$t0"
  elif ! "$(dirname "${BASH_SOURCE[0]}")/../../scripts/axvm-log-decode" \
    "$build/axvm-baremetal.elf" "$raw" >"$log" 2>&1; then
    case_verdict "$name" "the decoder refused a record" "$log" "$t0"
  else
    rm -f "$raw"
    return 0
  fi
  rm -f "$raw"
  return 1
}

# The minimal kernel (parsing its config) with the dictionary log, in
# BUILD-minimal-dict, given a config with more VMs than it has room for:
# the refusal carries an error code, not its text (bm_strerror), and the
# decoder must print the text from the kernel's table, as a kernel
# without the log prints it.
#   dict_log_refused_case GUEST_RAM VM_BASE
dict_log_refused_case() {
  local cfg_ram=$1 vm_base=$2 build=${build}-minimal-dict t0=$SECONDS dir
  echo "== building the kernel without its optional features, with the dictionary log, in $build"
  if ! "$run" --build-dir "$build" --build-only "${bm_minimal_run[@]}" -D AXVM_BM_MAX_VMS=2 \
    -D AXVM_BM_DICT_LOG=ON >"$log" 2>&1; then
    case_verdict dict-log-refusal "the kernel was not built" "$log" "$t0"
    return
  fi
  dir=$(mktemp -d)
  cfg_blob "$dir/three.dtb" "$(cfg_node 1 "$vm_base")" "$(cfg_node 2 $((vm_base + 0x1000000)))" \
    "$(cfg_node 3 $((vm_base + 0x2000000)))"
  if dict_boot dict-log-refusal "$build" "$dir/three.dtb" 1 "$t0" "!over a fixed limit" \
    "!axvm: no VM started"; then
    refused_judge dict-log-refusal 1 "$t0" \
      "axvm: config: the blob describes more VMs than the 2 the array has room for (over a fixed limit)"
  fi
  rm -rf "$dir"
}

# builtin_boot_case for the demo's two VMs (tests/lib/builtin-config.sh),
# the same with the dictionary log, then a config that asks for a
# left-out feature (a virtio disk): it fails the kernel's build with the
# parser's reason.
#   builtin_config_cases ARCH GUEST_RAM VM_BASE DEVICE-ADDR IRQ
builtin_config_cases() {
  local arch=$1 cfg_ram=$2 vm_base=$3 db=$4 irq=$5 dir why t0
  dir=$(mktemp -d)
  builtin_demo_dts "$arch" "$build/guests/hello.bin" "$build/guests/timer.bin" |
    dtc -q -I dts -O dtb -o "$dir/demo.dtb" -
  builtin_boot_case builtin-config "$dir/demo.dtb" "axvm: config: 2 VM(s) built into this kernel;" \
    "[vm1] RESULT hello PASS" "[vm2] RESULT timer PASS"
  builtin_dict_log_case builtin-dict-log "$dir/demo.dtb" \
    "axvm: config: 2 VM(s) built into this kernel;" "[vm1] RESULT hello PASS" \
    "[vm2] RESULT timer PASS"

  t0=$SECONDS
  cfg_blob "$dir/virtio.dtb" "$(cfg_node 1 "$vm_base" "$(virtio_disk_props)")"
  if builtin_kernel "$run" "${build}-builtin" "$dir/virtio.dtb" >"$log" 2>&1; then
    echo "the kernel was built" >>"$log"
  fi
  why=$(log_why "$log" 0 "wrote $dir/virtio.dtb.c" "!the kernel was built" \
    "/vms/vm@1/virtio@$(printf '%x' "$db"): this build has no virtio-mmio devices (AXVM_FDT_NO_VIRTIO)")
  case_verdict builtin-refuses-virtio "$why" "$log" "$t0"

  # The demo's two VMs into a kernel with room for one: its build fails.
  t0=$SECONDS
  if builtin_kernel "$run" "${build}-builtin" "$dir/demo.dtb" 1 >"$log" 2>&1; then
    echo "the kernel was built" >>"$log"
  fi
  why=$(log_why "$log" 0 "wrote $dir/demo.dtb.c" "!the kernel was built" \
    "2 VMs, more than this build takes (AXVM_FDT_MAX_VMS)")
  case_verdict builtin-refuses-max-vms "$why" "$log" "$t0"
  rm -rf "$dir"
}
