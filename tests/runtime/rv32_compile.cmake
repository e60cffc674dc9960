# rv32_compile.cmake: compiles each file of SOURCES with the rv32 bare-metal toolchain CC and the
# project's flags for generated/runtime C, into OUT_DIR (objects are discarded), once per ISA the
# shipped platforms name (rv32imac/ilp32 and DIANA's rv32imafc/ilp32f). Run with
# `cmake -DCC=... -DSOURCES=a.c;b.c -DINCLUDES=dir1;dir2 -DOUT_DIR=... -P rv32_compile.cmake`.
if(NOT CC OR NOT EXISTS "${CC}")
  message(FATAL_ERROR "rv32 compiler '${CC}' not found")
endif()

set(flags --specs=picolibc.specs -std=c11 -O2 -Wall -Wextra -Werror -ffp-contract=off -c)
set(inc_flags)
foreach(dir ${INCLUDES})
  list(APPEND inc_flags -I${dir})
endforeach()

file(REMOVE_RECURSE ${OUT_DIR})
file(MAKE_DIRECTORY ${OUT_DIR})
set(failed 0)
foreach(isa "rv32imac;ilp32" "rv32imafc;ilp32f")
  list(GET isa 0 march)
  list(GET isa 1 mabi)
  foreach(src ${SOURCES})
    get_filename_component(name ${src} NAME_WE)
    execute_process(COMMAND ${CC} -march=${march} -mabi=${mabi} ${flags} ${inc_flags} ${src}
                            -o ${OUT_DIR}/${name}.o RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message("rv32 compile failed (${march}/${mabi}): ${src}")
      set(failed 1)
    endif()
  endforeach()
endforeach()
if(failed)
  message(FATAL_ERROR "the simulator HAL does not compile cleanly for rv32")
endif()
message("rv32 compile check passed for ${SOURCES}")
