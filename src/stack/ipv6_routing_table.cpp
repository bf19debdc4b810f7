#include "stack/ipv6_routing_table.hpp"

#include <algorithm>
#include <cstring>

namespace stack {

size_t Ipv6RoutingTable::AddressHash::operator()(const wire::Ipv6Address& a) const {
    uint64_t hi = 0;
    uint64_t lo = 0;
    std::memcpy(&hi, a.bytes().data(), 8);
    std::memcpy(&lo, a.bytes().data() + 8, 8);
    return static_cast<size_t>((hi * 0x9e3779b97f4a7c15ull) ^
                               (lo + 0x632be59bd9b4e019ull + (hi >> 7)));
}

void Ipv6RoutingTable::add(Ipv6Route r) {
    r.destination.address = r.destination.network();
    routes_.push_back(r);
    index(static_cast<uint32_t>(routes_.size() - 1));
}

void Ipv6RoutingTable::index(uint32_t at) {
    const Ipv6Route& r = routes_[at];
    const uint8_t len = r.destination.prefix_len;
    auto& m = best_[len];
    auto [it, inserted] = m.try_emplace(r.destination.address, at);
    // Among equals the one added first stays: replace only a worse one.
    if (!inserted && preferred_route(r, routes_[it->second])) it->second = at;
    if (std::find(lengths_.begin(), lengths_.end(), len) == lengths_.end()) {
        lengths_.insert(std::upper_bound(lengths_.begin(), lengths_.end(), len, std::greater<>{}),
                        len);
    }
}

void Ipv6RoutingTable::reindex() {
    best_.clear();
    lengths_.clear();
    for (uint32_t i = 0; i < routes_.size(); ++i)
        index(i);
}

void Ipv6RoutingTable::remove_source(RouteSource source) {
    if (std::erase_if(routes_, [&](const Ipv6Route& r) { return r.source == source; }) > 0)
        reindex();
}

void Ipv6RoutingTable::remove_interface(InterfaceId interface) {
    if (std::erase_if(routes_, [&](const Ipv6Route& r) { return r.interface == interface; }) > 0)
        reindex();
}

bool Ipv6RoutingTable::contains(const Ipv6Route& route) const {
    Ipv6Route key = route;
    key.destination.address = key.destination.network();
    return std::find(routes_.begin(), routes_.end(), key) != routes_.end();
}

void Ipv6RoutingTable::remove(const Ipv6Route& route) {
    Ipv6Route key = route;
    key.destination.address = key.destination.network();
    if (std::erase(routes_, key) > 0) reindex();
}

const Ipv6Route* Ipv6RoutingTable::best(const wire::Ipv6Address& dst) const {
    for (const uint8_t len : lengths_) {
        const auto& m = best_.at(len);
        const auto it = m.find(wire::Ipv6Cidr{dst, len}.network());
        if (it != m.end()) return &routes_[it->second];
    }
    return nullptr;
}

std::vector<Ipv6Route> Ipv6RoutingTable::routes() const {
    std::vector<Ipv6Route> sorted = routes_;
    std::stable_sort(sorted.begin(), sorted.end(), preferred_route<Ipv6Route>);
    return sorted;
}

}  // namespace stack
