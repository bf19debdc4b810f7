// The path MTU cache: what "fragmentation needed" teaches, within limits.
#include "stack/path_mtu.hpp"

#include <gtest/gtest.h>

namespace {

using base::Duration;
using base::Time;
using stack::PathMtuCache;
using wire::Ipv4Address;

const Ipv4Address dst{10, 0, 0, 2};
const Time t0 = Time::zero() + Duration::seconds(5);

TEST(PathMtu, TheRoutersNextHopMtuLowersThePath) {
    PathMtuCache c;
    EXPECT_EQ(c.get(dst, t0), std::nullopt);
    EXPECT_EQ(c.lower(dst, 1200, 1500, 1500, t0), 1200);
    EXPECT_EQ(c.get(dst, t0), 1200);
    EXPECT_EQ(c.get(Ipv4Address{10, 0, 0, 3}, t0), std::nullopt) << "per destination";
    EXPECT_EQ(c.lower(dst, 1400, 1500, 1500, t0), std::nullopt) << "never raised";
    EXPECT_EQ(c.get(dst, t0), 1200);
}

TEST(PathMtu, AnOldRouterThatSaysNothingGetsThePlateauBelow) {
    PathMtuCache c;
    EXPECT_EQ(c.lower(dst, 0, 1500, 1500, t0), 1492);
    EXPECT_EQ(c.lower(dst, 0, 1492, 1500, t0), 1006);
    EXPECT_EQ(stack::plateau_below(1006), 508);
    EXPECT_EQ(stack::plateau_below(68), 68);
    // A next-hop MTU not below the packet is nonsense: the plateau instead.
    PathMtuCache d;
    EXPECT_EQ(d.lower(dst, 1500, 1500, 1500, t0), 1492);
}

TEST(PathMtu, NeverBelow552) {
    PathMtuCache c;
    EXPECT_EQ(c.lower(dst, 68, 1500, 1500, t0), 552);
    EXPECT_EQ(c.lower(dst, 300, 552, 1500, t0), std::nullopt);
}

TEST(PathMtu, EntriesExpireAfterTenMinutes) {
    PathMtuCache c;
    c.lower(dst, 1200, 1500, 1500, t0);
    EXPECT_EQ(c.get(dst, t0 + Duration::seconds(599)), 1200);
    EXPECT_EQ(c.get(dst, t0 + Duration::seconds(600)), std::nullopt);
}

TEST(PathMtu, BoundedByCapacity) {
    PathMtuCache c({.capacity = 3});
    for (uint8_t i = 1; i <= 10; ++i)
        c.lower(Ipv4Address{10, 0, 1, i}, 1000, 1500, 1500, t0 + Duration::seconds(i));
    EXPECT_EQ(c.size(), 3u);
    EXPECT_EQ(c.get(Ipv4Address{10, 0, 1, 10}, t0 + Duration::seconds(10)), 1000) << "newest kept";
    EXPECT_EQ(c.get(Ipv4Address{10, 0, 1, 1}, t0 + Duration::seconds(10)), std::nullopt);
}

}  // namespace
