#include "stack/port_table.hpp"

#include <array>
#include <set>

#include <gtest/gtest.h>

namespace {

using stack::Endpoint;
using stack::PortError;
using stack::PortTable;
using wire::Ipv4Address;

const Ipv4Address any = Ipv4Address::any();
const Ipv4Address local_a{10, 0, 0, 1};
const Ipv4Address local_b{10, 0, 1, 1};

struct Table {
    base::RandomStream random{base::Seed{1}};
    PortTable ports{{0x0123456789abcdefULL, 0xfedcba9876543210ULL}, random};
};

TEST(PortTable, APortInUseCannotBeBoundAgain) {
    Table t;
    ASSERT_TRUE(t.ports.bind(1, {any, 80}, false));
    auto again = t.ports.bind(2, {any, 80}, false);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error(), PortError::in_use);
    EXPECT_FALSE(t.ports.bind(3, {local_a, 80}, false)) << "0.0.0.0 overlaps every address";
    EXPECT_TRUE(t.ports.bind(4, {any, 81}, false));
    EXPECT_FALSE(t.ports.bind(4, {any, 82}, false)) << "an owner holds one binding";
    EXPECT_FALSE(t.ports.bind(5, {any, 0}, false)) << "port 0 means 'pick one', not a port";
}

TEST(PortTable, SpecificAddressesDoNotOverlap) {
    Table t;
    ASSERT_TRUE(t.ports.bind(1, {local_a, 53}, false));
    EXPECT_TRUE(t.ports.bind(2, {local_b, 53}, false));
    EXPECT_FALSE(t.ports.bind(3, {any, 53}, false));
}

TEST(PortTable, ReuseNeedsBothSidesToAsk) {
    Table t;
    ASSERT_TRUE(t.ports.bind(1, {any, 5353}, true));
    EXPECT_FALSE(t.ports.bind(2, {any, 5353}, false));
    EXPECT_TRUE(t.ports.bind(3, {any, 5353}, true));
    // Among equals, the most recently bound gets the datagrams.
    EXPECT_EQ(t.ports.lookup({local_a, 5353}, {local_b, 1000}), 3u);
}

TEST(PortTable, ReleaseFreesThePort) {
    Table t;
    ASSERT_TRUE(t.ports.bind(1, {any, 9000}, false));
    t.ports.release(1);
    EXPECT_TRUE(t.ports.bind(2, {any, 9000}, false));
    EXPECT_FALSE(t.ports.local_of(1));
    EXPECT_EQ(t.ports.size(), 1u);
}

TEST(PortTable, DemuxPrefersTheMostSpecificBinding) {
    Table t;
    const Endpoint client{local_b, 40000};
    ASSERT_TRUE(t.ports.bind(1, {any, 7000}, true));
    ASSERT_TRUE(t.ports.bind(2, {local_a, 7000}, true));
    ASSERT_TRUE(t.ports.bind(3, {any, 7000}, true));
    ASSERT_TRUE(t.ports.connect(3, client));
    EXPECT_EQ(t.ports.lookup({local_a, 7000}, client), 3u) << "connected beats all";
    EXPECT_EQ(t.ports.lookup({local_a, 7000}, {local_b, 40001}), 2u) << "then a specific address";
    EXPECT_EQ(t.ports.lookup({Ipv4Address{10, 0, 0, 9}, 7000}, {local_b, 40001}), 1u) << "then any";
    EXPECT_FALSE(t.ports.lookup({local_a, 7001}, client)) << "a port nobody has";
}

TEST(PortTable, ConnectedBindingsShareALocalPortWithDifferentRemotes) {
    Table t;
    const Endpoint remote1{local_b, 80}, remote2{local_b, 81};
    ASSERT_TRUE(t.ports.bind(1, {local_a, 50000}, false));
    ASSERT_TRUE(t.ports.connect(1, remote1));
    // A second owner on the same local port, connected elsewhere: allowed by
    // Algorithm 4, not by a plain bind (which is not connected yet).
    EXPECT_FALSE(t.ports.bind(2, {local_a, 50000}, false));
    EXPECT_FALSE(t.ports.connect(9, remote1)) << "not bound";
    EXPECT_EQ(t.ports.remote_of(1), remote1);
    EXPECT_EQ(t.ports.lookup({local_a, 50000}, remote2), std::nullopt);
}

TEST(PortTable, UnconnectedEphemeralPortsStayInRangeUntilExhausted) {
    Table t;
    std::set<uint16_t> seen;
    for (PortTable::Owner o = 1; o <= 16384; ++o) {
        auto port = t.ports.bind_ephemeral(o, any, std::nullopt);
        ASSERT_TRUE(port) << o;
        ASSERT_GE(*port, 49152);
        ASSERT_TRUE(seen.insert(*port).second) << "port " << *port << " given twice";
    }
    auto none = t.ports.bind_ephemeral(20000, any, std::nullopt);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error(), PortError::exhausted);
}

