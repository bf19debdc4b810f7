#include "sim/routing.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <queue>
#include <set>

namespace sim {
namespace {

constexpr uint64_t unreachable = std::numeric_limits<uint64_t>::max();

struct FirstHop {
    size_t link;
    int side;  // the source's end of that link
};

struct Tree {
    std::vector<uint64_t> dist;
    std::vector<std::optional<FirstHop>> first_hop;
};

// The nodes with two links or more, numbered apart: paths run through them.
struct Core {
    std::vector<size_t> node;                    // core index -> node index (ascending)
    std::vector<int64_t> index;                  // node index -> core index, or -1
    std::vector<std::vector<size_t>> adjacency;  // per core index: links, ascending
};

// Dijkstra from core node `source` over the core's links; distances and
// first hops per core index.
Tree dijkstra(size_t source, const Core& core, const std::vector<RoutingNode>& nodes,
              const std::vector<GraphLink>& links) {
    const size_t n = core.node.size();
    Tree t{std::vector<uint64_t>(n, unreachable), std::vector<std::optional<FirstHop>>(n)};
    // (distance, node index): ties by node index, as over the whole graph.
    using Item = std::pair<uint64_t, size_t>;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> frontier;
    std::vector<bool> done(n, false);
    const auto at = [&](size_t node) { return static_cast<size_t>(core.index[node]); };
    t.dist[at(source)] = 0;
    frontier.push({0, source});
    while (!frontier.empty()) {
        const auto [d, u] = frontier.top();
        frontier.pop();
        if (done[at(u)]) continue;
        done[at(u)] = true;
        for (size_t li : core.adjacency[at(u)]) {
            const GraphLink& l = links[li];
            if (!l.up) continue;
            const int side = l.node[0] == u ? 0 : 1;
            const size_t v = l.node[1 - side];
            if (!nodes[v].up || done[at(v)]) continue;
            const uint64_t nd = d + l.cost;
            if (nd < t.dist[at(v)]) {
                t.dist[at(v)] = nd;
                t.first_hop[at(v)] = u == source ? FirstHop{li, side} : t.first_hop[at(u)];
                frontier.push({nd, v});
            }
        }
    }
    return t;
}

wire::Ipv4Cidr subnet_of(const GraphLink& l) {
    return {l.address[0].network(), l.address[0].prefix_len};
}

}  // namespace

std::vector<wire::Ipv4Cidr> aggregate_exactly(std::vector<wire::Ipv4Cidr> prefixes) {
    std::set<std::pair<int, uint32_t>> set;  // (length, network)
    for (const wire::Ipv4Cidr& p : prefixes)
        set.insert({p.prefix_len, p.network().to_u32()});
    for (int len = 32; len >= 1; --len) {
        const uint32_t bit = uint32_t{1} << (32 - len);
        for (auto it = set.lower_bound({len, 0}); it != set.end() && it->first == len;) {
            const uint32_t network = it->second;
            const auto sibling = set.find({len, network ^ bit});
            if ((network & bit) != 0 || sibling == set.end()) {
                ++it;
                continue;
            }
            set.erase(sibling);
            it = set.erase(it);
            set.insert({len - 1, network & ~bit});
        }
    }
    std::vector<wire::Ipv4Cidr> out;
    for (const auto& [len, network] : set)
        out.push_back({wire::Ipv4Address::from_u32(network), static_cast<uint8_t>(len)});
    return out;
}

std::vector<std::vector<stack::Route>> shortest_path_routes(const std::vector<RoutingNode>& nodes,
                                                            const std::vector<GraphLink>& links) {
    const size_t n = nodes.size();
    std::vector<size_t> degree(n, 0);
    std::vector<size_t> last_link(n, 0);  // a stub's one link
    for (size_t li = 0; li < links.size(); ++li) {
        const GraphLink& l = links[li];
        if (!l.has_ipv4()) continue;  // IPv4's graph has only the links with IPv4
        ++degree[l.node[0]];
        last_link[l.node[0]] = li;
        if (l.node[1] != l.node[0]) {
            ++degree[l.node[1]];
            last_link[l.node[1]] = li;
        }
    }
    Core core;
    core.index.assign(n, -1);
    for (size_t v = 0; v < n; ++v) {
        if (degree[v] < 2) continue;
        core.index[v] = static_cast<int64_t>(core.node.size());
        core.node.push_back(v);
    }
    core.adjacency.resize(core.node.size());
    const auto is_core = [&](size_t v) { return core.index[v] >= 0; };
    const auto at = [&](size_t v) { return static_cast<size_t>(core.index[v]); };

    // The core's links, and the stub subnets behind each core node.
    std::vector<std::vector<wire::Ipv4Cidr>> behind(core.node.size());
    std::vector<size_t> core_links;
    for (size_t li = 0; li < links.size(); ++li) {
        const GraphLink& l = links[li];
        if (!l.has_ipv4()) continue;
        const bool c0 = is_core(l.node[0]), c1 = is_core(l.node[1]);
        if (c0 && c1) {
            core.adjacency[at(l.node[0])].push_back(li);
            if (l.node[1] != l.node[0]) core.adjacency[at(l.node[1])].push_back(li);
            core_links.push_back(li);
        } else if (c0 || c1) {
            behind[at(l.node[c0 ? 0 : 1])].push_back(subnet_of(l));
        }
    }
    std::vector<std::vector<wire::Ipv4Cidr>> summed(core.node.size());
    for (size_t c = 0; c < core.node.size(); ++c)
        if (!behind[c].empty()) summed[c] = aggregate_exactly(behind[c]);

    std::vector<std::vector<stack::Route>> routes(n);
    // Routes for node `s` along `t`, the tree of the core node it starts
    // from: itself, or for a stub the node across its link `via` (whose cost
    // is added).
    auto fill = [&](size_t s, size_t root, const Tree& t, std::optional<size_t> via) {
        std::vector<stack::Route>& out = routes[s];
        const uint64_t extra = via ? links[*via].cost : 0;
        auto add = [&](const wire::Ipv4Cidr& dest, size_t end_node) {
            wire::Ipv4Address gateway;
            stack::InterfaceId interface = 0;
            if (via) {
                const GraphLink& l = links[*via];
                const int side = l.node[0] == s ? 0 : 1;
                gateway = l.address[1 - side].address;
                interface = l.interface[side];
            } else {
                const FirstHop hop = *t.first_hop[at(end_node)];
                const GraphLink& first = links[hop.link];
                gateway = first.address[1 - hop.side].address;
                interface = first.interface[hop.side];
            }
            out.push_back(stack::Route{
                .destination = dest,
                .gateway = gateway,
                .interface = interface,
                .metric = static_cast<uint32_t>(
                    std::min<uint64_t>(t.dist[at(end_node)] + extra, UINT32_MAX)),
                .source = stack::RouteSource::computed,
            });
        };
        // The subnets between two core nodes: through whichever end is nearer.
        for (size_t li : core_links) {
            const GraphLink& target = links[li];
            if (target.node[0] == s || target.node[1] == s) continue;  // connected
            std::optional<size_t> via_end;
            for (int e = 0; e < 2; ++e) {
                const size_t end_node = target.node[e];
                if (t.dist[at(end_node)] == unreachable) continue;
                if (!via_end || t.dist[at(end_node)] < t.dist[at(target.node[*via_end])])
                    via_end = static_cast<size_t>(e);
            }
            if (via_end) add(subnet_of(target), target.node[*via_end]);
        }
        // The subnets behind each core node, through it.
        for (size_t c = 0; c < core.node.size(); ++c) {
            const size_t d = core.node[c];
            if (d == s || behind[c].empty() || t.dist[c] == unreachable) continue;  // connected
            for (const wire::Ipv4Cidr& p : nodes[s].aggregate ? summed[c] : behind[c]) {
                if (via && d == root && p == subnet_of(links[*via])) continue;  // s's own link
                add(p, d);
            }
        }
    };

    // Stubs behind the same node usually come one after another: keep the
    // last tree computed for them.
    std::optional<std::pair<size_t, Tree>> last_tree;
    for (size_t s = 0; s < n; ++s) {
        if (!nodes[s].up || !nodes[s].wants_routes) continue;
        if (is_core(s)) {
            fill(s, s, dijkstra(s, core, nodes, links), std::nullopt);
            continue;
        }
        if (degree[s] == 0) continue;
        // A stub: everything goes to the node across its one link.
        const size_t li = last_link[s];
        const GraphLink& l = links[li];
        const size_t neighbour = l.node[l.node[0] == s ? 1 : 0];
        if (!l.up || !is_core(neighbour) || !nodes[neighbour].up) continue;
        if (!last_tree || last_tree->first != neighbour)
            last_tree.emplace(neighbour, dijkstra(neighbour, core, nodes, links));
        fill(s, neighbour, last_tree->second, li);
    }
    return routes;
}

std::vector<std::vector<stack::Ipv6Route>> shortest_path_routes6(
    const std::vector<RoutingNode>& nodes, const std::vector<GraphLink>& links) {
    const size_t n = nodes.size();
    std::vector<std::vector<stack::Ipv6Route>> routes(n);
    Core core;
    core.index.assign(n, -1);
    std::vector<size_t> six;  // the links with IPv6
    std::vector<bool> on_six(n, false);
    for (size_t li = 0; li < links.size(); ++li) {
        if (!links[li].address6) continue;
        six.push_back(li);
        on_six[links[li].node[0]] = on_six[links[li].node[1]] = true;
    }
    for (size_t v = 0; v < n; ++v) {
        if (!on_six[v]) continue;
        core.index[v] = static_cast<int64_t>(core.node.size());
        core.node.push_back(v);
    }
    const auto at = [&](size_t v) { return static_cast<size_t>(core.index[v]); };
    core.adjacency.resize(core.node.size());
    for (size_t li : six) {
        const GraphLink& l = links[li];
        core.adjacency[at(l.node[0])].push_back(li);
        if (l.node[1] != l.node[0]) core.adjacency[at(l.node[1])].push_back(li);
    }
    for (size_t s : core.node) {
        if (!nodes[s].up) continue;
        const Tree t = dijkstra(s, core, nodes, links);
        for (size_t li : six) {
            const GraphLink& target = links[li];
            if (target.node[0] == s || target.node[1] == s) continue;  // connected
            std::optional<size_t> end;
            for (int e = 0; e < 2; ++e) {
                const uint64_t d = t.dist[at(target.node[e])];
                if (d != unreachable && (!end || d < t.dist[at(target.node[*end])]))
                    end = static_cast<size_t>(e);
            }
            if (!end) continue;
            const size_t end_node = target.node[*end];
            const FirstHop hop = *t.first_hop[at(end_node)];
            const GraphLink& first = links[hop.link];
            const wire::Ipv6Cidr& prefix = (*target.address6)[0];
            routes[s].push_back(stack::Ipv6Route{
                .destination = {prefix.network(), prefix.prefix_len},
                .gateway = (*first.address6)[1 - hop.side].address,
                .interface = first.interface[hop.side],
                .metric =
                    static_cast<uint32_t>(std::min<uint64_t>(t.dist[at(end_node)], UINT32_MAX)),
                .source = stack::RouteSource::computed,
            });
        }
    }
    return routes;
}

std::vector<std::vector<stack::Route>> shortest_path_routes(const std::vector<bool>& node_up,
                                                            const std::vector<GraphLink>& links) {
    std::vector<RoutingNode> nodes(node_up.size());
    for (size_t i = 0; i < node_up.size(); ++i)
        nodes[i].up = node_up[i];
    return shortest_path_routes(nodes, links);
}

}  // namespace sim
