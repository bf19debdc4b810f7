// The socket half of the C API: BSD calls over stack::Tcp and stack::Udp,
// with POSIX's errno values.
#include <fcntl.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdarg>
#include <cstddef>
#include <cstring>

#include "capi/host.hpp"

namespace {

using capi::fail;
using capi::Socket;
using stack::Endpoint;

int errno_of(stack::SocketError e) {
    switch (e) {
        case stack::SocketError::address_in_use:
            return EADDRINUSE;
        case stack::SocketError::no_ephemeral_port:
            return EADDRNOTAVAIL;
        case stack::SocketError::not_connected:
            return ENOTCONN;
        case stack::SocketError::invalid_argument:
            return EINVAL;
        case stack::SocketError::message_too_long:
            return EMSGSIZE;
        case stack::SocketError::no_route:
            return ENETUNREACH;
        case stack::SocketError::connection_refused:
            return ECONNREFUSED;
        case stack::SocketError::connection_reset:
            return ECONNRESET;
        case stack::SocketError::host_unreachable:
            return EHOSTUNREACH;
        case stack::SocketError::network_unreachable:
            return ENETUNREACH;
        case stack::SocketError::timed_out:
            return ETIMEDOUT;
        case stack::SocketError::closed:
            return EPIPE;
    }
    return EIO;
}

int errno_of(tcp::Error e) {
    switch (e) {
        case tcp::Error::refused:
            return ECONNREFUSED;
        case tcp::Error::reset:
            return ECONNRESET;
        case tcp::Error::timed_out:
            return ETIMEDOUT;
        case tcp::Error::aborted:
            return ECONNABORTED;
        case tcp::Error::host_unreachable:
            return EHOSTUNREACH;
        case tcp::Error::network_unreachable:
            return ENETUNREACH;
    }
    return EIO;
}

// A socket address from the caller, in the socket's family: a sockaddr_in
// for AF_INET, a sockaddr_in6 for AF_INET6, where ::ffff:a.b.c.d names an
// IPv4 address (unless IPV6_V6ONLY: ENETUNREACH). EFAULT, EINVAL (short),
// EAFNOSUPPORT (another family).
int read_address(const Socket& s, const sockaddr* address, socklen_t length, Endpoint& out) {
    if (address == nullptr) return EFAULT;
    if (s.domain == AF_INET) {
        if (length < static_cast<socklen_t>(sizeof(sockaddr_in))) return EINVAL;
        sockaddr_in in{};
        std::memcpy(&in, address, sizeof in);
        if (in.sin_family != AF_INET) return EAFNOSUPPORT;
        out.address = wire::Ipv4Address::from_u32(ntohl(in.sin_addr.s_addr));
        out.port = ntohs(in.sin_port);
        return 0;
    }
    // The family first, so that a sockaddr_in is named for what it is.
    if (length < static_cast<socklen_t>(sizeof(sa_family_t))) return EINVAL;
    sa_family_t family = 0;
    std::memcpy(&family, address, sizeof family);
    if (family != AF_INET6) return EAFNOSUPPORT;
    // RFC 2133's sockaddr_in6 had no scope id: 24 bytes, which Linux takes too.
    if (length < static_cast<socklen_t>(offsetof(sockaddr_in6, sin6_scope_id))) return EINVAL;
    sockaddr_in6 in6{};
    std::memcpy(&in6, address, std::min<size_t>(length, sizeof in6));
    std::array<uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), &in6.sin6_addr, bytes.size());
    const wire::Ipv6Address a{bytes};
    out.port = ntohs(in6.sin6_port);
    if (a.is_ipv4_mapped()) {
        if (s.v6only) return ENETUNREACH;
        out.address = a.ipv4();
    } else {
        out.address = a;
    }
    return 0;
}

