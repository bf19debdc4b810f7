// UDP and TCP over IPv6 through stack::Host: the transports IPv4 has, with
// IPv6's addresses, pseudo-header (RFC 8200 §8.1), hop limit, ICMPv6 errors
// (RFC 4443) and path MTU (RFC 8201); and dual-stack bindings, where one
// socket on :: takes both families.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "stack/tcp.hpp"
#include "stack/udp.hpp"
#include "testing/printers.hpp"
#include "testing/wires.hpp"
#include "wire/ethernet.hpp"
#include "wire/ipv6.hpp"
#include "wire/tcp.hpp"

namespace {

using base::Duration;
using base::Time;
using stack::Endpoint;
using stack::Host;
using stack::SocketError;
using stack::SocketId;
using testing_support::Wires;
using wire::Ipv4Address;
using wire::Ipv6Address;
using namespace base::literals;

Ipv6Address addr(std::string_view text) {
    return Ipv6Address::parse(text).value();
}

const Ipv6Address net_ab = addr("2001:db8:1::");
const Ipv6Address net_bc = addr("2001:db8:2::");
const Ipv6Address any6{};

// The IPv6 packets among the frames `from` sent, with next header `upper`
// (right after the fixed header: these tests send no extension headers
// unless fragmenting).
std::vector<std::vector<std::byte>> packets6(const Wires& w, const Host& from, uint8_t upper) {
    std::vector<std::vector<std::byte>> out;
    for (const auto& r : w.sent) {
        if (r.from != &from) continue;
        auto eth = wire::EthernetView::parse(r.frame);
        if (!eth || eth->ethertype() != wire::EtherType::ipv6) continue;
        auto ip = wire::Ipv6View::parse(eth->payload());
        if (!ip || ip->next_header() != upper) continue;
        out.emplace_back(ip->bytes().begin(), ip->bytes().end());
    }
    return out;
}

// The ICMPv6 messages of `type` among them (neighbour discovery aside).
std::vector<std::vector<std::byte>> icmpv6(const Wires& w, const Host& from, uint8_t type) {
    auto all = packets6(w, from, 58);
    std::erase_if(all, [&](const auto& p) { return p.size() <= 40 || p[40] != std::byte{type}; });
    return all;
}

// RFC 8200 §8.1's checksum, summed here from its definition: the
// pseudo-header (source, destination, upper-layer length, next header) and
// the upper-layer bytes with their checksum field; a right one sums to 0xffff.
uint16_t ones_complement_sum(const std::vector<std::byte>& packet) {
    uint32_t sum = 0;
    auto add16 = [&](size_t at, const std::vector<std::byte>& b) {
        const auto hi = static_cast<uint32_t>(b[at]);
        const uint32_t lo = at + 1 < b.size() ? static_cast<uint32_t>(b[at + 1]) : 0;
        sum += hi << 8 | lo;
    };
    for (size_t at = 8; at < 40; at += 2)  // source and destination
        add16(at, packet);
    const size_t length = packet.size() - 40;
    sum += static_cast<uint32_t>(length >> 16) + static_cast<uint32_t>(length & 0xffff);
    sum += static_cast<uint32_t>(packet[6]);  // next header
    for (size_t at = 40; at < packet.size(); at += 2)
        add16(at, packet);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(sum);
}

std::string text(const stack::Datagram& d) {
    return std::string(base::as_chars(d.payload.bytes()));
}

// Two hosts on one link, IPv6 only, their addresses past detection.
struct Link6 {
    Wires w;
    Host& a = w.add("a");
    Host& b = w.add("b");
    Time now = Time::zero();
    explicit Link6(uint16_t mtu = 1500) {
        w.join6(a, b, net_ab, mtu);
        run(2_s);
    }
    Ipv6Address ip_a() const { return Wires::with(net_ab, 1); }
    Ipv6Address ip_b() const { return Wires::with(net_ab, 2); }
    void run(Duration d) {
        w.run(now, now + d);
        now = now + d;
    }
};

TEST(UdpOverIpv6, ADatagramTravelsWithItsAddressesAndAChecksumOverThePseudoHeader) {
    Link6 n;
    stack::Udp ua(n.a), ub(n.b);
    const SocketId server = ub.open();
    ASSERT_TRUE(ub.bind(server, {any6, 5353}));
    const SocketId client = ua.open();
    ASSERT_TRUE(ua.send_to(client, {n.ip_b(), 5353}, base::as_bytes("Hello!"), n.now));
    n.run(10_ms);
    const auto d = ub.receive(server);
    ASSERT_TRUE(d);
    EXPECT_EQ(text(*d), "Hello!");
    EXPECT_EQ(d->from.address, wire::IpAddress{n.ip_a()});
    EXPECT_GE(d->from.port, 49152);
    EXPECT_EQ(d->to, (Endpoint{n.ip_b(), 5353}));
    EXPECT_EQ(d->ttl, 64) << "the hop limit it came with";
    EXPECT_TRUE(ua.local_endpoint(client)->address.is_v6()) << "bound to :: for an IPv6 peer";

    const auto sent = packets6(n.w, n.a, 17);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].size(), 40u + 8u + 6u);
    EXPECT_NE(sent[0][46] | sent[0][47], std::byte{0}) << "IPv6 has no 'no checksum'";
    EXPECT_EQ(ones_complement_sum(sent[0]), 0xffff);

    // The answer goes back the same way.
    ASSERT_TRUE(ub.send_to(server, d->from, base::as_bytes("Hi!"), n.now));
    n.run(10_ms);
    const auto back = ua.receive(client);
    ASSERT_TRUE(back);
    EXPECT_EQ(text(*back), "Hi!");
    EXPECT_EQ(back->from, (Endpoint{n.ip_b(), 5353}));
}

