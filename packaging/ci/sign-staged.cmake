# CPACK_PRE_BUILD_SCRIPTS entry (packaging/CMakeLists.txt): signs what CPack staged, after the
# Qt deploy step and before the installer or disk image is made, so the signature covers the
# deployed Qt libraries too. Does nothing unless the release workflow set a signing identity:
#   macOS:   ARBOR_CODESIGN_IDENTITY  (codesign, hardened runtime, for notarisation)
#   Windows: ARBOR_SIGNTOOL_PFX + ARBOR_SIGNTOOL_PASSWORD (signtool, SHA-256, time-stamped)
set(_staged "${CPACK_TEMPORARY_INSTALL_DIRECTORY}")
if(APPLE AND NOT "$ENV{ARBOR_CODESIGN_IDENTITY}" STREQUAL "")
    file(GLOB_RECURSE _bundles LIST_DIRECTORIES true "${_staged}/*.app")
    list(FILTER _bundles INCLUDE REGEX "\\.app$")
    foreach(_bundle IN LISTS _bundles)
        execute_process(COMMAND codesign --force --deep --options runtime --timestamp
                                --sign "$ENV{ARBOR_CODESIGN_IDENTITY}" "${_bundle}"
                        RESULT_VARIABLE _result)
        if(NOT _result EQUAL 0)
            message(FATAL_ERROR "sign-staged: codesign failed for ${_bundle}")
        endif()
    endforeach()
elseif(WIN32 AND NOT "$ENV{ARBOR_SIGNTOOL_PFX}" STREQUAL "")
    file(GLOB_RECURSE _binaries "${_staged}/*.exe" "${_staged}/*.dll")
    foreach(_binary IN LISTS _binaries)
        execute_process(COMMAND signtool sign /f "$ENV{ARBOR_SIGNTOOL_PFX}"
                                /p "$ENV{ARBOR_SIGNTOOL_PASSWORD}" /fd SHA256
                                /tr http://timestamp.digicert.com /td SHA256 "${_binary}"
                        RESULT_VARIABLE _result)
        if(NOT _result EQUAL 0)
            message(FATAL_ERROR "sign-staged: signtool failed for ${_binary}")
        endif()
    endforeach()
else()
    message(STATUS "sign-staged: no signing identity configured, packages are unsigned")
endif()
