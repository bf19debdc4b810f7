#include "sim/topology.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "netem/units.hpp"

namespace sim {
namespace {

// Parsing stops at the first error; it travels as this exception inside the
// parser only and leaves as a TopologyError value.
struct ParseFailure {
    TopologyError error;
};

using Keys = std::vector<std::string_view>;

const Keys link_param_keys = {"bandwidth",
                              "delay",
                              "mtu",
                              "queue",
                              "cost",
                              "loss",
                              "loss_correlation",
                              "gilbert_elliott",
                              "jitter",
                              "jitter_distribution",
                              "jitter_correlation",
                              "reorder",
                              "reorder_correlation",
                              "reorder_gap",
                              "duplicate",
                              "duplicate_correlation",
                              "corrupt",
                              "corrupt_correlation"};

Keys with_link_params(Keys keys) {
    keys.insert(keys.end(), link_param_keys.begin(), link_param_keys.end());
    return keys;
}

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t above = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

class Parser {
  public:
    explicit Parser(std::string file) : file_(std::move(file)) {}

    Topology parse(const YAML::Node& root);

  private:
    Location where(const YAML::Node& n) const {
        const YAML::Mark m = n.Mark();
        return {file_, m.line + 1, m.column + 1};
    }
    [[noreturn]] void fail(const YAML::Node& at, std::string message) const {
        throw ParseFailure{{where(at), std::move(message)}};
    }
    [[noreturn]] void fail(const Location& at, std::string message) const {
        throw ParseFailure{{at, std::move(message)}};
    }

    void expect_map(const YAML::Node& n, std::string_view what) const {
        if (!n.IsMap()) fail(n, fmt::format("{} must be a mapping of keys to values", what));
    }
    void expect_sequence(const YAML::Node& n, std::string_view what) const {
        if (!n.IsSequence()) fail(n, fmt::format("{} must be a list", what));
    }
    // Fails on a key outside `allowed` (suggesting the closest) or a repeated key.
    void check_keys(const YAML::Node& map, const Keys& allowed, std::string_view what) const;
    std::string scalar(const YAML::Node& n, std::string_view what) const {
        if (!n.IsScalar()) fail(n, fmt::format("{} must be a single value", what));
        return n.Scalar();
    }
    template <class T>
    T value(const YAML::Node& n, std::string_view what, const netem::Parsed<T>& parsed) const {
        if (!parsed) fail(n, fmt::format("{}: {}", what, parsed.error()));
        return *parsed;
    }
    uint64_t unsigned_integer(const YAML::Node& n, std::string_view what, uint64_t min,
                              uint64_t max) const;
    base::Duration duration(const YAML::Node& n, std::string_view what) const {
        return value(n, what, netem::parse_duration(scalar(n, what)));
    }
    double probability(const YAML::Node& n, std::string_view what) const {
        return value(n, what, netem::parse_probability(scalar(n, what)));
    }
    wire::Ipv4Address address(const YAML::Node& n, std::string_view what) const;
    wire::IpAddress ip_address(const YAML::Node& n, std::string_view what) const;
    wire::Ipv4Cidr cidr(const YAML::Node& n, std::string_view what) const;
    std::string name(const YAML::Node& n, std::string_view what) const;

    void parse_nodes(const YAML::Node& section, bool routers, Topology& t);
    void parse_link_params(const YAML::Node& map, LinkParams& p) const;
    LinkSpec parse_link(const YAML::Node& n, const LinkParams& defaults, const Topology& t) const;
    void check_addresses(const Topology& t, const std::vector<YAML::Node>& link_nodes) const;
    void parse_addresses6(const YAML::Node& n, LinkSpec& link, const Topology& t) const;
    void place_autoconfigured(Topology& t) const;
    void check_addresses6(const Topology& t, const std::vector<YAML::Node>& link_nodes) const;
    RouteSpec parse_route(const YAML::Node& n, const Topology& t) const;
    Route6Spec parse_route6(const YAML::Node& n, const Topology& t) const;
    // Why `a` cannot be `node`'s IPv6 next hop (nullopt when it can): it must
    // be the other end's address on one of the node's IPv6 links.
    std::optional<std::string> next_hop_problem6(const Topology& t, std::string_view node,
                                                 const wire::Ipv6Address& a) const;
    wire::Ipv6Address address6(const YAML::Node& n, std::string_view what) const;
    FaultSpec parse_fault(const YAML::Node& n, const Topology& t) const;
    AppSpec parse_app(const YAML::Node& n, const Topology& t) const;
    TraceSpec parse_trace(const YAML::Node& n) const;
    // Each node's links, in file order, once the links are read.
    mutable std::unordered_map<std::string, std::vector<size_t>> links_of_;
    // Why `a` cannot be a next hop of `node`, or nullopt when it is the address
    // of a neighbour: the other end of one of the node's links.
    std::optional<std::string> next_hop_problem(const Topology& t, std::string_view node,
                                                wire::Ipv4Address a) const;
    // The location of `key` itself in `map` (a key with no value has no mark of
    // its own: yaml-cpp marks the next token).
    Location key_location(const YAML::Node& map, std::string_view key) const;
    // A top-level section that is present but empty fails at its key.
    void expect_value(const YAML::Node& map, std::string_view key, std::string_view kind) const;

