#include "cli/sim_commands.hpp"

#include <filesystem>
#include <set>

#include <fmt/color.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "apps/ping.hpp"
#include "apps/traceroute.hpp"
#include "cli/builtin_scenario.hpp"
#include "cli/progress.hpp"
#include "cli/session.hpp"
#include "hybrid/realtime.hpp"
#include "live/loop.hpp"
#include "report/flows.hpp"
#include "report/run_report.hpp"
#include "report/timeline.hpp"
#include "scenario/launcher.hpp"

namespace cli {
namespace {

using report::Layer;
using report::Timeline;
using report::TimelineLine;
using report::TimelineSummary;
using scenario::AppLine;
using scenario::Launcher;

std::unique_ptr<Session> open_or_report(const char* command, const SimCommonOptions& c,
                                        std::optional<sim::Topology> loaded = std::nullopt) {
    auto session = Session::open(
        {.topology_path = c.topology, .seed = c.seed, .topology = std::move(loaded), .log = c.log});
    if (!session) {
        fmt::print(stderr, "minternet {}: {}\n", command, session.error());
        return nullptr;
    }
    return std::move(*session);
}

// Records what the command line asks for, nothing more.
std::unique_ptr<Tracing> trace_as_asked(const char* command, Session& s,
                                        const SimCommonOptions& c) {
    auto plan = plan_tracing(s.network(), c.trace, ".", false);
    if (!plan) {
        fmt::print(stderr, "minternet {}: {}\n", command, plan.error());
        return nullptr;
    }
    auto tracing = Tracing::open(s.network(), *plan);
    if (!tracing) {
        fmt::print(stderr, "minternet {}: {}\n", command, tracing.error());
        return nullptr;
    }
    return std::move(*tracing);
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

std::optional<wire::IpAddress> find_destination(const char* command, Session& s,
                                                const std::string& dest) {
    if (auto a = s.network().resolve(dest)) return a;
    fmt::print(stderr, "minternet {}: '{}' is neither a node of {} nor an IP address\n", command,
               dest, s.topology().file);
    return std::nullopt;
}

// An IPv6 address is tentative until duplicate address detection has passed
// (a second): before pinging or tracing to an IPv6 destination, wait (at
// most five seconds) for an address to send from, as a program run right
// after `ip addr add` must.
void wait_for_ipv6_source(Session& s, stack::Host& host, const wire::IpAddress& dest) {
    if (!dest.is_v6()) return;
    s.sim().run_until([&] { return host.source_address_for(dest.v6()).has_value(); },
                      s.sim().now() + base::Duration::seconds(5));
}

// "[   2.012002912] client       TCP  SYN -> 200.200.200.2:80 seq=0 …"
void print_timeline_line(std::FILE* out, const TimelineLine& l, bool color) {
    const std::string head = fmt::format("[{:>14}] {:<12} {:<4} ", base::to_string(l.time), l.node,
                                         report::to_string(l.layer));
    if (!color) {
        fmt::print(out, "{}{}\n", head, l.text);
        return;
    }
    fmt::text_style style;
    switch (l.layer) {
        case Layer::dns:
            style = fmt::fg(fmt::terminal_color::cyan);
            break;
        case Layer::tcp:
            style = fmt::fg(fmt::terminal_color::green);
            break;
        case Layer::udp:
            style = fmt::fg(fmt::terminal_color::blue);
            break;
        case Layer::link:
        case Layer::node:
            style = fmt::fg(fmt::terminal_color::red);
            break;
        default:
            style = fmt::fg(fmt::terminal_color::yellow);
            break;
    }
    if (l.notable) style |= fmt::emphasis::bold;
    fmt::print(out, "{}{}\n", head, fmt::styled(l.text, style));
}

void print_summary(std::FILE* out, const TimelineSummary& s) {
    fmt::print(out,
               "\nSummary: {} packets sent by hosts; {} lost on links, {} retransmitted, {} "
               "reordered, {} duplicated; {} segments arrived out of order.\n",
               s.packets, s.lost, s.retransmitted, s.reordered, s.duplicated, s.out_of_order);
    auto ms = [](const std::optional<base::Duration>& d) {
        return d ? fmt::format("{:.1f} ms", d->seconds_f() * 1000) : std::string("-");
    };
    for (const auto& conn : s.connections)
        fmt::print(out, "  TCP {}: handshake {}, transfer {}\n", conn.name, ms(conn.handshake),
                   ms(conn.transfer));
}

// The summary without a timeline: what the links and the flows counted.
void print_counters(std::FILE* out, const sim::Network& network, const report::FlowTotals& t) {
    uint64_t lost = 0, queue_drops = 0, delivered = 0;
    for (const auto& l : network.links()) {
        for (int d = 0; d < 2; ++d) {
            const sim::Link::DirectionStats& s = l->stats(d);
            lost += s.dropped_loss + s.dropped_queue + s.dropped_down + s.dropped_too_big +
                    s.dropped_filtered;
            queue_drops += s.dropped_queue;
            delivered += s.delivered;
        }
    }
    fmt::print(out,
               "\nSummary: {} frames carried by links, {} lost on them ({} to full queues); {} "
               "flows, aggregate goodput {:.3f} Mbit/s.\n",
               delivered, lost, queue_drops, t.flows, t.goodput_bit_s / 1e6);
}

// What the kernel side of a TAP needs to be `node`: its address, its
// routes, its name servers.
void print_kernel_setup(std::FILE* out, sim::Node& node, const std::string& tap) {
    const stack::InterfaceConfig& ifc = node.config().interfaces.at(0);
    fmt::print(out, "{} is the kernel on {} now; on that side:\n", node.name(), tap);
    if (!ifc.address.address.is_unspecified())
        fmt::print(out, "  ip addr add {} dev {}\n", ifc.address.to_string(), tap);
    for (const wire::Ipv6Cidr& a : ifc.ipv6_addresses)
        fmt::print(out, "  ip -6 addr add {} dev {}\n", a.to_string(), tap);
    // An `auto` end: the router opposite advertises, and the kernel forms its
    // address and default route from that, as the simulated host would.
    if (ifc.ipv6 && ifc.ipv6_addresses.empty())
        fmt::print(out,
                   "  sysctl -w net.ipv6.conf.{}.accept_ra=1  (IPv6 address and default route "
                   "from the router's advertisements)\n",
                   tap);
    fmt::print(out, "  ip link set {} up\n", tap);
    for (const stack::Route& r : node.host().routes().routes()) {
        if (!r.gateway) continue;
        const std::string dest =
            r.destination.prefix_len == 0 ? std::string("default") : r.destination.to_string();
        fmt::print(out, "  ip route add {} via {} dev {}\n", dest, r.gateway->to_string(), tap);
    }
    for (const stack::Ipv6Route& r : node.host().routes6().routes()) {
        if (!r.gateway || r.source == stack::RouteSource::advertised) continue;
        const std::string dest =
            r.destination.prefix_len == 0 ? std::string("default") : r.destination.to_string();
        fmt::print(out, "  ip -6 route add {} via {} dev {}\n", dest, r.gateway->to_string(), tap);
    }
    for (const wire::IpAddress& ns : node.config().host.nameservers)
        fmt::print(out, "  (its name server: {})\n", ns.to_string());
}

// Hybrid mode: the simulation on the wall clock, hosts replaced by TAPs.
// Ends at --duration (or the file's), when every application is done if no
// TAP is attached, or at SIGINT/SIGTERM.
int run_realtime(const RunCommand& c, Session& session, Launcher& launcher,
                 std::optional<double> duration_s, std::FILE* out) {
    // People (and scripts) watch a real-time run as it goes: a line at a time.
    std::setvbuf(out, nullptr, _IOLBF, 0);
    auto loop = live::Loop::create();
    if (!loop) {
        fmt::print(stderr, "minternet run: {}\n", loop.error());
        return 2;
    }
    hybrid::RealtimeSimulation realtime(**loop, session.network());
    for (const std::string& spec : c.taps) {
        const size_t eq = spec.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
            fmt::print(stderr, "minternet run: --tap '{}': expected HOST=TAP, as client=mtap0\n",
                       spec);
            return 2;
        }
        const std::string node = spec.substr(0, eq), tap = spec.substr(eq + 1);
        if (auto ok = realtime.replace_with_tap(node, tap, c.tap_offload); !ok) {
            fmt::print(stderr, "minternet run: {}\n", ok.error());
            return 2;
        }
        if (const size_t n = launcher.leave_out(node))
            fmt::print(out, "{}: its {} application(s) in the file do not run: the kernel is {}\n",
                       node, n, node);
        print_kernel_setup(out, *session.network().find_node(node), tap);
    }
    launcher.schedule();

    const bool with_taps = !c.taps.empty();
    fmt::print(out, "Running in real time{}; Ctrl-C stops.\n",
               duration_s ? fmt::format(" for {} s", *duration_s) : std::string());
    std::fflush(out);
    bool interrupted = false;
    (*loop)->on_stop_signal([&] {
        interrupted = true;
        (*loop)->stop();
    });
    const base::Time started = live::Loop::now();
    if (duration_s)
        (*loop)->at(started + base::Duration::from_seconds(*duration_s), [&] { (*loop)->stop(); });
    // Without a TAP the run ends with its applications, as in virtual time.
    std::function<void()> check_done = [&] {
        if (!with_taps && !duration_s && launcher.all_done()) return (*loop)->stop();
        (*loop)->after(base::Duration::milliseconds(50), check_done);
    };
    check_done();
    realtime.start();
    auto ran = (*loop)->run();
    realtime.catch_up();

    sim::Simulator& sim = session.sim();
    fmt::print(out, "\nRan {} in real time{}, {} events, seed {}.\n", base::to_string(sim.now()),
               interrupted ? " (stopped by a signal)" : "", sim.events_executed(), session.seed());
    for (const auto& p : realtime.ports()) {
        fmt::print(out,
                   "{} on {}: {} frames from the kernel, {} to it ({} dropped by a full queue); "
                   "offloads {}: {} large segments cut into {} frames, {} with a bad virtio-net "
                   "header\n",
                   p.node, p.tap, p.stats.frames_in, p.stats.frames_out, p.stats.write_drops,
                   p.offloads ? "on" : "off", p.stats.large_segments, p.stats.segments_cut,
                   p.stats.bad_vnet);
    }
    if (realtime.late_catch_ups() > 0)
        fmt::print(out, "The simulation fell behind the clock {} times (by more than 10 ms).\n",
                   realtime.late_catch_ups());
    if (!ran) {
        fmt::print(stderr, "minternet run: {}\n", ran.error());
        return 2;
    }
    if (realtime.failure()) {
        fmt::print(stderr, "minternet run: {}\n", *realtime.failure());
        return 2;
    }
    return with_taps || launcher.all_done() ? 0 : 1;
}

}  // namespace

int run_ping(const PingCommand& c, std::FILE* out) {
    auto session = open_or_report("ping", c.common);
    if (!session) return 2;
    auto tracing = trace_as_asked("ping", *session, c.common);
    if (!tracing) return 2;
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
    wait_for_ipv6_source(*session, node->host(), *dest);
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
    tracing->flush();
    if (crashed) {
        fmt::print(stderr, "minternet ping: {} crashed\n", c.host);
        return 2;
    }
    return ping->stats().received > 0 ? 0 : 1;
}

int run_traceroute(const TracerouteCommand& c, std::FILE* out) {
    auto session = open_or_report("traceroute", c.common);
    if (!session) return 2;
    auto tracing = trace_as_asked("traceroute", *session, c.common);
    if (!tracing) return 2;
    sim::Node* node = find_host("traceroute", *session, c.host);
    if (!node) return 2;
    const auto dest = find_destination("traceroute", *session, c.destination);
    if (!dest) return 2;
    wait_for_ipv6_source(*session, node->host(), *dest);
    const apps::TracerouteOptions options{.destination = *dest,
                                          .destination_name = c.destination,
                                          .max_hops = c.max_hops,
                                          .probes = c.probes,
                                          .wait = base::Duration::from_seconds(c.wait_s)};
    sim::Network& net = session->network();
    auto trace = std::make_unique<apps::Traceroute>(
        node->host(), options, [out](const std::string& line) { fmt::print(out, "{}\n", line); },
        [&net](const wire::IpAddress& a) { return net.name_of(a); });
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
    tracing->flush();
    return crashed ? 2 : 0;
}

int run_topology(const RunCommand& given, std::FILE* out) {
    RunCommand c = given;
    if (c.common.topology.empty()) {
        // The seeds' scenario: written out beside its captures, then run.
        const std::string dir =
            (c.out_dir.empty() ? std::string("out/seeds") : c.out_dir) + "/scenario";
        auto written = write_builtin_scenario(dir);
        if (!written) {
            fmt::print(stderr, "minternet run: {}\n", written.error());
            return 2;
        }
        c.common.topology = *written;
        if (!c.json && !c.quiet)
            fmt::print(out,
                       "The seeds' scenario ({}): a client asks DNS for kiminje.shop, says "
                       "\"Hello!\" over TCP, hears \"OK\", then fetches a page across a link "
                       "that loses and reorders packets.\n\n",
                       *written);
    }
    // What the run writes goes to the output folder unless placed elsewhere.
    auto probe = sim::load_topology_file(c.common.topology);
    if (!probe) {
        fmt::print(stderr, "minternet run: {}\n", probe.error().to_string());
        return 2;
    }
    const std::string name = probe->name.empty()
                                 ? std::filesystem::path(c.common.topology).stem().string()
                                 : probe->name;
    const std::string out_dir = c.out_dir.empty() ? fmt::format("out/{}", name) : c.out_dir;

    auto session = open_or_report("run", c.common, std::move(*probe));
    if (!session) return 2;
    sim::Network& network = session->network();
    auto plan = plan_tracing(network, c.common.trace, out_dir, true);
    if (!plan) {
        fmt::print(stderr, "minternet run: {}\n", plan.error());
        return 2;
    }
    auto opened = Tracing::open(network, *plan);
    if (!opened) {
        fmt::print(stderr, "minternet run: {}\n", opened.error());
        return 2;
    }
    std::unique_ptr<Tracing> tracing = std::move(*opened);
    // What the run prints as it goes: the timeline (events and what the
    // applications say, in time order), or the events as JSON, or nothing.
    // The report hears the same events after the timeline and keeps its lines.
    std::optional<report::RunReport> run_report;
    if (plan->report) run_report.emplace(network);
    // The timeline prints, feeds the report its lines, or (with neither)
    // only counts for the summary.
    std::optional<Timeline> timeline;
    const bool print_lines = plan->timeline && !c.json && !c.quiet;
    if (plan->timeline || run_report) {
        Timeline::Sink lines;
        if (print_lines || run_report)
            lines = [&](const TimelineLine& l) {
                if (run_report) run_report->line(l);
                if (print_lines) print_timeline_line(out, l, c.color);
            };
        timeline.emplace(network, std::move(lines), c.all);
    }
    std::optional<sim::EventLog> json_out;
    if (c.json)
        json_out.emplace([out](std::string_view text) { fmt::print(out, "{}", text); }, network,
                         true);
    report::FlowStats flows(network);
    // In this order: the JSON lines, the timeline, the report (which ties
    // the timeline's lines to packets), the flows.
    sim::Tracer& tracer = network.tracer();
    std::vector<sim::EventSink*> sinks;
    if (json_out) sinks.push_back(&*json_out);
    if (timeline) sinks.push_back(&*timeline);
    if (run_report) sinks.push_back(&*run_report);
    sinks.push_back(&flows);
    for (sim::EventSink* sink : sinks)
        tracer.add(sink);
    // The run is over: what the teardown tells (connections reset as the
    // programs go) reaches the files, not the sinks here, which go first.
    struct DetachOnReturn {
        sim::Tracer& tracer;
        std::vector<sim::EventSink*>& sinks;
        ~DetachOnReturn() {
            for (sim::EventSink* sink : sinks)
                tracer.remove(sink);
        }
    } detach{tracer, sinks};
    auto stop_listening = [&] {
        for (sim::EventSink* sink : sinks)
            tracer.remove(sink);
        sinks.clear();
    };
    if (plan->off_by_size)
        fmt::print(c.json ? stderr : out,
                   "{} has {} nodes: tracing is off for a topology this large (more than {}). "
                   "--capture all, --events on, --report on and a trace: section turn it on "
                   "(docs/topology.md, \"Tracing\"); the flow statistics are written "
                   "whatever is off.\n\n",
                   c.common.topology, network.nodes().size(), large_topology_nodes);

    // --duration, or the file's; none: until the applications are done.
    const std::optional<double> duration_s =
        c.duration_s ? c.duration_s
                     : (session->topology().duration
                            ? std::optional(session->topology().duration->seconds_f())
                            : std::nullopt);
    auto launcher = Launcher::create(session->network(), [&c, out](const AppLine& l) {
        if (c.quiet) return;
        if (c.json) {
            fmt::print(out,
                       "{{\"t_ns\":{},\"node\":{},\"event\":\"app\",\"app\":{},\"text\":{}}}\n",
                       l.time.ns(), nlohmann::json(l.node).dump(), nlohmann::json(l.app).dump(),
                       nlohmann::json(l.text).dump());
            return;
        }
        fmt::print(out, "[{:>14}] {} {}: {}\n", base::to_string(l.time), l.node, l.app, l.text);
    });
    if (!launcher) {
        fmt::print(stderr, "minternet run: {}\n", launcher.error());
        return 2;
    }
    sim::Simulator& sim = session->sim();
    // What the run leaves behind, said after the summary.
    auto finish = [&](std::FILE* trailer) {
        // Connections still open report their counters to the flow statistics.
        (*launcher)->report_open_flows();
        stop_listening();
        tracing->flush();
        if (timeline) timeline->flush();
        const std::vector<report::Flow> rows = flows.flows();
        const report::FlowTotals totals = report::FlowStats::totals(rows);
        if (!c.json && timeline) {
            print_summary(out, timeline->summary());
        } else if (!c.json) {
            print_counters(out, network, totals);
        }
        fmt::print(trailer, "\nRan {} of virtual time, {} events, seed {}.\n",
                   base::to_string(sim.now()), sim.events_executed(), session->seed());
        if (const sim::Capture* capture = tracing->capture())
            fmt::print(trailer, "Captures: {} ({} interfaces, {} frames)\n",
                       capture->options().path, capture->interfaces(), capture->frames());
        if (const sim::EventLog* events = tracing->events())
            fmt::print(trailer, "Event log: {} ({} lines)\n", *plan->events, events->lines());
        if (auto written = flows.write(out_dir, name, session->seed(), sim.now()); !written) {
            fmt::print(stderr, "minternet run: the flow statistics: {}\n", written.error());
            return false;
        }
        fmt::print(trailer,
                   "Flows: {}/flows.csv ({} flows, aggregate goodput {:.3f} Mbit/s, Jain's "
                   "fairness index {:.3f})\n",
                   out_dir, totals.flows, totals.goodput_bit_s / 1e6, totals.jain_index);
        if (run_report) {
            const report::RunInfo info{.name = name,
                                       .seed = session->seed(),
                                       .end = sim.now(),
                                       .summary = timeline->summary()};
            if (auto written = run_report->write_html(*plan->report, info); !written) {
                fmt::print(stderr, "minternet run: the report: {}\n", written.error());
                return false;
            }
            fmt::print(trailer, "Report: {} (open it in a browser)\n", *plan->report);
        }
        return true;
    };
    if (c.realtime || !c.taps.empty()) {
        const int status = run_realtime(c, *session, **launcher, duration_s, out);
        if (!finish(c.json ? stderr : out)) return 2;
        return status;
    }
    (*launcher)->schedule();

    // Run for the given duration, or until every application is done (at most
    // an hour of virtual time, so a run always ends).
    const base::Time end = duration_s ? sim.now() + base::Duration::from_seconds(*duration_s)
                                      : base::Time::zero() + base::Duration::seconds(3600);
    Progress progress(stderr, c.progress, duration_s ? std::optional(end) : std::nullopt);
    sim.run_until(
        [&] {
            progress.tick(sim.now(), sim.events_executed());
            return !duration_s && (*launcher)->all_done();
        },
        end);
    if (duration_s && sim.now() < end) sim.run_for(end - sim.now());  // the clock to the end
    progress.finish();
    // With --json the output is JSON lines only; the rest goes to stderr.
    if (!finish(c.json ? stderr : out)) return 2;
    return (*launcher)->all_done() ? 0 : 1;
}

}  // namespace cli
