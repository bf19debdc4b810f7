#include "stack/routing_table.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <optional>
#include <string_view>
#include <tuple>
#include <vector>

#include "testing/generators.hpp"

namespace {

using stack::Route;
using stack::RouteSource;
using stack::RoutingTable;
using wire::Ipv4Address;
using wire::Ipv4Cidr;

Ipv4Cidr cidr(std::string_view text) {
    return Ipv4Cidr::parse(text).value();
}
Ipv4Address ip(std::string_view text) {
    return Ipv4Address::parse(text).value();
}

Route route(std::string_view destination, stack::InterfaceId interface,
            RouteSource source = RouteSource::static_route, uint32_t metric = 0) {
    return Route{.destination = cidr(destination),
                 .gateway = std::nullopt,
                 .interface = interface,
                 .metric = metric,
                 .source = source};
}

Route via(std::string_view destination, std::string_view gateway, stack::InterfaceId interface,
          RouteSource source = RouteSource::static_route, uint32_t metric = 0) {
    Route r = route(destination, interface, source, metric);
    r.gateway = ip(gateway);
    return r;
}

// The interface of the route `lookup` picks, or -1 when none does.
int64_t interface_for(const RoutingTable& table, std::string_view dst) {
    const auto r = table.lookup(ip(dst));
    return r ? int64_t{r->interface} : -1;
}

TEST(RoutingTable, EmptyTableHasNoRoute) {
    RoutingTable table;
    EXPECT_FALSE(table.lookup(ip("10.0.0.1")).has_value());
    EXPECT_FALSE(table.lookup(ip("0.0.0.0")).has_value());
    EXPECT_TRUE(table.routes().empty());
}

TEST(RoutingTable, NoMatchingRouteGivesNullopt) {
    RoutingTable table;
    table.add(route("10.0.0.0/8", 1));
    table.add(route("192.168.1.0/24", 2));
    EXPECT_FALSE(table.lookup(ip("11.0.0.1")).has_value());
    EXPECT_FALSE(table.lookup(ip("192.168.2.1")).has_value());
    EXPECT_FALSE(table.lookup(ip("9.255.255.255")).has_value());
    // Edges of the prefixes still match.
    EXPECT_EQ(interface_for(table, "10.0.0.0"), 1);
    EXPECT_EQ(interface_for(table, "10.255.255.255"), 1);
    EXPECT_EQ(interface_for(table, "192.168.1.255"), 2);
}

TEST(RoutingTable, LongestPrefixWinsWhateverTheOrderAdded) {
    const std::vector<Route> routes = {route("10.0.0.0/8", 1), route("10.1.0.0/16", 2),
                                       route("10.1.2.0/24", 3), route("10.1.2.128/25", 4),
                                       route("10.1.2.200/32", 5)};
    // Every rotation of the insertion order gives the same answers.
    for (size_t start = 0; start < routes.size(); ++start) {
        RoutingTable table;
        for (size_t i = 0; i < routes.size(); ++i)
            table.add(routes[(start + i) % routes.size()]);
        SCOPED_TRACE(start);
        EXPECT_EQ(interface_for(table, "10.200.0.1"), 1);
        EXPECT_EQ(interface_for(table, "10.1.200.1"), 2);
        EXPECT_EQ(interface_for(table, "10.1.2.3"), 3);
        EXPECT_EQ(interface_for(table, "10.1.2.127"), 3);
        EXPECT_EQ(interface_for(table, "10.1.2.128"), 4);
        EXPECT_EQ(interface_for(table, "10.1.2.199"), 4);
        EXPECT_EQ(interface_for(table, "10.1.2.200"), 5);
        EXPECT_EQ(interface_for(table, "10.1.2.201"), 4);
        EXPECT_EQ(interface_for(table, "11.1.2.200"), -1);
    }
}

TEST(RoutingTable, DefaultRouteCatchesWhatNothingElseDoes) {
    RoutingTable table;
    table.add(via("0.0.0.0/0", "10.0.0.1", 1));
    table.add(route("10.0.0.0/24", 1, RouteSource::connected));
    table.add(via("172.16.0.0/12", "10.0.0.254", 2));

    const auto internet = table.lookup(ip("8.8.8.8"));
    ASSERT_TRUE(internet.has_value());
    EXPECT_EQ(internet->destination, cidr("0.0.0.0/0"));
    EXPECT_EQ(internet->gateway, ip("10.0.0.1"));

    const auto local = table.lookup(ip("10.0.0.7"));
    ASSERT_TRUE(local.has_value());
    EXPECT_EQ(local->destination, cidr("10.0.0.0/24"));
    EXPECT_FALSE(local->gateway.has_value());

    const auto corp = table.lookup(ip("172.20.1.1"));
    ASSERT_TRUE(corp.has_value());
    EXPECT_EQ(corp->gateway, ip("10.0.0.254"));
    EXPECT_EQ(corp->interface, 2u);

    // The default route matches the extremes of the address space too.
    EXPECT_EQ(interface_for(table, "0.0.0.0"), 1);
    EXPECT_EQ(interface_for(table, "255.255.255.255"), 1);
}

TEST(RoutingTable, ConnectedBeatsStaticBeatsComputedOnEqualPrefix) {
    RoutingTable table;
    // Added least preferred first, with metrics that would favour the reverse.
    table.add(route("10.0.0.0/24", 3, RouteSource::computed, 0));
    table.add(route("10.0.0.0/24", 2, RouteSource::static_route, 5));
    table.add(route("10.0.0.0/24", 1, RouteSource::connected, 100));

    auto best = table.lookup(ip("10.0.0.9"));
    ASSERT_TRUE(best.has_value());
    EXPECT_EQ(best->source, RouteSource::connected);
    EXPECT_EQ(best->interface, 1u);

    table.remove_source(RouteSource::connected);
    best = table.lookup(ip("10.0.0.9"));
    ASSERT_TRUE(best.has_value());
    EXPECT_EQ(best->source, RouteSource::static_route);
    EXPECT_EQ(best->interface, 2u);

    table.remove_source(RouteSource::static_route);
    best = table.lookup(ip("10.0.0.9"));
    ASSERT_TRUE(best.has_value());
    EXPECT_EQ(best->source, RouteSource::computed);
    EXPECT_EQ(best->interface, 3u);
}

TEST(RoutingTable, SourceNeverOverridesALongerPrefix) {
    RoutingTable table;
    table.add(route("10.0.0.0/16", 1, RouteSource::connected));
    table.add(route("10.0.5.0/24", 2, RouteSource::computed, 1000));
    EXPECT_EQ(interface_for(table, "10.0.5.1"), 2);
    EXPECT_EQ(interface_for(table, "10.0.6.1"), 1);
}

TEST(RoutingTable, LowerMetricWinsWithinASource) {
    RoutingTable table;
    table.add(via("10.9.0.0/16", "10.0.0.1", 1, RouteSource::computed, 20));
    table.add(via("10.9.0.0/16", "10.0.0.2", 2, RouteSource::computed, 10));
    table.add(via("10.9.0.0/16", "10.0.0.3", 3, RouteSource::computed, 30));
    const auto best = table.lookup(ip("10.9.1.1"));
    ASSERT_TRUE(best.has_value());
    EXPECT_EQ(best->metric, 10u);
    EXPECT_EQ(best->gateway, ip("10.0.0.2"));

    // The table itself is kept in preference order.
    ASSERT_EQ(table.routes().size(), 3u);
    EXPECT_EQ(table.routes()[0].metric, 10u);
    EXPECT_EQ(table.routes()[1].metric, 20u);
    EXPECT_EQ(table.routes()[2].metric, 30u);
}

TEST(RoutingTable, FirstAddedWinsAmongEquals) {
    RoutingTable table;
    table.add(via("0.0.0.0/0", "10.0.0.1", 1, RouteSource::static_route, 7));
    table.add(via("0.0.0.0/0", "10.0.0.2", 2, RouteSource::static_route, 7));
    table.add(via("0.0.0.0/0", "10.0.0.3", 3, RouteSource::static_route, 7));
    const auto best = table.lookup(ip("1.2.3.4"));
    ASSERT_TRUE(best.has_value());
    EXPECT_EQ(best->gateway, ip("10.0.0.1"));

    ASSERT_EQ(table.routes().size(), 3u);
    EXPECT_EQ(table.routes()[0].interface, 1u);
    EXPECT_EQ(table.routes()[1].interface, 2u);
    EXPECT_EQ(table.routes()[2].interface, 3u);

    // Removing the first promotes the next one added.
    table.remove_interface(1);
    EXPECT_EQ(table.lookup(ip("1.2.3.4"))->gateway, ip("10.0.0.2"));
}

TEST(RoutingTable, HostBitsOfTheDestinationAreMaskedOnAdd) {
    RoutingTable table;
    table.add(route("10.1.2.3/24", 1));
    table.add(route("192.168.77.77/0", 2));
    table.add(route("172.16.5.9/32", 3));
    table.add(route("10.255.1.1/9", 4));

    ASSERT_EQ(table.routes().size(), 4u);
    // Sorted by prefix length: /32, /24, /9, /0.
    EXPECT_EQ(table.routes()[0].destination, cidr("172.16.5.9/32"));
    EXPECT_EQ(table.routes()[1].destination, cidr("10.1.2.0/24"));
    EXPECT_EQ(table.routes()[2].destination, cidr("10.128.0.0/9"));
    EXPECT_EQ(table.routes()[3].destination, cidr("0.0.0.0/0"));

    const auto r = table.lookup(ip("10.1.2.200"));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->destination, cidr("10.1.2.0/24"));
    EXPECT_EQ(interface_for(table, "10.200.0.1"), 4);
    EXPECT_EQ(interface_for(table, "10.127.0.1"), 2);
    EXPECT_EQ(interface_for(table, "172.16.5.9"), 3);
    EXPECT_EQ(interface_for(table, "172.16.5.8"), 2);
}

