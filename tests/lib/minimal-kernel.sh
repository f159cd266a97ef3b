# The bare-metal kernel with its optional features all off
# (ports/baremetal/CMakeLists.txt): the build the suites boot as the
# minimal kernel and tests/bench/baremetal_size.sh measures. Sourced, not
# run. bm_minimal_cmake: cmake's -D arguments; bm_minimal_run: the same for
# scripts/run-<arch> (-D NAME=VALUE).
# shellcheck shell=bash
bm_minimal_cmake=(-DAXVM_BM_VIRTIO=OFF -DAXVM_BM_IVC=OFF -DAXVM_BM_GUEST_DTB=OFF -DAXVM_BM_TESTDEV=OFF)
bm_minimal_run=()
for _d in "${bm_minimal_cmake[@]}"; do bm_minimal_run+=(-D "${_d#-D}"); done
unset _d