TEST(UdpOverIpv6, AZeroChecksumIsRefused) {
    Link6 n;
    stack::Udp ua(n.a), ub(n.b);
    const SocketId server = ub.open();
    ASSERT_TRUE(ub.bind(server, {any6, 5353}));
    n.w.tamper = [](std::vector<std::byte>& f) {
        // Ethernet 14 + IPv6 40 + the UDP checksum's offset 6.
        if (f.size() > 62 && f[12] == std::byte{0x86} && f[20] == std::byte{17})
            f[60] = f[61] = std::byte{0};
        return true;
    };
    ASSERT_TRUE(ua.send_to(ua.open(), {n.ip_b(), 5353}, base::as_bytes("no sum"), n.now));
    n.run(10_ms);
    EXPECT_FALSE(ub.receive(server));
    EXPECT_EQ(ub.stats().bad_checksum, 1u);
}

TEST(UdpOverIpv6, AClosedPortAnswersWithPortUnreachableAndTheSenderHearsRefused) {
    Link6 n;
    stack::Udp ua(n.a), ub(n.b);
    const SocketId client = ua.open();
    ASSERT_TRUE(ua.connect(client, {n.ip_b(), 9}));
    ASSERT_TRUE(ua.send(client, base::as_bytes("anyone?"), n.now));
    n.run(10_ms);
    EXPECT_EQ(ub.stats().no_port, 1u);
    const auto errors = icmpv6(n.w, n.b, 1);  // destination unreachable
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0][41], std::byte{4}) << "port unreachable";
    // The quote starts with the packet a sent: its fixed header, then UDP.
    EXPECT_TRUE(std::equal(errors[0].begin() + 48, errors[0].begin() + 48 + 40,
                           packets6(n.w, n.a, 17)[0].begin()));
    EXPECT_TRUE(ua.readable(client));
    EXPECT_EQ(ua.take_error(client), SocketError::connection_refused);
}

