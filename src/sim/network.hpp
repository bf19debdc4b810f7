// A simulated internet built from a topology: its nodes and links, the routes
// computed over them, the faults scheduled at their times, and the taps that
// turn what nodes and links do into typed events for the run's tracer
// (sim/trace.hpp): the capture writers, the event log, the timeline and the
// flow statistics are sinks added to it.
//
// After a link or node fails (or comes back), routes are recomputed once the
// topology's convergence delay has passed; until then traffic follows the old
// routes and is lost where they break, as in a real network.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "sim/link.hpp"
#include "sim/node.hpp"
#include "sim/routing.hpp"
#include "sim/simulator.hpp"
#include "sim/topology.hpp"
#include "sim/trace.hpp"

namespace sim {

class Network {
  public:
    // The network keeps the topology (move it in to spare a copy).
    static base::Expected<std::unique_ptr<Network>, std::string> build(Simulator& sim,
                                                                       Topology topology);
    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;
    ~Network();

    Simulator& sim() { return sim_; }
    const Topology& topology() const { return topology_; }

    Node* find_node(std::string_view name);
    Link* find_link(std::string_view name);
    const std::vector<std::unique_ptr<Node>>& nodes() const { return nodes_; }
    const std::vector<std::unique_ptr<Link>>& links() const { return links_; }
    // Where the run's events go: add sinks here.
    Tracer& tracer() { return tracer_; }
    // The index of a node in nodes(), or nullopt.
    std::optional<NodeIndex> index_of(std::string_view node) const;

    // A node's name, or an address in dotted form, as an address: a node's
    // address is that of its first interface.
    std::optional<wire::IpAddress> resolve(std::string_view name_or_address) const;
    // The node that has `a` on an interface, or empty.
    std::string name_of(const wire::IpAddress& a) const;

    void set_link_up(std::string_view link, bool up);
    void crash(std::string_view node);
    void restart(std::string_view node);
    // Recomputes and installs shortest-path routes on every node that is up.
    void recompute_routes();
    uint64_t route_recomputations() const { return recomputations_; }

  private:
    class NodeTap;
    class LinkTap;

    Network(Simulator& sim, Topology topology);
    base::Expected<void, std::string> assemble();
    void schedule_faults();
    void schedule_reconvergence();

    Simulator& sim_;
    Topology topology_;
    Tracer tracer_;
    std::vector<std::unique_ptr<Node>> nodes_;
    std::vector<std::unique_ptr<NodeTap>> taps_;
    std::vector<std::unique_ptr<Link>> links_;
    std::vector<std::unique_ptr<LinkTap>> link_taps_;
    std::map<std::string, NodeIndex, std::less<>> node_index_;
    std::vector<GraphLink> graph_;
    std::vector<std::vector<stack::Route>> computed_;  // per node
    std::vector<std::vector<stack::Ipv6Route>> computed6_;
    bool any_ipv6_ = false;                            // a link has IPv6 addresses
    std::map<wire::IpAddress, size_t> address_owner_;  // IPv4 and configured IPv6 addresses
    bool reconvergence_pending_ = false;
    uint64_t recomputations_ = 0;
};

}  // namespace sim
