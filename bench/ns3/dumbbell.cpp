// The dumbbell benchmark on ns-3: N bulk TCP flows share one bottleneck link.
// It is the peer measurement for minternet's simulator, so every choice below is
// one the minternet side must make alike (bench/ns3/README.md lists them).
//
//   left host i --1 Gbit/s, 1 ms--+                       +--1 Gbit/s, 1 ms-- right host i
//                                 left router ==100 Mbit/s, 10 ms== right router
//
// Data flows right -> left: a BulkSendApplication on right host i sends to a
// PacketSink on left host i, so the bottleneck queue that fills is the right
// router's transmit queue towards the left router. Every link is point-to-point
// with a 100-packet drop-tail queue on each end and nothing else buffering.
//
// Prints one JSON object on stdout: wall time of the run and of the set-up,
// the scheduler's event count, peak RSS, per-flow and aggregate goodput and
// Jain's fairness index. Usage: dumbbell --help.
//
// This file is built by scripts/bench-ns3.sh against Debian's ns-3 (3.37), not
// by the project's CMake: the test suite does not need ns-3.

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/queue-disc.h"  // Ptr<QueueDisc> from the TC layer needs the full type
#include "ns3/traffic-control-layer.h"

namespace {

using namespace ns3;

// ---------------------------------------------------------------- options

struct Options {
    std::uint32_t flows = 16;
    double duration_s = 10.0;
    std::string bottleneck_rate = "100Mbps";
    std::string bottleneck_delay = "10ms";
    std::string access_rate = "1Gbps";
    std::string access_delay = "1ms";
    std::uint32_t queue_packets = 100;  // every device queue, every link, both directions
    double stagger_s = 0.0;             // flow i starts at i * stagger_s
    // Empty: ns-3's default (1 s and 200 ms). Set to line up with a peer whose
    // defaults differ, e.g. minternet's 200 ms and 40 ms.
    std::string min_rto;
    std::string delayed_ack_timeout;
    bool counters = false;  // trace every queue (costs time; off when measuring)
};

constexpr std::string_view usage_text =
    R"(usage: dumbbell [options]   (each option as --name VALUE or --name=VALUE)
  --flows N                 number of flows, one host pair each (default 16)
  --duration SECONDS        virtual time simulated (default 10)
  --bottleneck-rate RATE    router-router link rate, ns-3 syntax (default 100Mbps)
  --bottleneck-delay TIME   router-router one-way delay (default 10ms)
  --access-rate RATE        host-router link rate (default 1Gbps)
  --access-delay TIME       host-router one-way delay (default 1ms)
  --queue PACKETS           drop-tail queue size of every device (default 100)
  --stagger SECONDS         flow i starts at i * SECONDS (default 0: all at t=0)
  --min-rto TIME            TCP's minimum RTO (default: ns-3's, 1s)
  --delayed-ack-timeout TIME  TCP's delayed-ACK timer (default: ns-3's, 200ms)
  --counters                count enqueues and drops per queue group and
                            bottleneck bytes; slower, for checking, not timing
  --help                    this text
)";

[[noreturn]] void fail_usage(const std::string& message) {
    std::cerr << "dumbbell: " << message << "\n" << usage_text;
    std::exit(2);
}

std::uint32_t parse_count(const std::string& name, const std::string& text, std::uint32_t min) {
    char* end = nullptr;
    const unsigned long value = std::strtoul(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || text[0] == '-' || value < min || value > 1'000'000) {
        fail_usage("--" + name + " wants a whole number >= " + std::to_string(min) + ", not '" +
                   text + "'");
    }
    return static_cast<std::uint32_t>(value);
}

double parse_seconds(const std::string& name, const std::string& text, bool allow_zero) {
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(value >= 0.0) || (!allow_zero && value == 0.0)) {
        fail_usage("--" + name + " wants a number of seconds, not '" + text + "'");
    }
    return value;
}

// Rates and delays keep ns-3's own syntax ("100Mbps", "10ms"); checked here so a
// typo is a usage error rather than an abort deep inside the helpers.
std::string checked_rate(const std::string& name, const std::string& text) {
    DataRateValue value;
    if (!value.DeserializeFromString(text, MakeDataRateChecker())) {
        fail_usage("--" + name + " wants a rate such as 100Mbps, not '" + text + "'");
    }
    return text;
}