TEST(UdpOverIpv6, ADatagramBiggerThanTheLinkGoesInFragmentsAndArrivesWhole) {
    Link6 n;
    stack::Udp ua(n.a), ub(n.b);
    const SocketId server = ub.open();
    ASSERT_TRUE(ub.bind(server, {any6, 7}));
    std::string big(4000, 'x');
    for (size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<char>('a' + i % 26);
    ASSERT_TRUE(ua.send_to(ua.open(), {n.ip_b(), 7}, base::as_bytes(big), n.now));
    n.run(10_ms);
    const auto d = ub.receive(server);
    ASSERT_TRUE(d);
    EXPECT_EQ(text(*d), big);
    EXPECT_EQ(packets6(n.w, n.a, 44).size(), 3u) << "three fragments of at most 1500 bytes";
    EXPECT_EQ(n.b.stats().datagrams_reassembled, 1u);
}

TEST(UdpOverIpv6, AnIpv4SocketCannotTalkToAnIpv6Peer) {
    Wires w;
    Host& a = w.add("a");
    Host& b = w.add("b");
    w.join_dual(a, b, 0x0a000000, net_ab);
    stack::Udp ua(a);
    const SocketId s = ua.open();
    ASSERT_TRUE(ua.bind(s, {Ipv4Address::any(), 0}));
    const Endpoint peer{Wires::with(net_ab, 2), 7};
    EXPECT_EQ(ua.send_to(s, peer, base::as_bytes("x"), Time::zero()).error(),
              SocketError::invalid_argument);
    EXPECT_EQ(ua.connect(s, peer).error(), SocketError::invalid_argument);
}

// Linux's IPV6_V6ONLY: off, a binding on :: takes IPv4 too (and holds the
// port for it); on, each family has its own.
TEST(DualStack, ABindingOnAnyV6TakesIpv4TooUnlessV6Only) {
    Wires w;
    Host& a = w.add("a");
    Host& b = w.add("b");
    w.join_dual(a, b, 0x0a000000, net_ab);
    Time now = Time::zero();
    w.run(now, now + 2_s);
    now = now + 2_s;
    stack::Udp ua(a), ub(b);
    const Ipv4Address b4{10, 0, 0, 2};
    const Ipv6Address b6 = Wires::with(net_ab, 2);

    const SocketId dual = ub.open();
    ASSERT_TRUE(ub.bind(dual, {any6, 53}, false, /*dual_stack=*/true));
    EXPECT_EQ(ub.bind(ub.open(), {Ipv4Address::any(), 53}).error(), SocketError::address_in_use)
        << "the dual binding holds IPv4's port 53 too";
    const SocketId client = ua.open();
    ASSERT_TRUE(ua.send_to(client, {b4, 53}, base::as_bytes("four"), now));
    ASSERT_TRUE(ua.send_to(ua.open(), {b6, 53}, base::as_bytes("six"), now));
    w.run(now, now + 10_ms);
    now = now + 10_ms;
    auto first = ub.receive(dual), second = ub.receive(dual);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(text(*first), "four");
    EXPECT_EQ(first->from.address, (wire::IpAddress{Ipv4Address{10, 0, 0, 1}}))
        << "IPv4 as IPv4; the socket layer shows it mapped";
    EXPECT_EQ(text(*second), "six");
    ub.close(dual);

    const SocketId only6 = ub.open(), only4 = ub.open();
    ASSERT_TRUE(ub.bind(only6, {any6, 53}));
    ASSERT_TRUE(ub.bind(only4, {Ipv4Address::any(), 53})) << "V6ONLY: the families are apart";
    ASSERT_TRUE(ua.send_to(client, {b4, 53}, base::as_bytes("four"), now));
    ASSERT_TRUE(ua.send_to(ua.open(), {b6, 53}, base::as_bytes("six"), now));
    w.run(now, now + 10_ms);
    const auto to4 = ub.receive(only4), to6 = ub.receive(only6);
    ASSERT_TRUE(to4 && to6);
    EXPECT_EQ(text(*to4), "four");
    EXPECT_EQ(text(*to6), "six");
    EXPECT_FALSE(ub.receive(only4));
    EXPECT_FALSE(ub.receive(only6));
}

// The TCP segments among the IPv6 packets `from` sent.
std::vector<wire::TcpRepr> segments6(const Wires& w, const Host& from) {
    std::vector<wire::TcpRepr> out;
    for (const auto& p : packets6(w, from, 6)) {
        auto ip = wire::Ipv6View::parse(p);
        auto view = wire::TcpView::parse(ip->payload());
        if (!view) continue;
        auto seg = wire::TcpRepr::parse(*view, ip->src(), ip->dst());
        if (!seg) continue;
        seg->payload = {};
        out.push_back(*seg);
    }
    return out;
}

std::vector<std::byte> pattern(size_t n) {
    std::vector<std::byte> data(n);
    for (size_t i = 0; i < n; ++i)
        data[i] = std::byte{static_cast<uint8_t>(i * 7 + i / 251)};
    return data;
}

// Sends `data` from `c` on `client` to what `server` accepted on `l`, and
// reads it all; returns what arrived.
std::vector<std::byte> transfer(stack::Tcp& client, SocketId c, stack::Tcp& server, SocketId s,
                                const std::vector<std::byte>& data, Wires& w, Time& now) {
    std::vector<std::byte> got;
    size_t sent = 0;
    std::array<std::byte, 16384> buffer{};
    for (int step = 0; step < 20'000 && got.size() < data.size(); ++step) {
        if (sent < data.size()) sent += client.send(c, base::ByteSpan{data}.subspan(sent), now);
        w.run(now, now + 1_ms);
        now = now + 1_ms;
        while (const size_t n = server.receive(s, buffer, now))
            got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(n));
    }
    return got;
}

