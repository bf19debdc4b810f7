#include "sim/generate.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <numeric>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "base/random.hpp"
#include "netem/units.hpp"
#include "sim/address_plan.hpp"
#include "sim/topology_writer.hpp"

namespace sim {
namespace {

// An option that cannot be used; it travels as this exception inside this file
// only and leaves as a GenerateError value.
struct Failure {
    GenerateError error;
};

constexpr uint64_t max_count = 100'000;
constexpr std::string_view tcp_port = "5001";
constexpr std::string_view udp_port = "5002";

// ---------------------------------------------------------------------------
// The catalog

std::vector<GeneratorOption> app_options(std::string_view fallback, std::string_view kinds) {
    return {{"app", fallback, "KIND", kinds},
            {"bytes", "", "SIZE", "tcp: send this many bytes (like 10MB) instead of for --duration",
             OptionUse::with_tcp},
            {"congestion", "", "NAME",
             "tcp: the senders' congestion control, cubic or newreno (without it: the host's, "
             "cubic)",
             OptionUse::with_tcp},
            {"udp-rate", "10Mbit", "RATE", "udp: each sender's rate", OptionUse::with_udp},
            {"udp-size", "1000", "SIZE", "udp: bytes of data per datagram", OptionUse::with_udp}};
}

std::vector<GeneratorOption> common_options(std::string_view name) {
    return {{"name", name, "NAME", "The topology's name (minternet run writes to out/NAME)"},
            {"seed", "1", "N", "The run's seed (the tree also picks its flows' hosts with it)"},
            {"duration", "10s", "TIME",
             "How long each program sends (ping: one request a second); with --app none, how "
             "long the run lasts"}};
}

Generator make_generator(std::string_view name, std::string_view summary,
                         std::vector<GeneratorOption> own, std::string_view app_fallback,
                         std::string_view app_kinds) {
    Generator g{name, summary, std::move(own)};
    for (auto& o : app_options(app_fallback, app_kinds))
        g.options.push_back(o);
    for (auto& o : common_options(name))
        g.options.push_back(o);
    return g;
}

constexpr std::string_view queue_help =
    "The queue of every link, per direction: packets, or a size like 64KB";
constexpr std::string_view apps_help = "Programs: tcp, udp, ping or none";

std::vector<Generator> make_catalog() {
    std::vector<Generator> all;
    all.push_back(make_generator(
        "dumbbell",
        "Pairs of hosts on two routers joined by one bottleneck link; flow i from l<i> to r<i>",
        {{"flows", "4", "N", "Pairs of hosts, one left (l0, l1, …) and one right (r0, r1, …)"},
         {"leaf-rate", "1Gbit", "RATE", "Bandwidth of the hosts' links"},
         {"leaf-delay", "1ms", "TIME", "Delay of the hosts' links"},
         {"bottleneck-rate", "100Mbit", "RATE", "Bandwidth of the link between the routers"},
         {"bottleneck-delay", "10ms", "TIME", "Delay of the link between the routers"},
         {"queue", "100", "PACKETS|SIZE", queue_help}},
        "tcp", apps_help));
    all.push_back(
        make_generator("star", "Hosts around one router (hub)",
                       {{"hosts", "8", "N", "Hosts: h0, h1, …"},
                        {"rate", "100Mbit", "RATE", "Bandwidth of every link"},
                        {"delay", "1ms", "TIME", "Delay of every link"},
                        {"queue", "100", "PACKETS|SIZE", queue_help},
                        {"pattern", "pairs", "pairs|incast",
                         "Who talks to whom: pairs (h<i> to h<i+N/2>) or incast (every host to h0)",
                         OptionUse::with_apps}},
                       "tcp", apps_help));
    all.push_back(make_generator(
        "tree",
        "An internet: hosts under access routers, access routers under core routers in a full "
        "mesh",
        {{"routers", "4", "N", "Access routers: r0, r1, …"},
         {"hosts-per-router", "4", "N",
          "Hosts under each access router: h<router>-0, h<router>-1, …"},
         {"routers-per-core", "64", "N",
          "Access routers under each core router (c0, c1, …); the core routers are a full mesh"},
         {"host-rate", "100Mbit", "RATE", "Bandwidth of the hosts' links"},
         {"host-delay", "1ms", "TIME", "Delay of the hosts' links"},
         {"uplink-rate", "1Gbit", "RATE", "Bandwidth of the links from access to core routers"},
         {"uplink-delay", "2ms", "TIME", "Delay of the links from access to core routers"},
         {"core-rate", "10Gbit", "RATE", "Bandwidth of the links between core routers"},
         {"core-delay", "5ms", "TIME", "Delay of the links between core routers"},
         {"queue", "100", "PACKETS|SIZE", queue_help},
         {"flows", "4", "N",
          "Programs running at once, each between two hosts picked with --seed (fewer by default "
          "when there are fewer than 8 hosts)",
          OptionUse::with_apps}},
        "tcp", apps_help));
    all.push_back(make_generator("chain",
                                 "Two hosts (h0, h1) with routers r1, r2, … in a line between them",
                                 {{"routers", "3", "N", "Routers between the hosts, 1 to 254"},
                                  {"rate", "100Mbit", "RATE", "Bandwidth of every link"},
                                  {"delay", "1ms", "TIME", "Delay of every link"},
                                  {"queue", "100", "PACKETS|SIZE", queue_help}},
                                 "traceroute", "Programs: traceroute, ping, tcp, udp or none"));
    return all;
}

// ---------------------------------------------------------------------------
// Reading options

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string shown(std::string_view text) {
    return text.empty() ? std::string("''") : std::string(text);
}

// The options of one call: what was given, else the catalog's default.
class Options {
  public:
    Options(const Generator& g, const GeneratorOptions& given) : generator_(g), given_(given) {
        for (const auto& [name, text] : given) {
            if (generator_.find(name)) continue;
            std::string known;
            for (const GeneratorOption& o : generator_.options)
                known += fmt::format("{}--{}", known.empty() ? "" : ", ", o.name);
            fail(name, fmt::format("{} has no such option (it has {})", generator_.name, known));
        }
    }

