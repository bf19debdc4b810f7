// A zone: the records one authoritative server holds for a part of the name
// space, from its origin (apex) down to its delegations.
//
// Records are kept as RRsets (same owner, type and class; one TTL), ordered by
// owner in DNSSEC's canonical order so that a subtree is contiguous: whether a
// name with no records of its own has descendants (an "empty non-terminal",
// which exists, RFC 4592 §2.2.2) is one lookup.
//
// `add` keeps the zone's rules: every owner inside the origin, one SOA and it
// at the apex, nothing beside a CNAME (RFC 1034 §3.6.2, RFC 2181 §10.1), one
// TTL per RRset (RFC 2181 §5.2: a record with a different TTL joins its RRset
// with the TTL the RRset already has, as BIND does when loading).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"
#include "dns/wire/name.hpp"
#include "dns/wire/record.hpp"

namespace dns {

struct RRset {
    Name name;
    RrType type = RrType::a;
    RrClass cls = RrClass::in;
    uint32_t ttl = 0;
    std::vector<RData> rdatas;

    // As records, in the order they were added.
    std::vector<Record> records() const;
};

class Zone {
  public:
    explicit Zone(Name origin) : origin_(std::move(origin)) {}
    // The index points into the ordered map's nodes: a copy builds its own.
    Zone(const Zone& o);
    Zone& operator=(const Zone& o);
    Zone(Zone&&) noexcept = default;
    Zone& operator=(Zone&&) noexcept = default;

    const Name& origin() const { return origin_; }

    // Adds a record to its RRset (a duplicate of one already there is dropped).
    base::Expected<void, std::string> add(const Record& r);
    // Removes one record (data compared exactly); false if it was not there.
    bool remove(const Record& r);
    // Removes the whole RRset, or every RRset at the name with RrType::any.
    size_t remove_all(const Name& name, RrType type);

    const RRset* find(const Name& name, RrType type) const;
    // Every RRset at `name` (empty if none).
    std::vector<const RRset*> all_at(const Name& name) const;
    // The name owns records.
    bool has_records(const Name& name) const;
    // The name exists: it owns records or has descendants that do.
    bool exists(const Name& name) const;

    // The apex SOA; a loaded zone always has one.
    const RRset* soa() const { return find(origin_, RrType::soa); }
    // Checks a zone ready to serve: an SOA and NS records at the apex.
    base::Expected<void, std::string> check() const;

    size_t rrset_count() const;
    size_t record_count() const;
    // Every RRset, in canonical order of owners.
    std::vector<const RRset*> rrsets() const;

  private:
    using Sets = std::map<uint16_t, RRset>;
    Sets* sets_at(const Name& name) const;
    void erase_name(const Name& name);

    Name origin_;
    // Owners in canonical order (for subtrees and listing), and a hash index
    // over the same nodes for the lookups every query makes.
    std::map<Name, Sets> names_;
    std::unordered_map<Name, Sets*, NameHash> index_;
};

// Where a zone file is wrong.
struct ZoneError {
    std::string file;
    int line = 0;
    int column = 0;
    std::string message;
    std::string to_string() const;  // "shop.zone:12:5: message"
};

struct ZoneFileOptions {
    std::optional<Name> origin;  // if the file does not set $ORIGIN first
    RrClass cls = RrClass::in;
    int max_include_depth = 8;
    bool check = true;  // require an SOA and NS records at the apex
    size_t max_records = 10'000'000;
};

// A master file (RFC 1035 §5.1): $ORIGIN, $TTL (RFC 2308), $INCLUDE (relative
// to the including file), relative names and "@", omitted owners, TTLs with
// units ("1h30m", "2w"), class and TTL in either order, parentheses across
// lines, comments, quoted strings and escapes. The zone's origin is the
// option's, or the first $ORIGIN's.
base::Expected<Zone, ZoneError> parse_zone(std::string_view text, const std::string& file_name,
                                           const ZoneFileOptions& options = {});
base::Expected<Zone, ZoneError> load_zone(const std::string& path,
                                          const ZoneFileOptions& options = {});

// The zone as a master file: one record per line, absolute names, the SOA
// first. Reading it back gives the same zone.
std::string to_master_file(const Zone& zone);

}  // namespace dns
