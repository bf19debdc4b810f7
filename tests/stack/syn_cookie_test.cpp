// SYN cookies as numbers: what one remembers, how long it lasts, and that a
// cookie for one connection opens no other.
#include "stack/syn_cookie.hpp"

#include <gtest/gtest.h>

namespace {

using base::Duration;
using base::Time;
using wire::SeqNum;
namespace cookie = stack::syn_cookie;

const base::SipKey key{0x0123456789abcdef, 0xfedcba9876543210};
const tcp::Tuple tuple{wire::Ipv4Address{10, 0, 0, 2}, 80, wire::Ipv4Address{10, 0, 0, 1}, 40000};
const Time at = Time::zero() + Duration::seconds(1000);

TEST(SynCookie, RemembersTheLargestTableMssNotAboveTheClients) {
    struct Case {
        uint16_t offered, remembered;
    } cases[] = {{1460, 1460}, {9000, 1460}, {1450, 1440}, {1400, 1300},
                 {1300, 1300}, {1000, 536},  {536, 536},   {100, 536}};
    for (const Case& c : cases) {
        const SeqNum isn = cookie::make(key, tuple, SeqNum{777}, c.offered, at);
        EXPECT_EQ(cookie::check(key, tuple, SeqNum{777}, isn, at), c.remembered)
            << "offered " << c.offered;
    }
}

TEST(SynCookie, IsGoodForTwoPeriodsOfSixtyFourSeconds) {
    const SeqNum isn = cookie::make(key, tuple, SeqNum{1}, 1460, at);
    EXPECT_TRUE(cookie::check(key, tuple, SeqNum{1}, isn, at + Duration::seconds(100)));
    // 1000 s is in period 15 (960-1023 s); period 17 ends at 1151 s.
    EXPECT_TRUE(cookie::check(key, tuple, SeqNum{1}, isn, Time::zero() + Duration::seconds(1151)));
    EXPECT_FALSE(cookie::check(key, tuple, SeqNum{1}, isn, Time::zero() + Duration::seconds(1152)));
    EXPECT_FALSE(cookie::check(key, tuple, SeqNum{1}, isn, at - Duration::seconds(100)))
        << "from the future";
}

TEST(SynCookie, OpensNothingElse) {
    const SeqNum isn = cookie::make(key, tuple, SeqNum{5000}, 1460, at);
    // The client ISN is added in, so one a little off only shifts the MSS
    // index (as in Linux); one further off fails.
    EXPECT_FALSE(cookie::check(key, tuple, SeqNum{6000}, isn, at)) << "another client ISN";
    tcp::Tuple other = tuple;
    other.remote_port = 40001;
    EXPECT_FALSE(cookie::check(key, other, SeqNum{5000}, isn, at)) << "another port";
    EXPECT_FALSE(cookie::check({1, 2}, tuple, SeqNum{5000}, isn, at)) << "another key";
    // Of 10,000 guesses near the right one, only it passes.
    int passed = 0;
    for (uint32_t d = 1; d <= 10'000; ++d)
        passed += cookie::check(key, tuple, SeqNum{5000}, isn + d, at).has_value();
    EXPECT_LE(passed, 3) << "the index field is 24 bits: a guess passes about 1 in 4 million";
}

TEST(SynCookie, TheTimestampCarriesWindowScaleAndSack) {
    const uint32_t now_ms = 1'000'000;
    const uint32_t ts = cookie::timestamp(now_ms, {.window_scale = 7, .sack_permitted = true});
    EXPECT_LE(ts, now_ms) << "never ahead of the clock";
    EXPECT_GT(ts + 64, now_ms);
    const auto back = cookie::from_timestamp(ts);
    EXPECT_EQ(back.window_scale, 7);
    EXPECT_TRUE(back.sack_permitted);
    const auto none = cookie::from_timestamp(cookie::timestamp(now_ms, {}));
    EXPECT_EQ(none.window_scale, std::nullopt);
    EXPECT_FALSE(none.sack_permitted);
    // Low bits above the clock's: the value steps back a period, still in range.
    const uint32_t early = cookie::timestamp(1'000'000 & ~63u, {.window_scale = 14});
    EXPECT_LE(early, 1'000'000u & ~63u);
    EXPECT_EQ(cookie::from_timestamp(early).window_scale, 14);
}

}  // namespace
