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
    // The topology, when the caller has loaded it already (it is not read again).
    std::optional<sim::Topology> topology;
    base::Logger log;  // diagnostics; none: silent
};

class Session {
  public:
    // Loads and validates the topology and builds the network. The error is
    // ready to print: "file:line:column: what is wrong".
    static base::Expected<std::unique_ptr<Session>, std::string> open(SessionOptions options);

    sim::Simulator& sim() { return sim_; }
    sim::Network& network() { return *network_; }
    const sim::Topology& topology() const { return network_->topology(); }
    uint64_t seed() const { return sim_.seed().value(); }

  private:
    explicit Session(uint64_t seed) : sim_(base::Seed{seed}) {}

    sim::Simulator sim_;
    std::unique_ptr<sim::Network> network_;
};

}  // namespace cli
