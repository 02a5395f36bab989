# qcc_add_model(<target> SOURCE <net.q> [PREFIX <name>] [TARGET_ISA <c|avx2|avx512vnni|neon>]
#               [STATIC_ARENA] [WEIGHTS_SEPARATE] [QCC_FLAGS ...])
#
# Runs qcc at build time on <net.q> and builds the generated C into a static
# library <target>, linked with the qrt runtime.  Consumers include
# "<target>.h", which defines <PREFIX>_ARENA_SIZE (bytes) and
# <PREFIX>_ARENA_ALIGN.  The model is recompiled when the .q or any .npy
# beside it (or in its subdirectories) changes.
#
#   TARGET_ISA        code generation target; adds the compiler flags it needs
#   STATIC_ARENA      qcc --static-arena: the library owns its arena and
#                     <prefix>_run takes none (not reentrant)
#   WEIGHTS_SEPARATE  qcc --weights=separate: weights in their own source file
#
# Also written at build time: <target>.stats.json (qcc --stats-json) beside the
# header.  Target properties: QCC_GENERATED_DIR, QCC_HEADER, QCC_STATS_JSON,
# and, when qcc already exists at configure time (an installed package),
# QCC_ARENA_SIZE, also set as the variable <target>_ARENA_SIZE.
#
# Works in qcc's own tree (target qcc, qrt) and through find_package(qcc)
# (qcc::qcc, qcc::qrt).
function(qcc_add_model target)
  cmake_parse_arguments(A "STATIC_ARENA;WEIGHTS_SEPARATE" "SOURCE;PREFIX;TARGET_ISA" "QCC_FLAGS" ${ARGN})
  if(NOT A_SOURCE)
    message(FATAL_ERROR "qcc_add_model(${target}): SOURCE is required")
  endif()
  get_filename_component(src "${A_SOURCE}" ABSOLUTE)
  get_filename_component(src_dir "${src}" DIRECTORY)
  if(NOT A_TARGET_ISA)
    set(A_TARGET_ISA c)
  endif()
  set(flags --target=${A_TARGET_ISA})
  if(A_PREFIX)
    list(APPEND flags "--prefix=${A_PREFIX}")
  endif()
  if(A_STATIC_ARENA)
    list(APPEND flags --static-arena)
  endif()
  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/qcc_${target}")
  set(outputs "${out_dir}/${target}.c" "${out_dir}/${target}.h" "${out_dir}/${target}.stats.json")
  set(sources "${out_dir}/${target}.c")
  if(A_WEIGHTS_SEPARATE)
    list(APPEND flags --weights=separate)
    list(APPEND outputs "${out_dir}/${target}_weights.c")
    list(APPEND sources "${out_dir}/${target}_weights.c")
  endif()
  list(APPEND flags ${A_QCC_FLAGS})
  file(GLOB_RECURSE weights CONFIGURE_DEPENDS "${src_dir}/*.npy")
  if(TARGET qcc)
    set(qcc_cmd $<TARGET_FILE:qcc>)
    set(qcc_dep qcc)
    set(qrt_lib qrt)
  elseif(TARGET qcc::qcc)
    set(qcc_cmd $<TARGET_FILE:qcc::qcc>)
    set(qcc_dep)
    set(qrt_lib qcc::qrt)
    get_target_property(qcc_now qcc::qcc LOCATION)
  else()
    find_program(QCC_EXECUTABLE qcc REQUIRED)
    set(qcc_cmd ${QCC_EXECUTABLE})
    set(qcc_dep)
    set(qrt_lib qrt)
    set(qcc_now ${QCC_EXECUTABLE})
  endif()
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND ${CMAKE_COMMAND} -E make_directory "${out_dir}"
    COMMAND ${qcc_cmd} "${src}" -o "${out_dir}/${target}.c" ${flags}
            "--stats-json=${out_dir}/${target}.stats.json"
    DEPENDS "${src}" ${weights} ${qcc_dep}
    COMMENT "qcc ${A_SOURCE} -> ${target}.c"
    VERBATIM)
  add_library(${target} STATIC ${sources})
  target_include_directories(${target} PUBLIC "${out_dir}")
  target_link_libraries(${target} PUBLIC ${qrt_lib})
  if(A_TARGET_ISA STREQUAL "avx2")
    target_compile_options(${target} PRIVATE -mavx2 -mfma)
  elseif(A_TARGET_ISA STREQUAL "avx512vnni")
    target_compile_options(${target} PRIVATE -mavx512f -mavx512bw -mavx512vl -mavx512vnni)
  endif()
  set_target_properties(${target} PROPERTIES QCC_GENERATED_DIR "${out_dir}" QCC_HEADER "${out_dir}/${target}.h"
                                             QCC_STATS_JSON "${out_dir}/${target}.stats.json")
  # The arena size at configure time, when qcc is already built (cheap: qcc
  # runs in well under a second); reconfigures when the model changes.
  if(qcc_now AND EXISTS "${qcc_now}" AND CMAKE_VERSION VERSION_GREATER_EQUAL 3.19)
    execute_process(COMMAND "${qcc_now}" "${src}" --stats=json ${flags}
                    OUTPUT_VARIABLE json RESULT_VARIABLE rc ERROR_QUIET)
    if(rc EQUAL 0)
      string(JSON arena GET "${json}" totals arena_bytes)
      set_target_properties(${target} PROPERTIES QCC_ARENA_SIZE ${arena})
      set(${target}_ARENA_SIZE ${arena} PARENT_SCOPE)
      set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${src}" ${weights})
    endif()
  endif()
endfunction()
