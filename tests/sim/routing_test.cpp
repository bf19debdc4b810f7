#include "sim/routing.hpp"

#include <gtest/gtest.h>

#include "base/random.hpp"

namespace {

using sim::GraphLink;

wire::Ipv4Cidr cidr(const char* text) {
    return wire::Ipv4Cidr::parse(text).value();
}

// A diamond: 0 — 1 — 3 and 0 — 2 — 3, with a stub network behind 3.
//   link 0: 0-1 10.0.1.0/30     link 1: 1-3 10.0.2.0/30
//   link 2: 0-2 10.0.3.0/30     link 3: 2-3 10.0.4.0/30
//   link 4: 3-4 10.9.0.0/24
std::vector<GraphLink> diamond(uint32_t cost_top, uint32_t cost_bottom) {
    return {
        {.node = {0, 1},
         .interface = {0, 0},
         .address = {cidr("10.0.1.1/30"), cidr("10.0.1.2/30")},
         .cost = cost_top},
        {.node = {1, 3},
         .interface = {1, 0},
         .address = {cidr("10.0.2.1/30"), cidr("10.0.2.2/30")},
         .cost = cost_top},
        {.node = {0, 2},
         .interface = {1, 0},
         .address = {cidr("10.0.3.1/30"), cidr("10.0.3.2/30")},
         .cost = cost_bottom},
        {.node = {2, 3},
         .interface = {1, 1},
         .address = {cidr("10.0.4.1/30"), cidr("10.0.4.2/30")},
         .cost = cost_bottom},
        {.node = {3, 4},
         .interface = {2, 0},
         .address = {cidr("10.9.0.1/24"), cidr("10.9.0.2/24")},
         .cost = 1},
    };
}

const stack::Route* route_to(const std::vector<stack::Route>& routes, const char* net) {
    for (const auto& r : routes) {
        if (r.destination == cidr(net)) return &r;
    }
    return nullptr;
}

TEST(Routing, FollowsTheCheaperPath) {
    const auto routes = sim::shortest_path_routes({true, true, true, true, true}, diamond(1, 5));
    const stack::Route* r = route_to(routes[0], "10.9.0.0/24");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->gateway, wire::Ipv4Address::parse("10.0.1.2").value());
    EXPECT_EQ(r->interface, 0u);
    EXPECT_EQ(r->metric, 2u);  // to the nearer end of the stub link
    EXPECT_EQ(r->source, stack::RouteSource::computed);
    // Connected subnets are left to the connected routes.
    EXPECT_EQ(route_to(routes[0], "10.0.1.0/30"), nullptr);
    // The far host routes back through node 3.
    const stack::Route* back = route_to(routes[4], "10.0.1.0/30");
    ASSERT_NE(back, nullptr);
    EXPECT_EQ(back->gateway, wire::Ipv4Address::parse("10.9.0.1").value());
}

TEST(Routing, AvoidsDownLinksAndNodes) {
    auto links = diamond(1, 5);
    links[1].up = false;
    auto routes = sim::shortest_path_routes({true, true, true, true, true}, links);
    ASSERT_NE(route_to(routes[0], "10.9.0.0/24"), nullptr);
    EXPECT_EQ(route_to(routes[0], "10.9.0.0/24")->gateway,
              wire::Ipv4Address::parse("10.0.3.2").value());

    routes = sim::shortest_path_routes({true, true, false, true, true}, links);
    EXPECT_EQ(route_to(routes[0], "10.9.0.0/24"), nullptr) << "both paths broken";
    EXPECT_TRUE(routes[2].empty()) << "a node that is down gets no routes";
}

TEST(Routing, TiesGoToTheLowerIndex) {
    const auto routes = sim::shortest_path_routes({true, true, true, true, true}, diamond(3, 3));
    // Both paths cost 6; node 1 (found first) wins, every time.
    EXPECT_EQ(route_to(routes[0], "10.9.0.0/24")->gateway,
              wire::Ipv4Address::parse("10.0.1.2").value());
}

}  // namespace

