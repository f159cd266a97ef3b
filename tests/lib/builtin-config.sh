# The bare-metal kernel with its VMs compiled in (ports/baremetal
# AXVM_BM_CONFIG_C): the config the suites' builtin case boots and
# tests/bench/baremetal_size.sh measures, and the host tool that writes it
# as C. Sourced, not run; builtin_kernel needs the caller's $root and
# tests/lib/minimal-kernel.sh.
# shellcheck shell=bash disable=SC2154 # root and bm_minimal_run are the caller's

# Two VMs on ARCH as scripts/run-<arch> writes them for two guests
# without a guest DTB: on aarch64 and riscv64 (the demo, "hello timer") vm1
# with 2 vCPUs on pCPUs 0 and 1, vm2 with 1 on pCPU 1, 16 MiB of linear RAM
# each; on x86_64 one vCPU each on pCPUs 0 and 1, 64 MiB each; the
# target's UART. A dts on stdout; with IMAGE1 and IMAGE2, the run script
# loads those as their kernels.
#   builtin_demo_dts ARCH [IMAGE1 IMAGE2]
builtin_demo_dts() {
  local arch=$1 ram entry host uart ureg id cpus aff vm_size=0x1000000 cpus1=2 aff1="0 1"
  case $arch in
    aarch64) ram=0x40000000 entry=0x40080000 host=0x48000000 uart=arm,pl011 ureg=0x9000000 ;;
    riscv64) ram=0x80000000 entry=0x80200000 host=0x88000000 uart=ns16550a ureg=0x10000000 ;;
    x86_64) ram=0x0 entry=0x100000 host=0x6000000 uart=ns16550a ureg=0xfc000000 vm_size=0x4000000 cpus1=1 aff1=0 ;;
    *) echo "builtin_demo_dts: no demo config for $arch" >&2; return 1 ;;
  esac
  printf '/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n\tvms {\n'
  printf '\t\t#address-cells = <1>;\n\t\t#size-cells = <0>;\n'
  for id in 1 2; do
    if [ $id = 1 ]; then cpus=$cpus1 aff=$aff1; else cpus=1 aff=1; fi
    printf '\t\tvm@%s {\n\t\t\tcompatible = "axvm,vm";\n\t\t\treg = <%s>;\n' $id $id
    printf '\t\t\t#address-cells = <2>;\n\t\t\t#size-cells = <2>;\n'
    printf '\t\t\tcpus = <%s>;\n\t\t\tcpu-affinity = <%s>;\n' $cpus "$aff"
    printf '\t\t\tentry = <0x0 %s>;\n' $entry
    [ $# -ge 3 ] && printf '\t\t\taxvm,kernel-file = "%s";\n' "${@:id+1:1}"
    printf '\t\t\tmemory@0 {\n\t\t\t\tcompatible = "axvm,memory";\n'
    printf '\t\t\t\treg = <0x0 %s 0x0 %s>;\n\t\t\t\tmap = "linear";\n' $ram $vm_size
    printf '\t\t\t\thost-addr = <0x0 0x%x>;\n\t\t\t};\n' $((host + (id - 1) * vm_size))
    printf '\t\t\tserial@%x {\n\t\t\t\tcompatible = "%s";\n' $((ureg)) $uart
    printf '\t\t\t\treg = <0x0 %s 0x0 0x1000>;\n\t\t\t};\n\t\t};\n' $ureg
  done
  printf '\t};\n};\n'
}

# The path of a host axvm-config already built: $AXVM_CONFIG_TOOL, or a
# host preset's build of it; nothing (status 1) if there is none.
#   axvm_config_tool_built ROOT
axvm_config_tool_built() {
  local root=$1 c
  if [ -n "${AXVM_CONFIG_TOOL:-}" ]; then echo "$AXVM_CONFIG_TOOL"; return 0; fi
  for c in debug release clang asan; do
    if [ -x "$root/build/$c/examples/axvm-config/axvm-config" ]; then
      echo "$root/build/$c/examples/axvm-config/axvm-config"
      return 0
    fi
  done
  return 1
}

# The same, but if no preset has one, build/debug's is built (a minute).
#   axvm_config_tool ROOT
axvm_config_tool() {
  local root=$1
  axvm_config_tool_built "$root" && return 0
  (cd "$root" && env -u CFLAGS -u CPPFLAGS -u LDFLAGS -u CC cmake --preset debug >/dev/null &&
    cmake --build build/debug --target axvm-config >/dev/null) >&2 || return 1
  echo "$root/build/debug/examples/axvm-config/axvm-config"
}

# The minimal kernel (tests/lib/minimal-kernel.sh) with the VMs of BLOB
# compiled in, in BUILD, by RUN (scripts/run-<arch>): axvm-config -c
# writes BLOB.c, then the kernel is built with it. Both say what they did
# on stdout and stderr; the status is the first failure's. MAX_VMS is
# the kernel's AXVM_BM_MAX_VMS (default 8), given every time: BUILD's
# cache keeps the last one. More run-script arguments (-D NAME=VALUE)
# may follow it.
#   builtin_kernel RUN BUILD BLOB [MAX_VMS [ARG...]]
builtin_kernel() {
  local tool
  tool=$(axvm_config_tool "$root") && "$tool" -c "$3.c" "$3" &&
    "$1" --build-dir "$2" --build-only -D AXVM_BM_GUESTS=OFF -D AXVM_BM_CONFIG_C="$3.c" \
      -D AXVM_BM_MAX_VMS="${4:-8}" "${bm_minimal_run[@]}" "${@:5}"
}
