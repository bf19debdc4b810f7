# Warnings are errors, for every target of the project (not for imported ones).
add_compile_options(
    -Wall -Wextra -Wpedantic -Werror
    -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
    -Wimplicit-fallthrough -Wcast-qual -Wformat=2
    # Designated initialisers that leave members at their defaults are the
    # project's idiom for reprs and configs ({.seq = …, .payload = …}).
    -Wno-missing-field-initializers)

if(MINTERNET_SANITIZE)
    add_compile_options(-fsanitize=${MINTERNET_SANITIZE} -fno-omit-frame-pointer
                        -fno-sanitize-recover=all)
    add_link_options(-fsanitize=${MINTERNET_SANITIZE})
    if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND MINTERNET_SANITIZE MATCHES "undefined")
        # clang 14 cannot emit coroutines with UBSan's `function` check and
        # coverage instrumentation together ("Cannot represent a difference
        # across sections"); that one check (calls through mistyped function
        # pointers) is left to the g++ sanitizer build.
        add_compile_options(-fno-sanitize=function)
    endif()
endif()

if(MINTERNET_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "MINTERNET_FUZZ needs clang (libFuzzer); use the 'fuzz' preset")
    endif()
    # Every library gets coverage instrumentation; fuzz targets add -fsanitize=fuzzer.
    add_compile_options(-fsanitize=fuzzer-no-link)
endif()
