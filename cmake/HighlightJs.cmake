# highlight.js, the library that colours the code blocks of replies (app/codehighlighter.*):
# the prebuilt browser bundle of npm's @highlightjs/cdn-assets (BSD-3-Clause, the highlight.js
# project's own build), pinned and verified here, never committed.
#
#   cmake -P cmake/HighlightJs.cmake
#       (scripts/fetch-highlightjs.sh, run by scripts/deps.sh) downloads the pinned tarball into
#       the download cache unless a verified copy is there already. The only step that needs the
#       network.
#   include(HighlightJs)  arbor_prepare_highlightjs(DIR)
#       (configure time, no network: STYLE rule 12) checks the cached tarball against the pinned
#       digest and extracts highlight.min.js and its LICENSE into DIR. Configuring fails when
#       it is missing: the app would have no highlighter.
#
# The cache is $ARBOR_CACHE_DIR, else $XDG_CACHE_HOME/arbor, else ~/.cache/arbor
# (%LOCALAPPDATA%/arbor on Windows). -DARBOR_HIGHLIGHTJS_TARBALL=PATH uses a tarball fetched some
# other way; it is verified all the same.

set(ARBOR_HIGHLIGHTJS_VERSION 11.12.0)
set(ARBOR_HIGHLIGHTJS_URL
    "https://registry.npmjs.org/@highlightjs/cdn-assets/-/cdn-assets-${ARBOR_HIGHLIGHTJS_VERSION}.tgz")
# The registry's digest of that tarball, as `npm view @highlightjs/cdn-assets@11.12.0
# dist.integrity` prints it. To update: change the version, paste the new integrity.
set(ARBOR_HIGHLIGHTJS_INTEGRITY
    "sha512-KvOKXODaiFmId9xaq3xc5xCL66wVLUuOngDbO9B/kewbFTqdGbn2nJxNhN3H5R1cgDTVj6R8vH0zgiNDEGjpDw==")

