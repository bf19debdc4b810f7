// What an mnet_host is inside: a stack::Host with its TCP and UDP, the
// latest time its driver gave it, and the socket table behind the C
// descriptors.
#pragma once

#include <cerrno>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/buffer.hpp"
#include "capi/tap_driver.hpp"
#include "minternet/minternet.h"
#include "socket/runtime.hpp"
#include "stack/host.hpp"
#include "stack/tcp.hpp"
#include "stack/udp.hpp"

namespace capi {

// A failing C call: errno set, -1 returned.
inline int fail(int e) {
    errno = e;
    return -1;
}

// One descriptor.
struct Socket {
    int type = SOCK_STREAM;  // or SOCK_DGRAM
    int domain = AF_INET;    // or AF_INET6
    // IPV6_V6ONLY: off (Linux's default), a socket on :: takes IPv4 too,
    // and shows IPv4 peers as ::ffff:a.b.c.d.
    bool v6only = false;
    bool nonblocking = false;
    std::optional<stack::Endpoint> bound;  // bind(), before listen or connect
    // TCP: a listener or a connection once listen or connect made one.
    std::optional<stack::SocketId> listener;
    std::optional<stack::SocketId> connection;
    std::deque<stack::SocketId> accepted;  // taken from the listener by poll, not yet by accept
    tcp::Options options;                  // what setsockopt set before there was a connection
    // TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT: kept apart, as they apply only
    // while SO_KEEPALIVE is on.
    tcp::KeepAlive keepalive_timing{};
    int backlog = 0;
    bool connect_reported = false;  // the outcome of a connect was given (EISCONN from then)
    bool error_reported = false;    // a connection's error was given once (then EPIPE / 0)
    bool shut_read = false;
    bool shut_write = false;
    // UDP.
    std::optional<stack::SocketId> udp;
};

// A name lookup (mnet_getaddrinfo) running in the host's runtime.
// A getaddrinfo lookup in flight: one part per record type asked (AAAA, A).
struct Lookup {
    int pending = 0;  // parts still running
    bool done = false;
    int status = 0;  // 0 or an EAI_* value, once done
    bool no_such_name = false;
    bool unanswered = false;
    std::vector<wire::IpAddress> ipv6;
    std::vector<wire::IpAddress> ipv4;
};

}  // namespace capi

struct mnet_host {
    explicit mnet_host(uint64_t seed)
        : host(stack::HostConfig{.name = "mnet"}, pool, base::Seed{seed}),
          runtime(host),
          tcp(runtime.tcp()),
          udp(runtime.udp()) {}
    mnet_host(const mnet_host&) = delete;
    mnet_host& operator=(const mnet_host&) = delete;

    base::BufferPool pool;
    stack::Host host;
    // Its TCP and UDP, and the coroutines name lookups run in.
    sockets::Runtime runtime;
    stack::Tcp& tcp;
    stack::Udp& udp;
    std::vector<wire::IpAddress> nameservers;  // mnet_host_add_nameserver's
    // Name lookups under way, by name: a host without a driver answers
    // EAI_AGAIN until its lookup is done, and the next call takes it.
    std::map<std::string, std::shared_ptr<capi::Lookup>> lookups;
    base::Time now = base::Time::zero();
    mnet_output_fn output = nullptr;
    void* output_user = nullptr;
    std::vector<std::unique_ptr<capi::Socket>> sockets;  // index = descriptor
    std::unique_ptr<capi::TapDriver> tap;                // mnet_tap_attach's

    // With a TAP attached: waits for a frame or a timer, until `deadline` at
    // the latest, and feeds the host. False without a driver, when stopped,
    // or once `deadline` has passed — a blocking call then gives up.
    bool drive_once(base::Time deadline);

    // The socket behind `fd`, or nullptr (the caller sets EBADF).
    capi::Socket* find(int fd) {
        if (fd < 0 || static_cast<size_t>(fd) >= sockets.size()) return nullptr;
        return sockets[static_cast<size_t>(fd)].get();
    }
    // The lowest free descriptor, as POSIX hands them out.
    int add(std::unique_ptr<capi::Socket> s) {
        for (size_t i = 0; i < sockets.size(); ++i) {
            if (!sockets[i]) {
                sockets[i] = std::move(s);
                return static_cast<int>(i);
            }
        }
        sockets.push_back(std::move(s));
        return static_cast<int>(sockets.size() - 1);
    }
    // After a call that changes a connection's state (connect, shutdown,
    // close, a lookup started): timers due run and packets to ourselves go.
    // Sends and receives need none: TCP and UDP emit their segments at once,
    // and anything queued shows in next_deadline for the driver.
    void settle() { host.poll(now); }
};
