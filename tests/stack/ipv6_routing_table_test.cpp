#include "stack/ipv6_routing_table.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "testing/printers.hpp"

namespace {

using stack::Ipv6Route;
using stack::Ipv6RoutingTable;
using stack::RouteSource;
using wire::Ipv6Address;
using wire::Ipv6Cidr;

Ipv6Address addr(std::string_view text) {
    return Ipv6Address::parse(text).value();
}

TEST(Ipv6RoutingTable, LongestPrefixWinsThenConnectedThenMetric) {
    Ipv6RoutingTable t;
    t.add({.destination = {Ipv6Address::any(), 0}, .gateway = addr("fe80::1"), .interface = 0});
    t.add({.destination = {addr("2001:db8::"), 32}, .gateway = addr("fe80::2"), .interface = 1});
    t.add({.destination = {addr("2001:db8:5::"), 48},
           .interface = 2,
           .metric = 5,
           .source = RouteSource::computed});
    t.add({.destination = {addr("2001:db8:5::"), 48},
           .interface = 3,
           .metric = 9,
           .source = RouteSource::connected});
    EXPECT_EQ(t.best(addr("2001:db8:5::1"))->interface, 3u) << "connected beats computed";
    EXPECT_EQ(t.best(addr("2001:db8:6::1"))->interface, 1u);
    EXPECT_EQ(t.best(addr("2001:4860::1"))->interface, 0u) << "the default route";
    t.remove_source(RouteSource::static_route);
    EXPECT_EQ(t.best(addr("2001:4860::1")), nullptr);
    // Host bits of a destination are ignored.
    t.add({.destination = {addr("2001:db8:7::99"), 64}, .interface = 4});
    EXPECT_EQ(t.best(addr("2001:db8:7::1"))->interface, 4u);
    EXPECT_EQ(t.routes().front().destination, (Ipv6Cidr{addr("2001:db8:7::"), 64}));
}

// Against a scan of every route, written out here: the longest matching
// prefix, then connected/static/computed, then the lower metric, then the
// first added.
RC_GTEST_PROP(Ipv6RoutingTable, AgreesWithAScanOfEveryRoute, ()) {
    // A few prefixes that nest, so routes overlap.
    const Ipv6Address base = addr("2001:db8:aa00::");
    const auto route_gen = rc::gen::exec([&] {
        auto bytes = base.bytes();
        bytes[6] = *rc::gen::element<uint8_t>(0, 1, 0x80);
        bytes[15] = *rc::gen::element<uint8_t>(0, 1);
        return Ipv6Route{
            .destination = {Ipv6Address{bytes}, *rc::gen::element<uint8_t>(0, 32, 48, 56, 64, 128)},
            .interface = *rc::gen::inRange<uint32_t>(0, 100),
            .metric = *rc::gen::inRange<uint32_t>(0, 3),
            .source = *rc::gen::element(RouteSource::connected, RouteSource::static_route,
                                        RouteSource::computed)};
    });
    const auto routes = *rc::gen::container<std::vector<Ipv6Route>>(route_gen);
    Ipv6RoutingTable t;
    for (const Ipv6Route& r : routes)
        t.add(r);
    const auto rank = [](RouteSource s) {
        return s == RouteSource::connected ? 0 : s == RouteSource::static_route ? 1 : 2;
    };
    for (int i = 0; i < 20; ++i) {
        auto bytes = base.bytes();
        bytes[6] = *rc::gen::element<uint8_t>(0, 1, 0x80, 0x81);
        bytes[15] = *rc::gen::element<uint8_t>(0, 1, 2);
        const Ipv6Address dst{bytes};
        const Ipv6Route* expected = nullptr;
        for (const Ipv6Route& r : routes) {
            if (!r.destination.contains(dst)) continue;
            if (!expected) {
                expected = &r;
                continue;
            }
            const auto key = [&](const Ipv6Route& x) {
                return std::tuple{-int{x.destination.prefix_len}, rank(x.source), x.metric};
            };
            if (key(r) < key(*expected)) expected = &r;
        }
        const Ipv6Route* got = t.best(dst);
        RC_ASSERT((got == nullptr) == (expected == nullptr));
        if (got) {
            RC_ASSERT(got->interface == expected->interface);
            RC_ASSERT(got->destination.prefix_len == expected->destination.prefix_len);
        }
    }
}

}  // namespace
