#include "dns/stub.hpp"

#include <fmt/format.h>

#include "socket/tcp.hpp"
#include "socket/udp_socket.hpp"

namespace dns {
namespace {

// The reply to `query`: same ID, opcode and question (an UPDATE's reply
// copies its zone section, RFC 2136 3.8).
bool answers(const Message& reply, const Message& query) {
    const Question& q = query.questions[0];
    return reply.qr && reply.id == query.id && reply.opcode == query.opcode &&
           reply.questions.size() == 1 && reply.questions[0].name == q.name &&
           reply.questions[0].type == q.type;
}

sockets::Task<std::optional<Message>> over_tcp(sockets::Runtime& rt, stack::Endpoint server,
                                               std::vector<std::byte> query) {
    auto s = co_await sockets::TcpStream::connect(rt, server);
    if (!s) co_return std::nullopt;
    std::vector<std::byte> framed(2 + query.size());
    base::store_be16(framed, 0, static_cast<uint16_t>(query.size()));
    std::copy(query.begin(), query.end(), framed.begin() + 2);
    if (!co_await s->send(framed)) co_return std::nullopt;
    std::vector<std::byte> in;
    // Bounded by the length prefix: at most 2 + 65535 octets.
    while (in.size() < 2 || in.size() < 2 + static_cast<size_t>(base::load_be16(in, 0))) {
        auto b = co_await s->receive(65537 - in.size());
        if (!b || b->empty()) co_return std::nullopt;
        in.insert(in.end(), b->bytes().begin(), b->bytes().end());
    }
    (void)co_await s->close();
    auto m = parse_message(base::ByteSpan(in).subspan(2, base::load_be16(in, 0)));
    if (!m) co_return std::nullopt;
    co_return *m;
}

}  // namespace

sockets::Task<base::Expected<StubAnswer, std::string>> exchange(sockets::Runtime& rt, Message query,
                                                                StubOptions o) {
    std::vector<wire::IpAddress> servers =
        o.servers.empty() ? rt.host().config().nameservers : o.servers;
    if (servers.empty())
        co_return base::fail(std::string("no nameserver configured for this host"));
    if (query.questions.size() != 1)
        co_return base::fail(std::string("a query has exactly one question"));
    const base::Time start = rt.now();
    std::string last_error = "no answer";
    for (int round = 0; round < o.attempts; ++round) {
        for (const wire::IpAddress& server : servers) {
            // A fresh ID and a fresh socket, so a fresh ephemeral port, for
            // every message sent.
            query.id = static_cast<uint16_t>(rt.host().random().next_u64());
            const auto wire_query = emit_message(query);
            sockets::UdpSocket s(rt);
            if (auto ok = s.connect({server, o.port}); !ok) {
                last_error = std::string(stack::to_string(ok.error()));
                continue;
            }
            if (auto ok = s.send(wire_query); !ok) {
                last_error = std::string(stack::to_string(ok.error()));
                continue;
            }
            const base::Time until = rt.now() + o.timeout;
            while (rt.now() < until) {
                auto d = co_await s.receive(until - rt.now());
                if (!d) {
                    last_error = d.error() == stack::SocketError::timed_out
                                     ? fmt::format("{} did not answer", server.to_string())
                                     : fmt::format("{}: {}", server.to_string(),
                                                   stack::to_string(d.error()));
                    break;
                }
                auto reply = parse_message(d->payload.bytes());
                if (!reply || d->from.address.unmapped() != server || d->from.port != o.port ||
                    !answers(*reply, query))
                    continue;  // not the answer to this message: keep waiting
                if (reply->tc) {
                    auto full = co_await over_tcp(rt, {server, o.port}, wire_query);
                    if (full && answers(*full, query))
                        co_return StubAnswer{*full, server, rt.now() - start, true};
                    last_error =
                        fmt::format("{} answered truncated and not over TCP", server.to_string());
                    break;
                }
                co_return StubAnswer{std::move(*reply), server, rt.now() - start, false};
            }
        }
    }
    co_return base::fail(last_error);
}

sockets::Task<base::Expected<StubAnswer, std::string>> lookup(sockets::Runtime& rt, Question q,
                                                              StubOptions o) {
    Message m;
    m.rd = o.recursion_desired;
    m.questions.push_back(std::move(q));
    m.edns = Edns{};
    co_return co_await exchange(rt, std::move(m), std::move(o));
}

namespace {

// One record type's addresses, or why there are none; `no_such_name` is set
// for NXDOMAIN, which holds for every type.
sockets::Task<Addresses> resolve_type(sockets::Runtime& rt, Name name, std::string shown,
                                      RrType type, StubOptions options, bool& no_such_name) {
    auto a = co_await lookup(rt, Question{std::move(name), type}, std::move(options));
    if (!a) co_return base::fail(a.error());
    const Message& m = a->message;
    if (m.rcode == Rcode::nxdomain) {
        no_such_name = true;
        co_return base::fail(fmt::format("{}: no such name (NXDOMAIN)", shown));
    }
    if (m.rcode != Rcode::noerror)
        co_return base::fail(fmt::format("{}: the resolver said {}", shown, to_string(m.rcode)));
    std::vector<wire::IpAddress> out;
    for (const Record& r : m.answers) {
        if (r.type != type) continue;  // the CNAMEs on the way
        if (const auto* rec = std::get_if<rdata::A>(&r.data)) out.emplace_back(rec->address);
        if (const auto* rec = std::get_if<rdata::Aaaa>(&r.data)) out.emplace_back(rec->address);
    }
    if (out.empty())
        co_return base::fail(fmt::format("{}: no address (no {} records)", shown, to_string(type)));
    co_return out;
}

sockets::Task<Addresses> resolve_family(sockets::Runtime& rt, std::string name, StubOptions options,
                                        AddressFamily family, bool* no_such_name);

sockets::Task<void> run_pending(sockets::Runtime& rt, std::string name, StubOptions options,
                                AddressFamily family, std::shared_ptr<PendingLookup> pending) {
    pending->result = co_await resolve_family(rt, std::move(name), std::move(options), family,
                                              &pending->no_such_name);
    pending->done.set();
    if (pending->notify) pending->notify->set();
}

sockets::Task<Addresses> resolve_family(sockets::Runtime& rt, std::string name, StubOptions options,
                                        AddressFamily family, bool* no_such_name_out) {
    bool ignored = false;
    bool& no_such_name = no_such_name_out ? *no_such_name_out : ignored;
    auto n = Name::parse(name.ends_with(".") ? name : name + ".");
    if (!n) co_return base::fail(fmt::format("'{}': {}", name, n.error()));
    if (family == AddressFamily::any && !rt.host().has_ipv6()) family = AddressFamily::ipv4;
    // Both at once for `any`: the A lookup runs beside this one, which asks AAAA.
    std::shared_ptr<PendingLookup> v4;
    if (family == AddressFamily::any) v4 = start_resolve(rt, name, options, AddressFamily::ipv4);
    const RrType type = family == AddressFamily::ipv4 ? RrType::a : RrType::aaaa;
    Addresses v6 = co_await resolve_type(rt, *n, name, type, options, no_such_name);
    if (!v4) co_return v6;  // one family: the one asked
    co_await v4->done.wait();
    const Addresses& a = *v4->result;
    no_such_name = no_such_name || v4->no_such_name;
    if (!v6 && !a) {
        // A name that does not exist does not for either type: say it once.
        if (no_such_name) co_return base::fail(fmt::format("{}: no such name (NXDOMAIN)", name));
        co_return base::fail(fmt::format("{}; {}", v6.error(), a.error()));
    }
    std::vector<wire::IpAddress> out;
    if (v6) out = *v6;
    if (a) out.insert(out.end(), a->begin(), a->end());
    co_return out;
}

}  // namespace

std::shared_ptr<PendingLookup> start_resolve(sockets::Runtime& rt, std::string name,
                                             StubOptions options, AddressFamily family,
                                             std::shared_ptr<sockets::Event> notify) {
    auto pending = std::make_shared<PendingLookup>(rt);
    pending->notify = std::move(notify);
    rt.spawn(run_pending(rt, std::move(name), std::move(options), family, pending));
    return pending;
}

sockets::Task<Addresses> resolve(sockets::Runtime& rt, std::string name, StubOptions options,
                                 AddressFamily family) {
    return resolve_family(rt, std::move(name), std::move(options), family, nullptr);
}

}  // namespace dns
