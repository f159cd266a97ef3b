# ctest driver for axvm-config: cmake -DCLI=... -DCORPUS=... -DEXAMPLES=...
#   -DDTC=... -DWORK=... -P cli_corpus.cmake
# Every corpus blob must be rejected with exit status 1, the expected
# AXVM_E* name and message piece on stderr; every example must be accepted
# (exit 0); bad usage and unreadable files exit 1; a guest DTB written
# with -g must decompile with dtc without a warning; -c writes no C for a
# broken blob or a bad function name.
cmake_minimum_required(VERSION 3.20)
set(failures 0)
macro(fail msg)
  message("FAIL: ${msg}")
  math(EXPR failures "${failures} + 1")
endmacro()

file(GLOB cases ${CORPUS}/*.dtb)
list(LENGTH cases ncases)
if(ncases LESS 40)
  fail("only ${ncases} corpus blobs in ${CORPUS}")
endif()
foreach(dtb ${cases})
  get_filename_component(name ${dtb} NAME_WE)
  file(STRINGS ${CORPUS}/${name}.expect expect)
  list(GET expect 0 code)
  list(GET expect 1 piece)
  execute_process(COMMAND ${CLI} ${dtb} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(FIND "${err}" "${piece}" at)
  string(FIND "${err}" "(${code}:" at_code)
  if(NOT rc EQUAL 1)
    fail("${name}: exit status ${rc}, expected 1 (stderr: ${err})")
  elseif(at EQUAL -1 OR at_code EQUAL -1)
    fail("${name}: stderr lacks '${piece}' / ${code}: ${err}")
  elseif(NOT out STREQUAL "")
    fail("${name}: printed to stdout on failure: ${out}")
  endif()
endforeach()

file(GLOB examples ${EXAMPLES}/*.dtb)
foreach(dtb ${examples})
  get_filename_component(name ${dtb} NAME_WE)
  execute_process(COMMAND ${CLI} ${dtb} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "vm [0-9]+ \"")
    fail("example ${name}: exit ${rc}: ${err}")
  endif()
  execute_process(COMMAND ${CLI} -g ${WORK}/${name}-guest.dtb ${dtb}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 0)
    execute_process(COMMAND ${DTC} -I dtb -O dts -o ${WORK}/${name}-guest.dts
                            ${WORK}/${name}-guest.dtb
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0 OR NOT err STREQUAL "")
      fail("example ${name}: dtc on the guest DTB: ${rc} ${err}")
    endif()
  elseif(NOT err MATCHES "interrupt controller")
    fail("example ${name}: -g failed: ${err}")
  endif()
endforeach()

foreach(args "" "${WORK}/does-not-exist.dtb" "-x;${WORK}/x.dtb" "a.dtb;b.dtb")
  execute_process(COMMAND ${CLI} ${args} RESULT_VARIABLE rc
                  OUTPUT_QUIET ERROR_VARIABLE err)
  if(NOT rc EQUAL 1 OR err STREQUAL "")
    fail("'${args}': exit ${rc}, stderr '${err}' (expected 1 and a message)")
  endif()
endforeach()

# -c: a broken blob writes no C; a name that is not a C identifier is
# refused and leaves no file behind.
list(GET cases 0 broken)
execute_process(COMMAND ${CLI} -c ${WORK}/broken.c ${broken} RESULT_VARIABLE rc
                OUTPUT_QUIET ERROR_QUIET)
if(NOT rc EQUAL 1 OR EXISTS ${WORK}/broken.c)
  fail("-c on a broken blob: exit ${rc}, or it wrote ${WORK}/broken.c")
endif()
list(GET examples 0 good)
file(REMOVE ${WORK}/bad-name.c)
execute_process(COMMAND ${CLI} -c ${WORK}/bad-name.c -n 9lives ${good} RESULT_VARIABLE rc
                OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR EXISTS ${WORK}/bad-name.c OR NOT err MATCHES "C identifier")
  fail("-n 9lives: exit ${rc}, stderr '${err}' (expected 1, no file, the reason)")
endif()

if(failures GREATER 0)
  message(FATAL_ERROR "${failures} axvm-config check(s) failed")
endif()
list(LENGTH examples nex)
message("axvm-config: ${ncases} broken blobs rejected, ${nex} examples accepted")
