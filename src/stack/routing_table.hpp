// The IPv4 routing table: longest-prefix match over connected, static and
// computed routes.
//
// On equal prefix length, a static route wins over a computed one, and a
// connected route over both; among equals, the lower metric, then the one added
// first. Lookup is a scan over entries kept sorted by that order — tables here
// hold tens of routes, where a scan beats a trie.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "stack/events.hpp"
#include "wire/address.hpp"

namespace stack {

enum class RouteSource : uint8_t { connected, static_route, computed };

std::string_view to_string(RouteSource s);

struct Route {
    wire::Ipv4Cidr destination;                // network; the host bits are ignored
    std::optional<wire::Ipv4Address> gateway;  // none: the destination is on-link
    InterfaceId interface = 0;
    uint32_t metric = 0;
    RouteSource source = RouteSource::static_route;

    bool operator==(const Route&) const = default;
};

class RoutingTable {
  public:
    void add(Route r);
    // Removes every route from `source` (the routing process replaces its
    // computed routes wholesale).
    void remove_source(RouteSource source);
    // Removes routes through `interface` (when an interface goes away).
    void remove_interface(InterfaceId interface);

    // The best route to `dst`, or nullopt when none matches.
    std::optional<Route> lookup(wire::Ipv4Address dst) const;

    const std::vector<Route>& routes() const { return routes_; }

  private:
    std::vector<Route> routes_;  // most preferred first
};

}  // namespace stack
