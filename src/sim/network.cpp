#include "sim/network.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace sim {

// Feeds one node's events to its interfaces' pcap files and to the event log.
class Network::NodeTap : public stack::Observer {
  public:
    NodeTap(Network& net, size_t node) : net_(net), node_(node) {}

    std::vector<std::unique_ptr<PcapWriter>> pcaps;  // per interface; may be empty

    void frame_sent(base::Time t, stack::InterfaceId i, base::ByteSpan frame) override {
        capture(t, i, frame);
        log(t, "send",
            [&] { return fmt::format("\"iface\":{},{}", quoted(ifname(i)), frame_fields(frame)); });
    }
    void frame_received(base::Time t, stack::InterfaceId i, base::ByteSpan frame) override {
        capture(t, i, frame);
        log(t, "receive",
            [&] { return fmt::format("\"iface\":{},{}", quoted(ifname(i)), frame_fields(frame)); });
    }
    void forwarded(base::Time t, stack::InterfaceId in, stack::InterfaceId out,
                   base::ByteSpan packet) override {
        log(t, "forward", [&] {
            return fmt::format("\"in\":{},\"out\":{},{}", quoted(ifname(in)), quoted(ifname(out)),
                               packet_fields(packet));
        });
    }
    void dropped(base::Time t, stack::DropReason reason, stack::Layer layer,
                 base::ByteSpan bytes) override {
        log(t, "drop", [&] {
            std::string fields;
            switch (layer) {
                case stack::Layer::frame:
                    fields = frame_fields(bytes);
                    break;
                case stack::Layer::arp:
                    fields = fmt::format("\"proto\":\"ARP\",\"len\":{}", bytes.size());
                    break;
                case stack::Layer::ipv4:
                    fields = packet_fields(bytes);
                    break;
            }
            return fmt::format("\"reason\":{},{}", quoted(stack::to_string(reason)), fields);
        });
    }
    void arp(base::Time t, stack::ArpEvent e, wire::Ipv4Address ip, wire::MacAddress mac) override {
        log(t, "arp", [&] {
            return fmt::format("\"what\":{},\"ip\":\"{}\",\"mac\":\"{}\"",
                               quoted(stack::to_string(e)), ip, mac);
        });
    }
    void icmp_sent(base::Time t, wire::Ipv4Address to, const wire::Icmpv4Repr& icmp) override {
        log(t, "icmp_sent", [&] {
            return fmt::format("\"to\":\"{}\",\"type\":{},\"code\":{},\"what\":{}", to,
                               static_cast<int>(icmp.type), icmp.code,
                               quoted(wire::to_string(icmp.type)));
        });
    }
    void icmp_received(base::Time t, wire::Ipv4Address from,
                       const wire::Icmpv4Repr& icmp) override {
        log(t, "icmp_received", [&] {
            return fmt::format("\"from\":\"{}\",\"type\":{},\"code\":{},\"what\":{}", from,
                               static_cast<int>(icmp.type), icmp.code,
                               quoted(wire::to_string(icmp.type)));
        });
    }
    void tcp_segment(base::Time t, const tcp::Tuple& c, bool sent, const wire::TcpRepr& seg,
                     tcp::Reason reason) override {
        log(t, sent ? "tcp_send" : "tcp_receive", [&] {
            return fmt::format(
                "\"conn\":\"{}:{}-{}:{}\",\"why\":{},\"flags\":{},\"seq\":{},\"ack\":{},\"len\":{},"
                "\"win\":{}{}{}",
                c.local_address, c.local_port, c.remote_address, c.remote_port,
                quoted(tcp::to_string(reason)), quoted(seg.flags.to_string()), seg.seq.value(),
                seg.ack.value(), seg.payload.size(), seg.window,
                seg.sack_blocks.empty()
                    ? std::string{}
                    : fmt::format(",\"sack_blocks\":{}", seg.sack_blocks.size()),
                data_preview(seg.payload));
        });
    }
    void tcp_state(base::Time t, const tcp::Tuple& c, tcp::State from, tcp::State to) override {
        log(t, "tcp_state", [&] {
            return fmt::format("\"conn\":\"{}:{}-{}:{}\",\"from\":{},\"to\":{}", c.local_address,
                               c.local_port, c.remote_address, c.remote_port,
                               quoted(tcp::to_string(from)), quoted(tcp::to_string(to)));
        });
    }
    void tcp_window(base::Time t, const tcp::Tuple& c, uint32_t cwnd, uint32_t ssthresh,
                    std::optional<base::Duration> srtt) override {
        log(t, "tcp_window", [&] {
            return fmt::format(
                "\"conn\":\"{}:{}-{}:{}\",\"cwnd\":{},\"ssthresh\":{},\"srtt_ns\":{}",
                c.local_address, c.local_port, c.remote_address, c.remote_port, cwnd, ssthresh,
                srtt ? srtt->ns() : -1);
        });
    }
    void reassembled(base::Time t, base::ByteSpan packet, size_t fragments) override {
        log(t, "reassembled",
            [&] { return fmt::format("\"fragments\":{},{}", fragments, packet_fields(packet)); });
    }