    const Generator& generator() const { return generator_; }
    bool given(std::string_view name) const { return given_.contains(name); }
    std::string_view text(std::string_view name) const {
        if (const auto it = given_.find(name); it != given_.end()) return it->second;
        return generator_.find(name)->fallback;
    }

    [[noreturn]] void fail(std::string_view name, std::string message) const {
        throw Failure{{std::string(name), fmt::format("--{}: {}", name, message)}};
    }

    uint64_t count(std::string_view name, uint64_t min, uint64_t max) const {
        const std::string_view s = text(name);
        uint64_t v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (!all_digits(s) || ec != std::errc{} || end != s.data() + s.size() || v < min ||
            v > max) {
            fail(name, fmt::format("{} is not a whole number from {} to {}", shown(s), min, max));
        }
        return v;
    }
    std::string_view rate(std::string_view name) const {
        check(name, netem::parse_bandwidth(text(name)));
        return text(name);
    }
    std::string_view delay(std::string_view name) const {
        check(name, netem::parse_duration(text(name)));
        return text(name);
    }
    base::Duration positive_duration(std::string_view name) const {
        const base::Duration d = check(name, netem::parse_duration(text(name)));
        if (d <= base::Duration::zero())
            fail(name,
                 fmt::format("{} is not a duration above zero (like 10s)", shown(text(name))));
        return d;
    }
    uint64_t size(std::string_view name, uint64_t min, uint64_t max) const {
        const uint64_t bytes = check(name, netem::parse_size(text(name)));
        if (bytes < min || bytes > max) {
            fail(name,
                 fmt::format("{} is not a size from {} to {} bytes", shown(text(name)), min, max));
        }
        return bytes;
    }
    // As a link's `queue`: a bare number counts packets, a size bytes.
    std::string_view queue(std::string_view name) const {
        const std::string_view s = text(name);
        if (all_digits(s)) {
            count(name, 1, 1'000'000);
        } else if (!netem::parse_size(s) || *netem::parse_size(s) == 0) {
            fail(name, fmt::format("{} is neither a number of packets from 1 to 1000000 nor a size "
                                   "of at least one byte (like 64KB)",
                                   shown(s)));
        }
        return s;
    }
    std::string_view choice(std::string_view name,
                            std::initializer_list<std::string_view> allowed) const {
        const std::string_view s = text(name);
        if (std::find(allowed.begin(), allowed.end(), s) != allowed.end()) return s;
        fail(name, fmt::format("{} is not one of {}", shown(s), fmt::join(allowed, ", ")));
    }
    // By the rules for names in topology files.
    std::string_view name(std::string_view option) const {
        const std::string_view s = text(option);
        const bool ok = !s.empty() && s.size() <= 63 &&
                        std::isalpha(static_cast<unsigned char>(s[0])) &&
                        std::all_of(s.begin(), s.end(), [](char c) {
                            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
                                   c == '_' || c == '.';
                        });
        if (!ok) {
            fail(option, fmt::format("{} is not a name (a letter, then letters, digits, '-', '_' "
                                     "or '.', at most 63 in all)",
                                     shown(s)));
        }
        return s;
    }