    std::string file_;
};

void Parser::check_keys(const YAML::Node& map, const Keys& allowed, std::string_view what) const {
    std::set<std::string> seen;
    for (const auto& kv : map) {
        const std::string key = kv.first.as<std::string>();
        if (!seen.insert(key).second)
            fail(kv.first, fmt::format("duplicate key '{}' in {}", key, what));
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
        std::string_view best;
        size_t best_distance = 3;  // suggest only close matches
        for (std::string_view candidate : allowed) {
            const size_t d = edit_distance(key, candidate);
            if (d < best_distance) {
                best = candidate;
                best_distance = d;
            }
        }
        fail(kv.first, best.empty() ? fmt::format("unknown key '{}' in {}", key, what)
                                    : fmt::format("unknown key '{}' in {} (did you mean '{}'?)",
                                                  key, what, best));
    }
}

uint64_t Parser::unsigned_integer(const YAML::Node& n, std::string_view what, uint64_t min,
                                  uint64_t max) const {
    const std::string s = scalar(n, what);
    uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) {
        fail(n, fmt::format("{} must be a whole number, not '{}'", what, s));
    }
    if (v < min || v > max)
        fail(n, fmt::format("{} must be between {} and {}, not {}", what, min, max, v));
    return v;
}

wire::Ipv4Address Parser::address(const YAML::Node& n, std::string_view what) const {
    const std::string s = scalar(n, what);
    auto a = wire::Ipv4Address::parse(s);
    if (!a) fail(n, fmt::format("{}: '{}' is not an IPv4 address (like 10.0.0.1)", what, s));
    return *a;
}

wire::IpAddress Parser::ip_address(const YAML::Node& n, std::string_view what) const {
    const std::string s = scalar(n, what);
    auto a = wire::IpAddress::parse(s);
    if (!a)
        fail(n,
             fmt::format("{}: '{}' is not an IP address (like 10.0.0.1 or 2001:db8::1)", what, s));
    return *a;
}

wire::Ipv4Cidr Parser::cidr(const YAML::Node& n, std::string_view what) const {
    const std::string s = scalar(n, what);
    auto c = wire::Ipv4Cidr::parse(s);
    if (!c)
        fail(n, fmt::format("{}: '{}' is not an address with a prefix length (like 10.0.0.1/24)",
                            what, s));
    return *c;
}

std::string Parser::name(const YAML::Node& n, std::string_view what) const {
    const std::string s = scalar(n, what);
    const bool ok =
        !s.empty() && s.size() <= 63 && std::isalpha(static_cast<unsigned char>(s[0])) &&
        std::all_of(s.begin(), s.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        });
    if (!ok) {
        fail(n,
             fmt::format(
                 "{} '{}' must start with a letter and use only letters, digits, '-', '_' or '.'",
                 what, s));
    }
    return s;
}

void Parser::parse_nodes(const YAML::Node& section, bool routers, Topology& t) {
    const std::string_view what = routers ? "routers" : "hosts";
    expect_map(section, what);
    for (const auto& kv : section) {
        NodeSpec node{.name = name(kv.first, routers ? "router name" : "host name"),
                      .router = routers,
                      .where = where(kv.first)};
        if (const NodeSpec* other = t.find_node(node.name)) {
            fail(kv.first, fmt::format("duplicate node name '{}' (first defined at line {})",
                                       node.name, other->where.line));
        }
        const YAML::Node& body = kv.second;
        if (!body.IsNull()) {
            expect_map(body, fmt::format("{} '{}'", routers ? "router" : "host", node.name));
            if (routers) {
                check_keys(body, {"ttl", "tcp_congestion", "tcp_syncookies", "icmp_errors"},
                           fmt::format("router '{}'", node.name));
            } else {
                check_keys(body,
                           {"gateway", "gateway6", "ttl", "nameserver", "tcp_congestion",
                            "tcp_syncookies", "icmp_errors"},
                           fmt::format("host '{}'", node.name));
                if (const YAML::Node g = body["gateway"]) node.gateway = address(g, "gateway");
                if (const YAML::Node g = body["gateway6"]) node.gateway6 = address6(g, "gateway6");
                // One address, or a list of them tried in order.
                if (const YAML::Node ns = body["nameserver"]) {
                    if (ns.IsSequence()) {
                        if (ns.size() == 0 || ns.size() > 3)
                            fail(ns, "nameserver takes one to three addresses");
                        for (const auto& a : ns)
                            node.nameservers.push_back(ip_address(a, "nameserver"));
                    } else {
                        node.nameservers.push_back(ip_address(ns, "nameserver"));
                    }
                }
            }
            if (const YAML::Node ttl = body["ttl"])
                node.ttl = static_cast<uint8_t>(unsigned_integer(ttl, "ttl", 1, 255));
            if (const YAML::Node cc = body["tcp_congestion"]) {
                const std::string s = scalar(cc, "tcp_congestion");
                const auto algorithm = tcp::congestion_algorithm_named(s);
                if (!algorithm)
                    fail(cc, fmt::format("tcp_congestion is cubic or newreno, not '{}'", s));
                node.tcp_congestion = *algorithm;
            }
            auto flag = [&](const char* key, bool& out) {
                if (const YAML::Node n = body[key]) {
                    const std::string v = scalar(n, key);
                    if (v != "true" && v != "false")
                        fail(n, fmt::format("{} is true or false, not '{}'", key, v));
                    out = v == "true";
                }
            };
            flag("tcp_syncookies", node.tcp_syncookies);
            flag("icmp_errors", node.icmp_errors);
        }
        t.nodes.push_back(std::move(node));
    }
}

