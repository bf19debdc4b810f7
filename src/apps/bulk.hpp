// Bulk TCP transfers, the way iperf and ns-3's BulkSend load a network: a
// client (tcp-bulk) that sends as fast as TCP allows — a number of bytes, or
// for a time — and a sink (tcp-sink) that takes any number of connections and
// reads and discards what they carry. In reverse mode (iperf -R) the sink
// sends and the client reads.
//
// The client opens with a 16-byte request that tells the sink the direction
// and the amount (bulk::Request; docs/topology.md shows its bytes). A
// connection that does not open with one (nc, say) is plain data to the sink.
//
// Senders write from one fixed 64 KiB pattern (the alphabet, over and over),
// 64 KiB at a time as TCP's send buffer takes it: nothing is allocated per
// chunk.
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
#include "tcp/congestion.hpp"

namespace apps {

// How much a transfer moves: a number of bytes, or as much as TCP takes
// until a time is up.
struct BulkAmount {
    enum class Kind : uint8_t { bytes = 0, duration = 1 };
    Kind kind = Kind::bytes;
    uint64_t bytes = 0;         // Kind::bytes
    base::Duration duration{};  // Kind::duration

    static BulkAmount of_bytes(uint64_t n) { return {Kind::bytes, n, {}}; }
    static BulkAmount for_time(base::Duration d) { return {Kind::duration, 0, d}; }
    friend bool operator==(const BulkAmount&, const BulkAmount&) = default;
};

namespace bulk {

// The request a tcp-bulk client sends first, 16 bytes:
//
//   offset  size  field
//   0       4     magic: "BULK" (42 55 4c 4b)
//   4       1     version: 1
//   5       1     direction: 0 the client sends, 1 the sink sends (reverse)
//   6       1     amount kind: 0 bytes, 1 duration
//   7       1     0
//   8       8     amount, big-endian: bytes, or nanoseconds
//
// `parse` returns nothing for anything else (wrong magic, version, kind).
struct Request {
    bool reverse = false;
    BulkAmount amount;

    static constexpr size_t size = 16;
    static std::optional<Request> parse(base::ByteSpan bytes);
    void emit(base::MutableByteSpan out) const;  // out.size() >= size
    friend bool operator==(const Request&, const Request&) = default;
};

// The bytes senders write: the alphabet, over and over; `offset` is where in
// the stream the chunk starts, so the stream reads abc…zabc… throughout.
base::ByteSpan pattern(uint64_t offset, size_t max);

}  // namespace bulk

// One connection of a tcp-sink, when it ends.
struct TcpSinkFlow {
    stack::Endpoint peer;
    bool request = false;  // it opened with a bulk request (else: plain data)
    bool reverse = false;  // the sink sent
    uint64_t bytes = 0;    // received, or sent when reverse (the request not counted)
    base::Time started;    // accepted
    base::Time ended;      // end of stream read (or, reverse, our close done)
    std::optional<stack::SocketError> error;  // how it ended, if not cleanly
};

struct TcpSinkOptions {
    uint16_t port = 5001;
    // TCP_CONGESTION on each connection (it matters when the sink sends);
    // nullopt keeps the host's default.
    std::optional<tcp::CongestionAlgorithm> congestion;
    // Each connection's account when it ends (for tests and reports).
    std::function<void(const TcpSinkFlow&)> on_flow;
};

// Accepts for ever; each connection in its own task: reads and discards to
// the end of the stream (or serves a reverse request), closes, and prints a
// line with the peer, the bytes, the time and the goodput.
sockets::Task<void> tcp_sink(sockets::Runtime& rt, TcpSinkOptions options, Output output);

struct TcpBulkOptions {
    std::string to;  // a name (looked up in DNS first) or an address
    uint16_t port = 5001;
    BulkAmount amount = BulkAmount::of_bytes(10'000'000);
    bool reverse = false;  // the sink sends, the client reads
    std::string label = "bulk";
    std::optional<tcp::CongestionAlgorithm> congestion;  // TCP_CONGESTION; nullopt: the host's
    // The bytes alone, without the request: for a plain discard server
    // (RFC 863), `nc -l > /dev/null` or the kernel's own. Not with reverse.
    bool raw = false;
};

struct TcpBulkResult {
    bool connected = false;
    bool completed = false;            // the whole amount moved and the connection closed
    std::optional<std::string> error;  // what stopped it, if anything
    uint64_t bytes = 0;                // sent, or received when reverse (the request not counted)
    base::Duration handshake{};        // connect to established
    // Request sent to the end: our FIN acknowledged (every byte was), or,
    // reverse, the end of the sink's stream.
    base::Duration transfer{};

    double goodput_mbit_s() const;
};

// Connects, sends the request, moves the amount, closes. Prints the handshake
// time, then the bytes, time and goodput.
sockets::Task<TcpBulkResult> tcp_bulk(sockets::Runtime& rt, TcpBulkOptions options, Output output);

}  // namespace apps
