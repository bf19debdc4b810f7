#include "tcp/congestion.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace {

using base::Duration;
using base::Time;
using tcp::Congestion;
using tcp::CongestionAlgorithm;

constexpr uint32_t mss = 1000;

Congestion reno() {
    return Congestion(CongestionAlgorithm::new_reno, mss);
}
Congestion cubic() {
    return Congestion(CongestionAlgorithm::cubic, mss);
}

// An ACK of `acked` bytes at `now`; the sequence numbers only matter to
// HyStart++ and are given where they do.
tcp::AckSample ack_of(uint32_t acked, Time now, std::optional<Duration> rtt = std::nullopt) {
    return tcp::AckSample{.acked = acked,
                          .snd_una = wire::SeqNum{0},
                          .snd_nxt = wire::SeqNum{0},
                          .rtt = rtt,
                          .min_rtt = std::nullopt,
                          .now = now};
}

// Grows `c` in slow start (one SMSS per ACK) until cwnd is `bytes`.
void grow_to(Congestion& c, uint32_t bytes) {
    while (c.cwnd() < bytes)
        c.on_ack(ack_of(std::min(mss, bytes - c.cwnd()), Time::zero()));
}

TEST(Congestion, NamesAreLinuxs) {
    EXPECT_EQ(tcp::congestion_algorithm_named("cubic"), CongestionAlgorithm::cubic);
    EXPECT_EQ(tcp::congestion_algorithm_named("newreno"), CongestionAlgorithm::new_reno);
    EXPECT_EQ(tcp::congestion_algorithm_named("reno"), CongestionAlgorithm::new_reno);
    EXPECT_EQ(tcp::congestion_algorithm_named("bbr"), std::nullopt);
    EXPECT_EQ(tcp::to_string(CongestionAlgorithm::new_reno), "newreno");
}

TEST(Congestion, InitialWindowIsTenSegmentsUpToTheCap) {
    EXPECT_EQ(Congestion(CongestionAlgorithm::cubic, 1460).cwnd(), 14600u);
    EXPECT_EQ(reno().cwnd(), 10000u);
    EXPECT_EQ(Congestion(CongestionAlgorithm::new_reno, 9000).cwnd(), 18000u)
        << "at least two segments";
    EXPECT_TRUE(cubic().in_slow_start());
}

TEST(NewReno, SlowStartGrowsByAtMostOneSegmentPerAck) {
    Congestion c = reno();
    c.on_ack(ack_of(mss, Time::zero()));
    EXPECT_EQ(c.cwnd(), 11000u);
    c.on_ack(ack_of(5 * mss, Time::zero()));  // a stretch ACK counts as one segment
    EXPECT_EQ(c.cwnd(), 12000u);
    c.on_ack(ack_of(300, Time::zero()));
    EXPECT_EQ(c.cwnd(), 12300u);
}

TEST(NewReno, FastRecoveryWithoutSackThenCongestionAvoidance) {
    Congestion c = reno();
    c.enter_recovery(20 * mss, false);
    EXPECT_EQ(c.ssthresh(), 10 * mss);
    EXPECT_EQ(c.cwnd(), 13 * mss);
    c.on_duplicate_in_recovery();
    EXPECT_EQ(c.cwnd(), 14 * mss);
    c.on_partial_ack(3 * mss);
    EXPECT_EQ(c.cwnd(), 12 * mss);
    c.exit_recovery(5 * mss, false);
    EXPECT_EQ(c.cwnd(), 6 * mss) << "min(ssthresh, flight + SMSS)";
    c.exit_recovery(20 * mss, false);
    EXPECT_EQ(c.cwnd(), 10 * mss);
    EXPECT_FALSE(c.in_slow_start());
    // Congestion avoidance: one segment per window of bytes acked.
    for (int i = 0; i < 10; ++i)
        c.on_ack(ack_of(mss, Time::zero()));
    EXPECT_EQ(c.cwnd(), 11 * mss);
}