void Parser::parse_link_params(const YAML::Node& m, LinkParams& p) const {
    if (const YAML::Node n = m["bandwidth"])
        p.bandwidth_bps = value(n, "bandwidth", netem::parse_bandwidth(scalar(n, "bandwidth")));
    if (const YAML::Node n = m["delay"]) p.delay = duration(n, "delay");
    if (const YAML::Node n = m["mtu"])
        p.mtu = static_cast<uint16_t>(unsigned_integer(n, "mtu", 68, 65535));
    if (const YAML::Node n = m["queue"]) {
        // A bare number counts packets; a size with a unit counts bytes.
        const std::string s = scalar(n, "queue");
        if (!s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
                return std::isdigit(static_cast<unsigned char>(c));
            })) {
            p.queue_packets = unsigned_integer(n, "queue", 1, 1'000'000);
            p.queue_bytes = 0;
        } else {
            p.queue_bytes = value(n, "queue", netem::parse_size(s));
            if (p.queue_bytes == 0) fail(n, "queue must hold at least one byte");
            p.queue_packets = SIZE_MAX;
        }
    }
    if (const YAML::Node n = m["cost"])
        p.cost = static_cast<uint32_t>(unsigned_integer(n, "cost", 1, 1'000'000));
    netem::Impairments& imp = p.impairments;
    if (const YAML::Node n = m["loss"]) imp.loss = probability(n, "loss");
    if (const YAML::Node n = m["loss_correlation"])
        imp.loss_correlation = probability(n, "loss_correlation");
    if (const YAML::Node n = m["gilbert_elliott"]) {
        expect_map(n, "gilbert_elliott");
        check_keys(n, {"p", "r", "bad_loss", "good_loss"}, "gilbert_elliott");
        if (!n["p"])
            fail(n, "gilbert_elliott needs 'p' (the probability of moving to the bad state)");
        netem::GilbertElliott ge;
        ge.p = probability(n["p"], "gilbert_elliott p");
        ge.r = n["r"] ? probability(n["r"], "gilbert_elliott r") : 1 - ge.p;
        if (const YAML::Node b = n["bad_loss"])
            ge.bad_loss = probability(b, "gilbert_elliott bad_loss");
        if (const YAML::Node g = n["good_loss"])
            ge.good_loss = probability(g, "gilbert_elliott good_loss");
        imp.gilbert_elliott = ge;
    }
    if (const YAML::Node n = m["jitter"]) imp.jitter = duration(n, "jitter");
    if (const YAML::Node n = m["jitter_distribution"]) {
        const std::string s = scalar(n, "jitter_distribution");
        constexpr netem::JitterDistribution all[] = {
            netem::JitterDistribution::uniform, netem::JitterDistribution::normal,
            netem::JitterDistribution::pareto, netem::JitterDistribution::paretonormal};
        const auto it =
            std::find_if(std::begin(all), std::end(all),
                         [&](netem::JitterDistribution d) { return to_string(d) == s; });
        if (it == std::end(all)) {
            fail(n,
                 fmt::format(
                     "jitter_distribution '{}' is not one of uniform, normal, pareto, paretonormal",
                     s));
        }
        imp.jitter_distribution = *it;
    }
    if (const YAML::Node n = m["jitter_correlation"])
        imp.jitter_correlation = probability(n, "jitter_correlation");
    if (const YAML::Node n = m["reorder"]) imp.reorder = probability(n, "reorder");
    if (const YAML::Node n = m["reorder_correlation"])
        imp.reorder_correlation = probability(n, "reorder_correlation");
    if (const YAML::Node n = m["reorder_gap"])
        imp.reorder_gap = static_cast<uint32_t>(unsigned_integer(n, "reorder_gap", 1, 1'000'000));
    if (const YAML::Node n = m["duplicate"]) imp.duplicate = probability(n, "duplicate");
    if (const YAML::Node n = m["duplicate_correlation"])
        imp.duplicate_correlation = probability(n, "duplicate_correlation");
    if (const YAML::Node n = m["corrupt"]) imp.corrupt = probability(n, "corrupt");
    if (const YAML::Node n = m["corrupt_correlation"])
        imp.corrupt_correlation = probability(n, "corrupt_correlation");
}

