#include "dns/resolver/recursor.hpp"

#include <algorithm>

namespace dns {
namespace {

constexpr uint16_t ede_option = 15;
constexpr uint16_t ede_no_reachable_authority = 22;
constexpr uint16_t ede_prohibited = 18;

void add_ede(Message& m, uint16_t code) {
    if (m.edns)
        m.edns->options.push_back(
            {ede_option, {static_cast<std::byte>(code >> 8), static_cast<std::byte>(code)}});
}

}  // namespace

Recursor::Recursor(RecursorConfig config, base::Seed seed, Resolver::Send send)
    : config_(std::move(config)), resolver_(config_.resolver, seed, std::move(send)) {}

bool Recursor::allowed(const wire::IpAddress& client) const {
    if (config_.allow.empty() && config_.allow6.empty()) return true;
    // An IPv4 client over a dual-stack socket comes mapped: it is looked at as IPv4.
    const wire::IpAddress c = client.unmapped();
    if (c.is_v6())
        return std::any_of(config_.allow6.begin(), config_.allow6.end(),
                           [&](const wire::Ipv6Cidr& n) { return n.contains(c.v6()); });
    return std::any_of(config_.allow.begin(), config_.allow.end(),
                       [&](const wire::Ipv4Cidr& n) { return n.contains(c.v4()); });
}

void Recursor::handle(base::ByteSpan bytes, Transport transport, wire::IpAddress from,
                      base::Time now, Respond respond) {
    ++stats_.queries;
    auto query = parse_message(bytes);
    if (!query) {
        if (bytes.size() < Message::header_len || (static_cast<uint8_t>(bytes[2]) & 0x80)) return;
        Message r;
        r.id = base::load_be16(bytes, 0);
        r.qr = r.ra = true;
        r.rcode = Rcode::formerr;
        ++stats_.formerr;
        return respond(emit_message(r));
    }
    if (query->qr) return;
    Message r;
    r.id = query->id;
    r.qr = true;
    r.ra = true;
    r.rd = query->rd;
    // Copied back, as RFC 4035 §3.2.2 and RFC 3225 §3 ask: a validator
    // behind us reads them (this resolver does not validate).
    r.cd = query->cd;
    r.opcode = query->opcode;
    r.questions = query->questions;
    if (query->edns)
        r.edns = Edns{.udp_size = config_.max_udp_size, .dnssec_ok = query->edns->dnssec_ok};
    size_t limit = 65535;
    if (transport == Transport::udp) {
        limit = 512;
        if (query->edns)
            limit = std::clamp<size_t>(query->edns->udp_size, 512, config_.max_udp_size);
    }
    auto send = [respond, limit](const Message& m) {
        respond(emit_message(m, {.max_size = limit}));
    };
    if (query->edns && query->edns->version > 0) {
        r.rcode = Rcode::badvers;
        return send(r);
    }
    if (!allowed(from)) {
        ++stats_.refused;
        r.rcode = Rcode::refused;
        add_ede(r, ede_prohibited);
        return send(r);
    }
    if (query->opcode != Opcode::query) {
        r.rcode = Rcode::notimp;
        return send(r);
    }
    if (query->questions.size() != 1 || query->questions[0].type == RrType::opt) {
        ++stats_.formerr;
        r.rcode = Rcode::formerr;
        return send(r);
    }
    const Question& q = query->questions[0];
    if (q.cls != RrClass::in || q.type == RrType::axfr || q.type == RrType::ixfr) {
        ++stats_.refused;
        r.rcode = Rcode::refused;
        return send(r);
    }
    // RD clear: the client asks what we know, not that we find out (RFC 1034
    // §4.3.1); the cache answers, or refers to the closest zone it knows.
    if (!query->rd) {
        const Resolution res = resolver_.from_cache_only(q, now);
        r.rcode = res.rcode;
        r.answers = res.answers;
        r.authority = res.authority;
        r.additional = res.additional;
        ++stats_.answered;
        ++stats_.cache_only;
        return send(r);
    }
    resolver_.resolve(q, now, [this, r, send](const Resolution& res) mutable {
        r.rcode = res.rcode;
        r.answers = res.answers;
        // The question's name as the client wrote it leads the answer.
        if (!r.answers.empty() && r.answers.front().name == r.questions[0].name)
            r.answers.front().name = r.questions[0].name;
        r.authority = res.authority;
        if (res.rcode == Rcode::servfail) {
            ++stats_.servfail;
            add_ede(r, ede_no_reachable_authority);
        } else {
            ++stats_.answered;
        }
        send(r);
    });
}

}  // namespace dns