TEST(RoutingTable, RemoveSourceRemovesOnlyThatSource) {
    RoutingTable table;
    table.add(route("10.0.0.0/24", 1, RouteSource::connected));
    table.add(route("10.1.0.0/16", 2, RouteSource::computed));
    table.add(route("10.2.0.0/16", 2, RouteSource::computed));
    table.add(via("0.0.0.0/0", "10.0.0.1", 1, RouteSource::static_route));
    table.add(route("10.3.0.0/16", 3, RouteSource::computed));

    table.remove_source(RouteSource::computed);
    ASSERT_EQ(table.routes().size(), 2u);
    for (const Route& r : table.routes())
        EXPECT_NE(r.source, RouteSource::computed);
    EXPECT_EQ(table.lookup(ip("10.1.0.1"))->destination, cidr("0.0.0.0/0"));
    EXPECT_EQ(table.lookup(ip("10.0.0.1"))->destination, cidr("10.0.0.0/24"));

    // Removing a source with no routes changes nothing.
    table.remove_source(RouteSource::computed);
    EXPECT_EQ(table.routes().size(), 2u);

    table.remove_source(RouteSource::static_route);
    ASSERT_EQ(table.routes().size(), 1u);
    EXPECT_EQ(table.routes()[0].source, RouteSource::connected);
    EXPECT_FALSE(table.lookup(ip("10.1.0.1")).has_value());
}

