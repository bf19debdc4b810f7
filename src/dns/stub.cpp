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
    std::vector<wire::Ipv4Address> servers =
        o.servers.empty() ? rt.host().config().nameservers : o.servers;
    if (servers.empty())
        co_return base::fail(std::string("no nameserver configured for this host"));
    if (query.questions.size() != 1)
        co_return base::fail(std::string("a query has exactly one question"));
    const base::Time start = rt.now();
    std::string last_error = "no answer";
    for (int round = 0; round < o.attempts; ++round) {
        for (wire::Ipv4Address server : servers) {
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
                if (!reply || d->from.address != server || d->from.port != o.port ||
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

sockets::Task<base::Expected<std::vector<wire::Ipv4Address>, std::string>> resolve(
    sockets::Runtime& rt, std::string name, StubOptions options) {
    auto n = Name::parse(name.ends_with(".") ? name : name + ".");
    if (!n) co_return base::fail(fmt::format("'{}': {}", name, n.error()));
    auto a = co_await lookup(rt, Question{*n, RrType::a}, options);
    if (!a) co_return base::fail(a.error());
    const Message& m = a->message;
    if (m.rcode == Rcode::nxdomain)
        co_return base::fail(fmt::format("{}: no such name (NXDOMAIN)", name));
    if (m.rcode != Rcode::noerror)
        co_return base::fail(fmt::format("{}: the resolver said {}", name, to_string(m.rcode)));
    std::vector<wire::Ipv4Address> out;
    for (const Record& r : m.answers) {
        if (const auto* rec = std::get_if<rdata::A>(&r.data)) out.push_back(rec->address);
    }
    if (out.empty()) co_return base::fail(fmt::format("{}: no address (no A records)", name));
    co_return out;
}

}  // namespace dns
