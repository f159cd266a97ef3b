# shellcheck shell=bash
# Shared by the tests/bench scripts that build a bare-metal kernel and
# boot one bench case twice under -icount: the build, the two boots, the
# PASS lines each must print, and the agreement of the two figures.
# Sourced, not run; the caller has cd'd to the tree's root.
#
#   bench_twice WHAT ARCH BUILD FIGURE PASS... -- RUN_ARGS...
#       Builds the kernel and guests in BUILD (scripts/run-ARCH
#       --build-only), boots `scripts/run-ARCH --build-dir BUILD --no-build
#       --icount --timeout 600 RUN_ARGS...` twice; each boot must exit 0
#       and print a line matching each PASS (a grep regex, e.g.
#       '^\[vm1\] RESULT ivc PASS'). Prints VM 1's "bench FIGURE <n> instr"
#       line, which both boots must print alike; otherwise says why, named
#       WHAT, on stderr and returns 1.
bench_twice() {
  local what=$1 arch=$2 build=$3 figure=$4 t n p rc=0
  local -a pass=()
  shift 4
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do pass+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  t=$(mktemp -d)
  if ! "scripts/run-$arch" --build-dir "$build" --build-only >"$t/build.log" 2>&1; then
    cat "$t/build.log" >&2
    rm -rf "$t"
    return 1
  fi
  for n in 1 2; do
    "scripts/run-$arch" --build-dir "$build" --no-build --icount --timeout 600 "$@" \
      >"$t/run$n.log" 2>&1 || rc=1
    for p in "${pass[@]}"; do
      grep -aq -- "$p" "$t/run$n.log" || rc=1
    done
    if [ $rc -ne 0 ]; then
      echo "$what: the boot failed:" >&2
      tail -20 "$t/run$n.log" >&2
      rm -rf "$t"
      return 1
    fi
    grep -a "^\[vm1\] bench $figure " "$t/run$n.log" | sed 's/^\[vm1\] //' >"$t/b$n"
  done
  if [ ! -s "$t/b1" ] || ! cmp -s "$t/b1" "$t/b2"; then
    echo "$what: two runs disagree or printed nothing:" >&2
    cat "$t/b1" "$t/b2" >&2
    rm -rf "$t"
    return 1
  fi
  cat "$t/b1"
  rm -rf "$t"
}
