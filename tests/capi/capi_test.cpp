// The C API through its own calls only: two hosts joined by their output
// callbacks, sockets used as a C program would, and every errno the API
// promises reached by a call that should produce it.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "capi_pair.hpp"
#include "minternet/minternet.h"

namespace {

using capi_testing::mac_a;
using capi_testing::mac_b;
using capi_testing::Pair;

sockaddr_in address(const char* ip, uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

const sockaddr* sa(const sockaddr_in& a) {
    return reinterpret_cast<const sockaddr*>(&a);
}
sockaddr* sa(sockaddr_in& a) {
    return reinterpret_cast<sockaddr*>(&a);
}

// A listener on b:`port` and a connected client on a; returns {client, server}.
std::pair<int, int> connected(Pair& p, uint16_t port = 80) {
    const int l = mnet_socket(p.b, AF_INET, SOCK_STREAM, 0);
    const sockaddr_in any = address("0.0.0.0", port);
    EXPECT_EQ(mnet_bind(p.b, l, sa(any), sizeof any), 0);
    EXPECT_EQ(mnet_listen(p.b, l, 8), 0);
    const int c = mnet_socket(p.a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    const sockaddr_in server = address("10.0.0.2", port);
    EXPECT_EQ(mnet_connect(p.a, c, sa(server), sizeof server), -1);
    EXPECT_EQ(errno, EINPROGRESS);
    p.pump();
    EXPECT_EQ(mnet_connect(p.a, c, sa(server), sizeof server), 0) << "the connect completed";
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    const int s = mnet_accept(p.b, l, sa(peer), &len);
    EXPECT_GE(s, 0);
    EXPECT_EQ(len, sizeof peer);
    EXPECT_EQ(peer.sin_addr.s_addr, address("10.0.0.1", 0).sin_addr.s_addr);
    return {c, s};
}

TEST(CApi, TcpRoundTripAndOrderlyClose) {
    Pair p;
    auto [c, s] = connected(p);
    EXPECT_EQ(mnet_send(p.a, c, "Hello!", 6, 0), 6);
    p.pump();
    char buf[64] = {};
    EXPECT_EQ(mnet_recv(p.b, s, buf, sizeof buf, MSG_PEEK), 6);
    EXPECT_EQ(mnet_recv(p.b, s, buf, sizeof buf, 0), 6);
    EXPECT_EQ(std::string(buf, 6), "Hello!");
    EXPECT_EQ(mnet_recv(p.b, s, buf, sizeof buf, 0), -1);
    EXPECT_EQ(errno, EAGAIN);
    // Names on both sides.
    sockaddr_in name{};
    socklen_t len = sizeof name;
    ASSERT_EQ(mnet_getpeername(p.a, c, sa(name), &len), 0);
    EXPECT_EQ(ntohs(name.sin_port), 80);
    len = sizeof name;
    ASSERT_EQ(mnet_getsockname(p.b, s, sa(name), &len), 0);
    EXPECT_EQ(ntohs(name.sin_port), 80);
    EXPECT_EQ(name.sin_addr.s_addr, address("10.0.0.2", 0).sin_addr.s_addr);
    // The client closes: the server reads the end of the stream.
    EXPECT_EQ(mnet_close(p.a, c), 0);
    p.pump();
    EXPECT_EQ(mnet_recv(p.b, s, buf, sizeof buf, 0), 0);
    EXPECT_EQ(mnet_close(p.b, s), 0);
    EXPECT_EQ(mnet_send(p.b, s, "x", 1, 0), -1);
    EXPECT_EQ(errno, EBADF) << "closed descriptors are gone";
}

TEST(CApi, ConnectToAClosedPortIsRefused) {
    Pair p;
    const int c = mnet_socket(p.a, AF_INET, SOCK_STREAM, 0);
    const sockaddr_in server = address("10.0.0.2", 81);
    EXPECT_EQ(mnet_connect(p.a, c, sa(server), sizeof server), -1);
    EXPECT_EQ(errno, EINPROGRESS);
    EXPECT_EQ(mnet_connect(p.a, c, sa(server), sizeof server), -1);
    EXPECT_EQ(errno, EALREADY);
    p.pump();
    int error = 0;
    socklen_t len = sizeof error;
    ASSERT_EQ(mnet_getsockopt(p.a, c, SOL_SOCKET, SO_ERROR, &error, &len), 0);
    EXPECT_EQ(error, ECONNREFUSED);
    ASSERT_EQ(mnet_getsockopt(p.a, c, SOL_SOCKET, SO_ERROR, &error, &len), 0);
    EXPECT_EQ(error, 0) << "SO_ERROR is read once";
}

TEST(CApi, ResetAndBrokenPipe) {
    Pair p;
    auto [c, s] = connected(p);
    const linger abortive{.l_onoff = 1, .l_linger = 0};
    ASSERT_EQ(mnet_setsockopt(p.b, s, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive), 0);
    ASSERT_EQ(mnet_close(p.b, s), 0);  // RST
    p.pump();
    char buf[8];
    EXPECT_EQ(mnet_recv(p.a, c, buf, sizeof buf, 0), -1);
    EXPECT_EQ(errno, ECONNRESET);
    EXPECT_EQ(mnet_send(p.a, c, "x", 1, 0), -1);
    EXPECT_EQ(errno, EPIPE) << "the reset was reported once; then the pipe is broken";
    // After our own shutdown, sending is a broken pipe too.
    auto [c2, s2] = connected(p, 8080);
    ASSERT_EQ(mnet_shutdown(p.a, c2, SHUT_WR), 0);
    EXPECT_EQ(mnet_send(p.a, c2, "x", 1, 0), -1);
    EXPECT_EQ(errno, EPIPE);
    p.pump();
    EXPECT_EQ(mnet_recv(p.b, s2, buf, sizeof buf, 0), 0) << "the peer sees our FIN";
    EXPECT_EQ(mnet_shutdown(p.a, c2, 7), -1);
    EXPECT_EQ(errno, EINVAL);
}

TEST(CApi, BadCallsGetPosixErrors) {
    Pair p;
    EXPECT_EQ(mnet_socket(p.a, AF_UNIX, SOCK_STREAM, 0), -1);
    EXPECT_EQ(errno, EAFNOSUPPORT);
    EXPECT_EQ(mnet_socket(p.a, AF_INET, SOCK_RAW, 0), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(mnet_socket(p.a, AF_INET, SOCK_STREAM, IPPROTO_UDP), -1);
    EXPECT_EQ(errno, EPROTONOSUPPORT);
    EXPECT_EQ(mnet_socket(nullptr, AF_INET, SOCK_STREAM, 0), -1);
    EXPECT_EQ(errno, EFAULT);

    const int t = mnet_socket(p.a, AF_INET, SOCK_STREAM, 0);
    const int t2 = mnet_socket(p.a, AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(t, 0);
    EXPECT_EQ(t2, t + 1) << "the lowest free descriptor";
    sockaddr_in here = address("10.0.0.1", 7000);
    EXPECT_EQ(mnet_bind(p.a, 99, sa(here), sizeof here), -1);
    EXPECT_EQ(errno, EBADF);
    EXPECT_EQ(mnet_bind(p.a, t, nullptr, sizeof here), -1);
    EXPECT_EQ(errno, EFAULT);
    EXPECT_EQ(mnet_bind(p.a, t, sa(here), 4), -1);
    EXPECT_EQ(errno, EINVAL) << "a short socklen_t";
    sockaddr_in wrong = here;
    wrong.sin_family = AF_UNIX;
    EXPECT_EQ(mnet_bind(p.a, t, sa(wrong), sizeof wrong), -1);
    EXPECT_EQ(errno, EAFNOSUPPORT);
    sockaddr_in elsewhere = address("10.9.9.9", 7000);
    EXPECT_EQ(mnet_bind(p.a, t, sa(elsewhere), sizeof elsewhere), -1);
    EXPECT_EQ(errno, EADDRNOTAVAIL);
    ASSERT_EQ(mnet_bind(p.a, t, sa(here), sizeof here), 0);
    EXPECT_EQ(mnet_bind(p.a, t, sa(here), sizeof here), -1);
    EXPECT_EQ(errno, EINVAL) << "bound already";
    EXPECT_EQ(mnet_bind(p.a, t2, sa(here), sizeof here), -1);
    EXPECT_EQ(errno, EADDRINUSE);
    EXPECT_EQ(mnet_send(p.a, t, "x", 1, 0), -1);
    EXPECT_EQ(errno, ENOTCONN);
    sockaddr_in name{};
    socklen_t len = sizeof name;
    EXPECT_EQ(mnet_getpeername(p.a, t, sa(name), &len), -1);
    EXPECT_EQ(errno, ENOTCONN);
    EXPECT_EQ(mnet_listen(p.a, t2, 5), -1);
    EXPECT_EQ(errno, EDESTADDRREQ) << "listen needs a bound port";
    EXPECT_EQ(mnet_accept(p.a, t, nullptr, nullptr), -1);
    EXPECT_EQ(errno, EINVAL) << "not listening";
    ASSERT_EQ(mnet_listen(p.a, t, 5), 0);
    EXPECT_EQ(mnet_accept(p.a, t, nullptr, nullptr), -1);
    EXPECT_EQ(errno, EAGAIN);
    const sockaddr_in peer = address("10.0.0.2", 80);
    EXPECT_EQ(mnet_connect(p.a, t, sa(peer), sizeof peer), -1);
    EXPECT_EQ(errno, EISCONN) << "a listener";

    const int u = mnet_socket(p.a, AF_INET, SOCK_DGRAM, 0);
    EXPECT_EQ(mnet_listen(p.a, u, 5), -1);
    EXPECT_EQ(errno, EOPNOTSUPP);
    EXPECT_EQ(mnet_send(p.a, u, "x", 1, 0), -1);
    EXPECT_EQ(errno, EDESTADDRREQ);
    int v = 1;
    EXPECT_EQ(mnet_setsockopt(p.a, t2, IPPROTO_TCP, 12345, &v, sizeof v), -1);
    EXPECT_EQ(errno, ENOPROTOOPT);
    EXPECT_EQ(mnet_setsockopt(p.a, t2, IPPROTO_TCP, TCP_NODELAY, &v, 1), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(mnet_setsockopt(p.a, t2, IPPROTO_TCP, TCP_NODELAY, nullptr, sizeof v), -1);
    EXPECT_EQ(errno, EFAULT);
    v = 20;
    EXPECT_EQ(mnet_setsockopt(p.a, t2, IPPROTO_TCP, TCP_MAXSEG, &v, sizeof v), -1);
    EXPECT_EQ(errno, EINVAL) << "below Linux's TCP_MIN_MSS";
    EXPECT_EQ(mnet_setsockopt(p.a, t2, IPPROTO_TCP, TCP_CONGESTION, "vegas", 5), -1);
    EXPECT_EQ(errno, ENOENT);
    EXPECT_EQ(mnet_fcntl(p.a, t2, F_GETFL), O_RDWR);
    EXPECT_EQ(mnet_fcntl(p.a, t2, F_SETFL, O_NONBLOCK), 0);
    EXPECT_EQ(mnet_fcntl(p.a, t2, F_GETFL), O_RDWR | O_NONBLOCK);
    EXPECT_EQ(mnet_fcntl(p.a, t2, F_DUPFD, 0), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(mnet_close(p.a, 1000), -1);
    EXPECT_EQ(errno, EBADF);
}

TEST(CApi, HostSetupErrors) {
    mnet_host* h = mnet_host_new(0);  // secrets from the OS
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(mnet_host_add_interface(h, mac_a, "10.0.0.1/33", 1500), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(mnet_host_add_interface(h, mac_a, "10.0.0.1/24", 100), -1);
    EXPECT_EQ(errno, EINVAL) << "an MTU below 576";
    const uint8_t group[6] = {0x01, 0, 0x5e, 0, 0, 1};
    EXPECT_EQ(mnet_host_add_interface(h, group, "10.0.0.1/24", 0), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(mnet_host_add_interface(h, nullptr, "10.0.0.1/24", 0), -1);
    EXPECT_EQ(errno, EFAULT);
    ASSERT_EQ(mnet_host_add_interface(h, mac_a, "10.0.0.1/24", 0), 0);
    EXPECT_EQ(mnet_host_add_route(h, "0.0.0.0/0", "192.168.1.1"), -1);
    EXPECT_EQ(errno, ENETUNREACH);
    EXPECT_EQ(mnet_host_add_route(h, "0.0.0.0/0", "10.0.0.254"), 0);
    const unsigned char junk[3] = {1, 2, 3};
    EXPECT_EQ(mnet_host_input(h, 5, junk, sizeof junk, 0), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(mnet_host_input(h, 0, junk, sizeof junk, 0), 0) << "a runt is dropped, not an error";
    EXPECT_EQ(mnet_host_next_deadline(nullptr), MNET_NEVER);
    mnet_host_free(h);
    mnet_host_free(nullptr);
}

// The TAP driver's argument checks (attaching for real needs root: the
// installed-package test does that against the kernel).
TEST(CApi, TapDriverRefusesBadArguments) {
    mnet_host* h = mnet_host_new(3);
    EXPECT_EQ(mnet_tap_attach(h, nullptr, "10.0.0.2/24", nullptr), -1);
    EXPECT_EQ(errno, EFAULT);
    EXPECT_EQ(mnet_tap_attach(h, "mtap9", "10.0.0.2", nullptr), -1);
    EXPECT_EQ(errno, EINVAL) << "no prefix length";
    EXPECT_EQ(mnet_tap_attach(h, "mtap9", "10.0.0.2/24", "192.168.0.1"), -1);
    EXPECT_EQ(errno, EINVAL) << "a gateway outside the subnet";
    EXPECT_EQ(mnet_run(h, 0), -1);
    EXPECT_EQ(errno, EINVAL) << "nothing attached to run";
    mnet_stop(h);  // harmless without a driver
    EXPECT_EQ(std::string(mnet_version()), std::to_string(MNET_VERSION_MAJOR) + "." +
                                               std::to_string(MNET_VERSION_MINOR) + "." +
                                               std::to_string(MNET_VERSION_PATCH))
        << "the header and the library agree";
    mnet_host_free(h);
}

// A DNS server by hand on b:53 (written from RFC 1035 §4.1, independently of
// dns/): answers each query for `name` with an A record `address`, anything
// else with NXDOMAIN.
void answer_dns(Pair& p, int server, const std::string& name, const char* address) {
    unsigned char q[512];
    sockaddr_in from{};
    socklen_t len = sizeof from;
    const ssize_t n = mnet_recvfrom(p.b, server, q, sizeof q, 0, sa(from), &len);
    ASSERT_GT(n, 12);
    size_t i = 0;
    const std::string asked = capi_testing::query_name(q, i);
    const size_t question_end = i + 5;  // the root label, QTYPE, QCLASS
    std::vector<unsigned char> r(q, q + question_end);
    r[2] = 0x81;         // QR, RD
    r[3] = 0x80;         // RA, rcode 0
    r[4] = 0, r[5] = 1;  // QDCOUNT
    r[8] = r[9] = r[10] = r[11] = 0;
    if (asked == name) {
        r[6] = 0, r[7] = 1;  // ANCOUNT
        in_addr a{};
        inet_pton(AF_INET, address, &a);
        const auto* ab = reinterpret_cast<const unsigned char*>(&a);
        const unsigned char rr[] = {0xc0, 12, 0, 1, 0,     1,     0,     0,
                                    0,    60, 0, 4, ab[0], ab[1], ab[2], ab[3]};
        r.insert(r.end(), rr, rr + sizeof rr);
    } else {
        r[6] = r[7] = 0;
        r[3] = 0x83;  // NXDOMAIN
    }
    ASSERT_EQ(mnet_sendto(p.b, server, r.data(), r.size(), 0, sa(from), len),
              static_cast<ssize_t>(r.size()));
}

TEST(CApi, GetaddrinfoAsksTheNameserverAndAnswersAsPosix) {
    Pair p;
    const int dns = mnet_socket(p.b, AF_INET, SOCK_DGRAM, 0);
    const sockaddr_in port53 = address("10.0.0.2", 53);
    ASSERT_EQ(mnet_bind(p.b, dns, sa(port53), sizeof port53), 0);
    addrinfo* list = nullptr;
    EXPECT_EQ(mnet_getaddrinfo(p.a, "www.example", "80", nullptr, &list), EAI_FAIL)
        << "no nameserver yet";
    ASSERT_EQ(mnet_host_add_nameserver(p.a, "10.0.0.2"), 0);
    const addrinfo tcp_only{.ai_flags = 0, .ai_family = AF_INET, .ai_socktype = SOCK_STREAM};
    // A host driven by the test: the lookup starts, and answers EAI_AGAIN
    // until the reply has come.
    EXPECT_EQ(mnet_getaddrinfo(p.a, "WWW.Example", "80", &tcp_only, &list), EAI_AGAIN);
    p.pump();
    answer_dns(p, dns, "www.example.", "10.0.0.99");
    p.pump();
    ASSERT_EQ(mnet_getaddrinfo(p.a, "WWW.Example", "80", &tcp_only, &list), 0);
    ASSERT_NE(list, nullptr);
    EXPECT_EQ(list->ai_next, nullptr) << "one address, one socket type";
    EXPECT_EQ(list->ai_socktype, SOCK_STREAM);
    EXPECT_EQ(list->ai_protocol, IPPROTO_TCP);
    ASSERT_EQ(list->ai_addrlen, sizeof(sockaddr_in));
    const auto* in = reinterpret_cast<const sockaddr_in*>(list->ai_addr);
    EXPECT_EQ(in->sin_addr.s_addr, address("10.0.0.99", 0).sin_addr.s_addr);
    EXPECT_EQ(ntohs(in->sin_port), 80);
    mnet_freeaddrinfo(list);
    // No such name.
    EXPECT_EQ(mnet_getaddrinfo(p.a, "nowhere.example", nullptr, nullptr, &list), EAI_AGAIN);
    p.pump();
    answer_dns(p, dns, "www.example.", "10.0.0.99");
    p.pump();
    EXPECT_EQ(mnet_getaddrinfo(p.a, "nowhere.example", nullptr, nullptr, &list), EAI_NONAME);
    // Numeric, passive, and bad hints need no lookup.
    ASSERT_EQ(mnet_getaddrinfo(p.a, "10.1.2.3", "53", nullptr, &list), 0);
    ASSERT_NE(list->ai_next, nullptr) << "stream and datagram";
    EXPECT_EQ(list->ai_next->ai_socktype, SOCK_DGRAM);
    mnet_freeaddrinfo(list);
    const addrinfo passive{
        .ai_flags = AI_PASSIVE, .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM};
    ASSERT_EQ(mnet_getaddrinfo(p.a, nullptr, "5353", &passive, &list), 0);
    EXPECT_EQ(reinterpret_cast<const sockaddr_in*>(list->ai_addr)->sin_addr.s_addr, INADDR_ANY);
    mnet_freeaddrinfo(list);
    EXPECT_EQ(mnet_getaddrinfo(p.a, nullptr, nullptr, nullptr, &list), EAI_NONAME);
    const addrinfo v6{.ai_flags = 0, .ai_family = AF_INET6};
    EXPECT_EQ(mnet_getaddrinfo(p.a, "10.1.2.3", nullptr, &v6, &list), EAI_ADDRFAMILY);
    const addrinfo unix_family{.ai_flags = 0, .ai_family = AF_UNIX};
    EXPECT_EQ(mnet_getaddrinfo(p.a, "10.1.2.3", nullptr, &unix_family, &list), EAI_FAMILY);
    const addrinfo raw{.ai_flags = 0, .ai_family = AF_INET, .ai_socktype = SOCK_RAW};
    EXPECT_EQ(mnet_getaddrinfo(p.a, "10.1.2.3", nullptr, &raw, &list), EAI_SOCKTYPE);
    const addrinfo numeric{.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
    EXPECT_EQ(mnet_getaddrinfo(p.a, "www.example", nullptr, &numeric, &list), EAI_NONAME);
    EXPECT_EQ(mnet_getaddrinfo(p.a, "10.1.2.3", "http", &numeric, &list), EAI_NONAME);
    EXPECT_EQ(mnet_getaddrinfo(p.a, "10.1.2.3", "70000", nullptr, &list), EAI_SERVICE);
    const addrinfo odd{.ai_flags = 0x4000};
    EXPECT_EQ(mnet_getaddrinfo(p.a, "10.1.2.3", nullptr, &odd, &list), EAI_BADFLAGS);
    EXPECT_EQ(mnet_getaddrinfo(p.a, "10.1.2.3", nullptr, nullptr, nullptr), EAI_SYSTEM);
    EXPECT_EQ(errno, EFAULT);
    EXPECT_EQ(mnet_host_add_nameserver(p.a, "not an address"), -1);
    EXPECT_EQ(errno, EINVAL);
}

TEST(CApi, UdpDatagramsBothWays) {
    Pair p;
    const int server = mnet_socket(p.b, AF_INET, SOCK_DGRAM, 0);
    const sockaddr_in port53 = address("0.0.0.0", 53);
    ASSERT_EQ(mnet_bind(p.b, server, sa(port53), sizeof port53), 0);
    const int client = mnet_socket(p.a, AF_INET, SOCK_DGRAM, 0);
    const sockaddr_in to = address("10.0.0.2", 53);
    EXPECT_EQ(mnet_sendto(p.a, client, "query", 5, 0, sa(to), sizeof to), 5);
    p.pump();
    char buf[16];
    sockaddr_in from{};
    socklen_t len = sizeof from;
    EXPECT_EQ(mnet_recvfrom(p.b, server, buf, sizeof buf, 0, sa(from), &len), 5);
    EXPECT_EQ(std::string(buf, 5), "query");
    EXPECT_EQ(from.sin_addr.s_addr, address("10.0.0.1", 0).sin_addr.s_addr);
    EXPECT_EQ(mnet_sendto(p.b, server, "answer", 6, 0, sa(from), len), 6);
    p.pump();
    pollfd pfd{.fd = client, .events = POLLIN, .revents = 0};
    EXPECT_EQ(mnet_poll(p.a, &pfd, 1, 0), 1);
    EXPECT_EQ(pfd.revents, POLLIN);
    EXPECT_EQ(mnet_recv(p.a, client, buf, 3, 0), 3) << "truncated to the buffer";
    EXPECT_EQ(mnet_recv(p.a, client, buf, sizeof buf, 0), -1);
    EXPECT_EQ(errno, EAGAIN) << "the rest of a datagram is gone, as recv(2) does";
}

TEST(CApi, PollReportsListenersConnectionsAndBadDescriptors) {
    Pair p;
    const int l = mnet_socket(p.b, AF_INET, SOCK_STREAM, 0);
    const sockaddr_in any = address("0.0.0.0", 80);
    ASSERT_EQ(mnet_bind(p.b, l, sa(any), sizeof any), 0);
    ASSERT_EQ(mnet_listen(p.b, l, 4), 0);
    pollfd fds[2] = {{.fd = l, .events = POLLIN, .revents = 0},
                     {.fd = 42, .events = POLLIN, .revents = 0}};
    EXPECT_EQ(mnet_poll(p.b, fds, 2, 0), 1);
    EXPECT_EQ(fds[1].revents, POLLNVAL);
    const int c = mnet_socket(p.a, AF_INET, SOCK_STREAM, 0);
    const sockaddr_in server = address("10.0.0.2", 80);
    (void)mnet_connect(p.a, c, sa(server), sizeof server);
    p.pump();
    EXPECT_EQ(mnet_poll(p.b, fds, 1, 0), 1);
    EXPECT_EQ(fds[0].revents, POLLIN) << "a connection to accept";
    const int s = mnet_accept(p.b, l, nullptr, nullptr);
    ASSERT_GE(s, 0);
    pollfd out{.fd = c, .events = POLLIN | POLLOUT, .revents = 0};
    EXPECT_EQ(mnet_poll(p.a, &out, 1, 0), 1);
    EXPECT_EQ(out.revents, POLLOUT) << "writable, nothing to read";
    (void)mnet_send(p.b, s, "hi", 2, 0);
    p.pump();
    EXPECT_EQ(mnet_poll(p.a, &out, 1, 0), 1);
    EXPECT_EQ(out.revents, POLLIN | POLLOUT);
}

}  // namespace
