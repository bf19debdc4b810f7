// The address plan of generated topologies (docs/topology.md, "Generated
// topologies"): addresses that aggregate, so a router far away reaches all the
// hosts behind another router with one prefix.
//
// - Links between a router and a host are /30s inside 10.0.0.0/8. Each router
//   with hosts owns one aligned block of at least a /24, big enough for all its
//   host links (4 addresses each, rounded up to a power of two). Its j-th host
//   link is the j-th /30 of the block: the router takes .1 of it, the host .2.
// - Routers come in groups (a tree's access routers under one core router); a
//   group's blocks are consecutive inside one aligned block of their own, so a
//   group aggregates too. Router k is the (k mod P)-th of group k div P.
// - Links between routers are /30s carved in order from 100.64.0.0/10 (RFC 6598
//   shared address space), so they never mix with hosts' links.
//
// `make` checks that everything fits; afterwards no accessor can fail.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "base/result.hpp"
#include "wire/address.hpp"

namespace sim {

class AddressPlan {
  public:
    static constexpr wire::Ipv4Cidr host_space{wire::Ipv4Address::from_u32(0x0a000000), 8};
    static constexpr wire::Ipv4Cidr router_space{wire::Ipv4Address::from_u32(0x64400000), 10};

    // `routers` routers with up to `hosts_per_router` hosts each, in groups of
    // `routers_per_group`, and `router_links` links between routers. Fails with
    // a sentence saying what does not fit.
    static base::Expected<AddressPlan, std::string> make(uint64_t routers,
                                                         uint64_t hosts_per_router,
                                                         uint64_t routers_per_group,
                                                         uint64_t router_links);

    // All host links of router k (k < routers).
    wire::Ipv4Cidr router_block(uint64_t k) const;
    // All host links of the routers of group g.
    wire::Ipv4Cidr group_block(uint64_t g) const;
    // Router k's j-th host link (j < hosts_per_router): {router end, host end}.
    std::array<wire::Ipv4Cidr, 2> host_link(uint64_t k, uint64_t j) const;
    // The i-th link between routers (i < router_links): {first end, second end}.
    std::array<wire::Ipv4Cidr, 2> router_link(uint64_t i) const;

    uint64_t block_size() const { return block_size_; }  // addresses per router
    uint64_t group_size() const { return group_size_; }  // addresses per group

  private:
    AddressPlan() = default;

    uint64_t routers_per_group_ = 1;
    uint64_t block_size_ = 256;
    uint64_t group_size_ = 256;
};

}  // namespace sim
