#include "tcp/rto.hpp"

#include <gtest/gtest.h>

#include "testing/printers.hpp"

namespace {

using base::Duration;
using tcp::RtoEstimator;
using namespace base::literals;

TEST(Rto, StartsAtTheInitialValue) {
    RtoEstimator r;
    EXPECT_EQ(r.rto(), 1_s);
    EXPECT_FALSE(r.srtt());
}

// RFC 6298 §2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4 RTTVAR).
TEST(Rto, FirstSampleFollowsTheRfc) {
    RtoEstimator r({.min = 1_ms});
    r.sample(100_ms);
    EXPECT_EQ(r.srtt(), 100_ms);
    EXPECT_EQ(r.rttvar(), 50_ms);
    EXPECT_EQ(r.rto(), 300_ms);
}

// RFC 6298 §2.3 by hand: after R1 = 100 ms, R2 = 200 ms:
//   RTTVAR = 3/4 · 50 + 1/4 · |100 − 200| = 62.5 ms
//   SRTT   = 7/8 · 100 + 1/8 · 200 = 112.5 ms
//   RTO    = 112.5 + 4 · 62.5 = 362.5 ms
TEST(Rto, LaterSamplesSmoothAsTheRfcSays) {
    RtoEstimator r({.min = 1_ms});
    r.sample(100_ms);
    r.sample(200_ms);
    EXPECT_EQ(r.rttvar(), Duration::microseconds(62'500));
    EXPECT_EQ(r.srtt(), Duration::microseconds(112'500));
    EXPECT_EQ(r.rto(), Duration::microseconds(362'500));
    // R3 = 112.5 ms (no error): RTTVAR = 3/4 · 62.5 = 46.875, SRTT unchanged.
    r.sample(Duration::microseconds(112'500));
    EXPECT_EQ(r.rttvar(), Duration::nanoseconds(46'875'000));
    EXPECT_EQ(r.srtt(), Duration::microseconds(112'500));
    EXPECT_EQ(r.rto(), Duration::microseconds(112'500 + 187'500));
}

TEST(Rto, GranularityIsAFloorOnTheVarianceTerm) {
    RtoEstimator r({.min = 1_ns, .granularity = 10_ms});
    for (int i = 0; i < 50; ++i)
        r.sample(20_ms);  // RTTVAR decays towards 0
    EXPECT_EQ(r.rto(), 30_ms);
}

TEST(Rto, BoundedBelowAndAbove) {
    RtoEstimator r;  // min 200 ms, max 120 s
    r.sample(1_ms);
    EXPECT_EQ(r.rto(), 200_ms);
    RtoEstimator slow;
    slow.sample(50_s);
    EXPECT_EQ(slow.rto(), 120_s);
}

// §5.7: a handshake whose SYN went again gave no sample (Karn); data then
// starts with RTO 3 s, not the backed-off value (the conformance script
// rto-fallback-without-rtt-sample found 2 s). A sample wins.
TEST(Rto, AHandshakeWithoutASampleFallsBackToThreeSeconds) {
    RtoEstimator r;
    r.back_off();
    EXPECT_EQ(r.rto(), 2_s);
    r.handshake_fallback();
    EXPECT_EQ(r.rto(), 3_s);
    EXPECT_EQ(r.backoffs(), 0);
    RtoEstimator sampled;
    sampled.sample(100_ms);
    sampled.handshake_fallback();
    EXPECT_EQ(sampled.rto(), 300_ms);
}

// §5.5: each expiry doubles RTO; a new sample recomputes it.
TEST(Rto, BacksOffExponentiallyUpToTheMaximum) {
    RtoEstimator r;
    r.sample(100_ms);  // RTO 300 ms
    r.back_off();
    EXPECT_EQ(r.rto(), 600_ms);
    r.back_off();
    EXPECT_EQ(r.rto(), 1200_ms);
    EXPECT_EQ(r.backoffs(), 2);
    for (int i = 0; i < 20; ++i)
        r.back_off();
    EXPECT_EQ(r.rto(), 120_s);
    r.sample(100_ms);
    EXPECT_LT(r.rto(), 1_s);
    EXPECT_EQ(r.backoffs(), 0);
}

}  // namespace
