// The `minternet` command.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>

#include <CLI/CLI.hpp>

#include "base/log.hpp"
#include "cli/dns_commands.hpp"
#include "cli/explain.hpp"
#include "cli/hello.hpp"
#include "cli/live_command.hpp"
#include "cli/sim_commands.hpp"
#include "cli/topology_command.hpp"

namespace {

void add_common(CLI::App* cmd, cli::SimCommonOptions& c) {
    cmd->add_option("--seed", c.seed, "Override the topology's seed");
    cmd->add_option("--pcap-dir", c.trace.pcap_dir,
                    "Write a pcap file per interface into this folder");
    cmd->add_option("--events", c.trace.events, "none, or the file for the JSON-lines event log");
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"minternet: a user-space Internet — TCP/IP stack, DNS, simulator"};
    app.require_subcommand(1);

    cli::HelloOptions hello;
    CLI::App* hello_cmd =
        app.add_subcommand("hello", "Wrap a message in TCP, IP and Ethernet and show every layer");
    hello_cmd->add_option("--message,-m", hello.message, "The application data")
        ->capture_default_str();
    hello_cmd->add_option("--pcap", hello.pcap_path, "Also write the frame to this pcap file");

    cli::RunCommand run;
    CLI::App* run_cmd = app.add_subcommand(
        "run", "Run a topology file in the simulator, with its faults and applications");
    run_cmd->add_option("topology", run.common.topology,
                        "Topology file (YAML); none: the built-in scenario of the seeds");
    run_cmd->add_option("--out", run.out_dir,
                        "Folder for captures and the event log (default out/NAME)");
    run_cmd
        ->add_option("--duration", run.duration_s,
                     "Seconds of virtual time to run (default: until the apps finish)")
        ->check(CLI::PositiveNumber);
    run_cmd->add_flag("--realtime", run.realtime,
                      "Run on the wall clock (virtual time = time since start)");
    run_cmd->add_option("--tap", run.taps,
                        "HOST=TAP: the kernel, on TAP device TAP, takes the place of HOST "
                        "(implies --realtime; needs root)");
    run_cmd
        ->add_option_function<std::string>(
            "--offload", [&](const std::string& v) { run.tap_offload = v == "on"; },
            "With --tap: on (default: take the kernel's checksum and segmentation offloads "
            "where it grants them; large segments are cut to the link's MTU) or off")
        ->check(CLI::IsMember({"on", "off"}));
    run_cmd->add_flag("--json", run.json,
                      "Print the events as JSON lines (as events.jsonl) instead of the timeline");
    run_cmd->add_flag("--quiet,-q", run.quiet, "Print the summary only");
    run_cmd->add_flag("--all", run.all,
                      "Show every segment (long runs of data and ACKs in order are counted, "
                      "not shown, by default)");
    add_common(run_cmd, run.common);
    run_cmd->add_option("--trace", run.common.trace.preset,
                        "all or none: record everything (captures, event log, report, "
                        "timeline) or nothing but the summary and the flow statistics; "
                        "the options below override it one by one");
    run_cmd->add_option("--capture", run.common.trace.capture,
                        "all, none, or NODE[:IFACE],… : the interfaces to capture");
    run_cmd->add_option("--capture-format", run.common.trace.capture_format,
                        "pcap (a file per interface) or pcapng (one file)");
    run_cmd->add_option("--report", run.common.trace.report,
                        "none, or the file for the HTML report");

    CLI::App* topology_cmd = cli::add_topology_command(app);

    cli::ExplainCommand explain;
    CLI::App* explain_cmd = app.add_subcommand(
        "explain", "One packet of a run as nested layers, with each layer's bytes");
    explain_cmd->add_option("run", explain.run_dir, "The folder a run wrote (out/NAME)")
        ->required();
    explain_cmd->add_option("packet", explain.packet,
                            "The packet's number (without it: the list of the run's packets)");