// Writes `e` for the caller as getsockname(2) does, in the socket's family
// (an IPv4 endpoint of an AF_INET6 socket as ::ffff:a.b.c.d): truncated to
// *length, which is set to the full size. EFAULT, EINVAL (negative length).
int write_address(const Socket& s, const Endpoint& e, sockaddr* address, socklen_t* length) {
    if (address == nullptr || length == nullptr) return EFAULT;
    if (static_cast<int>(*length) < 0) return EINVAL;
    if (s.domain == AF_INET) {
        sockaddr_in in{};
        in.sin_family = AF_INET;
        in.sin_port = htons(e.port);
        in.sin_addr.s_addr = htonl(e.address.unmapped().v4().to_u32());
        std::memcpy(address, &in, std::min<size_t>(*length, sizeof in));
        *length = sizeof in;
        return 0;
    }
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(e.port);
    const wire::Ipv6Address a =
        e.address.is_v4() ? wire::Ipv6Address::mapped(e.address.v4()) : e.address.v6();
    std::memcpy(&in6.sin6_addr, a.bytes().data(), a.bytes().size());
    std::memcpy(address, &in6, std::min<size_t>(*length, sizeof in6));
    *length = sizeof in6;
    return 0;
}

// The wildcard of the socket's family.
Endpoint any_endpoint(const Socket& s) {
    return s.domain == AF_INET6 ? Endpoint{wire::Ipv6Address{}, 0}
                                : Endpoint{wire::Ipv4Address::any(), 0};
}

// Whether a binding of `s` to `local` takes IPv4 too.
bool dual_stack(const Socket& s, const Endpoint& local) {
    return s.domain == AF_INET6 && !s.v6only && local.address.is_v6() &&
           local.address.is_unspecified();
}

// An AF_INET6 UDP socket that sends before it is bound gets ::, as Linux's
// autobind gives it, so that both families can answer it.
base::Expected<void, stack::SocketError> autobind_udp(mnet_host* h, Socket& s) {
    if (s.domain != AF_INET6 || h->udp.local_endpoint(*s.udp)) return {};
    const Endpoint any = any_endpoint(s);
    return h->udp.bind(*s.udp, any, false, dual_stack(s, any));
}

tcp::Connection* connection_of(mnet_host* h, const Socket& s) {
    return s.connection ? h->tcp.connection(*s.connection) : nullptr;
}

// The error a TCP connection ended with, given once (as SO_ERROR and the
// first failing call report it); afterwards 0.
int take_connection_error(mnet_host* h, Socket& s) {
    tcp::Connection* c = connection_of(h, s);
    if (c == nullptr || !c->error() || s.error_reported) return 0;
    s.error_reported = true;
    return errno_of(*c->error());
}

// Moves established connections from the listener into the socket's queue.
void collect_accepted(mnet_host* h, Socket& s) {
    if (!s.listener) return;
    while (auto id = h->tcp.accept(*s.listener))
        s.accepted.push_back(*id);
}

bool local_address_ok(mnet_host* h, const wire::IpAddress& a) {
    return a.is_unspecified() || h->host.is_local_address(a);
}

// Whether another socket of the type holds the port on an address `e` overlaps.
bool port_taken(mnet_host* h, const Socket& self, const Endpoint& e) {
    for (const auto& other : h->sockets) {
        if (!other || other.get() == &self || other->type != self.type || !other->bound) continue;
        if (other->bound->port != e.port) continue;
        if (stack::addresses_overlap(other->bound->address, dual_stack(*other, *other->bound),
                                     e.address, dual_stack(self, e)))
            return true;
    }
    return false;
}

ssize_t tcp_send(mnet_host* h, Socket& s, const void* data, size_t length) {
    if (s.shut_write) return fail(EPIPE);
    tcp::Connection* c = connection_of(h, s);
    if (c == nullptr) return fail(ENOTCONN);
    if (int e = take_connection_error(h, s)) return fail(e);
    if (c->error()) return fail(EPIPE);
    if (!c->synchronized()) return fail(EAGAIN);  // still connecting
    if (length == 0) return 0;
    const size_t n =
        h->tcp.send(*s.connection, {static_cast<const std::byte*>(data), length}, h->now);
    if (n == 0) return fail(EAGAIN);
    return static_cast<ssize_t>(n);
}

