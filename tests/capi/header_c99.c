/* minternet.h as a C99 program sees it: every declaration must parse. */
#include <minternet/minternet.h>

int main(void) {
    mnet_host* host = mnet_host_new(1);
    int fd = mnet_socket(host, AF_INET, SOCK_STREAM, 0);
    mnet_close(host, fd);
    mnet_host_free(host);
    return MNET_VERSION_MAJOR;
}
