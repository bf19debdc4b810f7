#include "cli/session.hpp"

#include <filesystem>

#include <fmt/format.h>

namespace cli {

base::Expected<std::unique_ptr<Session>, std::string> Session::open(const SessionOptions& options) {
    auto topology = sim::load_topology_file(options.topology_path);
    if (!topology) return base::fail(topology.error().to_string());
    const uint64_t seed = options.seed.value_or(topology->seed);
    std::unique_ptr<Session> s(new Session(std::move(*topology), seed));

    sim::NetworkOptions net_options;
    if (!options.capture_dir.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(options.capture_dir, ec);
        if (ec)
            return base::fail(
                fmt::format("cannot create {}: {}", options.capture_dir, ec.message()));
        net_options.capture_dir = options.capture_dir;
    }
    if (!options.events_path.empty()) {
        const auto parent = std::filesystem::path(options.events_path).parent_path();
        std::error_code ec;
        if (!parent.empty()) std::filesystem::create_directories(parent, ec);
        s->events_file_.open(options.events_path, std::ios::binary | std::ios::trunc);
        if (!s->events_file_)
            return base::fail(fmt::format("cannot create {}", options.events_path));
        s->events_ = std::make_unique<sim::EventLog>(s->events_file_);
        net_options.events = s->events_.get();
    }
    auto network = sim::Network::build(s->sim_, s->topology_, net_options);
    if (!network) return base::fail(network.error());
    s->network_ = std::move(*network);
    if (options.log) {
        options.log->info("{}: {} nodes, {} links, {} faults, {} applications, seed {}",
                          options.topology_path, s->topology_.nodes.size(),
                          s->topology_.links.size(), s->topology_.faults.size(),
                          s->topology_.apps.size(), seed);
        if (!options.capture_dir.empty()) {
            options.log->info("capturing {} interfaces into {}",
                              s->network_->capture_files().size(), options.capture_dir);
        }
        if (!options.events_path.empty()) options.log->info("event log: {}", options.events_path);
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

void Session::flush() {
    network_->flush();
    if (events_file_.is_open()) events_file_.flush();
}

}  // namespace cli