ssize_t tcp_recv(mnet_host* h, Socket& s, void* buffer, size_t length, int flags) {
    tcp::Connection* c = connection_of(h, s);
    if (c == nullptr) return fail(ENOTCONN);
    if (s.shut_read) return 0;
    const base::MutableByteSpan out{static_cast<std::byte*>(buffer), length};
    if (c->readable_bytes() > 0 && length > 0) {
        const size_t n = (flags & MSG_PEEK) ? h->tcp.peek(*s.connection, out)
                                            : h->tcp.receive(*s.connection, out, h->now);
        return static_cast<ssize_t>(n);
    }
    if (int e = take_connection_error(h, s)) return fail(e);
    if (c->error() || c->peer_finished() || length == 0) return 0;
    return fail(EAGAIN);
}

// A blocking socket on a host with a driver (mnet_tap_attach) waits while
// `attempt` would block, driving the host; without a driver, or with
// O_NONBLOCK or MSG_DONTWAIT, the first answer stands. mnet_stop ends the
// wait with EINTR.
template <typename Attempt>
auto blocking(mnet_host* h, int fd, bool dontwait, Attempt attempt) -> decltype(attempt()) {
    for (;;) {
        const auto r = attempt();
        if (r != -1) return r;
        const int e = errno;
        const Socket* s = h->find(fd);
        if ((e != EAGAIN && e != EINPROGRESS && e != EALREADY) || s == nullptr || s->nonblocking ||
            dontwait || !h->tap)
            return r;
        if (!h->drive_once(base::Time::never())) {
            errno = EINTR;
            return -1;
        }
    }
}

int accept_once(mnet_host* host, int fd, sockaddr* address, socklen_t* length) {
    Socket* s = host->find(fd);
    if (s == nullptr) return fail(EBADF);
    if (s->type != SOCK_STREAM) return fail(EOPNOTSUPP);
    if (!s->listener) return fail(EINVAL);
    if ((address == nullptr) != (length == nullptr)) return fail(EFAULT);
    collect_accepted(host, *s);
    if (s->accepted.empty()) return fail(EAGAIN);
    const stack::SocketId id = s->accepted.front();
    s->accepted.pop_front();
    auto child = std::make_unique<Socket>();
    child->type = SOCK_STREAM;
    child->domain = s->domain;
    child->v6only = s->v6only;
    child->connection = id;
    child->connect_reported = true;
    const tcp::Tuple& t = host->tcp.connection(id)->tuple();
    child->bound = Endpoint{t.local_address, t.local_port};
    if (address != nullptr) {
        if (int e = write_address(*child, {t.remote_address, t.remote_port}, address, length)) {
            host->tcp.abort(id, host->now);
            host->tcp.release(id, host->now);
            return fail(e);
        }
    }
    return host->add(std::move(child));
}

int connect_once(mnet_host* host, int fd, const sockaddr* address, socklen_t length) {
    Socket* s = host->find(fd);
    if (s == nullptr) return fail(EBADF);
    Endpoint remote;
    if (int err = read_address(*s, address, length, remote)) return fail(err);
    if (s->udp) {
        if (auto r = autobind_udp(host, *s); !r) return fail(errno_of(r.error()));
        if (auto r = host->udp.connect(*s->udp, remote); !r) return fail(errno_of(r.error()));
        s->bound = host->udp.local_endpoint(*s->udp);
        return 0;
    }
    if (s->listener) return fail(EISCONN);
    if (s->connection) {
        tcp::Connection* c = connection_of(host, *s);
        if (c != nullptr && c->synchronized() && !c->error()) {
            if (!s->connect_reported) {
                s->connect_reported = true;
                return 0;
            }
            return fail(EISCONN);
        }
        if (int e = take_connection_error(host, *s)) return fail(e);
        return fail(EALREADY);
    }
    if (remote.port == 0 || remote.address.is_unspecified()) return fail(EADDRNOTAVAIL);
    std::optional<Endpoint> local = s->bound;
    auto c = host->tcp.connect(remote, host->now, local, s->options);
    if (!c) return fail(errno_of(c.error()));
    s->connection = *c;
    const tcp::Tuple& t = host->tcp.connection(*c)->tuple();
    s->bound = Endpoint{t.local_address, t.local_port};
    host->settle();
    return fail(EINPROGRESS);
}

