#include "dns/zone/zone.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace dns {

std::vector<Record> RRset::records() const {
    std::vector<Record> out;
    out.reserve(rdatas.size());
    for (const RData& d : rdatas)
        out.push_back(Record{name, type, cls, ttl, d});
    return out;
}

base::Expected<void, std::string> Zone::add(const Record& r) {
    if (!r.name.is_subdomain_of(origin_))
        return base::fail(
            fmt::format("{} is outside the zone {}", r.name.to_string(), origin_.to_string()));
    if (r.type == RrType::opt || r.type == RrType::any || r.type == RrType::axfr ||
        r.type == RrType::ixfr)
        return base::fail(fmt::format("{} is a query type, not a record type", to_string(r.type)));
    if (r.type == RrType::soa && !(r.name == origin_))
        return base::fail(fmt::format("an SOA at {}, not at the zone's apex {}", r.name.to_string(),
                                      origin_.to_string()));
    auto [node, inserted] = names_.try_emplace(r.name);
    if (inserted) index_.emplace(r.name, &node->second);
    auto& at = node->second;
    const auto key = static_cast<uint16_t>(r.type);
    const bool has_cname = at.contains(static_cast<uint16_t>(RrType::cname));
    if (r.type == RrType::cname && !at.empty() && !has_cname)
        return base::fail(
            fmt::format("a CNAME at {}, which has other records", r.name.to_string()));
    if (r.type != RrType::cname && has_cname)
        return base::fail(fmt::format("{} records at {}, which has a CNAME", to_string(r.type),
                                      r.name.to_string()));
    auto [it, fresh] = at.try_emplace(key, RRset{r.name, r.type, r.cls, r.ttl, {}});
    RRset& set = it->second;
    if (std::find(set.rdatas.begin(), set.rdatas.end(), r.data) != set.rdatas.end())
        return {};  // a duplicate record: one is enough (RFC 2181 §5)
    if ((r.type == RrType::cname || r.type == RrType::soa) && !set.rdatas.empty())
        return base::fail(fmt::format("a second {} at {}", to_string(r.type), r.name.to_string()));
    set.rdatas.push_back(r.data);
    return {};
}

Zone::Zone(const Zone& o) : origin_(o.origin_), names_(o.names_) {
    for (auto& [name, sets] : names_)
        index_.emplace(name, &sets);
}

Zone& Zone::operator=(const Zone& o) {
    if (this == &o) return *this;
    origin_ = o.origin_;
    names_ = o.names_;
    index_.clear();
    for (auto& [name, sets] : names_)
        index_.emplace(name, &sets);
    return *this;
}

Zone::Sets* Zone::sets_at(const Name& name) const {
    const auto it = index_.find(name);
    return it == index_.end() ? nullptr : it->second;
}

void Zone::erase_name(const Name& name) {
    index_.erase(name);
    names_.erase(name);
}

bool Zone::remove(const Record& r) {
    Sets* sets = sets_at(r.name);
    if (!sets) return false;
    const auto s = sets->find(static_cast<uint16_t>(r.type));
    if (s == sets->end()) return false;
    auto& rd = s->second.rdatas;
    const auto it = std::find(rd.begin(), rd.end(), r.data);
    if (it == rd.end()) return false;
    rd.erase(it);
    if (rd.empty()) sets->erase(s);
    if (sets->empty()) erase_name(r.name);
    return true;
}

size_t Zone::remove_all(const Name& name, RrType type) {
    Sets* sets = sets_at(name);
    if (!sets) return 0;
    size_t removed = 0;
    if (type == RrType::any) {
        for (const auto& [t, set] : *sets)
            removed += set.rdatas.size();
        erase_name(name);
        return removed;
    }
    const auto s = sets->find(static_cast<uint16_t>(type));
    if (s == sets->end()) return 0;
    removed = s->second.rdatas.size();
    sets->erase(s);
    if (sets->empty()) erase_name(name);
    return removed;
}

const RRset* Zone::find(const Name& name, RrType type) const {
    const Sets* sets = sets_at(name);
    if (!sets) return nullptr;
    const auto s = sets->find(static_cast<uint16_t>(type));
    return s == sets->end() ? nullptr : &s->second;
}

std::vector<const RRset*> Zone::all_at(const Name& name) const {
    std::vector<const RRset*> out;
    if (const Sets* sets = sets_at(name)) {
        for (const auto& [t, set] : *sets)
            out.push_back(&set);
    }
    return out;
}

bool Zone::has_records(const Name& name) const {
    return index_.contains(name);
}

bool Zone::exists(const Name& name) const {
    if (has_records(name)) return true;
    // In canonical order a name's descendants come right after it.
    const auto it = names_.lower_bound(name);
    return it != names_.end() && it->first.is_subdomain_of(name);
}

base::Expected<void, std::string> Zone::check() const {
    if (!soa())
        return base::fail(
            fmt::format("the zone {} has no SOA record at its apex", origin_.to_string()));
    if (!find(origin_, RrType::ns))
        return base::fail(
            fmt::format("the zone {} has no NS records at its apex", origin_.to_string()));
    return {};
}

size_t Zone::rrset_count() const {
    size_t n = 0;
    for (const auto& [name, sets] : names_)
        n += sets.size();
    return n;
}

size_t Zone::record_count() const {
    size_t n = 0;
    for (const auto& [name, sets] : names_) {
        for (const auto& [t, set] : sets)
            n += set.rdatas.size();
    }
    return n;
}

std::vector<const RRset*> Zone::rrsets() const {
    std::vector<const RRset*> out;
    for (const auto& [name, sets] : names_) {
        for (const auto& [t, set] : sets)
            out.push_back(&set);
    }
    return out;
}

std::string to_master_file(const Zone& zone) {
    std::string out = fmt::format("$ORIGIN {}\n", zone.origin().to_string());
    if (const RRset* soa = zone.soa()) {
        for (const Record& r : soa->records())
            out += r.to_string() + "\n";
    }
    for (const RRset* set : zone.rrsets()) {
        if (set == zone.soa()) continue;
        for (const Record& r : set->records())
            out += r.to_string() + "\n";
    }
    return out;
}

std::string ZoneError::to_string() const {
    return fmt::format("{}:{}:{}: {}", file, line, column, message);
}

}  // namespace dns
