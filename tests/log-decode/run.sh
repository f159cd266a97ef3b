#!/usr/bin/env bash
# scripts/axvm-log-decode on records written by hand: every conversion
# the kernel's messages use (and the widths, flags and quirks of its
# printf, ports/baremetal/console.c), text around and between records
# passed through, and broken records shown as a marker line with exit
# status 1, never a crash. The dictionary is an ELF file objcopy makes
# from formats laid out here, at a made-up address.
#   tests/log-decode/run.sh [DECODER [PYTHON]]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
decode=${1:-$root/scripts/axvm-log-decode}
python=${2:-python3}
command -v "$python" >/dev/null || { echo "SKIPPED: no $python"; exit 0; }
command -v objcopy >/dev/null || { echo "SKIPPED: no objcopy"; exit 0; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
base=0x40210000

# The dictionary: each format's address printed into $dir/addr.NAME.
: >"$dir/dict.bin"
fmt() {
  printf '%x' $((base + $(stat -c %s "$dir/dict.bin"))) >"$dir/addr.$1"
  printf '%s\0' "$2" >>"$dir/dict.bin"
}
fmt vcpus $'axvm: %s: %u vCPU(s), %s boot, entry %lx, dtb %lx\n'
fmt ram $'axvm: config: %u VM(s) built into this kernel; VM RAM 0x%lx..0x%lx\n'
fmt pool $'axvm: page pool: %zu of %zu pages in use after teardown\n'
fmt putnum $'[%s] hypercall putnum %lu (0x%lx)\n'
fmt vector $'axvm: injecting vector 0x%x\n'
fmt signs $'%d %ld %u %x %lu\n'
fmt widths $'[%016lx] [%5u] [%05x] [%8s] [%X] [%p]\n'
fmt quirks $'%-5s|%% %c|%q|%03d\n'
fmt noline 'part one, '
fmt line $'%s\n'
fmt panic 'CPU %u (hw id %lu) did not come up'
fmt none $'axvm: all VMs stopped, powering off\n'
fmt nul $'a%cb\n'
fmt error $'axvm: config: %s (%s)\n'
objcopy -I binary -O elf64-little --rename-section .data=.axvm_dict \
  --change-section-address .data+$base "$dir/dict.bin" "$dir/plain-dict.elf" || exit 1
# The error texts (console.c's dict_errors): two codes and the fallback.
"$python" -c 'import struct, sys
sys.stdout.buffer.write(b"".join(struct.pack("<i44s", c, t) for c, t in
    ((0, b"success"), (-22, b"invalid argument"), (1, b"unknown error"))))' >"$dir/errors.bin"
objcopy -I elf64-little -O elf64-little --add-section .axvm_dict_errors="$dir/errors.bin" "$dir/plain-dict.elf" \
  "$dir/dict.elf" || exit 1
a() { cat "$dir/addr.$1"; }
rs=$'\x1e'

# NAME INPUT EXPECTED [STATUS]: the decoder's output for INPUT must be
# EXPECTED byte for byte, its exit status STATUS (default 0).
check() {
  local st
  printf '%s' "$2" >"$dir/in"
  printf '%s' "$3" >"$dir/want"
  "$python" "$decode" "${elf:-$dir/dict.elf}" "$dir/in" >"$dir/got" 2>"$dir/err"
  st=$?
  if [ "$st" -ne "${4:-0}" ]; then
    echo "FAIL $1: exit status $st, want ${4:-0}"
    cat "$dir/err"
    fail=$((fail + 1))
  elif ! cmp -s "$dir/got" "$dir/want"; then
    echo "FAIL $1: output differs"
    diff <(od -c "$dir/want") <(od -c "$dir/got") | head -20
    fail=$((fail + 1))
  else
    echo "PASS $1"
    pass=$((pass + 1))
  fi
}

check passthrough $'OpenSBI v1.1\r\n[vm1] Hello\r\nno newline at the end' \
  $'OpenSBI v1.1\r\n[vm1] Hello\r\nno newline at the end'
check strings-ints "${rs}k$(a vcpus)\"vm1:2\"raw:40080000:0"$'\r\n' \
  $'axvm: vm1: 2 vCPU(s), raw boot, entry 40080000, dtb 0\r\n'
check lx-hex "${rs}k$(a ram):2:48000000:49ffffff"$'\r\n' \
  $'axvm: config: 2 VM(s) built into this kernel; VM RAM 0x48000000..0x49ffffff\r\n'
check zu "${rs}k$(a pool):0:4000"$'\r\n' \
  $'axvm: page pool: 0 of 16384 pages in use after teardown\r\n'
check lu-64bit "${rs}k$(a putnum)\"vm2:ffffffffffffffff:ffffffffffffffff"$'\r\n' \
  $'[vm2] hypercall putnum 18446744073709551615 (0xffffffffffffffff)\r\n'
check x "${rs}k$(a vector):ec"$'\r\n' $'axvm: injecting vector 0xec\r\n'
# An int -1 travels sign-extended: without 'l' the low 32 bits count.
check signs "${rs}k$(a signs):ffffffffffffffff:ffffffffffffffff:ffffffffffffffff:ffffffffffffffff:80000000"$'\r\n' \
  $'-1 -1 4294967295 ffffffff 2147483648\r\n'
check widths "${rs}k$(a widths):1234:2a:ab\"vm1:ff:beef"$'\r\n' \
  $'[0000000000001234] [   42] [000ab] [     vm1] [FF] [0xbeef]\r\n'
# The kernel's printf has no '-' flag and pads a negative number's sign.
check quirks "${rs}k$(a quirks):41:fffffffffffffffe"$'\r\n' $'%-5s|% A|%q|0-2\r\n'
check escapes "${rs}k$(a putnum)\"a\\3ab\\22c\\5cd\\0ae:1:1"$'\r\n' \
  $'[a:b"c\\d\r\ne] hypercall putnum 1 (0x1)\r\n'
check no-newline "${rs}k$(a noline)"$'\r\n'"${rs}k$(a none)"$'\r\n' \
  $'part one, axvm: all VMs stopped, powering off\r\n'
check text-before-record "OpenSBI tail${rs}k$(a none)"$'\r\n' \
  $'OpenSBI tailaxvm: all VMs stopped, powering off\r\n'
long=$(printf 'x%.0s' {1..300})
check line-of-255 "${rs}k$(a line)\"$long"$'\r\n' "$(printf 'x%.0s' {1..255})"
check nul-char "${rs}k$(a nul):0"$'\r\n' 'a'
check panic "${rs}p$(a panic):1:81"$'\r\n' $'axvm: PANIC: CPU 1 (hw id 129) did not come up\r\n'
# An error code (bm_strerror) where the format wants text: its text from
# the table, any code not in it the fallback's.
check error-text "${rs}k$(a error)\"bad blob:ffffffffffffffea"$'\r\n' \
  $'axvm: config: bad blob (invalid argument)\r\n'
check error-zero "${rs}k$(a error)\"x:0"$'\r\n' $'axvm: config: x (success)\r\n'
check error-unknown "${rs}k$(a error)\"x:fffffffffffffc18"$'\r\n' $'axvm: config: x (unknown error)\r\n'

# Broken records: one marker line each, the rest still decoded.
check unknown-address "${rs}k1234:1"$'\r\n'"${rs}k$(a none)"$'\r\n' \
  $'<axvm-log-decode: no format at 0x1234: k1234:1>\naxvm: all VMs stopped, powering off\r\n' 1
mid=$(printf '%x' $((0x$(a none) + 3)))
check mid-string "${rs}k$mid"$'\r\n' "<axvm-log-decode: no format at 0x$mid: k$mid>"$'\n' 1
check cut-off "${rs}k$(a none)"$'\r\n'"${rs}k$(a ram):2:480" \
  $'axvm: all VMs stopped, powering off\r\n'"<axvm-log-decode: cut off: k$(a ram):2:480>"$'\n' 1
check too-few "${rs}k$(a ram):2"$'\r\n' "<axvm-log-decode: too few arguments: k$(a ram):2>"$'\n' 1
check too-many "${rs}k$(a none):2"$'\r\n' \
  "<axvm-log-decode: more arguments than the format takes: k$(a none):2>"$'\n' 1
check text-for-number "${rs}k$(a vector)\"ec"$'\r\n' \
  "<axvm-log-decode: text where the format wants a number: k$(a vector)\"ec>"$'\n' 1
check bad-escape "${rs}k$(a line)\"a\\zz"$'\r\n' "<axvm-log-decode: bad escape: k$(a line)\"a\\zz>"$'\n' 1
check bad-integer "${rs}k$(a vector):xyz"$'\r\n' "<axvm-log-decode: bad integer: k$(a vector):xyz>"$'\n' 1
check not-a-record "${rs}hello"$'\r\n' $'<axvm-log-decode: not a record: hello>\n' 1
# A number no int's sign extension makes is no error code.
check number-for-text "${rs}k$(a error)\"x:100000000"$'\r\n' \
  "<axvm-log-decode: a number where the format wants text: k$(a error)\"x:100000000>"$'\n' 1
elf=$dir/plain-dict.elf check no-error-texts "${rs}k$(a error)\"x:ffffffffffffffea"$'\r\n' \
  "<axvm-log-decode: an error code and no error texts: k$(a error)\"x:ffffffffffffffea>"$'\n' 1

# An ELF without the section: a clear refusal.
objcopy -I binary -O elf64-little "$dir/dict.bin" "$dir/plain.elf"
if "$python" "$decode" "$dir/plain.elf" /dev/null 2>"$dir/err"; then
  echo "FAIL no-section: decoded with no dictionary"; fail=$((fail + 1))
elif grep -q "no .axvm_dict section" "$dir/err"; then
  echo "PASS no-section"; pass=$((pass + 1))
else
  echo "FAIL no-section: $(cat "$dir/err")"; fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
