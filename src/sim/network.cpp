#include "sim/network.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace sim {

// Turns what one node's host does into events for the tracer — only the
// kinds some sink wants.
class Network::NodeTap : public stack::Observer {
  public:
    NodeTap(Tracer& tracer, NodeIndex node) : tracer_(tracer), node_(node) {}

    // A sink that shows frames (pcap, the log's frame lines) gets them whole:
    // hosts complete pending checksums for it.
    bool wants_frame_bytes() const override { return tracer_.wants_exact_frames(); }

    void frame_sent(base::Time t, stack::InterfaceId i, base::ByteSpan frame) override {
        if (tracer_.wants<ev::FrameSent>()) tracer_.emit(ev::FrameSent{t, node_, i, frame});
    }
    void frame_received(base::Time t, stack::InterfaceId i, base::ByteSpan frame) override {
        if (tracer_.wants<ev::FrameReceived>()) tracer_.emit(ev::FrameReceived{t, node_, i, frame});
    }
    void forwarded(base::Time t, stack::InterfaceId in, stack::InterfaceId out,
                   base::ByteSpan packet) override {
        if (tracer_.wants<ev::Forwarded>()) tracer_.emit(ev::Forwarded{t, node_, in, out, packet});
    }
    void dropped(base::Time t, stack::DropReason reason, stack::Layer layer,
                 base::ByteSpan bytes) override {
        if (tracer_.wants<ev::Dropped>()) tracer_.emit(ev::Dropped{t, node_, reason, layer, bytes});
    }
    void arp(base::Time t, stack::ArpEvent e, wire::Ipv4Address ip, wire::MacAddress mac) override {
        if (tracer_.wants<ev::Arp>()) tracer_.emit(ev::Arp{t, node_, e, ip, mac});
    }
    void icmp_sent(base::Time t, wire::Ipv4Address to, const wire::Icmpv4Repr& icmp) override {
        if (tracer_.wants<ev::IcmpSent>())
            tracer_.emit(ev::IcmpSent{t, node_, to, icmp.type, icmp.code});
    }
    void icmp_received(base::Time t, wire::Ipv4Address from,
                       const wire::Icmpv4Repr& icmp) override {
        if (tracer_.wants<ev::IcmpReceived>())
            tracer_.emit(ev::IcmpReceived{t, node_, from, icmp.type, icmp.code});
    }
    void icmpv6_sent(base::Time t, const wire::Ipv6Address& to,
                     const wire::Icmpv6Repr& icmp) override {
        if (tracer_.wants<ev::Icmpv6Sent>())
            tracer_.emit(ev::Icmpv6Sent{t, node_, to, icmp.type, icmp.code});
    }
    void icmpv6_received(base::Time t, const wire::Ipv6Address& from,
                         const wire::Icmpv6Repr& icmp) override {
        if (tracer_.wants<ev::Icmpv6Received>())
            tracer_.emit(ev::Icmpv6Received{t, node_, from, icmp.type, icmp.code});
    }
    void ndp(base::Time t, stack::NdpEvent e, stack::InterfaceId, const wire::Ipv6Address& target,
             const wire::MacAddress& mac) override {
        if (tracer_.wants<ev::Ndp>()) tracer_.emit(ev::Ndp{t, node_, e, target, mac});
    }
    void tcp_segment(base::Time t, const tcp::Tuple& c, bool sent, const wire::TcpRepr& seg,
                     tcp::Reason reason) override {
        if (tracer_.wants<ev::TcpSegment>())
            tracer_.emit(ev::TcpSegment{t, node_, c, sent, &seg, reason});
    }
    void tcp_state(base::Time t, const tcp::Tuple& c, tcp::State from, tcp::State to) override {
        if (tracer_.wants<ev::TcpState>()) tracer_.emit(ev::TcpState{t, node_, c, from, to});
    }
    void tcp_window(base::Time t, const tcp::Tuple& c, uint32_t cwnd, uint32_t ssthresh,
                    std::optional<base::Duration> srtt) override {
        if (tracer_.wants<ev::TcpWindow>())
            tracer_.emit(ev::TcpWindow{t, node_, c, cwnd, ssthresh, srtt});
    }
    void tcp_flow(base::Time t, const tcp::Tuple& c, const tcp::Stats& stats, bool open) override {
        if (tracer_.wants<ev::TcpFlow>()) tracer_.emit(ev::TcpFlow{t, node_, c, &stats, open});
    }
    void udp_datagram(base::Time t, bool sent, const stack::Endpoint& local,
                      const stack::Endpoint& remote, size_t payload, uint16_t ip_id) override {
        if (tracer_.wants<ev::UdpDatagram>())
            tracer_.emit(ev::UdpDatagram{t, node_, sent, local, remote, payload, ip_id});
    }
    void reassembled(base::Time t, base::ByteSpan packet, size_t fragments) override {
        if (tracer_.wants<ev::Reassembled>())
            tracer_.emit(ev::Reassembled{t, node_, packet, fragments});
    }

