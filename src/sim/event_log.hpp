// The event log: one JSON object per line for every event of a run —
// {"t_ns":…,"node":…,"event":…, and the event's fields} — in the format
// docs/run.md documents (events.jsonl). A sink like any other: it formats only
// what reaches it, into its own buffer, and writes in large chunks.
//
// Timestamps are virtual time, so the same topology and seed give the same
// bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include "sim/frame_summary.hpp"
#include "sim/trace.hpp"

namespace sim {

class Network;

class EventLog : public EventSink {
  public:
    // Where the text goes, a chunk of whole lines at a time.
    using Output = std::function<void(std::string_view)>;

    // Names come from `network`, which must outlive the log. With
    // `line_at_a_time` each line goes out as it is made (for a terminal, where
    // other lines interleave); otherwise in large chunks.
    EventLog(Output out, const Network& network, bool line_at_a_time = false);
    EventLog(std::ostream& out, const Network& network);
    EventLog(const EventLog&) = delete;
    EventLog& operator=(const EventLog&) = delete;
    ~EventLog() override;

    EventMask wants() const override;
    void event(const Event& e) override;
    // Writes out what is buffered.
    void flush();
    uint64_t lines() const { return lines_; }

  private:
    void begin(base::Time t, std::string_view node, std::string_view event);
    void end();

    Output out_;
    const Network& network_;
    bool line_at_a_time_;
    std::string buffer_;
    uint64_t lines_ = 0;
};

// JSON text helpers, shared with the other writers of JSON lines.
// `"text"` with JSON's escapes.
void append_json_string(std::string& out, std::string_view text);
// The fields of a frame or packet as JSON members (no braces), keys in
// alphabetical order: "ack":…,"dport":…,"dst":"10.0.0.2",…,"len":98,…
void append_summary_fields(std::string& out, const FrameSummary& s);

}  // namespace sim
