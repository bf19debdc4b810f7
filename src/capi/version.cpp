// The library's version, from the project's (CMake passes it in).
#include "minternet/minternet.h"

extern "C" const char* mnet_version(void) {
    return MINTERNET_VERSION;
}
