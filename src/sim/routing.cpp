#include "sim/routing.hpp"

#include <limits>
#include <optional>
#include <queue>

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

Tree dijkstra(size_t source, const std::vector<bool>& node_up, const std::vector<GraphLink>& links,
              const std::vector<std::vector<size_t>>& adjacency) {
    const size_t n = node_up.size();
    Tree t{std::vector<uint64_t>(n, unreachable), std::vector<std::optional<FirstHop>>(n)};
    using Item = std::pair<uint64_t, size_t>;  // (distance, node): ties by node index
    std::priority_queue<Item, std::vector<Item>, std::greater<>> frontier;
    std::vector<bool> done(n, false);
    t.dist[source] = 0;
    frontier.push({0, source});
    while (!frontier.empty()) {
        const auto [d, u] = frontier.top();
        frontier.pop();
        if (done[u]) continue;
        done[u] = true;
        for (size_t li : adjacency[u]) {  // ascending link index
            const GraphLink& l = links[li];
            if (!l.up) continue;
            const int side = l.node[0] == u ? 0 : 1;
            const size_t v = l.node[1 - side];
            if (!node_up[v] || done[v]) continue;
            const uint64_t nd = d + l.cost;
            if (nd < t.dist[v]) {
                t.dist[v] = nd;
                t.first_hop[v] = u == source ? FirstHop{li, side} : t.first_hop[u];
                frontier.push({nd, v});
            }
        }
    }
    return t;
}

}  // namespace

std::vector<std::vector<stack::Route>> shortest_path_routes(const std::vector<bool>& node_up,
                                                            const std::vector<GraphLink>& links) {
    const size_t n = node_up.size();
    std::vector<std::vector<size_t>> adjacency(n);
    for (size_t li = 0; li < links.size(); ++li) {
        adjacency[links[li].node[0]].push_back(li);
        if (links[li].node[1] != links[li].node[0]) adjacency[links[li].node[1]].push_back(li);
    }

    std::vector<std::vector<stack::Route>> routes(n);
    for (size_t s = 0; s < n; ++s) {
        if (!node_up[s]) continue;
        const Tree t = dijkstra(s, node_up, links, adjacency);
        for (size_t li = 0; li < links.size(); ++li) {
            const GraphLink& target = links[li];
            if (target.node[0] == s || target.node[1] == s) continue;  // connected route covers it
            // Reach the subnet through whichever end is nearer.
            std::optional<size_t> via_end;
            for (int e = 0; e < 2; ++e) {
                const size_t end_node = target.node[e];
                if (t.dist[end_node] == unreachable) continue;
                if (!via_end || t.dist[end_node] < t.dist[target.node[*via_end]])
                    via_end = static_cast<size_t>(e);
            }
            if (!via_end) continue;
            const size_t end_node = target.node[*via_end];
            const FirstHop hop = *t.first_hop[end_node];
            const GraphLink& first = links[hop.link];
            routes[s].push_back(stack::Route{
                .destination = {target.address[0].network(), target.address[0].prefix_len},
                .gateway = first.address[1 - hop.side].address,
                .interface = first.interface[hop.side],
                .metric = static_cast<uint32_t>(std::min<uint64_t>(t.dist[end_node], UINT32_MAX)),
                .source = stack::RouteSource::computed,
            });
        }
    }
    return routes;
}

}  // namespace sim