std::string checked_delay(const std::string& name, const std::string& text) {
    TimeValue value;
    if (!value.DeserializeFromString(text, MakeTimeChecker()) || value.Get().IsNegative()) {
        fail_usage("--" + name + " wants a time such as 10ms, not '" + text + "'");
    }
    return text;
}

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << usage_text;
            std::exit(0);
        }
        if (arg == "--counters") {
            options.counters = true;
            continue;
        }
        if (arg.rfind("--", 0) != 0) fail_usage("unexpected argument '" + arg + "'");
        std::string name = arg.substr(2);
        std::string value;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name.resize(eq);
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            fail_usage("--" + name + " needs a value");
        }

        if (name == "flows") {
            options.flows = parse_count(name, value, 1);
        } else if (name == "duration") {
            options.duration_s = parse_seconds(name, value, false);
        } else if (name == "bottleneck-rate") {
            options.bottleneck_rate = checked_rate(name, value);
        } else if (name == "bottleneck-delay") {
            options.bottleneck_delay = checked_delay(name, value);
        } else if (name == "access-rate") {
            options.access_rate = checked_rate(name, value);
        } else if (name == "access-delay") {
            options.access_delay = checked_delay(name, value);
        } else if (name == "queue") {
            options.queue_packets = parse_count(name, value, 1);
        } else if (name == "stagger") {
            options.stagger_s = parse_seconds(name, value, true);
        } else if (name == "min-rto") {
            options.min_rto = checked_delay(name, value);
        } else if (name == "delayed-ack-timeout") {
            options.delayed_ack_timeout = checked_delay(name, value);
        } else {
            fail_usage("unknown option --" + name);
        }
    }
    return options;
}

// ---------------------------------------------------------------- TCP

// Segment payload: 1448 bytes + 12 of timestamps option + 20 TCP + 20 IPv4 = a
// 1500-byte IP packet, the MTU of ns-3's point-to-point device.
constexpr std::uint32_t segment_size = 1448;

// 4 MiB each way: far above what one flow can have in flight here (the whole
// path holds about 100 Mbit/s x 24 ms = 300 kB plus ~150 kB per full queue), so
// neither buffer caps the window; ns-3's default of 128 KiB would cap a single
// flow below the bottleneck rate.
constexpr std::uint32_t socket_buffer_bytes = 4 * 1024 * 1024;

// ns-3 configures TCP only through attribute defaults; these must be set before
// the first TCP socket exists. Everything not set here stays at ns-3 3.37's
// default, as the README lists: timestamps on (TcpSocketBase::Timestamp), SACK on
// (TcpSocketBase::Sack), window scaling on, delayed ACK every 2nd segment or
// 200 ms (TcpSocket::DelAckCount / DelAckTimeout), initial window 10 segments,
// minimum RTO 1 s, PRR loss recovery, no pacing, no ECN, Nagle off.
void configure_tcp(const Options& options) {
    Config::SetDefault("ns3::TcpL4Protocol::SocketType", TypeIdValue(TcpNewReno::GetTypeId()));
    Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(segment_size));
    Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(socket_buffer_bytes));
    Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(socket_buffer_bytes));
    if (!options.min_rto.empty()) {
        Config::SetDefault("ns3::TcpSocketBase::MinRto", StringValue(options.min_rto));
    }
    if (!options.delayed_ack_timeout.empty()) {
        Config::SetDefault("ns3::TcpSocket::DelAckTimeout",
                           StringValue(options.delayed_ack_timeout));
    }
}

// The effective value of an attribute default (Config::SetDefault included),
// read back so the JSON records what TCP really ran with.
std::string attribute_default(const std::string& type_name, const std::string& attribute) {
    TypeId::AttributeInformation info;
    if (!TypeId::LookupByName(type_name).LookupAttributeByName(attribute, &info)) return "?";
    // Times serialise as "+2e+08ns"; milliseconds read better.
    if (auto time = DynamicCast<const TimeValue>(info.initialValue)) {
        std::ostringstream ms;
        ms << time->Get().ToDouble(Time::MS) << "ms";
        return ms.str();
    }
    return info.initialValue->SerializeToString(info.checker);
}

// ---------------------------------------------------------------- topology

