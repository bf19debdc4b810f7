// The C API's IPv6, through its own calls only: AF_INET6 sockets with
// struct sockaddr_in6, IPv6 interfaces and routes, and Linux's dual-stack
// rules (IPV6_V6ONLY off: a socket on :: takes IPv4 too, and shows IPv4
// peers as ::ffff:a.b.c.d).
#include <arpa/inet.h>

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

sockaddr_in6 address6(const char* ip, uint16_t port) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(port);
    EXPECT_EQ(inet_pton(AF_INET6, ip, &a.sin6_addr), 1) << ip;
    return a;
}

sockaddr_in address4(const char* ip, uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

template <typename T>
const sockaddr* sa(const T& a) {
    return reinterpret_cast<const sockaddr*>(&a);
}
template <typename T>
sockaddr* sa(T& a) {
    return reinterpret_cast<sockaddr*>(&a);
}

std::string text(const sockaddr_in6& a) {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, &a.sin6_addr, buf, sizeof buf);
    return buf;
}

// A listener on b's [::]:`port` (V6ONLY as given).
int listener6(Pair& p, uint16_t port, bool v6only) {
    const int l = mnet_socket(p.b, AF_INET6, SOCK_STREAM, 0);
    const int on = v6only ? 1 : 0;
    EXPECT_EQ(mnet_setsockopt(p.b, l, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on), 0);
    const sockaddr_in6 any = address6("::", port);
    EXPECT_EQ(mnet_bind(p.b, l, sa(any), sizeof any), 0);
    EXPECT_EQ(mnet_listen(p.b, l, 8), 0);
    return l;
}

