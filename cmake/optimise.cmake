# Link-time optimisation of the minternet program, in optimised g++ builds.
#
# The layers are separate libraries and every simulated frame crosses most of
# them (sim -> stack -> tcp -> wire and back): inlining across them takes
# about a tenth off a simulation's time (docs/benchmarks.md, "The simulator
# against ns-3"). Objects carry both GCC's intermediate code and machine code
# (-ffat-lto-objects), so the tests, the benchmarks and the libraries link as
# before, without the cost of LTO; only the program's own link optimises the
# whole.
option(MINTERNET_LTO "Link-time optimisation of the minternet program (Release, g++)" ON)
set(MINTERNET_LTO_ACTIVE OFF)
if(MINTERNET_LTO AND CMAKE_BUILD_TYPE STREQUAL "Release" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU"
   AND NOT MINTERNET_SANITIZE AND NOT MINTERNET_FUZZ)
    add_compile_options(-flto=auto -ffat-lto-objects)
    set(MINTERNET_LTO_ACTIVE ON)
endif()
