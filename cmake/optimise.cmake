# Link-time optimisation, for the benchmarks' build tree only (the `bench`
# preset; `make bench`).
#
# The layers are separate libraries and every simulated frame crosses most of
# them (sim -> stack -> tcp -> wire and back): inlining across them takes
# about a tenth off a simulation's time (docs/benchmarks.md, "The simulator
# against ns-3"). It is off in the tree `make test` builds: GCC's linker
# plugin runs the link-time optimiser for every executable whose objects carry
# its intermediate code, and there are twenty test executables — with fat LTO
# objects the release build took eleven of CI's minutes, a third of it in
# those links. Tests check behaviour, which LTO does not change.
option(MINTERNET_LTO "Link-time optimisation of every executable (Release, g++)" OFF)
if(MINTERNET_LTO AND CMAKE_BUILD_TYPE STREQUAL "Release" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU"
   AND NOT MINTERNET_SANITIZE AND NOT MINTERNET_FUZZ)
    add_compile_options(-flto=auto)
    add_link_options(-flto=auto)
endif()
