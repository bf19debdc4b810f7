#include "apps/dns_apps.hpp"

#include <fmt/format.h>

#include "socket/event.hpp"
#include "socket/tcp.hpp"
#include "socket/udp_socket.hpp"

namespace apps {
namespace {

using Respond = std::function<void(std::vector<std::byte>)>;
// A query in, a response (maybe later) out: the authority's or the recursor's.
using Handler = std::function<void(base::ByteSpan, dns::Transport, wire::IpAddress, Respond)>;

// One TCP client (RFC 7766): length-prefixed queries one after another, each
// answered before the next is read.
sockets::Task<void> serve_tcp_client(sockets::Runtime& rt, sockets::TcpStream s,
                                     std::shared_ptr<Handler> handler) {
    const tcp::Connection* c = s.connection();
    const wire::IpAddress peer = c ? c->tuple().remote_address : wire::IpAddress{};
    std::vector<std::byte> in;
    while (true) {
        while (in.size() < 2 || in.size() < 2 + size_t{base::load_be16(in, 0)}) {
            auto b = co_await s.receive(65537);
            if (!b || b->empty()) {
                (void)co_await s.close();
                co_return;
            }
            in.insert(in.end(), b->bytes().begin(), b->bytes().end());
        }
        const size_t len = base::load_be16(in, 0);
        // The recursor may answer long after this call, or never (its
        // runtime gone): the callback holds the slot weakly, so an answer for
        // a connection that has ended is dropped, not written into freed memory.
        struct Pending {
            explicit Pending(sockets::Runtime& r) : answered(r) {}
            std::vector<std::byte> response;
            sockets::Event answered;
        };
        auto pending = std::make_shared<Pending>(rt);
        (*handler)(base::ByteSpan(in).subspan(2, len), dns::Transport::tcp, peer,
                   [slot = std::weak_ptr<Pending>(pending)](std::vector<std::byte> r) {
                       if (auto p = slot.lock()) {
                           p->response = std::move(r);
                           p->answered.set();
                       }
                   });
        co_await pending->answered.wait();
        in.erase(in.begin(), in.begin() + static_cast<ptrdiff_t>(2 + len));
        const std::vector<std::byte>& response = pending->response;
        std::vector<std::byte> framed(2 + response.size());
        base::store_be16(framed, 0, static_cast<uint16_t>(response.size()));
        std::copy(response.begin(), response.end(), framed.begin() + 2);
        if (!co_await s.send(framed)) co_return;
    }
}

sockets::Task<void> serve_tcp(sockets::Runtime& rt, uint16_t port,
                              std::shared_ptr<Handler> handler) {
    auto l = sockets::TcpListener::listen_any(rt, port);
    if (!l) co_return;
    while (true) {
        auto s = co_await l->accept();
        if (s) rt.spawn(serve_tcp_client(rt, std::move(*s), handler));
    }
}

// UDP: every datagram a query, every response sent back from this socket.
sockets::Task<void> serve_udp(sockets::Runtime& rt, uint16_t port, std::shared_ptr<Handler> handler,
                              Output output, std::string label) {
    auto socket = std::make_shared<sockets::UdpSocket>(rt);
    if (auto ok = socket->bind_any(port); !ok) {
        output(
            fmt::format("{}: cannot bind port {}: {}", label, port, stack::to_string(ok.error())));
        co_return;
    }
    output(fmt::format("{}: listening on port {} (UDP and TCP)", label, port));
    std::weak_ptr<sockets::UdpSocket> weak = socket;
    while (true) {
        auto d = co_await socket->receive();
        if (!d) continue;
        const stack::Endpoint from = d->from;
        (*handler)(d->payload.bytes(), dns::Transport::udp, from.address,
                   [weak, from](std::vector<std::byte> r) {
                       // The answer may come after the server has gone (a crash).
                       if (auto s = weak.lock()) (void)s->send_to(from, r);
                   });
    }
}

// The recursor's side that asks other servers: a task per query.
class Upstream {
  public:
    Upstream(sockets::Runtime& rt, dns::RecursorConfig config)
        : rt_(rt),
          recursor_(std::move(config), base::Seed{rt.host().random().next_u64()},
                    [this](const dns::Resolver::Outgoing& o) { rt_.spawn(ask(o)); }) {}
    ~Upstream() {
        if (timer_) rt_.cancel_timer(timer_);
    }

