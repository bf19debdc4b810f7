// A simulated internet built from a topology: its nodes and links, the routes
// computed over them, the faults scheduled at their times, and the taps that
// feed the pcap files and the event log.
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
#include "sim/capture.hpp"
#include "sim/link.hpp"
#include "sim/node.hpp"
#include "sim/routing.hpp"
#include "sim/simulator.hpp"
#include "sim/topology.hpp"

namespace sim {

struct NetworkOptions {
    std::string capture_dir;     // a pcap per interface here; empty: none
    EventLog* events = nullptr;  // none: no event log
};

class Network : public LinkObserver {
  public:
    // Fails if a capture file cannot be created.
    static base::Expected<std::unique_ptr<Network>, std::string> build(Simulator& sim,
                                                                       const Topology& topology,
                                                                       NetworkOptions options = {});
    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;
    ~Network() override;

    Simulator& sim() { return sim_; }
    const Topology& topology() const { return topology_; }

    Node* find_node(std::string_view name);
    Link* find_link(std::string_view name);
    const std::vector<std::unique_ptr<Node>>& nodes() const { return nodes_; }
    const std::vector<std::unique_ptr<Link>>& links() const { return links_; }

    // A node's name, or an address in dotted form, as an address: a node's
    // address is that of its first interface.
    std::optional<wire::Ipv4Address> resolve(std::string_view name_or_address) const;
    // The node that has `a` on an interface, or empty.
    std::string name_of(wire::Ipv4Address a) const;

    void set_link_up(std::string_view link, bool up);
    void crash(std::string_view node);
    void restart(std::string_view node);
    // Recomputes and installs shortest-path routes on every node that is up.
    void recompute_routes();
    uint64_t route_recomputations() const { return recomputations_; }

    // Writes out buffered capture data (also done on destruction).
    void flush();
    std::vector<std::string> capture_files() const;

    // LinkObserver
    void link_dropped(base::Time, const Link&, int direction, stack::DropReason,
                      base::ByteSpan frame) override;
    void link_corrupted(base::Time, const Link&, int direction, base::ByteSpan frame,
                        size_t bit) override;
    void link_duplicated(base::Time, const Link&, int direction, base::ByteSpan frame) override;
    void link_reordered(base::Time, const Link&, int direction, base::ByteSpan frame) override;
    void link_state(base::Time, const Link&, bool up) override;

  private:
    class NodeTap;

    Network(Simulator& sim, const Topology& topology, NetworkOptions options);
    base::Expected<void, std::string> assemble();
    void schedule_faults();
    void schedule_reconvergence();
    void log(std::string_view node, std::string_view event, const std::string& fields);

    Simulator& sim_;
    Topology topology_;
    NetworkOptions options_;
    std::vector<std::unique_ptr<Node>> nodes_;
    std::vector<std::unique_ptr<NodeTap>> taps_;
    std::vector<std::unique_ptr<Link>> links_;
    std::vector<GraphLink> graph_;
    std::vector<std::vector<stack::Route>> computed_;  // per node
    std::map<wire::Ipv4Address, size_t> address_owner_;
    bool reconvergence_pending_ = false;
    uint64_t recomputations_ = 0;
};

}  // namespace sim
