// Names for TCP's vocabulary (tcp/types.hpp), as the event log and the
// timeline print them.
#include "tcp/types.hpp"

#include <cstring>

#include "base/bytes.hpp"

namespace tcp {
namespace {

size_t put(std::span<std::byte> out, size_t at, const wire::IpAddress& a, uint16_t port) {
    if (a.is_v4()) {
        base::store_be32(out, at, a.v4().to_u32());
        at += 4;
    } else {
        std::memcpy(out.data() + at, a.v6().bytes().data(), 16);
        at += 16;
    }
    base::store_be16(out, at, port);
    return at + 2;
}

}  // namespace

size_t tuple_bytes(const Tuple& t, std::span<std::byte, max_tuple_bytes> out) {
    const size_t at = put(out, 0, t.local_address, t.local_port);
    return put(out, at, t.remote_address, t.remote_port);
}

std::string_view to_string(State s) {
    switch (s) {
        case State::closed:
            return "CLOSED";
        case State::listen:
            return "LISTEN";
        case State::syn_sent:
            return "SYN-SENT";
        case State::syn_received:
            return "SYN-RECEIVED";
        case State::established:
            return "ESTABLISHED";
        case State::fin_wait_1:
            return "FIN-WAIT-1";
        case State::fin_wait_2:
            return "FIN-WAIT-2";
        case State::close_wait:
            return "CLOSE-WAIT";
        case State::closing:
            return "CLOSING";
        case State::last_ack:
            return "LAST-ACK";
        case State::time_wait:
            return "TIME-WAIT";
    }
    return "?";
}

std::string_view to_string(Error e) {
    switch (e) {
        case Error::refused:
            return "connection refused";
        case Error::reset:
            return "connection reset by peer";
        case Error::timed_out:
            return "connection timed out";
        case Error::aborted:
            return "connection aborted";
        case Error::host_unreachable:
            return "no route to host";
        case Error::network_unreachable:
            return "network is unreachable";
    }
    return "?";
}

std::string_view to_string(Reason r) {
    switch (r) {
        case Reason::syn:
            return "SYN";
        case Reason::syn_ack:
            return "SYN+ACK";
        case Reason::new_data:
            return "new data";
        case Reason::ack:
            return "ACK";
        case Reason::delayed_ack:
            return "delayed ACK";
        case Reason::duplicate_ack:
            return "duplicate ACK";
        case Reason::retransmission_rto:
            return "retransmission after RTO";
        case Reason::fast_retransmit:
            return "fast retransmit";
        case Reason::loss_probe:
            return "tail loss probe";
        case Reason::path_mtu:
            return "path MTU";
        case Reason::window_probe:
            return "window probe";
        case Reason::keepalive:
            return "keep-alive";
        case Reason::challenge_ack:
            return "challenge ACK";
        case Reason::rst:
            return "RST";
        case Reason::in_order:
            return "in order";
        case Reason::out_of_order:
            return "out of order";
        case Reason::duplicate:
            return "duplicate";
        case Reason::outside_window:
            return "outside the window";
        case Reason::old_timestamp:
            return "old timestamp";
        case Reason::old_ack:
            return "ACK too old";
        case Reason::after_close:
            return "data after close";
    }
    return "?";
}

}  // namespace tcp
