// The resolver's queries over the operating system's sockets: a new UDP
// socket for every query (so the kernel picks a fresh random source port),
// connected to the server so that only its address and port can answer; a
// TCP connection for a query asked again after TC. Replies and failures go
// back to the resolver by the query's token.
//
// The resolver's clock is the wall clock (CLOCK_REALTIME through libc), as
// Unbound's and Knot Resolver's caches are, so libfaketime can move it in
// tests; the loop's timers stay on the monotonic clock.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "dns/resolver/resolver.hpp"
#include "live/loop.hpp"

namespace live {

// CLOCK_REALTIME as a Time (nanoseconds since 1970).
base::Time wall_now();

class Upstream {
  public:
    explicit Upstream(Loop& loop);
    ~Upstream();
    Upstream(const Upstream&) = delete;
    Upstream& operator=(const Upstream&) = delete;

    // Must be set before the first send: where replies and failures go.
    void attach(dns::Resolver* resolver) { resolver_ = resolver; }
    // The resolver's Send.
    void send(const dns::Resolver::Outgoing& o);
    // Polls the resolver at its next deadline (call after anything that may
    // have changed it).
    void schedule();

    size_t open_sockets() const { return sockets_.size(); }

  private:
    struct Socket;
    void on_event(int fd, uint32_t events);
    void close_socket(int fd);

    Loop& loop_;
    dns::Resolver* resolver_ = nullptr;
    std::map<int, std::unique_ptr<Socket>> sockets_;
    Loop::TimerId poll_timer_ = 0;
    base::Time poll_at_ = base::Time::never();
};

}  // namespace live