LinkSpec Parser::parse_link(const YAML::Node& n, const LinkParams& defaults,
                            const Topology& t) const {
    expect_map(n, "a link");
    check_keys(n, with_link_params({"name", "ends", "addresses", "addresses6"}), "link");
    LinkSpec link{.params = defaults, .where = where(n)};
    const YAML::Node ends = n["ends"];
    if (!ends) fail(n, "a link needs 'ends': the two nodes it joins, like [client, r1]");
    expect_sequence(ends, "ends");
    if (ends.size() != 2)
        fail(ends, fmt::format("a link joins exactly two nodes; 'ends' lists {}", ends.size()));
    for (size_t i = 0; i < 2; ++i) {
        link.ends[i] = scalar(ends[i], "link end");
        if (!t.find_node(link.ends[i])) {
            fail(ends[i],
                 fmt::format("link end '{}' is not a host or router defined above", link.ends[i]));
        }
    }
    if (link.ends[0] == link.ends[1])
        fail(ends, fmt::format("a link cannot join '{}' to itself", link.ends[0]));
    link.name = n["name"] ? name(n["name"], "link name") : link.ends[0] + "-" + link.ends[1];

    if (const YAML::Node six = n["addresses6"]) parse_addresses6(six, link, t);
    const YAML::Node addresses = n["addresses"];
    if (!addresses && link.addresses6) {  // an IPv6-only link
        parse_link_params(n, link.params);
        return link;
    }
    if (!addresses) {
        fail(n,
             "a link needs 'addresses': one per end, like [10.0.0.1/24, 10.0.0.2/24] (or "
             "'addresses6' for IPv6, like [2001:db8::1/64, 2001:db8::2/64])");
    }
    expect_sequence(addresses, "addresses");
    if (addresses.size() != 2)
        fail(addresses, fmt::format("'addresses' must list two addresses, one per end; it lists {}",
                                    addresses.size()));
    for (size_t i = 0; i < 2; ++i) {
        if (wire::Ipv6Cidr::parse(scalar(addresses[i], "address"))) {
            fail(addresses[i], "an IPv6 address goes in 'addresses6'; 'addresses' holds IPv4");
        }
        link.addresses[i] = cidr(addresses[i], "address");
    }
    for (size_t i = 0; i < 2; ++i) {
        if (link.addresses[i].prefix_len >= 32) {
            fail(addresses[i],
                 fmt::format("{} has a /32 prefix: a link needs a subnet with room for both ends",
                             link.addresses[i]));
        }
    }
    const wire::Ipv4Cidr& a = link.addresses[0];
    const wire::Ipv4Cidr& b = link.addresses[1];
    if (a.prefix_len != b.prefix_len || a.network() != b.network()) {
        fail(addresses[1],
             fmt::format(
                 "address {} is outside the link's subnet {}/{} (both ends must share one subnet)",
                 b, a.network(), a.prefix_len));
    }
    if (a.address == b.address)
        fail(addresses[1], fmt::format("both ends of the link have address {}", a.address));
    for (size_t i = 0; i < 2; ++i) {
        const wire::Ipv4Cidr& c = link.addresses[i];
        if (c.prefix_len < 31 && (c.address == c.network() || c.address == c.broadcast())) {
            fail(addresses[i],
                 fmt::format("{} is the {} address of its subnet, not a host address", c.address,
                             c.address == c.network() ? "network" : "broadcast"));
        }
    }
    for (size_t i = 0; i < 2; ++i) {
        if (link.addresses[i].address.is_unspecified())  // a /31's first: still no one's
            fail(addresses[i], "0.0.0.0 is no host's address");
    }
    parse_link_params(n, link.params);
    return link;
}

void Parser::parse_addresses6(const YAML::Node& n, LinkSpec& link, const Topology& t) const {
    expect_sequence(n, "addresses6");
    if (n.size() != 2) {
        fail(n, fmt::format("'addresses6' must list two addresses, one per end; it lists {}",
                            n.size()));
    }
    std::array<std::optional<wire::Ipv6Cidr>, 2> given;
    for (size_t i = 0; i < 2; ++i) {
        const std::string text = scalar(n[i], "address");
        if (text == "auto") continue;
        auto c = wire::Ipv6Cidr::parse(text);
        if (!c) {
            fail(n[i], fmt::format("address: '{}' is not an IPv6 address with a prefix length "
                                   "(like 2001:db8::1/64) or 'auto'",
                                   text));
        }
        const wire::Ipv6Address& a = c->address;
        if (a.is_unspecified() || a.is_multicast() || a.is_loopback() || a.is_ipv4_mapped() ||
            a.is_link_local()) {
            fail(n[i], fmt::format("{} cannot be an interface's configured address (link-local "
                                   "ones come by themselves)",
                                   a));
        }
        if (c->prefix_len >= 128 || c->prefix_len == 0)
            fail(n[i], fmt::format("{}: a link needs a prefix with room for both ends", *c));
        given[i] = *c;
    }
    if (!given[0] && !given[1]) {
        fail(n,
             "both ends are 'auto': an 'auto' end takes its address from the router at the "
             "other end, which needs one of its own");
    }
    // An `auto` end forms its address from the router's advertisements
    // (SLAAC); place_autoconfigured() writes the address it will form.
    for (size_t i = 0; i < 2; ++i) {
        if (given[i]) continue;
        const wire::Ipv6Cidr& router_end = *given[1 - i];
        if (t.find_node(link.ends[i])->router) {
            fail(n[i], fmt::format("'auto': '{}' is a router, and routers do not configure "
                                   "themselves from advertisements; give it an address",
                                   link.ends[i]));
        }
        if (!t.find_node(link.ends[1 - i])->router) {
            fail(n[i], fmt::format("'auto': '{}' at the other end is no router, so nobody "
                                   "advertises a prefix on this link",
                                   link.ends[1 - i]));
        }
        if (router_end.prefix_len != 64) {
            fail(n[1 - i], fmt::format("{}: the prefix an 'auto' end forms its address in must be "
                                       "a /64 (RFC 4862 with a 64-bit interface identifier)",
                                       router_end));
        }
        link.autoconf6[i] = true;
        given[i] = wire::Ipv6Cidr{router_end.network(), 64};
    }
    const std::array<wire::Ipv6Cidr, 2> six{*given[0], *given[1]};
    if (six[0].prefix_len != six[1].prefix_len || six[0].network() != six[1].network()) {
        fail(n[1], fmt::format("address {} is outside the link's prefix {}/{} (both ends must "
                               "share one prefix)",
                               six[1], six[0].network(), six[0].prefix_len));
    }
    if (six[0].address == six[1].address)
        fail(n[1], fmt::format("both ends of the link have address {}", six[0].address));
    link.addresses6 = six;
}

