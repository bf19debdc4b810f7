// The sender's scoreboard: pipe accounting, SACK marking, D-SACK, and RACK's
// loss detection in time (RFC 8985).
#include "tcp/scoreboard.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace {

using base::Duration;
using base::Time;
using tcp::Scoreboard;
using wire::SeqNum;
using wire::TcpSackBlock;
using namespace base::literals;

constexpr uint32_t seg = 1000;
const std::optional<Duration> srtt = 40_ms;

// Segments of 1000 octets from sequence number 1, all sent at `at`.
void send(Scoreboard& b, int count, Time at, uint32_t first = 1) {
    for (int i = 0; i < count; ++i)
        b.sent(SeqNum{first + i * seg}, seg, false, false, at);
}

SeqNum at(int segment) {
    return SeqNum{1 + static_cast<uint32_t>(segment) * seg};
}

TEST(Scoreboard, PipeCountsWhatIsNeitherSackedNorLost) {
    Scoreboard b;
    send(b, 5, Time::zero());
    EXPECT_EQ(b.pipe(), 5 * seg);
    const std::vector<TcpSackBlock> sack{{at(2), at(4)}};
    const auto o = b.on_ack(at(0), sack, std::nullopt, Time::zero() + 40_ms);
    EXPECT_TRUE(o.delivered);
    EXPECT_FALSE(o.dsack);
    EXPECT_EQ(b.sacked_bytes(), 2 * seg);
    EXPECT_EQ(b.pipe(), 3 * seg);
    b.mark_first_lost();
    EXPECT_EQ(b.pipe(), 2 * seg) << "a lost segment has left the network";
    ASSERT_NE(b.first_lost(), nullptr);
    EXPECT_EQ(b.first_lost()->seq, at(0));
    b.resent(*b.first_lost(), Time::zero() + 41_ms);
    EXPECT_EQ(b.pipe(), 3 * seg) << "sent again: back in the pipe";
    b.on_ack(at(4), {}, std::nullopt, Time::zero() + 80_ms);
    EXPECT_EQ(b.size(), 1u);
    EXPECT_EQ(b.pipe(), seg);
    EXPECT_EQ(b.sacked_bytes(), 0u);
}

TEST(Scoreboard, AHoleBelowThreeSackedSegmentsIsLostAtOnce) {
    Scoreboard b;
    send(b, 5, Time::zero());
    const std::vector<TcpSackBlock> sack{{at(1), at(4)}};
    b.on_ack(at(0), sack, std::nullopt, Time::zero() + 40_ms);
    EXPECT_EQ(b.detect_losses(Time::zero() + 40_ms, false, srtt), Time::never());
    ASSERT_NE(b.first_lost(), nullptr);
    EXPECT_EQ(b.first_lost()->seq, at(0));
    EXPECT_EQ(b.pipe(), seg) << "the last segment is still in flight, not judged";
}

TEST(Scoreboard, ALateSegmentGetsAReorderingWindowAndIsNotResent) {
    Scoreboard b;
    send(b, 2, Time::zero());
    const Time t = Time::zero() + 40_ms;
    const std::vector<TcpSackBlock> sack{{at(1), at(2)}};
    b.on_ack(at(0), sack, std::nullopt, t);
    // One SACKed segment: wait a quarter of the SRTT before calling it lost.
    EXPECT_EQ(b.detect_losses(t, false, srtt), t + 10_ms);
    EXPECT_EQ(b.first_lost(), nullptr);
    EXPECT_FALSE(b.reordering_seen());
    // The first segment arrives 5 ms later: it was overtaken, not lost.
    b.on_ack(at(2), {}, std::nullopt, t + 5_ms);
    EXPECT_EQ(b.detect_losses(t + 5_ms, false, srtt), Time::never());
    EXPECT_EQ(b.first_lost(), nullptr);
    EXPECT_TRUE(b.reordering_seen()) << "a segment sent once arrived below one delivered";

    // The path reorders: now even three SACKed segments above a hole wait.
    send(b, 5, t + 5_ms, at(2).value());
    const std::vector<TcpSackBlock> later{{at(3), at(7)}};
    b.on_ack(at(2), later, std::nullopt, t + 45_ms);
    EXPECT_EQ(b.detect_losses(t + 45_ms, false, srtt), t + 55_ms);
    EXPECT_EQ(b.first_lost(), nullptr);
    b.on_ack(at(7), {}, std::nullopt, t + 46_ms);
    EXPECT_TRUE(b.empty());
}

