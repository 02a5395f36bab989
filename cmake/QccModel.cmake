# qcc_add_model(<target> SOURCE <net.q> [PREFIX <name>] [TARGET_ISA <c|...>] [QCC_FLAGS ...])
#
# Runs qcc at build time on <net.q> and builds the generated C into a static
# library <target> (linked with the qrt runtime).  Consumers include
# "<target>.h".  The model is recompiled when the .q or any .npy beside it
# (or in its subdirectories) changes.
function(qcc_add_model target)
  cmake_parse_arguments(A "" "SOURCE;PREFIX;TARGET_ISA" "QCC_FLAGS" ${ARGN})
  if(NOT A_SOURCE)
    message(FATAL_ERROR "qcc_add_model(${target}): SOURCE is required")
  endif()
  get_filename_component(src "${A_SOURCE}" ABSOLUTE)
  get_filename_component(src_dir "${src}" DIRECTORY)
  if(NOT A_TARGET_ISA)
    set(A_TARGET_ISA c)
  endif()
  set(prefix_flag)
  if(A_PREFIX)
    set(prefix_flag "--prefix=${A_PREFIX}")
  endif()
  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/qcc_${target}")
  file(GLOB_RECURSE weights CONFIGURE_DEPENDS "${src_dir}/*.npy")
  if(TARGET qcc)
    set(qcc_cmd $<TARGET_FILE:qcc>)
    set(qcc_dep qcc)
  else()
    find_program(QCC_EXECUTABLE qcc REQUIRED)
    set(qcc_cmd ${QCC_EXECUTABLE})
    set(qcc_dep)
  endif()
  add_custom_command(
    OUTPUT "${out_dir}/${target}.c" "${out_dir}/${target}.h"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${out_dir}"
    COMMAND ${qcc_cmd} "${src}" -o "${out_dir}/${target}.c" --target=${A_TARGET_ISA} ${prefix_flag} ${A_QCC_FLAGS}
    DEPENDS "${src}" ${weights} ${qcc_dep}
    COMMENT "qcc ${A_SOURCE} -> ${target}.c"
    VERBATIM)
  add_library(${target} STATIC "${out_dir}/${target}.c")
  target_include_directories(${target} PUBLIC "${out_dir}")
  target_link_libraries(${target} PUBLIC qrt)
endfunction()
