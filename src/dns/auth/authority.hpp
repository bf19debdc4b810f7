// The authoritative server's engine: a query in, a response out, sans-IO.
//
// It answers from the zones it holds (RFC 1034 §4.3.2, RFC 4592 wildcards):
// answers with AA; CNAMEs followed inside the zone; referrals (no AA) with the
// cut's NS records and their glue; NXDOMAIN and NODATA with the zone's SOA for
// negative caching (its TTL the lesser of the SOA's TTL and MINIMUM, RFC 2308
// §3); REFUSED for names outside every zone (with Extended DNS Error 20, "not
// authoritative", RFC 8914); ANY answered with one RRset (RFC 8482). The
// authority and additional sections are filled as NSD fills them: the apex NS
// records beside a positive answer, and addresses of the names the answer and
// authority sections point to, where the zone has them.
//
// Over UDP a response is fit to 512 octets, or to the client's EDNS size (at
// most 1232): if it cannot fit, TC is set and the client asks again over TCP,
// where the whole answer goes.
//
// Dynamic update (RFC 2136) changes a zone in place, from addresses allowed to
// update it; each accepted update increments the SOA serial.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "dns/wire/message.hpp"
#include "dns/zone/zone.hpp"
#include "wire/address.hpp"

namespace dns {

enum class Transport { udp, tcp };

struct AuthorityConfig {
    uint16_t max_udp_size = 1232;  // the most we send over UDP, whatever the client offers
    std::vector<wire::Ipv4Address> allow_update;  // RFC 2136 from these addresses only
};

struct AuthorityStats {
    uint64_t queries = 0;
    uint64_t answers = 0;  // NOERROR with data
    uint64_t referrals = 0;
    uint64_t nxdomain = 0;
    uint64_t nodata = 0;
    uint64_t refused = 0;
    uint64_t formerr = 0;
    uint64_t truncated = 0;
    uint64_t updates = 0;
    uint64_t dropped = 0;  // not answered: a response, or fewer than 12 octets
};

class Authority {
  public:
    explicit Authority(AuthorityConfig config = {}) : config_(std::move(config)) {}

    // Adds a zone, or replaces the one with the same origin (a reload).
    void set_zone(Zone zone);
    const Zone* zone(const Name& origin) const;
    // The zone that holds `name`: the one with the longest origin above it.
    const Zone* zone_for(const Name& name) const;

    // A query's octets in, the response's out; nothing for what must not be
    // answered (a response, or a message too short to have an ID).
    std::optional<std::vector<std::byte>> handle(base::ByteSpan query, Transport transport,
                                                 wire::IpAddress from = {});
    // The same on a parsed message (no size fitting).
    Message answer(const Message& query, wire::IpAddress from = {});

    const AuthorityStats& stats() const { return stats_; }

  private:
    void lookup(const Zone& zone, const Question& q, Message& response);
    void add_additional(const Zone& zone, Message& response);
    Message update(const Message& request, wire::IpAddress from);

    AuthorityConfig config_;
    std::vector<Zone> zones_;
    AuthorityStats stats_;
};

}  // namespace dns
