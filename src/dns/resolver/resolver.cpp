#include "dns/resolver/resolver.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "dns/zone/zone.hpp"

namespace dns {

// One resolution in progress: the name being chased now, the zone being
// asked and its servers, the query in flight.
struct Resolver::Task {
    TaskId id = 0;
    Question original;
    Name qname;  // changes as CNAMEs are followed
    RrType qtype = RrType::a;
    std::vector<Record> chain;  // CNAMEs followed so far
    int cnames = 0;
    int referrals = 0;
    int depth = 0;                // 0, or how deep in lookups of name servers' addresses
    std::shared_ptr<int> budget;  // queries left, shared with sub-lookups
    int queries = 0;
    std::function<void(const Resolution&, base::Time)> done;

    // The zone being asked, its servers by name, and addresses to try.
    Name zone;
    std::vector<Name> server_names;
    std::vector<wire::IpAddress> addresses;
    std::vector<wire::IpAddress> tried;
    // Servers whose addresses came with the delegation (glue, hints, cache):
    // when those fail, asking for them again would only ask the same places.
    std::vector<Name> addressed;
    size_t next_glueless = 0;  // the next server name to look up without glue
    int rounds = 0;            // times every address has been tried
    bool waiting_for_glue = false;

    // The query in flight.
    uint64_t token = 0;
    uint16_t query_id = 0;
    wire::IpAddress server;
    Transport transport = Transport::udp;
    base::Time deadline = base::Time::never();
    int attempt = 0;  // for the doubling timeout
};

namespace {

bool same_question(const Message& m, const Question& q) {
    return m.questions.size() == 1 && m.questions[0].name == q.name &&
           m.questions[0].type == q.type && m.questions[0].cls == q.cls;
}

// The records of one owner and type from a section, as one RRset.
std::vector<Record> rrset(const std::vector<Record>& section, const Name& name, RrType type) {
    std::vector<Record> out;
    for (const Record& r : section) {
        if (r.name == name && r.type == type) out.push_back(r);
    }
    return out;
}

std::optional<Record> soa_in(const std::vector<Record>& authority, const Name& zone) {
    for (const Record& r : authority) {
        if (r.type == RrType::soa && r.name.is_subdomain_of(zone)) return r;
    }
    return std::nullopt;
}

}  // namespace

base::Expected<std::vector<RootHint>, std::string> parse_root_hints(std::string_view text,
                                                                    const std::string& file) {
    ZoneFileOptions o;
    o.origin = Name{};
    o.check = false;  // a hints file is NS and A records, no SOA
    auto zone = parse_zone(text, file, o);
    if (!zone) return base::fail(zone.error().to_string());
    std::vector<RootHint> hints;
    if (const RRset* ns = zone->find(Name{}, RrType::ns)) {
        for (const RData& d : ns->rdatas) {
            const Name& host = std::get<rdata::Ns>(d).host;
            for (RrType type : {RrType::a, RrType::aaaa}) {
                const RRset* addresses = zone->find(host, type);
                if (!addresses) continue;
                for (const RData& ad : addresses->rdatas) {
                    if (const auto* a = std::get_if<rdata::A>(&ad))
                        hints.push_back({host, a->address});
                    if (const auto* a = std::get_if<rdata::Aaaa>(&ad))
                        hints.push_back({host, a->address});
                }
            }
        }
    }
    if (hints.empty())
        return base::fail(
            fmt::format("{}: no root servers with an address (NS records for "
                        "\".\" and A or AAAA records for them)",
                        file));
    return hints;
}

std::string_view to_string(TraceStep s) {
    switch (s) {
        case TraceStep::query_sent:
            return "query_sent";
        case TraceStep::answer:
            return "answer";
        case TraceStep::cname:
            return "cname";
        case TraceStep::referral:
            return "referral";
        case TraceStep::nodata:
            return "nodata";
        case TraceStep::nxdomain:
            return "nxdomain";
        case TraceStep::lame:
            return "lame";
        case TraceStep::server_failed:
            return "server_failed";
        case TraceStep::timeout:
            return "timeout";
        case TraceStep::truncated:
            return "truncated";
        case TraceStep::server_lookup:
            return "server_lookup";
        case TraceStep::done:
            return "done";
    }
    return "?";
}

std::string TraceEvent::to_string() const {
    std::string s = fmt::format("{} {}", dns::to_string(step), question.to_string());
    if (step != TraceStep::server_lookup && step != TraceStep::done)
        s += fmt::format(" {} {}", step == TraceStep::query_sent ? "to" : "from",
                         server.to_string());
    s += fmt::format(" (zone {})", zone.to_string());
    if (!detail.empty()) s += ": " + detail;
    return s;
}

Resolver::Resolver(ResolverConfig config, base::Seed seed, Send send)
    : config_(std::move(config)), random_(seed), send_(std::move(send)), cache_(config_.cache) {}

Resolver::~Resolver() = default;

Resolver::Task* Resolver::find(TaskId id) {
    const auto it = tasks_.find(id);
    return it == tasks_.end() ? nullptr : it->second.get();
}

void Resolver::resolve(const Question& q, base::Time now, Done done) {
    ++stats_.resolutions;
    start(
        q, std::make_shared<int>(config_.max_queries), 0,
        [done = std::move(done)](const Resolution& r, base::Time) { done(r); }, now);
}

Resolver::TaskId Resolver::start(const Question& q, std::shared_ptr<int> budget, int depth,
                                 std::function<void(const Resolution&, base::Time)> done,
                                 base::Time now) {
    auto t = std::make_unique<Task>();
    t->id = next_task_++;
    t->original = q;
    t->qname = q.name;
    t->qtype = q.type;
    t->budget = std::move(budget);
    t->depth = depth;
    t->done = std::move(done);
    const TaskId id = t->id;
    tasks_.emplace(id, std::move(t));
    step(id, now);
    return id;
}

void Resolver::finish(TaskId id, Resolution r, base::Time now) {
    const auto it = tasks_.find(id);
    if (it == tasks_.end()) return;
    std::unique_ptr<Task> t = std::move(it->second);
    tasks_.erase(it);
    if (t->token) by_token_.erase(t->token);
    if (config_.trace) {
        const bool from_cache = t->queries == 0;
        trace(*t, TraceStep::done, now,
              r.failure.empty() ? fmt::format("{}, {} records{}", dns::to_string(r.rcode),
                                              r.answers.size() + t->chain.size(),
                                              from_cache ? ", from the cache" : "")
                                : fmt::format("{}: {}", dns::to_string(r.rcode), r.failure));
    }
    r.answers.insert(r.answers.begin(), t->chain.begin(), t->chain.end());
    // Everything this resolution sent, lookups of glueless servers included.
    r.queries = t->depth == 0 ? config_.max_queries - *t->budget : t->queries;
    if (r.rcode == Rcode::servfail) ++stats_.servfail;
    t->done(r, now);
}

void Resolver::trace(const Task& t, TraceStep step, base::Time now, std::string detail,
                     std::optional<wire::IpAddress> server) {
    if (!config_.trace) return;
    config_.trace(TraceEvent{.at = now,
                             .step = step,
                             .question = Question{t.qname, t.qtype, RrClass::in},
                             .zone = t.zone,
                             .server = server.value_or(t.server),
                             .detail = std::move(detail)});
}

void Resolver::fail(TaskId id, std::string why, base::Time now) {
    Resolution r;
    r.rcode = Rcode::servfail;
    r.failure = std::move(why);
    finish(id, std::move(r), now);
}

Resolution Resolver::from_cache_only(const Question& q, base::Time now) {
    Resolution r;
    r.from_cache = true;
    Name name = q.name;
    for (int links = 0; links <= config_.max_cname_chain; ++links) {
        if (auto hit = cache_.get(name, q.type, now)) {
            r.answers.insert(r.answers.end(), hit->begin(), hit->end());
            return r;
        }
        if (auto neg = cache_.get_negative(name, q.type, now)) {
            r.rcode = neg->rcode;
            if (neg->soa) r.authority.push_back(*neg->soa);
            return r;
        }
        if (q.type == RrType::cname) break;
        auto cname = cache_.get(name, RrType::cname, now);
        if (!cname) break;
        r.answers.push_back(cname->front());
        name = std::get<rdata::Cname>(cname->front().data).target;
    }
    // No answer (or only part of a CNAME chain): where to ask next.
    if (auto d = cache_.closest_delegation(name, now, config_.families)) {
        if (auto ns = cache_.get(d->zone, RrType::ns, now)) r.authority = *ns;
        for (const Name& host : d->with_addresses) {
            for (RrType type : {RrType::aaaa, RrType::a}) {
                if (auto addresses = cache_.get(host, type, now))
                    r.additional.insert(r.additional.end(), addresses->begin(), addresses->end());
            }
        }
        return r;
    }
    // Nothing cached at all: the root hints, as a primed cache would hold them.
    constexpr uint32_t hint_ttl = 3600000;  // named.root's
    for (const RootHint& h : config_.root_hints) {
        const bool listed = std::any_of(
            r.authority.begin(), r.authority.end(),
            [&](const Record& x) { return std::get<rdata::Ns>(x.data).host == h.name; });
        if (!listed)
            r.authority.push_back(Record{
                .name = Name{}, .type = RrType::ns, .ttl = hint_ttl, .data = rdata::Ns{h.name}});
        if (h.address.is_v6())
            r.additional.push_back(Record{.name = h.name,
                                          .type = RrType::aaaa,
                                          .ttl = hint_ttl,
                                          .data = rdata::Aaaa{h.address.v6()}});
        else
            r.additional.push_back(Record{.name = h.name,
                                          .type = RrType::a,
                                          .ttl = hint_ttl,
                                          .data = rdata::A{h.address.v4()}});
    }
    return r;
}

// From the cache where it can, else from the closest known zone's servers.
void Resolver::step(TaskId id, base::Time now) {
    Task* t = find(id);
    if (!t) return;
    while (true) {
        if (auto hit = cache_.get(t->qname, t->qtype, now)) {
            Resolution r;
            r.answers = *hit;
            r.from_cache = t->queries == 0;
            return finish(id, std::move(r), now);
        }
        if (auto neg = cache_.get_negative(t->qname, t->qtype, now)) {
            Resolution r;
            r.rcode = neg->rcode;
            if (neg->soa) r.authority.push_back(*neg->soa);
            r.from_cache = t->queries == 0;
            return finish(id, std::move(r), now);
        }
        if (t->qtype != RrType::cname) {
            if (auto cname = cache_.get(t->qname, RrType::cname, now)) {
                if (++t->cnames > config_.max_cname_chain)
                    return fail(id, "the CNAME chain is too long", now);
                t->chain.push_back(cname->front());
                t->qname = std::get<rdata::Cname>(cname->front().data).target;
                continue;
            }
        }
        break;
    }
    use_delegation(*t, now);
}

void Resolver::use_delegation(Task& t, base::Time now) {
    t.zone = Name{};
    t.server_names.clear();
    t.addresses.clear();
    t.tried.clear();
    t.addressed.clear();
    t.next_glueless = 0;
    t.rounds = 0;
    if (auto d = cache_.closest_delegation(t.qname, now, config_.families)) {
        t.zone = d->zone;
        t.server_names = d->servers;
        t.addresses = d->addresses;
        t.addressed = d->with_addresses;
    } else {
        for (const RootHint& h : config_.root_hints) {
            if (std::find(t.server_names.begin(), t.server_names.end(), h.name) ==
                t.server_names.end())
                t.server_names.push_back(h.name);
        }
        // Each server's IPv6 address before its IPv4 one, as for delegations.
        for (const Name& n : t.server_names) {
            for (bool v6 : {true, false}) {
                if (!(v6 ? config_.families.ipv6 : config_.families.ipv4)) continue;
                for (const RootHint& h : config_.root_hints) {
                    if (h.name == n && h.address.is_v6() == v6) {
                        t.addresses.push_back(h.address);
                        if (std::find(t.addressed.begin(), t.addressed.end(), n) ==
                            t.addressed.end())
                            t.addressed.push_back(n);
                    }
                }
            }
        }
    }
    if (t.server_names.empty() && t.addresses.empty())
        return fail(t.id, "no root hints to start from", now);
    next_server(t, now);
}

// Sends to an address not yet tried; without one, looks up the address of a
// server named without glue; without that, gives up.
void Resolver::next_server(Task& t, base::Time now) {
    for (int pass = 0; pass < 2; ++pass) {
        for (const wire::IpAddress& a : t.addresses) {
            if (std::find(t.tried.begin(), t.tried.end(), a) != t.tried.end()) continue;
            t.server = a;
            t.transport = Transport::udp;
            t.tried.push_back(a);
            return send(t, now);
        }
        // Every address tried once: one more round (timeouts doubled by now)
        // before looking further.
        if (t.addresses.empty() || t.rounds >= 1) break;
        ++t.rounds;
        t.tried.clear();
    }
    while (t.next_glueless < t.server_names.size()) {
        const Name host = t.server_names[t.next_glueless++];
        // Its addresses were tried already: a lookup would go to the servers
        // that just failed (a lone root server asked for its own address).
        if (std::find(t.addressed.begin(), t.addressed.end(), host) != t.addressed.end()) continue;
        // A server named inside the zone it serves, with no glue: asking for
        // its address would ask that very zone.
        if (host.is_subdomain_of(t.zone) && !t.zone.is_root()) continue;
        if (t.depth >= config_.max_glueless_depth)
            return fail(t.id, "name servers without glue nested too deep", now);
        return look_up_server(t, host, config_.families.ipv6 ? RrType::aaaa : RrType::a, now);
    }
    fail(t.id, fmt::format("no server for {} answered", t.zone.to_string()), now);
}

// The address of a server named without glue, in the preferred family first
// (AAAA when queries can go over IPv6), then the other if that found none.
void Resolver::look_up_server(Task& t, const Name& host, RrType type, base::Time now) {
    const TaskId parent = t.id;
    t.waiting_for_glue = true;
    trace(t, TraceStep::server_lookup, now,
          fmt::format("{} {}", host.to_string(), dns::to_string(type)));
    start(
        Question{host, type, RrClass::in}, t.budget, t.depth + 1,
        [this, parent, host, type](const Resolution& r, base::Time when) {
            Task* p = find(parent);
            if (!p) return;
            p->waiting_for_glue = false;
            const size_t before = p->addresses.size();
            append_addresses(r.answers, p->addresses);
            if (p->addresses.size() == before && type == RrType::aaaa && config_.families.ipv4)
                return look_up_server(*p, host, RrType::a, when);
            next_server(*p, when);
        },
        now);
}

// A referred server's addresses in the families queries go over: glue from
// the referral (already checked to be in bailiwick), else the cache.
void Resolver::add_server_addresses(Task& t, const Name& host,
                                    const std::vector<Record>& additional, base::Time now) {
    const size_t before = t.addresses.size();
    for (bool v6 : {true, false}) {
        if (!(v6 ? config_.families.ipv6 : config_.families.ipv4)) continue;
        const RrType type = v6 ? RrType::aaaa : RrType::a;
        const auto glue = rrset(additional, host, type);
        if (!glue.empty()) {
            cache_.put(glue, now);
            append_addresses(glue, t.addresses);
        } else if (auto cached = cache_.get(host, type, now)) {
            append_addresses(*cached, t.addresses);
        }
    }
    if (t.addresses.size() > before) t.addressed.push_back(host);
}

void Resolver::send(Task& t, base::Time now) {
    if (*t.budget <= 0) return fail(t.id, "too much work for one question", now);
    --*t.budget;
    ++t.queries;
    ++stats_.queries_sent;
    Message q;
    q.id = static_cast<uint16_t>(random_.next_u64());
    q.questions.push_back({t.qname, t.qtype, RrClass::in});
    q.edns = Edns{.udp_size = config_.udp_size};
    if (t.token) by_token_.erase(t.token);
    t.token = next_token_++;
    t.query_id = q.id;
    by_token_[t.token] = t.id;
    t.deadline = now + config_.timeout * (int64_t{1} << std::min(t.attempt, 4));
    trace(t, TraceStep::query_sent, now, t.transport == Transport::tcp ? "over TCP" : "");
    send_(Outgoing{t.token, t.server, config_.server_port, t.transport, emit_message(q)});
}

void Resolver::on_failure(uint64_t token, base::Time now) {
    const auto it = by_token_.find(token);
    if (it == by_token_.end()) return;
    Task* t = find(it->second);
    by_token_.erase(it);
    if (!t) return;
    t->token = 0;
    t->deadline = base::Time::never();
    trace(*t, TraceStep::server_failed, now, "the socket failed");
    next_server(*t, now);
}

bool Resolver::on_reply(uint64_t token, const wire::IpAddress& from, uint16_t from_port,
                        base::ByteSpan bytes, base::Time now) {
    const auto it = by_token_.find(token);
    if (it == by_token_.end()) return false;  // late: that query was given up
    Task* t = find(it->second);
    if (!t) return false;
    auto reply = parse_message(bytes);
    // Only the server asked, from its port, with our ID and our question: a
    // forged answer has to guess all of them (RFC 5452).
    if (!reply || from != t->server || from_port != config_.server_port ||
        reply->id != t->query_id || !reply->qr ||
        !same_question(*reply, Question{t->qname, t->qtype, RrClass::in})) {
        ++stats_.mismatched;
        return false;  // keep waiting for the real one
    }
    ++stats_.replies;
    by_token_.erase(it);
    t->token = 0;
    t->deadline = base::Time::never();
    handle(*t, *reply, now);
    return true;
}

void Resolver::handle(Task& t, const Message& reply, base::Time now) {
    const TaskId id = t.id;
    if (reply.tc && t.transport == Transport::udp) {
        ++stats_.truncated;
        trace(t, TraceStep::truncated, now);
        t.transport = Transport::tcp;
        return send(t, now);
    }
    if (reply.rcode != Rcode::noerror && reply.rcode != Rcode::nxdomain) {
        trace(t, TraceStep::server_failed, now, dns::to_string(reply.rcode));
        return next_server(t, now);  // SERVFAIL, REFUSED, …: a lame server
    }

    // Believe only what lies inside the zone this server was asked as.
    auto in_bailiwick = [&](const std::vector<Record>& section) {
        std::vector<Record> kept;
        for (const Record& r : section) {
            if (r.name.is_subdomain_of(t.zone)) {
                kept.push_back(r);
            } else {
                ++stats_.out_of_bailiwick;
            }
        }
        return kept;
    };
    const std::vector<Record> answers = in_bailiwick(reply.answers);
    const std::vector<Record> authority = in_bailiwick(reply.authority);
    const std::vector<Record> additional = in_bailiwick(reply.additional);

    // The answer: the records asked for, possibly after CNAMEs.
    Name cur = t.qname;
    for (int links = 0; links <= config_.max_cname_chain; ++links) {
        auto wanted = t.qtype == RrType::any ? std::vector<Record>{} : rrset(answers, cur, t.qtype);
        if (t.qtype == RrType::any) {
            for (const Record& r : answers) {
                if (r.name == cur) wanted.push_back(r);
            }
        }
        if (!wanted.empty()) {
            trace(t, TraceStep::answer, now, fmt::format("{} records", wanted.size()));
            cache_.put(wanted, now);
            Resolution r;
            r.answers = wanted;
            return finish(id, std::move(r), now);
        }
        auto cname = rrset(answers, cur, RrType::cname);
        if (cname.empty() || t.qtype == RrType::cname) break;
        cache_.put(cname, now);
        if (++t.cnames > config_.max_cname_chain)
            return fail(id, "the CNAME chain is too long", now);
        t.chain.push_back(cname.front());
        cur = std::get<rdata::Cname>(cname.front().data).target;
        trace(t, TraceStep::cname, now, cur.to_string());
    }
    if (!(cur == t.qname)) {
        // Followed CNAMEs out of what this reply answers: start again there.
        t.qname = cur;
        if (reply.rcode == Rcode::nxdomain && cur.is_subdomain_of(t.zone)) {
            trace(t, TraceStep::nxdomain, now);
            cache_.put_negative(cur, t.qtype, Rcode::nxdomain, soa_in(authority, t.zone), now);
            Resolution r;
            r.rcode = Rcode::nxdomain;
            if (auto soa = soa_in(authority, t.zone)) r.authority.push_back(*soa);
            return finish(id, std::move(r), now);
        }
        return step(id, now);
    }
    if (reply.rcode == Rcode::nxdomain) {
        trace(t, TraceStep::nxdomain, now);
        const auto soa = soa_in(authority, t.zone);
        cache_.put_negative(t.qname, t.qtype, Rcode::nxdomain, soa, now);
        Resolution r;
        r.rcode = Rcode::nxdomain;
        if (soa) r.authority.push_back(*soa);
        return finish(id, std::move(r), now);
    }
    // NS records without an SOA make a referral, whatever the AA bit says
    // (RFC 2308 §2.2: that is how a referral differs from "no data"). One
    // to a zone below the one asked, above the name, is followed; one
    // upward or sideways (the root, the same zone, elsewhere) comes from a
    // lame server (RFC 1034 §5.3.3): the next server is asked.
    const std::optional<Record> soa = soa_in(authority, t.zone);
    std::optional<Name> child;
    for (const Record& r : authority) {
        if (r.type == RrType::ns && r.name.is_subdomain_of(t.zone) && !(r.name == t.zone) &&
            t.qname.is_subdomain_of(r.name)) {
            child = r.name;
            break;
        }
    }
    // Only a reply with nothing in its answer section refers; records of
    // another type at the name from an authoritative server say it exists
    // without ours, NS beside them or not (issue 19, 11).
    const bool any_ns =
        answers.empty() && std::any_of(reply.authority.begin(), reply.authority.end(),
                                       [](const Record& r) { return r.type == RrType::ns; });
    if (!answers.empty()) child.reset();
    if (!soa && any_ns && !child) {
        ++stats_.lame;
        trace(t, TraceStep::lame, now, "a referral that does not lead down");
        return next_server(t, now);
    }
    if (child && !soa) {
        if (++t.referrals > config_.max_referrals) return fail(id, "too many referrals", now);
        trace(t, TraceStep::referral, now, child->to_string());
        const auto ns = rrset(authority, *child, RrType::ns);
        cache_.put(ns, now);
        t.zone = *child;
        t.server_names.clear();
        t.addresses.clear();
        t.tried.clear();
        t.addressed.clear();
        t.next_glueless = 0;
        t.rounds = 0;
        for (const Record& r : ns) {
            const Name& host = std::get<rdata::Ns>(r.data).host;
            t.server_names.push_back(host);
            add_server_addresses(t, host, additional, now);
        }
        return next_server(t, now);
    }
    // NODATA: the name exists, without records of this type.
    if (soa || reply.aa) {
        trace(t, TraceStep::nodata, now);
        cache_.put_negative(t.qname, t.qtype, Rcode::noerror, soa, now);
        Resolution r;
        if (soa) r.authority.push_back(*soa);
        return finish(id, std::move(r), now);
    }
    trace(t, TraceStep::lame, now, "an answer that says nothing");
    next_server(t, now);  // an answer that says nothing useful: a lame server
}

void Resolver::poll(base::Time now) {
    std::vector<TaskId> due;
    for (const auto& [id, t] : tasks_) {
        if (t->token && t->deadline <= now) due.push_back(id);
    }
    for (TaskId id : due) {
        Task* t = find(id);
        if (!t || !t->token || t->deadline > now) continue;
        ++stats_.timeouts;
        trace(*t, TraceStep::timeout, now);
        by_token_.erase(t->token);
        t->token = 0;
        t->deadline = base::Time::never();
        ++t->attempt;
        next_server(*t, now);
    }
}

base::Time Resolver::next_deadline() const {
    base::Time next = base::Time::never();
    for (const auto& [id, t] : tasks_)
        next = std::min(next, t->deadline);
    return next;
}

}  // namespace dns
