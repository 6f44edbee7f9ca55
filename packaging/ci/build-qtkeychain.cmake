# Builds and installs QtKeychain against the Qt found on CMAKE_PREFIX_PATH / PATH, for the
# Windows and macOS release builds (.github/workflows/release.yml). Portable: a CMake script, so
# the same file runs on Windows, macOS and Linux.
#
#   cmake -DREF=0.15.0 -DPREFIX=<install dir> [-DSOURCE=<git URL or local repository>]
#         [-DWORK_DIR=<scratch dir>] [-DGENERATOR=Ninja] -P packaging/ci/build-qtkeychain.cmake
#
# Why not vcpkg: its qtkeychain-qt6 port depends on vcpkg's own qtbase, which would build a
# second Qt next to the official binaries the release uses.
cmake_minimum_required(VERSION 3.24)

if(NOT DEFINED REF OR NOT DEFINED PREFIX)
    message(FATAL_ERROR "build-qtkeychain: -DREF=<tag> and -DPREFIX=<install dir> are required")
endif()
if(NOT DEFINED SOURCE)
    set(SOURCE "https://github.com/frankosterfeld/qtkeychain.git")
endif()
if(NOT DEFINED WORK_DIR)
    set(WORK_DIR "${CMAKE_CURRENT_BINARY_DIR}/qtkeychain-build")
endif()
if(NOT DEFINED GENERATOR)
    set(GENERATOR "Ninja")
endif()

find_package(Git REQUIRED)

function(run)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
        string(JOIN " " line ${ARGN})
        message(FATAL_ERROR "build-qtkeychain: failed (${result}): ${line}")
    endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
run("${GIT_EXECUTABLE}" -c advice.detachedHead=false clone --quiet --branch "${REF}"
    "${SOURCE}" "${WORK_DIR}/src")
run("${CMAKE_COMMAND}" -S "${WORK_DIR}/src" -B "${WORK_DIR}/build" -G "${GENERATOR}"
    -DCMAKE_BUILD_TYPE=Release
    "-DCMAKE_INSTALL_PREFIX=${PREFIX}"
    "-DCMAKE_PREFIX_PATH=$ENV{QT_ROOT_DIR};$ENV{CMAKE_PREFIX_PATH}"
    -DBUILD_WITH_QT6=ON
    -DBUILD_TRANSLATIONS=OFF
    -DBUILD_TEST_APPLICATION=OFF
    -DBUILD_TESTING=OFF
    # Linux (only a smoke test of this script there): the D-Bus Secret Service API without
    # libsecret's headers; Windows and macOS ignore it.
    -DLIBSECRET_SUPPORT=OFF)
run("${CMAKE_COMMAND}" --build "${WORK_DIR}/build" --config Release)
run("${CMAKE_COMMAND}" --install "${WORK_DIR}/build" --config Release)
message(STATUS "build-qtkeychain: QtKeychain ${REF} installed in ${PREFIX}")
