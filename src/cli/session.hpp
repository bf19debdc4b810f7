// A simulated run set up from a topology file: the simulator and the network.
// Shared by `run`, `ping` and `traceroute`; what they record is their choice
// (cli/tracing.hpp).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/log.hpp"
#include "base/result.hpp"
#include "sim/network.hpp"
#include "sim/simulator.hpp"
#include "sim/topology.hpp"

namespace cli {

struct SessionOptions {
    std::string topology_path;
    std::optional<uint64_t> seed;  // overrides the file's
    base::Logger log;              // diagnostics; none: silent
};

class Session {
  public:
    // Loads and validates the topology and builds the network. The error is
    // ready to print: "file:line:column: what is wrong".
    static base::Expected<std::unique_ptr<Session>, std::string> open(
        const SessionOptions& options);

    sim::Simulator& sim() { return sim_; }
    sim::Network& network() { return *network_; }
    const sim::Topology& topology() const { return topology_; }
    uint64_t seed() const { return sim_.seed().value(); }

  private:
    Session(sim::Topology topology, uint64_t seed)
        : topology_(std::move(topology)), sim_(base::Seed{seed}) {}

    sim::Topology topology_;
    sim::Simulator sim_;
    std::unique_ptr<sim::Network> network_;
};

}  // namespace cli
