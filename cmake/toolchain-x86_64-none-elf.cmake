# SPDX-License-Identifier: Apache-2.0
# x86_64 bare metal (the host kernel runs at CPL 0 with AMD SVM, guests
# under nested paging), freestanding, with the build machine's own gcc.
#
#   cmake -S ports/baremetal -B build/x64-image -G Ninja \
#         -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-x86_64-none-elf.cmake
#
# -mgeneral-regs-only: the kernel never touches x87/SSE state, so a
# guest's FPU registers stay live between bind and unbind (the backend
# switches them only then). -mno-red-zone: interrupts land on the
# current stack. The image runs at 1 MiB, identity-mapped: small code
# model, no PIC. -nostdinc as for the other targets: only the compiler's
# own headers and the port's string.h.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

get_filename_component(_axvm_x64_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(AXVM_X64_LIBC_INCLUDE "${_axvm_x64_root}/ports/baremetal/libc/include")

find_program(AXVM_X64_GCC NAMES x86_64-linux-gnu-gcc gcc)
if(NOT AXVM_X64_GCC)
  message(FATAL_ERROR "toolchain-x86_64-none-elf: need gcc (apt-get install gcc)")
endif()
set(CMAKE_C_COMPILER "${AXVM_X64_GCC}")
set(CMAKE_ASM_COMPILER "${AXVM_X64_GCC}")
execute_process(COMMAND "${AXVM_X64_GCC}" -print-file-name=include
                OUTPUT_VARIABLE _axvm_x64_cc_include OUTPUT_STRIP_TRAILING_WHITESPACE)

set(_axvm_x64_flags "-m64 -march=x86-64 -mno-red-zone -mgeneral-regs-only -mcmodel=small -ffreestanding -fno-builtin-printf -fno-common -fno-pic -fno-pie -fno-stack-protector -fcf-protection=none -fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections -nostdinc -isystem ${_axvm_x64_cc_include} -isystem ${AXVM_X64_LIBC_INCLUDE}")
set(CMAKE_C_FLAGS_INIT "${_axvm_x64_flags}")
set(CMAKE_ASM_FLAGS_INIT "${_axvm_x64_flags}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostdlib -static -no-pie -Wl,--gc-sections -Wl,--build-id=none -Wl,-z,max-page-size=0x1000")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
