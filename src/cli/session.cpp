#include "cli/session.hpp"

#include <fmt/format.h>

namespace cli {

base::Expected<std::unique_ptr<Session>, std::string> Session::open(SessionOptions options) {
    base::Expected<sim::Topology, sim::TopologyError> topology =
        options.topology ? std::move(*options.topology)
                         : sim::load_topology_file(options.topology_path);
    if (!topology) return base::fail(topology.error().to_string());
    const uint64_t seed = options.seed.value_or(topology->seed);
    std::unique_ptr<Session> s(new Session(seed));

    auto network = sim::Network::build(s->sim_, std::move(*topology));
    if (!network) return base::fail(network.error());
    s->network_ = std::move(*network);
    const sim::Topology& t = s->network_->topology();
    if (options.log) {
        options.log->info("{}: {} nodes, {} links, {} faults, {} applications, seed {}",
                          options.topology_path, t.nodes.size(), t.links.size(), t.faults.size(),
                          t.apps.size(), seed);
        for (const auto& node : s->network_->nodes()) {
            for (const stack::Route& r : node->host().routes().routes()) {
                options.log->debug("{}: route {} via {} ({})", node->name(), r.destination,
                                   r.gateway ? r.gateway->to_string() : std::string("link"),
                                   stack::to_string(r.source));
            }
        }
    }
    return s;
}

}  // namespace cli