TEST(RoutingTable, RemoveInterfaceRemovesEveryRouteThroughIt) {
    RoutingTable table;
    table.add(route("10.0.0.0/24", 1, RouteSource::connected));
    table.add(route("10.0.1.0/24", 2, RouteSource::connected));
    table.add(via("10.5.0.0/16", "10.0.0.1", 1, RouteSource::computed));
    table.add(via("10.5.0.0/16", "10.0.1.1", 2, RouteSource::computed, 50));
    table.add(via("0.0.0.0/0", "10.0.0.1", 1, RouteSource::static_route));

    EXPECT_EQ(interface_for(table, "10.5.3.3"), 1);
    table.remove_interface(1);
    ASSERT_EQ(table.routes().size(), 2u);
    for (const Route& r : table.routes())
        EXPECT_EQ(r.interface, 2u);
    EXPECT_EQ(interface_for(table, "10.5.3.3"), 2);  // the worse route takes over
    EXPECT_EQ(interface_for(table, "10.0.0.5"), -1);
    EXPECT_EQ(interface_for(table, "8.8.8.8"), -1);

    table.remove_interface(9);  // unknown: no effect
    EXPECT_EQ(table.routes().size(), 2u);
    table.remove_interface(2);
    EXPECT_TRUE(table.routes().empty());
}

TEST(RoutingTable, SourceNames) {
    EXPECT_EQ(stack::to_string(RouteSource::connected), "connected");
    EXPECT_EQ(stack::to_string(RouteSource::static_route), "static");
    EXPECT_EQ(stack::to_string(RouteSource::computed), "computed");
}

