// The report's TCP connections: for each connection, each side's segments
// (relative sequence numbers, retransmissions, the packet that carried each),
// the acknowledgements it received, and its congestion window, slow-start
// threshold and smoothed RTT over time — what the time-sequence and window
// graphs draw.
//
// A segment is told of (TcpSegment, sent) before its frame leaves (it may
// wait for ARP); it waits here until the frame with the same ports, sequence
// number and flags is sent, and that frame's packet is the segment's.
//
// Memory is bounded: at most `max_connections` connections are followed, each
// side keeps at most `max_samples` of each kind of sample, and once the report
// has stopped keeping packets (`stop_sampling`) the graphs stop too — they
// draw what the report's packets show, no further.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/time.hpp"
#include "sim/frame_summary.hpp"
#include "sim/trace.hpp"

namespace report {

struct TcpSide {
    sim::NodeIndex node;
    tcp::Tuple conn;  // from this side: local is its endpoint
    bool syn_sent = false;
    bool syn_ack_sent = false;
    struct Segment {
        base::Time t;
        uint32_t seq;  // relative
        uint64_t len;
        std::string flags;
        bool retransmission;
        size_t packet;  // PacketTrail index
    };
    struct Ack {
        base::Time t;
        uint32_t ack;  // relative to this side's first sequence number
        std::optional<size_t> packet;
    };
    struct Window {
        base::Time t;
        uint64_t cwnd, ssthresh;
        int64_t srtt_ns;  // -1: no sample yet
    };
    std::vector<Segment> segments;
    std::vector<Ack> acks;
    std::vector<Window> window;
};

struct TcpConnection {
    std::string name;  // "opener -> listener"
    std::vector<TcpSide> sides;
};

class TcpTrail {
  public:
    static constexpr size_t max_connections = 10'000;
    static constexpr size_t max_samples = 20'000;

    // A segment's sending was told of; the lines of the timeline that tell
    // of it wait with it.
    void segment_sent(const sim::ev::TcpSegment& e, std::vector<size_t> lines);
    // A frame was sent as packet `packet` (null: beyond what the report
    // keeps): if it carries a waiting segment, the segment's side records it.
    // Returns the waiting segment's timeline lines, and sets the packet's
    // connection, retransmission mark and text data.
    struct Matched {
        std::vector<size_t> lines;
        std::optional<sim::TextPreview> data;
    };
    std::optional<Matched> frame_sent(base::Time t, sim::NodeIndex node, const sim::FrameSummary& f,
                                      size_t packet, struct Packet* kept);
    void ack_received(const sim::ev::TcpSegment& e, std::optional<size_t> packet);
    void window(const sim::ev::TcpWindow& e);
    // No more ACK and window samples from now on.
    void stop_sampling() { sampling_ = false; }
    bool sampling() const { return sampling_; }

    // A sequence or acknowledgement number relative to the first one `side`
    // sent, when known.
    uint32_t relative(const wire::IpAddress& address, uint16_t port, uint32_t n) const;
    const std::vector<TcpConnection>& connections() const { return connections_; }

  private:
    struct Pending {
        tcp::Tuple conn;
        tcp::Reason why;
        wire::TcpFlags flags;
        uint32_t seq;
        std::optional<sim::TextPreview> data;
        std::vector<size_t> lines;
    };
    using Endpoint = stack::Endpoint;
    TcpSide* side(sim::NodeIndex node, const tcp::Tuple& conn);

    std::vector<TcpConnection> connections_;
    std::map<std::pair<sim::NodeIndex, tcp::Tuple>, std::pair<size_t, size_t>> side_of_;
    // Connections seen from one side so far, by that side's tuple.
    std::map<tcp::Tuple, size_t> one_sided_;
    std::map<sim::NodeIndex, std::deque<Pending>> pending_;
    std::map<Endpoint, uint32_t> isn_;
    bool sampling_ = true;
};

}  // namespace report