    cli::PingCommand ping;
    CLI::App* ping_cmd =
        app.add_subcommand("ping", "Ping from a simulated host, as iputils ping prints it");
    ping_cmd->add_option("topology", ping.common.topology, "Topology file (YAML)")->required();
    ping_cmd->add_option("host", ping.host, "The node that pings")->required();
    ping_cmd->add_option("destination", ping.destination, "A node name or an IPv4 address")
        ->required();
    ping_cmd->add_option("-c,--count", ping.count, "Echo requests to send")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    ping_cmd->add_option("-i,--interval", ping.interval_s, "Seconds between requests")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    ping_cmd->add_option("-s,--size", ping.size, "Data bytes per request")
        ->check(CLI::Range(0, 65507))
        ->capture_default_str();
    ping_cmd->add_option("-t,--ttl", ping.ttl, "IP time to live")->check(CLI::Range(1, 255));
    ping_cmd
        ->add_option("-W,--linger", ping.linger_s,
                     "Seconds to wait for replies after the last request")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    add_common(ping_cmd, ping.common);

    cli::TracerouteCommand trace;
    CLI::App* trace_cmd = app.add_subcommand(
        "traceroute", "Trace the route from a simulated host, as traceroute prints it");
    trace_cmd->add_option("topology", trace.common.topology, "Topology file (YAML)")->required();
    trace_cmd->add_option("host", trace.host, "The node that traces")->required();
    trace_cmd->add_option("destination", trace.destination, "A node name or an IPv4 address")
        ->required();
    trace_cmd->add_option("-m,--max-hops", trace.max_hops, "Largest TTL to try")
        ->check(CLI::Range(1, 255))
        ->capture_default_str();
    trace_cmd->add_option("-q,--queries", trace.probes, "Probes per hop")
        ->check(CLI::Range(1, 10))
        ->capture_default_str();
    trace_cmd->add_option("-w,--wait", trace.wait_s, "Seconds to wait for each probe")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    add_common(trace_cmd, trace.common);

    CLI::App* dns_cmd = app.add_subcommand("dns", "DNS on the operating system's sockets");
    dns_cmd->require_subcommand(1);
    cli::DnsServeCommand serve;
    CLI::App* serve_cmd = dns_cmd->add_subcommand("serve", "An authoritative DNS server");
    serve_cmd->add_option("--zone", serve.zones, "A zone file (RFC 1035 master file); repeat")
        ->required()
        ->check(CLI::ExistingFile);
    serve_cmd
        ->add_option("--listen", serve.listen,
                     "ADDRESS:PORT (IPv6: [ADDRESS]:PORT) for UDP and TCP")
        ->capture_default_str();
    serve_cmd->add_option("--allow-update", serve.allow_update,
                          "An address that may send dynamic updates (RFC 2136); repeat");
    cli::DnsRecursorCommand recursor;
    CLI::App* recursor_cmd =
        dns_cmd->add_subcommand("recursor", "A recursive resolver, from the root down");
    recursor_cmd
        ->add_option("--root-hints", recursor.root_hints,
                     "Root servers: NS records for \".\" and their A records (named.root)")
        ->required()
        ->check(CLI::ExistingFile);
    recursor_cmd
        ->add_option("--listen", recursor.listen,
                     "ADDRESS:PORT (IPv6: [ADDRESS]:PORT) for UDP and TCP")
        ->capture_default_str();
    recursor_cmd->add_option("--allow", recursor.allow,
                             "A network (ADDRESS/PREFIX) whose clients may ask; repeat");
    recursor_cmd
        ->add_option("--upstream-port", recursor.upstream_port,
                     "The port to ask servers on (53 on the Internet)")
        ->capture_default_str();
    cli::DnsQueryCommand query;
    CLI::App* query_cmd =
        dns_cmd->add_subcommand("query", "Ask one question and print the answer as dig does");
    query_cmd->add_option("name", query.name, "The name to ask about")->required();
    query_cmd->add_option("type", query.type, "The record type (A, MX, TXT, TYPE65280, …)")
        ->capture_default_str();
    query_cmd->add_option("--server,-s", query.server, "ADDRESS[:PORT] of the server ([IPv6]:PORT)")
        ->capture_default_str();
    query_cmd->add_flag("--tcp", query.tcp, "Ask over TCP");
    query_cmd->add_flag("!--norecurse", query.recurse, "Clear RD (recursion desired)");
    query_cmd->add_flag("!--noedns", query.edns, "Send no EDNS OPT record");
    query_cmd->add_option("--timeout", query.timeout_s, "Seconds to wait for each try")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();