namespace {

// Random networks checked against a reference written apart from the code:
// all-pairs distances by Floyd–Warshall over the whole graph (stubs
// included), then for every node and every subnet it is not on, the lookup in
// a routing table filled with the computed routes must give the reference's
// distance, through a neighbour that lies on a shortest path — and nothing at
// all for a subnet it cannot reach or an address on no subnet.
struct RandomNet {
    std::vector<sim::RoutingNode> nodes;
    std::vector<GraphLink> links;
};

RandomNet random_net(uint64_t seed) {
    base::RandomStream rng(base::Seed{seed});
    RandomNet net;
    const size_t routers = 2 + rng.uniform(6);
    const size_t stubs = rng.uniform(10);
    net.nodes.resize(routers + stubs);
    std::vector<stack::InterfaceId> next_iface(net.nodes.size(), 0);
    uint32_t next_subnet = 0x0a000000;  // 10.0.0.0, /30 after /30: siblings
    auto link = [&](size_t a, size_t b, uint32_t cost) {
        const uint32_t base = next_subnet;
        next_subnet += 4 * (1 + static_cast<uint32_t>(rng.uniform(2)));  // sometimes a gap
        net.links.push_back({.node = {a, b},
                             .interface = {next_iface[a]++, next_iface[b]++},
                             .address = {wire::Ipv4Cidr{wire::Ipv4Address::from_u32(base + 1), 30},
                                         wire::Ipv4Cidr{wire::Ipv4Address::from_u32(base + 2), 30}},
                             .cost = cost,
                             .up = rng.uniform(10) != 0});
    };
    for (size_t r = 1; r < routers; ++r)  // a random tree among routers, then extra links
        link(rng.uniform(r), r, 1 + static_cast<uint32_t>(rng.uniform(5)));
    for (size_t extra = rng.uniform(4); extra > 0; --extra) {
        const size_t a = rng.uniform(routers), b = rng.uniform(routers);
        if (a != b) link(a, b, 1 + static_cast<uint32_t>(rng.uniform(5)));
    }
    for (size_t s = 0; s < stubs; ++s)
        link(rng.uniform(routers), routers + s, 1 + static_cast<uint32_t>(rng.uniform(3)));
    for (auto& n : net.nodes)
        n.up = rng.uniform(12) != 0;
    return net;
}

TEST(Routing, AgreesWithAllPairsShortestPathsOnRandomNetworks) {
    constexpr uint64_t inf = UINT64_MAX / 4;
    for (uint64_t seed = 1; seed <= 300; ++seed) {
        const RandomNet net = random_net(seed);
        const size_t n = net.nodes.size();
        std::vector<std::vector<uint64_t>> dist(n, std::vector<uint64_t>(n, inf));
        for (size_t v = 0; v < n; ++v)
            if (net.nodes[v].up) dist[v][v] = 0;
        for (const GraphLink& l : net.links) {
            if (!l.up || !net.nodes[l.node[0]].up || !net.nodes[l.node[1]].up) continue;
            dist[l.node[0]][l.node[1]] = std::min<uint64_t>(dist[l.node[0]][l.node[1]], l.cost);
            dist[l.node[1]][l.node[0]] = std::min<uint64_t>(dist[l.node[1]][l.node[0]], l.cost);
        }
        for (size_t k = 0; k < n; ++k)
            for (size_t i = 0; i < n; ++i)
                for (size_t j = 0; j < n; ++j)
                    dist[i][j] = std::min(dist[i][j], dist[i][k] + dist[k][j]);

        const auto routes = sim::shortest_path_routes(net.nodes, net.links);
        for (size_t s = 0; s < n; ++s) {
            if (!net.nodes[s].up) {
                EXPECT_TRUE(routes[s].empty());
                continue;
            }
            stack::RoutingTable table;
            for (const stack::Route& r : routes[s])
                table.add(r);
            for (const GraphLink& target : net.links) {
                if (target.node[0] == s || target.node[1] == s) continue;
                const uint64_t want = std::min(dist[s][target.node[0]], dist[s][target.node[1]]);
                const wire::Ipv4Address inside = target.address[1].address;
                const auto got = table.lookup(inside);
                if (want >= inf) {
                    EXPECT_FALSE(got) << "seed " << seed << ": node " << s << " reaches "
                                      << inside.to_string() << " that it cannot";
                    continue;
                }
                ASSERT_TRUE(got) << "seed " << seed << ": node " << s << " has no route to "
                                 << inside.to_string();
                EXPECT_EQ(got->metric, want) << "seed " << seed << ", node " << s;
                // The gateway is a neighbour on a shortest path.
                bool on_path = false;
                for (const GraphLink& l : net.links) {
                    for (int e = 0; e < 2; ++e) {
                        if (l.node[e] != s || l.address[1 - e].address != *got->gateway) continue;
                        if (!l.up || l.interface[e] != got->interface) continue;
                        const size_t hop = l.node[1 - e];
                        on_path = on_path || l.cost + std::min(dist[hop][target.node[0]],
                                                               dist[hop][target.node[1]]) ==
                                                 want;
                    }
                }
                EXPECT_TRUE(on_path)
                    << "seed " << seed << ", node " << s << " to " << inside.to_string();
            }
            // Summing up never covers addresses on no subnet: the gaps and
            // what lies beyond the last subnet.
            for (uint32_t a = 0x0a000000; a < 0x0a000000 + 4 * 80; a += 4) {
                bool on_a_subnet = false;
                for (const GraphLink& l : net.links)
                    on_a_subnet =
                        on_a_subnet || l.address[0].contains(wire::Ipv4Address::from_u32(a));
                if (!on_a_subnet) {
                    EXPECT_FALSE(table.lookup(wire::Ipv4Address::from_u32(a + 1)))
                        << "seed " << seed << ": a summed-up route covers a gap";
                }
            }
        }
    }
}

TEST(Routing, SubnetsBehindOneRouterAreSummedUpExactly) {
    using wire::Ipv4Cidr;
    // Four /30s in a row and a fifth after a gap: one /28 and the fifth.
    const auto summed =
        sim::aggregate_exactly({cidr("10.0.0.0/30"), cidr("10.0.0.4/30"), cidr("10.0.0.8/30"),
                                cidr("10.0.0.12/30"), cidr("10.0.0.20/30")});
    ASSERT_EQ(summed.size(), 2u);
    EXPECT_EQ(summed[0], cidr("10.0.0.0/28"));
    EXPECT_EQ(summed[1], cidr("10.0.0.20/30"));
    // Two halves that are not siblings stay apart.
    EXPECT_EQ(sim::aggregate_exactly({cidr("10.0.0.4/30"), cidr("10.0.0.8/30")}).size(), 2u);
}

TEST(Routing, AStubWithAGatewayNeedsNoRoutesAndARouterFewPerRouterBehindIt) {
    // Router 0 - router 1; 64 stubs behind router 1 on consecutive /30s.
    std::vector<sim::RoutingNode> nodes(66);
    std::vector<GraphLink> links;
    links.push_back({.node = {0, 1},
                     .interface = {0, 0},
                     .address = {cidr("100.64.0.1/30"), cidr("100.64.0.2/30")}});
    for (size_t h = 0; h < 64; ++h) {
        const uint32_t base = 0x0a000000 + static_cast<uint32_t>(h) * 4;
        links.push_back({.node = {1, 2 + h},
                         .interface = {static_cast<stack::InterfaceId>(1 + h), 0},
                         .address = {wire::Ipv4Cidr{wire::Ipv4Address::from_u32(base + 1), 30},
                                     wire::Ipv4Cidr{wire::Ipv4Address::from_u32(base + 2), 30}}});
        nodes[2 + h].wants_routes = false;
    }
    const auto routes = sim::shortest_path_routes(nodes, links);
    ASSERT_EQ(routes[0].size(), 1u) << "64 subnets behind router 1 are one /24";
    EXPECT_EQ(routes[0][0].destination, cidr("10.0.0.0/24"));
    for (size_t h = 2; h < 66; ++h)
        EXPECT_TRUE(routes[h].empty());
    nodes[0].aggregate = false;
    EXPECT_EQ(sim::shortest_path_routes(nodes, links)[0].size(), 64u);
}

}  // namespace

