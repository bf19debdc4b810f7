/* An HTTP/1.0 GET over minternet on a TAP device: prints the response body
 * to stdout. Exit 0 for a 200 response read to its end.
 *
 *   http_get TAP ADDRESS/PREFIX SERVER PORT PATH
 *   http_get mtap0 10.0.0.2/24 10.0.0.1 8000 /index.html
 */
#define _POSIX_C_SOURCE 200809L
#include <minternet/minternet.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: http_get TAP ADDRESS/PREFIX SERVER PORT PATH\n");
        return 2;
    }
    struct sockaddr_in server;
    memset(&server, 0, sizeof server);
    server.sin_family = AF_INET;
    server.sin_port = htons((uint16_t)atoi(argv[4]));
    if (inet_pton(AF_INET, argv[3], &server.sin_addr) != 1) {
        fprintf(stderr, "http_get: %s is not an IPv4 address\n", argv[3]);
        return 2;
    }
    mnet_host* host = mnet_host_new(0);
    if (host == NULL || mnet_tap_attach(host, argv[1], argv[2], NULL) != 0) {
        fprintf(stderr, "http_get: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    const int s = mnet_socket(host, AF_INET, SOCK_STREAM, 0);
    if (mnet_connect(host, s, (struct sockaddr*)&server, sizeof server) != 0) {
        fprintf(stderr, "http_get: connect %s: %s\n", argv[3], strerror(errno));
        return 1;
    }
    char request[1024];
    const int length =
        snprintf(request, sizeof request,
                 "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n", argv[5], argv[3]);
    if (length <= 0 || (size_t)length >= sizeof request ||
        mnet_send(host, s, request, (size_t)length, 0) != length) {
        fprintf(stderr, "http_get: send: %s\n", strerror(errno));
        return 1;
    }
    /* Read the whole response, then split the head from the body. */
    size_t size = 0, capacity = 65536;
    char* response = malloc(capacity);
    for (;;) {
        if (size == capacity) response = realloc(response, capacity *= 2);
        const ssize_t n = mnet_recv(host, s, response + size, capacity - size, 0);
        if (n < 0) {
            fprintf(stderr, "http_get: recv: %s\n", strerror(errno));
            return 1;
        }
        if (n == 0) break;
        size += (size_t)n;
    }
    mnet_close(host, s);
    mnet_run(host, 200); /* our FIN and the last ACKs */
    mnet_host_free(host);
    const char* end = NULL;
    for (size_t i = 0; i + 4 <= size; ++i) {
        if (memcmp(response + i, "\r\n\r\n", 4) == 0) {
            end = response + i + 4;
            break;
        }
    }
    if (end == NULL || size < 12 || memcmp(response + 9, "200", 3) != 0) {
        fprintf(stderr, "http_get: no 200 response\n");
        return 1;
    }
    fwrite(end, 1, size - (size_t)(end - response), stdout);
    free(response);
    return 0;
}