// The address each `auto` end will form: its link's prefix and the EUI-64
// identifier of the MAC its interface gets (interface_mac), so names,
// routes and reports know it before it exists.
void Parser::place_autoconfigured(Topology& t) const {
    std::map<std::string, size_t> interfaces;  // per node, so far
    for (LinkSpec& l : t.links) {
        for (size_t e = 0; e < 2; ++e) {
            const size_t interface = interfaces[l.ends[e]]++;
            if (!l.autoconf6[e]) continue;
            const auto node = static_cast<size_t>(t.find_node(l.ends[e]) - t.nodes.data());
            auto& six = *l.addresses6;
            six[e] = wire::Ipv6Cidr{
                wire::Ipv6Address::eui64(six[e].network(), interface_mac(node, interface)), 64};
        }
    }
}

void Parser::check_addresses6(const Topology& t, const std::vector<YAML::Node>& link_nodes) const {
    std::map<wire::Ipv6Address, std::string> owner;
    std::vector<size_t> six;  // links with IPv6, in file order
    for (size_t li = 0; li < t.links.size(); ++li) {
        const LinkSpec& l = t.links[li];
        if (!l.addresses6) continue;
        for (size_t i = 0; i < 2; ++i) {
            const auto [it, fresh] = owner.emplace((*l.addresses6)[i].address, l.ends[i]);
            if (!fresh) {
                fail(link_nodes[li]["addresses6"][i],
                     fmt::format("duplicate address {}: already on '{}'",
                                 (*l.addresses6)[i].address, it->second));
            }
        }
        const wire::Ipv6Cidr& mine = (*l.addresses6)[0];
        for (size_t lj : six) {
            const wire::Ipv6Cidr& theirs = (*t.links[lj].addresses6)[0];
            if (mine.contains(theirs.network()) || theirs.contains(mine.network())) {
                fail(link_nodes[li]["addresses6"],
                     fmt::format("prefix {}/{} overlaps the prefix {}/{} of link '{}'",
                                 mine.network(), mine.prefix_len, theirs.network(),
                                 theirs.prefix_len, t.links[lj].name));
            }
        }
        six.push_back(li);
    }
}

void Parser::check_addresses(const Topology& t, const std::vector<YAML::Node>& link_nodes) const {
    // Subnets are blocks that either nest or are apart: sorted by where they
    // start, they are all apart exactly when each ends before the next
    // starts. Only when some overlap does the slow walk below run, to name
    // the first pair in file order.
    std::vector<std::pair<uint32_t, uint32_t>> blocks;  // first and last address
    blocks.reserve(t.links.size());
    for (const LinkSpec& l : t.links) {
        if (l.has_ipv4())
            blocks.push_back(
                {l.addresses[0].network().to_u32(), l.addresses[0].broadcast().to_u32()});
    }
    std::sort(blocks.begin(), blocks.end());
    bool apart = true;
    for (size_t i = 1; i < blocks.size() && apart; ++i)
        apart = blocks[i - 1].second < blocks[i].first;
    std::map<wire::Ipv4Address, std::string> owner;
    for (size_t li = 0; li < t.links.size(); ++li) {
        const LinkSpec& l = t.links[li];
        if (!l.has_ipv4()) continue;
        for (size_t i = 0; i < 2; ++i) {
            const auto [it, fresh] = owner.emplace(l.addresses[i].address, l.ends[i]);
            if (!fresh) {
                fail(link_nodes[li]["addresses"][i],
                     fmt::format("duplicate address {}: already on '{}'", l.addresses[i].address,
                                 it->second));
            }
        }
        for (size_t lj = 0; lj < li && !apart; ++lj) {
            if (!t.links[lj].has_ipv4()) continue;
            const wire::Ipv4Cidr& mine = t.links[li].addresses[0];
            const wire::Ipv4Cidr& theirs = t.links[lj].addresses[0];
            if (mine.contains(theirs.network()) || theirs.contains(mine.network())) {
                fail(link_nodes[li]["addresses"],
                     fmt::format("subnet {}/{} overlaps the subnet {}/{} of link '{}'",
                                 mine.network(), mine.prefix_len, theirs.network(),
                                 theirs.prefix_len, t.links[lj].name));
            }
        }
    }
}

std::optional<std::string> Parser::next_hop_problem(const Topology& t, std::string_view node,
                                                    wire::Ipv4Address a) const {
    if (links_of_.empty() && !t.links.empty()) {
        for (size_t li = 0; li < t.links.size(); ++li)
            for (const std::string& end : t.links[li].ends)
                links_of_[end].push_back(li);
    }
    std::optional<std::string> on_subnet;
    const auto mine = links_of_.find(std::string(node));
    if (mine == links_of_.end())
        return fmt::format("is not on any subnet '{}' is attached to", node);
    for (size_t li : mine->second) {
        const LinkSpec& l = t.links[li];
        if (!l.has_ipv4()) continue;
        for (size_t i = 0; i < 2; ++i) {
            if (l.ends[i] != node || !l.addresses[i].contains(a)) continue;
            if (l.addresses[i].address == a)
                return fmt::format("is an address of '{}' itself", node);
            if (l.addresses[1 - i].address == a) return std::nullopt;
            on_subnet = fmt::format(
                "is on the subnet {}/{} but belongs to no neighbour (the other end of link '{}' is "
                "{})",
                l.addresses[i].network(), l.addresses[i].prefix_len, l.name,
                l.addresses[1 - i].address);
        }
    }
    return on_subnet ? on_subnet : fmt::format("is not on any subnet '{}' is attached to", node);
}

