// The run told as a learner follows it: one line per event worth seeing, with
// its time, node and layer — a DNS query and its answer, SYN, SYN+ACK, the
// ACK with data, a packet lost on a link, the duplicate ACK that asks again
// from the missing segment, the retransmission, FIN — and a summary at the end.
//
// It reads the same events as the event log (sim::EventLog's listener), so
// what the timeline says is what events.jsonl records; routers' forwarding,
// ARP and pure bookkeeping stay in the log. Sequence numbers are relative to
// each side's first (as Wireshark shows them).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/time.hpp"

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
    std::vector<Connection> connections;
};

class Timeline {
  public:
    using Sink = std::function<void(const TimelineLine&)>;

    // `routers`: nodes whose sends are forwarding, not conversation. Unless
    // `every_line`, a long run of routine segments (data and ACKs in order)
    // is cut to its first few and one line that counts the rest.
    Timeline(std::set<std::string> routers, Sink sink, bool every_line = false);
    ~Timeline();

    // One event, as the event log has it (fields: the JSON members).
    void event(base::Time t, std::string_view node, std::string_view event,
               std::string_view fields_json);
    // The same with its fields parsed.
    void parsed_event(base::Time t, std::string_view node, std::string_view event,
                      const nlohmann::json& fields);
    const TimelineSummary& summary() const { return summary_; }
    // Says how many routine lines were left out since the last one shown.
    void flush();

  private:
    struct Conn;
    void emit(base::Time t, std::string_view node, Layer layer, std::string text,
              bool notable = false, bool routine = false);
    void tcp_segment(base::Time t, std::string_view node, bool sent, const nlohmann::json& f);
    void tcp_state(base::Time t, std::string_view node, const nlohmann::json& f);
    void frame_sent(base::Time t, std::string_view node, const nlohmann::json& f);
    Conn& conn(std::string_view node, const std::string& key);

    std::set<std::string> routers_;
    Sink sink_;
    TimelineSummary summary_;
    std::map<std::string, Conn> conns_;    // by "node conn"
    std::map<std::string, uint32_t> isn_;  // first sequence number by "address:port"
    bool every_line_;
    int routine_run_ = 0;        // routine lines shown in a row
    uint64_t left_out_ = 0;      // routine lines not shown since
    base::Time left_out_until_;  // the last of them
};

}  // namespace report