  private:
    Tracer& tracer_;
    NodeIndex node_;
};

// The same for one link.
class Network::LinkTap : public LinkObserver {
  public:
    LinkTap(Tracer& tracer, LinkIndex link) : tracer_(tracer), link_(link) {}

    void link_dropped(base::Time t, const Link&, int d, stack::DropReason reason,
                      base::ByteSpan frame) override {
        if (tracer_.wants<ev::LinkDropped>())
            tracer_.emit(ev::LinkDropped{t, link_, d, reason, frame});
    }
    void link_corrupted(base::Time t, const Link&, int d, base::ByteSpan frame,
                        size_t bit) override {
        if (tracer_.wants<ev::LinkCorrupted>())
            tracer_.emit(ev::LinkCorrupted{t, link_, d, frame, bit});
    }
    void link_duplicated(base::Time t, const Link&, int d, base::ByteSpan frame) override {
        if (tracer_.wants<ev::LinkDuplicated>())
            tracer_.emit(ev::LinkDuplicated{t, link_, d, frame});
    }
    void link_reordered(base::Time t, const Link&, int d, base::ByteSpan frame) override {
        if (tracer_.wants<ev::LinkReordered>()) tracer_.emit(ev::LinkReordered{t, link_, d, frame});
    }
    void link_state(base::Time t, const Link&, bool up) override {
        if (tracer_.wants<ev::LinkState>()) tracer_.emit(ev::LinkState{t, link_, up});
    }

  private:
    Tracer& tracer_;
    LinkIndex link_;
};

base::Expected<std::unique_ptr<Network>, std::string> Network::build(Simulator& sim,
                                                                     Topology topology) {
    std::unique_ptr<Network> net(new Network(sim, std::move(topology)));
    if (auto ok = net->assemble(); !ok) return base::fail(ok.error());
    return net;
}

Network::Network(Simulator& sim, Topology topology) : sim_(sim), topology_(std::move(topology)) {}

Network::~Network() = default;

