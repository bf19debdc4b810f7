#include "live/dns_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "live/kernel_address.hpp"

namespace live {

struct DnsServer::Connection {
    int fd = -1;
    uint64_t generation = 0;  // tells a late response for a closed fd from a reused one
    wire::IpAddress peer;
    std::vector<std::byte> in;
    std::vector<std::byte> out;
    Loop::TimerId idle = 0;
    size_t pending = 0;  // queries handed out, not yet answered
    bool peer_closed = false;
};

namespace {

std::string error(std::string_view what) {
    return fmt::format("{}: {}", what, std::strerror(errno));
}

}  // namespace

DnsServer::DnsServer(Loop& loop, DnsServerConfig config, Handler handler)
    : loop_(loop), config_(config), handler_(std::move(handler)) {}

base::Expected<std::unique_ptr<DnsServer>, std::string> DnsServer::start(Loop& loop,
                                                                         DnsServerConfig config,
                                                                         Handler handler) {
    std::unique_ptr<DnsServer> s(new DnsServer(loop, config, std::move(handler)));
    const std::string where = config.address.is_v6()
                                  ? fmt::format("[{}]:{}", config.address.to_string(), config.port)
                                  : fmt::format("{}:{}", config.address.to_string(), config.port);
    // On an IPv6 address the sockets are IPv6 ones; on :: they take IPv4 too
    // (the kernel's default), and an IPv4 client comes back as IPv4.
    const int family = config.address.is_v6() ? AF_INET6 : AF_INET;
    s->udp_ = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->udp_ < 0) return base::fail(error("socket"));
    const KernelAddress at = to_kernel(config.address, config.port);
    if (bind(s->udp_, at.get(), at.length) != 0)
        return base::fail(error(fmt::format("cannot bind UDP {}", where)));
    KernelAddress bound;
    bound.length = sizeof bound.storage;
    getsockname(s->udp_, reinterpret_cast<sockaddr*>(&bound.storage), &bound.length);
    const auto local = from_kernel(bound.storage, bound.length);
    s->port_ = local ? local->port : config.port;
    s->listener_ = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->listener_ < 0) return base::fail(error("socket"));
    const int one = 1;
    setsockopt(s->listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const KernelAddress tcp_at = to_kernel(config.address, s->port_);
    if (bind(s->listener_, tcp_at.get(), tcp_at.length) != 0)
        return base::fail(error(fmt::format("cannot bind TCP {} (port {})", where, s->port_)));
    if (listen(s->listener_, 128) != 0) return base::fail(error("listen"));
    DnsServer* self = s.get();
    if (auto ok = loop.add(s->udp_, EPOLLIN, [self](uint32_t) { self->on_udp(); }); !ok)
        return base::fail(ok.error());
    if (auto ok = loop.add(s->listener_, EPOLLIN, [self](uint32_t) { self->on_accept(); }); !ok)
        return base::fail(ok.error());
    return s;
}

DnsServer::~DnsServer() {
    *alive_ = false;
    while (!connections_.empty())
        close_connection(connections_.begin()->first);
    for (int fd : {udp_, listener_}) {
        if (fd < 0) continue;
        loop_.remove(fd);
        close(fd);
    }
}

void DnsServer::on_udp() {
    // Queries are read, and the answers given at once are sent, in batches:
    // one recvmmsg and one sendmmsg for up to 32 datagrams.
    constexpr size_t batch = 32;
    constexpr size_t slot = 4096;  // larger queries do not exist in practice: dropped
    rx_.resize(batch * slot);
    std::array<mmsghdr, batch> msgs{};
    std::array<iovec, batch> iov{};
    std::array<sockaddr_storage, batch> from{};
    // Bounded: other sockets get their turn even under a flood.
    for (int round = 0; round < 8; ++round) {
        for (size_t i = 0; i < batch; ++i) {
            iov[i] = {rx_.data() + i * slot, slot};
            msgs[i] = {};
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = &from[i];
            msgs[i].msg_hdr.msg_namelen = sizeof from[i];
        }
        const int n = recvmmsg(udp_, msgs.data(), batch, MSG_DONTWAIT, nullptr);
        if (n <= 0) return;
        batching_ = true;
        for (int i = 0; i < n; ++i) {
            const auto k = static_cast<size_t>(i);
            if (msgs[k].msg_hdr.msg_flags & MSG_TRUNC) continue;
            ++stats_.udp_queries;
            const socklen_t name_len = msgs[k].msg_hdr.msg_namelen;
            const auto peer = from_kernel(from[k], name_len);
            if (!peer) continue;
            KernelAddress peer_addr;
            std::memcpy(&peer_addr.storage, &from[k], name_len);
            peer_addr.length = name_len;
            handler_(base::ByteSpan(rx_.data() + k * slot, msgs[k].msg_len), dns::Transport::udp,
                     peer->address,
                     [this, peer_addr, alive = alive_](std::vector<std::byte> response) {
                         if (!*alive) return;
                         ++stats_.responses;
                         if (batching_) {
                             pending_.push_back({peer_addr, std::move(response)});
                         } else {
                             sendto(udp_, response.data(), response.size(), 0, peer_addr.get(),
                                    peer_addr.length);
                         }
                     });
        }
        batching_ = false;
        send_pending();
        if (static_cast<size_t>(n) < batch) return;
    }
}

