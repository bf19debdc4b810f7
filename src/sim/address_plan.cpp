#include "sim/address_plan.hpp"

#include <algorithm>
#include <bit>

#include <fmt/format.h>

namespace sim {
namespace {

constexpr uint64_t addresses_in(const wire::Ipv4Cidr& c) {
    return uint64_t{1} << (32 - c.prefix_len);
}

// The aligned block of `size` addresses (a power of two) at `offset` in `space`.
wire::Ipv4Cidr block_at(const wire::Ipv4Cidr& space, uint64_t offset, uint64_t size) {
    return {wire::Ipv4Address::from_u32(space.network().to_u32() + static_cast<uint32_t>(offset)),
            static_cast<uint8_t>(32 - std::countr_zero(size))};
}

// The /30 at `offset` in `space`, as its two usable addresses.
std::array<wire::Ipv4Cidr, 2> link_at(const wire::Ipv4Cidr& space, uint64_t offset) {
    const uint32_t network = space.network().to_u32() + static_cast<uint32_t>(offset);
    return {wire::Ipv4Cidr{wire::Ipv4Address::from_u32(network + 1), 30},
            wire::Ipv4Cidr{wire::Ipv4Address::from_u32(network + 2), 30}};
}

}  // namespace

base::Expected<AddressPlan, std::string> AddressPlan::make(uint64_t routers,
                                                           uint64_t hosts_per_router,
                                                           uint64_t routers_per_group,
                                                           uint64_t router_links) {
    const uint64_t host_addresses = addresses_in(host_space);
    const uint64_t router_addresses = addresses_in(router_space);
    // Anything bigger cannot fit, and keeps the products below from overflowing.
    if (hosts_per_router > host_addresses / 4 || routers > host_addresses ||
        routers_per_group > host_addresses) {
        return base::fail(
            fmt::format("{} routers with {} hosts each do not fit in {} ({} addresses)", routers,
                        hosts_per_router, host_space, host_addresses));
    }
    AddressPlan plan;
    // A group never needs room for more routers than there are.
    plan.routers_per_group_ = std::max<uint64_t>(1, std::min(routers_per_group, routers));
    plan.block_size_ = std::max<uint64_t>(256, std::bit_ceil(4 * hosts_per_router));
    plan.group_size_ = std::bit_ceil(plan.routers_per_group_) * plan.block_size_;
    const uint64_t groups = (routers + plan.routers_per_group_ - 1) / plan.routers_per_group_;
    if (groups * plan.group_size_ > host_addresses) {
        return base::fail(fmt::format(
            "{} routers with {} hosts each need {} addresses for their hosts' links ({} per "
            "router{}), more than {} holds ({})",
            routers, hosts_per_router, groups * plan.group_size_, plan.block_size_,
            groups > 1
                ? fmt::format(", {} per group of {}", plan.group_size_, plan.routers_per_group_)
                : std::string(),
            host_space, host_addresses));
    }
    if (router_links > router_addresses / 4) {
        return base::fail(
            fmt::format("{} links between routers need {} addresses, more than {} holds ({})",
                        router_links, 4 * router_links, router_space, router_addresses));
    }
    return plan;
}

wire::Ipv4Cidr AddressPlan::router_block(uint64_t k) const {
    const uint64_t offset =
        (k / routers_per_group_) * group_size_ + (k % routers_per_group_) * block_size_;
    return block_at(host_space, offset, block_size_);
}

wire::Ipv4Cidr AddressPlan::group_block(uint64_t g) const {
    return block_at(host_space, g * group_size_, group_size_);
}

std::array<wire::Ipv4Cidr, 2> AddressPlan::host_link(uint64_t k, uint64_t j) const {
    return link_at(host_space,
                   router_block(k).network().to_u32() - host_space.network().to_u32() + 4 * j);
}

std::array<wire::Ipv4Cidr, 2> AddressPlan::router_link(uint64_t i) const {
    return link_at(router_space, 4 * i);
}

}  // namespace sim
