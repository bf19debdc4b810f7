#include "dns/resolver/cache.hpp"

#include <algorithm>

namespace dns {
namespace {

constexpr uint16_t nonexistent = 0;

uint32_t remaining(base::Time stored, base::Time now, uint32_t ttl) {
    const int64_t elapsed = (now - stored).ns() / 1'000'000'000;
    return elapsed >= ttl ? 0 : static_cast<uint32_t>(ttl - elapsed);
}

}  // namespace

void Cache::erase(std::map<Key, Entry>::iterator it) {
    by_expiry_.erase({it->second.expires, it->first});
    entries_.erase(it);
}

void Cache::insert(Key key, Entry entry) {
    if (auto it = entries_.find(key); it != entries_.end()) erase(it);
    while (entries_.size() >= config_.max_entries && !by_expiry_.empty()) {
        erase(entries_.find(by_expiry_.begin()->second));
        ++stats_.evicted;
    }
    by_expiry_.insert({entry.expires, key});
    entries_.emplace(std::move(key), std::move(entry));
}

Cache::Entry* Cache::live(const Key& key, base::Time now) {
    const auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    if (it->second.expires <= now) {
        erase(it);
        ++stats_.expired;
        return nullptr;
    }
    return &it->second;
}

void Cache::put(const std::vector<Record>& rrset, base::Time now) {
    if (rrset.empty()) return;
    uint32_t ttl = UINT32_MAX;
    for (const Record& r : rrset)
        ttl = std::min(ttl, r.ttl);
    const auto capped = std::min<int64_t>(ttl, config_.max_ttl.ns() / 1'000'000'000);
    if (capped == 0) return;  // TTL 0: use once, never cache (RFC 1035 §3.2.1)
    Entry e;
    e.records = rrset;
    for (Record& r : e.records)
        r.ttl = static_cast<uint32_t>(capped);
    e.stored = now;
    e.expires = now + base::Duration::seconds(capped);
    insert(Key{rrset.front().name, static_cast<uint16_t>(rrset.front().type)}, std::move(e));
}

std::optional<std::vector<Record>> Cache::get(const Name& name, RrType type, base::Time now) {
    Entry* e = live(Key{name, static_cast<uint16_t>(type)}, now);
    if (!e || e->negative) {
        ++stats_.misses;
        return std::nullopt;
    }
    ++stats_.hits;
    std::vector<Record> out = e->records;
    for (Record& r : out)
        r.ttl = remaining(e->stored, now, r.ttl);
    return out;
}

void Cache::put_negative(const Name& name, RrType type, Rcode rcode, std::optional<Record> soa,
                         base::Time now) {
    // RFC 2308 §5: the lesser of the SOA's TTL and its MINIMUM; with no SOA
    // the answer is not cached.
    if (!soa) return;
    uint32_t ttl = soa->ttl;
    if (const auto* s = std::get_if<rdata::Soa>(&soa->data)) ttl = std::min(ttl, s->minimum);
    const auto capped = std::min<int64_t>(ttl, config_.max_negative_ttl.ns() / 1'000'000'000);
    if (capped == 0) return;
    soa->ttl = static_cast<uint32_t>(capped);
    Entry e;
    e.negative = Negative{rcode, soa};
    e.stored = now;
    e.expires = now + base::Duration::seconds(capped);
    const uint16_t key_type = rcode == Rcode::nxdomain ? nonexistent : static_cast<uint16_t>(type);
    insert(Key{name, key_type}, std::move(e));
}

std::optional<Cache::Negative> Cache::get_negative(const Name& name, RrType type, base::Time now) {
    for (uint16_t t : {nonexistent, static_cast<uint16_t>(type)}) {
        Entry* e = live(Key{name, t}, now);
        if (!e || !e->negative) continue;
        ++stats_.negative_hits;
        Negative n = *e->negative;
        if (n.soa) n.soa->ttl = remaining(e->stored, now, n.soa->ttl);
        return n;
    }
    return std::nullopt;
}

void append_addresses(const std::vector<Record>& records, std::vector<wire::IpAddress>& out) {
    for (const Record& r : records) {
        if (const auto* a = std::get_if<rdata::A>(&r.data)) out.emplace_back(a->address);
        if (const auto* aaaa = std::get_if<rdata::Aaaa>(&r.data)) out.emplace_back(aaaa->address);
    }
}

std::optional<Cache::Delegation> Cache::closest_delegation(const Name& name, base::Time now,
                                                           QueryFamilies families) {
    for (Name zone = name;; zone = zone.parent()) {
        if (auto ns = get(zone, RrType::ns, now)) {
            Delegation d{zone, {}, {}, {}};
            for (const Record& r : *ns) {
                const auto* n = std::get_if<rdata::Ns>(&r.data);
                if (!n) continue;
                d.servers.push_back(n->host);
                const size_t before = d.addresses.size();
                if (families.ipv6) {
                    if (auto aaaa = get(n->host, RrType::aaaa, now))
                        append_addresses(*aaaa, d.addresses);
                }
                if (families.ipv4) {
                    if (auto a = get(n->host, RrType::a, now)) append_addresses(*a, d.addresses);
                }
                if (d.addresses.size() > before) d.with_addresses.push_back(n->host);
            }
            return d;
        }
        if (zone.is_root()) return std::nullopt;
    }
}

void Cache::clear() {
    entries_.clear();
    by_expiry_.clear();
}

}  // namespace dns