  private:
    static std::string quoted(std::string_view s) { return nlohmann::json(s).dump(); }
    // The start of a segment's data when it is text ("Hello!"), for readers
    // of the log; nothing for binary data.
    static std::string data_preview(base::ByteSpan data) {
        constexpr size_t max = 40;
        if (data.empty()) return {};
        std::string text;
        for (std::byte b : data.first(std::min(data.size(), max))) {
            const auto c = static_cast<unsigned char>(b);
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') return {};
            if (c >= 0x7f) return {};
            text += static_cast<char>(c);
        }
        return fmt::format(",\"data\":{}{}", quoted(text),
                           data.size() > max ? ",\"data_cut\":true" : "");
    }
    const std::string& ifname(stack::InterfaceId i) const {
        return net_.nodes_[node_]->config().interfaces.at(i).name;
    }
    void capture(base::Time t, stack::InterfaceId i, base::ByteSpan frame) {
        if (i < pcaps.size() && pcaps[i]) pcaps[i]->write(t, frame);
    }
    // `fields` builds the event's JSON members; it runs only when a log is open.
    template <class Fields>
    void log(base::Time t, std::string_view event, Fields&& fields) {
        if (net_.options_.events)
            net_.options_.events->write(t, net_.nodes_[node_]->name(), event, fields());
    }

    Network& net_;
    size_t node_;
};

base::Expected<std::unique_ptr<Network>, std::string> Network::build(Simulator& sim,
                                                                     const Topology& topology,
                                                                     NetworkOptions options) {
    std::unique_ptr<Network> net(new Network(sim, topology, std::move(options)));
    if (auto ok = net->assemble(); !ok) return base::fail(ok.error());
    return net;
}

Network::Network(Simulator& sim, const Topology& topology, NetworkOptions options)
    : sim_(sim), topology_(topology), options_(std::move(options)) {}

Network::~Network() {
    flush();
}

