// Shortest-path routes computed from the topology, as a link-state protocol
// would converge to: Dijkstra over the links and nodes that are up, with each
// link's cost. Ties go to the lower node index, then the lower link index, so
// the result never depends on container order.
//
// Built to scale (docs/topology.md, "Routing at scale"): a node with one link
// (a stub, such as a host behind its router) is never a way through, so the
// search runs over the other nodes only, and a stub's subnet is reached
// through the node at its other end. The subnets behind one node are summed
// up exactly — two sibling prefixes with the same next hop and metric become
// their parent, and nothing else — so a router holds a few routes per other
// router, not one per host, when addresses are handed out by router. A stub
// with a gateway needs no computed routes at all: every one of them would
// point at its gateway.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "stack/ipv6_routing_table.hpp"
#include "stack/routing_table.hpp"
#include "wire/address.hpp"

namespace sim {

struct GraphLink {
    size_t node[2];  // indices into the node list
    stack::InterfaceId interface[2];
    wire::Ipv4Cidr address[2];  // both ends share a subnet; 0.0.0.0/0 without IPv4
    std::optional<std::array<wire::Ipv6Cidr, 2>> address6;  // both ends share a prefix
    uint32_t cost = 1;
    bool up = true;
    bool has_ipv4() const { return !address[0].address.is_unspecified(); }
};

struct RoutingNode {
    bool up = true;
    // False: the node needs no computed routes (a stub with a gateway).
    bool wants_routes = true;
    // False: keep one route per subnet (the node has static routes that a
    // summed-up prefix could shadow or be shadowed by).
    bool aggregate = true;
};

// For each node, the routes to every subnet it is not attached to and can reach
// (source `computed`). Nodes that are down get none and carry no traffic.
std::vector<std::vector<stack::Route>> shortest_path_routes(const std::vector<RoutingNode>& nodes,
                                                            const std::vector<GraphLink>& links);
// Every node up, wanting routes, summed up.
std::vector<std::vector<stack::Route>> shortest_path_routes(const std::vector<bool>& node_up,
                                                            const std::vector<GraphLink>& links);

// The same for IPv6, over the links that have IPv6 addresses: a route to
// every IPv6 prefix a node is not attached to, through the neighbour's
// address on the first link of the shortest path. Every node is a way
// through and nothing is summed up (IPv6 topologies are small so far; the
// stub and aggregation shortcuts above are IPv4's).
std::vector<std::vector<stack::Ipv6Route>> shortest_path_routes6(
    const std::vector<RoutingNode>& nodes, const std::vector<GraphLink>& links);

// Sibling prefixes merged into their parent until none are left: the same
// addresses, in fewer prefixes. Precondition: the prefixes do not overlap.
std::vector<wire::Ipv4Cidr> aggregate_exactly(std::vector<wire::Ipv4Cidr> prefixes);

}  // namespace sim