// 60,000 connected ephemeral binds to eight destinations: never the same
// 4-tuple twice while both live, and ports spread evenly over the range (a
// chi-squared test over 64 bins of 256 ports: with 63 degrees of freedom the
// statistic exceeds 103.4 with probability 0.001; the inputs are fixed, so this
// is deterministic).
TEST(PortTable, SixtyThousandEphemeralBindsNeverCollideAndSpreadEvenly) {
    Table t;
    std::set<std::pair<Endpoint, Endpoint>> tuples;
    std::array<int, 64> bins{};
    const int binds = 60'000;
    for (int i = 0; i < binds; ++i) {
        const Endpoint remote{Ipv4Address{10, 9, 0, static_cast<uint8_t>(i % 8)},
                              static_cast<uint16_t>(443 + i % 2)};
        auto port = t.ports.bind_ephemeral(static_cast<PortTable::Owner>(i + 1), local_a, remote);
        ASSERT_TRUE(port) << "bind " << i;
        ASSERT_TRUE(tuples.insert({Endpoint{local_a, *port}, remote}).second)
            << "4-tuple reused at bind " << i;
        ++bins[(*port - 49152) / 256];
    }
    const double expected = static_cast<double>(binds) / bins.size();
    double chi2 = 0;
    for (int b : bins)
        chi2 += (b - expected) * (b - expected) / expected;
    RecordProperty("chi2", std::to_string(chi2));
    EXPECT_LT(chi2, 103.4);
}

TEST(PortTable, DestinationsGetDifferentPortSequences) {
    Table t;
    auto first_port = [&](Endpoint remote, PortTable::Owner o) {
        return *t.ports.bind_ephemeral(o, local_a, remote);
    };
    const uint16_t to_one = first_port({Ipv4Address{192, 0, 2, 1}, 80}, 1);
    const uint16_t to_two = first_port({Ipv4Address{192, 0, 2, 2}, 80}, 2);
    EXPECT_NE(to_one, to_two) << "the offset is a keyed hash of the destination";
    // With another key (another host), the same destination gets another port.
    base::RandomStream r{base::Seed{1}};
    PortTable other{{1, 2}, r};
    EXPECT_NE(*other.bind_ephemeral(1, local_a, Endpoint{Ipv4Address{192, 0, 2, 1}, 80}), to_one);
}

TEST(PortTable, EphemeralPortsSkipLiveTuples) {
    Table t;
    const Endpoint remote{local_b, 80};
    // Pretend every even port has a live connection to `remote`.
    t.ports.set_tuple_in_use(
        [&](Endpoint local, Endpoint r) { return r == remote && local.port % 2 == 0; });
    for (PortTable::Owner o = 1; o <= 100; ++o) {
        auto port = t.ports.bind_ephemeral(o, local_a, remote);
        ASSERT_TRUE(port);
        EXPECT_EQ(*port % 2, 1);
    }
}

}  // namespace

namespace {

const wire::Ipv6Address any6{};
const wire::Ipv6Address local6 = wire::Ipv6Address::parse("2001:db8::1").value();
const wire::Ipv6Address remote6 = wire::Ipv6Address::parse("2001:db8::99").value();

TEST(PortTable, TheFamiliesAreApartUnlessABindingOnAnyV6IsDualStack) {
    Table t;
    ASSERT_TRUE(t.ports.bind(1, {any, 80}, false));
    EXPECT_TRUE(t.ports.bind(2, {any6, 80}, false)) << "0.0.0.0 and a V6ONLY :: coexist";
    EXPECT_FALSE(t.ports.bind(3, {local6, 80}, false)) << ":: overlaps IPv6 addresses";
    EXPECT_EQ(t.ports.lookup({local_a, 80}, {local_b, 1000}), 1u);
    EXPECT_EQ(t.ports.lookup({local6, 80}, {remote6, 1000}), 2u);

    ASSERT_TRUE(t.ports.bind(4, {any6, 81}, false, true));
    EXPECT_FALSE(t.ports.bind(5, {local_a, 81}, false))
        << "a dual-stack :: holds the port on every IPv4 address too";
    EXPECT_FALSE(t.ports.bind(6, {any6, 80}, false, true)) << "and conflicts with 0.0.0.0";
    EXPECT_EQ(t.ports.lookup({local_a, 81}, {local_b, 1000}), 4u);
    EXPECT_EQ(t.ports.lookup({local6, 81}, {remote6, 1000}), 4u);
    // Only :: can be dual-stack: a specific IPv6 address leaves IPv4 alone.
    ASSERT_TRUE(t.ports.bind(7, {local6, 82}, false, true));
    EXPECT_TRUE(t.ports.bind(8, {any, 82}, false));
}

TEST(PortTable, ForIpv4TheOwnFamilysWildcardBeatsADualStackOne) {
    Table t;
    ASSERT_TRUE(t.ports.bind(1, {any, 53}, true));
    ASSERT_TRUE(t.ports.bind(2, {any6, 53}, true, true));  // bound later
    EXPECT_EQ(t.ports.lookup({local_a, 53}, {local_b, 1000}), 1u);
    EXPECT_EQ(t.ports.lookup({local6, 53}, {remote6, 1000}), 2u);
    ASSERT_TRUE(t.ports.bind(3, {local_a, 53}, true, true));  // specific: dual means nothing
    EXPECT_EQ(t.ports.lookup({local_a, 53}, {local_b, 1000}), 3u);
}

TEST(PortTable, EphemeralPortsForIpv6DestinationsFollowAlgorithmFourToo) {
    Table t;
    std::set<uint16_t> ports;
    for (uint32_t owner = 1; owner <= 100; ++owner) {
        const auto p = t.ports.bind_ephemeral(owner, local6, Endpoint{remote6, 443});
        ASSERT_TRUE(p);
        EXPECT_GE(*p, 49152);
        ports.insert(*p);
    }
    EXPECT_EQ(ports.size(), 100u) << "no 4-tuple twice";
}

}  // namespace