Location Parser::key_location(const YAML::Node& map, std::string_view key) const {
    for (const auto& kv : map) {
        if (kv.first.Scalar() == key) return where(kv.first);
    }
    return where(map);
}

void Parser::expect_value(const YAML::Node& map, std::string_view key,
                          std::string_view kind) const {
    const YAML::Node v = map[std::string(key)];
    if (v && v.IsNull()) fail(key_location(map, key), fmt::format("{} must be {}", key, kind));
}

wire::Ipv6Address Parser::address6(const YAML::Node& n, std::string_view what) const {
    const std::string s = scalar(n, what);
    auto a = wire::Ipv6Address::parse(s);
    if (!a) fail(n, fmt::format("{}: '{}' is not an IPv6 address (like 2001:db8::1)", what, s));
    return *a;
}

std::optional<std::string> Parser::next_hop_problem6(const Topology& t, std::string_view node,
                                                     const wire::Ipv6Address& a) const {
    std::optional<std::string> on_prefix;
    for (const LinkSpec& l : t.links) {
        if (!l.addresses6) continue;
        for (size_t i = 0; i < 2; ++i) {
            const auto& six = *l.addresses6;
            if (l.ends[i] != node || !six[i].contains(a)) continue;
            if (six[i].address == a) return fmt::format("is an address of '{}' itself", node);
            if (six[1 - i].address == a) return std::nullopt;
            on_prefix = fmt::format(
                "is in the prefix {}/{} but belongs to no neighbour (the other end of link '{}' "
                "is {})",
                six[i].network(), six[i].prefix_len, l.name, six[1 - i].address);
        }
    }
    return on_prefix ? on_prefix
                     : fmt::format("is not in any IPv6 prefix '{}' is attached to", node);
}

Route6Spec Parser::parse_route6(const YAML::Node& n, const Topology& t) const {
    const std::string to_text = scalar(n["to"], "to");
    auto to = wire::Ipv6Cidr::parse(to_text);
    if (!to) {
        fail(n["to"], fmt::format("to: '{}' is not an IPv6 prefix with a length (like "
                                  "2001:db8:9::/48)",
                                  to_text));
    }
    Route6Spec r{.node = scalar(n["node"], "node"),
                 .to = *to,
                 .via = address6(n["via"], "via"),
                 .where = where(n)};
    if (!t.find_node(r.node)) fail(n["node"], fmt::format("route for unknown node '{}'", r.node));
    if (const auto problem = next_hop_problem6(t, r.node, r.via))
        fail(n["via"], fmt::format("gateway {} {}", r.via, *problem));
    if (const YAML::Node m = n["metric"])
        r.metric = static_cast<uint32_t>(unsigned_integer(m, "metric", 0, 1'000'000));
    return r;
}

RouteSpec Parser::parse_route(const YAML::Node& n, const Topology& t) const {
    expect_map(n, "a route");
    check_keys(n, {"node", "to", "via", "metric"}, "route");
    for (const char* required : {"node", "to", "via"}) {
        if (!n[required]) fail(n, fmt::format("a route needs '{}' (node, to, via)", required));
    }
    RouteSpec r{.node = scalar(n["node"], "node"),
                .to = cidr(n["to"], "to"),
                .via = address(n["via"], "via"),
                .where = where(n)};
    if (!t.find_node(r.node)) fail(n["node"], fmt::format("route for unknown node '{}'", r.node));
    if (const auto problem = next_hop_problem(t, r.node, r.via)) {
        fail(n["via"], fmt::format("gateway {} {}", r.via, *problem));
    }
    if (const YAML::Node m = n["metric"])
        r.metric = static_cast<uint32_t>(unsigned_integer(m, "metric", 0, 1'000'000));
    return r;
}

FaultSpec Parser::parse_fault(const YAML::Node& n, const Topology& t) const {
    expect_map(n, "a fault");
    check_keys(n, {"at", "link", "node", "action"}, "fault");
    if (!n["at"]) fail(n, "a fault needs 'at': when it happens, like 2s");
    if (!n["action"])
        fail(n, "a fault needs 'action': down or up for a link, crash or restart for a node");
    if (static_cast<bool>(n["link"]) == static_cast<bool>(n["node"])) {
        fail(n, "a fault names exactly one 'link' or one 'node'");
    }
    FaultSpec f{.at = duration(n["at"], "at"), .where = where(n)};
    const std::string action = scalar(n["action"], "action");
    if (const YAML::Node l = n["link"]) {
        f.target = scalar(l, "link");
        if (!t.find_link(f.target)) fail(l, fmt::format("fault on unknown link '{}'", f.target));
        if (action == "down") {
            f.action = FaultAction::link_down;
        } else if (action == "up") {
            f.action = FaultAction::link_up;
        } else {
            fail(n["action"],
                 fmt::format("a link fault's action is 'down' or 'up', not '{}'", action));
        }
    } else {
        f.target = scalar(n["node"], "node");
        if (!t.find_node(f.target))
            fail(n["node"], fmt::format("fault on unknown node '{}'", f.target));
        if (action == "crash") {
            f.action = FaultAction::node_crash;
        } else if (action == "restart") {
            f.action = FaultAction::node_restart;
        } else {
            fail(n["action"],
                 fmt::format("a node fault's action is 'crash' or 'restart', not '{}'", action));
        }
    }
    return f;
}