TEST(Scoreboard, AfterTheWindowTheSegmentIsLost) {
    Scoreboard b;
    send(b, 4, Time::zero());
    const Time t = Time::zero() + 40_ms;
    const std::vector<TcpSackBlock> sack{{at(1), at(2)}};
    b.on_ack(at(0), sack, std::nullopt, t);
    const Time recheck = b.detect_losses(t, false, srtt);
    ASSERT_EQ(recheck, t + 10_ms);
    EXPECT_EQ(b.detect_losses(recheck, false, srtt), Time::never());
    ASSERT_NE(b.first_lost(), nullptr);
    EXPECT_EQ(b.first_lost()->seq, at(0));
    EXPECT_EQ(b.first_lost()->end(), at(1)) << "only the hole; segments 2 and 3 were sent after";
}

TEST(Scoreboard, ALostRetransmissionIsFoundLikeALostOriginal) {
    Scoreboard b;
    send(b, 5, Time::zero());
    const std::vector<TcpSackBlock> sack{{at(1), at(4)}};
    b.on_ack(at(0), sack, std::nullopt, Time::zero() + 40_ms);
    b.detect_losses(Time::zero() + 40_ms, false, srtt);
    ASSERT_NE(b.first_lost(), nullptr);
    b.resent(*b.first_lost(), Time::zero() + 40_ms);
    // New data after the resend is SACKed; the resend itself never comes.
    b.sent(at(5), seg, false, false, Time::zero() + 41_ms);
    const std::vector<TcpSackBlock> more{{at(1), at(6)}};
    b.on_ack(at(0), more, std::nullopt, Time::zero() + 81_ms);
    b.detect_losses(Time::zero() + 81_ms, true, srtt);
    ASSERT_NE(b.first_lost(), nullptr) << "the resent copy is lost too";
    EXPECT_EQ(b.first_lost()->seq, at(0));
    EXPECT_EQ(b.first_lost()->transmissions, 2);
}

TEST(Scoreboard, AnAckOfTheOriginalSaysNothingAboutTheResend) {
    Scoreboard b;
    send(b, 1, Time::zero());
    b.mark_all_lost();
    b.resent(*b.first_lost(), Time::zero() + 200_ms);
    // The ACK echoes the original's timestamp (0 ms): not an RTT of the resend.
    b.on_ack(at(1), {}, 0u, Time::zero() + 201_ms);
    EXPECT_FALSE(b.min_rtt()) << "no RTT sample from an ambiguous ACK";
}

TEST(Scoreboard, DsackIsRecognisedAndWidensTheWindow) {
    Scoreboard b;
    send(b, 6, Time::zero());
    const Time t = Time::zero() + 40_ms;
    const auto before = b.reorder_window(false, srtt);
    // The first block lies below the cumulative ACK: a duplicate report.
    const std::vector<TcpSackBlock> dsack{{at(0), at(1)}};
    const auto o = b.on_ack(at(2), dsack, std::nullopt, t);
    EXPECT_TRUE(o.dsack);
    EXPECT_EQ(b.sacked_bytes(), 0u) << "a D-SACK marks nothing";
    EXPECT_TRUE(b.reordering_seen());
    EXPECT_GT(b.reorder_window(false, srtt), before);
    // A D-SACK inside the second block (RFC 2883 §4.2).
    const std::vector<TcpSackBlock> inside{{at(4), at(5)}, {at(3), at(6)}};
    EXPECT_TRUE(b.on_ack(at(2), inside, std::nullopt, t + 1_ms).dsack);
    EXPECT_EQ(b.sacked_bytes(), 3 * seg) << "the second block still counts";
    // The window never exceeds the smoothed RTT.
    for (int i = 0; i < 100; ++i) {
        send(b, 1, t, 1 + 6 * seg + static_cast<uint32_t>(i) * seg);
        b.on_ack(at(7 + i), std::vector<TcpSackBlock>{{at(0), at(1)}}, std::nullopt, t);
    }
    EXPECT_EQ(b.reorder_window(false, srtt), *srtt);
}

}  // namespace