base::Expected<void, std::string> Network::assemble() {
    const size_t n = topology_.nodes.size();
    std::vector<NodeConfig> configs(n);
    for (size_t i = 0; i < n; ++i)
        node_index_.emplace(topology_.nodes[i].name, static_cast<NodeIndex>(i));
    auto index_of = [&](std::string_view name) -> size_t { return node_index_.find(name)->second; };
    for (size_t i = 0; i < n; ++i) {
        const NodeSpec& spec = topology_.nodes[i];
        configs[i].host = stack::HostConfig{.name = spec.name,
                                            .forwarding = spec.router,
                                            .default_ttl = spec.ttl,
                                            .nameservers = spec.nameservers,
                                            .icmp_errors = spec.icmp_errors,
                                            .checksum_offload = true};
    }
    // Interfaces in the order links name them: eth0, eth1, … (interface_mac).
    for (const LinkSpec& l : topology_.links) {
        GraphLink g{.cost = l.params.cost};
        for (int e = 0; e < 2; ++e) {
            const size_t node = index_of(l.ends[e]);
            auto& ifs = configs[node].interfaces;
            const auto id = static_cast<stack::InterfaceId>(ifs.size());
            ifs.push_back(stack::InterfaceConfig{.name = fmt::format("eth{}", id),
                                                 .mac = interface_mac(node, id),
                                                 .address = l.addresses[e],
                                                 .mtu = l.params.mtu});
            if (l.addresses6) {
                // An `auto` end forms its address from the advertisements the
                // router opposite sends (docs/topology.md).
                if (l.autoconf6[e])
                    ifs.back().ipv6 = true;
                else
                    ifs.back().ipv6_addresses = {(*l.addresses6)[e]};
                ifs.back().advertise = l.autoconf6[1 - e];
            }
            g.node[e] = node;
            g.interface[e] = id;
            g.address[e] = l.addresses[e];
            if (l.has_ipv4()) address_owner_.emplace(l.addresses[e].address, node);
            if (l.addresses6) address_owner_.emplace((*l.addresses6)[e].address, node);
        }
        g.address6 = l.addresses6;
        any_ipv6_ = any_ipv6_ || g.address6.has_value();
        graph_.push_back(g);
    }
    auto interface_towards = [&](size_t node, wire::Ipv4Address gateway) -> stack::InterfaceId {
        const auto& ifs = configs[node].interfaces;
        for (size_t i = 0; i < ifs.size(); ++i) {
            if (ifs[i].address.contains(gateway)) return static_cast<stack::InterfaceId>(i);
        }
        return 0;  // the topology loader checked that one matches
    };
    for (size_t i = 0; i < n; ++i) {
        if (const auto& gw = topology_.nodes[i].gateway) {
            configs[i].static_routes.push_back(
                stack::Route{.destination = {wire::Ipv4Address::any(), 0},
                             .gateway = *gw,
                             .interface = interface_towards(i, *gw),
                             .source = stack::RouteSource::static_route});
        }
    }
    // The interface whose IPv6 prefix holds `gateway` (the loader checked
    // that one does).
    auto interface_towards6 = [&](size_t node,
                                  const wire::Ipv6Address& gateway) -> stack::InterfaceId {
        const auto& ifs = configs[node].interfaces;
        for (size_t i = 0; i < ifs.size(); ++i) {
            for (const wire::Ipv6Cidr& a : ifs[i].ipv6_addresses)
                if (a.contains(gateway)) return static_cast<stack::InterfaceId>(i);
        }
        return 0;
    };
    for (size_t i = 0; i < n; ++i) {
        if (const auto& gw = topology_.nodes[i].gateway6) {
            configs[i].static_routes6.push_back(
                stack::Ipv6Route{.destination = {wire::Ipv6Address::any(), 0},
                                 .gateway = *gw,
                                 .interface = interface_towards6(i, *gw),
                                 .source = stack::RouteSource::static_route});
        }
    }
    for (const Route6Spec& r : topology_.routes6) {
        const size_t node = index_of(r.node);
        configs[node].static_routes6.push_back(
            stack::Ipv6Route{.destination = r.to,
                             .gateway = r.via,
                             .interface = interface_towards6(node, r.via),
                             .metric = r.metric,
                             .source = stack::RouteSource::static_route});
    }
    for (const RouteSpec& r : topology_.routes) {
        const size_t node = index_of(r.node);
        configs[node].static_routes.push_back(
            stack::Route{.destination = r.to,
                         .gateway = r.via,
                         .interface = interface_towards(node, r.via),
                         .metric = r.metric,
                         .source = stack::RouteSource::static_route});
    }

    // The simulator's seed, which a run may set apart from the file's.
    const base::Seed seed = sim_.seed();
    computed_.resize(n);
    computed6_.resize(n);
    for (size_t i = 0; i < n; ++i) {
        auto node = std::make_unique<Node>(sim_, std::move(configs[i]),
                                           seed.derive("node/" + topology_.nodes[i].name));
        node->on_boot([this, i](Node& booted) {
            for (const stack::Route& r : computed_[i])
                booted.host().routes().add(r);
            for (const stack::Ipv6Route& r : computed6_[i])
                booted.host().routes6().add(r);
        });
        auto tap = std::make_unique<NodeTap>(tracer_, static_cast<NodeIndex>(i));
        node->set_observer(tap.get());
        nodes_.push_back(std::move(node));
        taps_.push_back(std::move(tap));
    }
    for (size_t li = 0; li < topology_.links.size(); ++li) {
        const LinkSpec& l = topology_.links[li];
        const GraphLink& g = graph_[li];
        auto link = std::make_unique<Link>(
            sim_, l.name, l.params, Link::End{nodes_[g.node[0]].get(), g.interface[0], l.ends[0]},
            Link::End{nodes_[g.node[1]].get(), g.interface[1], l.ends[1]},
            seed.derive("link/" + l.name));
        auto tap = std::make_unique<LinkTap>(tracer_, static_cast<LinkIndex>(li));
        link->set_observer(tap.get());
        link_taps_.push_back(std::move(tap));
        nodes_[g.node[0]]->attach(g.interface[0], link.get(), 0);
        nodes_[g.node[1]]->attach(g.interface[1], link.get(), 1);
        links_.push_back(std::move(link));
    }
    recompute_routes();
    schedule_faults();
    return {};
}

void Network::schedule_faults() {
    for (const FaultSpec& f : topology_.faults) {
        sim_.schedule_at(base::Time::zero() + f.at, [this, f] {
            switch (f.action) {
                case FaultAction::link_down:
                    set_link_up(f.target, false);
                    break;
                case FaultAction::link_up:
                    set_link_up(f.target, true);
                    break;
                case FaultAction::node_crash:
                    crash(f.target);
                    break;
                case FaultAction::node_restart:
                    restart(f.target);
                    break;
            }
        });
    }
}

