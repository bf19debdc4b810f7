// The run told as a learner follows it: one line per event worth seeing, with
// its time, node and layer — a DNS query and its answer, SYN, SYN+ACK, the
// ACK with data, a packet lost on a link, the duplicate ACK that asks again
// from the missing segment, the retransmission, FIN — and a summary at the end.
//
// A sink of the run's typed events (sim/trace.hpp), beside the event log:
// routers' forwarding, ARP and pure bookkeeping stay in the log. Sequence
// numbers are relative to each side's first (as Wireshark shows them).
//
// Its memory does not grow with the run's length: what it keeps of a
// connection goes when the connection closes, and the summary lists at most
// `max_connections_listed` connections (it counts the rest).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.hpp"
#include "sim/trace.hpp"

namespace sim {
class Network;
}

namespace report {

// The four layers, and the link below them where loss happens.
enum class Layer { app, dns, tcp, udp, ip, icmp, link, node };
std::string_view to_string(Layer l);

struct TimelineLine {
    base::Time time;
    std::string node;
    Layer layer;
    std::string text;
    bool notable = false;  // a loss, a retransmission, reordering: shown stronger
};

struct TimelineSummary {
    uint64_t packets = 0;  // IP packets the hosts sent
    uint64_t lost = 0;     // frames lost on links (loss, a link down, a full queue)
    uint64_t retransmitted = 0;
    uint64_t reordered = 0;
    uint64_t duplicated = 0;
    uint64_t out_of_order = 0;  // segments that arrived ahead of a gap
    struct Connection {
        std::string name;  // "100.100.100.1:49152 -> 200.200.200.2:80"
        std::optional<base::Duration> handshake;
        std::optional<base::Duration> transfer;  // first data to the first FIN
    };
    std::vector<Connection> connections;  // the first max_connections_listed
    uint64_t connections_not_listed = 0;
};

class Timeline : public sim::EventSink {
  public:
    using Sink = std::function<void(const TimelineLine&)>;
    static constexpr size_t max_connections_listed = 1000;

    // Routers' sends are forwarding, not conversation. Without a sink it
    // makes no lines, only the summary (cheaply). Unless `every_line`, a
    // long run of routine segments (data and ACKs in order) is cut to its
    // first few and one line that counts the rest. `network` names nodes and
    // links, and outlives the timeline.
    Timeline(const sim::Network& network, Sink sink, bool every_line = false);
    ~Timeline() override;

    sim::EventMask wants() const override;
    void event(const sim::Event& e) override;
    const TimelineSummary& summary() const { return summary_; }
    // Says how many routine lines were left out since the last one shown.
    void flush();

  private:
    struct Conn;
    using Endpoint = stack::Endpoint;
    void emit(base::Time t, std::string_view node, Layer layer, std::string text,
              bool notable = false, bool routine = false);
    void tcp_segment(const sim::ev::TcpSegment& e);
    void count_segment(const sim::ev::TcpSegment& e, Conn& c);
    void tcp_state(const sim::ev::TcpState& e);
    void frame_sent(const sim::ev::FrameSent& e);
    Conn& conn(sim::NodeIndex node, const tcp::Tuple& c);
    const std::string& name(sim::NodeIndex node) const;

    const sim::Network& network_;
    std::vector<bool> router_;  // per node
    Sink sink_;
    TimelineSummary summary_;
    std::map<std::pair<sim::NodeIndex, tcp::Tuple>, Conn> conns_;
    std::map<Endpoint, uint32_t> isn_;  // first sequence number of each side
    bool every_line_;
    int routine_run_ = 0;        // routine lines shown in a row
    uint64_t left_out_ = 0;      // routine lines not shown since
    base::Time left_out_until_;  // the last of them
};

}  // namespace report
