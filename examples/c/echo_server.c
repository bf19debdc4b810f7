/* A TCP echo server on minternet, on a TAP device: what a client sends comes
 * back until it closes. Serves COUNT connections, one after another, then
 * exits (0 when every one was echoed whole).
 *
 *   echo_server TAP ADDRESS/PREFIX PORT COUNT
 *   echo_server mtap0 10.0.0.2/24 7 1      (then: nc 10.0.0.2 7)
 */
#define _POSIX_C_SOURCE 200809L
#include <minternet/minternet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: echo_server TAP ADDRESS/PREFIX PORT COUNT\n");
        return 2;
    }
    const int port = atoi(argv[3]);
    const int count = atoi(argv[4]);
    if (port <= 0 || port > 65535 || count <= 0) {
        fprintf(stderr, "echo_server: PORT is 1 to 65535, COUNT at least 1\n");
        return 2;
    }
    mnet_host* host = mnet_host_new(0);
    if (host == NULL || mnet_tap_attach(host, argv[1], argv[2], NULL) != 0) {
        fprintf(stderr, "echo_server: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    const int listener = mnet_socket(host, AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in any;
    memset(&any, 0, sizeof any);
    any.sin_family = AF_INET;
    any.sin_port = htons((uint16_t)port);
    if (mnet_bind(host, listener, (struct sockaddr*)&any, sizeof any) != 0 ||
        mnet_listen(host, listener, 8) != 0) {
        fprintf(stderr, "echo_server: port %d: %s\n", port, strerror(errno));
        return 1;
    }
    for (int served = 0; served < count; ++served) {
        struct sockaddr_in peer;
        socklen_t length = sizeof peer;
        const int c = mnet_accept(host, listener, (struct sockaddr*)&peer, &length);
        if (c < 0) {
            fprintf(stderr, "echo_server: accept: %s\n", strerror(errno));
            return 1;
        }
        char buffer[4096];
        long total = 0;
        for (;;) {
            const ssize_t n = mnet_recv(host, c, buffer, sizeof buffer, 0);
            if (n < 0) {
                fprintf(stderr, "echo_server: recv: %s\n", strerror(errno));
                return 1;
            }
            if (n == 0) break;
            for (ssize_t sent = 0; sent < n;) {
                const ssize_t m = mnet_send(host, c, buffer + sent, (size_t)(n - sent), 0);
                if (m < 0) {
                    fprintf(stderr, "echo_server: send: %s\n", strerror(errno));
                    return 1;
                }
                sent += m;
            }
            total += n;
        }
        mnet_close(host, c);
        printf("echo_server: echoed %ld bytes\n", total);
        fflush(stdout);
    }
    mnet_close(host, listener);
    /* Let the last FIN and its ACK go before the host disappears. */
    mnet_run(host, 500);
    mnet_host_free(host);
    return 0;
}
