// IPv6 in simulated topologies: static routes and default gateways from the
// file reach the hosts, computed routes take the rest, ping and traceroute
// go across routers over IPv6, and a host on an `auto` end forms its
// address from its router's advertisements.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness.hpp"

namespace {

using scenario::Scenario;

wire::Ipv6Address six(const char* text) {
    return wire::Ipv6Address::parse(text).value();
}

// a — r1 — r2 — c, IPv6 only; a has a default gateway, c a static route back.
constexpr const char* chain6 = R"(
hosts:
  a: {gateway6: "2001:db8:1::2"}
  c: {}
routers:
  r1: {}
  r2: {}
links:
  - ends: [a, r1]
    addresses6: [2001:db8:1::1/64, 2001:db8:1::2/64]
  - ends: [r1, r2]
    addresses6: [2001:db8:12::1/64, 2001:db8:12::2/64]
  - ends: [r2, c]
    addresses6: [2001:db8:2::1/64, 2001:db8:2::2/64]
routes:
  - {node: c, to: "2001:db8:1::/64", via: "2001:db8:2::1", metric: 7}
)";

const stack::Ipv6Route* find(const std::vector<stack::Ipv6Route>& routes, const wire::Ipv6Cidr& to,
                             stack::RouteSource source) {
    const auto it = std::find_if(routes.begin(), routes.end(), [&](const stack::Ipv6Route& r) {
        return r.destination == to && r.source == source;
    });
    return it == routes.end() ? nullptr : &*it;
}

TEST(Ipv6Topology, StaticAndComputedRoutesReachTheHosts) {
    Scenario s(chain6);
    const auto a = s.node("a").host().routes6().routes();
    const stack::Ipv6Route* def = find(a, {six("::"), 0}, stack::RouteSource::static_route);
    ASSERT_NE(def, nullptr) << "gateway6 is a's default route";
    EXPECT_EQ(def->gateway, six("2001:db8:1::2"));
    const stack::Ipv6Route* far = find(a, {six("2001:db8:2::"), 64}, stack::RouteSource::computed);
    ASSERT_NE(far, nullptr) << "and the computed routes are there too";
    EXPECT_EQ(far->gateway, six("2001:db8:1::2"));
    const auto c = s.node("c").host().routes6().routes();
    const stack::Ipv6Route* back =
        find(c, {six("2001:db8:1::"), 64}, stack::RouteSource::static_route);
    ASSERT_NE(back, nullptr);
    EXPECT_EQ(back->gateway, six("2001:db8:2::1"));
    EXPECT_EQ(back->metric, 7u);
    const auto r1 = s.node("r1").host().routes6().routes();
    const stack::Ipv6Route* to_c =
        find(r1, {six("2001:db8:2::"), 64}, stack::RouteSource::computed);
    ASSERT_NE(to_c, nullptr);
    EXPECT_EQ(to_c->gateway, six("2001:db8:12::2"));
    EXPECT_EQ(to_c->interface, 1u);
}

TEST(Ipv6Topology, PingAndTracerouteCrossTheRouters) {
    Scenario s(chain6);
    s.sim().run_until([] { return false; }, base::Time::zero() + base::Duration::seconds(2));
    apps::TracerouteOptions o;
    o.destination = six("2001:db8:2::2");
    std::vector<std::string> lines;
    apps::Traceroute t(
        s.node("a").host(), o, [&](const std::string& l) { lines.push_back(l); },
        [&](const wire::IpAddress& x) { return s.net().name_of(x); });
    t.start(s.sim().now());
    s.node("a").wake();
    s.sim().run_until([&] { return t.done(); }, s.sim().now() + base::Duration::seconds(60));
    ASSERT_TRUE(t.reached());
    ASSERT_EQ(t.hops().size(), 3u);
    EXPECT_EQ(t.hops()[0].from[0], wire::IpAddress{six("2001:db8:1::2")});
    EXPECT_EQ(t.hops()[1].from[0], wire::IpAddress{six("2001:db8:12::2")});
    EXPECT_EQ(t.hops()[2].from[0], wire::IpAddress{six("2001:db8:2::2")});
    EXPECT_EQ(s.net().name_of(t.hops()[1].from[0]), "r2");
}

// laptop's end is `auto`: r1 advertises 2001:db8:7::/64 there, and only
// there; c, behind r2, has a configured address.
constexpr const char* slaac = R"(
hosts:
  laptop: {}
  c: {}
routers:
  r1: {}
  r2: {}
links:
  - ends: [laptop, r1]
    addresses6: [auto, "2001:db8:7::1/64"]
  - ends: [r1, r2]
    addresses6: [2001:db8:12::1/64, 2001:db8:12::2/64]
  - ends: [r2, c]
    addresses6: [2001:db8:2::1/64, 2001:db8:2::2/64]
)";

TEST(Ipv6Topology, AnAutoEndFormsItsAddressFromTheRoutersAdvertisements) {
    Scenario s(slaac);
    // laptop is host 0, its link to r1 its eth0: MAC 02:00:00:00:00:00, so
    // the EUI-64 identifier 0000:00ff:fe00:0000 (flipped universal bit).
    const wire::Ipv6Address expected = six("2001:db8:7::ff:fe00:0");
    EXPECT_EQ(s.net().resolve("laptop"), wire::IpAddress{expected})
        << "the name means the address it will form";
    const auto global_of = [&](const std::string& node) -> const stack::Ipv6InterfaceAddress* {
        for (const stack::Ipv6InterfaceAddress& a : s.node(node).host().ipv6_addresses(0))
            if (!a.address.address.is_link_local()) return &a;
        return nullptr;
    };
    EXPECT_EQ(global_of("laptop"), nullptr) << "nothing is configured on the auto end";

    s.sim().run_until([] { return false; }, base::Time::zero() + base::Duration::seconds(3));
    const stack::Ipv6InterfaceAddress* formed = global_of("laptop");
    ASSERT_NE(formed, nullptr) << "no address formed from r1's advertisement";
    EXPECT_EQ(formed->address, (wire::Ipv6Cidr{expected, 64}));
    EXPECT_EQ(formed->origin, stack::Ipv6Origin::autoconfigured);
    EXPECT_EQ(formed->state, stack::Ipv6AddressState::preferred);

    // Its default route is the advertising router, by its link-local address.
    const auto routes = s.node("laptop").host().routes6().routes();
    const stack::Ipv6Route* def = find(routes, {six("::"), 0}, stack::RouteSource::advertised);
    ASSERT_NE(def, nullptr) << "no default route from the advertisement";
    EXPECT_EQ(def->gateway, wire::Ipv6Address::eui64(wire::Ipv6Address::link_local_prefix(),
                                                     sim::interface_mac(2, 0)))
        << "r1 (node 2: hosts first) on its eth0";
    // r1 advertises only where an end is auto: r2 and c take no route from it.
    for (const char* other : {"r2", "c"}) {
        const auto theirs = s.node(other).host().routes6().routes();
        EXPECT_EQ(find(theirs, {six("::"), 0}, stack::RouteSource::advertised), nullptr) << other;
    }

    // Reachable by name from across the routers, and it reaches back.
    const auto there = s.ping("c", "laptop", {.count = 3});
    EXPECT_EQ(there.stats.received, 3);
    const auto back = s.ping("laptop", "c", {.count = 3});
    EXPECT_EQ(back.stats.received, 3);
}

}  // namespace