TEST(NewReno, TimeoutCollapsesTheWindowAndBackOffsKeepSsthresh) {
    Congestion c = reno();
    c.on_timeout(30 * mss, false);
    EXPECT_EQ(c.cwnd(), mss);
    EXPECT_EQ(c.ssthresh(), 15 * mss);
    EXPECT_TRUE(c.in_slow_start());
    c.on_timeout(30 * mss, true);
    EXPECT_EQ(c.ssthresh(), 15 * mss) << "RFC 5681 §3.1: the same segment timed out again";
    c.on_timeout(3 * mss, false);
    EXPECT_EQ(c.ssthresh(), 2 * mss) << "never below two segments";
}

TEST(Cubic, LossKeepsSeventyPercentAndRemembersThePlateau) {
    Congestion c = cubic();
    grow_to(c, 100 * mss);
    c.reduce_now(40 * mss);  // the flight does not matter to CUBIC
    EXPECT_EQ(c.ssthresh(), 70 * mss);
    EXPECT_EQ(c.cwnd(), 70 * mss);
    EXPECT_EQ(c.w_max(), 100 * mss);
    // A loss before the window regained the plateau: fast convergence
    // lowers it to the middle of the two, (1 + 0.7) / 2 of the window.
    c.reduce_now(70 * mss);
    EXPECT_EQ(c.w_max(), 59'500u);
    EXPECT_EQ(c.ssthresh(), 49 * mss);
}

TEST(Cubic, TheWindowFollowsTheCubicCurveThroughThePlateau) {
    Congestion c = cubic();
    grow_to(c, 1000 * mss);
    c.reduce_now(1000 * mss);
    ASSERT_EQ(c.cwnd(), 700 * mss);
    // After the reduction the window climbs back to W_max = 1000 segments
    // in K = cbrt(300 / 0.4) seconds, flattens there, and then probes beyond.
    const double k = std::cbrt(300.0 / 0.4);
    auto expected = [&](double t) { return 1000.0 + 0.4 * std::pow(t - k, 3); };
    // One full segment acknowledged every 100 µs: a 100 ms RTT, where
    // standard TCP would add only 10 segments a second.
    for (int tick = 1; tick <= 150'000; ++tick) {
        tcp::AckSample a = ack_of(mss, Time::zero() + Duration::microseconds(100 * tick));
        a.min_rtt = Duration::milliseconds(100);
        c.on_ack(a);
        if (tick % 10'000 == 0) {
            const double t = tick / 10'000.0;
            EXPECT_NEAR(static_cast<double>(c.cwnd()) / mss, expected(t), 10.0)
                << "at " << t << " s";
        }
    }
    EXPECT_GT(c.cwnd(), 1080 * mss) << "past the plateau the curve speeds up again";
}

TEST(Cubic, SmallWindowsGrowAtLeastAsFastAsStandardTcp) {
    // At a small window and a short RTT the curve is slower than standard
    // TCP would be; the Reno-friendly estimate takes over (RFC 9438 §4.3).
    Congestion c = cubic();
    grow_to(c, 10 * mss);
    c.reduce_now(10 * mss);
    ASSERT_EQ(c.cwnd(), 7 * mss);
    // 200 ACKs of one segment in 200 ms: about 28 windows of 7 segments.
    for (int ms = 1; ms <= 200; ++ms)
        c.on_ack(ack_of(mss, Time::zero() + Duration::milliseconds(ms)));
    const double curve = 10.0 + 0.4 * std::pow(0.2 - std::cbrt(3.0 / 0.4), 3);
    EXPECT_LT(curve, 8.0);
    // α = 3 (1 - 0.7) / (1 + 0.7) segments per window acked below the plateau.
    EXPECT_GE(c.cwnd(), 10 * mss);
}

TEST(Cubic, TimeoutForgetsThePlateau) {
    Congestion c = cubic();
    grow_to(c, 50 * mss);
    c.on_timeout(50 * mss, false);
    EXPECT_EQ(c.cwnd(), mss);
    EXPECT_EQ(c.ssthresh(), 35 * mss);
    EXPECT_EQ(c.w_max(), 0u);
    c.on_timeout(50 * mss, true);
    EXPECT_EQ(c.ssthresh(), 35 * mss);
}

// HyStart++: slow start in rounds of one window, each segment ACKed alone
// with the given RTT (the last maybe short). Returns the window after the
// round.
struct Rounds {
    Congestion c = cubic();
    uint32_t una = 0;
    Time now = Time::zero();

    uint32_t round(Duration rtt) {
        const uint32_t window = c.cwnd();
        const uint32_t nxt = una + window;
        for (uint32_t sent = 0; sent < window;) {
            const uint32_t acked = std::min(mss, window - sent);
            sent += acked;
            una += acked;
            now = now + Duration::microseconds(100);
            c.on_ack(tcp::AckSample{.acked = acked,
                                    .snd_una = wire::SeqNum{una},
                                    .snd_nxt = wire::SeqNum{nxt},
                                    .rtt = rtt,
                                    .min_rtt = std::nullopt,
                                    .now = now});
        }
        return c.cwnd();
    }
};

TEST(HyStartPlusPlus, SteadyRttDoublesTheWindowEachRound) {
    Rounds r;
    EXPECT_EQ(r.round(Duration::milliseconds(50)), 20 * mss);
    EXPECT_EQ(r.round(Duration::milliseconds(50)), 40 * mss);
    EXPECT_EQ(r.round(Duration::milliseconds(50)), 80 * mss);
    EXPECT_TRUE(r.c.in_slow_start());
    EXPECT_FALSE(r.c.in_conservative_slow_start());
}

TEST(HyStartPlusPlus, RisingRttSlowsGrowthThenEndsSlowStart) {
    Rounds r;
    r.round(Duration::milliseconds(50));
    r.round(Duration::milliseconds(50));
    // +10 ms: above max(4 ms, min(50/8 ms, 16 ms)) = 6.25 ms. The round
    // that sees it enters CSS after its eighth sample.
    const uint32_t before = r.c.cwnd();
    const uint32_t after = r.round(Duration::milliseconds(60));
    EXPECT_TRUE(r.c.in_conservative_slow_start());
    // 8 segments at full speed, the rest of the window at a quarter.
    // Seven segments at full speed; from the eighth sample on, a quarter.
    EXPECT_EQ(after - before, 7 * mss + (before / mss - 7) * mss / 4);
    // In CSS the window grows by a quarter of what is acked, per round.
    const uint32_t css = r.c.cwnd();
    EXPECT_EQ(r.round(Duration::milliseconds(60)), css + css / mss * (mss / 4) + css % mss / 4);
    for (int i = 0; i < 3; ++i)
        r.round(Duration::milliseconds(60));
    EXPECT_TRUE(r.c.in_slow_start()) << "CSS lasts five rounds";
    r.round(Duration::milliseconds(60));
    EXPECT_FALSE(r.c.in_slow_start()) << "after five rounds in CSS, avoidance";
    // ssthresh is the window when CSS ended; the rest of that round grew it
    // as congestion avoidance does, by about one segment per window.
    EXPECT_GE(r.c.cwnd(), r.c.ssthresh());
    EXPECT_LE(r.c.cwnd(), r.c.ssthresh() + mss);
}

TEST(HyStartPlusPlus, RttFallingBackResumesSlowStart) {
    Rounds r;
    r.round(Duration::milliseconds(50));
    r.round(Duration::milliseconds(50));
    r.round(Duration::milliseconds(60));
    ASSERT_TRUE(r.c.in_conservative_slow_start());
    r.round(Duration::milliseconds(50));  // below the CSS baseline: it was noise
    EXPECT_FALSE(r.c.in_conservative_slow_start());
    const uint32_t w = r.c.cwnd();
    EXPECT_EQ(r.round(Duration::milliseconds(50)), 2 * w);
}

TEST(HyStartPlusPlus, SmallRiseIsNoise) {
    Rounds r;
    r.round(Duration::milliseconds(50));
    r.round(Duration::milliseconds(55));  // +5 ms < 6.25 ms
    EXPECT_FALSE(r.c.in_conservative_slow_start());
}

TEST(Prr, RecoverySendsInProportionToWhatIsDelivered) {
    // 20 segments in flight, one lost: ssthresh is 10 (NewReno halves), so
    // PRR lets one segment out per two delivered.
    Congestion c = reno();
    grow_to(c, 20 * mss);
    c.enter_recovery(20 * mss, true);
    ASSERT_EQ(c.ssthresh(), 10 * mss);
    uint32_t pipe = 19 * mss;
    c.on_recovery_ack(0, pipe);
    EXPECT_EQ(c.cwnd(), pipe + mss) << "the fast retransmission goes at once";
    uint32_t sent = mss;  // it did
    c.on_recovery_sent(mss);
    pipe += mss;
    for (int i = 0; i < 18; ++i) {
        pipe -= mss;  // one segment SACKed
        c.on_recovery_ack(mss, pipe);
        // Whatever cwnd now allows above the pipe goes out.
        while (c.cwnd() >= pipe + mss) {
            c.on_recovery_sent(mss);
            sent += mss;
            pipe += mss;
        }
    }
    // ceil(18 delivered * 10 / 20) = 9 segments in all.
    EXPECT_EQ(sent, 9 * mss);
    c.exit_recovery(pipe, true);
    EXPECT_EQ(c.cwnd(), 10 * mss);
}

// Linux counts PRR in packets: a share of 1.5 segments lets 2 go (the
// conformance script prr-proportional-reduction found us sending one and
// keeping a remnant too small for a segment).
TEST(Prr, TheShareIsRoundedUpToWholeSegments) {
    Congestion c = reno();
    grow_to(c, 10 * mss);
    c.enter_recovery(10 * mss, true);
    ASSERT_EQ(c.ssthresh(), 5 * mss);
    c.on_recovery_ack(3 * mss, 7 * mss);  // 3 SACKed: ceil(3 x 5/10) = 2 segments
    EXPECT_EQ(c.cwnd(), 9 * mss);
    c.on_recovery_sent(2 * mss);
    c.on_recovery_ack(mss, 8 * mss);  // 4 delivered: still 2
    EXPECT_EQ(c.cwnd(), 8 * mss);
    c.on_recovery_ack(mss, 7 * mss);  // 5 delivered: ceil(2.5) = 3, one more
    EXPECT_EQ(c.cwnd(), 8 * mss);
}

TEST(Prr, AfterHeavyLossTheWindowClimbsBackNoFasterThanSlowStart) {
    Congestion c = reno();
    grow_to(c, 20 * mss);
    c.enter_recovery(20 * mss, true);
    c.on_recovery_ack(0, 4 * mss);
    c.on_recovery_sent(mss);
    // 2 segments in the network, ssthresh 10: the reduction bound lets out
    // what was delivered plus one segment.
    c.on_recovery_ack(mss, 2 * mss);
    EXPECT_EQ(c.cwnd(), 2 * mss + 2 * mss);
    // Never above ssthresh.
    c.on_recovery_ack(20 * mss, 9 * mss);
    EXPECT_EQ(c.cwnd(), 10 * mss);
}

TEST(Congestion, ChangingTheAlgorithmKeepsTheWindow) {
    Congestion c = reno();
    grow_to(c, 30 * mss);
    c.reduce_now(30 * mss);
    c.set_algorithm(CongestionAlgorithm::cubic);
    EXPECT_EQ(c.algorithm(), CongestionAlgorithm::cubic);
    EXPECT_EQ(c.cwnd(), 15 * mss);
    EXPECT_EQ(c.ssthresh(), 15 * mss);
}

TEST(Congestion, UndoRestoresTheWindowBeforeTheReduction) {
    Congestion c = cubic();
    grow_to(c, 40 * mss);
    const uint32_t cwnd = c.cwnd();
    const uint32_t ssthresh = c.ssthresh();
    c.reduce_now(40 * mss);
    c.restore(cwnd, ssthresh);
    EXPECT_EQ(c.cwnd(), cwnd);
    EXPECT_EQ(c.ssthresh(), ssthresh);
}

}  // namespace
