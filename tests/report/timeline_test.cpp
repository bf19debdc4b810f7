// The timeline is a sink of typed events: these hand it events as the
// network's taps would and look at the lines it makes.
#include "report/timeline.hpp"

#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "sim/network.hpp"
#include "sim/simulator.hpp"
#include "sim/topology.hpp"
#include "testing/data.hpp"
#include "testing/frames.hpp"

namespace {

using base::Time;
using report::Layer;
using report::Timeline;
using report::TimelineLine;
using tcp::Reason;
using wire::Ipv4Address;
using wire::TcpFlags;

// Nodes: a = 0, b = 1, client = 2 (hosts first), r1 = 3; links a-r1 = 0,
// r1-b = 1, client-r1 = 2.
constexpr const char* topology = R"(
hosts: {a: {}, b: {}, client: {}}
routers: {r1: {}}
links:
  - {ends: [a, r1], addresses: [10.0.0.1/24, 10.0.0.254/24]}
  - {ends: [r1, b], addresses: [10.0.1.254/24, 10.0.1.2/24]}
  - {ends: [client, r1], addresses: [100.100.100.1/24, 100.100.100.254/24]}
)";
constexpr sim::NodeIndex a = 0, b = 1, client = 2, r1 = 3;

const Ipv4Address a_address{10, 0, 0, 1};
const Ipv4Address b_address{10, 0, 0, 2};
const tcp::Tuple client_side{a_address, 40000, b_address, 80};
const tcp::Tuple server_side{b_address, 80, a_address, 40000};

Time ms(int64_t n) {
    return Time::zero() + base::Duration::milliseconds(n);
}

struct Recorder {
    Recorder(bool every_line = false)
        : sim(base::Seed{1}),
          net(std::move(
              *sim::Network::build(sim, *sim::parse_topology(topology, "timeline.yaml")))),
          timeline(
              *net, [this](const TimelineLine& l) { lines.push_back(l); }, every_line) {}

    // A segment `node` sent (or received) on connection `c`.
    void segment(int64_t t, sim::NodeIndex node, const tcp::Tuple& c, Reason why, uint16_t flags,
                 uint32_t seq, uint32_t ack, const std::string& data = {}, bool sent = true) {
        payloads.push_back(std::make_unique<std::string>(data));
        const std::string& kept = *payloads.back();
        const wire::TcpRepr seg{.src_port = c.local_port,
                                .dst_port = c.remote_port,
                                .seq = wire::SeqNum{seq},
                                .ack = wire::SeqNum{ack},
                                .flags = TcpFlags{flags},
                                .window = 65535,
                                .payload = base::as_bytes(kept)};
        timeline.event(sim::ev::TcpSegment{ms(t), node, c, sent, &seg, why});
    }

    sim::Simulator sim;
    std::unique_ptr<sim::Network> net;
    std::vector<TimelineLine> lines;
    std::vector<std::unique_ptr<std::string>> payloads;
    Timeline timeline;
};

TEST(Timeline, HandshakeWithRelativeNumbersAndItsTime) {
    Recorder r;
    r.segment(0, a, client_side, Reason::syn, TcpFlags::syn, 5000, 0);
    r.segment(10, b, server_side, Reason::syn_ack, TcpFlags::syn | TcpFlags::ack, 900, 5001);
    r.timeline.event(
        sim::ev::TcpState{ms(20), a, client_side, tcp::State::syn_sent, tcp::State::established});
    r.segment(20, a, client_side, Reason::ack, TcpFlags::ack, 5001, 901);
    r.segment(20, a, client_side, Reason::new_data, TcpFlags::psh | TcpFlags::ack, 5001, 901,
              "Hello!");
    ASSERT_EQ(r.lines.size(), 5u);
    EXPECT_EQ(r.lines[0].text, "SYN -> 10.0.0.2:80 seq=0 (3-way handshake 1/3)");
    EXPECT_EQ(r.lines[1].text, "SYN+ACK -> 10.0.0.1:40000 seq=0 ack=1 (3-way handshake 2/3)");
    EXPECT_EQ(r.lines[2].text, "connected to 10.0.0.2:80 (handshake 20.0 ms)");
    EXPECT_EQ(r.lines[3].text, "ACK -> 10.0.0.2:80 ack=1 (3-way handshake 3/3)");
    EXPECT_EQ(r.lines[4].text, R"(data 6 bytes "Hello!" -> 10.0.0.2:80 seq=1 ack=1)");
    EXPECT_EQ(r.lines[0].node, "a");
    EXPECT_EQ(r.lines[1].node, "b");
    ASSERT_EQ(r.timeline.summary().connections.size(), 1u);
    EXPECT_EQ(r.timeline.summary().connections[0].handshake, base::Duration::milliseconds(20));
}

