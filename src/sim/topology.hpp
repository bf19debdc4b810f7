// Topology files: the simulated internet written down in YAML — hosts, routers,
// links with all their parameters and addresses, static routes, faults at given
// times, the applications to start, and the seed. docs/topology.md documents
// every key.
//
// Loading validates everything it can: an error names the file, line and column
// and says what is wrong. Application parameters are kept as text with their
// locations; the program that starts an application checks them and reports
// errors at the same locations.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "sim/link.hpp"
#include "tcp/congestion.hpp"
#include "wire/address.hpp"

namespace sim {

struct Location {
    std::string file;
    int line = 0;    // 1-based; 0 when unknown
    int column = 0;  // 1-based
};

struct TopologyError {
    Location where;
    std::string message;
    // "file:line:column: message"
    std::string to_string() const;
};

struct NodeSpec {
    std::string name;
    bool router = false;
    std::optional<wire::Ipv4Address> gateway;   // a host's default route
    std::optional<wire::Ipv6Address> gateway6;  // its IPv6 default route (::/0)
    uint8_t ttl = 64;                           // default TTL of packets it originates
    // Its TCP's congestion control unless a socket picks another (Linux's
    // net.ipv4.tcp_congestion_control).
    tcp::CongestionAlgorithm tcp_congestion = tcp::CongestionAlgorithm::cubic;
    bool tcp_syncookies = true;                // net.ipv4.tcp_syncookies
    bool icmp_errors = true;                   // false: sends none (behind a filter)
    std::vector<wire::IpAddress> nameservers;  // where its programs ask DNS (resolv.conf)
    Location where;
};

struct LinkSpec {
    std::string name;  // "a-b" unless given
    std::string ends[2];
    // IPv4: one address per end, in one subnet; 0.0.0.0/0 on an IPv6-only link.
    wire::Ipv4Cidr addresses[2];
    // IPv6 (`addresses6`): one per end, in one prefix; none on an IPv4-only link.
    std::optional<std::array<wire::Ipv6Cidr, 2>> addresses6;
    // An `auto` end (a host opposite a router): it forms its address by SLAAC
    // from the router's advertisements, which the router then sends on this
    // link; addresses6 holds the address it will form (prefix + EUI-64).
    std::array<bool, 2> autoconf6{};
    bool has_ipv4() const { return !addresses[0].address.is_unspecified(); }
    LinkParams params;
    Location where;
};

// The MAC address of interface `interface` (ethN, numbered in the order the
// links name the node) of node `node` (its index in Topology::nodes):
// locally administered, spelling out both numbers.
wire::MacAddress interface_mac(size_t node, size_t interface);

struct RouteSpec {
    std::string node;
    wire::Ipv4Cidr to;
    wire::Ipv4Address via;
    uint32_t metric = 0;
    Location where;
};

// An IPv6 static route (`to` an IPv6 prefix).
struct Route6Spec {
    std::string node;
    wire::Ipv6Cidr to;
    wire::Ipv6Address via;
    uint32_t metric = 0;
    Location where;
};

enum class FaultAction : uint8_t { link_down, link_up, node_crash, node_restart };

struct FaultSpec {
    base::Duration at{};
    FaultAction action = FaultAction::link_down;
    std::string target;  // link or node name
    Location where;
};

struct AppParam {
    std::string value;
    Location where;      // of the value
    Location key_where;  // of the key
};

struct AppSpec {
    std::string node;
    std::string kind;  // "ping", "traceroute", …
    Location kind_where;
    base::Duration at{};
    std::map<std::string, AppParam> params;
    Location where;
};

// The `trace:` section: what the run records (docs/topology.md, "Tracing").
// Values are kept as written, with their places, and checked by the run.
struct TraceValue {
    std::string value;  // a list (capture) is joined with commas
    Location where;
};
struct TraceSpec {
    std::optional<TraceValue> capture;         // all, none, NODE[:IFACE],…
    std::optional<TraceValue> capture_format;  // pcap, pcapng
    std::optional<TraceValue> events;          // on, none, or a file
    std::optional<TraceValue> report;          // on, none, or a file
    std::optional<TraceValue> timeline;        // on, off
};

struct Topology {
    std::string name;
    std::string file;
    uint64_t seed = 1;
    base::Duration convergence_delay = base::Duration::milliseconds(500);
    std::optional<base::Duration> duration;  // how long `run` simulates
    std::vector<NodeSpec> nodes;             // hosts first, then routers, in file order
    std::vector<LinkSpec> links;
    std::vector<RouteSpec> routes;
    std::vector<Route6Spec> routes6;  // `routes` whose `to` is an IPv6 prefix
    std::vector<FaultSpec> faults;
    std::vector<AppSpec> apps;
    TraceSpec trace;

    // By name, through an index that follows the lists (built again when
    // they have changed size, so lists filled by hand work too).
    const NodeSpec* find_node(std::string_view name) const;
    const LinkSpec* find_link(std::string_view name) const;

  private:
    struct Index {
        std::unordered_map<std::string_view, size_t> by_name;
        const void* data = nullptr;  // the list it was built over
        size_t size = 0;
    };
    mutable Index node_index_;
    mutable Index link_index_;
};

base::Expected<Topology, TopologyError> load_topology_file(const std::string& path);
// `file` is the name used in error messages.
base::Expected<Topology, TopologyError> parse_topology(const std::string& text,
                                                       const std::string& file);

}  // namespace sim
