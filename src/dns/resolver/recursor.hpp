// The recursive server: answers clients' queries (RD set) by resolving them
// with the Resolver, sans-IO. Responses carry RA; an answer is never
// authoritative; SERVFAIL when resolution fails (with Extended DNS Error 22,
// "no reachable authority", RFC 8914); REFUSED to clients outside the allowed
// networks (an open resolver is an amplifier).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "dns/resolver/resolver.hpp"
#include "wire/address.hpp"

namespace dns {

struct RecursorConfig {
    ResolverConfig resolver;
    uint16_t max_udp_size = 1232;
    // Clients allowed to ask (address/prefix), IPv4 and IPv6 networks; both
    // empty allows everyone.
    std::vector<wire::Ipv4Cidr> allow;
    std::vector<wire::Ipv6Cidr> allow6;
};

struct RecursorStats {
    uint64_t queries = 0;
    uint64_t refused = 0;
    uint64_t formerr = 0;
    uint64_t answered = 0;
    uint64_t servfail = 0;
    uint64_t cache_only = 0;  // RD clear: answered from the cache alone
};

class Recursor {
  public:
    using Respond = std::function<void(std::vector<std::byte> response)>;

    Recursor(RecursorConfig config, base::Seed seed, Resolver::Send send);

    // A client's query; `respond` is called once with the response (maybe at
    // once, from the cache), or never for what must not be answered.
    void handle(base::ByteSpan query, Transport transport, wire::IpAddress from, base::Time now,
                Respond respond);

    Resolver& resolver() { return resolver_; }
    const RecursorStats& stats() const { return stats_; }

  private:
    bool allowed(const wire::IpAddress& client) const;

    RecursorConfig config_;
    Resolver resolver_;
    RecursorStats stats_;
};

}  // namespace dns
