// Flow statistics, as ns-3's FlowMonitor gives them: for every TCP
// connection and UDP flow of a run — protocol, source and destination,
// start and end, bytes sent and delivered, goodput, round-trip times (TCP),
// retransmissions, packets lost on links, packets out of order — written as
// flows.csv and flows.json, with the aggregate goodput and Jain's fairness
// index over the flows' goodputs.
//
// A sink of cheap events only: a TCP connection reports its counters once,
// when it is gone or when the run ends (TcpFlow); UDP datagrams one event
// each; links' drops. So it runs whatever else is off. Rows, decisions and
// columns: docs/run.md, "Flow statistics".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/result.hpp"
#include "base/time.hpp"
#include "sim/trace.hpp"

namespace sim {
class Network;
}

namespace report {

struct Flow {
    enum class Protocol : uint8_t { tcp, udp };
    Protocol protocol;
    stack::Endpoint source;  // where the data came from
    stack::Endpoint destination;
    base::Time start = base::Time::never();  // first byte sent
    base::Time end = base::Time::never();    // last byte delivered
    uint64_t bytes_sent = 0;                 // new data (TCP), payload (UDP)
    uint64_t bytes_delivered = 0;            // in order, once (TCP); payload received (UDP)
    uint64_t packets_sent = 0;               // UDP datagrams
    uint64_t packets_delivered = 0;
    uint64_t rtt_samples = 0;  // TCP: the source's
    base::Duration rtt_min{}, rtt_mean{}, rtt_max{};
    uint64_t retransmissions = 0;
    uint64_t lost = 0;                     // packets from source to destination lost on links
    uint64_t out_of_order = 0;             // arrived ahead of a gap (TCP segments; UDP datagrams)
    uint64_t reverse_bytes_delivered = 0;  // TCP: from destination to source
    bool open = false;                     // TCP: still open when the run ended

    // Bits per second delivered between start and end; 0 without both.
    double goodput_bit_s() const;
};

struct FlowTotals {
    size_t flows = 0;
    double goodput_bit_s = 0;  // the flows' goodputs added up
    double jain_index = 0;     // over the flows that delivered data; 0 when none did
};

class FlowStats : public sim::EventSink {
  public:
    explicit FlowStats(const sim::Network& network) : network_(network) {}

    sim::EventMask wants() const override;
    // It reads addresses, ports and lengths from the frames links drop.
    bool wants_exact_frames() const override { return false; }
    void event(const sim::Event& e) override;

    // The rows, in the order the flows began (TCP connections: the order
    // their first side reported). A TCP connection is one row, from the end
    // that sent more; a UDP flow is one direction between two endpoints.
    std::vector<Flow> flows() const;
    static FlowTotals totals(const std::vector<Flow>& flows);

    std::string csv() const;
    nlohmann::json json(const std::string& run_name, uint64_t seed, base::Time end) const;
    // Writes flows.csv and flows.json into `dir`.
    base::Expected<void, std::string> write(const std::string& dir, const std::string& run_name,
                                            uint64_t seed, base::Time end) const;

  private:
    // One side of a TCP connection, as it reported.
    struct Side {
        bool reported = false;
        bool open = false;
        bool active_open = false;
        uint64_t bytes_sent = 0, bytes_received = 0, retransmissions = 0, out_of_order = 0;
        uint64_t rtt_samples = 0;
        int64_t rtt_sum_ns = 0, rtt_min_ns = 0, rtt_max_ns = 0;
        base::Time first_data_sent = base::Time::never();
        base::Time last_data_received = base::Time::never();
    };
    struct Connection {
        tcp::Tuple a_to_b;  // a is the end that reported first
        Side side[2];
    };
    struct Udp {
        stack::Endpoint source, destination;
        Flow flow;
        uint16_t highest_id = 0;
        bool any_received = false;
    };
    using FlowKey = std::pair<stack::Endpoint, stack::Endpoint>;  // source, destination
    static FlowKey key(const stack::Endpoint& from, const stack::Endpoint& to);

    void tcp_flow(const sim::ev::TcpFlow& e);
    void udp(const sim::ev::UdpDatagram& e);
    void link_drop(const sim::ev::LinkDropped& e);
    Udp& udp_flow(const stack::Endpoint& source, const stack::Endpoint& destination);

    const sim::Network& network_;
    std::vector<Connection> connections_;
    std::map<FlowKey, size_t> connection_of_;  // by the a -> b direction
    std::vector<Udp> udp_;
    std::map<FlowKey, size_t> udp_of_;
    // Packets lost on links, by protocol (true: TCP) and direction.
    std::map<std::pair<bool, FlowKey>, uint64_t> lost_;
    // The order flows began: (TCP?, index).
    std::vector<std::pair<bool, size_t>> order_;
};

}  // namespace report
