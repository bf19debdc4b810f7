#include "sim/routing.hpp"

#include <gtest/gtest.h>

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