struct Dumbbell {
    NodeContainer left_hosts;
    NodeContainer right_hosts;
    Ptr<Node> left_router;
    Ptr<Node> right_router;
    std::vector<Ipv4Address> left_host_addresses;  // where flow i's sink listens
    // Every device, grouped by where it sits, for --counters and the queue check.
    NetDeviceContainer left_host_devices;            // left host -> left router (ACKs)
    NetDeviceContainer left_router_access_devices;   // left router -> left host (data)
    NetDeviceContainer right_host_devices;           // right host -> right router (data)
    NetDeviceContainer right_router_access_devices;  // right router -> right host (ACKs)
    Ptr<NetDevice> left_router_bottleneck_device;    // left router -> right router (ACKs)
    Ptr<NetDevice> right_router_bottleneck_device;   // right router -> left router (data)
};

// ns-3's Ipv4AddressHelper::Assign puts the traffic-control layer's default root
// queue disc (FqCoDel, its own 10240-packet limit) on every device that has none.
// We keep the InternetStackHelper's TC layer but delete that queue disc again,
// after addressing: with no root queue disc the TC layer hands packets straight to
// the device, so the device's 100-packet DropTail queue (plus the one packet being
// serialised) is the only buffer. When that queue is full the TC layer discards
// the packet (see QueueCounters): tail drop at 100 all the same.
void remove_queue_discs(const NetDeviceContainer& devices) {
    for (auto it = devices.Begin(); it != devices.End(); ++it) {
        const Ptr<NetDevice>& device = *it;
        auto tc = device->GetNode()->GetObject<TrafficControlLayer>();
        tc->DeleteRootQueueDiscOnDevice(device);
        NS_ABORT_MSG_IF(tc->GetRootQueueDiscOnDevice(device), "a queue disc is still installed");
    }
}

Dumbbell build_dumbbell(const Options& options) {
    Dumbbell net;
    net.left_hosts.Create(options.flows);
    net.right_hosts.Create(options.flows);
    net.left_router = CreateObject<Node>();
    net.right_router = CreateObject<Node>();

    InternetStackHelper internet;
    internet.Install(net.left_hosts);
    internet.Install(net.right_hosts);
    internet.Install(net.left_router);
    internet.Install(net.right_router);

    const std::string queue_size = std::to_string(options.queue_packets) + "p";
    PointToPointHelper access;
    access.SetDeviceAttribute("DataRate", StringValue(options.access_rate));
    access.SetChannelAttribute("Delay", StringValue(options.access_delay));
    access.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", StringValue(queue_size));
    PointToPointHelper bottleneck;
    bottleneck.SetDeviceAttribute("DataRate", StringValue(options.bottleneck_rate));
    bottleneck.SetChannelAttribute("Delay", StringValue(options.bottleneck_delay));
    bottleneck.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", StringValue(queue_size));

    // One /30 per link: 2N + 1 links fit in 10.0.0.0/8 for any N we accept.
    Ipv4AddressHelper addresses("10.0.0.0", "255.255.255.252");
    NetDeviceContainer all_devices;
    auto link = [&](PointToPointHelper& helper, Ptr<Node> a, Ptr<Node> b) {
        NetDeviceContainer pair = helper.Install(a, b);
        Ipv4InterfaceContainer interfaces = addresses.Assign(pair);
        addresses.NewNetwork();
        all_devices.Add(pair);
        return std::pair{pair, interfaces};
    };

    for (std::uint32_t i = 0; i < options.flows; ++i) {
        auto [pair, interfaces] = link(access, net.left_hosts.Get(i), net.left_router);
        net.left_host_devices.Add(pair.Get(0));
        net.left_router_access_devices.Add(pair.Get(1));
        net.left_host_addresses.push_back(interfaces.GetAddress(0));
    }
    for (std::uint32_t i = 0; i < options.flows; ++i) {
        auto [pair, interfaces] = link(access, net.right_hosts.Get(i), net.right_router);
        net.right_host_devices.Add(pair.Get(0));
        net.right_router_access_devices.Add(pair.Get(1));
    }
    auto [pair, interfaces] = link(bottleneck, net.left_router, net.right_router);
    net.left_router_bottleneck_device = pair.Get(0);
    net.right_router_bottleneck_device = pair.Get(1);

    remove_queue_discs(all_devices);
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    return net;
}

// ---------------------------------------------------------------- flows