base::Expected<void, std::string> Network::assemble() {
    const size_t n = topology_.nodes.size();
    std::vector<NodeConfig> configs(n);
    auto index_of = [&](std::string_view name) {
        const auto it = std::find_if(topology_.nodes.begin(), topology_.nodes.end(),
                                     [&](const NodeSpec& s) { return s.name == name; });
        return static_cast<size_t>(it - topology_.nodes.begin());
    };
    for (size_t i = 0; i < n; ++i) {
        const NodeSpec& spec = topology_.nodes[i];
        configs[i].host = stack::HostConfig{.name = spec.name,
                                            .forwarding = spec.router,
                                            .default_ttl = spec.ttl,
                                            .nameservers = spec.nameservers};
    }
    // Interfaces in the order links name them: eth0, eth1, … MAC addresses are
    // locally administered and spell out node and interface numbers.
    for (const LinkSpec& l : topology_.links) {
        GraphLink g{.cost = l.params.cost};
        for (int e = 0; e < 2; ++e) {
            const size_t node = index_of(l.ends[e]);
            auto& ifs = configs[node].interfaces;
            const auto id = static_cast<stack::InterfaceId>(ifs.size());
            ifs.push_back(stack::InterfaceConfig{
                .name = fmt::format("eth{}", id),
                .mac = wire::MacAddress{{0x02, 0x00, static_cast<uint8_t>(node >> 16),
                                         static_cast<uint8_t>(node >> 8),
                                         static_cast<uint8_t>(node), static_cast<uint8_t>(id)}},
                .address = l.addresses[e],
                .mtu = l.params.mtu});
            g.node[e] = node;
            g.interface[e] = id;
            g.address[e] = l.addresses[e];
            address_owner_.emplace(l.addresses[e].address, node);
        }
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
    for (size_t i = 0; i < n; ++i) {
        auto node = std::make_unique<Node>(sim_, std::move(configs[i]),
                                           seed.derive("node/" + topology_.nodes[i].name));
        node->on_boot([this, i](Node& booted) {
            for (const stack::Route& r : computed_[i])
                booted.host().routes().add(r);
        });
        auto tap = std::make_unique<NodeTap>(*this, i);
        if (!options_.capture_dir.empty()) {
            for (const stack::InterfaceConfig& ifc : node->config().interfaces) {
                auto w = PcapWriter::open(
                    fmt::format("{}/{}-{}.pcap", options_.capture_dir, node->name(), ifc.name));
                if (!w) return base::fail(w.error());
                tap->pcaps.push_back(std::move(*w));
            }
        }
        if (!options_.capture_dir.empty() || options_.events) node->set_observer(tap.get());
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
        if (options_.events) link->set_observer(this);
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
    const auto it = std::find_if(nodes_.begin(), nodes_.end(),
                                 [&](const auto& n) { return n->name() == name; });
    return it == nodes_.end() ? nullptr : it->get();
}

Link* Network::find_link(std::string_view name) {
    const auto it = std::find_if(links_.begin(), links_.end(),
                                 [&](const auto& l) { return l->name() == name; });
    return it == links_.end() ? nullptr : it->get();
}

std::optional<wire::Ipv4Address> Network::resolve(std::string_view name_or_address) const {
    if (auto a = wire::Ipv4Address::parse(name_or_address)) return *a;
    for (const auto& node : nodes_) {
        if (node->name() == name_or_address && !node->config().interfaces.empty()) {
            return node->config().interfaces.front().address.address;
        }
    }
    return std::nullopt;
}

std::string Network::name_of(wire::Ipv4Address a) const {
    const auto it = address_owner_.find(a);
    return it == address_owner_.end() ? std::string{} : nodes_[it->second]->name();
}

void Network::log(std::string_view node, std::string_view event, const std::string& fields) {
    if (options_.events) options_.events->write(sim_.now(), node, event, fields);
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
    log(name, "node_crash", "");
    schedule_reconvergence();
}

void Network::restart(std::string_view name) {
    Node* node = find_node(name);
    if (!node || node->up()) return;
    node->restart();
    log(name, "node_restart", "");
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
    std::vector<bool> up(nodes_.size());
    for (size_t i = 0; i < nodes_.size(); ++i)
        up[i] = nodes_[i]->up();
    computed_ = shortest_path_routes(up, graph_);
    ++recomputations_;
    size_t total = 0;
    for (size_t i = 0; i < nodes_.size(); ++i) {
        if (!nodes_[i]->up()) continue;
        stack::RoutingTable& table = nodes_[i]->host().routes();
        table.remove_source(stack::RouteSource::computed);
        for (const stack::Route& r : computed_[i])
            table.add(r);
        total += computed_[i].size();
        nodes_[i]->wake();
    }
    if (recomputations_ > 1)
        log("network", "routes_recomputed", fmt::format("\"routes\":{}", total));
}

void Network::flush() {
    for (const auto& tap : taps_) {
        for (const auto& p : tap->pcaps)
            p->flush();
    }
}

std::vector<std::string> Network::capture_files() const {
    std::vector<std::string> files;
    for (const auto& tap : taps_) {
        for (const auto& p : tap->pcaps)
            files.push_back(p->path());
    }
    return files;
}

void Network::link_dropped(base::Time, const Link& l, int d, stack::DropReason reason,
                           base::ByteSpan frame) {
    log(l.end(d).node, "drop",
        fmt::format("\"link\":{},\"reason\":{},{}", nlohmann::json(l.name()).dump(),
                    nlohmann::json(stack::to_string(reason)).dump(), frame_fields(frame)));
}

void Network::link_corrupted(base::Time, const Link& l, int d, base::ByteSpan frame, size_t bit) {
    log(l.end(d).node, "corrupt",
        fmt::format("\"link\":{},\"bit\":{},{}", nlohmann::json(l.name()).dump(), bit,
                    frame_fields(frame)));
}

void Network::link_duplicated(base::Time, const Link& l, int d, base::ByteSpan frame) {
    log(l.end(d).node, "duplicate",
        fmt::format("\"link\":{},{}", nlohmann::json(l.name()).dump(), frame_fields(frame)));
}

void Network::link_reordered(base::Time, const Link& l, int d, base::ByteSpan frame) {
    log(l.end(d).node, "reorder",
        fmt::format("\"link\":{},{}", nlohmann::json(l.name()).dump(), frame_fields(frame)));
}

void Network::link_state(base::Time, const Link& l, bool up) {
    log(l.name(), up ? "link_up" : "link_down", "");
}

}  // namespace sim