ssize_t sendto_once(mnet_host* host, int fd, const void* data, size_t length, int flags,
                    const sockaddr* to, socklen_t to_length) {
    Socket* s = host->find(fd);
    if (s == nullptr) return fail(EBADF);
    if (data == nullptr && length > 0) return fail(EFAULT);
    if ((flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL)) != 0) return fail(EOPNOTSUPP);
    if (s->type == SOCK_STREAM) {
        if (to != nullptr) return fail(s->connection ? EISCONN : EOPNOTSUPP);
        return tcp_send(host, *s, data, length);
    }
    const base::ByteSpan payload{static_cast<const std::byte*>(data), length};
    base::Expected<void, stack::SocketError> r;
    if (to != nullptr) {
        Endpoint remote;
        if (int err = read_address(*s, to, to_length, remote)) return fail(err);
        r = autobind_udp(host, *s);
        if (r) r = host->udp.send_to(*s->udp, remote, payload, host->now);
    } else {
        if (!host->udp.remote_endpoint(*s->udp)) return fail(EDESTADDRREQ);
        r = host->udp.send(*s->udp, payload, host->now);
    }
    s->bound = host->udp.local_endpoint(*s->udp);
    if (!r) return fail(errno_of(r.error()));
    return static_cast<ssize_t>(length);
}

ssize_t recvfrom_once(mnet_host* host, int fd, void* buffer, size_t length, int flags,
                      sockaddr* from, socklen_t* from_length) {
    Socket* s = host->find(fd);
    if (s == nullptr) return fail(EBADF);
    if (buffer == nullptr && length > 0) return fail(EFAULT);
    if ((flags & ~(MSG_DONTWAIT | MSG_PEEK)) != 0) return fail(EOPNOTSUPP);
    if ((from == nullptr) != (from_length == nullptr)) return fail(EFAULT);
    if (s->type == SOCK_STREAM) {
        const ssize_t n = tcp_recv(host, *s, buffer, length, flags);
        if (n >= 0 && from != nullptr) {
            const tcp::Tuple& t = connection_of(host, *s)->tuple();
            if (int e = write_address(*s, {t.remote_address, t.remote_port}, from, from_length))
                return fail(e);
        }
        return n;
    }
    if (auto e = host->udp.take_error(*s->udp)) return fail(errno_of(*e));
    if (flags & MSG_PEEK) return fail(EOPNOTSUPP);  // stack::Udp takes a datagram whole
    auto d = host->udp.receive(*s->udp);
    if (!d) return fail(EAGAIN);
    const base::ByteSpan bytes = d->payload.bytes();
    const size_t n = std::min(length, bytes.size());  // the rest is lost, as recv(2) does
    if (n > 0) std::memcpy(buffer, bytes.data(), n);
    if (from != nullptr) {
        if (int e = write_address(*s, d->from, from, from_length)) return fail(e);
    }
    return static_cast<ssize_t>(n);
}

int poll_once(mnet_host* host, pollfd* fds, nfds_t count) {
    int ready = 0;
    for (nfds_t i = 0; i < count; ++i) {
        pollfd& p = fds[i];
        p.revents = 0;
        if (p.fd < 0) continue;
        Socket* s = host->find(p.fd);
        if (s == nullptr) {
            p.revents = POLLNVAL;
            ++ready;
            continue;
        }
        short ev = 0;
        if (s->udp) {
            if (host->udp.readable(*s->udp)) ev |= POLLIN;
            ev |= POLLOUT;
        } else if (s->listener) {
            collect_accepted(host, *s);
            if (!s->accepted.empty()) ev |= POLLIN;
        } else if (tcp::Connection* c = connection_of(host, *s)) {
            if (c->readable_bytes() > 0 || c->peer_finished() || c->error()) ev |= POLLIN;
            if (c->synchronized() && !c->error() && c->send_space() > 0 && !s->shut_write)
                ev |= POLLOUT;
            if (c->error() && !s->error_reported) ev |= POLLERR;
            if (c->error() || (c->peer_finished() && s->shut_write)) ev |= POLLHUP;
        } else {
            ev |= POLLOUT | POLLHUP;  // never connected: as Linux reports it
        }
        p.revents = static_cast<short>(ev & (p.events | POLLERR | POLLHUP | POLLNVAL));
        if (p.revents) ++ready;
    }
    return ready;
}

}  // namespace

