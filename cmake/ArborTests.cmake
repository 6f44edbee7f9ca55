# One way to add a test binary (STYLE rule 12: one QTest binary per class under test).
#
#   arbor_add_test(tst_name
#       [SOURCES extra.h ...]        # besides tst_name.cpp
#       [LIBS lib ...]               # default: arbor_backend arbor_testsupport
#       [NEEDS_ARBORD]               # ARBORD_PATH names the real arbord, built first
#       [GUI]                        # runs with QT_QPA_PLATFORM=offscreen
#       [TIMEOUT seconds]            # default 120
#       [LABELS label ...]
#       [ENVIRONMENT VAR=value ...])
#
# Every test gets ARBOR_DB pointing at a path that must never be created: a test never touches
# the user's store, whatever the environment says.
function(arbor_add_test name)
    cmake_parse_arguments(ARG "NEEDS_ARBORD;GUI" "TIMEOUT" "SOURCES;LIBS;LABELS;ENVIRONMENT" ${ARGN})
    if(NOT ARG_LIBS)
        set(ARG_LIBS arbor_backend arbor_testsupport)
    endif()
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 120)
    endif()
    qt_add_executable(${name} ${name}.cpp ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE ${ARG_LIBS} Qt6::Test)
    arbor_set_warnings(${name})
    if(ARG_NEEDS_ARBORD)
        target_compile_definitions(${name} PRIVATE ARBORD_PATH="$<TARGET_FILE:arbord>")
        add_dependencies(${name} arbord)
    endif()
    add_test(NAME ${name} COMMAND ${name})
    set(environment "ARBOR_DB=${CMAKE_CURRENT_BINARY_DIR}/must-not-be-used/${name}.db" ${ARG_ENVIRONMENT})
    if(ARG_GUI)
        list(APPEND environment "QT_QPA_PLATFORM=offscreen")
    endif()
    set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT "${environment}")
    if(ARG_LABELS)
        set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
    endif()
endfunction()
