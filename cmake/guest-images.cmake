# SPDX-License-Identifier: Apache-2.0
# Test-guest images for the bare-metal kernel's targets (tests/guests/<arch>
# call this): each name becomes guest-<name>.elf from the shared sources
# plus <name>.c (the directory's, else common/'s), then <name>.bin (raw,
# what QEMU's loader takes), linked with the directory's guest.ld;
# guest.dts becomes guest.dtb when dtc is there.
#
#   axvm_guest_images(NAMES hello mmio ... SOURCES start.S lib.c ...
#                     OBJCOPY <objcopy> [OPTIONS <extra C flags>...])
function(axvm_guest_images)
  cmake_parse_arguments(G "" "OBJCOPY" "NAMES;SOURCES;OPTIONS" ${ARGN})
  set(_g ${CMAKE_CURRENT_SOURCE_DIR})
  foreach(name ${G_NAMES})
    # A guest that needs nothing of its architecture lives in common/.
    set(_main ${_g}/${name}.c)
    if(NOT EXISTS ${_main})
      set(_main ${_g}/../common/${name}.c)
    endif()
    add_executable(guest-${name}.elf ${G_SOURCES} ${_g}/../common/glib.c ${_main})
    target_include_directories(guest-${name}.elf PRIVATE ${_g} ${_g}/../common)
    target_compile_options(guest-${name}.elf PRIVATE ${G_OPTIONS}
      $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra -Werror -O2>)
    target_link_options(guest-${name}.elf PRIVATE -T ${_g}/guest.ld ${AXVM_BM_LDQUIET})
    set_target_properties(guest-${name}.elf PROPERTIES LINK_DEPENDS ${_g}/guest.ld)
    add_custom_command(TARGET guest-${name}.elf POST_BUILD
      COMMAND ${G_OBJCOPY} -O binary $<TARGET_FILE:guest-${name}.elf>
              ${CMAKE_CURRENT_BINARY_DIR}/${name}.bin
      BYPRODUCTS ${CMAKE_CURRENT_BINARY_DIR}/${name}.bin)
  endforeach()

  find_program(AXVM_DTC dtc)
  if(AXVM_DTC)
    add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/guest.dtb
      COMMAND ${AXVM_DTC} -q -I dts -O dtb -o ${CMAKE_CURRENT_BINARY_DIR}/guest.dtb ${_g}/guest.dts
      DEPENDS ${_g}/guest.dts VERBATIM)
    add_custom_target(guest-dtb ALL DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/guest.dtb)
  else()
    message(STATUS "dtc not found: no guest.dtb (guests then get no device tree)")
  endif()
endfunction()
