#include "stack/path_mtu.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "wire/ipv6.hpp"

namespace stack {

uint16_t plateau_below(uint16_t len) {
    // RFC 1191 §7, table 7-1's plateaus.
    static constexpr std::array<uint16_t, 11> plateaus = {32000, 17914, 8166, 4352, 2002, 1492,
                                                          1006,  508,   296,  68,   68};
    for (uint16_t p : plateaus) {
        if (p < len) return p;
    }
    return 68;
}

std::optional<uint16_t> PathMtuCache::lower(wire::Ipv4Address dst, uint16_t next_hop_mtu,
                                            uint16_t packet_len, uint16_t route_mtu,
                                            base::Time now) {
    // A next-hop MTU not below the packet is nonsense (the packet would have
    // fitted); an old router gives none: the plateau below the packet.
    uint16_t mtu =
        next_hop_mtu != 0 && next_hop_mtu < packet_len ? next_hop_mtu : plateau_below(packet_len);
    mtu = std::max(mtu, config_.min_mtu);
    const uint16_t current = get(dst, now).value_or(route_mtu);
    if (mtu >= current) return std::nullopt;
    if (entries_.size() >= config_.capacity && !entries_.contains(dst.to_u32())) {
        const auto oldest = std::min_element(
            entries_.begin(), entries_.end(),
            [](const auto& a, const auto& b) { return a.second.expires < b.second.expires; });
        entries_.erase(oldest);
    }
    entries_[dst.to_u32()] = Entry{mtu, now + config_.expires};
    return mtu;
}

std::optional<uint16_t> PathMtuCache::get(wire::Ipv4Address dst, base::Time now) const {
    const auto it = entries_.find(dst.to_u32());
    if (it == entries_.end() || now >= it->second.expires) return std::nullopt;
    return it->second.mtu;
}

std::optional<uint16_t> PathMtuCache::lower(const wire::Ipv6Address& dst, uint32_t mtu,
                                            uint16_t route_mtu, base::Time now) {
    const auto clamped =
        static_cast<uint16_t>(std::clamp<uint32_t>(mtu, wire::ipv6::min_mtu, UINT16_MAX));
    const uint16_t current = get(dst, now).value_or(route_mtu);
    if (clamped >= current) return std::nullopt;
    if (entries6_.size() >= config_.capacity && !entries6_.contains(dst)) {
        const auto oldest = std::min_element(
            entries6_.begin(), entries6_.end(),
            [](const auto& a, const auto& b) { return a.second.expires < b.second.expires; });
        entries6_.erase(oldest);
    }
    entries6_[dst] = Entry{clamped, now + config_.expires};
    return clamped;
}

std::optional<uint16_t> PathMtuCache::get(const wire::Ipv6Address& dst, base::Time now) const {
    const auto it = entries6_.find(dst);
    if (it == entries6_.end() || now >= it->second.expires) return std::nullopt;
    return it->second.mtu;
}

}  // namespace stack