    dns::Recursor& recursor() { return recursor_; }

    // Polls the resolver at its next deadline.
    void schedule() {
        const base::Time next = recursor_.resolver().next_deadline();
        if (next == timer_at_) return;
        if (timer_) rt_.cancel_timer(timer_);
        timer_ = 0;
        timer_at_ = next;
        if (next.is_never()) return;
        timer_ = rt_.add_timer(next, [this] {
            timer_ = 0;
            timer_at_ = base::Time::never();
            recursor_.resolver().poll(rt_.now());
            schedule();
        });
    }

  private:
    sockets::Task<void> ask(dns::Resolver::Outgoing o) {
        dns::Resolver& r = recursor_.resolver();
        // Sockets whose reply never comes go after this; the resolver has
        // given the query up long before.
        const base::Time until = rt_.now() + base::Duration::seconds(10);
        if (o.transport == dns::Transport::tcp) {
            auto s = co_await sockets::TcpStream::connect(rt_, {o.server, o.port});
            if (!s) {
                r.on_failure(o.token, rt_.now());
                co_return schedule();
            }
            std::vector<std::byte> framed(2 + o.query.size());
            base::store_be16(framed, 0, static_cast<uint16_t>(o.query.size()));
            std::copy(o.query.begin(), o.query.end(), framed.begin() + 2);
            std::vector<std::byte> in;
            bool ok = static_cast<bool>(co_await s->send(framed));
            while (ok && (in.size() < 2 || in.size() < 2 + size_t{base::load_be16(in, 0)})) {
                auto b = co_await s->receive(65537 - in.size());
                ok = b && !b->empty();
                if (ok) in.insert(in.end(), b->bytes().begin(), b->bytes().end());
            }
            if (!ok) {
                r.on_failure(o.token, rt_.now());
                co_return schedule();
            }
            (void)r.on_reply(o.token, o.server, o.port,
                             base::ByteSpan(in).subspan(2, base::load_be16(in, 0)), rt_.now());
            schedule();
            (void)co_await s->close();
            co_return;
        }
        sockets::UdpSocket s(rt_);
        if (!s.connect({o.server, o.port}) || !s.send(o.query)) {
            r.on_failure(o.token, rt_.now());
            co_return schedule();
        }
        while (rt_.now() < until) {
            auto d = co_await s.receive(until - rt_.now());
            if (!d) {
                // ICMP said no one is there; a timeout the resolver handles itself.
                if (d.error() != stack::SocketError::timed_out) r.on_failure(o.token, rt_.now());
                break;
            }
            const bool taken = r.on_reply(o.token, d->from.address.unmapped(), d->from.port,
                                          d->payload.bytes(), rt_.now());
            schedule();
            if (taken) break;
        }
        schedule();
    }