extern "C" {

int mnet_socket(mnet_host* host, int domain, int type, int protocol) {
    if (host == nullptr) return fail(EFAULT);
    if (domain != AF_INET && domain != AF_INET6) return fail(EAFNOSUPPORT);
    const int kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (kind != SOCK_STREAM && kind != SOCK_DGRAM) return fail(EINVAL);
    if (protocol != 0 && !(kind == SOCK_STREAM && protocol == IPPROTO_TCP) &&
        !(kind == SOCK_DGRAM && protocol == IPPROTO_UDP))
        return fail(EPROTONOSUPPORT);
    auto s = std::make_unique<Socket>();
    s->type = kind;
    s->domain = domain;
    s->nonblocking = (type & SOCK_NONBLOCK) != 0;
    if (kind == SOCK_DGRAM) s->udp = host->udp.open();
    return host->add(std::move(s));
}

int mnet_bind(mnet_host* host, int fd, const sockaddr* address, socklen_t length) {
    if (host == nullptr) return fail(EFAULT);
    Socket* s = host->find(fd);
    if (s == nullptr) return fail(EBADF);
    Endpoint e;
    if (int err = read_address(*s, address, length, e))
        return fail(err == ENETUNREACH ? EINVAL : err);
    if (s->bound || s->listener || s->connection) return fail(EINVAL);
    if (!local_address_ok(host, e.address)) return fail(EADDRNOTAVAIL);
    if (s->udp) {
        if (auto r = host->udp.bind(*s->udp, e, false, dual_stack(*s, e)); !r)
            return fail(errno_of(r.error()));
        s->bound = host->udp.local_endpoint(*s->udp);
        return 0;
    }
    if (e.port != 0 && port_taken(host, *s, e)) return fail(EADDRINUSE);
    s->bound = e;
    return 0;
}

int mnet_listen(mnet_host* host, int fd, int backlog) {
    if (host == nullptr) return fail(EFAULT);
    Socket* s = host->find(fd);
    if (s == nullptr) return fail(EBADF);
    if (s->type != SOCK_STREAM) return fail(EOPNOTSUPP);
    if (s->connection) return fail(EINVAL);
    if (s->listener) return 0;  // listen again: POSIX lets it change the backlog; we keep it
    if (!s->bound || s->bound->port == 0) return fail(EDESTADDRREQ);
    const size_t queue = static_cast<size_t>(std::clamp(backlog, 1, 4096));
    auto l = host->tcp.listen(*s->bound, queue, s->options, dual_stack(*s, *s->bound));
    if (!l) return fail(errno_of(l.error()));
    s->listener = *l;
    s->backlog = static_cast<int>(queue);
    return 0;
}

int mnet_accept(mnet_host* host, int fd, sockaddr* address, socklen_t* length) {
    if (host == nullptr) return fail(EFAULT);
    return blocking(host, fd, false, [&] { return accept_once(host, fd, address, length); });
}

int mnet_connect(mnet_host* host, int fd, const sockaddr* address, socklen_t length) {
    if (host == nullptr) return fail(EFAULT);
    return blocking(host, fd, false, [&] { return connect_once(host, fd, address, length); });
}

ssize_t mnet_sendto(mnet_host* host, int fd, const void* data, size_t length, int flags,
                    const sockaddr* to, socklen_t to_length) {
    if (host == nullptr) return fail(EFAULT);
    return blocking(host, fd, (flags & MSG_DONTWAIT) != 0,
                    [&] { return sendto_once(host, fd, data, length, flags, to, to_length); });
}

ssize_t mnet_recvfrom(mnet_host* host, int fd, void* buffer, size_t length, int flags,
                      sockaddr* from, socklen_t* from_length) {
    if (host == nullptr) return fail(EFAULT);
    return blocking(host, fd, (flags & MSG_DONTWAIT) != 0, [&] {
        return recvfrom_once(host, fd, buffer, length, flags, from, from_length);
    });
}

int mnet_poll(mnet_host* host, pollfd* fds, nfds_t count, int timeout_ms) {
    if (host == nullptr || (fds == nullptr && count > 0)) return fail(EFAULT);
    const base::Time end =
        timeout_ms < 0 ? base::Time::never() : host->now + base::Duration::milliseconds(timeout_ms);
    for (;;) {
        const int ready = poll_once(host, fds, count);
        if (ready != 0 || timeout_ms == 0 || !host->tap) return ready;
        if (!host->drive_once(end)) return poll_once(host, fds, count);
    }
}

ssize_t mnet_send(mnet_host* host, int fd, const void* data, size_t length, int flags) {
    return mnet_sendto(host, fd, data, length, flags, nullptr, 0);
}

ssize_t mnet_recv(mnet_host* host, int fd, void* buffer, size_t length, int flags) {
    return mnet_recvfrom(host, fd, buffer, length, flags, nullptr, nullptr);
}

int mnet_shutdown(mnet_host* host, int fd, int how) {
    if (host == nullptr) return fail(EFAULT);
    Socket* s = host->find(fd);
    if (s == nullptr) return fail(EBADF);
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) return fail(EINVAL);
    if (s->type != SOCK_STREAM || !s->connection) return fail(ENOTCONN);
    if (how != SHUT_WR) s->shut_read = true;
    if (how != SHUT_RD && !s->shut_write) {
        s->shut_write = true;
        host->tcp.shutdown(*s->connection, host->now);
        host->settle();
    }
    return 0;
}

