#include "stack/udp.hpp"

#include <gtest/gtest.h>

#include "testing/wires.hpp"
#include "wire/ethernet.hpp"
#include "wire/ipv4.hpp"

namespace {

using stack::Endpoint;
using stack::SocketError;
using stack::Udp;
using testing_support::Recorder;
using testing_support::Wires;
using wire::Ipv4Address;
using namespace base::literals;

const Ipv4Address a_addr{10, 0, 0, 1};
const Ipv4Address b_addr{10, 0, 0, 2};

struct Pair {
    Wires w;
    stack::Host& a = w.add("a");
    stack::Host& b = w.add("b");
    explicit Pair(stack::UdpConfig b_config = {}) : udp_b{b, b_config} { w.join(a, b, 0x0a000000); }
    Udp udp_a{a};
    Udp udp_b;
    base::Time now = base::Time::zero();
    void pump() { w.pump(now); }
};

std::string text(const stack::Datagram& d) {
    return std::string(base::as_chars(d.payload.bytes()));
}

TEST(Udp, DemultiplexesByPort) {
    Pair p;
    const auto game = p.udp_b.open(), video = p.udp_b.open();
    ASSERT_TRUE(p.udp_b.bind(game, {Ipv4Address::any(), 27015}));
    ASSERT_TRUE(p.udp_b.bind(video, {Ipv4Address::any(), 5004}));
    const auto client = p.udp_a.open();
    ASSERT_TRUE(p.udp_a.send_to(client, {b_addr, 27015}, base::as_bytes("move left"), p.now));
    ASSERT_TRUE(p.udp_a.send_to(client, {b_addr, 5004}, base::as_bytes("frame 1"), p.now));
    ASSERT_TRUE(p.udp_a.send_to(client, {b_addr, 27015}, base::as_bytes("jump"), p.now));
    p.pump();
    auto g1 = p.udp_b.receive(game), g2 = p.udp_b.receive(game), v1 = p.udp_b.receive(video);
    ASSERT_TRUE(g1 && g2 && v1);
    EXPECT_EQ(text(*g1), "move left");
    EXPECT_EQ(text(*g2), "jump");
    EXPECT_EQ(text(*v1), "frame 1");
    EXPECT_FALSE(p.udp_b.receive(game));
    EXPECT_FALSE(p.udp_b.receive(video));
    // The sender's ephemeral port and address travel with the datagram.
    EXPECT_EQ(g1->from.address, a_addr);
    EXPECT_EQ(g1->from.port, p.udp_a.local_endpoint(client)->port);  // bound to 0.0.0.0
    EXPECT_GE(g1->from.port, 49152);
    EXPECT_EQ(g1->to, (Endpoint{b_addr, 27015}));
}

TEST(Udp, ConnectedSocketsGetOnlyTheirPeersDatagrams) {
    Pair p;
    const auto listener = p.udp_b.open(), connected = p.udp_b.open();
    ASSERT_TRUE(p.udp_b.bind(listener, {Ipv4Address::any(), 9000}, true));
    ASSERT_TRUE(p.udp_b.bind(connected, {Ipv4Address::any(), 9000}, true));
    const auto x = p.udp_a.open(), y = p.udp_a.open();
    ASSERT_TRUE(p.udp_a.bind(x, {a_addr, 5000}));
    ASSERT_TRUE(p.udp_a.bind(y, {a_addr, 5001}));
    ASSERT_TRUE(p.udp_b.connect(connected, {a_addr, 5000}));
    ASSERT_TRUE(p.udp_a.send_to(x, {b_addr, 9000}, base::as_bytes("from x"), p.now));
    ASSERT_TRUE(p.udp_a.send_to(y, {b_addr, 9000}, base::as_bytes("from y"), p.now));
    p.pump();
    auto c = p.udp_b.receive(connected);
    auto l = p.udp_b.receive(listener);
    ASSERT_TRUE(c && l);
    EXPECT_EQ(text(*c), "from x");
    EXPECT_EQ(text(*l), "from y");
}

TEST(Udp, PortInUseIsAnError) {
    Pair p;
    const auto s1 = p.udp_b.open(), s2 = p.udp_b.open();
    ASSERT_TRUE(p.udp_b.bind(s1, {Ipv4Address::any(), 53}));
    auto again = p.udp_b.bind(s2, {Ipv4Address::any(), 53});
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error(), SocketError::address_in_use);
    EXPECT_EQ(stack::to_string(again.error()), "address already in use");
    EXPECT_FALSE(p.udp_b.bind(s2, {Ipv4Address{10, 9, 9, 9}, 54})) << "not an address of this host";
    p.udp_b.close(s1);
    EXPECT_TRUE(p.udp_b.bind(s2, {Ipv4Address::any(), 53}));
}

TEST(Udp, ClosedPortAnswersWithConnectionRefused) {
    Pair p;
    Recorder drops;
    p.b.set_observer(&drops);
    int woken = 0;
    const auto s = p.udp_a.open();
    p.udp_a.on_readable(s, [&] { ++woken; });
    ASSERT_TRUE(p.udp_a.connect(s, {b_addr, 7777}));
    ASSERT_TRUE(p.udp_a.send(s, base::as_bytes("anyone?"), p.now));
    p.pump();
    EXPECT_EQ(drops.drops[stack::DropReason::port_unreachable], 1);
    EXPECT_EQ(p.udp_b.stats().no_port, 1u);
    EXPECT_EQ(woken, 1);
    EXPECT_TRUE(p.udp_a.readable(s));
    EXPECT_EQ(p.udp_a.take_error(s), SocketError::connection_refused);
    EXPECT_EQ(p.udp_a.take_error(s), std::nullopt) << "reading the error clears it";
}