TEST(CApiIpv6, TcpOverIpv6WithSockaddrIn6) {
    Pair p(true);
    const int l = listener6(p, 80, true);
    const int c = mnet_socket(p.a, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
    const sockaddr_in6 server = address6("2001:db8::2", 80);
    EXPECT_EQ(mnet_connect(p.a, c, sa(server), sizeof server), -1);
    EXPECT_EQ(errno, EINPROGRESS);
    p.pump();
    EXPECT_EQ(mnet_connect(p.a, c, sa(server), sizeof server), 0);
    sockaddr_in6 peer{};
    socklen_t len = sizeof peer;
    const int s = mnet_accept(p.b, l, sa(peer), &len);
    ASSERT_GE(s, 0);
    EXPECT_EQ(len, sizeof(sockaddr_in6));
    EXPECT_EQ(peer.sin6_family, AF_INET6);
    EXPECT_EQ(text(peer), "2001:db8::1");

    EXPECT_EQ(mnet_send(p.a, c, "Hello!", 6, 0), 6);
    p.pump();
    char buf[16] = {};
    EXPECT_EQ(mnet_recv(p.b, s, buf, sizeof buf, 0), 6);
    EXPECT_EQ(std::string(buf, 6), "Hello!");

    sockaddr_in6 name{};
    len = sizeof name;
    ASSERT_EQ(mnet_getsockname(p.a, c, sa(name), &len), 0);
    EXPECT_EQ(text(name), "2001:db8::1");
    EXPECT_GE(ntohs(name.sin6_port), 49152);
    len = sizeof name;
    ASSERT_EQ(mnet_getpeername(p.a, c, sa(name), &len), 0);
    EXPECT_EQ(text(name), "2001:db8::2");
    EXPECT_EQ(ntohs(name.sin6_port), 80);
    int domain = 0;
    len = sizeof domain;
    ASSERT_EQ(mnet_getsockopt(p.a, c, SOL_SOCKET, SO_DOMAIN, &domain, &len), 0);
    EXPECT_EQ(domain, AF_INET6);
}

TEST(CApiIpv6, ADualStackListenerTakesIpv4ClientsAsMappedAddresses) {
    Pair p(true);
    const int l = listener6(p, 80, false);
    const int c = mnet_socket(p.a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    const sockaddr_in server = address4("10.0.0.2", 80);
    EXPECT_EQ(mnet_connect(p.a, c, sa(server), sizeof server), -1);
    p.pump();
    EXPECT_EQ(mnet_connect(p.a, c, sa(server), sizeof server), 0);
    sockaddr_in6 peer{};
    socklen_t len = sizeof peer;
    const int s = mnet_accept(p.b, l, sa(peer), &len);
    ASSERT_GE(s, 0);
    EXPECT_EQ(text(peer), "::ffff:10.0.0.1");
    sockaddr_in6 name{};
    len = sizeof name;
    ASSERT_EQ(mnet_getsockname(p.b, s, sa(name), &len), 0);
    EXPECT_EQ(text(name), "::ffff:10.0.0.2");
    // It holds IPv4's port 80 too.
    const int other = mnet_socket(p.b, AF_INET, SOCK_STREAM, 0);
    const sockaddr_in any4 = address4("0.0.0.0", 80);
    EXPECT_EQ(mnet_bind(p.b, other, sa(any4), sizeof any4), -1);
    EXPECT_EQ(errno, EADDRINUSE);
}

TEST(CApiIpv6, AV6OnlyListenerRefusesIpv4AndLeavesItsPortFree) {
    Pair p(true);
    listener6(p, 80, true);
    const int other = mnet_socket(p.b, AF_INET, SOCK_STREAM, 0);
    const sockaddr_in any4 = address4("0.0.0.0", 80);
    EXPECT_EQ(mnet_bind(p.b, other, sa(any4), sizeof any4), 0) << "the families are apart";
    const int c = mnet_socket(p.a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    const sockaddr_in server = address4("10.0.0.2", 80);
    EXPECT_EQ(mnet_connect(p.a, c, sa(server), sizeof server), -1);
    p.pump();
    EXPECT_EQ(mnet_connect(p.a, c, sa(server), sizeof server), -1);
    EXPECT_EQ(errno, ECONNREFUSED) << "bound, not listening: a RST";
    // A mapped address means IPv4, which a V6ONLY socket has no way to reach.
    const int v6 = mnet_socket(p.a, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
    const int on = 1;
    ASSERT_EQ(mnet_setsockopt(p.a, v6, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on), 0);
    const sockaddr_in6 mapped = address6("::ffff:10.0.0.2", 80);
    EXPECT_EQ(mnet_connect(p.a, v6, sa(mapped), sizeof mapped), -1);
    EXPECT_EQ(errno, ENETUNREACH);
}

TEST(CApiIpv6, UdpOverIpv6AndToIpv4FromOneDualSocket) {
    Pair p(true);
    const int server6 = mnet_socket(p.b, AF_INET6, SOCK_DGRAM, 0);
    const sockaddr_in6 any = address6("::", 5353);
    ASSERT_EQ(mnet_bind(p.b, server6, sa(any), sizeof any), 0);
    // One unbound AF_INET6 socket on a sends to b over IPv6, then over IPv4
    // through a mapped address: bound to :: on its first send, both work.
    const int client = mnet_socket(p.a, AF_INET6, SOCK_DGRAM, 0);
    const sockaddr_in6 to6 = address6("2001:db8::2", 5353);
    const sockaddr_in6 to4 = address6("::ffff:10.0.0.2", 5353);
    ASSERT_EQ(mnet_sendto(p.a, client, "six", 3, 0, sa(to6), sizeof to6), 3);
    ASSERT_EQ(mnet_sendto(p.a, client, "four", 4, 0, sa(to4), sizeof to4), 4);
    p.pump();
    char buf[16] = {};
    sockaddr_in6 from{};
    socklen_t len = sizeof from;
    ASSERT_EQ(mnet_recvfrom(p.b, server6, buf, sizeof buf, 0, sa(from), &len), 3);
    EXPECT_EQ(std::string(buf, 3), "six");
    EXPECT_EQ(text(from), "2001:db8::1");
    len = sizeof from;
    ASSERT_EQ(mnet_recvfrom(p.b, server6, buf, sizeof buf, 0, sa(from), &len), 4);
    EXPECT_EQ(std::string(buf, 4), "four");
    EXPECT_EQ(text(from), "::ffff:10.0.0.1");
    // The answer goes back to what recvfrom said.
    ASSERT_EQ(mnet_sendto(p.b, server6, "back", 4, 0, sa(from), len), 4);
    p.pump();
    ASSERT_EQ(mnet_recvfrom(p.a, client, buf, sizeof buf, 0, nullptr, nullptr), 4);
    EXPECT_EQ(std::string(buf, 4), "back");
}

TEST(CApiIpv6, BadAddressesAndOptionsAreErrors) {
    Pair p(true);
    const int s6 = mnet_socket(p.a, AF_INET6, SOCK_DGRAM, 0);
    const sockaddr_in v4 = address4("10.0.0.2", 7);
    EXPECT_EQ(mnet_sendto(p.a, s6, "x", 1, 0, sa(v4), sizeof v4), -1);
    EXPECT_EQ(errno, EAFNOSUPPORT) << "an AF_INET6 socket takes sockaddr_in6";
    const sockaddr_in6 v6 = address6("2001:db8::2", 7);
    EXPECT_EQ(mnet_sendto(p.a, s6, "x", 1, 0, sa(v6), 20), -1);
    EXPECT_EQ(errno, EINVAL) << "too short for a sockaddr_in6";
    const int s4 = mnet_socket(p.a, AF_INET, SOCK_DGRAM, 0);
    int on = 1;
    EXPECT_EQ(mnet_setsockopt(p.a, s4, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on), -1);
    EXPECT_EQ(errno, ENOPROTOOPT) << "IPv6 options are for IPv6 sockets";
    const sockaddr_in6 mine = address6("2001:db8::1", 7000);
    ASSERT_EQ(mnet_bind(p.a, s6, sa(mine), sizeof mine), 0);
    EXPECT_EQ(mnet_setsockopt(p.a, s6, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on), -1);
    EXPECT_EQ(errno, EINVAL) << "fixed once bound";
    const sockaddr_in6 not_mine = address6("2001:db8::99", 7000);
    const int t = mnet_socket(p.a, AF_INET6, SOCK_STREAM, 0);
    EXPECT_EQ(mnet_bind(p.a, t, sa(not_mine), sizeof not_mine), -1);
    EXPECT_EQ(errno, EADDRNOTAVAIL);
    EXPECT_EQ(mnet_host_add_address(p.a, 0, "10.0.0.9/24"), -1);
    EXPECT_EQ(errno, EAFNOSUPPORT);
    EXPECT_EQ(mnet_host_add_address(p.a, 5, "2001:db8::5/64"), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(mnet_host_add_address(p.a, 0, "ff02::1/64"), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(mnet_host_add_route(p.a, "2001:db8:9::/48", "2001:db8:7::1"), -1);
    EXPECT_EQ(errno, ENETUNREACH) << "the gateway is on no link of a's";
    EXPECT_EQ(mnet_host_add_route(p.a, "::/0", "2001:db8::2"), 0);
}

// An interface made with an IPv6 address has no IPv4; a route through a
// link-local gateway reaches beyond the link.
TEST(CApiIpv6, AnIpv6OnlyInterfaceAndARouteThroughALinkLocalGateway) {
    mnet_host* h = mnet_host_new(5);
    ASSERT_EQ(mnet_host_add_interface(h, mac_a, "2001:db8::1/64", 1500), 0);
    EXPECT_EQ(mnet_host_add_route(h, "::/0", "fe80::1"), 0);
    const int s = mnet_socket(h, AF_INET, SOCK_DGRAM, 0);
    const sockaddr_in any4 = address4("10.0.0.1", 0);
    EXPECT_EQ(mnet_bind(h, s, sa(any4), sizeof any4), -1);
    EXPECT_EQ(errno, EADDRNOTAVAIL) << "no IPv4 address";
    EXPECT_EQ(mnet_host_add_interface(h, mac_b, "2001:db8:1::1/64", 1200), -1);
    EXPECT_EQ(errno, EINVAL) << "IPv6 needs 1280 bytes";
    mnet_host_free(h);
}

}  // namespace

namespace {

// Answers one query waiting on `server` (a UDP socket on b): an A question
// with `v4`, an AAAA question with `v6` (each when given and the name is
// `name`), else NOERROR with no records, or NXDOMAIN for another name.
// Returns the type asked (1 or 28), 0 when no query was there.
int answer_query(Pair& p, int server, const std::string& name, const char* v4, const char* v6) {
    unsigned char q[512];
    sockaddr_in6 from{};
    socklen_t len = sizeof from;
    const ssize_t n = mnet_recvfrom(p.b, server, q, sizeof q, MSG_DONTWAIT, sa(from), &len);
    if (n <= 12) return 0;
    size_t i = 0;
    const std::string asked = capi_testing::query_name(q, i);
    const int type = (q[i + 1] << 8) | q[i + 2];
    std::vector<unsigned char> r(q, q + i + 5);  // up to the question's end
    r[2] = 0x81;
    r[3] = 0x80;
    r[4] = 0, r[5] = 1;
    r[6] = r[7] = r[8] = r[9] = r[10] = r[11] = 0;
    const char* address = type == 28 ? v6 : type == 1 ? v4 : nullptr;
    if (asked != name) {
        r[3] = 0x83;  // NXDOMAIN
    } else if (address != nullptr) {
        r[7] = 1;
        unsigned char bytes[16] = {};
        const int family = type == 28 ? AF_INET6 : AF_INET;
        EXPECT_EQ(inet_pton(family, address, bytes), 1) << address;
        const unsigned char length = type == 28 ? 16 : 4;
        const unsigned char head[] = {
            0xc0, 12, 0, static_cast<unsigned char>(type), 0, 1, 0, 0, 0, 60, 0, length};
        r.insert(r.end(), head, head + sizeof head);
        r.insert(r.end(), bytes, bytes + length);
    }
    EXPECT_EQ(mnet_sendto(p.b, server, r.data(), r.size(), 0, sa(from), len),
              static_cast<ssize_t>(r.size()));
    return type;
}

std::vector<std::string> addresses_of(const addrinfo* list) {
    std::vector<std::string> out;
    for (; list != nullptr; list = list->ai_next) {
        char buf[INET6_ADDRSTRLEN] = {};
        if (list->ai_family == AF_INET6) {
            EXPECT_EQ(list->ai_addrlen, sizeof(sockaddr_in6));
            inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(list->ai_addr)->sin6_addr,
                      buf, sizeof buf);
        } else {
            EXPECT_EQ(list->ai_addrlen, sizeof(sockaddr_in));
            inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(list->ai_addr)->sin_addr, buf,
                      sizeof buf);
        }
        out.emplace_back(buf);
    }
    return out;
}

}  // namespace

// getaddrinfo over a nameserver reached over IPv6: AF_UNSPEC asks AAAA and A
// at once and lists IPv6 first; AF_INET6 asks AAAA alone; numeric IPv6
// needs no lookup and is refused for AF_INET.
TEST(CApiIpv6, GetaddrinfoAsksAaaaAndAOverIpv6) {
    Pair p(true);
    const int dns = mnet_socket(p.b, AF_INET6, SOCK_DGRAM, 0);
    const sockaddr_in6 port53 = address6("::", 53);
    ASSERT_EQ(mnet_bind(p.b, dns, sa(port53), sizeof port53), 0);
    ASSERT_EQ(mnet_host_add_nameserver(p.a, "2001:db8::2"), 0);

    const addrinfo stream{.ai_flags = 0, .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    addrinfo* list = nullptr;
    ASSERT_EQ(mnet_getaddrinfo(p.a, "www.example", "80", &stream, &list), EAI_AGAIN);
    p.pump();
    std::vector<int> types;
    for (int t; (t = answer_query(p, dns, "www.example.", "10.0.0.99", "2001:db8::99")) != 0;)
        types.push_back(t);
    EXPECT_EQ(types, (std::vector<int>{28, 1})) << "AAAA sent first, A beside it";
    p.pump();
    ASSERT_EQ(mnet_getaddrinfo(p.a, "www.example", "80", &stream, &list), 0);
    EXPECT_EQ(addresses_of(list), (std::vector<std::string>{"2001:db8::99", "10.0.0.99"}));
    EXPECT_EQ(list->ai_family, AF_INET6);
    EXPECT_EQ(ntohs(reinterpret_cast<const sockaddr_in6*>(list->ai_addr)->sin6_port), 80);
    mnet_freeaddrinfo(list);

    // AF_INET6: AAAA alone. A name with only an A record has no IPv6 address.
    const addrinfo six{.ai_flags = 0, .ai_family = AF_INET6, .ai_socktype = SOCK_DGRAM};
    ASSERT_EQ(mnet_getaddrinfo(p.a, "v4only.example", nullptr, &six, &list), EAI_AGAIN);
    p.pump();
    EXPECT_EQ(answer_query(p, dns, "v4only.example.", "10.0.0.98", nullptr), 28);
    EXPECT_EQ(answer_query(p, dns, "v4only.example.", "10.0.0.98", nullptr), 0) << "one query";
    p.pump();
    EXPECT_EQ(mnet_getaddrinfo(p.a, "v4only.example", nullptr, &six, &list), EAI_NONAME);

    // AF_UNSPEC for that name: its A record, even though AAAA found nothing.
    ASSERT_EQ(mnet_getaddrinfo(p.a, "v4only.example", nullptr, &stream, &list), EAI_AGAIN);
    p.pump();
    while (answer_query(p, dns, "v4only.example.", "10.0.0.98", nullptr) != 0) {
    }
    p.pump();
    ASSERT_EQ(mnet_getaddrinfo(p.a, "v4only.example", nullptr, &stream, &list), 0);
    EXPECT_EQ(addresses_of(list), std::vector<std::string>{"10.0.0.98"});
    mnet_freeaddrinfo(list);

    // Numeric IPv6: no lookup; of the wrong family for AF_INET.
    ASSERT_EQ(mnet_getaddrinfo(p.a, "2001:db8::5", "53", &stream, &list), 0);
    EXPECT_EQ(addresses_of(list), std::vector<std::string>{"2001:db8::5"});
    mnet_freeaddrinfo(list);
    const addrinfo four{.ai_flags = 0, .ai_family = AF_INET};
    EXPECT_EQ(mnet_getaddrinfo(p.a, "2001:db8::5", nullptr, &four, &list), EAI_ADDRFAMILY);
    EXPECT_EQ(mnet_getaddrinfo(p.a, "10.1.2.3", nullptr, &six, &list), EAI_ADDRFAMILY);
    // No node: the loopback addresses, ::1 first; passive, the wildcards.
    ASSERT_EQ(mnet_getaddrinfo(p.a, nullptr, "7", &stream, &list), 0);
    EXPECT_EQ(addresses_of(list), (std::vector<std::string>{"::1", "127.0.0.1"}));
    mnet_freeaddrinfo(list);
}

// A host without IPv6 with AI_ADDRCONFIG (as NULL hints imply, as glibc has
// it) asks only for A records.
TEST(CApiIpv6, GetaddrinfoOnAnIpv4OnlyHostAsksOnlyA) {
    Pair p;
    const int dns = mnet_socket(p.b, AF_INET6, SOCK_DGRAM, 0);
    const sockaddr_in6 port53 = address6("::", 53);
    ASSERT_EQ(mnet_bind(p.b, dns, sa(port53), sizeof port53), 0);
    ASSERT_EQ(mnet_host_add_nameserver(p.a, "10.0.0.2"), 0);
    addrinfo* list = nullptr;
    ASSERT_EQ(mnet_getaddrinfo(p.a, "www.example", nullptr, nullptr, &list), EAI_AGAIN);
    p.pump();
    EXPECT_EQ(answer_query(p, dns, "www.example.", "10.0.0.99", "2001:db8::99"), 1);
    EXPECT_EQ(answer_query(p, dns, "www.example.", "10.0.0.99", "2001:db8::99"), 0);
    p.pump();
    ASSERT_EQ(mnet_getaddrinfo(p.a, "www.example", nullptr, nullptr, &list), 0);
    EXPECT_EQ(addresses_of(list), (std::vector<std::string>{"10.0.0.99", "10.0.0.99"}))
        << "stream and datagram";
    mnet_freeaddrinfo(list);
}
