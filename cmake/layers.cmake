# One library per folder of src/, linking only the layers it may use.
#
#   minternet_layer(NAME wire SOURCES a.cpp b.cpp DEPS minternet::base)
#
# The declared dependencies are also written to build/<preset>/layers.txt so the
# `layering` test can check that no source includes a header from a layer it does
# not depend on (the build alone cannot see header-only uses).
function(minternet_layer)
    cmake_parse_arguments(L "" "NAME" "SOURCES;DEPS;EXTERNAL" ${ARGN})
    set(target minternet_${L_NAME})
    add_library(${target} STATIC ${L_SOURCES})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${target} PUBLIC ${L_DEPS} ${L_EXTERNAL})
    add_library(minternet::${L_NAME} ALIAS ${target})

    set(layer_deps "")
    foreach(dep IN LISTS L_DEPS)
        string(REPLACE "minternet::" "" dep_name "${dep}")
        list(APPEND layer_deps ${dep_name})
    endforeach()
    string(REPLACE ";" "," layer_deps "${layer_deps}")
    set_property(GLOBAL APPEND PROPERTY MINTERNET_LAYER_MAP "${L_NAME}:${layer_deps}")
endfunction()

function(minternet_write_layer_map)
    get_property(map GLOBAL PROPERTY MINTERNET_LAYER_MAP)
    # One line per layer: "name:dep1,dep2" (direct dependencies only).
    file(WRITE ${PROJECT_BINARY_DIR}/layers.txt "")
    foreach(entry IN LISTS map)
        file(APPEND ${PROJECT_BINARY_DIR}/layers.txt "${entry}\n")
    endforeach()
endfunction()