TEST(Timeline, LossesAndRetransmissionsStandOutAndAreCounted) {
    Recorder r;
    r.segment(0, a, client_side, Reason::syn, TcpFlags::syn, 1, 0);
    const auto syn = testing_support::tcp_frame({.src = a_address, .dst = b_address},
                                                {.src_port = 40000,
                                                 .dst_port = 80,
                                                 .seq = wire::SeqNum{1},
                                                 .flags = TcpFlags{TcpFlags::syn}});
    // Lost on a-r1 on its way from a (direction 0).
    r.timeline.event(sim::ev::LinkDropped{ms(1), 0, 0, stack::DropReason::loss, syn});
    r.segment(1000, a, client_side, Reason::syn, TcpFlags::syn, 1, 0);
    ASSERT_EQ(r.lines.size(), 3u);
    EXPECT_EQ(r.lines[1].layer, Layer::link);
    EXPECT_EQ(r.lines[1].node, "a");
    EXPECT_TRUE(r.lines[1].notable);
    EXPECT_EQ(r.lines[1].text, "TCP 10.0.0.1:40000 -> 10.0.0.2:80 [SYN] lost on link a-r1");
    EXPECT_TRUE(r.lines[2].notable);
    EXPECT_EQ(r.timeline.summary().lost, 1u);
    EXPECT_EQ(r.timeline.summary().retransmitted, 1u);
}

TEST(Timeline, ALongRunOfRoutineSegmentsIsCounted) {
    Recorder r;
    r.segment(0, b, server_side, Reason::syn_ack, TcpFlags::syn | TcpFlags::ack, 1, 1);
    for (uint32_t i = 0; i < 20; ++i)
        r.segment(1 + i, b, server_side, Reason::new_data, TcpFlags::ack, 2 + i * 100, 1,
                  std::string(100, 'x'));
    r.segment(30, a, client_side, Reason::duplicate_ack, TcpFlags::ack, 1, 502);
    // The SYN+ACK, six data lines, the count of the other fourteen, the
    // duplicate ACK.
    ASSERT_EQ(r.lines.size(), 9u);
    EXPECT_EQ(r.lines[7].text,
              "… 14 more routine lines until here (segments in order, packets into a crashed "
              "node); --all shows every one");
    EXPECT_EQ(r.lines[7].time, ms(20));
    EXPECT_EQ(r.lines[8].text, "duplicate ACK -> 10.0.0.2:80 ack=501: asks again from byte 501");

    Recorder all(true);
    for (uint32_t i = 0; i < 20; ++i)
        all.segment(i, b, server_side, Reason::new_data, TcpFlags::ack, i, 1, "y");
    EXPECT_EQ(all.lines.size(), 20u);
}

TEST(Timeline, DnsMessagesAreDecoded) {
    Recorder r;
    // A query for kiminje.shop. A, as a stub sends it.
    const auto query = testing_support::from_hex(
        "47c201000001000000000001076b696d696e6a650473686f70000001000100002904d0000000000000");
    const auto frame = testing_support::udp_frame(
        {.src = Ipv4Address{100, 100, 100, 1}, .dst = Ipv4Address{10, 53, 0, 53}}, 5000, 53, query);
    r.timeline.event(sim::ev::FrameSent{ms(0), client, 0, frame});
    r.timeline.event(sim::ev::FrameSent{ms(1), r1, 2, frame});
    ASSERT_EQ(r.lines.size(), 1u) << "a router's sends are not conversation";
    EXPECT_EQ(r.lines[0].layer, Layer::dns);
    EXPECT_EQ(r.lines[0].text, "query kiminje.shop. A -> 10.53.0.53:53");
    EXPECT_EQ(r.timeline.summary().packets, 1u);
}

TEST(Timeline, ForgetsAClosedConnectionSoALongRunStaysSmall) {
    Recorder r;
    r.segment(0, a, client_side, Reason::syn, TcpFlags::syn, 1, 0);
    r.timeline.event(
        sim::ev::TcpState{ms(1), a, client_side, tcp::State::syn_sent, tcp::State::established});
    r.timeline.event(
        sim::ev::TcpState{ms(2), a, client_side, tcp::State::established, tcp::State::closed});
    // The same four-tuple opened again later is a new connection, not a
    // retransmitted SYN.
    r.segment(100, a, client_side, Reason::syn, TcpFlags::syn, 7, 0);
    EXPECT_EQ(r.lines.back().text, "SYN -> 10.0.0.2:80 seq=0 (3-way handshake 1/3)");
    EXPECT_EQ(r.timeline.summary().retransmitted, 0u);
}

}  // namespace
