// Constant-bit-rate UDP, the way iperf -u and ns-3's OnOffApplication load a
// network: a client (udp-cbr) that sends datagrams of one size at a steady
// rate, optionally in on/off bursts, and a sink (udp-sink) that counts what
// each source's flow delivered — lost, out of order, duplicated — from a small
// header every datagram carries (cbr::Header).
//
// The rate is that of the UDP payload (iperf's -b, ns-3's DataRate): datagram
// k of size S at rate R goes k·S·8/R seconds of "on" time after the start,
// each time computed from the start, so the spacing never drifts.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "apps/output.hpp"
#include "base/bytes.hpp"
#include "base/time.hpp"
#include "socket/runtime.hpp"
#include "socket/task.hpp"
#include "stack/port_table.hpp"

namespace apps {
namespace cbr {

// The first 24 bytes of every udp-cbr datagram (filler after them):
//
//   offset  size  field
//   0       4     sequence number: 0, 1, 2, … count − 1
//   4       4     count: datagrams the flow sends in all
//   8       8     send time, ns on the sender's clock
//   16      8     time left: ns from this datagram's send time to the last one's
//
// All big-endian. The count lets the sink tell losses at the end of a flow;
// the time left, when the flow should be over, however long its off periods.
struct Header {
    uint32_t sequence = 0;
    uint32_t count = 0;
    int64_t send_time_ns = 0;
    int64_t time_left_ns = 0;

    static constexpr size_t size = 24;
    // Nothing when shorter than `size` or when sequence >= count.
    static std::optional<Header> parse(base::ByteSpan bytes);
    void emit(base::MutableByteSpan out) const;  // out.size() >= size
    friend bool operator==(const Header&, const Header&) = default;
};

// When each datagram goes, as an offset from the start: datagram k after
// k·size·8/rate of "on" time (rounded down to the nanosecond), with an `off`
// pause after every `on` of sending. The flow sends the datagrams whose time
// falls before `duration`: count() of them, ⌈A·rate / (size·8)⌉ for A the
// "on" time within `duration`.
class Schedule {
  public:
    // rate in bit/s (> 0), size in bytes (> 0); off == 0: always on.
    Schedule(uint64_t rate, size_t size, base::Duration duration, base::Duration on = {},
             base::Duration off = {});

    uint64_t count() const { return count_; }
    base::Duration at(uint64_t k) const;

  private:
    uint64_t rate_;
    uint64_t bit_ns_;  // size·8·10^9: nanoseconds × bit/s per datagram
    base::Duration on_, off_;
    uint64_t count_ = 0;
};

}  // namespace cbr

struct UdpCbrOptions {
    std::string to;  // a name (looked up in DNS first) or an address
    uint16_t port = 5002;
    uint64_t rate = 1'000'000;  // bit/s of UDP payload
    size_t size = 1000;         // payload bytes per datagram, at least cbr::Header::size
    base::Duration duration = base::Duration::seconds(10);
    base::Duration on{};   // with `off`: send for `on`, pause for `off`, and again
    base::Duration off{};  // 0: always on
    // After the duration, how long the program stays (sending nothing), so
    // the last datagrams reach the sink before a run that ends with its
    // programs is over.
    base::Duration wait = base::Duration::seconds(1);
    std::string label = "cbr";
};

struct UdpCbrResult {
    uint64_t planned = 0;              // the schedule's count
    uint64_t sent = 0;                 // handed to UDP without an error
    uint64_t errors = 0;               // sends UDP refused (no route, …)
    std::optional<std::string> error;  // what stopped it before sending, if anything
    base::Time started;                // the first datagram's time
};

sockets::Task<UdpCbrResult> udp_cbr(sockets::Runtime& rt, UdpCbrOptions options, Output output);

// One source's flow at a udp-sink, when it ends: when every datagram the
// header's count promised has come, or, with some missing, when nothing came
// from it for `timeout` after the flow should have ended (the latest arrival
// plus its time left).
struct UdpSinkFlow {
    stack::Endpoint source;
    uint32_t expected = 0;      // the header's count
    uint64_t received = 0;      // distinct datagrams
    uint64_t bytes = 0;         // their UDP payload, headers included
    uint64_t lost = 0;          // expected − received
    uint64_t out_of_order = 0;  // came after a later one
    uint64_t duplicates = 0;
    // Came more than the window (65,536 datagrams) behind the newest: too late
    // to tell a duplicate, so not counted as received.
    uint64_t too_late = 0;
    base::Duration jitter{};  // interarrival jitter (RFC 3550 §6.4.1)
    base::Time first, last;   // arrivals
    bool complete = false;    // every datagram came
};

struct UdpSinkOptions {
    uint16_t port = 5002;
    // Silence after a flow should have ended that ends it with datagrams missing.
    base::Duration timeout = base::Duration::milliseconds(500);
    std::function<void(const UdpSinkFlow&)> on_flow;
};

// For ever: counts each source's flow and prints a line when it ends.
// Datagrams without a valid header are dropped. At most 1,024 flows at a time;
// a new source beyond that is ignored until one ends.
sockets::Task<void> udp_sink(sockets::Runtime& rt, UdpSinkOptions options, Output output);

}  // namespace apps
