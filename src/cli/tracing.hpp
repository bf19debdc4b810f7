// What a run records — captures, the event log, the HTML report, the
// timeline — chosen on the command line, in the topology's `trace:` section
// (the command line wins), or by default (docs/topology.md, "Tracing"):
// everything for a small topology, as the learners' examples expect, and
// nothing but the summary and the flow statistics for a large one, which
// could otherwise fill the disk.
#pragma once

#include <cstddef>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "sim/capture.hpp"
#include "sim/event_log.hpp"
#include "sim/topology.hpp"

namespace sim {
class Network;
}

namespace cli {

// Above this many nodes a topology is large: tracing is off unless asked for.
constexpr size_t large_topology_nodes = 100;
// Above this many captured interfaces, captures go into one pcapng file
// unless a format is asked for (a pcap file each would need as many file
// descriptors).
constexpr size_t pcap_files_at_most = 256;

// As given on the command line; an option not given is empty.
struct TraceRequest {
    std::optional<std::string> preset;          // --trace all|none: the default for the rest
    std::optional<std::string> capture;         // all, none, NODE[:IFACE],…
    std::optional<std::string> capture_format;  // pcap, pcapng
    std::optional<std::string> pcap_dir;        // --pcap-dir: captures as pcap files here
    std::optional<std::string> events;          // on, none, or a file
    std::optional<std::string> report;          // on, none, or a file
};

struct TracePlan {
    std::optional<sim::CaptureOptions> capture;
    std::optional<std::string> events;  // the file
    std::optional<std::string> report;  // the file
    bool timeline = true;
    bool off_by_size = false;  // a large topology with nothing asked for: say how to turn it on
};

// `out_dir` is where the default files go (out/NAME); `defaults_on` whether
// a small topology records everything unasked (`run` does; `ping` and
// `traceroute` record only what they are asked to). The error is ready to
// print: the option or the file's place, and what is wrong.
base::Expected<TracePlan, std::string> plan_tracing(const sim::Network& network,
                                                    const TraceRequest& request,
                                                    const std::string& out_dir, bool defaults_on);

// The file sinks of a plan, added to the network's tracer (and removed when
// this goes).
class Tracing {
  public:
    static base::Expected<std::unique_ptr<Tracing>, std::string> open(sim::Network& network,
                                                                      const TracePlan& plan);
    Tracing(const Tracing&) = delete;
    Tracing& operator=(const Tracing&) = delete;
    ~Tracing();

    const sim::Capture* capture() const { return capture_.get(); }
    const sim::EventLog* events() const { return events_.get(); }
    void flush();

  private:
    explicit Tracing(sim::Network& network) : network_(network) {}
    sim::Network& network_;
    std::unique_ptr<sim::Capture> capture_;
    std::ofstream events_file_;
    std::unique_ptr<sim::EventLog> events_;
};

}  // namespace cli