int mnet_close(mnet_host* host, int fd) {
    if (host == nullptr) return fail(EFAULT);
    Socket* s = host->find(fd);
    if (s == nullptr) return fail(EBADF);
    if (s->udp) host->udp.close(*s->udp);
    for (stack::SocketId id : s->accepted)
        host->tcp.release(id, host->now);
    if (s->connection) host->tcp.release(*s->connection, host->now);
    if (s->listener) host->tcp.release(*s->listener, host->now);
    host->sockets[static_cast<size_t>(fd)].reset();
    host->settle();
    return 0;
}

int mnet_setsockopt(mnet_host* host, int fd, int level, int name, const void* value,
                    socklen_t length) {
    if (host == nullptr) return fail(EFAULT);
    Socket* s = host->find(fd);
    if (s == nullptr) return fail(EBADF);
    if (value == nullptr) return fail(EFAULT);
    if (level == SOL_SOCKET && name == SO_LINGER) {
        if (length < static_cast<socklen_t>(sizeof(linger))) return fail(EINVAL);
        linger l{};
        std::memcpy(&l, value, sizeof l);
        tcp::Options o;
        if (l.l_onoff) {
            o.linger = base::Duration::seconds(std::max(l.l_linger, 0));
        } else {
            o.linger_off = true;
        }
        if (s->connection) {
            if (auto r = host->tcp.set_options(*s->connection, o, host->now); !r)
                return fail(errno_of(r.error()));
        }
        if (l.l_onoff) {
            s->options.linger = o.linger;
        } else {
            s->options.linger.reset();
        }
        return 0;
    }
    if (level == IPPROTO_TCP && name == TCP_CONGESTION) {
        const std::string algorithm(static_cast<const char*>(value),
                                    strnlen(static_cast<const char*>(value), length));
        tcp::Options o;
        if (algorithm == "cubic") {
            o.congestion = tcp::CongestionAlgorithm::cubic;
        } else if (algorithm == "reno") {
            o.congestion = tcp::CongestionAlgorithm::new_reno;
        } else {
            return fail(ENOENT);  // as Linux for an algorithm it does not have
        }
        s->options.congestion = o.congestion;
        if (s->connection) (void)host->tcp.set_options(*s->connection, o, host->now);
        return 0;
    }
    if (length < static_cast<socklen_t>(sizeof(int))) return fail(EINVAL);
    int v = 0;
    std::memcpy(&v, value, sizeof v);
    if (level == IPPROTO_IPV6) {
        if (s->domain != AF_INET6 || name != IPV6_V6ONLY) return fail(ENOPROTOOPT);
        // As Linux: fixed once the socket has a port.
        const bool udp_bound = s->udp && host->udp.local_endpoint(*s->udp);
        if (s->bound || s->listener || s->connection || udp_bound) return fail(EINVAL);
        s->v6only = v != 0;
        return 0;
    }
    tcp::Options o;
    if (level == SOL_SOCKET) {
        switch (name) {
            case SO_REUSEADDR:
                return 0;  // TIME-WAIT never holds a port against bind here
            case SO_RCVBUF:
                o.receive_buffer = static_cast<size_t>(std::max(v, 0));
                break;
            case SO_SNDBUF:
                o.send_buffer = static_cast<size_t>(std::max(v, 0));
                break;
            case SO_KEEPALIVE:
                if (v) {
                    o.keepalive = s->keepalive_timing;
                } else {
                    o.keepalive_off = true;
                }
                break;
            default:
                return fail(ENOPROTOOPT);
        }
    } else if (level == IPPROTO_TCP) {
        tcp::KeepAlive& k = s->keepalive_timing;
        switch (name) {
            case TCP_NODELAY:
                o.nodelay = v != 0;
                break;
            case TCP_CORK:
                o.cork = v != 0;
                break;
            case TCP_MAXSEG:
                if (v < 0 || v > 65535) return fail(EINVAL);
                o.max_segment = static_cast<uint16_t>(v);
                break;
            case TCP_USER_TIMEOUT:
                if (v < 0) return fail(EINVAL);
                o.user_timeout = base::Duration::milliseconds(v);
                break;
            case TCP_KEEPIDLE:
            case TCP_KEEPINTVL:
            case TCP_KEEPCNT:
                if (v < 1 || v > 32767) return fail(EINVAL);
                if (name == TCP_KEEPIDLE) k.idle = base::Duration::seconds(v);
                if (name == TCP_KEEPINTVL) k.interval = base::Duration::seconds(v);
                if (name == TCP_KEEPCNT) k.probes = v;
                // Kept; keep-alive itself stays as SO_KEEPALIVE set it.
                if (!s->options.keepalive) return 0;
                o.keepalive = k;
                break;
            default:
                return fail(ENOPROTOOPT);
        }
    } else {
        return fail(ENOPROTOOPT);
    }
    if (s->type != SOCK_STREAM) return 0;  // UDP takes the socket-level ones and ignores them
    if (o.problem()) return fail(EINVAL);
    if (s->connection) {
        if (auto r = host->tcp.set_options(*s->connection, o, host->now); !r)
            return fail(errno_of(r.error()));
        host->settle();
    } else if (s->listener && o.changes_handshake()) {
        return fail(EINVAL);
    }
    // Remembered for a connection still to come (and for getsockopt).
    if (o.receive_buffer) s->options.receive_buffer = o.receive_buffer;
    if (o.send_buffer) s->options.send_buffer = o.send_buffer;
    if (o.max_segment) s->options.max_segment = o.max_segment;
    if (o.nodelay) s->options.nodelay = o.nodelay;
    if (o.cork) s->options.cork = o.cork;
    if (o.user_timeout) s->options.user_timeout = o.user_timeout;
    if (o.keepalive) s->options.keepalive = o.keepalive;
    if (o.keepalive_off) s->options.keepalive.reset();
    return 0;
}