    sockets::Runtime& rt_;
    dns::Recursor recursor_;
    sockets::Runtime::TimerId timer_ = 0;
    base::Time timer_at_ = base::Time::never();
};

}  // namespace

sockets::Task<void> dns_server(sockets::Runtime& rt, std::shared_ptr<dns::Authority> authority,
                               uint16_t port, Output output) {
    auto handler = std::make_shared<Handler>(
        [authority](base::ByteSpan q, dns::Transport t, wire::IpAddress from, Respond respond) {
            if (auto r = authority->handle(q, t, from)) respond(std::move(*r));
        });
    rt.spawn(serve_tcp(rt, port, handler));
    co_await serve_udp(rt, port, handler, output, "dns server");
}

sockets::Task<void> dns_recursor(sockets::Runtime& rt, dns::RecursorConfig config, uint16_t port,
                                 Output output) {
    // Servers are asked over the families this host can send from.
    config.resolver.families = {.ipv4 = rt.host().has_ipv4(), .ipv6 = rt.host().has_ipv6()};
    Upstream upstream(rt, std::move(config));
    auto handler =
        std::make_shared<Handler>([&rt, &upstream](base::ByteSpan q, dns::Transport t,
                                                   wire::IpAddress from, Respond respond) {
            upstream.recursor().handle(q, t, from, rt.now(), std::move(respond));
            upstream.schedule();
        });
    rt.spawn(serve_tcp(rt, port, handler));
    co_await serve_udp(rt, port, handler, output, "dns recursor");
}

sockets::Task<base::Expected<dns::StubAnswer, std::string>> dns_lookup(sockets::Runtime& rt,
                                                                       DnsLookupOptions o,
                                                                       Output output) {
    auto n = dns::Name::parse(o.name.ends_with(".") ? o.name : o.name + ".");
    if (!n) {
        output(fmt::format("{}: '{}': {}", o.label, o.name, n.error()));
        co_return base::fail(n.error());
    }
    auto a = co_await dns::lookup(rt, dns::Question{*n, o.type}, o.stub);
    if (!a) {
        output(fmt::format("{}: {} {}: {}", o.label, n->to_string(), dns::to_string(o.type),
                           a.error()));
        co_return a;
    }
    const dns::Message& m = a->message;
    const std::string via = fmt::format("from {} in {}{}", a->server.to_string(), in_ms(a->elapsed),
                                        a->over_tcp ? ", over TCP" : "");
    if (m.answers.empty()) {
        output(fmt::format(
            "{}: {} {}: {} ({})", o.label, n->to_string(), dns::to_string(o.type),
            m.rcode == dns::Rcode::noerror ? std::string("no records") : dns::to_string(m.rcode),
            via));
    }
    for (const dns::Record& r : m.answers) {
        output(fmt::format("{}: {} {} {} TTL {} ({})", o.label, r.name.to_string(),
                           dns::to_string(r.type), dns::to_string(r.data), r.ttl, via));
    }
    co_return a;
}

sockets::Task<base::Expected<dns::Rcode, std::string>> dns_update(sockets::Runtime& rt,
                                                                  DnsUpdateOptions o,
                                                                  Output output) {
    auto zone = dns::Name::parse(o.zone.ends_with(".") ? o.zone : o.zone + ".");
    auto name = dns::Name::parse(o.name.ends_with(".") ? o.name : o.name + ".");
    if (!zone || !name) {
        const std::string e =
            fmt::format("'{}': {}", zone ? o.name : o.zone, zone ? name.error() : zone.error());
        output(fmt::format("{}: {}", o.label, e));
        co_return base::fail(e);
    }
    // RFC 2136: the zone in the question, no prerequisites, then "delete the
    // name's A RRset" (class ANY, no data) and one "add" per new address.
    dns::Message m;
    m.opcode = dns::Opcode::update;
    m.questions.push_back({*zone, dns::RrType::soa, dns::RrClass::in});
    m.authority.push_back({*name, dns::RrType::a, dns::RrClass::any, 0, dns::rdata::Opaque{}});
    std::string listed;
    for (wire::Ipv4Address a : o.addresses) {
        m.authority.push_back({*name, dns::RrType::a, dns::RrClass::in, o.ttl, dns::rdata::A{a}});
        if (!listed.empty()) listed += ", ";
        listed += a.to_string();
    }
    dns::StubOptions stub;
    stub.servers = {o.server};
    stub.port = o.port;
    auto reply = co_await dns::exchange(rt, std::move(m), stub);
    if (!reply) {
        output(
            fmt::format("{}: {} A -> {}: {}", o.label, name->to_string(), listed, reply.error()));
        co_return base::fail(reply.error());
    }
    output(fmt::format("{}: {} A -> {} TTL {} at {}: {} (in {})", o.label, name->to_string(),
                       listed, o.ttl, o.server.to_string(), dns::to_string(reply->message.rcode),
                       in_ms(reply->elapsed)));
    co_return reply->message.rcode;
}

}  // namespace apps
