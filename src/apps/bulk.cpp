#include "apps/bulk.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "apps/connect.hpp"
#include "socket/tcp.hpp"

namespace apps {
namespace bulk {
namespace {

namespace field {
constexpr base::Range magic{0, 4};
constexpr base::Range version{4, 5};
constexpr base::Range direction{5, 6};
constexpr base::Range kind{6, 7};
constexpr base::Range zero{7, 8};
constexpr base::Range amount_high{8, 12};
constexpr base::Range amount_low{12, 16};
}  // namespace field

constexpr uint32_t magic = 0x42554c4b;  // "BULK"
constexpr uint8_t version = 1;

constexpr size_t chunk = 64 * 1024;
constexpr size_t alphabet = 26;

}  // namespace

std::optional<Request> Request::parse(base::ByteSpan b) {
    if (b.size() < size || base::load_be32(b, field::magic) != magic ||
        base::load_u8(b, field::version) != version || base::load_u8(b, field::zero) != 0) {
        return std::nullopt;
    }
    const uint8_t direction = base::load_u8(b, field::direction);
    const uint8_t kind = base::load_u8(b, field::kind);
    if (direction > 1 || kind > 1) return std::nullopt;
    const uint64_t amount = (uint64_t{base::load_be32(b, field::amount_high)} << 32) |
                            base::load_be32(b, field::amount_low);
    Request r;
    r.reverse = direction == 1;
    if (kind == 0) {
        r.amount = BulkAmount::of_bytes(amount);
    } else {
        if (amount > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
        r.amount = BulkAmount::for_time(base::Duration::nanoseconds(static_cast<int64_t>(amount)));
    }
    return r;
}

void Request::emit(base::MutableByteSpan b) const {
    const uint64_t value = amount.kind == BulkAmount::Kind::bytes
                               ? amount.bytes
                               : static_cast<uint64_t>(amount.duration.ns());
    base::store_be32(b, field::magic, magic);
    base::store_u8(b, field::version, version);
    base::store_u8(b, field::direction, reverse ? 1 : 0);
    base::store_u8(b, field::kind, static_cast<uint8_t>(amount.kind));
    base::store_u8(b, field::zero, 0);
    base::store_be32(b, field::amount_high, static_cast<uint32_t>(value >> 32));
    base::store_be32(b, field::amount_low, static_cast<uint32_t>(value));
}

base::ByteSpan pattern(uint64_t offset, size_t max) {
    // One chunk and one more alphabet, so a chunk may start at any letter.
    static const std::array<std::byte, chunk + alphabet> letters = [] {
        std::array<std::byte, chunk + alphabet> a{};
        for (size_t i = 0; i < a.size(); ++i)
            a[i] = static_cast<std::byte>('a' + i % alphabet);
        return a;
    }();
    return base::ByteSpan(letters).subspan(offset % alphabet, std::min(max, chunk));
}

}  // namespace bulk

namespace {

std::string peer_of(const sockets::TcpStream& s) {
    const tcp::Connection* c = s.connection();
    if (!c) return "?";
    return stack::Endpoint{c->tuple().remote_address, c->tuple().remote_port}.to_string();
}

// Sends the pattern for `amount`: that many bytes, or until the time is up
// (then it stops queueing at once, even while TCP's buffer is full). `sent`
// counts the bytes TCP took, as they go.
sockets::Task<base::Expected<void, stack::SocketError>> send_pattern(sockets::Runtime& rt,
                                                                     sockets::TcpStream& s,
                                                                     BulkAmount amount,
                                                                     uint64_t* sent) {
    const bool timed = amount.kind == BulkAmount::Kind::duration;
    const base::Time deadline = timed ? rt.now() + amount.duration : base::Time::never();
    while (timed ? rt.now() < deadline : *sent < amount.bytes) {
        const uint64_t left = timed ? UINT64_MAX : amount.bytes - *sent;
        const base::ByteSpan chunk =
            bulk::pattern(*sent, static_cast<size_t>(std::min<uint64_t>(left, SIZE_MAX)));
        auto n = co_await s.send_some(chunk, deadline);
        if (!n) co_return base::fail(n.error());
        *sent += *n;
    }
    co_return base::Expected<void, stack::SocketError>{};
}

// Reads and drops everything to the end of the stream; `received` counts.
sockets::Task<base::Expected<void, stack::SocketError>> drain(sockets::TcpStream& s,
                                                              uint64_t* received) {
    while (true) {
        // The sink only counts: the bytes are dropped where they lie.
        auto n = co_await s.discard(64 * 1024);
        if (!n) co_return base::fail(n.error());
        if (*n == 0) co_return base::Expected<void, stack::SocketError>{};
        *received += *n;
    }
}

sockets::Task<void> sink_connection(sockets::Runtime& rt, sockets::TcpStream s, TcpSinkOptions o,
                                    Output output) {
    TcpSinkFlow flow;
    if (o.congestion) s.set_congestion(*o.congestion);
    if (const tcp::Connection* c = s.connection())
        flow.peer = {c->tuple().remote_address, c->tuple().remote_port};
    flow.started = rt.now();
    const std::string peer = peer_of(s);

    // The request, or as much of the stream's start as there is.
    std::array<std::byte, bulk::Request::size> head{};
    size_t have = 0;
    std::optional<stack::SocketError> error;
    bool ended = false;
    while (have < head.size()) {
        auto data = co_await s.receive(head.size() - have);
        if (!data) {
            error = data.error();
            break;
        }
        if (data->empty()) {
            ended = true;
            break;
        }
        std::copy(data->bytes().begin(), data->bytes().end(), head.begin() + have);
        have += data->size();
    }
    const auto request = have == head.size() ? bulk::Request::parse(head) : std::nullopt;
    flow.request = request.has_value();
    flow.reverse = request && request->reverse;
    if (!request) flow.bytes = have;  // plain data: its first bytes count too

    const auto account = [&] {
        flow.ended = rt.now();
        flow.error = error;
        output(fmt::format(
            "tcp sink: {} {} {} bytes in {}, {}{}{}", peer, flow.reverse ? "sent" : "received",
            flow.bytes, in_seconds(flow.ended - flow.started),
            format_goodput(flow.bytes, flow.ended - flow.started), flow.reverse ? " (reverse)" : "",
            error ? fmt::format(" ({})", stack::to_string(*error)) : ""));
        if (o.on_flow) o.on_flow(flow);
    };
    if (flow.reverse) {
        // Sending: every byte is in when our FIN is acknowledged.
        if (!error) {
            if (auto ok = co_await send_pattern(rt, s, request->amount, &flow.bytes); !ok)
                error = ok.error();
        }
        if (!error) {
            if (auto closed = co_await s.close(); !closed) error = closed.error();
        }
        account();
    } else {
        // Receiving: every byte is in at the end of the stream, told at once
        // (the client's close may end a run before ours is done).
        if (!error && !ended) {
            if (auto ok = co_await drain(s, &flow.bytes); !ok) error = ok.error();
        }
        account();
        if (!error) (void)co_await s.close();
    }
}

}  // namespace

double TcpBulkResult::goodput_mbit_s() const {
    if (transfer <= base::Duration::zero()) return 0;
    return static_cast<double>(bytes) * 8 / transfer.seconds_f() / 1e6;
}

sockets::Task<void> tcp_sink(sockets::Runtime& rt, TcpSinkOptions o, Output output) {
    auto l = sockets::TcpListener::listen_any(rt, o.port);
    if (!l) {
        output(fmt::format("tcp sink: cannot listen on TCP port {}: {}", o.port,
                           stack::to_string(l.error())));
        co_return;
    }
    output(fmt::format("tcp sink: listening on TCP port {}", o.port));
    while (true) {
        auto s = co_await l->accept();
        if (s) rt.spawn(sink_connection(rt, std::move(*s), o, output));
    }
}

sockets::Task<TcpBulkResult> tcp_bulk(sockets::Runtime& rt, TcpBulkOptions o, Output output) {
    TcpBulkResult r;
    auto connected = co_await connect_to(rt, o.to, o.port, o.label, output);
    if (!connected) {
        r.error = connected.error();
        output(fmt::format("{}: {}", o.label, *r.error));
        co_return r;
    }
    const stack::Endpoint to = connected->remote;
    sockets::TcpStream& stream = connected->stream;
    r.connected = true;
    r.handshake = connected->handshake;
    if (o.congestion) stream.set_congestion(*o.congestion);
    output(fmt::format("{}: connected to {} (3-way handshake, {})", o.label, to.to_string(),
                       in_ms(r.handshake)));

    const base::Time begun = rt.now();
    const bulk::Request request{.reverse = o.reverse, .amount = o.amount};
    std::array<std::byte, bulk::Request::size> head{};
    request.emit(head);
    std::optional<stack::SocketError> error;
    if (!o.raw) {
        if (auto ok = co_await stream.send(head); !ok) error = ok.error();
    }
    if (!error && o.reverse) {
        if (auto ok = co_await drain(stream, &r.bytes); !ok) error = ok.error();
    } else if (!error) {
        if (auto ok = co_await send_pattern(rt, stream, o.amount, &r.bytes); !ok)
            error = ok.error();
    }
    // Sending, the transfer ends when our FIN is acknowledged, and with it
    // every byte; receiving, at the end of the sink's stream.
    if (o.reverse) r.transfer = rt.now() - begun;
    if (!error) {
        if (auto closed = co_await stream.close(); !closed) error = closed.error();
    }
    if (!o.reverse) r.transfer = rt.now() - begun;
    if (error) {
        r.error = stack::to_string(*error);
        output(fmt::format("{}: the connection failed after {} bytes: {}", o.label, r.bytes,
                           *r.error));
        co_return r;
    }
    r.completed = true;
    output(fmt::format("{}: {} {} bytes in {}, {}", o.label, o.reverse ? "received" : "sent",
                       r.bytes, in_seconds(r.transfer), format_goodput(r.bytes, r.transfer)));
    co_return r;
}

}  // namespace apps
