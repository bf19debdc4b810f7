# cmake -DAR=ar -DOUTPUT=libminternet.a -DINPUTS="a.a;b.a" -P merge_archives.cmake
# One static archive from several (ar's MRI script), so that a static user
# links -lminternet alone.
set(script "create ${OUTPUT}\n")
foreach(archive IN LISTS INPUTS)
    string(APPEND script "addlib ${archive}\n")
endforeach()
string(APPEND script "save\nend\n")
file(WRITE "${OUTPUT}.mri" "${script}")
file(REMOVE "${OUTPUT}")
execute_process(COMMAND "${AR}" -M INPUT_FILE "${OUTPUT}.mri" RESULT_VARIABLE failed)
if(failed)
    message(FATAL_ERROR "merging archives into ${OUTPUT} failed")
endif()
