// Fuzzes the C API with call sequences: two hosts on one Ethernet, and the
// input a program of socket calls on either, with descriptors, lengths,
// addresses, option names and pointers (NULL among them) drawn from it, and
// time moving when the program says so.
//
// Invariants: nothing crashes, leaks or reads out of bounds; a failing call
// returns -1 with an errno the API documents (docs/embedding.md); a read
// never reports more bytes than the buffer holds; a getsockname-style call
// reports the full length of a sockaddr_in or a sockaddr_in6, and never
// writes past the length it was given. Both hosts speak IPv4 and IPv6.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <vector>

#include "check.hpp"
#include "minternet/minternet.h"

using fuzz::require;

namespace {

class Input {
  public:
    Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
    bool empty() const { return at_ >= size_; }
    uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }
    uint16_t u16() { return static_cast<uint16_t>(byte() << 8 | byte()); }

  private:
    const uint8_t* data_;
    size_t size_;
    size_t at_ = 0;
};

struct World {
    mnet_host* hosts[2] = {mnet_host_new(1), mnet_host_new(2)};
    std::deque<std::pair<int, std::vector<unsigned char>>> wire;
    uint64_t now = 0;
    struct Side {
        World* world;
        int to;
    } sides[2] = {{this, 1}, {this, 0}};

    World() {
        const uint8_t mac_a[6] = {2, 0, 0, 0, 0, 1}, mac_b[6] = {2, 0, 0, 0, 0, 2};
        mnet_host_add_interface(hosts[0], mac_a, "10.0.0.1/24", 1500);
        mnet_host_add_interface(hosts[1], mac_b, "10.0.0.2/24", 1500);
        mnet_host_add_address(hosts[0], 0, "2001:db8::1/64");
        mnet_host_add_address(hosts[1], 0, "2001:db8::2/64");
        mnet_host_add_nameserver(hosts[0], "10.0.0.2");
        mnet_host_add_nameserver(hosts[1], "2001:db8::1");
        for (int i = 0; i < 2; ++i)
            mnet_host_set_output(hosts[i], &World::output, &sides[i]);
    }
    ~World() {
        mnet_host_free(hosts[0]);
        mnet_host_free(hosts[1]);
    }
    static void output(void* user, int, const void* frame, size_t length) {
        auto* side = static_cast<Side*>(user);
        if (side->world->wire.size() > 10'000) return;  // a bounded wire
        const auto* b = static_cast<const unsigned char*>(frame);
        side->world->wire.emplace_back(side->to, std::vector<unsigned char>(b, b + length));
    }
    void pump(uint64_t ms) {
        const uint64_t until = now + ms * 1'000'000;
        for (int rounds = 0; rounds < 10'000; ++rounds) {
            while (!wire.empty()) {
                auto [to, frame] = std::move(wire.front());
                wire.pop_front();
                mnet_host_input(hosts[to], 0, frame.data(), frame.size(), now);
            }
            const uint64_t next =
                std::min(mnet_host_next_deadline(hosts[0]), mnet_host_next_deadline(hosts[1]));
            if (next > until) break;
            now = std::max(now, next);
            mnet_host_poll(hosts[0], now);
            mnet_host_poll(hosts[1], now);
        }
        now = until;
    }
};

bool documented(int e) {
    switch (e) {
        case EBADF:
        case EFAULT:
        case EINVAL:
        case EAFNOSUPPORT:
        case EPROTONOSUPPORT:
        case EADDRINUSE:
        case EADDRNOTAVAIL:
        case EDESTADDRREQ:
        case EOPNOTSUPP:
        case EINPROGRESS:
        case EALREADY:
        case EISCONN:
        case ENOTCONN:
        case ECONNREFUSED:
        case ECONNRESET:
        case ECONNABORTED:
        case ETIMEDOUT:
        case EHOSTUNREACH:
        case ENETUNREACH:
        case EPIPE:
        case EAGAIN:
        case ENOPROTOOPT:
        case ENOENT:
        case EMSGSIZE:
        case ENOSPC:
        case EINTR:
            return true;
        default:
            return false;
    }
}

void check(long result, const char* call) {
    if (result != -1) return;
    if (!documented(errno)) {
        std::fprintf(stderr, "%s failed with errno %d\n", call, errno);
        require(false, "a failing call sets an errno the API documents");
    }
}

int descriptor(Input& in) {
    const uint8_t b = in.byte();
    if (b < 200) return b % 8;
    if (b < 230) return -1 - b % 3;
    return 1'000'000 + b;
}

// A sockaddr_in or a sockaddr_in6 (now and then with the other family's tag).
sockaddr_storage address_from(Input& in) {
    static const char* const ips[] = {"10.0.0.1",  "10.0.0.2",        "0.0.0.0",    "10.0.0.9",
                                      "127.0.0.1", "255.255.255.255", "10.0.0.255", "1.2.3.4"};
    static const char* const ips6[] = {"2001:db8::1",     "2001:db8::2", "::",      "2001:db8::9",
                                       "::ffff:10.0.0.2", "ff02::1",     "fe80::1", "::1"};
    sockaddr_storage storage{};
    const uint8_t kind = in.byte();
    const uint8_t which = in.byte();
    const uint8_t p = in.byte();
    const uint16_t port = htons(p < 128 ? static_cast<uint16_t>(80 + p % 4) : in.u16());
    if (kind & 16) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
        a->sin6_family = (kind & 15) == 0 ? AF_INET : AF_INET6;
        inet_pton(AF_INET6, ips6[which % 8], &a->sin6_addr);
        a->sin6_port = port;
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&storage);
        a->sin_family = (kind & 15) == 0 ? AF_INET6 : AF_INET;
        inet_pton(AF_INET, ips[which % 8], &a->sin_addr);
        a->sin_port = port;
    }
    return storage;
}