int mnet_getsockopt(mnet_host* host, int fd, int level, int name, void* value, socklen_t* length) {
    if (host == nullptr) return fail(EFAULT);
    Socket* s = host->find(fd);
    if (s == nullptr) return fail(EBADF);
    if (value == nullptr || length == nullptr) return fail(EFAULT);
    if (*length < static_cast<socklen_t>(sizeof(int))) return fail(EINVAL);
    int v = 0;
    tcp::Connection* c = connection_of(host, *s);
    if (level == SOL_SOCKET && name == SO_ERROR) {
        if (s->udp) {
            if (auto e = host->udp.take_error(*s->udp)) v = errno_of(*e);
        } else {
            v = take_connection_error(host, *s);
        }
    } else if (level == SOL_SOCKET && name == SO_TYPE) {
        v = s->type;
    } else if (level == SOL_SOCKET && name == SO_DOMAIN) {
        v = s->domain;
    } else if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY && s->domain == AF_INET6) {
        v = s->v6only ? 1 : 0;
    } else if (level == SOL_SOCKET && name == SO_ACCEPTCONN) {
        v = s->listener ? 1 : 0;
    } else if (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_SNDBUF)) {
        const tcp::Config defaults{};
        if (name == SO_RCVBUF)
            v = static_cast<int>(c ? c->config().receive_buffer
                                   : s->options.receive_buffer.value_or(defaults.receive_buffer));
        else
            v = static_cast<int>(c ? c->config().send_buffer
                                   : s->options.send_buffer.value_or(defaults.send_buffer));
    } else if (level == SOL_SOCKET && name == SO_KEEPALIVE) {
        v = (c ? c->config().keepalive.has_value() : s->options.keepalive.has_value()) ? 1 : 0;
    } else if (level == IPPROTO_TCP && name == TCP_NODELAY) {
        v = (c ? !c->config().nagle : s->options.nodelay.value_or(false)) ? 1 : 0;
    } else if (level == IPPROTO_TCP && name == TCP_MAXSEG) {
        v = c ? static_cast<int>(c->info(host->now).send_mss)
              : s->options.max_segment.value_or(536);
    } else {
        return fail(ENOPROTOOPT);
    }
    std::memcpy(value, &v, sizeof v);
    *length = sizeof v;
    return 0;
}