// Reference model: the documented order, by brute force over the routes in the
// order they were added.
int source_rank(RouteSource s) {
    switch (s) {
        case RouteSource::connected:
            return 0;
        case RouteSource::static_route:
            return 1;
        case RouteSource::computed:
            return 2;
        case RouteSource::advertised:
            return 3;
    }
    return 4;
}

std::optional<Route> reference_lookup(const std::vector<Route>& added, Ipv4Address dst) {
    std::optional<Route> best;
    for (Route r : added) {
        r.destination.address = r.destination.network();
        if (!r.destination.contains(dst)) continue;
        if (!best) {
            best = r;
            continue;
        }
        const auto key = [](const Route& x) {
            return std::tuple{-int{x.destination.prefix_len}, source_rank(x.source), x.metric};
        };
        if (key(r) < key(*best)) best = r;  // strict: the first added wins ties
    }
    return best;
}

// Routes clustered around a few networks so that lookups often match several.
rc::Gen<Route> clustered_route() {
    return rc::gen::exec([] {
        const uint32_t base = *rc::gen::element(0x0a000000u, 0x0a010000u, 0xc0a80100u, 0u);
        const uint32_t noise = *rc::gen::inRange<uint32_t>(0, 0x20000);
        Route r;
        r.destination =
            Ipv4Cidr{Ipv4Address::from_u32(base ^ noise), *rc::gen::inRange<uint8_t>(0, 33)};
        if (*rc::gen::arbitrary<bool>()) r.gateway = *testing_support::gen::ipv4_address();
        r.interface = *rc::gen::inRange<stack::InterfaceId>(0, 4);
        r.metric = *rc::gen::inRange<uint32_t>(0, 3);
        r.source = *rc::gen::element(RouteSource::connected, RouteSource::static_route,
                                     RouteSource::computed);
        return r;
    });
}

RC_GTEST_PROP(RoutingTable, LookupMatchesBruteForce, ()) {
    const auto added = *rc::gen::container<std::vector<Route>>(clustered_route());
    RoutingTable table;
    for (const Route& r : added)
        table.add(r);
    RC_ASSERT(table.routes().size() == added.size());

    const auto addresses = *rc::gen::container<std::vector<Ipv4Address>>(rc::gen::oneOf(
        testing_support::gen::ipv4_address(),
        rc::gen::map(rc::gen::inRange<uint32_t>(0, 0x20000),
                     [](uint32_t v) { return Ipv4Address::from_u32(0x0a000000u ^ v); })));
    for (const Ipv4Address dst : addresses) {
        const std::optional<Route> got = table.lookup(dst);
        const std::optional<Route> want = reference_lookup(added, dst);
        RC_ASSERT(got.has_value() == want.has_value());
        if (!got) continue;
        RC_ASSERT(got->destination.contains(dst));
        RC_ASSERT(got->destination.address == got->destination.network());
        for (const Route& other : added) {
            Ipv4Cidr masked = other.destination;
            masked.address = masked.network();
            if (masked.contains(dst))
                RC_ASSERT(other.destination.prefix_len <= got->destination.prefix_len);
        }
        RC_ASSERT(*got == *want);
    }
}

RC_GTEST_PROP(RoutingTable, RemovalsMatchBruteForce, ()) {
    const auto added = *rc::gen::container<std::vector<Route>>(clustered_route());
    RoutingTable table;
    for (const Route& r : added)
        table.add(r);
    const RouteSource gone_source =
        *rc::gen::element(RouteSource::connected, RouteSource::static_route, RouteSource::computed);
    const auto gone_interface = *rc::gen::inRange<stack::InterfaceId>(0, 4);
    table.remove_source(gone_source);
    table.remove_interface(gone_interface);

    std::vector<Route> kept;
    for (const Route& r : added) {
        if (r.source != gone_source && r.interface != gone_interface) kept.push_back(r);
    }
    RC_ASSERT(table.routes().size() == kept.size());
    for (int i = 0; i < 20; ++i) {
        const Ipv4Address dst =
            Ipv4Address::from_u32(*rc::gen::element(0x0a000000u, 0x0a010000u, 0xc0a80100u, 0u) ^
                                  *rc::gen::inRange<uint32_t>(0, 0x20000));
        RC_ASSERT(table.lookup(dst) == reference_lookup(kept, dst));
    }
}

}  // namespace
