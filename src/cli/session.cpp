#include "cli/session.hpp"

#include <fmt/format.h>

namespace cli {

base::Expected<std::unique_ptr<Session>, std::string> Session::open(const SessionOptions& options) {
    auto topology = sim::load_topology_file(options.topology_path);
    if (!topology) return base::fail(topology.error().to_string());
    const uint64_t seed = options.seed.value_or(topology->seed);
    std::unique_ptr<Session> s(new Session(std::move(*topology), seed));

    auto network = sim::Network::build(s->sim_, s->topology_);
    if (!network) return base::fail(network.error());
    s->network_ = std::move(*network);
    if (options.log) {
        options.log->info("{}: {} nodes, {} links, {} faults, {} applications, seed {}",
                          options.topology_path, s->topology_.nodes.size(),
                          s->topology_.links.size(), s->topology_.faults.size(),
                          s->topology_.apps.size(), seed);
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
