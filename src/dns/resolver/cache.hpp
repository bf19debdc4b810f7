// The resolver's cache: RRsets by owner and type until their TTL runs out, and
// negative answers (RFC 2308): "no such name" for every type at a name,
// "no data" for one type, each for the SOA's negative TTL.
//
// Bounded: beyond `max_entries` the entry that would expire first goes.
// TTLs are capped (a day for data, three hours for negative answers, as
// Unbound does) so a mistaken zone cannot pin an answer for years.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "base/time.hpp"
#include "dns/wire/message.hpp"

namespace dns {

struct CacheConfig {
    size_t max_entries = 100'000;
    base::Duration max_ttl = base::Duration::seconds(86400);
    base::Duration max_negative_ttl = base::Duration::seconds(3 * 3600);
};

// The address families a resolver can send its queries over: the families
// its host has addresses in. Servers' addresses of another family are no use.
struct QueryFamilies {
    bool ipv4 = true;
    bool ipv6 = false;
};

struct CacheStats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t negative_hits = 0;
    uint64_t expired = 0;
    uint64_t evicted = 0;
};

// Appends the addresses in A and AAAA records to `out`; other records add nothing.
void append_addresses(const std::vector<Record>& records, std::vector<wire::IpAddress>& out);

class Cache {
  public:
    struct Negative {
        Rcode rcode = Rcode::nxdomain;  // NXDOMAIN, or NOERROR for "no data"
        std::optional<Record> soa;      // with its TTL counting down
    };

    explicit Cache(CacheConfig config = {}) : config_(config) {}

    // Stores one RRset (records of one owner and type); its TTL is the least of
    // theirs. A later put of the same RRset replaces it.
    void put(const std::vector<Record>& rrset, base::Time now);
    // The RRset with TTLs counted down to `now`, if it has not expired.
    std::optional<std::vector<Record>> get(const Name& name, RrType type, base::Time now);

    // NXDOMAIN (for every type at `name`, type ignored) or NODATA (for `type`).
    void put_negative(const Name& name, RrType type, Rcode rcode, std::optional<Record> soa,
                      base::Time now);
    std::optional<Negative> get_negative(const Name& name, RrType type, base::Time now);

    // The servers for the deepest zone at or above `name` whose NS RRset is
    // cached, and the cached addresses of those servers in `families` (their
    // A and AAAA records).
    struct Delegation {
        Name zone;
        std::vector<Name> servers;
        std::vector<wire::IpAddress> addresses;
        std::vector<Name> with_addresses;  // the servers those addresses belong to
    };
    std::optional<Delegation> closest_delegation(const Name& name, base::Time now,
                                                 QueryFamilies families = {});

    size_t size() const { return entries_.size(); }
    const CacheStats& stats() const { return stats_; }
    void clear();

  private:
    struct Key {
        Name name;
        uint16_t type;  // RrType; 0 stands for "the name does not exist"
        auto operator<=>(const Key&) const = default;
    };
    struct Entry {
        std::vector<Record> records;  // TTLs as stored
        std::optional<Negative> negative;
        base::Time stored;
        base::Time expires;
    };
    void insert(Key key, Entry entry);
    Entry* live(const Key& key, base::Time now);
    void erase(std::map<Key, Entry>::iterator it);

    CacheConfig config_;
    std::map<Key, Entry> entries_;
    std::set<std::pair<base::Time, Key>> by_expiry_;
    CacheStats stats_;
};

}  // namespace dns