# _arbor_base64_to_hex(TEXT OUT): the bytes of base64 TEXT as lowercase hex (file(SHA512) and
# EXPECTED_HASH speak hex, npm speaks base64).
function(_arbor_base64_to_hex text out)
    set(alphabet "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    set(digits "0123456789abcdef")
    string(REGEX REPLACE "=+$" "" text "${text}")
    string(LENGTH "${text}" length)
    math(EXPR last "${length} - 1")
    set(bits 0)
    set(bitCount 0)
    set(hex "")
    foreach(i RANGE 0 ${last})
        string(SUBSTRING "${text}" ${i} 1 char)
        string(FIND "${alphabet}" "${char}" value)
        if(value LESS 0)
            message(FATAL_ERROR "HighlightJs.cmake: '${char}' is not base64")
        endif()
        math(EXPR bits "(${bits} << 6) | ${value}")
        math(EXPR bitCount "${bitCount} + 6")
        if(bitCount GREATER_EQUAL 8)
            math(EXPR bitCount "${bitCount} - 8")
            math(EXPR high "(${bits} >> (${bitCount} + 4)) & 15")
            math(EXPR low "(${bits} >> ${bitCount}) & 15")
            math(EXPR bits "${bits} & ((1 << ${bitCount}) - 1)")
            string(SUBSTRING "${digits}" ${high} 1 highDigit)
            string(SUBSTRING "${digits}" ${low} 1 lowDigit)
            string(APPEND hex "${highDigit}${lowDigit}")
        endif()
    endforeach()
    set(${out} "${hex}" PARENT_SCOPE)
endfunction()

string(REGEX MATCH "^sha512-(.+)$" _arbor_match "${ARBOR_HIGHLIGHTJS_INTEGRITY}")
if(NOT _arbor_match)
    message(FATAL_ERROR "HighlightJs.cmake: ARBOR_HIGHLIGHTJS_INTEGRITY must be a sha512 digest")
endif()
_arbor_base64_to_hex("${CMAKE_MATCH_1}" ARBOR_HIGHLIGHTJS_SHA512)

# _arbor_highlightjs_cached_tarball(OUT): where the download cache keeps the pinned tarball.
function(_arbor_highlightjs_cached_tarball out)
    if(DEFINED ENV{ARBOR_CACHE_DIR} AND NOT "$ENV{ARBOR_CACHE_DIR}" STREQUAL "")
        set(cache "$ENV{ARBOR_CACHE_DIR}")
    elseif(DEFINED ENV{XDG_CACHE_HOME} AND NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
        set(cache "$ENV{XDG_CACHE_HOME}/arbor")
    elseif(WIN32 AND DEFINED ENV{LOCALAPPDATA})
        set(cache "$ENV{LOCALAPPDATA}/arbor")
    else()
        set(cache "$ENV{HOME}/.cache/arbor")
    endif()
    file(TO_CMAKE_PATH "${cache}" cache)
    set(${out} "${cache}/highlightjs-cdn-assets-${ARBOR_HIGHLIGHTJS_VERSION}.tgz" PARENT_SCOPE)
endfunction()

# _arbor_highlightjs_verified(PATH OUT): OUT is TRUE when PATH exists and has the pinned digest.
function(_arbor_highlightjs_verified path out)
    set(${out} FALSE PARENT_SCOPE)
    if(EXISTS "${path}")
        file(SHA512 "${path}" actual)
        if(actual STREQUAL ARBOR_HIGHLIGHTJS_SHA512)
            set(${out} TRUE PARENT_SCOPE)
        endif()
    endif()
endfunction()

# arbor_prepare_highlightjs(DIR): DIR/highlight.min.js and DIR/LICENSE from the verified
# tarball. Sets ARBOR_HIGHLIGHTJS_DIR to DIR in the caller's scope.
function(arbor_prepare_highlightjs dir)
    set(ARBOR_HIGHLIGHTJS_TARBALL "" CACHE FILEPATH
        "highlight.js tarball (@highlightjs/cdn-assets ${ARBOR_HIGHLIGHTJS_VERSION}); empty: the download cache")
    if(ARBOR_HIGHLIGHTJS_TARBALL)
        set(tarball "${ARBOR_HIGHLIGHTJS_TARBALL}")
    else()
        _arbor_highlightjs_cached_tarball(tarball)
    endif()
    if(NOT EXISTS "${tarball}")
        message(FATAL_ERROR
            "highlight.js ${ARBOR_HIGHLIGHTJS_VERSION} is not in the download cache (${tarball}).\n"
            "Run scripts/fetch-highlightjs.sh once with network access (scripts/deps.sh, and so "
            "scripts/dev run|test, do it), or pass -DARBOR_HIGHLIGHTJS_TARBALL=PATH.")
    endif()
    _arbor_highlightjs_verified("${tarball}" verified)
    if(NOT verified)
        message(FATAL_ERROR
            "${tarball} is not @highlightjs/cdn-assets ${ARBOR_HIGHLIGHTJS_VERSION}: its SHA-512 "
            "differs from the registry's (${ARBOR_HIGHLIGHTJS_INTEGRITY}). Delete it and run "
            "scripts/fetch-highlightjs.sh.")
    endif()

    set(stamp "${dir}/.integrity")
    set(current "")
    if(EXISTS "${stamp}" AND EXISTS "${dir}/highlight.min.js" AND EXISTS "${dir}/LICENSE")
        file(READ "${stamp}" current)
    endif()
    if(NOT current STREQUAL ARBOR_HIGHLIGHTJS_INTEGRITY)
        set(scratch "${dir}.extract")
        file(REMOVE_RECURSE "${scratch}")
        file(ARCHIVE_EXTRACT INPUT "${tarball}" DESTINATION "${scratch}"
            PATTERNS package/highlight.min.js package/LICENSE)
        foreach(name highlight.min.js LICENSE)
            if(NOT EXISTS "${scratch}/package/${name}")
                message(FATAL_ERROR "${tarball} has no package/${name}")
            endif()
            configure_file("${scratch}/package/${name}" "${dir}/${name}" COPYONLY)
        endforeach()
        file(REMOVE_RECURSE "${scratch}")
        file(WRITE "${stamp}" "${ARBOR_HIGHLIGHTJS_INTEGRITY}")
        message(STATUS "highlight.js ${ARBOR_HIGHLIGHTJS_VERSION}: ${dir}")
    endif()
    set(ARBOR_HIGHLIGHTJS_DIR "${dir}" PARENT_SCOPE)
endfunction()

# cmake -P: fill the download cache.
if(CMAKE_SCRIPT_MODE_FILE AND CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
    _arbor_highlightjs_cached_tarball(tarball)
    _arbor_highlightjs_verified("${tarball}" verified)
    if(verified)
        message(STATUS "highlight.js ${ARBOR_HIGHLIGHTJS_VERSION} is in the cache: ${tarball}")
        return()
    endif()
    get_filename_component(cache "${tarball}" DIRECTORY)
    file(MAKE_DIRECTORY "${cache}")
    set(partial "${tarball}.part")
    message(STATUS "Downloading ${ARBOR_HIGHLIGHTJS_URL}")
    file(DOWNLOAD "${ARBOR_HIGHLIGHTJS_URL}" "${partial}"
        EXPECTED_HASH SHA512=${ARBOR_HIGHLIGHTJS_SHA512}
        TLS_VERIFY ON
        INACTIVITY_TIMEOUT 60
        STATUS status)
    list(GET status 0 code)
    if(NOT code EQUAL 0)
        file(REMOVE "${partial}")
        list(GET status 1 reason)
        message(FATAL_ERROR "Cannot download highlight.js ${ARBOR_HIGHLIGHTJS_VERSION}: ${reason}")
    endif()
    file(RENAME "${partial}" "${tarball}")
    message(STATUS "highlight.js ${ARBOR_HIGHLIGHTJS_VERSION} verified and cached: ${tarball}")
endif()