socklen_t length_from(Input& in) {
    const uint8_t b = in.byte();
    if (b < 100) return sizeof(sockaddr_in);
    if (b < 200) return sizeof(sockaddr_in6);
    return static_cast<socklen_t>(b % 30);
}

bool full_length(socklen_t n) {
    return n == sizeof(sockaddr_in) || n == sizeof(sockaddr_in6);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Input in(data, size);
    World world;
    std::vector<unsigned char> buffer(70'000);
    for (int steps = 0; !in.empty() && steps < 2'000; ++steps) {
        mnet_host* h = world.hosts[in.byte() & 1];
        const uint8_t op = in.byte() % 18;
        const int fd = descriptor(in);
        switch (op) {
            case 0: {
                static const int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_STREAM | SOCK_NONBLOCK,
                                            SOCK_RAW};
                const uint8_t b = in.byte();
                check(mnet_socket(h, (b & 64) ? AF_INET6 : AF_INET, types[b % 4],
                                  (b & 32) ? IPPROTO_UDP : 0),
                      "socket");
                break;
            }
            case 1: {
                sockaddr_storage a = address_from(in);
                const socklen_t n = length_from(in);
                check(mnet_bind(h, fd, (in.byte() & 31) ? reinterpret_cast<sockaddr*>(&a) : nullptr,
                                n),
                      "bind");
                break;
            }
            case 2:
                check(mnet_listen(h, fd, in.byte() - 8), "listen");
                break;
            case 3: {
                sockaddr_storage a{};
                socklen_t n = length_from(in);
                const bool with = in.byte() & 1;
                const int r = mnet_accept(h, fd, with ? reinterpret_cast<sockaddr*>(&a) : nullptr,
                                          with ? &n : nullptr);
                check(r, "accept");
                if (r >= 0 && with) require(full_length(n), "accept reports the full length");
                break;
            }
            case 4: {
                sockaddr_storage a = address_from(in);
                check(mnet_connect(h, fd, reinterpret_cast<sockaddr*>(&a), length_from(in)),
                      "connect");
                break;
            }
            case 5:
            case 6: {
                const size_t n = in.u16();
                const int flags = (in.byte() & 3) == 0 ? MSG_DONTWAIT : 0;
                const ssize_t r = op == 5 ? mnet_send(h, fd, buffer.data(), n, flags)
                                          : mnet_recv(h, fd, buffer.data(), n,
                                                      flags | MSG_PEEK * (in.byte() & 1));
                check(r, op == 5 ? "send" : "recv");
                require(r <= static_cast<ssize_t>(n), "no more than asked for");
                break;
            }
            case 7: {
                sockaddr_storage a = address_from(in);
                const size_t n = in.u16();
                check(mnet_sendto(h, fd, buffer.data(), n, 0, reinterpret_cast<sockaddr*>(&a),
                                  length_from(in)),
                      "sendto");
                break;
            }
            case 8: {
                sockaddr_storage a{};
                socklen_t n = length_from(in);
                const size_t len = in.u16();
                const ssize_t r = mnet_recvfrom(h, fd, buffer.data(), len, 0,
                                                reinterpret_cast<sockaddr*>(&a), &n);
                check(r, "recvfrom");
                require(r <= static_cast<ssize_t>(len), "no more than asked for");
                break;
            }
            case 9:
                check(mnet_shutdown(h, fd, in.byte() % 4), "shutdown");
                break;
            case 10:
                check(mnet_close(h, fd), "close");
                break;
            case 11: {
                static const int opts[][2] = {
                    {SOL_SOCKET, SO_RCVBUF},       {SOL_SOCKET, SO_SNDBUF},
                    {SOL_SOCKET, SO_KEEPALIVE},    {SOL_SOCKET, SO_LINGER},
                    {IPPROTO_TCP, TCP_NODELAY},    {IPPROTO_TCP, TCP_MAXSEG},
                    {IPPROTO_TCP, TCP_CORK},       {IPPROTO_TCP, TCP_USER_TIMEOUT},
                    {IPPROTO_TCP, TCP_KEEPIDLE},   {IPPROTO_TCP, TCP_KEEPCNT},
                    {IPPROTO_TCP, TCP_CONGESTION}, {SOL_SOCKET, 9999}};
                const auto& o = opts[in.byte() % 12];
                unsigned char value[16];
                for (auto& v : value)
                    v = in.byte();
                const socklen_t n = in.byte() % 17;
                check(mnet_setsockopt(h, fd, o[0], o[1], (in.byte() & 15) ? value : nullptr, n),
                      "setsockopt");
                break;
            }
            case 12: {
                static const int opts[][2] = {{SOL_SOCKET, SO_ERROR},     {SOL_SOCKET, SO_TYPE},
                                              {SOL_SOCKET, SO_RCVBUF},    {IPPROTO_TCP, TCP_MAXSEG},
                                              {IPPROTO_TCP, TCP_NODELAY}, {IPPROTO_IP, 1}};
                const auto& o = opts[in.byte() % 6];
                int value = 0;
                socklen_t n = in.byte() % 9;
                check(mnet_getsockopt(h, fd, o[0], o[1], &value, &n), "getsockopt");
                break;
            }
            case 13: {
                sockaddr_storage a{};
                socklen_t n = length_from(in);
                const bool peer = in.byte() & 1;
                const int r = peer ? mnet_getpeername(h, fd, reinterpret_cast<sockaddr*>(&a), &n)
                                   : mnet_getsockname(h, fd, reinterpret_cast<sockaddr*>(&a), &n);
                check(r, "getsockname");
                if (r == 0) require(full_length(n), "the full length is reported");
                break;
            }
            case 14: {
                pollfd fds[4];
                const nfds_t count = in.byte() % 5;
                for (nfds_t i = 0; i < count; ++i)
                    fds[i] = {.fd = descriptor(in), .events = POLLIN | POLLOUT, .revents = 0};
                const int r = mnet_poll(h, fds, count, in.byte());
                check(r, "poll");
                require(r <= static_cast<int>(count), "poll counts at most every descriptor");
                break;
            }
            case 15: {
                const int r = (in.byte() & 1)
                                  ? mnet_fcntl(h, fd, F_GETFL)
                                  : mnet_fcntl(h, fd, F_SETFL, in.byte() & 1 ? O_NONBLOCK : 0);
                check(r, "fcntl");
                break;
            }
            case 16: {
                static const char* const names[] = {"www.example", "10.0.0.2",   "localhost",  "",
                                                    "a..b",        "x.example.", "2001:db8::2"};
                static const int families[] = {AF_UNSPEC, AF_INET, AF_INET6, AF_UNIX};
                addrinfo hints{};
                hints.ai_family = families[in.byte() % 4];
                hints.ai_socktype = in.byte() % 4;
                hints.ai_flags = in.byte() & 0x1f;
                addrinfo* list = nullptr;
                const int r = mnet_getaddrinfo(h, names[in.byte() % 7],
                                               (in.byte() & 1) ? "80" : nullptr, &hints, &list);
                if (r == 0) mnet_freeaddrinfo(list);
                break;
            }
            case 17:
                world.pump(in.byte());
                break;
        }
    }
    world.pump(200);
    return 0;
}
