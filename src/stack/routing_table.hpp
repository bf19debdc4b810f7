// The IPv4 routing table: longest-prefix match over connected, static and
// computed routes.
//
// On equal prefix length, a static route wins over a computed one, and a
// connected route over both; among equals, the lower metric, then the one added
// first. A host holds a handful of routes and a router in a large topology
// thousands, so a lookup is one hash probe per prefix length in use (a host:
// two or three), longest first, never a scan of the routes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stack/events.hpp"
#include "wire/address.hpp"

namespace stack {

// Where a route came from. `advertised` routes come from IPv6 router
// advertisements (a default router, RFC 4861 §6.3.4) and rank last.
enum class RouteSource : uint8_t { connected, static_route, computed, advertised };

std::string_view to_string(RouteSource s);

// On equal prefix lengths the lower rank wins: connected, static, computed,
// advertised.
int preference_rank(RouteSource s);

// True when route `a` is preferred to `b` for destinations both match, in
// either family: the longer prefix, then the source's rank, then the lower
// metric (among equals the caller keeps the one added first).
template <class R>
bool preferred_route(const R& a, const R& b) {
    if (a.destination.prefix_len != b.destination.prefix_len) {
        return a.destination.prefix_len > b.destination.prefix_len;
    }
    if (a.source != b.source) return preference_rank(a.source) < preference_rank(b.source);
    return a.metric < b.metric;
}

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
    std::optional<Route> lookup(wire::Ipv4Address dst) const {
        const Route* r = best(dst);
        return r ? std::optional<Route>(*r) : std::nullopt;
    }
    // The same in place, for every packet sent or forwarded: null when none
    // matches; valid until the table changes.
    const Route* best(wire::Ipv4Address dst) const {
        const uint32_t d = dst.to_u32();
        // Fibonacci hashing: the top bits of the product mix every bit of the
        // address (destinations that differ only in the third byte must not
        // share a slot, as 10.0.0.2 and 10.0.1.2 across a dumbbell would).
        Recent& slot = recent_[(d * 0x9e3779b1u) >> recent_shift_];
        if (slot.generation != generation_ || slot.dst != d) slot = {d, find(dst), generation_};
        return slot.route == none ? nullptr : &routes_[slot.route];
    }

    // Every route, most preferred first (longest prefix, then connected,
    // static, computed, then metric, then the order they were added).
    std::vector<Route> routes() const;
    size_t size() const { return routes_.size(); }

  private:
    void index(uint32_t at);
    void reindex();
    void forget_recent();
    uint32_t find(wire::Ipv4Address dst) const;  // the best route's index, or `none`

    std::vector<Route> routes_;  // in the order added
    // Per prefix length: network -> the best route's place in routes_.
    std::array<std::unordered_map<uint32_t, uint32_t>, 33> best_;
    uint64_t lengths_ = 0;  // bit L: some route has prefix length L
    // Recent answers by destination (direct-mapped; emptied by any change):
    // a host talks to a few destinations, a router forwards to more. Sized
    // with the table: 16 slots for a host, up to 4096 for a large router.
    struct Recent {
        uint32_t dst = 0;
        uint32_t route = 0;       // index into routes_, or `none`
        uint32_t generation = 0;  // valid while it is the table's
    };
    static constexpr uint32_t none = UINT32_MAX;
    mutable std::vector<Recent> recent_ = std::vector<Recent>(16);
    int recent_shift_ = 32 - 4;  // 32 - log2(recent_.size())
    uint32_t generation_ = 1;    // bumped by every change: all recent answers go
};

}  // namespace stack