namespace {

wire::Ipv6Cidr cidr6(const char* text) {
    return wire::Ipv6Cidr::parse(text).value();
}

// The diamond with IPv6 too: link i's prefix is 2001:db8:i::/64, its ends ::1
// and ::2. `v4` false: IPv6 alone on every link.
std::vector<GraphLink> diamond6(uint32_t cost_top, uint32_t cost_bottom, bool v4 = true) {
    auto links = diamond(cost_top, cost_bottom);
    for (size_t i = 0; i < links.size(); ++i) {
        const std::string p = "2001:db8:" + std::to_string(i) + "::";
        links[i].address6 = {{cidr6((p + "1/64").c_str()), cidr6((p + "2/64").c_str())}};
        if (!v4) links[i].address[0] = links[i].address[1] = wire::Ipv4Cidr{};
    }
    return links;
}

const stack::Ipv6Route* route6_to(const std::vector<stack::Ipv6Route>& routes, const char* net) {
    for (const auto& r : routes) {
        if (r.destination == cidr6(net)) return &r;
    }
    return nullptr;
}

std::vector<sim::RoutingNode> all_up(size_t n) {
    return std::vector<sim::RoutingNode>(n);
}

TEST(Routing6, FollowsTheCheaperPathToEveryPrefix) {
    const auto routes = sim::shortest_path_routes6(all_up(5), diamond6(1, 5, false));
    const stack::Ipv6Route* r = route6_to(routes[0], "2001:db8:4::/64");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->gateway, wire::Ipv6Address::parse("2001:db8:0::2").value());
    EXPECT_EQ(r->interface, 0u);
    EXPECT_EQ(r->metric, 2u);
    EXPECT_EQ(r->source, stack::RouteSource::computed);
    EXPECT_EQ(route6_to(routes[0], "2001:db8:0::/64"), nullptr) << "connected";
    // The stub (node 4) reaches every other prefix through node 3.
    EXPECT_EQ(routes[4].size(), 4u);
    for (const auto& back : routes[4])
        EXPECT_EQ(back.gateway, wire::Ipv6Address::parse("2001:db8:4::1").value());
    // Nodes with no IPv6 link get nothing.
    EXPECT_TRUE(sim::shortest_path_routes6(all_up(5), diamond(1, 5))[0].empty());
}

