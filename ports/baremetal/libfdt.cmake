# SPDX-License-Identifier: Apache-2.0
# libfdt for the bare-metal kernel, compiled freestanding from Debian's own
# sources: the scripts/dtc/libfdt directory of the linux-source-6.1
# package's tarball (BSD-2-Clause OR GPL-2.0+ dual licence), extracted into
# the build directory, never into the tree. Gives the target axvm::libfdt,
# which cmake/part-fdt.cmake then uses instead of searching the host.
#
#   AXVM_BM_LIBFDT_DIR  a directory holding libfdt.h, fdt.c, ... (the run
#                       scripts extract it; empty: extracted here at
#                       configure time from AXVM_BM_LINUX_SOURCE_TARBALL)

set(AXVM_BM_LIBFDT_DIR "" CACHE PATH "libfdt sources (scripts/dtc/libfdt of Debian's linux-source)")
set(AXVM_BM_LINUX_SOURCE_TARBALL /usr/src/linux-source-6.1.tar.xz CACHE FILEPATH
    "Debian's linux-source tarball, for libfdt (apt-get install linux-source-6.1)")

set(_bm_fdt_dir "${AXVM_BM_LIBFDT_DIR}")
if(NOT _bm_fdt_dir)
  set(_bm_fdt_dir ${CMAKE_BINARY_DIR}/libfdt-src)
  if(NOT EXISTS ${_bm_fdt_dir}/libfdt.h)
    if(NOT EXISTS ${AXVM_BM_LINUX_SOURCE_TARBALL})
      message(FATAL_ERROR
        "ports/baremetal needs libfdt's sources: install Debian's linux-source-6.1 "
        "(apt-get install linux-source-6.1) or point AXVM_BM_LIBFDT_DIR at a "
        "scripts/dtc/libfdt directory (scripts/run-aarch64 does both for you)")
    endif()
    get_filename_component(_bm_tar_top ${AXVM_BM_LINUX_SOURCE_TARBALL} NAME)
    string(REGEX REPLACE "\\.tar\\.xz$" "" _bm_tar_top "${_bm_tar_top}")
    file(MAKE_DIRECTORY ${_bm_fdt_dir})
    execute_process(
      COMMAND tar -xJf ${AXVM_BM_LINUX_SOURCE_TARBALL} -C ${_bm_fdt_dir}
              --strip-components=4 ${_bm_tar_top}/scripts/dtc/libfdt
      RESULT_VARIABLE _bm_tar_rc)
    if(NOT _bm_tar_rc EQUAL 0 OR NOT EXISTS ${_bm_fdt_dir}/libfdt.h)
      message(FATAL_ERROR "could not extract ${_bm_tar_top}/scripts/dtc/libfdt from ${AXVM_BM_LINUX_SOURCE_TARBALL}")
    endif()
  endif()
endif()
if(NOT EXISTS ${_bm_fdt_dir}/libfdt.h OR NOT EXISTS ${_bm_fdt_dir}/fdt_ro.c)
  message(FATAL_ERROR "AXVM_BM_LIBFDT_DIR=${_bm_fdt_dir} holds no libfdt sources")
endif()

# Read-only access, the sequential writer (guest DTBs) and what they need;
# not fdt_overlay.c (strtoul) nor fdt_rw.c.
add_library(axvm_bm_libfdt STATIC
  ${_bm_fdt_dir}/fdt.c ${_bm_fdt_dir}/fdt_ro.c ${_bm_fdt_dir}/fdt_wip.c
  ${_bm_fdt_dir}/fdt_sw.c ${_bm_fdt_dir}/fdt_strerror.c ${_bm_fdt_dir}/fdt_addresses.c)
target_include_directories(axvm_bm_libfdt SYSTEM PUBLIC ${_bm_fdt_dir})
add_library(axvm::libfdt ALIAS axvm_bm_libfdt)
# Linux's copy has no fdt_check.c (fdt_check_full() is declared, not
# defined): the library's own blob walk stands in (src/core/fdt/blob_check.c).
if(NOT EXISTS ${_bm_fdt_dir}/fdt_check.c)
  target_compile_definitions(axvm_bm_libfdt INTERFACE AXVM_LIBFDT_NO_CHECK_FULL=1)
else()
  target_sources(axvm_bm_libfdt PRIVATE ${_bm_fdt_dir}/fdt_check.c)
endif()
