// A conformance script: what a TCP peer sends to the system under test (the
// "SUT": minternet's host or the Linux kernel), what it expects back, and the
// socket calls a program on the SUT makes, with when each happens.
//
// The notation follows packetdrill's, which TCP engineers read at sight:
//
//   # A passive open answers a SYN with a SYN+ACK in Linux's option order.
//   # rfc: RFC 9293 §3.5
//   socket listen 8080
//   < S 0:0(0) win 65535 <mss 1000,sackOK,TS,nop,wscale 7>
//   > S. 0:0(0) ack 1 <mss 1460,sackOK,TS,nop,wscale *>
//   +0.2 < . 1:1(0) ack 1
//   socket accept
//   +0.04~0.2 > . 1:1(0) ack 1001
//
// `<` lines are the peer's segments, `>` lines the SUT's: flags (S F R P .
// for ACK, E ECE, W CWR), `start:end(len)` with sequence numbers relative to
// the sender's initial one, `ack N` relative to the other side's, `win N` as
// on the wire, `port N` for another port of the SUT's than its socket's,
// options between `<` and `>`. On a `>` line anything left out is
// not checked; `*` accepts any value. On a `<` line a left-out window is 64
// KiB (scaled by the peer's window scale), and once timestamps are agreed a
// left-out option list is `<nop,nop,TS>`; `TS` alone fills in the peer's
// clock and echoes the SUT's last TSval.
//
// Time: `+D` waits D seconds after the previous line (a `<` or socket line)
// or expects the segment D seconds after it (a `>` line); `+A~B` accepts
// anything from A to B. A `>` line without a time expects the segment at once.
// `quiet D` expects no segment for D seconds.
//
// A line may start with `[linux]` or `[minternet]` to apply to that target
// only; a script that has such lines must say why in a `# differs:` header
// (the RFC that allows the difference).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"

namespace conformance {

enum class TargetKind : uint8_t { minternet, linux_kernel };
std::string_view to_string(TargetKind t);

// One TCP option in a script, in the order it is written.
struct OptionSpec {
    enum class Kind : uint8_t { nop, eol, mss, wscale, sack_ok, timestamps, sack };
    Kind kind = Kind::nop;
    std::optional<uint32_t> value;   // mss, wscale: nullopt is `*` (any)
    std::optional<uint32_t> ts_val;  // nullopt: the peer's clock, or any when expected
    std::optional<uint32_t> ts_ecr;  // nullopt: the echo the peer owes, or any
    std::vector<std::pair<uint32_t, uint32_t>> blocks;  // SACK, relative
};

struct SegmentSpec {
    uint16_t flags = 0;  // wire::TcpFlags bits
    uint32_t seq = 0;    // relative to the sender's initial sequence number
    uint32_t len = 0;    // payload bytes
    std::optional<uint32_t> ack;
    std::optional<uint16_t> window;
    // The SUT's port, when not the one its socket calls named: the peer's
    // segment goes there, the SUT's must come from there.
    std::optional<uint16_t> port;
    std::optional<std::vector<OptionSpec>> options;  // nullopt: not written
};

// A segment the peer sends.
struct Inject {
    SegmentSpec segment;
};
// A segment the SUT must send next.
struct Expect {
    SegmentSpec segment;
};
// No segment from the SUT for `span`.
struct Quiet {
    base::Duration span;
};
// ICMP "fragmentation needed" (RFC 1191) about the SUT's last segment, from
// the peer, saying the path carries `mtu` bytes.
struct FragNeeded {
    uint16_t mtu = 0;
};

// Socket options, each only if given.
struct SocketSettings {
    std::optional<uint32_t> receive_buffer;  // SO_RCVBUF
    std::optional<uint32_t> send_buffer;     // SO_SNDBUF
    std::optional<uint16_t> max_segment;     // TCP_MAXSEG
    std::optional<bool> nodelay;
    std::optional<bool> cork;
    std::optional<uint32_t> linger_seconds;  // SO_LINGER on
    std::optional<uint32_t> user_timeout_ms;
    std::optional<uint32_t> keepalive_idle;  // seconds; with the next two, SO_KEEPALIVE on
    std::optional<uint32_t> keepalive_interval;
    std::optional<uint32_t> keepalive_count;
    std::optional<std::string> congestion;  // "cubic" or "reno"
    bool empty() const;
};

// What a read or a socket's pending error must show.
enum class SocketError : uint8_t { none, reset, refused, timed_out };
std::string_view to_string(SocketError e);

struct SocketCall {
    enum class Op : uint8_t {
        listen,     // port, backlog, settings
        accept,     // a connection must be waiting
        connect,    // to the peer's `port`
        write,      // `count` bytes, all taken
        read,       // exactly `count` bytes must be there to read
        read_eof,   // the peer's FIN: read returns 0
        read_none,  // nothing to read yet
        error,      // the socket's pending error is `error`
        option,     // setsockopt on the connection
        shutdown,   // SHUT_WR
        close,
    };
    Op op = Op::close;
    uint32_t port = 0;
    uint32_t backlog = 128;
    uint32_t count = 0;
    SocketError error = SocketError::none;
    SocketSettings settings;
};

struct Step {
    int line = 0;
    std::string text;  // as written, for messages
    std::optional<TargetKind> only;
    bool timed = false;  // a `+` was written
    base::Duration earliest{};
    base::Duration latest{};
    std::variant<Inject, Expect, Quiet, FragNeeded, SocketCall> action;
};

struct Script {
    std::string name;     // the file's stem
    std::string title;    // the first comment line
    std::string rfc;      // `# rfc:` header
    std::string differs;  // `# differs:` header
    std::vector<Step> steps;
};

// Parses a script; errors name the line and what is wrong with it.
base::Expected<Script, std::string> parse_script(std::string_view text, std::string name);

}  // namespace conformance