TEST(Routing6, AvoidsDownLinksAndNodes) {
    auto links = diamond6(1, 5, false);
    links[1].up = false;
    auto routes = sim::shortest_path_routes6(all_up(5), links);
    ASSERT_NE(route6_to(routes[0], "2001:db8:4::/64"), nullptr);
    EXPECT_EQ(route6_to(routes[0], "2001:db8:4::/64")->gateway,
              wire::Ipv6Address::parse("2001:db8:2::2").value());
    auto nodes = all_up(5);
    nodes[2].up = false;
    routes = sim::shortest_path_routes6(nodes, links);
    EXPECT_EQ(route6_to(routes[0], "2001:db8:4::/64"), nullptr) << "both paths broken";
    EXPECT_TRUE(routes[2].empty());
}

// Each family routes over the links that carry it: with the cheap top path
// IPv6-only, IPv4 takes the dear bottom one and IPv6 the top.
TEST(Routing6, EachFamilyUsesOnlyItsOwnLinks) {
    auto links = diamond6(1, 5);
    for (size_t i : {0, 1})
        links[i].address[0] = links[i].address[1] = wire::Ipv4Cidr{};
    const auto v4 = sim::shortest_path_routes({true, true, true, true, true}, links);
    const auto v6 = sim::shortest_path_routes6(all_up(5), links);
    ASSERT_NE(route_to(v4[0], "10.9.0.0/24"), nullptr);
    EXPECT_EQ(route_to(v4[0], "10.9.0.0/24")->gateway,
              wire::Ipv4Address::parse("10.0.3.2").value());
    for (const auto& r : v4[0])
        EXPECT_NE(r.destination.prefix_len, 0) << "no route from a link without IPv4";
    ASSERT_NE(route6_to(v6[0], "2001:db8:4::/64"), nullptr);
    EXPECT_EQ(route6_to(v6[0], "2001:db8:4::/64")->gateway,
              wire::Ipv6Address::parse("2001:db8:0::2").value());
}

// Against a reference: Floyd–Warshall over random IPv6 graphs, each node's
// route to each prefix costs the distance to the prefix's nearer end.
TEST(Routing6, MetricsAgreeWithAllPairsShortestPaths) {
    base::RandomStream rng{base::Seed{66}};
    for (int round = 0; round < 50; ++round) {
        const size_t n = 2 + rng.uniform(10);
        std::vector<GraphLink> links;
        for (size_t a = 0; a < n; ++a) {
            for (size_t b = a + 1; b < n; ++b) {
                if (!rng.chance(0.35)) continue;
                const std::string p = "2001:db8:" + std::to_string(links.size()) + "::";
                GraphLink l{.node = {a, b},
                            .interface = {0, 0},
                            .cost = static_cast<uint32_t>(1 + rng.uniform(9))};
                l.address6 = {{cidr6((p + "1/64").c_str()), cidr6((p + "2/64").c_str())}};
                links.push_back(l);
            }
        }
        constexpr uint64_t far = UINT64_MAX / 4;
        std::vector<std::vector<uint64_t>> d(n, std::vector<uint64_t>(n, far));
        for (size_t v = 0; v < n; ++v)
            d[v][v] = 0;
        for (const auto& l : links) {
            d[l.node[0]][l.node[1]] = std::min<uint64_t>(d[l.node[0]][l.node[1]], l.cost);
            d[l.node[1]][l.node[0]] = d[l.node[0]][l.node[1]];
        }
        for (size_t k = 0; k < n; ++k)
            for (size_t i = 0; i < n; ++i)
                for (size_t j = 0; j < n; ++j)
                    d[i][j] = std::min(d[i][j], d[i][k] + d[k][j]);
        const auto routes = sim::shortest_path_routes6(all_up(n), links);
        for (size_t s = 0; s < n; ++s) {
            size_t expected = 0;
            for (const auto& l : links) {
                if (l.node[0] == s || l.node[1] == s) continue;
                const uint64_t best = std::min(d[s][l.node[0]], d[s][l.node[1]]);
                if (best >= far) continue;
                ++expected;
                const auto prefix = (*l.address6)[0];
                const stack::Ipv6Route* r = nullptr;
                for (const auto& x : routes[s])
                    if (x.destination.address == prefix.network()) r = &x;
                ASSERT_NE(r, nullptr) << "round " << round << " node " << s;
                EXPECT_EQ(r->metric, best) << "round " << round << " node " << s;
            }
            EXPECT_EQ(routes[s].size(), expected) << "round " << round << " node " << s;
        }
    }
}

}  // namespace
