// The host's TCP transport through its callback/poll API (no coroutines):
// listeners and their backlog, RST for what belongs to nothing, RFC 6528
// sequence numbers, MSS from the MTU, checksums, resets surfaced.
#include "stack/tcp.hpp"

#include <gtest/gtest.h>

#include "testing/wires.hpp"
#include "wire/ethernet.hpp"
#include "wire/ipv4.hpp"
#include "wire/tcp.hpp"

namespace {

using base::Duration;
using base::Time;
using stack::Endpoint;
using stack::SocketId;
using stack::Tcp;
using testing_support::Wires;
using wire::Ipv4Address;
using wire::TcpFlags;
using namespace base::literals;

const Ipv4Address client_addr{10, 0, 0, 1}, server_addr{10, 0, 0, 2};

// The TCP segments among the frames the wires carried, from `from` on.
std::vector<wire::TcpRepr> segments(const Wires& w, size_t from = 0) {
    std::vector<wire::TcpRepr> out;
    for (size_t i = from; i < w.sent.size(); ++i) {
        auto eth = wire::EthernetView::parse(w.sent[i].frame);
        if (!eth || eth->ethertype() != wire::EtherType::ipv4) continue;
        auto ip = wire::Ipv4View::parse(eth->payload());
        if (!ip || ip->protocol() != wire::IpProtocol::tcp) continue;
        auto tcp = wire::TcpView::parse(ip->payload());
        if (!tcp) continue;
        auto repr = wire::TcpRepr::parse(*tcp, ip->src(), ip->dst());
        if (!repr) continue;
        repr->payload = {};  // borrowed from the record: not kept
        out.push_back(*repr);
    }
    return out;
}

struct Net {
    explicit Net(uint16_t mtu = 1500) { w.join(a, b, 0x0a000000, mtu); }
    Wires w;
    stack::Host& a = w.add("client");
    stack::Host& b = w.add("server");
    Time now = Time::zero();
    void run(Duration d) {
        w.run(now, now + d);
        now = now + d;
    }
};

TEST(TcpTransport, TheBacklogBoundsWhatWaitsAndLaterSynsGetIn) {
    Net n;
    Tcp client(n.a), server(n.b, {.syn_cookies = false});
    auto l = server.listen({Ipv4Address::any(), 80}, 2);
    ASSERT_TRUE(l);
    std::vector<SocketId> ids;
    for (int i = 0; i < 4; ++i)
        ids.push_back(*client.connect({server_addr, 80}, n.now));
    n.run(100_ms);
    EXPECT_EQ(server.stats().listen_overflows, 2u) << "two SYNs beyond the backlog dropped";
    int established = 0;
    for (SocketId id : ids)
        established += client.connection(id)->state() == tcp::State::established;
    EXPECT_EQ(established, 2);
    // Accepting makes room; the dropped SYNs come again after 1 s and get in.
    ASSERT_TRUE(server.accept(*l));
    ASSERT_TRUE(server.accept(*l));
    EXPECT_FALSE(server.accept(*l));
    n.run(2_s);
    established = 0;
    for (SocketId id : ids)
        established += client.connection(id)->state() == tcp::State::established;
    EXPECT_EQ(established, 4);
}

// With SYN cookies (the default) the SYNs beyond the backlog are answered
// with cookies and nothing is kept; a client whose cookie ACK found the
// accept queue full is let in when its data brings the cookie again.
TEST(TcpTransport, SynCookiesLetClientsBeyondTheBacklogIn) {
    Net n;
    Tcp client(n.a), server(n.b);
    auto l = server.listen({Ipv4Address::any(), 80}, 2);
    ASSERT_TRUE(l);
    std::vector<SocketId> ids;
    for (int i = 0; i < 4; ++i)
        ids.push_back(*client.connect({server_addr, 80}, n.now));
    n.run(100_ms);
    EXPECT_EQ(server.stats().syn_cookies_sent, 2u);
    EXPECT_EQ(server.connections(), 2u) << "nothing kept for the cookies";
    for (SocketId id : ids)
        EXPECT_EQ(client.connection(id)->state(), tcp::State::established);
    EXPECT_EQ(server.stats().listen_overflows, 2u) << "their ACKs found the accept queue full";
    // The program accepts; the clients speak, and their segments carry the
    // cookie again.
    std::vector<SocketId> accepted;
    while (auto a = server.accept(*l))
        accepted.push_back(*a);
    EXPECT_EQ(accepted.size(), 2u);
    for (SocketId id : ids)
        client.send(id, base::as_bytes("hi"), n.now);
    n.run(100_ms);
    while (auto a = server.accept(*l))
        accepted.push_back(*a);
    ASSERT_EQ(accepted.size(), 4u);
    EXPECT_EQ(server.stats().syn_cookies_accepted, 2u);
    for (SocketId id : accepted) {
        std::array<std::byte, 8> buf{};
        EXPECT_EQ(server.receive(id, buf, n.now), 2u);
    }
    // Timestamps rode along, so the cookie remembered SACK and window scale.
    const tcp::Info info = server.connection(accepted.back())->info(n.now);
    EXPECT_TRUE(info.sack);
    EXPECT_TRUE(info.timestamps);
    EXPECT_EQ(info.send_window_scale,
              client.connection(ids.back())->info(n.now).receive_window_scale);
}

// An ACK that carries no valid cookie is answered with RST, and opens nothing.
TEST(TcpTransport, AForgedCookieIsRefused) {
    Net n;
    Tcp client(n.a), server(n.b);
    auto l = server.listen({Ipv4Address::any(), 80}, 1);
    ASSERT_TRUE(l);
    (void)client.connect({server_addr, 80}, n.now);
    const SocketId second = *client.connect({server_addr, 80}, n.now);
    n.run(100_ms);
    ASSERT_EQ(server.stats().syn_cookies_sent, 1u);
    // Forge: an ACK from the second client's port with a wrong number.
    const tcp::Tuple t = client.connection(second)->tuple();
    client.abort(second, n.now);  // its RST goes too; count resets below
    n.run(10_ms);
    const auto resets = server.stats().resets_sent;
    wire::TcpRepr forged{.src_port = t.local_port,
                         .dst_port = 80,
                         .seq = wire::SeqNum{12345},
                         .ack = wire::SeqNum{67890},
                         .flags = TcpFlags{TcpFlags::ack},
                         .window = 1000};
    const size_t len = forged.buffer_len();
    base::PacketBuffer p = n.a.pool().acquire(n.a.pool().config().default_headroom, len);
    forged.emit(p.append(len), client_addr, server_addr);
    (void)n.a.send_ip(server_addr, wire::IpProtocol::tcp, std::move(p), n.now, {});
    n.run(10_ms);
    EXPECT_EQ(server.stats().syn_cookies_rejected, 1u);
    EXPECT_EQ(server.stats().resets_sent, resets + 1);
    EXPECT_EQ(server.stats().syn_cookies_accepted, 0u);
    EXPECT_EQ(server.connections(), 1u);
}

// A server that lost its state (a reboot): the client's next segment belongs
// to nothing there, gets an RST, and the client's program hears "reset".
TEST(TcpTransport, ASegmentForNothingGetsRstAndThePeerSeesAReset) {
    Net n;
    Tcp client(n.a);
    auto server = std::make_unique<Tcp>(n.b);
    ASSERT_TRUE(server->listen({Ipv4Address::any(), 80}));
    const SocketId c = *client.connect({server_addr, 80}, n.now);
    n.run(100_ms);
    ASSERT_EQ(client.connection(c)->state(), tcp::State::established);
    bool told = false;
    client.on_event(c, [&] { told = true; });
    server.reset();
    server = std::make_unique<Tcp>(n.b);  // up again, knowing nothing
    const size_t mark = n.w.sent.size();
    EXPECT_EQ(client.send(c, base::as_bytes("are you there?"), n.now), 14u);
    n.run(100_ms);
    const auto segs = segments(n.w, mark);
    ASSERT_EQ(segs.size(), 2u);
    EXPECT_EQ(segs[1].flags.bits(), TcpFlags::rst) << "RST without ACK";
    EXPECT_EQ(segs[1].seq, segs[0].ack) << "its sequence number is the segment's ACK";
    EXPECT_EQ(server->stats().resets_sent, 1u);
    EXPECT_EQ(client.connection(c)->error(), tcp::Error::reset);
    EXPECT_TRUE(told);
}

// RFC 6528: ISN = M + F(4-tuple, secret), M a 4 µs clock. The same 4-tuple a
// second later starts 250,000 further on; another 4-tuple starts elsewhere.
TEST(TcpTransport, InitialSequenceNumbersFollowTheClockPerFourTuple) {
    Net n;
    Tcp client(n.a);
    auto first = *client.connect({server_addr, 80}, n.now, Endpoint{client_addr, 40000});
    auto other = *client.connect({server_addr, 80}, n.now, Endpoint{client_addr, 40001});
    for (SocketId id : {first, other}) {
        client.abort(id, n.now);
        client.release(id, n.now);  // the port is free again
    }
    n.run(1_s);
    ASSERT_TRUE(client.connect({server_addr, 80}, n.now, Endpoint{client_addr, 40000}));
    n.run(1_ms);
    std::map<uint16_t, std::vector<uint32_t>> isns;
    for (const auto& s : segments(n.w)) {
        if (s.flags.has(TcpFlags::syn)) isns[s.src_port].push_back(s.seq.value());
    }
    ASSERT_EQ(isns[40000].size(), 2u);
    ASSERT_EQ(isns[40001].size(), 1u);
    EXPECT_EQ(isns[40000][1] - isns[40000][0], 250'000u);
    const uint32_t apart = isns[40001][0] - isns[40000][0];
    EXPECT_GT(std::min(apart, 0u - apart), 1'000'000u) << "unrelated, not next to each other";
}

TEST(TcpTransport, TheMssOfferedIsTheMtuLessHeaders) {
    Net n(1000);
    Tcp client(n.a), server(n.b);
    ASSERT_TRUE(server.listen({Ipv4Address::any(), 80}));
    (void)client.connect({server_addr, 80}, n.now);
    n.run(100_ms);
    const auto segs = segments(n.w);
    ASSERT_GE(segs.size(), 2u);
    EXPECT_EQ(segs[0].mss, 960) << "SYN";
    EXPECT_EQ(segs[1].mss, 960) << "SYN+ACK";
}

// The host's congestion control is every connection's default (the
// topology's tcp_congestion); TCP_CONGESTION changes one connection's.
TEST(TcpTransport, CongestionControlIsTheHostsDefaultUntilASocketPicksAnother) {
    Net n;
    stack::TcpConfig reno;
    reno.connection.congestion = tcp::CongestionAlgorithm::new_reno;
    Tcp client(n.a, reno), server(n.b);
    const auto listener = server.listen({Ipv4Address::any(), 80});
    ASSERT_TRUE(listener);
    const auto id = client.connect({server_addr, 80}, n.now);
    ASSERT_TRUE(id);
    n.run(100_ms);
    const tcp::Connection* c = client.connection(*id);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->congestion().algorithm(), tcp::CongestionAlgorithm::new_reno);
    const uint32_t cwnd = c->cwnd();
    ASSERT_TRUE(client.set_options(*id, {.congestion = tcp::CongestionAlgorithm::cubic}, n.now));
    EXPECT_EQ(c->congestion().algorithm(), tcp::CongestionAlgorithm::cubic);
    EXPECT_EQ(c->cwnd(), cwnd) << "the window carries over";
    const auto accepted = server.accept(*listener);
    ASSERT_TRUE(accepted);
    EXPECT_EQ(server.connection(*accepted)->congestion().algorithm(),
              tcp::CongestionAlgorithm::cubic)
        << "the other host keeps the default";
    EXPECT_EQ(tcp::Config{}.congestion, tcp::CongestionAlgorithm::cubic) << "Linux's default";
}

// A segment damaged on the way is counted and dropped; TCP sends it again.
TEST(TcpTransport, BadChecksumsAreDroppedAndTheDataComesAgain) {
    Net n;
    Tcp client(n.a), server(n.b);
    auto l = server.listen({Ipv4Address::any(), 80});
    const SocketId c = *client.connect({server_addr, 80}, n.now);
    n.run(100_ms);
    const SocketId s = *server.accept(*l);
    int damaged = 0;
    n.w.tamper = [&](std::vector<std::byte>& f) {
        if (f.size() > 60 && damaged == 0) {  // the first data segment
            f.back() ^= std::byte{0x01};
            ++damaged;
        }
        return true;
    };
    EXPECT_EQ(client.send(c, base::as_bytes("Hello!"), n.now), 6u);
    n.run(3_s);
    EXPECT_EQ(server.stats().bad_checksum, 1u);
    std::array<std::byte, 16> got{};
    EXPECT_EQ(server.receive(s, got, n.now), 6u);
    EXPECT_EQ(base::as_chars(base::ByteSpan(got).first(6)), "Hello!");
}

// Closing a listener resets the connections still waiting to be accepted.
TEST(TcpTransport, ClosingAListenerResetsItsWaitingConnections) {
    Net n;
    Tcp client(n.a), server(n.b);
    auto l = server.listen({Ipv4Address::any(), 80});
    const SocketId c = *client.connect({server_addr, 80}, n.now);
    n.run(100_ms);
    ASSERT_EQ(client.connection(c)->state(), tcp::State::established);
    server.release(*l, n.now);
    n.run(100_ms);
    EXPECT_EQ(client.connection(c)->error(), tcp::Error::reset);
    EXPECT_EQ(server.connections(), 0u);
}

}  // namespace
