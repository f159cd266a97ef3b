#!/usr/bin/env bash
# Run every libFuzzer target of a fuzz build for a bounded time.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS
#
# BUILD_DIR is a build of the `fuzz` preset (clang, AXVM_FUZZ=ON), e.g.
# build/fuzz. Each BUILD_DIR/tests/fuzz/fuzz_* target runs for SECONDS on a
# copy of its seeds (BUILD_DIR/tests/fuzz/<target>.seeds) in a temporary
# directory, with <target>.dict as its dictionary if there is one; nothing
# is written to the source tree. Exits non-zero if a
# target finds a crash, leak, timeout or out-of-memory, or cannot run;
# the reproducers are kept in BUILD_DIR/fuzz-artifacts/<target>/.
set -uo pipefail

if [ $# -ne 2 ] || ! [[ $2 =~ ^[0-9]+$ ]] || [ "$2" -lt 1 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build=$1
secs=$2
dir=$build/tests/fuzz
if [ ! -d "$dir" ]; then
  echo "run.sh: $dir does not exist: build the fuzz preset first" \
       "(cmake --preset fuzz && cmake --build build/fuzz)" >&2
  exit 1
fi
mapfile -t targets < <(find "$dir" -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x | sort)
if [ ${#targets[@]} -eq 0 ]; then
  echo "run.sh: no fuzz targets in $dir (configure with AXVM_FUZZ=ON and clang)" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/axvm-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if [ -f "$dir/skipped.txt" ]; then
  while IFS= read -r line; do echo "SKIPPED: $line"; done <"$dir/skipped.txt"
fi
failed=0
for t in "${targets[@]}"; do
  name=$(basename "$t")
  mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
  if [ -d "$dir/$name.seeds" ]; then
    cp -R "$dir/$name.seeds/." "$work/$name/corpus/"
  fi
  dict=()
  if [ -f "$dir/$name.dict" ]; then
    dict=(-dict="$dir/$name.dict")
  fi
  nseeds=$(find "$work/$name/corpus" -type f | wc -l)
  echo "== $name: $secs s from $nseeds seeds"
  "$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$work/$name/artifacts/" \
       "${dict[@]}" "$work/$name/corpus" >"$work/$name/log" 2>&1
  rc=$?
  found=$(find "$work/$name/artifacts" -type f | wc -l)
  if [ $rc -ne 0 ] || [ "$found" -ne 0 ]; then
    echo "FAIL: $name: exit status $rc, $found finding(s)"
    tail -n 80 "$work/$name/log"
    if [ "$found" -ne 0 ]; then
      mkdir -p "$build/fuzz-artifacts/$name"
      cp "$work/$name/artifacts/"* "$build/fuzz-artifacts/$name/"
      echo "reproducers: $build/fuzz-artifacts/$name/ (run: $t FILE)"
    fi
    failed=1
  else
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name/log")
    cov=$(grep -o 'cov: [0-9]*' "$work/$name/log" | tail -1)
    echo "ok: $name: ${runs:-?} runs, ${cov:-cov: ?}, no findings"
  fi
done
exit $failed