  private:
    template <class T>
    T check(std::string_view name, const netem::Parsed<T>& parsed) const {
        if (!parsed) fail(name, parsed.error());
        return *parsed;
    }

    const Generator& generator_;
    const GeneratorOptions& given_;
};

// ---------------------------------------------------------------------------
// What every generator shares: the programs, the top of the file

struct Flow {
    std::string from;
    std::string to;
};

// What every generator reads: the file's name and seed, and the programs.
struct Common {
    std::string_view name;  // of the topology
    uint64_t seed = 1;
    std::string_view kind;  // "tcp", "udp", "ping", "traceroute" or "none"
    std::string_view duration;
    base::Duration duration_value;
    std::optional<std::string_view> bytes;
    std::optional<std::string_view> congestion;
    std::string_view udp_rate;
    uint64_t udp_size = 0;

    bool any() const { return kind != "none"; }
};

bool applies(OptionUse use, std::string_view app) {
    switch (use) {
        case OptionUse::always:
            return true;
        case OptionUse::with_apps:
            return app != "none";
        case OptionUse::with_tcp:
            return app == "tcp";
        case OptionUse::with_udp:
            return app == "udp";
    }
    return true;
}

Common read_common(const Options& o, std::initializer_list<std::string_view> kinds) {
    Common a{.kind = o.choice("app", kinds)};
    for (const GeneratorOption& opt : o.generator().options) {
        if (o.given(opt.name) && !applies(opt.use, a.kind))
            o.fail(opt.name, fmt::format("means nothing with --app {}", a.kind));
    }
    a.name = o.name("name");
    a.seed = o.count("seed", 0, UINT64_MAX);
    a.duration = o.text("duration");
    a.duration_value = o.positive_duration("duration");
    if (o.given("bytes")) a.bytes = o.text("bytes");
    if (a.bytes) o.size("bytes", 1, UINT64_MAX);
    if (o.given("congestion")) a.congestion = o.choice("congestion", {"cubic", "newreno"});
    a.udp_rate = o.rate("udp-rate");
    a.udp_size = o.size("udp-size", 1, 65507);
    return a;
}

// The command that makes this file, with every option that counts, so the file
// says how to make it again.
std::string command_line(const Options& o, std::string_view app) {
    std::string line = fmt::format("minternet topology {}", o.generator().name);
    for (const GeneratorOption& opt : o.generator().options) {
        const std::string_view v = o.text(opt.name);
        if (v.empty() || !applies(opt.use, app)) continue;
        const bool quote = v.find(' ') != std::string_view::npos;
        line += fmt::format(" --{} {}{}{}", opt.name, quote ? "'" : "", v, quote ? "'" : "");
    }
    return line;
}

void write_top(TopologyWriter& w, const Options& o, const Common& common,
               std::string_view summary) {
    w.comment(command_line(o, common.kind));
    w.comment(summary);
    w.blank_line();
    // With programs, the run lasts until the senders are done (sinks are
    // daemons); without, --duration is how long it lasts.
    w.top_level(common.name, common.seed,
                common.any() ? std::nullopt : std::optional<std::string_view>(common.duration));
}

// Sinks first (one per receiving host), so they listen before anyone connects;
// then the senders.
void write_apps(TopologyWriter& w, const Common& a, const std::vector<Flow>& flows,
                uint64_t max_hops = 0) {
    if (!a.any() || flows.empty()) return;
    w.begin("apps");
    if (a.kind == "tcp" || a.kind == "udp") {
        std::set<std::string_view> listening;
        for (const Flow& f : flows) {
            if (!listening.insert(f.to).second) continue;
            w.app(f.to, a.kind == "tcp" ? "tcp-sink" : "udp-sink",
                  {{"port", a.kind == "tcp" ? tcp_port : udp_port}});
        }
    }
    const std::string size = fmt::format("{}", a.udp_size);
    const uint64_t seconds = static_cast<uint64_t>(a.duration_value.ns() / 1'000'000'000);
    const std::string count = fmt::format("{}", std::clamp<uint64_t>(seconds, 1, 1'000'000));
    const std::string hops = fmt::format("{}", max_hops);
    for (const Flow& f : flows) {
        if (a.kind == "tcp") {
            std::vector<TopologyWriter::Param> params{{"to", f.to}, {"port", tcp_port}};
            if (a.bytes) {
                params.emplace_back("bytes", *a.bytes);
            } else {
                params.emplace_back("duration", a.duration);
            }
            if (a.congestion) params.emplace_back("congestion", *a.congestion);
            w.app(f.from, "tcp-bulk", params);
        } else if (a.kind == "udp") {
            w.app(f.from, "udp-cbr",
                  {{"to", f.to},
                   {"port", udp_port},
                   {"rate", a.udp_rate},
                   {"size", size},
                   {"duration", a.duration}});
        } else if (a.kind == "ping") {
            w.app(f.from, "ping", {{"to", f.to}, {"count", count}, {"interval", "1s"}});
        } else if (max_hops > 0) {
            w.app(f.from, "traceroute", {{"to", f.to}, {"max_hops", hops}});
        } else {
            w.app(f.from, "traceroute", {{"to", f.to}});
        }
    }
}

AddressPlan plan_or_fail(const Options& o, std::string_view option, std::string_view context,
                         uint64_t routers, uint64_t hosts_per_router, uint64_t routers_per_group,
                         uint64_t router_links) {
    auto plan = AddressPlan::make(routers, hosts_per_router, routers_per_group, router_links);
    if (!plan) o.fail(option, fmt::format("{}: {}", context, plan.error()));
    return *plan;
}

// ---------------------------------------------------------------------------
// The generators

void dumbbell(const Options& o, std::ostream& out) {
    const uint64_t n = o.count("flows", 1, max_count);
    const LinkText leaf{o.rate("leaf-rate"), o.delay("leaf-delay"), o.queue("queue")};
    const LinkText bottleneck{o.rate("bottleneck-rate"), o.delay("bottleneck-delay")};
    const Common common = read_common(o, {"tcp", "udp", "ping", "none"});
    const AddressPlan plan = plan_or_fail(o, "flows", fmt::format("{}", n), 2, n, 1, 1);

    std::vector<Flow> flows;
    for (uint64_t i = 0; i < n; ++i)
        flows.push_back({fmt::format("l{}", i), fmt::format("r{}", i)});

    TopologyWriter w(out);
    write_top(w, o, common,
              fmt::format("Hosts l0…l{} on router left, r0…r{} on router right; left's hosts' "
                          "links in {}, right's in {}; the bottleneck in {}.",
                          n - 1, n - 1, plan.router_block(0), plan.router_block(1),
                          AddressPlan::router_space));
    w.link_defaults(leaf);
    w.begin("hosts");
    for (uint64_t side = 0; side < 2; ++side) {
        for (uint64_t i = 0; i < n; ++i)
            w.host(side == 0 ? flows[i].from : flows[i].to, plan.host_link(side, i)[0].address);
    }
    w.begin("routers");
    w.router("left");
    w.router("right");
    w.begin("links");
    w.link("left", "right", plan.router_link(0), bottleneck, "bottleneck");
    for (uint64_t side = 0; side < 2; ++side) {
        for (uint64_t i = 0; i < n; ++i) {
            w.link(side == 0 ? "left" : "right", side == 0 ? flows[i].from : flows[i].to,
                   plan.host_link(side, i));
        }
    }
    write_apps(w, common, flows);
}

void star(const Options& o, std::ostream& out) {
    const uint64_t n = o.count("hosts", 2, max_count);
    const LinkText link{o.rate("rate"), o.delay("delay"), o.queue("queue")};
    const Common common = read_common(o, {"tcp", "udp", "ping", "none"});
    const std::string_view pattern = o.choice("pattern", {"pairs", "incast"});
    const AddressPlan plan = plan_or_fail(o, "hosts", fmt::format("{}", n), 1, n, 1, 0);

    auto host = [](uint64_t i) { return fmt::format("h{}", i); };
    std::vector<Flow> flows;
    if (pattern == "pairs") {
        for (uint64_t i = 0; i < n / 2; ++i)
            flows.push_back({host(i), host(i + n / 2)});
    } else {
        for (uint64_t i = 1; i < n; ++i)
            flows.push_back({host(i), host(0)});
    }

    TopologyWriter w(out);
    write_top(w, o, common,
              fmt::format("Hosts h0…h{} around router hub; their links in {}.", n - 1,
                          plan.router_block(0)));
    w.link_defaults(link);
    w.begin("hosts");
    for (uint64_t i = 0; i < n; ++i)
        w.host(host(i), plan.host_link(0, i)[0].address);
    w.begin("routers");
    w.router("hub");
    w.begin("links");
    for (uint64_t i = 0; i < n; ++i)
        w.link("hub", host(i), plan.host_link(0, i));
    write_apps(w, common, flows);
}

// `count` distinct hosts of `hosts`, in an order drawn from `seed`: the first
// `count` places of a Fisher–Yates shuffle.
std::vector<uint32_t> pick_hosts(uint64_t hosts, uint64_t count, uint64_t seed) {
    std::vector<uint32_t> order(hosts);
    std::iota(order.begin(), order.end(), uint32_t{0});
    base::RandomStream random(base::Seed(seed).derive("topology/tree/flows"));
    for (uint64_t i = 0; i < count; ++i)
        std::swap(order[i], order[i + random.uniform(hosts - i)]);
    order.resize(count);
    return order;
}

void tree(const Options& o, std::ostream& out) {
    const uint64_t routers = o.count("routers", 1, max_count);
    const uint64_t per_router = o.count("hosts-per-router", 1, max_count);
    const uint64_t per_core = o.count("routers-per-core", 1, max_count);
    const LinkText host_link{o.rate("host-rate"), o.delay("host-delay"), o.queue("queue")};
    const LinkText uplink{o.rate("uplink-rate"), o.delay("uplink-delay")};
    const LinkText core_link{o.rate("core-rate"), o.delay("core-delay")};
    const Common common = read_common(o, {"tcp", "udp", "ping", "none"});

    constexpr uint64_t max_cores = 256;
    const uint64_t cores = (routers + per_core - 1) / per_core;
    if (cores > max_cores) {
        o.fail("routers-per-core",
               fmt::format("{} makes {} core routers for --routers {}; a full mesh of at most {} "
                           "is allowed, so at least {} access routers per core router",
                           per_core, cores, routers, max_cores,
                           (routers + max_cores - 1) / max_cores));
    }
    const uint64_t mesh = cores * (cores - 1) / 2;
    const AddressPlan plan = plan_or_fail(o, "hosts-per-router",
                                          fmt::format("{} with --routers {}", per_router, routers),
                                          routers, per_router, per_core, routers + mesh);
    const uint64_t hosts = routers * per_router;
    // Left out, --flows is 4, or fewer when there are not enough hosts.
    const uint64_t flow_count =
        o.given("flows") ? o.count("flows", 1, max_count) : std::min<uint64_t>(4, hosts / 2);
    if (common.any() && flow_count == 0)
        o.fail("app", fmt::format("{} needs two hosts; there is one", common.kind));
    if (common.any() && flow_count > hosts / 2) {
        o.fail("flows", fmt::format("{} is more than the {} pairs that {} hosts make (a host is in "
                                    "at most one flow)",
                                    flow_count, hosts / 2, hosts));
    }

    auto host = [&](uint64_t i) { return fmt::format("h{}-{}", i / per_router, i % per_router); };
    std::vector<Flow> flows;
    if (common.any()) {
        const std::vector<uint32_t> picked = pick_hosts(hosts, 2 * flow_count, common.seed);
        for (uint64_t f = 0; f < flow_count; ++f)
            flows.push_back({host(picked[2 * f]), host(picked[2 * f + 1])});
    }

    TopologyWriter w(out);
    write_top(
        w, o, common,
        fmt::format("{} hosts, {} access routers r0…r{}, {} core router{} c0…c{}. The links of "
                    "each access router's hosts are in one /{} of {}, those under each core "
                    "router in one /{}; links between routers are in {}.",
                    hosts, routers, routers - 1, cores, cores == 1 ? "" : "s", cores - 1,
                    plan.router_block(0).prefix_len, AddressPlan::host_space,
                    plan.group_block(0).prefix_len, AddressPlan::router_space));
    w.link_defaults(host_link);
    w.begin("hosts");
    std::string name;
    for (uint64_t k = 0; k < routers; ++k) {
        for (uint64_t j = 0; j < per_router; ++j) {
            name.clear();
            fmt::format_to(std::back_inserter(name), "h{}-{}", k, j);
            w.host(name, plan.host_link(k, j)[0].address);
        }
    }
    w.begin("routers");
    for (uint64_t c = 0; c < cores; ++c)
        w.router(fmt::format("c{}", c));
    for (uint64_t k = 0; k < routers; ++k)
        w.router(fmt::format("r{}", k));
    w.begin("links");
    w.comment("Access routers to their core routers.");
    for (uint64_t k = 0; k < routers; ++k)
        w.link(fmt::format("c{}", k / per_core), fmt::format("r{}", k), plan.router_link(k),
               uplink);
    if (mesh > 0) w.comment("The core routers' full mesh.");
    uint64_t next = routers;
    for (uint64_t a = 0; a < cores; ++a) {
        for (uint64_t b = a + 1; b < cores; ++b)
            w.link(fmt::format("c{}", a), fmt::format("c{}", b), plan.router_link(next++),
                   core_link);
    }
    for (uint64_t k = 0; k < routers; ++k) {
        const std::string router = fmt::format("r{}", k);
        w.comment(fmt::format("{}'s hosts: {}", router, plan.router_block(k)));
        for (uint64_t j = 0; j < per_router; ++j) {
            name.clear();
            fmt::format_to(std::back_inserter(name), "h{}-{}", k, j);
            w.link(router, name, plan.host_link(k, j));
        }
    }
    write_apps(w, common, flows);
}

void chain(const Options& o, std::ostream& out) {
    const uint64_t n = o.count("routers", 1, 254);
    const LinkText link{o.rate("rate"), o.delay("delay"), o.queue("queue")};
    const Common common = read_common(o, {"traceroute", "ping", "tcp", "udp", "none"});
    // With one router it holds both hosts' links; else r1 holds h0's, rN h1's.
    const uint64_t with_hosts = n == 1 ? 1 : 2;
    const AddressPlan plan =
        plan_or_fail(o, "routers", fmt::format("{}", n), with_hosts, 3 - with_hosts, 1, n - 1);
    const std::array<wire::Ipv4Cidr, 2> h0_link = plan.host_link(0, 0);
    const std::array<wire::Ipv4Cidr, 2> h1_link = plan.host_link(with_hosts - 1, 2 - with_hosts);
    // A packet crosses n routers: beyond 63 the default TTL of 64 runs out.
    const std::optional<uint8_t> ttl = n >= 64 ? std::optional<uint8_t>(255) : std::nullopt;
    // traceroute tries 30 hops unless told; 0 leaves it at that.
    const uint64_t hops = n + 1 > 30 ? n + 1 : 0;
    auto router = [](uint64_t i) { return fmt::format("r{}", i); };

    TopologyWriter w(out);
    const std::string path = n == 1   ? "h0 - r1 - h1"
                             : n == 2 ? "h0 - r1 - r2 - h1"
                                      : fmt::format("h0 - r1 - … - r{} - h1", n);
    write_top(
        w, o, common,
        fmt::format("{}; h0's link in {}, h1's in {}, the others in {}.{}", path,
                    plan.router_block(0), plan.router_block(with_hosts - 1),
                    AddressPlan::router_space,
                    ttl ? " Every node sends with TTL 255, enough for the whole chain." : ""));
    w.link_defaults(link);
    w.begin("hosts");
    w.host("h0", h0_link[0].address, ttl);
    w.host("h1", h1_link[0].address, ttl);
    w.begin("routers");
    for (uint64_t i = 1; i <= n; ++i)
        w.router(router(i), ttl);
    w.begin("links");
    w.link(router(1), "h0", h0_link);
    for (uint64_t i = 1; i < n; ++i)
        w.link(router(i), router(i + 1), plan.router_link(i - 1));
    w.link(router(n), "h1", h1_link);
    write_apps(w, common, {{"h0", "h1"}}, hops);
}

using GenerateFn = void (*)(const Options&, std::ostream&);

GenerateFn function_of(std::string_view generator) {
    constexpr std::pair<std::string_view, GenerateFn> table[] = {
        {"dumbbell", dumbbell}, {"star", star}, {"tree", tree}, {"chain", chain}};
    for (const auto& [name, fn] : table) {
        if (name == generator) return fn;
    }
    return nullptr;
}

}  // namespace

const GeneratorOption* Generator::find(std::string_view option) const {
    const auto it = std::find_if(options.begin(), options.end(),
                                 [&](const GeneratorOption& o) { return o.name == option; });
    return it == options.end() ? nullptr : &*it;
}

const std::vector<Generator>& generators() {
    static const std::vector<Generator> all = make_catalog();
    return all;
}

const Generator* find_generator(std::string_view name) {
    const auto& all = generators();
    const auto it =
        std::find_if(all.begin(), all.end(), [&](const Generator& g) { return g.name == name; });
    return it == all.end() ? nullptr : &*it;
}

base::Expected<void, GenerateError> generate_topology(std::string_view generator,
                                                      const GeneratorOptions& options,
                                                      std::ostream& out) {
    const Generator* g = find_generator(generator);
    if (!g) {
        std::string known;
        for (const Generator& each : generators())
            known += fmt::format("{}{}", known.empty() ? "" : ", ", each.name);
        return base::fail(
            GenerateError{{}, fmt::format("unknown generator '{}' (known: {})", generator, known)});
    }
    try {
        function_of(g->name)(Options(*g, options), out);
    } catch (const Failure& f) {
        return base::fail(f.error);
    }
    return {};
}

}  // namespace sim
