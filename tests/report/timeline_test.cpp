// The timeline reads events as the event log writes them: these feed it such
// events by hand and look at the lines it makes.
#include "report/timeline.hpp"

#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace {

using base::Time;
using report::Layer;
using report::Timeline;
using report::TimelineLine;

struct Recorder {
    std::vector<TimelineLine> lines;
    Timeline timeline{{"r1"}, [this](const TimelineLine& l) { lines.push_back(l); }};
};

Time ms(int64_t n) {
    return Time::zero() + base::Duration::milliseconds(n);
}

std::string segment(const char* conn, const char* why, const char* flags, uint32_t seq,
                    uint32_t ack, size_t len, const char* data = nullptr) {
    return fmt::format(
        R"("conn":"{}","why":"{}","flags":"{}","seq":{},"ack":{},"len":{},"win":65535{})", conn,
        why, flags, seq, ack, len, data ? fmt::format(R"(,"data":"{}")", data) : std::string());
}

constexpr const char* client_side = "10.0.0.1:40000-10.0.0.2:80";
constexpr const char* server_side = "10.0.0.2:80-10.0.0.1:40000";

TEST(Timeline, HandshakeWithRelativeNumbersAndItsTime) {
    Recorder r;
    r.timeline.event(ms(0), "a", "tcp_send", segment(client_side, "SYN", "SYN", 5000, 0, 0));
    r.timeline.event(ms(10), "b", "tcp_send",
                     segment(server_side, "SYN+ACK", "SYN, ACK", 900, 5001, 0));
    r.timeline.event(
        ms(20), "a", "tcp_state",
        fmt::format(R"("conn":"{}","from":"SYN-SENT","to":"ESTABLISHED")", client_side));
    r.timeline.event(ms(20), "a", "tcp_send", segment(client_side, "ACK", "ACK", 5001, 901, 0));
    r.timeline.event(ms(20), "a", "tcp_send",
                     segment(client_side, "new data", "PSH, ACK", 5001, 901, 6, "Hello!"));
    ASSERT_EQ(r.lines.size(), 5u);
    EXPECT_EQ(r.lines[0].text, "SYN -> 10.0.0.2:80 seq=0 (3-way handshake 1/3)");
    EXPECT_EQ(r.lines[1].text, "SYN+ACK -> 10.0.0.1:40000 seq=0 ack=1 (3-way handshake 2/3)");
    EXPECT_EQ(r.lines[2].text, "connected to 10.0.0.2:80 (handshake 20.0 ms)");
    EXPECT_EQ(r.lines[3].text, "ACK -> 10.0.0.2:80 ack=1 (3-way handshake 3/3)");
    EXPECT_EQ(r.lines[4].text, R"(data 6 bytes "Hello!" -> 10.0.0.2:80 seq=1 ack=1)");
    ASSERT_EQ(r.timeline.summary().connections.size(), 1u);
    EXPECT_EQ(r.timeline.summary().connections[0].handshake, base::Duration::milliseconds(20));
}

TEST(Timeline, LossesAndRetransmissionsStandOutAndAreCounted) {
    Recorder r;
    r.timeline.event(ms(0), "a", "tcp_send", segment(client_side, "SYN", "SYN", 1, 0, 0));
    r.timeline.event(
        ms(1), "r1", "drop",
        R"("link":"a-r1","reason":"lost","proto":"TCP","src":"10.0.0.1","dst":"10.0.0.2","sport":40000,"dport":80,"flags":"SYN","payload":0)");
    r.timeline.event(ms(1000), "a", "tcp_send", segment(client_side, "SYN", "SYN", 1, 0, 0));
    ASSERT_EQ(r.lines.size(), 3u);
    EXPECT_EQ(r.lines[1].layer, Layer::link);
    EXPECT_TRUE(r.lines[1].notable);
    EXPECT_EQ(r.lines[1].text, "TCP 10.0.0.1:40000 -> 10.0.0.2:80 [SYN] lost on link a-r1");
    EXPECT_TRUE(r.lines[2].notable);
    EXPECT_EQ(r.timeline.summary().lost, 1u);
    EXPECT_EQ(r.timeline.summary().retransmitted, 1u);
}

TEST(Timeline, ALongRunOfRoutineSegmentsIsCounted) {
    Recorder r;
    r.timeline.event(ms(0), "b", "tcp_send", segment(server_side, "SYN+ACK", "SYN, ACK", 1, 1, 0));
    for (uint32_t i = 0; i < 20; ++i) {
        r.timeline.event(ms(1 + i), "b", "tcp_send",
                         segment(server_side, "new data", "ACK", 2 + i * 100, 1, 100));
    }
    r.timeline.event(ms(30), "a", "tcp_send",
                     segment(client_side, "duplicate ACK", "ACK", 1, 502, 0));
    // The SYN+ACK, six data lines, the count of the other fourteen, the
    // duplicate ACK.
    ASSERT_EQ(r.lines.size(), 9u);
    EXPECT_EQ(r.lines[7].text,
              "… 14 more routine lines until here (segments in order, packets into a crashed "
              "node); --all shows every one");
    EXPECT_EQ(r.lines[7].time, ms(20));
    EXPECT_EQ(r.lines[8].text, "duplicate ACK -> 10.0.0.2:80 ack=501: asks again from byte 501");

    Recorder all;
    Timeline every(
        {}, [&](const TimelineLine& l) { all.lines.push_back(l); }, true);
    for (uint32_t i = 0; i < 20; ++i)
        every.event(ms(i), "b", "tcp_send", segment(server_side, "new data", "ACK", i, 1, 1));
    EXPECT_EQ(all.lines.size(), 20u);
}

TEST(Timeline, DnsMessagesAreDecoded) {
    Recorder r;
    // A query for kiminje.shop. A (as a stub sends it), from the event log.
    r.timeline.event(
        ms(0), "client", "send",
        R"("dns_hex":"47c201000001000000000001076b696d696e6a650473686f70000001000100002904d0000000000000","dport":53,"dst":"10.53.0.53","proto":"UDP","sport":5000,"src":"100.100.100.1","payload":41)");
    r.timeline.event(ms(1), "r1", "send",
                     R"("dport":53,"dst":"10.53.0.53","proto":"UDP","sport":5000,"src":"1.2.3.4")");
    ASSERT_EQ(r.lines.size(), 1u) << "a router's sends are not conversation";
    EXPECT_EQ(r.lines[0].layer, Layer::dns);
    EXPECT_EQ(r.lines[0].text, "query kiminje.shop. A -> 10.53.0.53:53");
    EXPECT_EQ(r.timeline.summary().packets, 1u);
}

}  // namespace
