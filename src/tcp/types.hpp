// TCP's vocabulary, shared by the connection, the host's transport and the
// event log: states, errors, why a segment was sent, the 4-tuple.
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <string_view>

#include "wire/address.hpp"

namespace tcp {

enum class State : uint8_t {
    closed,
    listen,
    syn_sent,
    syn_received,
    established,
    fin_wait_1,
    fin_wait_2,
    close_wait,
    closing,
    last_ack,
    time_wait,
};

std::string_view to_string(State s);  // "ESTABLISHED", as RFC 9293 writes them

enum class Error : uint8_t {
    refused,    // RST in answer to our SYN
    reset,      // the peer reset the connection
    timed_out,  // retransmissions or keep-alives went unanswered
    aborted,    // we reset it
    // ICMP destination unreachable: at once while connecting, or as the
    // reason a connection that then timed out gives (RFC 1122 §4.2.3.9).
    host_unreachable,
    network_unreachable,
};

std::string_view to_string(Error e);

// Why a segment was sent or what a received one was, for the event log.
enum class Reason : uint8_t {
    syn,
    syn_ack,
    new_data,  // data (or a FIN) for the first time
    ack,       // a pure ACK
    delayed_ack,
    duplicate_ack,  // an ACK for data out of order, asking for the gap
    retransmission_rto,
    fast_retransmit,
    loss_probe,  // RFC 8985 §7: the last segment again, as a tail loss probe
    path_mtu,    // sent again in smaller pieces: the path MTU went down
    window_probe,
    keepalive,
    challenge_ack,
    rst,
    // Received only:
    in_order,
    out_of_order,
    duplicate,  // data we already had
    outside_window,
    old_timestamp,  // PAWS (RFC 7323 §5.3): a TSval older than the last in order
    old_ack,        // an ACK below SND.UNA - MAX.SND.WND (RFC 5961 §5.2)
    after_close,    // data for a program that has closed its socket
};

std::string_view to_string(Reason r);

// A segment sent again, for whatever reason.
constexpr bool is_retransmission(Reason r) {
    return r == Reason::retransmission_rto || r == Reason::fast_retransmit ||
           r == Reason::loss_probe || r == Reason::path_mtu;
}

// A connection's addresses, both of one family.
struct Tuple {
    wire::IpAddress local_address;
    uint16_t local_port = 0;
    wire::IpAddress remote_address;
    uint16_t remote_port = 0;
    auto operator<=>(const Tuple&) const = default;
};

// The 4-tuple as bytes for a keyed hash (ISNs, SYN cookies): local address,
// local port, remote address, remote port, in network order. An IPv4 address
// takes 4 bytes, an IPv6 one 16. Returns how many of `out` it used.
constexpr size_t max_tuple_bytes = 36;
size_t tuple_bytes(const Tuple& t, std::span<std::byte, max_tuple_bytes> out);

}  // namespace tcp
