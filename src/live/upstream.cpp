#include "live/upstream.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "live/kernel_address.hpp"

namespace live {

struct Upstream::Socket {
    int fd = -1;
    uint64_t token = 0;
    dns::Transport transport = dns::Transport::udp;
    std::vector<std::byte> out;  // TCP: the framed query still to send
    std::vector<std::byte> in;   // TCP: the reply so far
    Loop::TimerId expiry = 0;
};

namespace {

// A socket whose reply never comes is closed after this; the resolver has
// long moved on by then.
constexpr base::Duration socket_lifetime = base::Duration::seconds(30);

}  // namespace

base::Time wall_now() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return base::Time::zero() + base::Duration::seconds(ts.tv_sec) +
           base::Duration::nanoseconds(ts.tv_nsec);
}

Upstream::Upstream(Loop& loop) : loop_(loop) {}

Upstream::~Upstream() {
    while (!sockets_.empty())
        close_socket(sockets_.begin()->first);
    if (poll_timer_) loop_.cancel(poll_timer_);
}

void Upstream::schedule() {
    if (!resolver_) return;
    const base::Time next = resolver_->next_deadline();
    if (next == poll_at_) return;
    if (poll_timer_) loop_.cancel(poll_timer_);
    poll_timer_ = 0;
    poll_at_ = next;
    if (next.is_never()) return;
    const base::Duration wait = std::max(next - wall_now(), base::Duration{});
    poll_timer_ = loop_.after(wait, [this] {
        poll_timer_ = 0;
        poll_at_ = base::Time::never();
        resolver_->poll(wall_now());
        schedule();
    });
}

void Upstream::send(const dns::Resolver::Outgoing& o) {
    const bool tcp = o.transport == dns::Transport::tcp;
    const KernelAddress server = to_kernel(o.server, o.port);
    const int fd = socket(server.storage.ss_family,
                          (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    auto failed = [&] {
        // Told after this call returns: the resolver is in the middle of sending.
        const uint64_t token = o.token;
        loop_.after(base::Duration{}, [this, token] {
            resolver_->on_failure(token, wall_now());
            schedule();
        });
    };
    if (fd < 0) return failed();
    const int rc = connect(fd, server.get(), server.length);
    if (rc != 0 && !(tcp && errno == EINPROGRESS)) {
        close(fd);
        return failed();
    }
    auto s = std::make_unique<Socket>();
    s->fd = fd;
    s->token = o.token;
    s->transport = o.transport;
    if (tcp) {
        s->out.resize(2 + o.query.size());
        base::store_be16(s->out, 0, static_cast<uint16_t>(o.query.size()));
        std::copy(o.query.begin(), o.query.end(), s->out.begin() + 2);
    } else if (::send(fd, o.query.data(), o.query.size(), 0) < 0) {
        close(fd);
        return failed();
    }
    s->expiry = loop_.after(socket_lifetime, [this, fd] { close_socket(fd); });
    sockets_[fd] = std::move(s);
    if (!loop_.add(fd, tcp ? (EPOLLIN | EPOLLOUT) : EPOLLIN,
                   [this, fd](uint32_t ev) { on_event(fd, ev); })) {
        close_socket(fd);
        return failed();
    }
}

void Upstream::on_event(int fd, uint32_t events) {
    const auto it = sockets_.find(fd);
    if (it == sockets_.end()) return;
    Socket& s = *it->second;
    const uint64_t token = s.token;
    auto fail = [&] {
        close_socket(fd);
        resolver_->on_failure(token, wall_now());
        schedule();
    };
    if (s.transport == dns::Transport::udp) {
        std::vector<std::byte> buf(65535);
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        const ssize_t n =
            recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            return fail();  // ICMP port unreachable and the like
        }
        buf.resize(static_cast<size_t>(n));
        // A reply the resolver does not take (a wrong ID) leaves it waiting
        // on this socket for the real one.
        const auto sender = from_kernel(from, len);
        if (sender && resolver_->on_reply(token, sender->address, sender->port, buf, wall_now()))
            close_socket(fd);
        schedule();
        return;
    }
    // TCP: finish sending, then read the two-octet length and the message.
    if (events & (EPOLLERR | EPOLLHUP) && s.out.size() > 0) return fail();
    if ((events & EPOLLOUT) && !s.out.empty()) {
        const ssize_t n = ::send(fd, s.out.data(), s.out.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) return fail();
        } else {
            s.out.erase(s.out.begin(), s.out.begin() + n);
        }
        if (s.out.empty()) loop_.modify(fd, EPOLLIN);
    }
    if (!(events & (EPOLLIN | EPOLLHUP))) return;
    std::byte buf[16384];
    while (true) {
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) {
            s.in.insert(s.in.end(), buf, buf + n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (s.in.size() < 2) return fail();  // closed before answering
        break;
    }
    if (s.in.size() < 2) return;
    const size_t len = (static_cast<size_t>(s.in[0]) << 8) | static_cast<size_t>(s.in[1]);
    if (s.in.size() < 2 + len) return;
    sockaddr_storage peer{};
    socklen_t plen = sizeof peer;
    getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &plen);
    const auto sender = from_kernel(peer, plen);
    const std::vector<std::byte> reply(s.in.begin() + 2,
                                       s.in.begin() + 2 + static_cast<ptrdiff_t>(len));
    close_socket(fd);
    if (!sender) {
        resolver_->on_failure(token, wall_now());
    } else {
        resolver_->on_reply(token, sender->address, sender->port, reply, wall_now());
    }
    schedule();
}

void Upstream::close_socket(int fd) {
    const auto it = sockets_.find(fd);
    if (it == sockets_.end()) return;
    if (it->second->expiry) loop_.cancel(it->second->expiry);
    loop_.remove(fd);
    close(fd);
    sockets_.erase(it);
}

}  // namespace live
