#include "stack/routing_table.hpp"

#include <algorithm>
#include <bit>

namespace stack {

int preference_rank(RouteSource s) {
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

std::string_view to_string(RouteSource s) {
    switch (s) {
        case RouteSource::connected:
            return "connected";
        case RouteSource::static_route:
            return "static";
        case RouteSource::computed:
            return "computed";
        case RouteSource::advertised:
            return "advertised";
    }
    return "unknown";
}

void RoutingTable::add(Route r) {
    r.destination.address = r.destination.network();
    routes_.push_back(r);
    index(static_cast<uint32_t>(routes_.size() - 1));
}

void RoutingTable::index(uint32_t at) {
    forget_recent();
    const Route& r = routes_[at];
    const uint8_t len = r.destination.prefix_len;
    auto [it, inserted] = best_[len].try_emplace(r.destination.address.to_u32(), at);
    // Among equals the one added first stays: replace only a worse one.
    if (!inserted && preferred_route(r, routes_[it->second])) it->second = at;
    lengths_ |= uint64_t{1} << len;
}

void RoutingTable::reindex() {
    forget_recent();
    for (auto& m : best_)
        m.clear();
    lengths_ = 0;
    for (uint32_t i = 0; i < routes_.size(); ++i)
        index(i);
}

void RoutingTable::forget_recent() {
    ++generation_;
    size_t slots = recent_.size();
    while (slots < 4 * routes_.size() && slots < 4096)
        slots *= 2;
    if (slots != recent_.size()) {
        recent_.assign(slots, Recent{});
        recent_shift_ = 32 - std::countr_zero(slots);
    }
}

void RoutingTable::remove_source(RouteSource source) {
    if (std::erase_if(routes_, [&](const Route& r) { return r.source == source; }) > 0) reindex();
}

void RoutingTable::remove_interface(InterfaceId interface) {
    if (std::erase_if(routes_, [&](const Route& r) { return r.interface == interface; }) > 0)
        reindex();
}

uint32_t RoutingTable::find(wire::Ipv4Address dst) const {
    for (uint64_t lengths = lengths_; lengths != 0;) {
        const int len = 63 - __builtin_clzll(lengths);  // the longest left
        lengths &= ~(uint64_t{1} << len);
        const uint32_t mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
        const auto& m = best_[static_cast<size_t>(len)];
        if (const auto it = m.find(dst.to_u32() & mask); it != m.end()) return it->second;
    }
    return none;
}

std::vector<Route> RoutingTable::routes() const {
    std::vector<Route> sorted = routes_;
    std::stable_sort(sorted.begin(), sorted.end(), preferred_route<Route>);
    return sorted;
}

}  // namespace stack
