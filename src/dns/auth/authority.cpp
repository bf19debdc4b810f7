#include "dns/auth/authority.hpp"

#include <algorithm>
#include <variant>

namespace dns {
namespace {

constexpr int max_cname_chain = 8;
constexpr uint16_t ede_option = 15;  // RFC 8914
constexpr uint16_t ede_not_authoritative = 20;

Record negative_soa(const RRset& soa) {
    const auto& s = std::get<rdata::Soa>(soa.rdatas.front());
    return Record{soa.name, RrType::soa, soa.cls, std::min(soa.ttl, s.minimum), s};
}

void append(std::vector<Record>& to, const RRset& set, const Name* owner = nullptr) {
    for (Record r : set.records()) {
        if (owner) r.name = *owner;  // a wildcard's records take the name asked
        to.push_back(std::move(r));
    }
}

bool contains(const std::vector<Record>& records, const Record& r) {
    return std::find(records.begin(), records.end(), r) != records.end();
}

// The name a record points at, whose addresses belong in the additional section.
const Name* target_of(const Record& r) {
    if (const auto* ns = std::get_if<rdata::Ns>(&r.data)) return &ns->host;
    if (const auto* mx = std::get_if<rdata::Mx>(&r.data)) return &mx->exchange;
    if (const auto* srv = std::get_if<rdata::Srv>(&r.data)) return &srv->target;
    return nullptr;
}

}  // namespace

void Authority::set_zone(Zone zone) {
    for (Zone& z : zones_) {
        if (z.origin() == zone.origin()) {
            z = std::move(zone);
            return;
        }
    }
    zones_.push_back(std::move(zone));
}

const Zone* Authority::zone(const Name& origin) const {
    for (const Zone& z : zones_) {
        if (z.origin() == origin) return &z;
    }
    return nullptr;
}

const Zone* Authority::zone_for(const Name& name) const {
    const Zone* best = nullptr;
    for (const Zone& z : zones_) {
        if (name.is_subdomain_of(z.origin()) &&
            (!best || z.origin().label_count() > best->origin().label_count()))
            best = &z;
    }
    return best;
}

std::optional<std::vector<std::byte>> Authority::handle(base::ByteSpan bytes, Transport transport,
                                                        wire::IpAddress from) {
    ++stats_.queries;
    auto query = parse_message(bytes);
    if (!query) {
        // Answer FORMERR if there is a header to answer, and it is not a response.
        if (bytes.size() < Message::header_len || (static_cast<uint8_t>(bytes[2]) & 0x80)) {
            ++stats_.dropped;
            return std::nullopt;
        }
        Message r;
        r.id = base::load_be16(bytes, 0);
        r.qr = true;
        r.opcode = Opcode{static_cast<uint8_t>((static_cast<uint8_t>(bytes[2]) >> 3) & 0xf)};
        r.rcode = Rcode::formerr;
        ++stats_.formerr;
        return emit_message(r);
    }
    if (query->qr) {
        ++stats_.dropped;
        return std::nullopt;
    }
    const Message response = answer(*query, from);
    size_t limit = 65535;
    if (transport == Transport::udp) {
        limit = 512;
        if (query->edns)
            limit = std::clamp<size_t>(query->edns->udp_size, 512, config_.max_udp_size);
    }
    auto out = emit_message(response, {.max_size = limit});
    if (out.size() >= 3 && (static_cast<uint8_t>(out[2]) & 0x02) && !response.tc)
        ++stats_.truncated;
    return out;
}

Message Authority::answer(const Message& query, wire::IpAddress from) {
    Message r;
    r.id = query.id;
    r.qr = true;
    r.opcode = query.opcode;
    r.rd = query.rd;
    r.cd = query.cd;
    r.questions = query.questions;
    if (query.edns) r.edns = Edns{.udp_size = config_.max_udp_size};
    if (query.edns && query.edns->version > 0) {
        r.rcode = Rcode::badvers;
        return r;
    }
    if (query.opcode == Opcode::update) return update(query, from);
    if (query.opcode != Opcode::query) {
        r.rcode = Rcode::notimp;
        return r;
    }
    if (query.questions.size() != 1) {
        ++stats_.formerr;
        r.rcode = Rcode::formerr;
        return r;
    }
    const Question& q = query.questions.front();
    if (q.type == RrType::opt) {
        ++stats_.formerr;
        r.rcode = Rcode::formerr;
        return r;
    }
    const Zone* zone = q.cls == RrClass::in || q.cls == RrClass::any ? zone_for(q.name) : nullptr;
    if (!zone || q.type == RrType::axfr || q.type == RrType::ixfr) {
        ++stats_.refused;
        r.rcode = Rcode::refused;
        if (!zone && r.edns) {
            const uint16_t code = ede_not_authoritative;
            r.edns->options.push_back({ede_option, {std::byte{0}, static_cast<std::byte>(code)}});
        }
        return r;
    }
    lookup(*zone, q, r);
    add_additional(*zone, r);
    return r;
}

void Authority::lookup(const Zone& zone, const Question& q, Message& r) {
    Name qname = q.name;
    r.aa = true;
    for (int chain = 0;; ++chain) {
        // A zone cut between the apex and the name: refer to the child's servers.
        std::optional<Name> cut;
        for (Name n = qname; !(n == zone.origin()) && n.label_count() > zone.origin().label_count();
             n = n.parent()) {
            if (zone.find(n, RrType::ns)) cut = n;  // keep going: the highest cut wins
        }
        if (cut) {
            if (r.answers.empty()) r.aa = false;
            append(r.authority, *zone.find(*cut, RrType::ns));
            ++stats_.referrals;
            return;
        }
        // The name itself, or else the wildcard at its closest encloser.
        const Name* source = nullptr;
        Name wildcard;
        if (zone.has_records(qname)) {
            source = &qname;
        } else if (!zone.exists(qname)) {
            Name encloser = qname.parent();
            while (!zone.exists(encloser) && !(encloser == zone.origin()))
                encloser = encloser.parent();
            if (auto w = encloser.prepend("*"); w && zone.has_records(*w)) {
                wildcard = *w;
                source = &wildcard;
            } else {
                r.rcode = Rcode::nxdomain;
                r.authority.push_back(negative_soa(*zone.soa()));
                ++stats_.nxdomain;
                return;
            }
        }
        const Name* rename = source == &wildcard ? &qname : nullptr;
        if (source) {
            const RRset* cname = zone.find(*source, RrType::cname);
            if (cname && q.type != RrType::cname && q.type != RrType::any) {
                append(r.answers, *cname, rename);
                const Name& target = std::get<rdata::Cname>(cname->rdatas.front()).target;
                const bool seen = std::any_of(r.answers.begin(), r.answers.end(),
                                              [&](const Record& a) { return a.name == target; });
                if (target.is_subdomain_of(zone.origin()) && chain < max_cname_chain && !seen) {
                    qname = target;
                    continue;  // follow it inside the zone
                }
                ++stats_.answers;
                return;
            }
            if (q.type == RrType::any) {
                // RFC 8482: one RRset, the lowest type, rather than everything.
                const auto all = zone.all_at(*source);
                if (!all.empty()) {
                    append(r.answers, *all.front(), rename);
                    ++stats_.answers;
                    return;
                }
            } else if (const RRset* set = zone.find(*source, q.type)) {
                append(r.answers, *set, rename);
                if (const RRset* apex_ns = zone.find(zone.origin(), RrType::ns)) {
                    const auto ns = apex_ns->records();
                    if (!contains(r.answers, ns.front())) append(r.authority, *apex_ns);
                }
                ++stats_.answers;
                return;
            }
        }
        // The name exists, without data of this type: NODATA.
        r.authority.push_back(negative_soa(*zone.soa()));
        ++stats_.nodata;
        return;
    }
}

void Authority::add_additional(const Zone& zone, Message& r) {
    std::vector<Name> targets;
    for (const auto* section : {&r.answers, &r.authority}) {
        for (const Record& rec : *section) {
            const Name* t = target_of(rec);
            if (t && t->is_subdomain_of(zone.origin()) &&
                std::find(targets.begin(), targets.end(), *t) == targets.end())
                targets.push_back(*t);
        }
    }
    for (const Name& t : targets) {
        for (RrType type : {RrType::a, RrType::aaaa}) {
            const RRset* set = zone.find(t, type);
            if (!set) continue;
            for (const Record& rec : set->records()) {
                if (!contains(r.answers, rec) && !contains(r.additional, rec))
                    r.additional.push_back(rec);
            }
        }
    }
}

// ---- dynamic update (RFC 2136) -------------------------------------------------

Message Authority::update(const Message& u, wire::IpAddress from) {
    Message r;
    r.id = u.id;
    r.qr = true;
    r.opcode = Opcode::update;
    r.questions = u.questions;
    auto fail = [&](Rcode code) {
        r.rcode = code;
        return r;
    };
    // §3.1: one zone, named by an SOA "question".
    if (u.questions.size() != 1 || u.questions[0].type != RrType::soa) return fail(Rcode::formerr);
    Zone* zone = nullptr;
    for (Zone& z : zones_) {
        if (z.origin() == u.questions[0].name) zone = &z;
    }
    if (!zone) return fail(Rcode::notauth);
    // An IPv4 client over a dual-stack socket comes as a mapped address.
    const wire::IpAddress client = from.unmapped();
    if (std::none_of(config_.allow_update.begin(), config_.allow_update.end(),
                     [&](wire::Ipv4Address a) { return wire::IpAddress{a} == client; }))
        return fail(Rcode::refused);
    // §3.2: prerequisites, in the answer section.
    for (const Record& p : u.answers) {
        if (!p.name.is_subdomain_of(zone->origin())) return fail(Rcode::notzone);
        const bool empty = std::holds_alternative<rdata::Opaque>(p.data) &&
                           std::get<rdata::Opaque>(p.data).bytes.empty();
        if (p.cls == RrClass::any) {
            if (p.ttl != 0 || !empty) return fail(Rcode::formerr);
            if (p.type == RrType::any) {
                if (!zone->has_records(p.name)) return fail(Rcode::nxdomain);
            } else if (!zone->find(p.name, p.type)) {
                return fail(Rcode::nxrrset);
            }
        } else if (p.cls == RrClass::none) {
            if (p.ttl != 0 || !empty) return fail(Rcode::formerr);
            if (p.type == RrType::any) {
                if (zone->has_records(p.name)) return fail(Rcode::yxdomain);
            } else if (zone->find(p.name, p.type)) {
                return fail(Rcode::yxrrset);
            }
        } else if (p.cls == RrClass::in) {
            const RRset* set = zone->find(p.name, p.type);
            if (!set ||
                std::find(set->rdatas.begin(), set->rdatas.end(), p.data) == set->rdatas.end())
                return fail(Rcode::nxrrset);
        } else {
            return fail(Rcode::formerr);
        }
    }
    // §3.4.1: check every update before applying any.
    for (const Record& c : u.authority) {
        if (!c.name.is_subdomain_of(zone->origin())) return fail(Rcode::notzone);
        if (c.cls != RrClass::in && c.cls != RrClass::any && c.cls != RrClass::none)
            return fail(Rcode::formerr);
        if (c.type == RrType::opt || c.type == RrType::axfr || c.type == RrType::ixfr)
            return fail(Rcode::formerr);
        if (c.cls == RrClass::in && c.type == RrType::any) return fail(Rcode::formerr);
    }
    // §3.4.2: apply.
    for (const Record& c : u.authority) {
        const bool apex = c.name == zone->origin();
        if (c.cls == RrClass::in) {
            (void)zone->add(c);  // a conflicting add (beside a CNAME) is ignored
        } else if (c.cls == RrClass::any) {
            if (c.type == RrType::any) {
                if (apex) {
                    for (const RRset* set : zone->all_at(c.name)) {
                        if (set->type != RrType::soa && set->type != RrType::ns)
                            zone->remove_all(c.name, set->type);
                    }
                } else {
                    zone->remove_all(c.name, RrType::any);
                }
            } else if (!(apex && (c.type == RrType::soa || c.type == RrType::ns))) {
                zone->remove_all(c.name, c.type);
            }
        } else if (!(apex && c.type == RrType::soa)) {
            Record gone = c;
            gone.cls = RrClass::in;
            (void)zone->remove(gone);
        }
    }
    // The serial moves on, so secondaries and caches see a new version.
    const RRset* soa_set = zone->soa();
    Record soa = soa_set->records().front();
    zone->remove(soa);
    std::get<rdata::Soa>(soa.data).serial += 1;
    (void)zone->add(soa);
    ++stats_.updates;
    return r;
}

}  // namespace dns
