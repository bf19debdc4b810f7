#include "tcp/congestion.hpp"

#include <gtest/gtest.h>

namespace {

constexpr uint32_t mss = 1000;

TEST(NewReno, InitialWindowIsTenSegmentsUpToTheCap) {
    EXPECT_EQ(tcp::NewReno(1460).cwnd(), 14600u);
    EXPECT_EQ(tcp::NewReno(1000).cwnd(), 10000u);
    EXPECT_EQ(tcp::NewReno(9000).cwnd(), 18000u) << "at least two segments";
    EXPECT_TRUE(tcp::NewReno(mss).in_slow_start());
}

TEST(NewReno, SlowStartGrowsByAtMostOneSegmentPerAck) {
    tcp::NewReno c(mss);
    c.on_ack(mss);
    EXPECT_EQ(c.cwnd(), 11000u);
    c.on_ack(5 * mss);  // a stretch ACK counts as one segment
    EXPECT_EQ(c.cwnd(), 12000u);
    c.on_ack(300);
    EXPECT_EQ(c.cwnd(), 12300u);
}

TEST(NewReno, FastRecoveryThenCongestionAvoidance) {
    tcp::NewReno c(mss);
    c.enter_recovery(20 * mss);
    EXPECT_EQ(c.ssthresh(), 10 * mss);
    EXPECT_EQ(c.cwnd(), 13 * mss);
    c.on_duplicate_in_recovery();
    EXPECT_EQ(c.cwnd(), 14 * mss);
    c.on_partial_ack(3 * mss);
    EXPECT_EQ(c.cwnd(), 12 * mss);
    c.exit_recovery(5 * mss);
    EXPECT_EQ(c.cwnd(), 6 * mss) << "min(ssthresh, flight + SMSS)";
    c.exit_recovery(20 * mss);
    EXPECT_EQ(c.cwnd(), 10 * mss);
    EXPECT_FALSE(c.in_slow_start());
    // Congestion avoidance: one segment per window of bytes acked.
    for (int i = 0; i < 10; ++i)
        c.on_ack(mss);
    EXPECT_EQ(c.cwnd(), 11 * mss);
}

TEST(NewReno, TimeoutCollapsesTheWindow) {
    tcp::NewReno c(mss);
    c.on_timeout(3 * mss);
    EXPECT_EQ(c.cwnd(), mss);
    EXPECT_EQ(c.ssthresh(), 2 * mss) << "never below two segments";
    EXPECT_TRUE(c.in_slow_start());
}

}  // namespace
