#include "stack/routing_table.hpp"

#include <algorithm>

namespace stack {
namespace {

int source_rank(RouteSource s) {
    switch (s) {
        case RouteSource::connected:
            return 0;
        case RouteSource::static_route:
            return 1;
        case RouteSource::computed:
            return 2;
    }
    return 3;
}

// True when `a` is preferred to `b` for destinations both match.
bool preferred(const Route& a, const Route& b) {
    if (a.destination.prefix_len != b.destination.prefix_len) {
        return a.destination.prefix_len > b.destination.prefix_len;
    }
    if (a.source != b.source) return source_rank(a.source) < source_rank(b.source);
    return a.metric < b.metric;
}

}  // namespace

std::string_view to_string(RouteSource s) {
    switch (s) {
        case RouteSource::connected:
            return "connected";
        case RouteSource::static_route:
            return "static";
        case RouteSource::computed:
            return "computed";
    }
    return "unknown";
}

void RoutingTable::add(Route r) {
    r.destination.address = r.destination.network();
    // Insert after every route preferred over or equal to it: stable, so among
    // equals the one added first stays first.
    auto at = std::find_if(routes_.begin(), routes_.end(),
                           [&](const Route& existing) { return preferred(r, existing); });
    routes_.insert(at, r);
}

void RoutingTable::remove_source(RouteSource source) {
    std::erase_if(routes_, [&](const Route& r) { return r.source == source; });
}

void RoutingTable::remove_interface(InterfaceId interface) {
    std::erase_if(routes_, [&](const Route& r) { return r.interface == interface; });
}

std::optional<Route> RoutingTable::lookup(wire::Ipv4Address dst) const {
    for (const Route& r : routes_) {
        if (r.destination.contains(dst)) return r;
    }
    return std::nullopt;
}

}  // namespace stack
