// Socket options, as a program sets them with setsockopt(2) at the SOL_SOCKET
// and IPPROTO_TCP levels. Each is optional: one left out keeps the value the
// connection has (at creation, the host's defaults, tcp::Config).
//
// Given to connect or listen (a listener's options are every accepted
// connection's, as Linux inherits them), or later to a live connection. The
// receive buffer and the MSS fix what the SYN announces (the window scale,
// the MSS option), so they can be set only before the connection opens.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "base/time.hpp"
#include "tcp/congestion.hpp"

namespace tcp {

struct Config;

// Keep-alive (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6), SO_KEEPALIVE's timing
// (TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT): after `idle` without a segment
// from the peer, probe every `interval`; `probes` unanswered in a row end the
// connection with Error::timed_out. Defaults are Linux's.
struct KeepAlive {
    base::Duration idle = base::Duration::seconds(7200);
    base::Duration interval = base::Duration::seconds(75);
    int probes = 9;
};

struct Options {
    std::optional<size_t> send_buffer;     // SO_SNDBUF, bytes
    std::optional<size_t> receive_buffer;  // SO_RCVBUF, bytes (before connecting)
    std::optional<uint16_t> max_segment;   // TCP_MAXSEG: the MSS offered and used, at most
    std::optional<bool> nodelay;           // TCP_NODELAY: Nagle off
    // TCP_CORK: only full segments leave until it is turned off again (or
    // 200 ms pass, Linux's ceiling), so a header and its body share segments.
    std::optional<bool> cork;
    // SO_LINGER on, with this time: close() waits at most this long for the
    // data to be acknowledged; zero makes close() reset the connection.
    // `linger_off` turns it off again.
    std::optional<base::Duration> linger;
    bool linger_off = false;
    // SO_KEEPALIVE on with this timing; `keepalive_off` turns it off.
    std::optional<KeepAlive> keepalive;
    bool keepalive_off = false;
    // TCP_USER_TIMEOUT (RFC 5482): data unacknowledged for this long, or a
    // connect or keep-alive unanswered for this long, ends the connection
    // with timed_out. Zero turns it off.
    std::optional<base::Duration> user_timeout;
    std::optional<CongestionAlgorithm> congestion;  // TCP_CONGESTION

    // What is wrong with a value, naming the option ("TCP_MAXSEG: 20 is
    // below 88"), or nullopt when every value is in range.
    std::optional<std::string> problem() const;
    // Sets what is given into `config` (checked first: see problem()).
    void apply(Config& config) const;
    // Only options a live connection can take (not the receive buffer, not
    // the MSS).
    bool changes_handshake() const { return receive_buffer || max_segment; }
};

// Limits, as Linux's where it has one.
inline constexpr size_t min_socket_buffer = 2048;
inline constexpr size_t max_socket_buffer = size_t{1} << 30;  // what window scale 14 can offer
inline constexpr uint16_t min_max_segment = 88;               // Linux's TCP_MIN_MSS

}  // namespace tcp