constexpr std::uint16_t sink_port = 5000;

// Flow i: BulkSend on right host i -> PacketSink on left host i. Returns the sinks
// in flow order.
std::vector<Ptr<PacketSink>> install_flows(const Dumbbell& net, const Options& options) {
    std::vector<Ptr<PacketSink>> sinks;
    const Time stop = Seconds(options.duration_s);
    for (std::uint32_t i = 0; i < options.flows; ++i) {
        const Time start = Seconds(options.stagger_s * i);

        PacketSinkHelper sink_helper("ns3::TcpSocketFactory",
                                     InetSocketAddress(Ipv4Address::GetAny(), sink_port));
        ApplicationContainer sink_app = sink_helper.Install(net.left_hosts.Get(i));
        sink_app.Start(Seconds(0));  // listening before any SYN can arrive
        sink_app.Stop(stop);
        sinks.push_back(DynamicCast<PacketSink>(sink_app.Get(0)));

        BulkSendHelper sender("ns3::TcpSocketFactory",
                              InetSocketAddress(net.left_host_addresses[i], sink_port));
        sender.SetAttribute("MaxBytes", UintegerValue(0));  // unlimited
        // One segment per write: the default of 512 bytes would only add
        // application events, not change what goes on the wire.
        sender.SetAttribute("SendSize", UintegerValue(segment_size));
        ApplicationContainer sender_app = sender.Install(net.right_hosts.Get(i));
        sender_app.Start(start);
        sender_app.Stop(stop);
    }
    return sinks;
}

// ---------------------------------------------------------------- --counters

// What the queues of one group of devices saw over the run.
struct QueueCounters {
    std::string name;
    std::uint64_t offered = 0;      // packets IPv4 handed down towards these devices
    std::uint64_t enqueued = 0;     // packets that got into a device queue
    std::uint64_t queue_drops = 0;  // drops the device queue itself reported
    std::uint32_t max_packets = 0;  // the deepest any one queue of the group got
    std::uint64_t dequeued_bytes = 0;

    // A full device queue rarely drops by itself: when it fills, the device stops
    // its transmit queue (NetDeviceQueue flow control) and the node's
    // TrafficControlLayer, having no queue disc to hold the packet, discards it
    // without any trace. Those drops are what IPv4 offered and no queue took.
    std::uint64_t dropped() const { return offered - enqueued + queue_drops; }
};

void count_enqueue(QueueCounters* counters, Ptr<const Packet>) {
    ++counters->enqueued;
}
void count_queue_drop(QueueCounters* counters, Ptr<const Packet>) {
    ++counters->queue_drops;
}
void count_dequeue(QueueCounters* counters, Ptr<const Packet> packet) {
    counters->dequeued_bytes += packet->GetSize();  // IP packet + 2-byte PPP header
}
void track_depth(QueueCounters* counters, std::uint32_t, std::uint32_t packets) {
    if (packets > counters->max_packets) counters->max_packets = packets;
}

// The groups of one node's devices, to charge IPv4's transmissions to.
using DeviceGroups = std::map<Ptr<NetDevice>, QueueCounters*>;

// Ipv4L3Protocol's Tx trace fires for every packet (sent or forwarded) just
// before it goes to the traffic-control layer.
void count_offered(DeviceGroups* node, Ptr<const Packet>, Ptr<Ipv4> ipv4, std::uint32_t interface) {
    ++node->at(ipv4->GetNetDevice(interface))->offered;
}

// Six groups: each direction of each of the three link kinds. Kept behind a
// pointer so the addresses the trace callbacks hold stay put.
struct QueueWatch {
    std::vector<QueueCounters> groups;
    std::map<Ptr<Node>, DeviceGroups> nodes;
};

void watch_queues(QueueWatch& watch, const NetDeviceContainer& devices, QueueCounters* counters) {
    for (auto it = devices.Begin(); it != devices.End(); ++it) {
        Ptr<Queue<Packet>> queue = DynamicCast<PointToPointNetDevice>(*it)->GetQueue();
        queue->TraceConnectWithoutContext("Enqueue", MakeBoundCallback(&count_enqueue, counters));
        queue->TraceConnectWithoutContext("Drop", MakeBoundCallback(&count_queue_drop, counters));
        queue->TraceConnectWithoutContext("Dequeue", MakeBoundCallback(&count_dequeue, counters));
        queue->TraceConnectWithoutContext("PacketsInQueue",
                                          MakeBoundCallback(&track_depth, counters));
        watch.nodes[(*it)->GetNode()][*it] = counters;
    }
}

