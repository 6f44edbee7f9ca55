# Rebuilds Qt's SQLite driver plugin (qsqlite) against the SQLite that vcpkg installed, for the
# Windows and macOS release builds. Why: the job queue reads rows through the sqlite3 C API on
# the driver's own handle (jobs/jobqueries.cpp), so the driver and arbor_backend must use the
# same SQLite library; the official Qt binaries bundle a private copy inside the plugin. On Linux
# the distribution's driver already uses the system SQLite.
#
#   cmake -DQT_SOURCE=<Qt's qtbase source dir> -DQT_PREFIX=<Qt install dir>
#         -DSQLITE_PREFIX=<vcpkg installed/<triplet> dir> [-DWORK_DIR=…] -P build-qsqlite.cmake
cmake_minimum_required(VERSION 3.24)
foreach(var QT_SOURCE QT_PREFIX SQLITE_PREFIX)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "build-qsqlite: -D${var}=... is required")
    endif()
endforeach()
if(NOT DEFINED WORK_DIR)
    set(WORK_DIR "${CMAKE_CURRENT_BINARY_DIR}/qsqlite-build")
endif()
if(CMAKE_HOST_WIN32)
    set(_qt_cmake "${QT_PREFIX}/bin/qt-cmake.bat")
else()
    set(_qt_cmake "${QT_PREFIX}/bin/qt-cmake")
endif()

function(run)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
        string(JOIN " " line ${ARGN})
        message(FATAL_ERROR "build-qsqlite: failed (${result}): ${line}")
    endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
run("${_qt_cmake}" -S "${QT_SOURCE}/src/plugins/sqldrivers" -B "${WORK_DIR}" -G Ninja
    -DCMAKE_BUILD_TYPE=Release
    "-DCMAKE_PREFIX_PATH=${SQLITE_PREFIX}"
    -DFEATURE_system_sqlite=ON
    -DFEATURE_sql_sqlite=ON -DFEATURE_sql_psql=OFF -DFEATURE_sql_mysql=OFF
    -DFEATURE_sql_odbc=OFF -DFEATURE_sql_ibase=OFF -DFEATURE_sql_oci=OFF -DFEATURE_sql_db2=OFF)
run("${CMAKE_COMMAND}" --build "${WORK_DIR}" --config Release)
# Installs over the bundled-SQLite plugin in QT_PREFIX/plugins/sqldrivers.
run("${CMAKE_COMMAND}" --install "${WORK_DIR}" --config Release)
message(STATUS "build-qsqlite: qsqlite now uses the SQLite in ${SQLITE_PREFIX}")
