// UdpSocket: a UDP socket for coroutine applications.
//
//   sockets::UdpSocket s(rt);
//   s.bind({Ipv4Address::any(), 9000});
//   auto d = co_await s.receive();               // Expected<Datagram, SocketError>
//   s.send_to(d->from, d->payload.bytes());      // UDP never blocks
//   auto late = co_await s.receive(2_s);         // or SocketError::timed_out
//
// Errors are values: ICMP port unreachable after a send comes back as
// SocketError::connection_refused from the next receive.
#pragma once

#include <coroutine>
#include <optional>

#include "base/result.hpp"
#include "socket/runtime.hpp"
#include "stack/udp.hpp"

namespace sockets {

using stack::Datagram;
using stack::Endpoint;
using stack::SocketError;

class UdpSocket {
  public:
    explicit UdpSocket(Runtime& rt);
    UdpSocket(const UdpSocket&) = delete;
    UdpSocket& operator=(const UdpSocket&) = delete;
    ~UdpSocket();

    // A binding to :: takes IPv6 alone unless `ipv6_only` is false (as
    // TcpListener::listen).
    base::Expected<void, SocketError> bind(Endpoint local, bool reuse = false,
                                           bool ipv6_only = true) {
        return udp().bind(id_, local, reuse, local.address.is_v6() && !ipv6_only);
    }
    // On every address of the host: a dual-stack :: when it speaks IPv6,
    // else 0.0.0.0 (as TcpListener::listen_any).
    base::Expected<void, SocketError> bind_any(uint16_t port) {
        if (!rt_.host().has_ipv6()) return udp().bind(id_, {wire::Ipv4Address::any(), port});
        return bind({wire::Ipv6Address{}, port}, false, /*ipv6_only=*/false);
    }
    base::Expected<void, SocketError> connect(Endpoint remote) {
        return udp().connect(id_, remote);
    }
    base::Expected<void, SocketError> send_to(Endpoint remote, base::ByteSpan payload) {
        return udp().send_to(id_, remote, payload, rt_.now());
    }
    base::Expected<void, SocketError> send(base::ByteSpan payload) {
        return udp().send(id_, payload, rt_.now());
    }
    std::optional<Endpoint> local_endpoint() const { return rt_.udp().local_endpoint(id_); }

    class ReceiveAwaiter;
    // The next datagram, or the pending error; waits as long as it takes, or
    // at most `timeout`.
    ReceiveAwaiter receive();
    ReceiveAwaiter receive(base::Duration timeout);

    stack::SocketId id() const { return id_; }

  private:
    friend class ReceiveAwaiter;
    stack::Udp& udp() { return rt_.udp(); }
    void readable();

    Runtime& rt_;
    stack::SocketId id_;
    ReceiveAwaiter* waiting_ = nullptr;  // at most one receive at a time
};

class UdpSocket::ReceiveAwaiter {
  public:
    ReceiveAwaiter(UdpSocket& s, std::optional<base::Duration> timeout)
        : s_(s), timeout_(timeout) {}
    ReceiveAwaiter(const ReceiveAwaiter&) = delete;
    ReceiveAwaiter& operator=(const ReceiveAwaiter&) = delete;
    ~ReceiveAwaiter();

    bool await_ready() const { return s_.rt_.udp().readable(s_.id_); }
    void await_suspend(std::coroutine_handle<> h);
    base::Expected<Datagram, SocketError> await_resume();

  private:
    friend class UdpSocket;
    void wake(bool timed_out);

    UdpSocket& s_;
    std::optional<base::Duration> timeout_;
    std::coroutine_handle<> handle_;
    Runtime::TimerId timer_ = 0;
    bool timed_out_ = false;
};

inline UdpSocket::ReceiveAwaiter UdpSocket::receive() {
    return ReceiveAwaiter{*this, std::nullopt};
}
inline UdpSocket::ReceiveAwaiter UdpSocket::receive(base::Duration timeout) {
    return ReceiveAwaiter{*this, timeout};
}

}  // namespace sockets
