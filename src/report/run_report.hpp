// The HTML report of a run (docs/report.md): one self-contained file with the
// topology and the path each packet took, the sequence diagram of the
// conversation, each TCP connection's time-sequence, congestion window and
// RTT over time, per-link statistics, the timeline, and every packet layer by
// layer.
//
// Like the timeline it listens to the event log as the run writes it: each
// frame a node sends becomes a packet (numbered as `minternet explain` numbers
// them); forwards, drops and arrivals of the same IP packet (same source,
// destination, protocol, identification and fragment offset) give its path
// and its fate; TCP events give each connection's segments, acknowledgements
// and window. At the end the frames are read back from the captures and
// dissected.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.hpp"
#include "base/time.hpp"
#include "report/timeline.hpp"

namespace sim {
class Network;
}

namespace report {

struct RunInfo {
    std::string name;  // the scenario's
    uint64_t seed = 0;
    base::Time end;  // the run's last virtual instant
    TimelineSummary summary;
    std::string capture_dir;  // the run's pcaps, for the packets' bytes
};

class RunReport {
  public:
    // The network stays alive until the report is written.
    explicit RunReport(const sim::Network& network);
    ~RunReport();
    RunReport(const RunReport&) = delete;
    RunReport& operator=(const RunReport&) = delete;

    // One event, as the event log writes it (the same as Timeline::event).
    void event(base::Time t, std::string_view node, std::string_view event,
               std::string_view fields_json);
    // The same with its fields parsed (the run parses each event once for
    // the timeline and the report).
    void parsed_event(base::Time t, std::string_view node, std::string_view event,
                      const nlohmann::json& fields);
    // One line of the timeline, kept for the report's copy of it.
    void line(const TimelineLine& l);

    // The report's data, in docs/report.md's shape.
    nlohmann::json data(const RunInfo& run) const;
    // Writes the page with the data to `path`.
    base::Expected<void, std::string> write_html(const std::string& path, const RunInfo& run) const;

  private:
    struct Packet;
    struct Side;
    struct Connection;
    struct PendingSegment;

    void frame_sent(base::Time t, const std::string& node, const nlohmann::json& fields);
    void frame_received(base::Time t, const std::string& node, const nlohmann::json& f);
    void frame_dropped(base::Time t, const std::string& node, const nlohmann::json& f);
    void tcp_sent(base::Time t, const std::string& node, const nlohmann::json& f);
    void tcp_received(base::Time t, const std::string& node, const nlohmann::json& f);
    void tcp_window(base::Time t, const std::string& node, const nlohmann::json& f);
    std::optional<size_t> in_flight(const nlohmann::json& f) const;  // packets_ index
    Side& side(const std::string& node, const std::string& conn);
    // The timeline's lines from the event being read tell of `packet`.
    void link_lines(std::optional<size_t> packet);
    std::string label(const Packet& p) const;
    void add_lane(const std::string& node);

    const sim::Network& network_;
    std::map<std::string, std::string> owner_;  // address -> node
    std::vector<Packet> packets_;
    std::unordered_map<std::string, size_t> in_flight_;  // IP packet key -> packets_ index
    std::map<std::string, uint64_t> frames_on_;          // "node-iface" -> frames captured so far
    std::map<std::string, std::deque<PendingSegment>> pending_;  // tcp_send not yet on the wire
    std::map<std::string, size_t> last_received_;  // node -> the packet its last frame was
    std::map<std::string, uint32_t> isn_;          // "address:port" -> its first sequence number
    std::vector<Connection> connections_;
    std::map<std::string, std::pair<size_t, int>> side_of_;  // "node conn" -> (connection, side)
    std::vector<std::string> lanes_;
    std::vector<TimelineLine> lines_;
    std::vector<std::optional<size_t>> line_packet_;  // the packet each line tells of
    size_t lines_linked_ = 0;  // lines before this one came from events already seen
};

// The page around a run's data: its style, the data as JSON, its script.
std::string html_page(const std::string& title, const nlohmann::json& data);

}  // namespace report
