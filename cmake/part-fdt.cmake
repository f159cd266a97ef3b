# VM configuration from a device tree (include/axvm/config_fdt.h,
# src/core/fdt/). Needs libfdt: pkg-config "libfdt" where it ships a .pc
# file, else the plain header + library (Debian's libfdt-dev has no .pc).
# Included from the top-level CMakeLists.txt after the axvm target exists.

# ON for native Linux builds (libfdt-dev is one apt-get away); a cross or
# bare-metal build opts in with -DAXVM_WITH_FDT=ON and its own libfdt.
if(CMAKE_SYSTEM_NAME STREQUAL "Linux" AND NOT CMAKE_CROSSCOMPILING)
  set(_axvm_fdt_default ON)
else()
  set(_axvm_fdt_default OFF)
endif()
option(AXVM_WITH_FDT "Build axvm_config_from_fdt() and the guest DTB builder (needs libfdt)"
       ${_axvm_fdt_default})

# Compile .dts files with dtc at build time: axvm_dtc_compile(<out-var>
# <output-dir> <dts>...) sets <out-var> to the list of .dtb files.
function(axvm_dtc_compile out_var out_dir)
  set(_dtbs)
  foreach(_dts ${ARGN})
    get_filename_component(_name ${_dts} NAME_WE)
    set(_dtb ${out_dir}/${_name}.dtb)
    add_custom_command(OUTPUT ${_dtb}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${out_dir}
      COMMAND ${AXVM_DTC} -q -I dts -O dtb -o ${_dtb} ${_dts}
      DEPENDS ${_dts}
      COMMENT "dtc ${_name}.dts"
      VERBATIM)
    list(APPEND _dtbs ${_dtb})
  endforeach()
  set(${out_var} ${_dtbs} PARENT_SCOPE)
endfunction()

if(NOT AXVM_WITH_FDT)
  return()
endif()

# A project that builds libfdt itself (ports/baremetal: from Debian's
# sources, freestanding) defines axvm::libfdt before including libaxvm.
if(TARGET axvm::libfdt)
  set(_axvm_fdt_own ON)
else()
  set(_axvm_fdt_own OFF)
endif()

set(AXVM_LIBFDT_FOUND OFF)
if(NOT _axvm_fdt_own)
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(AXVM_PC_LIBFDT QUIET libfdt)
endif()
if(AXVM_PC_LIBFDT_FOUND)
  find_path(AXVM_LIBFDT_INCLUDE_DIR libfdt.h HINTS ${AXVM_PC_LIBFDT_INCLUDE_DIRS})
  find_library(AXVM_LIBFDT_LIBRARY NAMES fdt HINTS ${AXVM_PC_LIBFDT_LIBRARY_DIRS})
else()
  find_path(AXVM_LIBFDT_INCLUDE_DIR libfdt.h)
  find_library(AXVM_LIBFDT_LIBRARY NAMES fdt)
endif()
if(NOT AXVM_LIBFDT_INCLUDE_DIR OR NOT AXVM_LIBFDT_LIBRARY)
  message(FATAL_ERROR
    "AXVM_WITH_FDT is ON but libfdt was not found "
    "(header: ${AXVM_LIBFDT_INCLUDE_DIR}, library: ${AXVM_LIBFDT_LIBRARY}). "
    "Install it (Debian/Ubuntu: apt-get install libfdt-dev) or configure "
    "with -DAXVM_WITH_FDT=OFF.")
endif()

if(NOT TARGET axvm::libfdt)
  add_library(axvm::libfdt UNKNOWN IMPORTED)
  set_target_properties(axvm::libfdt PROPERTIES
    IMPORTED_LOCATION ${AXVM_LIBFDT_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${AXVM_LIBFDT_INCLUDE_DIR})
endif()
endif() # NOT _axvm_fdt_own

file(GLOB AXVM_FDT_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/core/fdt/*.c)
target_sources(axvm PRIVATE ${AXVM_FDT_SOURCES})
if(_axvm_fdt_own) # built by the includer, not part of libaxvm's install
  target_link_libraries(axvm PUBLIC $<BUILD_INTERFACE:axvm::libfdt>)
else()
  target_link_libraries(axvm PUBLIC axvm::libfdt)
endif()
target_compile_definitions(axvm PUBLIC AXVM_HAVE_FDT=1)
set(AXVM_PC_EXTRA_LIBS "${AXVM_PC_EXTRA_LIBS} -lfdt")

if(AXVM_BUILD_TESTS)
  find_program(AXVM_DTC dtc)
  if(NOT AXVM_DTC)
    message(FATAL_ERROR
      "AXVM_WITH_FDT and AXVM_BUILD_TESTS are ON but the device-tree "
      "compiler dtc was not found. Install it (Debian/Ubuntu: apt-get "
      "install device-tree-compiler) or configure with "
      "-DAXVM_BUILD_TESTS=OFF or -DAXVM_WITH_FDT=OFF.")
  endif()
endif()