TEST(Udp, SendErrorsAreValues) {
    Pair p;
    const auto s = p.udp_a.open();
    EXPECT_EQ(p.udp_a.send(s, base::as_bytes("x"), p.now).error(), SocketError::not_connected);
    EXPECT_EQ(
        p.udp_a.send_to(s, {Ipv4Address{192, 0, 2, 1}, 9}, base::as_bytes("x"), p.now).error(),
        SocketError::no_route);
    std::vector<std::byte> huge(65508);
    EXPECT_EQ(p.udp_a.send_to(s, {b_addr, 9}, huge, p.now).error(), SocketError::message_too_long);
    EXPECT_EQ(p.udp_a.send_to(s, {b_addr, 0}, base::as_bytes("x"), p.now).error(),
              SocketError::invalid_argument);
    EXPECT_EQ(p.udp_a.send_to(999, {b_addr, 9}, base::as_bytes("x"), p.now).error(),
              SocketError::invalid_argument);
}

TEST(Udp, DatagramsLargerThanTheMtuAreFragmentedAndArriveWhole) {
    Pair p;
    const auto server = p.udp_b.open();
    ASSERT_TRUE(p.udp_b.bind(server, {Ipv4Address::any(), 4000}));
    std::vector<std::byte> big(8000);
    for (size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<std::byte>(i * 7);
    const auto c = p.udp_a.open();
    ASSERT_TRUE(p.udp_a.send_to(c, {b_addr, 4000}, big, p.now));
    p.pump();
    auto d = p.udp_b.receive(server);
    ASSERT_TRUE(d);
    EXPECT_TRUE(base::equal_bytes(d->payload.bytes(), big));
    EXPECT_EQ(p.a.stats().fragments_sent, 6u);
}

TEST(Udp, CorruptedDatagramIsDroppedByTheChecksumNeverDelivered) {
    Pair p;
    const auto server = p.udp_b.open();
    ASSERT_TRUE(p.udp_b.bind(server, {Ipv4Address::any(), 4000}));
    const auto c = p.udp_a.open();
    // Warm ARP, then flip one bit of the payload of every UDP frame in flight.
    ASSERT_TRUE(p.udp_a.send_to(c, {b_addr, 4000}, base::as_bytes("first"), p.now));
    p.pump();
    ASSERT_TRUE(p.udp_b.receive(server));
    p.w.tamper = [](std::vector<std::byte>& f) {
        if (f.size() > 14 + 20 + 8) f.back() ^= std::byte{0x04};
        return true;
    };
    ASSERT_TRUE(p.udp_a.send_to(c, {b_addr, 4000}, base::as_bytes("damaged"), p.now));
    p.pump();
    EXPECT_FALSE(p.udp_b.receive(server));
    EXPECT_EQ(p.udp_b.stats().bad_checksum, 1u);
}

TEST(Udp, ZeroChecksumMeansNoneAndIsAccepted) {
    Pair p;
    const auto server = p.udp_b.open();
    ASSERT_TRUE(p.udp_b.bind(server, {Ipv4Address::any(), 4000}));
    const auto c = p.udp_a.open();
    p.w.tamper = [](std::vector<std::byte>& f) {
        auto eth = wire::EthernetView::parse(f);
        if (eth && eth->ethertype() == wire::EtherType::ipv4) base::store_be16(f, 14 + 20 + 6, 0);
        return true;
    };
    ASSERT_TRUE(p.udp_a.send_to(c, {b_addr, 4000}, base::as_bytes("unchecked"), p.now));
    p.pump();
    auto d = p.udp_b.receive(server);
    ASSERT_TRUE(d);
    EXPECT_EQ(text(*d), "unchecked");
}

TEST(Udp, ReceiveQueueIsBoundedAndCountsDrops) {
    Pair p({.receive_queue_datagrams = 10});
    Udp& small = p.udp_b;
    const auto server = small.open();
    ASSERT_TRUE(small.bind(server, {Ipv4Address::any(), 4000}));
    const auto c = p.udp_a.open();
    ASSERT_TRUE(p.udp_a.send_to(c, {b_addr, 4000}, base::as_bytes("warm"), p.now));
    p.pump();
    for (int i = 0; i < 25; ++i)
        ASSERT_TRUE(p.udp_a.send_to(c, {b_addr, 4000}, base::as_bytes("x"), p.now));
    p.pump();
    EXPECT_EQ(small.socket_stats(server)->received, 10u);
    EXPECT_EQ(small.socket_stats(server)->dropped_queue_full, 16u);
    int queued = 0;
    while (small.receive(server))
        ++queued;
    EXPECT_EQ(queued, 10);
}

// Found when a test made a second socket runtime on a host that had one: the
// second UDP engine took the host's datagrams and the first one's sockets
// went deaf, silently. Now it stops with a message; removing one engine
// leaves the other in place.
TEST(UdpDeathTest, SecondUdpEngineOnAHostIsAProgrammingError) {
    Wires w;
    stack::Host& h = w.add("a");
    Udp first{h};
    EXPECT_DEATH(Udp second{h}, "host a: a second transport for IP protocol 17");
    {
        stack::Host& other = w.add("b");
        auto engine = std::make_unique<Udp>(other);
        engine.reset();
        Udp again{other};  // the first one removed itself
    }
}

}  // namespace