    cli::LiveCommand live_opts;
    CLI::App* live_cmd = app.add_subcommand(
        "live", "One host on a real TAP interface, with the kernel as its peer (docs/live.md)");
    live_cmd->add_option("--tap", live_opts.tap, "The TAP device (made if it does not exist)")
        ->required();
    live_cmd
        ->add_option("--address", live_opts.addresses,
                     "The host's ADDRESS/PREFIX, IPv4 or IPv6; repeat for both (one IPv4, any "
                     "number of IPv6)")
        ->required();
    live_cmd->add_option("--gateway", live_opts.gateways,
                         "The default gateway; repeat for one of each family");
    live_cmd->add_option("--mtu", live_opts.mtu, "The interface MTU")
        ->check(CLI::Range(576, 9000))
        ->capture_default_str();
    live_cmd->add_option("--serve", live_opts.serve,
                         "A service: http:PORT=DIR, dns:PORT=ZONE, echo:PORT, chat:PORT, "
                         "discard:PORT; repeat");
    live_cmd->add_option("--impair", live_opts.impair,
                         "Impairments both ways, as on a simulated link: "
                         "loss=3%,reorder=10%,delay=10ms,duplicate=1%");
    live_cmd->add_option("--nameserver", live_opts.nameservers, "A resolver for names; repeat");
    live_cmd->add_option("--get", live_opts.get,
                         "Fetch this http:// URL with our HTTP client (size, SHA-256, speed); "
                         "repeat");
    live_cmd->add_option("--output,-o", live_opts.output, "Write what --get fetched to this file");
    live_cmd->add_option("--send", live_opts.send,
                         "Send --bytes of a pattern to this ADDRESS:PORT (a discard server), "
                         "close, print the goodput");
    live_cmd->add_option("--bytes", live_opts.bytes, "How much --send sends")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    live_cmd->add_option("--seed", live_opts.seed,
                         "Derive every secret (sequence numbers, ports, DNS IDs, MAC) and the "
                         "impairments from this seed, to repeat a run; without it they come from "
                         "the OS");
    live_cmd
        ->add_option_function<std::string>(
            "--offload", [&](const std::string& v) { live_opts.offload = v == "on"; },
            "on (default: take the kernel's checksum and segmentation offloads where it grants "
            "them) or off")
        ->check(CLI::IsMember({"on", "off"}));
    live_cmd->add_option("--duration", live_opts.duration_s, "Stop after this many seconds")
        ->check(CLI::PositiveNumber);

    std::string log_level = "warn";
    const auto valid_level = [](const std::string& v) {
        return base::parse_log_level(v) ? std::string{}
                                        : "must be trace, debug, info, warn, error or off";
    };
    app.add_option("--log-level", log_level,
                   "Diagnostics on stderr: trace, debug, info, warn, error or off")
        ->check(valid_level)
        ->capture_default_str();
    // The same option after any subcommand (`minternet dns recursor …
    // --log-level debug`). Not CLI11's fallthrough: that would hand the
    // parent every argument a subcommand does not know.
    std::function<void(CLI::App*)> also_after = [&](CLI::App* parent) {
        for (CLI::App* sub : parent->get_subcommands([](CLI::App*) { return true; })) {
            sub->add_option("--log-level", log_level, "As before the subcommand")
                ->check(valid_level);
            also_after(sub);
        }
    };
    also_after(&app);

    CLI11_PARSE(app, argc, argv);

    const base::Logger log =
        base::make_stderr_logger("minternet", *base::parse_log_level(log_level));
    for (cli::SimCommonOptions* c : {&run.common, &ping.common, &trace.common})
        c->log = log;

    if (*hello_cmd) return cli::run_hello(hello, stdout);
    if (*explain_cmd) return cli::run_explain(explain, stdout);
    if (*topology_cmd) return cli::run_topology_command(*topology_cmd, std::cout, stderr);
    if (*run_cmd) {
        run.color = isatty(fileno(stdout)) != 0 && std::getenv("NO_COLOR") == nullptr;
        run.progress = isatty(fileno(stderr)) != 0;
        return cli::run_topology(run, stdout);
    }
    if (*ping_cmd) return cli::run_ping(ping, stdout);
    if (*trace_cmd) return cli::run_traceroute(trace, stdout);
    serve.log = log;
    recursor.log = log;
    if (*serve_cmd) return cli::run_dns_serve(serve, stdout);
    if (*recursor_cmd) return cli::run_dns_recursor(recursor, stdout);
    if (*query_cmd) return cli::run_dns_query(query, stdout);
    if (*live_cmd) return cli::run_live(live_opts, stdout);
    return 0;
}
