// The path MTU cache (RFC 1191 §5): what "fragmentation needed" errors have
// taught this host about the largest packet each destination's path takes.
//
// An entry only ever lowers the route's MTU, never below 552 bytes (Linux's
// min_pmtu: an ICMP message claiming less is more likely an attack than a
// path, RFC 8201 §4's concern too), and expires after 10 minutes (Linux's
// mtu_expires; RFC 1191 §6.3 suggests probing again after as long), so a path
// that got better is found again. Bounded: past `capacity` destinations the
// entry closest to expiry goes.
//
// IPv6 (RFC 8201) keeps its own entries, lowered by packet too big, which
// always carries the MTU; an estimate never goes below IPv6's minimum link
// MTU, 1280, whatever the message says.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>

#include "base/time.hpp"
#include "wire/address.hpp"

namespace stack {

struct PathMtuConfig {
    uint16_t min_mtu = 552;
    base::Duration expires = base::Duration::seconds(600);
    size_t capacity = 4096;
};

class PathMtuCache {
  public:
    explicit PathMtuCache(PathMtuConfig config = {}) : config_(config) {}

    // "Fragmentation needed" for a packet of `packet_len` bytes to `dst`,
    // with the next hop's MTU as the router said (0: an RFC 792 router that
    // does not say). Returns the path MTU now if it went down.
    std::optional<uint16_t> lower(wire::Ipv4Address dst, uint16_t next_hop_mtu, uint16_t packet_len,
                                  uint16_t route_mtu, base::Time now);
    // The path MTU to `dst`, if an unexpired entry has one.
    std::optional<uint16_t> get(wire::Ipv4Address dst, base::Time now) const;
    // Packet too big for a packet to `dst`, with the MTU it gave.
    std::optional<uint16_t> lower(const wire::Ipv6Address& dst, uint32_t mtu, uint16_t route_mtu,
                                  base::Time now);
    std::optional<uint16_t> get(const wire::Ipv6Address& dst, base::Time now) const;
    size_t size() const { return entries_.size() + entries6_.size(); }

  private:
    struct Entry {
        uint16_t mtu;
        base::Time expires;
    };
    PathMtuConfig config_;
    std::unordered_map<uint32_t, Entry> entries_;
    std::map<wire::Ipv6Address, Entry> entries6_;
};

// RFC 1191 §7's plateau table: the next smaller common MTU below `len`, for
// a router that did not give its next hop's MTU.
uint16_t plateau_below(uint16_t len);

}  // namespace stack