void DnsServer::send_pending() {
    std::vector<mmsghdr> msgs(pending_.size());
    std::vector<iovec> iov(pending_.size());
    for (size_t i = 0; i < pending_.size(); ++i) {
        iov[i] = {pending_[i].second.data(), pending_[i].second.size()};
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &pending_[i].first.storage;
        msgs[i].msg_hdr.msg_namelen = pending_[i].first.length;
    }
    size_t sent = 0;
    while (sent < msgs.size()) {
        const int n = sendmmsg(udp_, msgs.data() + sent, static_cast<unsigned>(msgs.size() - sent),
                               MSG_DONTWAIT);
        if (n <= 0) break;  // a full socket buffer: UDP may drop, the client asks again
        sent += static_cast<size_t>(n);
    }
    pending_.clear();
}

void DnsServer::on_accept() {
    while (true) {
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        const int fd = accept4(listener_, reinterpret_cast<sockaddr*>(&from), &len,
                               SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        const auto peer = from_kernel(from, len);
        if (!peer) {
            close(fd);
            continue;
        }
        if (connections_.size() >= config_.max_tcp) {
            // Make room: the connection with nothing in progress that was
            // accepted first goes.
            auto victim = std::find_if(connections_.begin(), connections_.end(),
                                       [](const auto& c) { return c.second->pending == 0; });
            if (victim == connections_.end()) {
                close(fd);
                continue;
            }
            close_connection(victim->first);
        }
        auto c = std::make_unique<Connection>();
        c->fd = fd;
        c->generation = next_generation_++;
        c->peer = peer->address;
        Connection& ref = *c;
        connections_[fd] = std::move(c);
        ++stats_.tcp_connections;
        if (!loop_.add(fd, EPOLLIN, [this, fd](uint32_t ev) { on_tcp(fd, ev); })) {
            close_connection(fd);
            continue;
        }
        arm_idle(ref);
    }
}

void DnsServer::arm_idle(Connection& c) {
    if (c.idle) loop_.cancel(c.idle);
    const int fd = c.fd;
    const uint64_t gen = c.generation;
    c.idle = loop_.after(config_.tcp_idle, [this, fd, gen] {
        const auto it = connections_.find(fd);
        if (it == connections_.end() || it->second->generation != gen) return;
        it->second->idle = 0;
        if (it->second->pending == 0) close_connection(fd);
    });
}

void DnsServer::on_tcp(int fd, uint32_t events) {
    auto it = connections_.find(fd);
    if (it == connections_.end()) return;
    Connection& c = *it->second;
    if (events & EPOLLOUT) flush(c);
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
    std::byte buf[16384];
    bool eof = false;
    while (true) {
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) {
            c.in.insert(c.in.end(), buf, buf + n);
            if (c.in.size() > 2 * 65537) break;  // a peer that sends faster than we answer
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) eof = true;
        break;
    }
    arm_idle(c);
    // Every whole message in the buffer is a query.
    size_t at = 0;
    while (c.in.size() - at >= 2) {
        const size_t len = (static_cast<size_t>(c.in[at]) << 8) | static_cast<size_t>(c.in[at + 1]);
        if (c.in.size() - at - 2 < len) break;
        ++stats_.tcp_queries;
        ++c.pending;
        const uint64_t gen = c.generation;
        handler_(base::ByteSpan(c.in.data() + at + 2, len), dns::Transport::tcp, c.peer,
                 [this, fd, gen, alive = alive_](std::vector<std::byte> response) {
                     if (!*alive) return;
                     const auto i = connections_.find(fd);
                     if (i == connections_.end() || i->second->generation != gen) return;
                     Connection& conn = *i->second;
                     --conn.pending;
                     ++stats_.responses;
                     conn.out.push_back(static_cast<std::byte>(response.size() >> 8));
                     conn.out.push_back(static_cast<std::byte>(response.size()));
                     conn.out.insert(conn.out.end(), response.begin(), response.end());
                     flush(conn);
                 });
        // The handler may have answered at once and closed the connection.
        if (connections_.find(fd) == connections_.end()) return;
        at += 2 + len;
    }
    c.in.erase(c.in.begin(), c.in.begin() + static_cast<ptrdiff_t>(at));
    // The client finished sending: close once everything asked is answered.
    if (eof) {
        c.peer_closed = true;
        loop_.modify(fd, c.out.empty() ? 0u : uint32_t{EPOLLOUT});
        if (c.pending == 0 && c.out.empty()) close_connection(fd);
    }
}

void DnsServer::flush(Connection& c) {
    while (!c.out.empty()) {
        const ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n <= 0) {
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            close_connection(c.fd);
            return;
        }
        c.out.erase(c.out.begin(), c.out.begin() + n);
    }
    const uint32_t in = c.peer_closed ? 0u : uint32_t{EPOLLIN};  // after EOF, reading only spins
    loop_.modify(c.fd, c.out.empty() ? in : (in | EPOLLOUT));
    if (c.out.empty() && c.peer_closed && c.pending == 0) close_connection(c.fd);
}

void DnsServer::close_connection(int fd) {
    auto it = connections_.find(fd);
    if (it == connections_.end()) return;
    if (it->second->idle) loop_.cancel(it->second->idle);
    loop_.remove(fd);
    close(fd);
    connections_.erase(it);
}

DnsServer::Handler authority_handler(dns::Authority& authority) {
    return [&authority](base::ByteSpan query, dns::Transport transport, wire::IpAddress from,
                        const DnsServer::Respond& respond) {
        if (auto response = authority.handle(query, transport, from)) respond(std::move(*response));
    };
}

}  // namespace live
