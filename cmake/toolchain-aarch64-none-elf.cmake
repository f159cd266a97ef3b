# SPDX-License-Identifier: Apache-2.0
# AArch64 bare metal (EL2 hypervisor, EL1 guests), freestanding.
#
#   cmake -S . -B build/a64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64-none-elf.cmake \
#         -DAXVM_ARCH=aarch64 -DAXVM_PORT=baremetal -DAXVM_BUILD_TESTS=OFF
#
# Compiler: Debian's aarch64-linux-gnu-gcc used freestanding (preferred), or
# clang --target=aarch64-none-elf; -DAXVM_A64_CC=clang forces clang. Nothing
# from a C library is used: -nostdinc keeps only the compiler's own headers
# (stdint.h, stddef.h, stdatomic.h, ...) plus the bare-metal port's tiny
# string.h, so a core file that grows a hosted dependency fails to build here.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
# No C library to link a test program against.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

get_filename_component(_axvm_a64_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(AXVM_A64_LIBC_INCLUDE "${_axvm_a64_root}/ports/baremetal/libc/include")

set(AXVM_A64_CC "" CACHE STRING "aarch64 bare-metal compiler: gcc or clang (empty: gcc if found)")
find_program(AXVM_A64_GCC NAMES aarch64-none-elf-gcc aarch64-linux-gnu-gcc)
find_program(AXVM_A64_CLANG NAMES clang)

if(AXVM_A64_CC STREQUAL "clang" OR (NOT AXVM_A64_GCC AND AXVM_A64_CLANG))
  set(CMAKE_C_COMPILER "${AXVM_A64_CLANG}")
  set(CMAKE_ASM_COMPILER "${AXVM_A64_CLANG}")
  set(CMAKE_C_COMPILER_TARGET aarch64-none-elf)
  set(CMAKE_ASM_COMPILER_TARGET aarch64-none-elf)
  execute_process(COMMAND "${AXVM_A64_CLANG}" --target=aarch64-none-elf -print-resource-dir
                  OUTPUT_VARIABLE _axvm_a64_rdir OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(_axvm_a64_cc_include "${_axvm_a64_rdir}/include")
  find_program(AXVM_A64_OBJCOPY NAMES llvm-objcopy aarch64-linux-gnu-objcopy)
  find_program(AXVM_A64_SIZE NAMES llvm-size aarch64-linux-gnu-size)
  # Compile flags reach the link line too; clang notes -nostdinc is unused.
  set(CMAKE_EXE_LINKER_FLAGS_INIT "-fuse-ld=lld -Wno-unused-command-line-argument")
  set(_axvm_a64_atomics "")
elseif(AXVM_A64_GCC)
  set(CMAKE_C_COMPILER "${AXVM_A64_GCC}")
  set(CMAKE_ASM_COMPILER "${AXVM_A64_GCC}")
  execute_process(COMMAND "${AXVM_A64_GCC}" -print-file-name=include
                  OUTPUT_VARIABLE _axvm_a64_cc_include OUTPUT_STRIP_TRAILING_WHITESPACE)
  string(REGEX REPLACE "gcc$" "" _axvm_a64_prefix "${AXVM_A64_GCC}")
  find_program(AXVM_A64_OBJCOPY NAMES ${_axvm_a64_prefix}objcopy)
  find_program(AXVM_A64_SIZE NAMES ${_axvm_a64_prefix}size)
  # Debian's gcc defaults to out-of-line atomics (calls into libgcc that
  # probe HWCAPs through the Linux auxv): inline LL/SC sequences instead.
  set(_axvm_a64_atomics "-mno-outline-atomics")
else()
  message(FATAL_ERROR "toolchain-aarch64-none-elf: need aarch64-linux-gnu-gcc or clang")
endif()

# armv8.0-a: runs on cortex-a57 and -cpu max. No FP/SIMD in hypervisor code
# (-mgeneral-regs-only): guest FP state is then only switched between vCPUs,
# never against the host. No PIC, no stack protector, no libc. No unwind
# tables: nothing unwinds a bare-metal stack (the kernel's link script
# discarded .eh_frame; the library archive still carried it).
set(_axvm_a64_flags "-march=armv8-a -mgeneral-regs-only ${_axvm_a64_atomics} -ffreestanding -fno-builtin-printf -fno-common -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables -ffunction-sections -fdata-sections -nostdinc -isystem ${_axvm_a64_cc_include} -isystem ${AXVM_A64_LIBC_INCLUDE}")
set(CMAKE_C_FLAGS_INIT "${_axvm_a64_flags}")
set(CMAKE_ASM_FLAGS_INIT "${_axvm_a64_flags}")
string(APPEND CMAKE_EXE_LINKER_FLAGS_INIT " -nostdlib -static -Wl,--gc-sections -Wl,--build-id=none")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
