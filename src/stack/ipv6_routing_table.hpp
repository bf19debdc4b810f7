// The IPv6 routing table: longest-prefix match over connected, static and
// computed routes, with the IPv4 table's preferences (stack/routing_table.hpp):
// on equal prefix length a connected route wins over a static one, a static
// one over a computed one, then the lower metric, then the one added first.
//
// A lookup is one hash probe per prefix length in use, longest first (a host
// uses two or three: its link-local /64, its global /64s, ::/0).
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "stack/events.hpp"
#include "stack/routing_table.hpp"
#include "wire/address.hpp"

namespace stack {

struct Ipv6Route {
    wire::Ipv6Cidr destination;                // network; the host bits are ignored
    std::optional<wire::Ipv6Address> gateway;  // none: on-link
    InterfaceId interface = 0;
    uint32_t metric = 0;
    RouteSource source = RouteSource::static_route;

    bool operator==(const Ipv6Route&) const = default;
};

class Ipv6RoutingTable {
  public:
    void add(Ipv6Route r);
    void remove_source(RouteSource source);
    void remove_interface(InterfaceId interface);
    // Removes routes equal to `r` (a default route whose router went away).
    void remove(const Ipv6Route& r);

    // The best route to `dst`, or null; valid until the table changes.
    const Ipv6Route* best(const wire::Ipv6Address& dst) const;
    std::optional<Ipv6Route> lookup(const wire::Ipv6Address& dst) const {
        const Ipv6Route* r = best(dst);
        return r ? std::optional<Ipv6Route>(*r) : std::nullopt;
    }

    // Whether a route equal to `r` (host bits aside) is in the table.
    bool contains(const Ipv6Route& r) const;

    // Every route, most preferred first.
    std::vector<Ipv6Route> routes() const;
    size_t size() const { return routes_.size(); }

  private:
    struct AddressHash {
        size_t operator()(const wire::Ipv6Address& a) const;
    };
    void index(uint32_t at);
    void reindex();

    std::vector<Ipv6Route> routes_;  // in the order added
    // Per prefix length in use: network -> the best route's place in routes_.
    std::unordered_map<uint8_t, std::unordered_map<wire::Ipv6Address, uint32_t, AddressHash>> best_;
    std::vector<uint8_t> lengths_;  // the lengths in use, longest first
};

}  // namespace stack
