// TCP sockets for coroutine applications.
//
//   auto stream = co_await sockets::TcpStream::connect(rt, {server, 80});  // 3-way handshake
//   if (!stream) …stream.error(): connection_refused, timed_out, no_route
//   co_await stream->send(base::as_bytes("Hello!"));          // waits while the buffer is full
//   auto reply = co_await stream->receive(4096);              // empty: the peer closed
//   co_await stream->close();                                 // the 4-way close
//
//   auto listener = sockets::TcpListener::listen(rt, {Ipv4Address::any(), 80});
//   auto client = co_await listener->accept();
//
// Streams and listeners are move-only handles into the host's TCP. Destroying
// a stream that is still open closes it gracefully in the background (as
// close(2) does); abort() resets it.
#pragma once

#include <coroutine>
#include <cstddef>
#include <memory>
#include <vector>

#include "base/buffer.hpp"
#include "base/result.hpp"
#include "socket/event.hpp"
#include "socket/runtime.hpp"
#include "socket/task.hpp"
#include "stack/tcp.hpp"

namespace sockets {

namespace detail {
// The coroutines waiting on one handle — a stream may have a sender and a
// receiver waiting at once. Kept on the heap so handles can move.
struct TcpWaiter {
    Runtime* rt = nullptr;
    std::vector<std::coroutine_handle<>> waiting;
    void wake() {
        for (std::coroutine_handle<> h : waiting)
            rt->schedule(h);
        waiting.clear();
    }
    void forget(std::coroutine_handle<> h) { std::erase(waiting, h); }
};

// Suspends until the handle's connection (or listener) changes in any way,
// or, with a deadline, until then at the latest.
struct ChangeAwaiter {
    TcpWaiter* w;
    std::coroutine_handle<> handle;
    base::Time deadline = base::Time::never();
    Runtime::TimerId timer = 0;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
        handle = h;
        w->waiting.push_back(h);
        if (deadline == base::Time::never()) return;
        timer = w->rt->add_timer(deadline, [this] {
            timer = 0;
            // Unless a change has already woken it (then it is queued to run).
            if (std::erase(w->waiting, handle) > 0) w->rt->schedule(handle);
        });
    }
    void await_resume() noexcept {
        if (timer) w->rt->cancel_timer(timer);
        timer = 0;
        handle = {};
    }
    ~ChangeAwaiter() {
        if (handle) w->forget(handle);  // destroyed while waiting
        if (timer) w->rt->cancel_timer(timer);
    }
};
}  // namespace detail

class TcpStream {
  public:
    TcpStream(TcpStream&& o) noexcept;
    TcpStream& operator=(TcpStream&& o) noexcept;
    TcpStream(const TcpStream&) = delete;
    TcpStream& operator=(const TcpStream&) = delete;
    ~TcpStream();

    // Opens a connection: refused, timed out or unreachable come back as
    // errors; `options` are set before the SYN (invalid_argument if one is
    // out of range).
    static Task<base::Expected<TcpStream, stack::SocketError>> connect(Runtime& rt,
                                                                       stack::Endpoint remote,
                                                                       tcp::Options options = {});
    // connect(2) on a non-blocking socket: the SYN goes out and the stream
    // comes back at once, its handshake still going (EINPROGRESS); handshake()
    // says how it went. For racing attempts, as Happy Eyeballs does; an error
    // here is one known at once (no route, no port).
    static base::Expected<TcpStream, stack::SocketError> start_connect(Runtime& rt,
                                                                       stack::Endpoint remote,
                                                                       tcp::Options options = {});
    // nullopt while the handshake is going; then done, or why it failed.
    std::optional<base::Expected<void, stack::SocketError>> handshake() const;
    // Sets `event` too whenever this stream changes, so that one coroutine
    // can wait on several streams (poll(2)); nullptr stops it. The event
    // must outlive the stream, or be taken back first.
    void also_notify(Event* event);