TEST(TcpOverIpv6, ConnectsCarriesDataInOrderAndCloses) {
    Link6 n;
    stack::Tcp client(n.a), server(n.b);
    const auto l = server.listen({any6, 80});
    ASSERT_TRUE(l);
    const SocketId c = *client.connect({n.ip_b(), 80}, n.now);
    n.run(10_ms);
    const auto s = server.accept(*l);
    ASSERT_TRUE(s);
    EXPECT_EQ(client.connection(c)->state(), tcp::State::established);
    const tcp::Tuple t = client.connection(c)->tuple();
    EXPECT_EQ(t.local_address, wire::IpAddress{n.ip_a()});
    EXPECT_EQ(t.remote_address, wire::IpAddress{n.ip_b()});
    const auto syns = segments6(n.w, n.a);
    ASSERT_FALSE(syns.empty());
    EXPECT_EQ(syns[0].mss, 1500 - 40 - 20) << "the MTU less IPv6's and TCP's headers";
    EXPECT_EQ(segments6(n.w, n.b)[0].mss, 1440);

    const auto data = pattern(200'000);
    EXPECT_EQ(transfer(client, c, server, *s, data, n.w, n.now), data);
    for (const auto& p : packets6(n.w, n.a, 6))
        EXPECT_EQ(ones_complement_sum(p), 0xffff);

    client.shutdown(c, n.now);
    n.run(10_ms);
    EXPECT_EQ(server.connection(*s)->state(), tcp::State::close_wait);
    server.shutdown(*s, n.now);
    n.run(10_ms);
    EXPECT_EQ(client.connection(c)->state(), tcp::State::time_wait) << "it closed first";
    EXPECT_EQ(server.connection(*s)->state(), tcp::State::closed);
}

TEST(TcpOverIpv6, AClosedPortAnswersWithRstAndTheConnectionIsRefused) {
    Link6 n;
    stack::Tcp client(n.a), server(n.b);
    const SocketId c = *client.connect({n.ip_b(), 81}, n.now);
    n.run(10_ms);
    EXPECT_EQ(client.connection(c)->error(), tcp::Error::refused);
    EXPECT_EQ(server.stats().resets_sent, 1u);
}

// Past a full backlog a listener answers with cookies (hashed over IPv6's
// longer addresses), and the clients still get in.
TEST(TcpOverIpv6, SynCookiesWorkOverIpv6) {
    Link6 n;
    stack::Tcp client(n.a), server(n.b);
    const auto l = server.listen({any6, 80}, 1);
    std::vector<SocketId> ids;
    for (int i = 0; i < 4; ++i)
        ids.push_back(*client.connect({n.ip_b(), 80}, n.now));
    n.run(100_ms);
    EXPECT_GE(server.stats().syn_cookies_sent, 1u);
    EXPECT_EQ(server.stats().syn_cookies_rejected, 0u);
    int accepted = 0;
    while (server.accept(*l))
        ++accepted;
    EXPECT_GE(accepted, 1);
    int established = 0;
    for (SocketId id : ids)
        established += client.connection(id)->state() == tcp::State::established;
    EXPECT_EQ(established, 4);
}

// a — r1 — r2 — c with 1280 bytes between the routers: r1 says packet too
// big (routers never fragment IPv6), a's TCP lowers its MSS from the 1440
// both ends offered to 1280 - 60, and the data all arrives.
TEST(TcpOverIpv6, PacketTooBigLowersTheMssAndTheTransferCompletes) {
    const Ipv6Address net_cd = addr("2001:db8:3::");
    Wires w;
    Host& a = w.add("a");
    Host& r1 = w.add("r1", true);
    Host& r2 = w.add("r2", true);
    Host& c = w.add("c");
    w.join6(a, r1, net_ab);
    w.join6(r1, r2, net_bc, 1280);
    w.join6(r2, c, net_cd);
    a.routes6().add({.destination = {Ipv6Address::any(), 0}, .gateway = Wires::with(net_ab, 2)});
    r1.routes6().add(
        {.destination = {net_cd, 64}, .gateway = Wires::with(net_bc, 2), .interface = 1});
    r2.routes6().add(
        {.destination = {net_ab, 64}, .gateway = Wires::with(net_bc, 1), .interface = 0});
    c.routes6().add({.destination = {Ipv6Address::any(), 0},
                     .gateway = Wires::with(net_cd, 1),
                     .interface = 0});
    Time now = Time::zero();
    w.run(now, now + 2_s);
    now = now + 2_s;
    stack::Tcp ta(a), tc(c);
    const auto l = tc.listen({any6, 80});
    const Ipv6Address ip_c = Wires::with(net_cd, 2);
    const SocketId conn = *ta.connect({ip_c, 80}, now);
    w.run(now, now + 10_ms);
    now = now + 10_ms;
    const auto s = tc.accept(*l);
    ASSERT_TRUE(s);
    EXPECT_EQ(segments6(w, c)[0].mss, 1440);

    const auto data = pattern(100'000);
    EXPECT_EQ(transfer(ta, conn, tc, *s, data, w, now), data);
    EXPECT_EQ(a.path_mtu(ip_c, now), 1280);
    const auto too_big = icmpv6(w, r1, 2);
    ASSERT_FALSE(too_big.empty()) << "packet too big";
    EXPECT_EQ(base::load_be32(too_big[0], 44), 1280u) << "with the next link's MTU";
    // Full-sized segments went out until the first packet too big came back;
    // none after it.
    const auto sent = packets6(w, a, 6);
    const auto last_big =
        std::find_if(sent.rbegin(), sent.rend(), [](const auto& p) { return p.size() > 1280; });
    ASSERT_NE(last_big, sent.rend()) << "the first data segments were full-sized";
    EXPECT_LT(sent.rend() - last_big, 40) << "and only those before the news";
    EXPECT_GT(sent.size(), 80u);
    EXPECT_EQ(packets6(w, a, 44).size(), 0u) << "TCP never fragments";
}

}  // namespace
