#include "socket/tcp.hpp"

#include <algorithm>

namespace sockets {
namespace {

stack::SocketError from(tcp::Error e) {
    switch (e) {
        case tcp::Error::refused:
            return stack::SocketError::connection_refused;
        case tcp::Error::reset:
            return stack::SocketError::connection_reset;
        case tcp::Error::timed_out:
            return stack::SocketError::timed_out;
        case tcp::Error::aborted:
            return stack::SocketError::closed;
        case tcp::Error::host_unreachable:
            return stack::SocketError::host_unreachable;
        case tcp::Error::network_unreachable:
            return stack::SocketError::network_unreachable;
    }
    return stack::SocketError::closed;
}

}  // namespace

TcpStream::TcpStream(Runtime& rt, stack::SocketId id)
    : rt_(&rt), id_(id), waiter_(std::make_unique<detail::TcpWaiter>(detail::TcpWaiter{&rt, {}})) {
    rt_->tcp().on_event(id_, [w = waiter_.get()] { w->wake(); });
}

TcpStream::TcpStream(TcpStream&& o) noexcept
    : rt_(o.rt_), id_(std::exchange(o.id_, 0)), waiter_(std::move(o.waiter_)) {}

TcpStream& TcpStream::operator=(TcpStream&& o) noexcept {
    if (this != &o) {
        release();
        rt_ = o.rt_;
        id_ = std::exchange(o.id_, 0);
        waiter_ = std::move(o.waiter_);
    }
    return *this;
}

TcpStream::~TcpStream() {
    release();
}

void TcpStream::release() {
    if (id_ == 0) return;
    rt_->tcp().release(id_, rt_->now());  // a graceful close, finished by the host
    id_ = 0;
}

const tcp::Connection* TcpStream::connection() const {
    return id_ ? rt_->tcp().connection(id_) : nullptr;
}

std::optional<stack::SocketError> TcpStream::error() const {
    const tcp::Connection* c = connection();
    if (!c) return stack::SocketError::closed;
    if (c->error()) return from(*c->error());
    return std::nullopt;
}

base::Expected<TcpStream, stack::SocketError> TcpStream::start_connect(Runtime& rt,
                                                                       stack::Endpoint remote,
                                                                       tcp::Options options) {
    auto id = rt.tcp().connect(remote, rt.now(), std::nullopt, options);
    if (!id) return base::fail(id.error());
    return TcpStream(rt, *id);
}

std::optional<base::Expected<void, stack::SocketError>> TcpStream::handshake() const {
    const tcp::Connection* c = connection();
    if (!c) return base::fail(stack::SocketError::closed);
    if (c->error()) return base::fail(from(*c->error()));
    if (c->synchronized()) return base::Expected<void, stack::SocketError>{};
    return std::nullopt;
}

void TcpStream::also_notify(Event* event) {
    if (id_ == 0) return;
    if (event == nullptr) {
        rt_->tcp().on_event(id_, [w = waiter_.get()] { w->wake(); });
    } else {
        rt_->tcp().on_event(id_, [w = waiter_.get(), event] {
            w->wake();
            event->set();
        });
    }
}

Task<base::Expected<TcpStream, stack::SocketError>> TcpStream::connect(Runtime& rt,
                                                                       stack::Endpoint remote,
                                                                       tcp::Options options) {
    auto id = rt.tcp().connect(remote, rt.now(), std::nullopt, options);
    if (!id) co_return base::fail(id.error());
    TcpStream s(rt, *id);
    while (true) {
        const tcp::Connection* c = s.connection();
        if (c->error()) co_return base::fail(from(*c->error()));
        if (c->synchronized()) co_return std::move(s);
        co_await s.changed();
    }
}

Task<base::Expected<void, stack::SocketError>> TcpStream::send(base::ByteSpan data) {
    size_t offset = 0;
    while (true) {
        if (auto e = error()) co_return base::fail(*e);
        offset += rt_->tcp().send(id_, data.subspan(offset), rt_->now());
        if (offset == data.size()) co_return base::Expected<void, stack::SocketError>{};
        if (connection()->sending_shut_down()) co_return base::fail(stack::SocketError::closed);
        co_await changed();  // back-pressure: wait for room
    }
}

Task<base::Expected<size_t, stack::SocketError>> TcpStream::send_some(base::ByteSpan data) {
    while (true) {
        if (auto e = error()) co_return base::fail(*e);
        if (data.empty()) co_return size_t{0};
        const size_t n = rt_->tcp().send(id_, data, rt_->now());
        if (n > 0) co_return n;
        if (connection()->sending_shut_down()) co_return base::fail(stack::SocketError::closed);
        co_await changed();  // the buffer is full: wait for room
    }
}

size_t TcpStream::try_send(base::ByteSpan data) {
    if (error() || !connection() || connection()->sending_shut_down()) return 0;
    return rt_->tcp().send(id_, data, rt_->now());
}

Task<base::Expected<size_t, stack::SocketError>> TcpStream::send_some(base::ByteSpan data,
                                                                      base::Time deadline) {
    while (true) {
        if (auto e = error()) co_return base::fail(*e);
        if (data.empty()) co_return size_t{0};
        const size_t n = rt_->tcp().send(id_, data, rt_->now());
        if (n > 0) co_return n;
        if (connection()->sending_shut_down()) co_return base::fail(stack::SocketError::closed);
        if (rt_->now() >= deadline) co_return size_t{0};
        co_await changed(deadline);  // the buffer is full: wait for room, or the deadline
    }
}

Task<base::Expected<base::PacketBuffer, stack::SocketError>> TcpStream::receive(size_t max) {
    return read(max, true);
}

Task<base::Expected<base::PacketBuffer, stack::SocketError>> TcpStream::peek(size_t max) {
    return read(max, false);
}

Task<base::Expected<size_t, stack::SocketError>> TcpStream::discard(size_t max) {
    while (true) {
        const tcp::Connection* c = connection();
        if (!c) co_return base::fail(stack::SocketError::closed);
        if (max > 0 && c->readable_bytes() > 0) co_return rt_->tcp().discard(id_, max, rt_->now());
        if (c->peer_finished()) co_return size_t{0};  // the end of the stream
        if (c->error()) co_return base::fail(from(*c->error()));
        if (c->state() == tcp::State::closed) co_return size_t{0};
        co_await changed();
    }
}

Task<base::Expected<base::PacketBuffer, stack::SocketError>> TcpStream::read(size_t max,
                                                                             bool take) {
    while (true) {
        const tcp::Connection* c = connection();
        if (!c) co_return base::fail(stack::SocketError::closed);
        const size_t n = std::min(max, c->readable_bytes());
        if (n > 0) {
            base::PacketBuffer b =
                rt_->host().pool().acquire(rt_->host().pool().config().default_headroom, n);
            if (take) {
                rt_->tcp().receive(id_, b.append(n), rt_->now());
            } else {
                rt_->tcp().peek(id_, b.append(n));
            }
            co_return std::move(b);
        }
        if (c->peer_finished()) co_return rt_->host().pool().acquire();  // the end of the stream
        if (c->error()) co_return base::fail(from(*c->error()));
        if (c->state() == tcp::State::closed) co_return rt_->host().pool().acquire();
        co_await changed();
    }
}

base::Expected<void, stack::SocketError> TcpStream::shutdown() {
    if (auto e = error()) return base::fail(*e);
    rt_->tcp().shutdown(id_, rt_->now());
    return {};
}

Task<base::Expected<void, stack::SocketError>> TcpStream::close() {
    if (id_ == 0) co_return base::fail(stack::SocketError::closed);
    // Data received and never read: the connection is reset at once, not
    // closed with a FIN (tcp::Connection::close), as close(2) does in Linux.
    // So does SO_LINGER with a zero time.
    const tcp::Connection* conn = connection();
    const std::optional<base::Duration> linger = conn ? conn->config().linger : std::nullopt;
    if ((conn && conn->readable_bytes() > 0) || linger == base::Duration::zero()) {
        release();
        co_return base::Expected<void, stack::SocketError>{};
    }
    // With SO_LINGER on, wait at most its time; the close goes on without us.
    const base::Time deadline = linger ? rt_->now() + *linger : base::Time::never();
    rt_->tcp().shutdown(id_, rt_->now());
    while (true) {
        const tcp::Connection* c = connection();
        if (c->error()) co_return base::fail(from(*c->error()));
        const tcp::State s = c->state();
        if (s == tcp::State::fin_wait_2 || s == tcp::State::time_wait || s == tcp::State::closed)
            break;
        if (rt_->now() >= deadline) {
            release();
            co_return base::fail(stack::SocketError::timed_out);
        }
        co_await changed(deadline);
    }
    release();
    co_return base::Expected<void, stack::SocketError>{};
}

void TcpStream::abort() {
    if (id_ == 0) return;
    rt_->tcp().abort(id_, rt_->now());
    release();
}

base::Expected<void, stack::SocketError> TcpStream::set_options(const tcp::Options& options) {
    if (id_ == 0) return base::fail(stack::SocketError::closed);
    return rt_->tcp().set_options(id_, options, rt_->now());
}

void TcpStream::set_keepalive(std::optional<tcp::KeepAlive> keepalive) {
    (void)set_options(keepalive ? tcp::Options{.keepalive = keepalive}
                                : tcp::Options{.keepalive_off = true});
}

void TcpStream::set_nodelay(bool on) {
    (void)set_options({.nodelay = on});
}

void TcpStream::set_congestion(tcp::CongestionAlgorithm algorithm) {
    (void)set_options({.congestion = algorithm});
}

std::optional<tcp::Info> TcpStream::info() const {
    const tcp::Connection* c = connection();
    if (!c) return std::nullopt;
    return c->info(rt_->now());
}

TcpListener::TcpListener(Runtime& rt, stack::SocketId id)
    : rt_(&rt), id_(id), waiter_(std::make_unique<detail::TcpWaiter>(detail::TcpWaiter{&rt, {}})) {
    rt_->tcp().on_event(id_, [w = waiter_.get()] { w->wake(); });
}

base::Expected<TcpListener, stack::SocketError> TcpListener::listen(
    Runtime& rt, stack::Endpoint local, size_t backlog, tcp::Options options, bool ipv6_only) {
    auto id = rt.tcp().listen(local, backlog, options, local.address.is_v6() && !ipv6_only);
    if (!id) return base::fail(id.error());
    return TcpListener(rt, *id);
}

base::Expected<TcpListener, stack::SocketError> TcpListener::listen_any(Runtime& rt, uint16_t port,
                                                                        size_t backlog,
                                                                        tcp::Options options) {
    if (!rt.host().has_ipv6())
        return listen(rt, {wire::Ipv4Address::any(), port}, backlog, options);
    return listen(rt, {wire::Ipv6Address{}, port}, backlog, options, /*ipv6_only=*/false);
}

TcpListener::TcpListener(TcpListener&& o) noexcept
    : rt_(o.rt_), id_(std::exchange(o.id_, 0)), waiter_(std::move(o.waiter_)) {}

TcpListener& TcpListener::operator=(TcpListener&& o) noexcept {
    if (this != &o) {
        if (id_) rt_->tcp().release(id_, rt_->now());
        rt_ = o.rt_;
        id_ = std::exchange(o.id_, 0);
        waiter_ = std::move(o.waiter_);
    }
    return *this;
}

TcpListener::~TcpListener() {
    if (id_) rt_->tcp().release(id_, rt_->now());
}

Task<base::Expected<TcpStream, stack::SocketError>> TcpListener::accept() {
    while (true) {
        if (auto id = rt_->tcp().accept(id_)) co_return TcpStream(*rt_, *id);
        co_await detail::ChangeAwaiter{waiter_.get(), {}};
    }
}

}  // namespace sockets