    // Sends all of `data`, waiting while the send buffer is full.
    Task<base::Expected<void, stack::SocketError>> send(base::ByteSpan data);
    // A partial write, like POSIX write(): waits until the send buffer has
    // room, then takes as much of `data` as fits and says how much.
    Task<base::Expected<size_t, stack::SocketError>> send_some(base::ByteSpan data);
    // The same, waiting for room until `deadline` at the latest: 0 bytes then
    // (a sender that must stop at a given time, as iperf -t does).
    Task<base::Expected<size_t, stack::SocketError>> send_some(base::ByteSpan data,
                                                               base::Time deadline);
    // Without waiting (MSG_DONTWAIT): as much of `data` as the send buffer
    // takes now, 0 when it is full or the stream has failed.
    size_t try_send(base::ByteSpan data);
    // Up to `max` bytes as they arrive; an empty buffer is the end of the stream.
    Task<base::Expected<base::PacketBuffer, stack::SocketError>> receive(size_t max);
    // The same without taking them (MSG_PEEK): the next receive gets them again.
    Task<base::Expected<base::PacketBuffer, stack::SocketError>> peek(size_t max);
    // Takes up to `max` bytes as they arrive and drops them without a copy
    // (MSG_TRUNC): how many; 0 is the end of the stream. For sinks.
    Task<base::Expected<size_t, stack::SocketError>> discard(size_t max);
    // Half-close: FIN after what was sent; receiving goes on.
    base::Expected<void, stack::SocketError> shutdown();
    // Closes gracefully and waits until our FIN is acknowledged (the peer's may
    // come later; the host finishes the close). With received data unread,
    // resets instead (RFC 1122 §4.2.2.13): the peer learns it was lost; so
    // with SO_LINGER at zero. With SO_LINGER on, waits at most its time and
    // says timed_out if the FIN was not acknowledged by then (the close goes
    // on in the background).
    Task<base::Expected<void, stack::SocketError>> close();
    // Resets the connection at once.
    void abort();

    // setsockopt(2): any of tcp::Options on the live connection;
    // invalid_argument for a value out of range, or for SO_RCVBUF and
    // TCP_MAXSEG (they shape the handshake: give them to connect or listen).
    base::Expected<void, stack::SocketError> set_options(const tcp::Options& options);
    // TCP_INFO; nullopt once the stream is closed.
    std::optional<tcp::Info> info() const;
    // SO_KEEPALIVE with its timing (TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT);
    // nullopt turns it off. A peer that stops answering ends the stream with
    // SocketError::timed_out.
    void set_keepalive(std::optional<tcp::KeepAlive> keepalive);
    // TCP_NODELAY: small writes go at once instead of waiting for an ACK.
    void set_nodelay(bool on);
    // TCP_CONGESTION: CUBIC (the default) or NewReno from now on.
    void set_congestion(tcp::CongestionAlgorithm algorithm);

    const tcp::Connection* connection() const;
    stack::SocketId id() const { return id_; }

  private:
    friend class TcpListener;
    TcpStream(Runtime& rt, stack::SocketId id);
    detail::ChangeAwaiter changed(base::Time deadline = base::Time::never()) {
        return detail::ChangeAwaiter{waiter_.get(), {}, deadline};
    }
    std::optional<stack::SocketError> error() const;
    void release();
    Task<base::Expected<base::PacketBuffer, stack::SocketError>> read(size_t max, bool take);

    Runtime* rt_;
    stack::SocketId id_;
    std::unique_ptr<detail::TcpWaiter> waiter_;
};

class TcpListener {
  public:
    // `options` go to every connection it accepts. A listener on :: takes
    // IPv6 alone (IPV6_V6ONLY on) unless `ipv6_only` is false: then IPv4
    // connections too, their peers seen as ::ffff:a.b.c.d (Linux's default,
    // what listen_any gives). Ignored for an IPv4 address.
    static base::Expected<TcpListener, stack::SocketError> listen(Runtime& rt,
                                                                  stack::Endpoint local,
                                                                  size_t backlog = 128,
                                                                  tcp::Options options = {},
                                                                  bool ipv6_only = true);
    // On every address of the host, as a server that binds :: on Linux: a
    // dual-stack :: when the host speaks IPv6, else 0.0.0.0.
    static base::Expected<TcpListener, stack::SocketError> listen_any(Runtime& rt, uint16_t port,
                                                                      size_t backlog = 128,
                                                                      tcp::Options options = {});
    TcpListener(TcpListener&& o) noexcept;
    TcpListener& operator=(TcpListener&& o) noexcept;
    TcpListener(const TcpListener&) = delete;
    TcpListener& operator=(const TcpListener&) = delete;
    ~TcpListener();

    // The next connection that completed its handshake.
    Task<base::Expected<TcpStream, stack::SocketError>> accept();

  private:
    TcpListener(Runtime& rt, stack::SocketId id);

    Runtime* rt_;
    stack::SocketId id_;
    std::unique_ptr<detail::TcpWaiter> waiter_;
};

}  // namespace sockets
