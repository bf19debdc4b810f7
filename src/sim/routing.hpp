// Shortest-path routes computed from the topology, as a link-state protocol
// would converge to: Dijkstra from every node over the links and nodes that are
// up, with each link's cost. Ties go to the lower node index, then the lower
// link index, so the result never depends on container order.
#pragma once

#include <cstdint>
#include <vector>

#include "stack/routing_table.hpp"
#include "wire/address.hpp"

namespace sim {

struct GraphLink {
    size_t node[2];  // indices into the node list
    stack::InterfaceId interface[2];
    wire::Ipv4Cidr address[2];  // both ends share a subnet
    uint32_t cost = 1;
    bool up = true;
};

// For each node, the routes to every subnet it is not attached to and can reach
// (source `computed`). Nodes that are down get none and carry no traffic.
std::vector<std::vector<stack::Route>> shortest_path_routes(const std::vector<bool>& node_up,
                                                            const std::vector<GraphLink>& links);

}  // namespace sim