int mnet_getsockname(mnet_host* host, int fd, sockaddr* address, socklen_t* length) {
    if (host == nullptr) return fail(EFAULT);
    Socket* s = host->find(fd);
    if (s == nullptr) return fail(EBADF);
    if (s->udp) s->bound = host->udp.local_endpoint(*s->udp);
    const Endpoint e = s->bound.value_or(any_endpoint(*s));
    if (int err = write_address(*s, e, address, length)) return fail(err);
    return 0;
}

int mnet_getpeername(mnet_host* host, int fd, sockaddr* address, socklen_t* length) {
    if (host == nullptr) return fail(EFAULT);
    Socket* s = host->find(fd);
    if (s == nullptr) return fail(EBADF);
    std::optional<Endpoint> peer;
    if (s->udp) {
        peer = host->udp.remote_endpoint(*s->udp);
    } else if (tcp::Connection* c = connection_of(host, *s); c && c->synchronized()) {
        peer = Endpoint{c->tuple().remote_address, c->tuple().remote_port};
    }
    if (!peer) return fail(ENOTCONN);
    if (int err = write_address(*s, *peer, address, length)) return fail(err);
    return 0;
}

int mnet_fcntl(mnet_host* host, int fd, int command, ...) {
    if (host == nullptr) return fail(EFAULT);
    Socket* s = host->find(fd);
    if (s == nullptr) return fail(EBADF);
    if (command == F_GETFL) return O_RDWR | (s->nonblocking ? O_NONBLOCK : 0);
    if (command == F_SETFL) {
        va_list args;
        va_start(args, command);
        const int flags = va_arg(args, int);
        va_end(args);
        s->nonblocking = (flags & O_NONBLOCK) != 0;
        return 0;
    }
    return fail(EINVAL);
}

}  // extern "C"