TraceSpec Parser::parse_trace(const YAML::Node& n) const {
    expect_map(n, "trace");
    check_keys(n, {"capture", "capture_format", "events", "report", "timeline"}, "trace");
    TraceSpec spec;
    auto value = [&](const char* key) -> std::optional<TraceValue> {
        const YAML::Node v = n[key];
        if (!v) return std::nullopt;
        if (v.IsSequence() && std::string_view(key) == "capture") {
            std::string joined;
            for (const YAML::Node& item : v)
                joined += (joined.empty() ? "" : ",") + scalar(item, key);
            if (joined.empty()) joined = "none";
            return TraceValue{joined, where(v)};
        }
        return TraceValue{scalar(v, key), where(v)};
    };
    spec.capture = value("capture");
    spec.capture_format = value("capture_format");
    spec.events = value("events");
    spec.report = value("report");
    spec.timeline = value("timeline");
    return spec;
}

AppSpec Parser::parse_app(const YAML::Node& n, const Topology& t) const {
    expect_map(n, "an application");
    if (!n["node"]) fail(n, "an application needs 'node': where it runs");
    if (!n["run"]) fail(n, "an application needs 'run': which program, like ping");
    AppSpec app{.node = scalar(n["node"], "node"),
                .kind = scalar(n["run"], "run"),
                .kind_where = where(n["run"]),
                .where = where(n)};
    if (!t.find_node(app.node))
        fail(n["node"], fmt::format("application on unknown node '{}'", app.node));
    std::set<std::string> seen;
    for (const auto& kv : n) {
        const std::string key = kv.first.as<std::string>();
        if (!seen.insert(key).second)
            fail(kv.first, fmt::format("duplicate key '{}' in application", key));
        if (key == "node" || key == "run") continue;
        if (key == "at") {
            app.at = duration(kv.second, "at");
            continue;
        }
        app.params[key] = AppParam{scalar(kv.second, key), where(kv.second), where(kv.first)};
    }
    return app;
}

Topology Parser::parse(const YAML::Node& root) {
    Topology t;
    t.file = file_;
    if (root.IsNull()) fail(Location{file_, 1, 1}, "the topology file is empty");
    expect_map(root, "the topology");
    check_keys(root,
               {"name", "seed", "duration", "routing", "defaults", "hosts", "routers", "links",
                "routes", "faults", "apps", "trace"},
               "the topology");
    for (const char* section : {"routing", "defaults", "hosts", "routers", "trace"}) {
        expect_value(root, section, "a mapping of keys to values");
    }
    for (const char* section : {"links", "routes", "faults", "apps"})
        expect_value(root, section, "a list");
    t.name = root["name"] ? scalar(root["name"], "name") : std::string{};
    if (const YAML::Node s = root["seed"]) t.seed = unsigned_integer(s, "seed", 0, UINT64_MAX);
    if (const YAML::Node d = root["duration"]) t.duration = duration(d, "duration");
    if (const YAML::Node r = root["routing"]) {
        expect_map(r, "routing");
        check_keys(r, {"convergence"}, "routing");
        if (const YAML::Node c = r["convergence"]) t.convergence_delay = duration(c, "convergence");
    }
    LinkParams defaults{.bandwidth_bps = 1'000'000'000, .delay = base::Duration::milliseconds(1)};
    if (const YAML::Node d = root["defaults"]) {
        expect_map(d, "defaults");
        check_keys(d, {"link"}, "defaults");
        if (const YAML::Node l = d["link"]) {
            expect_map(l, "defaults link");
            check_keys(l, link_param_keys, "defaults link");
            parse_link_params(l, defaults);
        }
    }
    if (const YAML::Node h = root["hosts"]) parse_nodes(h, false, t);
    if (const YAML::Node r = root["routers"]) parse_nodes(r, true, t);
    if (t.nodes.empty()) fail(root, "the topology has no hosts or routers");

    std::vector<YAML::Node> link_nodes;
    if (const YAML::Node links = root["links"]) {
        expect_sequence(links, "links");
        for (const YAML::Node& l : links) {
            LinkSpec spec = parse_link(l, defaults, t);
            if (const LinkSpec* other = t.find_link(spec.name)) {
                fail(l, fmt::format("duplicate link name '{}' (first at line {}){}", spec.name,
                                    other->where.line,
                                    l["name"] ? "" : "; give one of them a 'name'"));
            }
            t.links.push_back(std::move(spec));
            link_nodes.push_back(l);
        }
    }
    check_addresses(t, link_nodes);
    place_autoconfigured(t);
    check_addresses6(t, link_nodes);

    for (const NodeSpec& node : t.nodes) {
        if (node.gateway) {
            if (const auto problem = next_hop_problem(t, node.name, *node.gateway)) {
                const YAML::Node g = root[node.router ? "routers" : "hosts"][node.name]["gateway"];
                fail(g, fmt::format("gateway {} of '{}' {}", *node.gateway, node.name, *problem));
            }
        }
        if (node.gateway6) {
            if (const auto problem = next_hop_problem6(t, node.name, *node.gateway6)) {
                const YAML::Node g = root["hosts"][node.name]["gateway6"];
                fail(g, fmt::format("gateway6 {} of '{}' {}", *node.gateway6, node.name, *problem));
            }
        }
    }
    if (const YAML::Node routes = root["routes"]) {
        expect_sequence(routes, "routes");
        for (const YAML::Node& r : routes) {
            // `to` says the family: an IPv6 prefix makes an IPv6 route.
            const bool six = r.IsMap() && r["to"] && r["to"].IsScalar() &&
                             r["to"].Scalar().find(':') != std::string::npos;
            if (six) {
                expect_map(r, "a route");
                check_keys(r, {"node", "to", "via", "metric"}, "route");
                for (const char* required : {"node", "to", "via"}) {
                    if (!r[required])
                        fail(r, fmt::format("a route needs '{}' (node, to, via)", required));
                }
                t.routes6.push_back(parse_route6(r, t));
            } else {
                t.routes.push_back(parse_route(r, t));
            }
        }
    }
    if (const YAML::Node faults = root["faults"]) {
        expect_sequence(faults, "faults");
        for (const YAML::Node& f : faults)
            t.faults.push_back(parse_fault(f, t));
    }
    if (const YAML::Node apps = root["apps"]) {
        expect_sequence(apps, "apps");
        for (const YAML::Node& a : apps)
            t.apps.push_back(parse_app(a, t));
    }
    if (const YAML::Node trace = root["trace"]) t.trace = parse_trace(trace);
    return t;
}

}  // namespace