std::unique_ptr<QueueWatch> watch_all_queues(const Dumbbell& net) {
    auto watch = std::make_unique<QueueWatch>();
    const std::pair<const char*, NetDeviceContainer> sources[] = {
        {"right_hosts_to_router", net.right_host_devices},
        {"right_router_to_left_router", NetDeviceContainer(net.right_router_bottleneck_device)},
        {"left_router_to_left_hosts", net.left_router_access_devices},
        {"left_hosts_to_router", net.left_host_devices},
        {"left_router_to_right_router", NetDeviceContainer(net.left_router_bottleneck_device)},
        {"right_router_to_right_hosts", net.right_router_access_devices},
    };
    watch->groups.resize(std::size(sources));  // never resized again: callbacks point in
    for (std::size_t i = 0; i < std::size(sources); ++i) {
        watch->groups[i].name = sources[i].first;
        watch_queues(*watch, sources[i].second, &watch->groups[i]);
    }
    for (auto& [node, groups] : watch->nodes) {
        node->GetObject<Ipv4L3Protocol>()->TraceConnectWithoutContext(
            "Tx", MakeBoundCallback(&count_offered, &groups));
    }
    return watch;
}

// ---------------------------------------------------------------- report

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// CPU time of this process (one thread: ns-3 runs the default serial scheduler).
// Beside wall time because the machine may be shared: wall time then grows with
// everyone else's load, CPU time much less.
double process_cpu_s() {
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Jain's index, (sum x)^2 / (n * sum x^2): 1 when all flows get the same, 1/n
// when one flow gets everything.
double jain_index(const std::vector<double>& values) {
    double sum = 0, sum_of_squares = 0;
    for (double v : values) {
        sum += v;
        sum_of_squares += v * v;
    }
    if (sum_of_squares == 0) return 0;
    return sum * sum / (static_cast<double>(values.size()) * sum_of_squares);
}

std::string ns3_version() {
    std::string version = std::to_string(Version::Major()) + "." + std::to_string(Version::Minor());
    if (Version::Patch() != 0) version += "." + std::to_string(Version::Patch());
    return version;
}

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

struct Measurements {
    double setup_s = 0;
    double wall_s = 0;
    double cpu_s = 0;  // CPU time of Simulator::Run
    std::uint64_t events = 0;
    long max_rss_kib = 0;
    std::vector<double> goodput_bit_s;
    std::unique_ptr<QueueWatch> queues;  // only with --counters
};

void print_json(const Options& options, const Measurements& m) {
    double aggregate = 0;
    for (double g : m.goodput_bit_s)
        aggregate += g;

    std::ostringstream out;
    out << std::fixed;
    out << "{\n";
    out << "  \"simulator\": \"ns-3\",\n";
    out << "  \"version\": " << json_string(ns3_version()) << ",\n";
    out << "  \"flows\": " << options.flows << ",\n";
    out << "  \"duration_s\": " << std::setprecision(3) << options.duration_s << ",\n";
    out << "  \"stagger_s\": " << std::setprecision(6) << options.stagger_s << ",\n";
    out << "  \"bottleneck\": {\"rate\": " << json_string(options.bottleneck_rate)
        << ", \"delay\": " << json_string(options.bottleneck_delay) << "},\n";
    out << "  \"access\": {\"rate\": " << json_string(options.access_rate)
        << ", \"delay\": " << json_string(options.access_delay) << "},\n";
    out << "  \"queue_packets\": " << options.queue_packets << ",\n";
    out << "  \"setup_s\": " << std::setprecision(6) << m.setup_s << ",\n";
    out << "  \"wall_s\": " << m.wall_s << ",\n";
    out << "  \"cpu_s\": " << m.cpu_s << ",\n";
    out << "  \"events\": " << m.events << ",\n";
    out << "  \"max_rss_kib\": " << m.max_rss_kib << ",\n";
    out << "  \"goodput_bit_s\": [";
    for (std::size_t i = 0; i < m.goodput_bit_s.size(); ++i) {
        out << (i ? ", " : "") << std::setprecision(0) << m.goodput_bit_s[i];
    }
    out << "],\n";
    out << "  \"aggregate_goodput_bit_s\": " << std::setprecision(0) << aggregate << ",\n";
    out << "  \"jain_fairness\": " << std::setprecision(6) << jain_index(m.goodput_bit_s) << ",\n";

    // What TCP ran with, read back from ns-3 rather than restated, so a
    // comparison can check it.
    const std::pair<const char*, std::pair<const char*, const char*>> tcp_settings[] = {
        {"socket_type", {"ns3::TcpL4Protocol", "SocketType"}},
        {"recovery_type", {"ns3::TcpL4Protocol", "RecoveryType"}},
        {"segment_size", {"ns3::TcpSocket", "SegmentSize"}},
        {"initial_cwnd_segments", {"ns3::TcpSocket", "InitialCwnd"}},
        {"snd_buf_bytes", {"ns3::TcpSocket", "SndBufSize"}},
        {"rcv_buf_bytes", {"ns3::TcpSocket", "RcvBufSize"}},
        {"delayed_ack_count", {"ns3::TcpSocket", "DelAckCount"}},
        {"delayed_ack_timeout", {"ns3::TcpSocket", "DelAckTimeout"}},
        {"no_delay", {"ns3::TcpSocket", "TcpNoDelay"}},
        {"min_rto", {"ns3::TcpSocketBase", "MinRto"}},
        {"clock_granularity", {"ns3::TcpSocketBase", "ClockGranularity"}},
        {"timestamps", {"ns3::TcpSocketBase", "Timestamp"}},
        {"sack", {"ns3::TcpSocketBase", "Sack"}},
        {"window_scaling", {"ns3::TcpSocketBase", "WindowScaling"}},
        {"limited_transmit", {"ns3::TcpSocketBase", "LimitedTransmit"}},
        {"dupack_threshold", {"ns3::TcpSocketBase", "ReTxThreshold"}},
        {"ecn", {"ns3::TcpSocketBase", "UseEcn"}},
        {"pacing", {"ns3::TcpSocketState", "EnablePacing"}},
    };
    out << "  \"tcp\": {";
    bool first = true;
    for (const auto& [key, where] : tcp_settings) {
        out << (first ? "" : ", ") << json_string(key) << ": "
            << json_string(attribute_default(where.first, where.second));
        first = false;
    }
    out << "}";

    if (m.queues) {
        const std::vector<QueueCounters>& groups = m.queues->groups;
        out << ",\n  \"queues\": {\n";
        for (std::size_t i = 0; i < groups.size(); ++i) {
            const QueueCounters& q = groups[i];
            out << "    " << json_string(q.name) << ": {\"offered\": " << q.offered
                << ", \"enqueued\": " << q.enqueued << ", \"dropped\": " << q.dropped()
                << ", \"max_packets\": " << q.max_packets
                << ", \"dequeued_bytes\": " << q.dequeued_bytes << "}"
                << (i + 1 < groups.size() ? ",\n" : "\n");
        }
        out << "  }";
    }
    out << "\n}\n";
    std::cout << out.str();
}

}  // namespace

int main(int argc, char** argv) {
    const Options options = parse_options(argc, argv);

    const auto setup_start = std::chrono::steady_clock::now();
    configure_tcp(options);
    const Dumbbell net = build_dumbbell(options);
    const std::vector<Ptr<PacketSink>> sinks = install_flows(net, options);
    Measurements m;
    if (options.counters) m.queues = watch_all_queues(net);
    Simulator::Stop(Seconds(options.duration_s));
    m.setup_s = seconds_since(setup_start);

    const auto run_start = std::chrono::steady_clock::now();
    const double run_start_cpu = process_cpu_s();
    Simulator::Run();
    m.wall_s = seconds_since(run_start);
    m.cpu_s = process_cpu_s() - run_start_cpu;
    m.events = Simulator::GetEventCount();

    for (const Ptr<PacketSink>& sink : sinks) {
        m.goodput_bit_s.push_back(static_cast<double>(sink->GetTotalRx()) * 8.0 /
                                  options.duration_s);
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    m.max_rss_kib = usage.ru_maxrss;  // Linux reports kilobytes (KiB)

    print_json(options, m);
    Simulator::Destroy();
    return 0;
}
