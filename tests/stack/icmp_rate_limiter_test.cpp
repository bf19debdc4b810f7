#include "stack/icmp_rate_limiter.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

namespace {

using base::Time;
using stack::IcmpRateLimit;
using stack::IcmpRateLimiter;
using wire::Ipv4Address;
using namespace base::literals;

const Time t0 = Time::zero() + 1000_s;
const Ipv4Address alice{10, 0, 0, 2};
const Ipv4Address bob{10, 0, 0, 3};
const Ipv4Address carol{10, 0, 0, 4};
const Ipv4Address dave{10, 0, 0, 5};

// How many of `n` requests to `dst` at `now` are allowed.
int allowed(IcmpRateLimiter& limiter, Ipv4Address dst, Time now, int n = 100) {
    int count = 0;
    for (int i = 0; i < n; ++i)
        count += limiter.allow(dst, now) ? 1 : 0;
    return count;
}

TEST(IcmpRateLimiter, PerDestinationBurstThenOnePerSecond) {
    IcmpRateLimiter limiter{IcmpRateLimit{}};  // burst 6, 1/s per destination
    for (int i = 0; i < 6; ++i)
        EXPECT_TRUE(limiter.allow(alice, t0)) << i;
    EXPECT_FALSE(limiter.allow(alice, t0));
    EXPECT_FALSE(limiter.allow(alice, t0 + 999_ms));
    EXPECT_TRUE(limiter.allow(alice, t0 + 1_s));
    EXPECT_FALSE(limiter.allow(alice, t0 + 1_s));
    EXPECT_FALSE(limiter.allow(alice, t0 + 1500_ms));
    EXPECT_TRUE(limiter.allow(alice, t0 + 2_s));
    // Steady state: one per second, whatever the offered load.
    for (int s = 3; s < 13; ++s) {
        EXPECT_EQ(allowed(limiter, alice, t0 + base::Duration::seconds(s)), 1) << s;
    }
}

TEST(IcmpRateLimiter, TokensRefillOverTimeUpToTheBurst) {
    IcmpRateLimiter limiter{IcmpRateLimit{}};
    EXPECT_EQ(allowed(limiter, alice, t0), 6);
    EXPECT_EQ(allowed(limiter, alice, t0 + 3_s), 3);  // three seconds: three tokens
    EXPECT_EQ(allowed(limiter, alice, t0 + 3_s + 500_ms), 0);
    EXPECT_EQ(allowed(limiter, alice, t0 + 4_s), 1);     // 1 s since the last refill
    EXPECT_EQ(allowed(limiter, alice, t0 + 1000_s), 6);  // capped at the burst
    EXPECT_EQ(allowed(limiter, alice, t0 + 1000_s), 0);
}

TEST(IcmpRateLimiter, FractionalRefillsAccumulate) {
    IcmpRateLimiter limiter{IcmpRateLimit{}};
    EXPECT_EQ(allowed(limiter, alice, t0), 6);
    // Ten polls 250 ms apart: tokens at 1 s and 2 s (and 2.5 s is not enough).
    int total = 0;
    for (int i = 1; i <= 10; ++i)
        total += allowed(limiter, alice, t0 + 250_ms * i);
    EXPECT_EQ(total, 2);
}

TEST(IcmpRateLimiter, EachDestinationHasItsOwnBucket) {
    IcmpRateLimiter limiter{IcmpRateLimit{}};
    EXPECT_EQ(allowed(limiter, alice, t0), 6);
    EXPECT_EQ(allowed(limiter, bob, t0), 6);
    EXPECT_EQ(allowed(limiter, carol, t0 + 1_ms), 6);
    EXPECT_EQ(allowed(limiter, alice, t0 + 2_ms), 0);
    EXPECT_EQ(allowed(limiter, alice, t0 + 1_s), 1);
    EXPECT_EQ(allowed(limiter, bob, t0 + 1_s), 1);
}

TEST(IcmpRateLimiter, HostWideBucketLimitsAcrossDestinations) {
    IcmpRateLimit limits;
    limits.host_burst = 3;
    limits.host_per_second = 2;
    IcmpRateLimiter limiter{limits};
    EXPECT_TRUE(limiter.allow(alice, t0));
    EXPECT_TRUE(limiter.allow(bob, t0));
    EXPECT_TRUE(limiter.allow(carol, t0));
    EXPECT_FALSE(limiter.allow(dave, t0));  // dave's own bucket is full
    EXPECT_FALSE(limiter.allow(alice, t0 + 499_ms));
    EXPECT_TRUE(limiter.allow(dave, t0 + 500_ms));  // host refills at 2/s
    EXPECT_FALSE(limiter.allow(alice, t0 + 500_ms));
    // Over ten seconds the host sends at most its rate, spread however.
    int total = 0;
    for (int ms = 600; ms <= 10'500; ms += 100) {
        const Time now = t0 + base::Duration::milliseconds(ms);
        for (const Ipv4Address dst : {alice, bob, carol, dave})
            total += limiter.allow(dst, now) ? 1 : 0;
    }
    EXPECT_EQ(total, 20);
}

TEST(IcmpRateLimiter, HostBucketStartsFullAndIsCappedAtItsBurst) {
    IcmpRateLimit limits;
    limits.host_burst = 10;
    limits.host_per_second = 1000;
    IcmpRateLimiter limiter{limits};
    int total = 0;
    for (uint8_t i = 0; i < 50; ++i)
        total += limiter.allow(Ipv4Address{10, 1, 0, i}, t0) ? 1 : 0;
    EXPECT_EQ(total, 10);
    // A long idle period refills no more than the burst.
    total = 0;
    for (uint8_t i = 50; i < 100; ++i)
        total += limiter.allow(Ipv4Address{10, 1, 0, i}, t0 + 3600_s) ? 1 : 0;
    EXPECT_EQ(total, 10);
}

TEST(IcmpRateLimiter, RefusalByTheDestinationCostsNoHostToken) {
    IcmpRateLimit limits;
    limits.host_burst = 10;
    limits.host_per_second = 1;
    IcmpRateLimiter limiter{limits};
    EXPECT_EQ(allowed(limiter, alice, t0, 6), 6);  // host: 4 left
    EXPECT_EQ(allowed(limiter, alice, t0, 1000), 0);
    // Had the refusals taken host tokens, bob would get none.
    EXPECT_EQ(allowed(limiter, bob, t0), 4);
}

TEST(IcmpRateLimiter, RefusalByTheHostCostsNoDestinationToken) {
    IcmpRateLimit limits;
    limits.host_burst = 2;
    limits.host_per_second = 1000;  // refills completely in 2 ms
    IcmpRateLimiter limiter{limits};
    EXPECT_EQ(allowed(limiter, alice, t0), 2);  // 98 refusals by the host
    EXPECT_EQ(allowed(limiter, alice, t0 + 10_ms), 2);
    EXPECT_EQ(allowed(limiter, alice, t0 + 20_ms), 2);
    // Six sent: alice's burst is spent now, not before.
    EXPECT_EQ(allowed(limiter, alice, t0 + 30_ms), 0);
    // The host still has tokens for someone else.
    EXPECT_EQ(allowed(limiter, bob, t0 + 30_ms), 2);
}

TEST(IcmpRateLimiter, MaxDestinationsEvictsTheLeastRecentlyUsed) {
    IcmpRateLimit limits;
    limits.max_destinations = 2;
    IcmpRateLimiter limiter{limits};
    EXPECT_EQ(allowed(limiter, alice, t0), 6);
    EXPECT_EQ(allowed(limiter, bob, t0 + 1_ms), 6);
    EXPECT_EQ(allowed(limiter, alice, t0 + 2_s), 2);  // alice used more recently than bob
    // A third destination evicts bob: alice keeps her (empty) bucket.
    EXPECT_EQ(allowed(limiter, carol, t0 + 2_s + 1_ms), 6);
    EXPECT_EQ(allowed(limiter, alice, t0 + 2_s + 2_ms), 0);
    // A refused request counts as use: alice (just refused) is now more recent
    // than carol, so bob comes back as a stranger with a fresh bucket by
    // evicting carol, and alice is still remembered as spent.
    EXPECT_EQ(allowed(limiter, bob, t0 + 2_s + 3_ms), 6);
    EXPECT_EQ(allowed(limiter, alice, t0 + 2_s + 4_ms), 0);
}

TEST(IcmpRateLimiter, KeepsWorkingUnderDestinationChurn) {
    IcmpRateLimit limits;
    limits.max_destinations = 4;
    limits.host_burst = 1e9;
    limits.host_per_second = 1e9;
    IcmpRateLimiter limiter{limits};
    // Many more destinations than slots, each new one still gets its burst.
    for (uint32_t i = 0; i < 1000; ++i) {
        const Time now = t0 + base::Duration::milliseconds(i);
        const Ipv4Address dst = Ipv4Address::from_u32(0x0a000000u + i);
        ASSERT_EQ(allowed(limiter, dst, now, 10), 6) << i;
    }
    // The most recent ones are still remembered as spent.
    EXPECT_EQ(allowed(limiter, Ipv4Address::from_u32(0x0a000000u + 999), t0 + 999_ms), 0);
}

// For any request pattern: per destination, at most burst + rate × elapsed are
// allowed; over the host, at most host burst + host rate × elapsed. With no
// evictions (few destinations) these are exact token-bucket bounds.
RC_GTEST_PROP(IcmpRateLimiter, NeverExceedsEitherBucket, ()) {
    IcmpRateLimit limits;
    limits.host_burst = *rc::gen::inRange(1, 20);
    limits.host_per_second = *rc::gen::inRange(1, 50);
    limits.per_destination_burst = *rc::gen::inRange(1, 10);
    limits.per_destination_per_second = *rc::gen::inRange(1, 5);
    IcmpRateLimiter limiter{limits};

    const auto steps = *rc::gen::container<std::vector<std::pair<uint8_t, uint16_t>>>(
        rc::gen::pair(rc::gen::inRange<uint8_t>(0, 4), rc::gen::inRange<uint16_t>(0, 500)));
    Time now = t0;
    std::map<uint8_t, std::pair<Time, int>> per_dst;  // first request, count allowed
    int host_total = 0;
    for (const auto& [d, gap_ms] : steps) {
        now += base::Duration::milliseconds(gap_ms);
        const Ipv4Address dst{192, 168, 0, d};
        auto& [first, count] = per_dst.try_emplace(d, now, 0).first->second;
        if (!limiter.allow(dst, now)) continue;
        ++count;
        ++host_total;
        const double dst_bound = limits.per_destination_burst +
                                 (now - first).seconds_f() * limits.per_destination_per_second;
        RC_ASSERT(count <= dst_bound + 1e-9);
        const double host_bound =
            limits.host_burst + (now - t0).seconds_f() * limits.host_per_second;
        RC_ASSERT(host_total <= host_bound + 1e-9);
    }
}

// The first requests always get through: min(burst, host burst) to one place.
RC_GTEST_PROP(IcmpRateLimiter, FirstBurstIsTheSmallerOfTheTwo, ()) {
    IcmpRateLimit limits;
    limits.host_burst = *rc::gen::inRange(1, 20);
    limits.per_destination_burst = *rc::gen::inRange(1, 20);
    IcmpRateLimiter limiter{limits};
    const int expected =
        static_cast<int>(std::min(limits.host_burst, limits.per_destination_burst));
    RC_ASSERT(allowed(limiter, alice, t0, 50) == expected);
}

}  // namespace
