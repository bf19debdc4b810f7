#include "socket/udp_socket.hpp"

#include <cassert>

namespace sockets {

UdpSocket::UdpSocket(Runtime& rt) : rt_(rt), id_(rt.udp().open()) {
    rt_.udp().on_readable(id_, [this] { readable(); });
}

UdpSocket::~UdpSocket() {
    if (waiting_) waiting_->s_.waiting_ = nullptr;
    rt_.udp().close(id_);
}

void UdpSocket::readable() {
    if (waiting_) waiting_->wake(false);
}

void UdpSocket::ReceiveAwaiter::await_suspend(std::coroutine_handle<> h) {
    assert(!s_.waiting_ && "one receive at a time per socket");
    handle_ = h;
    s_.waiting_ = this;
    if (timeout_) {
        timer_ = s_.rt_.add_timer(s_.rt_.now() + *timeout_, [this] {
            timer_ = 0;
            wake(true);
        });
    }
}

void UdpSocket::ReceiveAwaiter::wake(bool timed_out) {
    if (!handle_) return;
    timed_out_ = timed_out;
    if (timer_) s_.rt_.cancel_timer(std::exchange(timer_, 0));
    s_.waiting_ = nullptr;
    s_.rt_.schedule(std::exchange(handle_, {}));
}

base::Expected<Datagram, SocketError> UdpSocket::ReceiveAwaiter::await_resume() {
    stack::Udp& udp = s_.rt_.udp();
    if (auto error = udp.take_error(s_.id_)) return base::fail(*error);
    if (auto d = udp.receive(s_.id_)) return std::move(*d);
    return base::fail(SocketError::timed_out);
}

UdpSocket::ReceiveAwaiter::~ReceiveAwaiter() {
    // Destroyed while waiting (its coroutine was destroyed): let go.
    if (timer_) s_.rt_.cancel_timer(timer_);
    if (s_.waiting_ == this) s_.waiting_ = nullptr;
}

}  // namespace sockets
