// A simulated node: a thin adapter that owns a real stack::Host and drives it —
// frames from links go to Host::receive, the host's frames go to its links, and
// Host::poll runs at the host's next deadline.
//
// A node can crash (its host and everything on it is gone; frames for it are
// dropped) and restart (a fresh host with the same configuration boots; the
// `on_boot` hooks reinstall what the network gives it, such as routes).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/link.hpp"
#include "sim/simulator.hpp"
#include "stack/host.hpp"

namespace sim {

struct NodeConfig {
    stack::HostConfig host;
    std::vector<stack::InterfaceConfig> interfaces;
    std::vector<stack::Route> static_routes;
    std::vector<stack::Ipv6Route> static_routes6;
};

class Node : public FrameReceiver {
  public:
    Node(Simulator& sim, NodeConfig config, base::Seed seed);
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;
    ~Node() override;

    const std::string& name() const { return config_.host.name; }
    const NodeConfig& config() const { return config_; }
    bool up() const { return host_ != nullptr; }
    // Precondition: up().
    stack::Host& host() { return *host_; }
    uint32_t boots() const { return boots_; }

    // Frames the host sends on `interface` go to `link`'s end `end`.
    void attach(stack::InterfaceId interface, Link* link, int end);
    Link* link_of(stack::InterfaceId interface) const;
    // Which end of its link the interface is (0 or 1).
    int end_of(stack::InterfaceId interface) const { return links_.at(interface).second; }

    void deliver(stack::InterfaceId interface, base::PacketBuffer frame) override;

    void crash();
    void restart();
    // Called after something outside the host's own poll touched it (an app
    // started, a route changed): reschedules the next poll.
    void wake();

    void set_observer(stack::Observer* o);
    // Run at every boot, the first included, after interfaces and static routes.
    void on_boot(std::function<void(Node&)> hook) { boot_hooks_.push_back(std::move(hook)); }
    // Run at a crash, just before the host goes away: whatever holds on to the
    // host (applications) lets go here.
    void on_crash(std::function<void(Node&)> hook) { crash_hooks_.push_back(std::move(hook)); }

  private:
    void boot();
    void run_poll();
    // Schedules the next poll for the host's deadline `due`, just asked.
    void wake_at(base::Time due);

    Simulator& sim_;
    NodeConfig config_;
    base::Seed seed_;
    std::unique_ptr<stack::Host> host_;
    std::vector<std::pair<Link*, int>> links_;  // per interface
    std::vector<std::function<void(Node&)>> boot_hooks_;
    std::vector<std::function<void(Node&)>> crash_hooks_;
    stack::Observer* observer_ = nullptr;
    TimerId poll_timer_;
    base::Time poll_at_ = base::Time::never();
    uint32_t boots_ = 0;
    uint32_t polls_at_same_time_ = 0;
    base::Time last_poll_ = base::Time::never();
};

}  // namespace sim
