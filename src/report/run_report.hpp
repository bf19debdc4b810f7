// The HTML report of a run (docs/report.md): one self-contained file with the
// topology and the path each packet took, the sequence diagram of the
// conversation, each TCP connection's time-sequence, congestion window and
// RTT over time, per-link statistics, the timeline, and every packet layer by
// layer.
//
// A sink of the run's typed events, added after the timeline: the packets
// (report/packet_trail.hpp) and the TCP connections (report/tcp_trail.hpp)
// are followed by their own parts; this one hands them the events, ties the
// timeline's lines to the packets they tell of, and writes the data out. It
// keeps the frames' bytes itself, so it needs no capture. Its memory is
// bounded by those parts' limits and `max_lines`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.hpp"
#include "base/time.hpp"
#include "report/packet_trail.hpp"
#include "report/tcp_trail.hpp"
#include "report/timeline.hpp"
#include "sim/trace.hpp"

namespace sim {
class Network;
}

namespace report {

struct RunInfo {
    std::string name;  // the scenario's
    uint64_t seed = 0;
    base::Time end;  // the run's last virtual instant
    TimelineSummary summary;
};

class RunReport : public sim::EventSink {
  public:
    static constexpr size_t max_lines = 100'000;

    // The network stays alive until the report is written.
    explicit RunReport(const sim::Network& network);
    ~RunReport() override;
    RunReport(const RunReport&) = delete;
    RunReport& operator=(const RunReport&) = delete;

    sim::EventMask wants() const override;
    void event(const sim::Event& e) override;
    // One line of the timeline, kept for the report's copy of it. The
    // timeline makes its lines of an event before this sink reads the event.
    void line(const TimelineLine& l);

    // The report's data, in docs/report.md's shape.
    nlohmann::json data(const RunInfo& run) const;
    // The same as JSON text, made a list element at a time (what the page
    // holds: the same bytes as data(run).dump()).
    std::string data_text(const RunInfo& run) const;
    // Writes the page with the data to `path`.
    base::Expected<void, std::string> write_html(const std::string& path, const RunInfo& run) const;

  private:
    void frame_sent(const sim::ev::FrameSent& e);
    // The timeline's lines from the event being read tell of `packet`.
    void link_lines(std::optional<size_t> packet);
    std::string label(const Packet& p, const sim::FrameSummary& f,
                      const std::optional<sim::TextPreview>& data) const;
    const std::string& name(sim::NodeIndex n) const;
    nlohmann::json head(const RunInfo& run) const;
    nlohmann::json packet_json(size_t i) const;
    nlohmann::json connection_json(const TcpConnection& c) const;
    nlohmann::json line_json(size_t i) const;

    const sim::Network& network_;
    PacketTrail packets_;
    TcpTrail tcp_;
    std::unordered_map<sim::NodeIndex, size_t>
        last_received_;  // the packet a node's last frame was
    std::vector<TimelineLine> lines_;
    std::vector<std::optional<size_t>> line_packet_;  // the packet each line tells of
    size_t lines_linked_ = 0;  // lines before this one came from events already seen
    uint64_t lines_not_kept_ = 0;
};

// The page around a run's data: its style, the data as JSON, its script.
std::string html_page(const std::string& title, const nlohmann::json& data);

}  // namespace report