wire::MacAddress interface_mac(size_t node, size_t interface) {
    return wire::MacAddress{{0x02, 0x00, static_cast<uint8_t>(node >> 16),
                             static_cast<uint8_t>(node >> 8), static_cast<uint8_t>(node),
                             static_cast<uint8_t>(interface)}};
}

std::string TopologyError::to_string() const {
    if (where.line == 0) return fmt::format("{}: {}", where.file, message);
    return fmt::format("{}:{}:{}: {}", where.file, where.line, where.column, message);
}

namespace {

// Finds `name` in `list` through `index`: extended when the list grew in
// place, built again when it moved (names are views into the list's own
// strings) or shrank. A loader adding one at a time pays O(1) each.
template <class Spec>
const Spec* find_by_name(const std::vector<Spec>& list, auto& index, std::string_view name) {
    if (index.data != list.data() || index.size > list.size()) {
        index.by_name.clear();
        index.size = 0;
        index.data = list.data();
    }
    for (; index.size < list.size(); ++index.size)
        index.by_name.emplace(list[index.size].name, index.size);  // the first of a name wins
    const auto it = index.by_name.find(name);
    return it == index.by_name.end() ? nullptr : &list[it->second];
}

}  // namespace

const NodeSpec* Topology::find_node(std::string_view n) const {
    return find_by_name(nodes, node_index_, n);
}

const LinkSpec* Topology::find_link(std::string_view n) const {
    return find_by_name(links, link_index_, n);
}

// Where document-start events fall, and nothing else.
struct DocumentStarts : YAML::EventHandler {
    std::vector<YAML::Mark> marks;
    void OnDocumentStart(const YAML::Mark& m) override { marks.push_back(m); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

// A topology is one YAML document. yaml-cpp 0.7's LoadAll never returns on a
// document that starts with a stray ',' (its loop over documents makes no
// progress), so documents are counted here with at most two parser steps: a
// second document that starts where the first did is that stuck token.
std::optional<TopologyError> second_document(const std::string& text, const std::string& file) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts starts;
    if (!parser.HandleNextDocument(starts) || !parser.HandleNextDocument(starts))
        return std::nullopt;
    if (starts.marks.size() < 2) return std::nullopt;
    const YAML::Mark& m = starts.marks[1];
    TopologyError e;
    e.where = {file, m.line + 1, m.column + 1};
    if (m.pos == starts.marks[0].pos) {
        const char c = m.pos >= 0 && static_cast<size_t>(m.pos) < text.size()
                           ? text[static_cast<size_t>(m.pos)]
                           : '?';
        e.message = fmt::format("YAML: '{}' cannot start a value here", c);
    } else {
        e.message = "a topology file holds one YAML document; here another one starts";
    }
    return e;
}

// yaml-cpp parses nested collections recursively; a file nested thousands of
// levels deep would exhaust the stack. No topology needs more than a few levels.
std::optional<Location> too_deep(const std::string& text, const std::string& file) {
    constexpr int max_depth = 64;
    int depth = 0, line = 1, column = 1;
    for (char c : text) {
        if (c == '[' || c == '{') {
            if (++depth > max_depth) return Location{file, line, column};
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
        if (c == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return std::nullopt;
}

base::Expected<Topology, TopologyError> parse_topology(const std::string& text,
                                                       const std::string& file) {
    TopologyError error;
    if (const auto at = too_deep(text, file)) {
        error.where = *at;
        error.message = "brackets nested more than 64 levels deep";
        return base::fail(std::move(error));
    }
    try {
        if (auto extra = second_document(text, file)) return base::fail(std::move(*extra));
        return Parser(file).parse(YAML::Load(text));
    } catch (const ParseFailure& f) {
        error = f.error;
    } catch (const YAML::Exception& e) {
        // yaml-cpp's own errors: syntax, or a key that is not a string.
        error.where = {file, e.mark.is_null() ? 0 : e.mark.line + 1,
                       e.mark.is_null() ? 0 : e.mark.column + 1};
        error.message = fmt::format("YAML: {}", e.msg);
    }
    return base::fail(std::move(error));
}

base::Expected<Topology, TopologyError> load_topology_file(const std::string& path) {
    std::ifstream f(path);
    if (!f) {
        TopologyError error;
        error.where.file = path;
        error.message = "cannot open the file";
        return base::fail(std::move(error));
    }
    std::stringstream text;
    text << f.rdbuf();
    return parse_topology(text.str(), path);
}

}  // namespace sim
