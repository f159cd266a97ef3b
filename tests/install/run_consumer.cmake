# cmake -P script: install, then build and run the consumer two ways.
file(REMOVE_RECURSE ${SCRATCH})
set(prefix ${SCRATCH}/prefix)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(LAST_OUT "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

# 1. find_package(axvm) from a separate CMake project.
run(${CMAKE_COMMAND} -S ${CONSUMER_SRC} -B ${SCRATCH}/cmake-build -G ${GENERATOR}
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_C_COMPILER=${C_COMPILER}
    "-DCMAKE_C_FLAGS=${C_FLAGS}")
run(${CMAKE_COMMAND} --build ${SCRATCH}/cmake-build)
run(${SCRATCH}/cmake-build/consumer)
if(NOT LAST_OUT MATCHES "consumer ok")
  message(FATAL_ERROR "consumer printed: ${LAST_OUT}")
endif()

# 2. pkg-config, the way a Makefile project would use it.
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig:${prefix}/lib64/pkgconfig)
run(${PKG_CONFIG} --cflags axvm)
string(STRIP "${LAST_OUT}" cflags)
run(${PKG_CONFIG} --libs --static axvm)
string(STRIP "${LAST_OUT}" libs)
separate_arguments(cflags UNIX_COMMAND "${cflags}")
separate_arguments(libs UNIX_COMMAND "${libs}")
separate_arguments(extra UNIX_COMMAND "${C_FLAGS}")
run(${C_COMPILER} -std=c11 ${extra} ${cflags} ${CONSUMER_SRC}/main.c -o ${SCRATCH}/consumer-pc ${libs})
run(${SCRATCH}/consumer-pc)
if(NOT LAST_OUT MATCHES "consumer ok")
  message(FATAL_ERROR "pkg-config consumer printed: ${LAST_OUT}")
endif()
message(STATUS "install consumer: find_package and pkg-config builds both run")
