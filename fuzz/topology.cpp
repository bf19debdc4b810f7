// Fuzzes the topology loader with arbitrary text.
//
// Invariants: loading never crashes and either succeeds or names a place in the
// file (a line within it, or 0 for "no place") with a message; a topology that
// loads builds a network that runs a little virtual time without trouble.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "check.hpp"
#include "sim/network.hpp"
#include "sim/simulator.hpp"
#include "sim/topology.hpp"

using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 16 * 1024) return 0;
    const std::string text(reinterpret_cast<const char*>(data), size);
    auto topology = sim::parse_topology(text, "fuzz.yaml");
    if (!topology) {
        const sim::TopologyError& e = topology.error();
        require(!e.message.empty(), "an error says what is wrong");
        require(e.where.file == "fuzz.yaml", "an error names the file");
        const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
        require(e.where.line >= 0 && e.where.line <= lines + 1, "an error's line is in the file");
        require(e.to_string().find("fuzz.yaml") == 0, "the message starts with the file");
        return 0;
    }
    // Keep each run small: a handful of nodes, a short stretch of time.
    if (topology->nodes.size() > 16 || topology->links.size() > 32) return 0;
    sim::Simulator sim{base::Seed{topology->seed}};
    auto net = sim::Network::build(sim, *topology);
    require(net.has_value(), "a topology that loads builds (no captures asked)");
    uint64_t steps = 0;
    sim.run_until([&] { return ++steps > 20'000; },
                  base::Time::zero() + base::Duration::seconds(5));
    return 0;
}
