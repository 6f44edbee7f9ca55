# One place for warning flags. -Werror only when ARBOR_WERROR is on (CI=true turns it on).
function(arbor_set_warnings target)
    if(MSVC)
        target_compile_options(${target} PRIVATE /W4 /permissive-)
        if(ARBOR_WERROR)
            target_compile_options(${target} PRIVATE /WX)
        endif()
    else()
        target_compile_options(${target} PRIVATE
            -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor
            -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
        if(ARBOR_WERROR)
            target_compile_options(${target} PRIVATE -Werror)
        endif()
    endif()
endfunction()
