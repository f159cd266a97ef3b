# SPDX-License-Identifier: Apache-2.0
# RISC-V RV64 bare metal (HS-mode hypervisor, VS-mode guests), freestanding.
#
#   cmake -S ports/baremetal -B build/rv64-image -G Ninja \
#         -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-riscv64-none-elf.cmake
#
# Compiler: Debian's riscv64-linux-gnu-gcc (package gcc-riscv64-linux-gnu)
# used freestanding, or riscv64-unknown-elf-gcc where installed. As for
# AArch64, -nostdinc keeps only the compiler's own headers plus the
# bare-metal port's string.h: nothing from a C library reaches the image.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

get_filename_component(_axvm_rv_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(AXVM_RV_LIBC_INCLUDE "${_axvm_rv_root}/ports/baremetal/libc/include")

find_program(AXVM_RV_GCC NAMES riscv64-unknown-elf-gcc riscv64-linux-gnu-gcc)
if(NOT AXVM_RV_GCC)
  message(FATAL_ERROR "toolchain-riscv64-none-elf: need riscv64-linux-gnu-gcc (apt-get install gcc-riscv64-linux-gnu)")
endif()
set(CMAKE_C_COMPILER "${AXVM_RV_GCC}")
set(CMAKE_ASM_COMPILER "${AXVM_RV_GCC}")
execute_process(COMMAND "${AXVM_RV_GCC}" -print-file-name=include
                OUTPUT_VARIABLE _axvm_rv_cc_include OUTPUT_STRIP_TRAILING_WHITESPACE)
string(REGEX REPLACE "gcc$" "" _axvm_rv_prefix "${AXVM_RV_GCC}")
find_program(AXVM_RV_OBJCOPY NAMES ${_axvm_rv_prefix}objcopy)
find_program(AXVM_RV_SIZE NAMES ${_axvm_rv_prefix}size)

# rv64imac + the hypervisor's CSRs (zicsr): no FP in hypervisor code, so
# guest FP state is only switched between vCPUs. medany: the image runs at
# 0x8020_0000, outside medlow's +-2 GiB around zero. -mno-relax: no
# gp-relative code, so gp is nobody's (a guest's gp is its own). No PIC, no
# libc, no unwind tables (nothing unwinds a bare-metal stack).
set(_axvm_rv_flags "-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -mno-relax -ffreestanding -fno-builtin-printf -fno-common -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables -ffunction-sections -fdata-sections -nostdinc -isystem ${_axvm_rv_cc_include} -isystem ${AXVM_RV_LIBC_INCLUDE}")
set(CMAKE_C_FLAGS_INIT "${_axvm_rv_flags}")
set(CMAKE_ASM_FLAGS_INIT "${_axvm_rv_flags}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostdlib -static -Wl,--gc-sections -Wl,--build-id=none -Wl,--no-relax")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
