// Commands that run a topology in the simulator: `run`, `ping`, `traceroute`.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "base/time.hpp"
#include "cli/tracing.hpp"

namespace cli {

struct SimCommonOptions {
    std::string topology;
    std::optional<uint64_t> seed;
    TraceRequest trace;  // what to record (nothing unasked, but for `run`)
    base::Logger log;
};

struct PingCommand {
    SimCommonOptions common;
    std::string host;
    std::string destination;
    int count = 4;
    double interval_s = 1.0;
    int size = 56;
    int ttl = 0;
    double linger_s = 10.0;
};

struct TracerouteCommand {
    SimCommonOptions common;
    std::string host;
    std::string destination;
    int max_hops = 30;
    int probes = 3;
    double wait_s = 5.0;
};

struct RunCommand {
    SimCommonOptions common;
    std::string
        out_dir;  // what the run writes goes here unless placed elsewhere; default out/<name>
    std::optional<double> duration_s;
    // Hybrid mode: virtual time runs with the wall clock, and each HOST=TAP
    // puts a TAP device (the kernel) where a host of the topology was.
    bool realtime = false;
    std::vector<std::string> taps;
    bool tap_offload = true;  // --offload: virtio-net offloads on the TAPs
    bool json = false;        // the events as JSON lines instead of the timeline
    bool quiet = false;       // the summary only
    bool all = false;         // every line, no long run of routine segments cut short
    bool color = false;       // colour the timeline (a terminal, and NO_COLOR unset)
    bool progress = false;    // a progress line on stderr (a terminal)
};

// Each returns the process exit status and prints errors to stderr.
int run_ping(const PingCommand& c, std::FILE* out);
int run_traceroute(const TracerouteCommand& c, std::FILE* out);
int run_topology(const RunCommand& c, std::FILE* out);

}  // namespace cli