Node* Network::find_node(std::string_view name) {
    const auto i = index_of(name);
    return i ? nodes_[*i].get() : nullptr;
}

std::optional<NodeIndex> Network::index_of(std::string_view name) const {
    const auto it = node_index_.find(name);
    return it == node_index_.end() ? std::nullopt : std::optional(it->second);
}

Link* Network::find_link(std::string_view name) {
    const auto it = std::find_if(links_.begin(), links_.end(),
                                 [&](const auto& l) { return l->name() == name; });
    return it == links_.end() ? nullptr : it->get();
}

std::optional<wire::IpAddress> Network::resolve(std::string_view name_or_address) const {
    if (auto a = wire::IpAddress::parse(name_or_address)) return *a;
    for (const auto& node : nodes_) {
        if (node->name() != name_or_address) continue;
        // Its first IPv4 address; on a node without IPv4, its first IPv6 one
        // (from the links: an `auto` one is known before it is formed).
        for (const stack::InterfaceConfig& i : node->config().interfaces) {
            if (!i.address.address.is_unspecified()) return wire::IpAddress{i.address.address};
        }
        for (const LinkSpec& l : topology_.links) {
            for (int e = 0; e < 2; ++e) {
                if (l.addresses6 && l.ends[e] == name_or_address)
                    return wire::IpAddress{(*l.addresses6)[e].address};
            }
        }
        return std::nullopt;
    }
    return std::nullopt;
}

std::string Network::name_of(const wire::IpAddress& a) const {
    const auto it = address_owner_.find(a);
    return it == address_owner_.end() ? std::string{} : nodes_[it->second]->name();
}

void Network::set_link_up(std::string_view name, bool up) {
    Link* link = find_link(name);
    if (!link || link->up() == up) return;
    link->set_up(up);
    for (size_t li = 0; li < links_.size(); ++li) {
        if (links_[li].get() == link) graph_[li].up = up;
    }
    schedule_reconvergence();
}

void Network::crash(std::string_view name) {
    Node* node = find_node(name);
    if (!node || !node->up()) return;
    node->crash();
    if (tracer_.wants<ev::NodeCrashed>())
        tracer_.emit(ev::NodeCrashed{sim_.now(), *index_of(name)});
    schedule_reconvergence();
}

void Network::restart(std::string_view name) {
    Node* node = find_node(name);
    if (!node || node->up()) return;
    node->restart();
    if (tracer_.wants<ev::NodeRestarted>())
        tracer_.emit(ev::NodeRestarted{sim_.now(), *index_of(name)});
    schedule_reconvergence();
}

void Network::schedule_reconvergence() {
    if (reconvergence_pending_) return;
    reconvergence_pending_ = true;
    sim_.schedule_in(topology_.convergence_delay, [this] {
        reconvergence_pending_ = false;
        recompute_routes();
    });
}

void Network::recompute_routes() {
    std::vector<RoutingNode> routing(nodes_.size());
    for (size_t i = 0; i < nodes_.size(); ++i) {
        const NodeConfig& c = nodes_[i]->config();
        routing[i].up = nodes_[i]->up();
        // A host with one link and a gateway sends everything to the gateway:
        // computed routes could only say the same.
        routing[i].wants_routes = !(c.interfaces.size() == 1 && topology_.nodes[i].gateway);
        // A static route more specific than a default one could shadow, or be
        // shadowed by, a summed-up prefix that the per-subnet routes would not.
        routing[i].aggregate =
            std::none_of(c.static_routes.begin(), c.static_routes.end(),
                         [](const stack::Route& r) { return r.destination.prefix_len > 0; });
    }
    computed_ = shortest_path_routes(routing, graph_);
    if (any_ipv6_) computed6_ = shortest_path_routes6(routing, graph_);
    ++recomputations_;
    size_t total = 0;
    for (size_t i = 0; i < nodes_.size(); ++i) {
        if (!nodes_[i]->up()) continue;
        stack::RoutingTable& table = nodes_[i]->host().routes();
        table.remove_source(stack::RouteSource::computed);
        for (const stack::Route& r : computed_[i])
            table.add(r);
        total += computed_[i].size();
        if (any_ipv6_) {
            stack::Ipv6RoutingTable& table6 = nodes_[i]->host().routes6();
            table6.remove_source(stack::RouteSource::computed);
            for (const stack::Ipv6Route& r : computed6_[i])
                table6.add(r);
            total += computed6_[i].size();
        }
        nodes_[i]->wake();
    }
    if (recomputations_ > 1 && tracer_.wants<ev::RoutesRecomputed>())
        tracer_.emit(ev::RoutesRecomputed{sim_.now(), total});
}

}  // namespace sim
