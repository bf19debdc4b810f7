#include "cli/sim_commands.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "apps/ping.hpp"
#include "apps/traceroute.hpp"
#include "cli/launcher.hpp"
#include "cli/session.hpp"

namespace cli {
namespace {

std::unique_ptr<Session> open_or_report(const char* command, const SimCommonOptions& c) {
    auto session = Session::open({.topology_path = c.topology,
                                  .seed = c.seed,
                                  .capture_dir = c.capture_dir,
                                  .events_path = c.events_path,
                                  .log = c.log});
    if (!session) {
        fmt::print(stderr, "minternet {}: {}\n", command, session.error());
        return nullptr;
    }
    return std::move(*session);
}

sim::Node* find_host(const char* command, Session& s, const std::string& name) {
    if (sim::Node* n = s.network().find_node(name)) return n;
    std::string known;
    for (const auto& n : s.network().nodes())
        known += (known.empty() ? "" : ", ") + n->name();
    fmt::print(stderr, "minternet {}: {} has no node '{}' (nodes: {})\n", command,
               s.topology().file, name, known);
    return nullptr;
}

std::optional<wire::Ipv4Address> find_destination(const char* command, Session& s,
                                                  const std::string& dest) {
    if (auto a = s.network().resolve(dest)) return a;
    fmt::print(stderr, "minternet {}: '{}' is neither a node of {} nor an IPv4 address\n", command,
               dest, s.topology().file);
    return std::nullopt;
}

}  // namespace

int run_ping(const PingCommand& c, std::FILE* out) {
    auto session = open_or_report("ping", c.common);
    if (!session) return 2;
    sim::Node* node = find_host("ping", *session, c.host);
    if (!node) return 2;
    const auto dest = find_destination("ping", *session, c.destination);
    if (!dest) return 2;

    const apps::PingOptions options{.destination = *dest,
                                    .destination_name = c.destination,
                                    .count = c.count,
                                    .interval = base::Duration::from_seconds(c.interval_s),
                                    .size = static_cast<size_t>(c.size),
                                    .ttl = static_cast<uint8_t>(c.ttl),
                                    .linger = base::Duration::from_seconds(c.linger_s)};
    auto print = [out](const std::string& line) { fmt::print(out, "{}\n", line); };
    auto ping = std::make_unique<apps::Ping>(node->host(), options, print);
    bool crashed = false;
    node->on_crash([&](sim::Node&) {
        ping.reset();
        crashed = true;
    });
    ping->start(session->sim().now());
    node->wake();
    const base::Time limit = session->sim().now() + options.interval * c.count + options.linger +
                             base::Duration::seconds(1);
    session->sim().run_until([&] { return crashed || ping->done(); }, limit);
    session->flush();
    if (crashed) {
        fmt::print(stderr, "minternet ping: {} crashed\n", c.host);
        return 2;
    }
    return ping->stats().received > 0 ? 0 : 1;
}

int run_traceroute(const TracerouteCommand& c, std::FILE* out) {
    auto session = open_or_report("traceroute", c.common);
    if (!session) return 2;
    sim::Node* node = find_host("traceroute", *session, c.host);
    if (!node) return 2;
    const auto dest = find_destination("traceroute", *session, c.destination);
    if (!dest) return 2;
    const apps::TracerouteOptions options{.destination = *dest,
                                          .destination_name = c.destination,
                                          .max_hops = c.max_hops,
                                          .probes = c.probes,
                                          .wait = base::Duration::from_seconds(c.wait_s)};
    sim::Network& net = session->network();
    auto trace = std::make_unique<apps::Traceroute>(
        node->host(), options, [out](const std::string& line) { fmt::print(out, "{}\n", line); },
        [&net](wire::Ipv4Address a) { return net.name_of(a); });
    bool crashed = false;
    node->on_crash([&](sim::Node&) {
        trace.reset();
        crashed = true;
    });
    trace->start(session->sim().now());
    node->wake();
    const base::Time limit =
        session->sim().now() + options.wait * (options.max_hops * options.probes + 1);
    session->sim().run_until([&] { return crashed || trace->done(); }, limit);
    session->flush();
    return crashed ? 2 : 0;
}

int run_topology(const RunCommand& c, std::FILE* out) {
    // Captures and the event log go to the output folder unless placed elsewhere.
    auto probe = sim::load_topology_file(c.common.topology);
    if (!probe) {
        fmt::print(stderr, "minternet run: {}\n", probe.error().to_string());
        return 2;
    }
    const std::string name = probe->name.empty()
                                 ? std::filesystem::path(c.common.topology).stem().string()
                                 : probe->name;
    const std::string out_dir = c.out_dir.empty() ? fmt::format("out/{}", name) : c.out_dir;
    SimCommonOptions common = c.common;
    if (common.capture_dir.empty()) common.capture_dir = out_dir + "/pcap";
    if (common.events_path.empty()) common.events_path = out_dir + "/events.jsonl";

    auto session = open_or_report("run", common);
    if (!session) return 2;
    auto launcher = Launcher::create(*session, [out](const AppLine& l) {
        fmt::print(out, "[{:>14}] {} {}: {}\n", base::to_string(l.time), l.node, l.app, l.text);
    });
    if (!launcher) {
        fmt::print(stderr, "minternet run: {}\n", launcher.error());
        return 2;
    }
    (*launcher)->schedule();

    // Run for the given duration, or until every application is done (at most
    // an hour of virtual time, so a run always ends).
    const std::optional<double> duration_s =
        c.duration_s ? c.duration_s
                     : (session->topology().duration
                            ? std::optional(session->topology().duration->seconds_f())
                            : std::nullopt);
    sim::Simulator& sim = session->sim();
    if (duration_s) {
        sim.run_for(base::Duration::from_seconds(*duration_s));
    } else {
        sim.run_until([&] { return (*launcher)->all_done(); },
                      base::Time::zero() + base::Duration::seconds(3600));
    }
    session->flush();
    fmt::print(out, "\nRan {} of virtual time, {} events, seed {}.\n", base::to_string(sim.now()),
               sim.events_executed(), session->seed());
    fmt::print(out, "Captures: {} ({} files)\nEvent log: {} ({} lines)\n", common.capture_dir,
               session->network().capture_files().size(), common.events_path,
               session->events() ? session->events()->lines() : 0);
    return (*launcher)->all_done() ? 0 : 1;
}

}  // namespace cli
