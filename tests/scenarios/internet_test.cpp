// The simulated internet end to end: the checks of "The simulated internet"
// issue, each on a small topology.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "wire/ethernet.hpp"
#include "wire/ipv4.hpp"

namespace {

using base::Duration;
using base::Time;
using scenario::Scenario;
using namespace base::literals;

// client —(10 Mbit/s, 3 ms)— r1 —(100 Mbit/s, 7 ms)— r2 —(1 Gbit/s, 11 ms)— server
const std::string chain = R"(
seed: 1
hosts:
  client: {gateway: 100.100.100.254}
  server: {gateway: 200.200.200.254}
routers: {r1: {}, r2: {}}
links:
  - ends: [client, r1]
    addresses: [100.100.100.1/24, 100.100.100.254/24]
    bandwidth: 10Mbit
    delay: 3ms
  - ends: [r1, r2]
    addresses: [10.0.12.1/30, 10.0.12.2/30]
    bandwidth: 100Mbit
    delay: 7ms
  - ends: [r2, server]
    addresses: [200.200.200.254/24, 200.200.200.2/24]
    bandwidth: 1Gbit
    delay: 11ms
)";

// On an idle path, once ARP has answered, a ping's round trip is exactly the
// serialization and propagation of the 98-byte frame over each hop, both ways.
TEST(Internet, PingRttIsTheSumOfSerializationAndPropagation) {
    Scenario s(chain);
    const auto run = s.ping("client", "server", {.count = 3});
    ASSERT_EQ(run.stats.received, 3);
    const int64_t frame_bits = (14 + 20 + 8 + 56) * 8;
    const int64_t one_way = (frame_bits * 1'000'000'000 / 10'000'000) +
                            (frame_bits * 1'000'000'000 / 100'000'000) +
                            (frame_bits * 1'000'000'000 / 1'000'000'000) + (3 + 7 + 11) * 1'000'000;
    EXPECT_EQ(run.stats.rtts[1], Duration::nanoseconds(2 * one_way));
    EXPECT_EQ(run.stats.rtts[2], Duration::nanoseconds(2 * one_way));
    EXPECT_GT(run.stats.rtts[0], run.stats.rtts[1]) << "the first ping waits for ARP at every hop";
    EXPECT_EQ(run.lines[1], "64 bytes from server (200.200.200.2): icmp_seq=1 ttl=62 time=" +
                                apps::format_rtt_ms(run.stats.rtts[0]) + " ms");
    EXPECT_EQ(run.lines.back().substr(0, 23), "rtt min/avg/max/mdev = ");
}

TEST(Internet, TracerouteListsTheRoutersInOrder) {
    Scenario s(chain);
    const auto run = s.traceroute("client", "server");
    ASSERT_TRUE(run.reached);
    ASSERT_EQ(run.hops.size(), 3u);
    const wire::Ipv4Address expected[] = {wire::Ipv4Address{100, 100, 100, 254},
                                          wire::Ipv4Address{10, 0, 12, 2},
                                          wire::Ipv4Address{200, 200, 200, 2}};
    for (size_t h = 0; h < 3; ++h) {
        EXPECT_EQ(run.hops[h].ttl, static_cast<int>(h + 1));
        ASSERT_EQ(run.hops[h].from.size(), 3u);
        for (const auto& from : run.hops[h].from)
            EXPECT_EQ(from, expected[h]) << "hop " << h + 1;
    }
    EXPECT_EQ(run.lines[0], "traceroute to server (200.200.200.2), 30 hops max, 60 byte packets");
    EXPECT_EQ(run.lines[1].substr(0, 26), " 1  r1 (100.100.100.254)  ");
    EXPECT_EQ(run.lines[2].substr(0, 19), " 2  r2 (10.0.12.2) ");
}

// The middle link carries 1000-byte packets at most: a 3000-byte echo leaves
// the client in three fragments, r1 fragments them again, and the server
// reassembles the datagram and answers with one just as large.
const std::string small_mtu = R"(
hosts:
  client: {gateway: 10.1.0.254}
  server: {gateway: 10.2.0.254}
routers: {r1: {}, r2: {}}
links:
  - {ends: [client, r1], addresses: [10.1.0.1/24, 10.1.0.254/24], delay: 1ms}
  - {ends: [r1, r2], addresses: [10.0.0.1/30, 10.0.0.2/30], delay: 1ms, mtu: 1000}
  - {ends: [r2, server], addresses: [10.2.0.254/24, 10.2.0.1/24], delay: 1ms}
)";

TEST(Internet, LargeDatagramIsFragmentedAndReassembled) {
    Scenario s(small_mtu, {.event_log = true});
    const auto run = s.ping("client", "server", {.count = 2, .size = 3000});
    EXPECT_EQ(run.stats.received, 2);
    EXPECT_EQ(run.lines[1].substr(0, 35), "3008 bytes from server (10.2.0.1): ");
    EXPECT_EQ(s.node("server").host().stats().datagrams_reassembled, 2u);
    EXPECT_EQ(s.node("client").host().stats().datagrams_reassembled, 2u);
    EXPECT_EQ(s.node("client").host().stats().fragments_sent, 2u * 3);
    EXPECT_GT(s.node("r1").host().stats().fragments_sent, 0u)
        << "r1 fragments for the 1000-byte link";
    // 3008 bytes of ICMP: 1480-byte pieces at the client become 976-byte ones on
    // the narrow link: 1480 = 976 + 504 and 48 stays, so five fragments arrive.
    const std::string log = s.events();
    EXPECT_EQ(scenario::count_events(
                  log, {"\"node\":\"server\"", "\"event\":\"reassembled\"", "\"fragments\":5"}),
              2u);
}

// Lose exactly one fragment of the first request: the server keeps the rest
// for the reassembly timeout (30 s), then drops them and, since the first
// fragment came, tells the client with "time exceeded in reassembly".
TEST(Internet, DatagramMissingAFragmentIsDroppedAfterTheReassemblyTimeout) {
    Scenario s(small_mtu, {.event_log = true});
    bool dropped_one = false;
    s.net().find_link("r1-r2")->set_filter([&](int direction, base::ByteSpan frame) {
        if (direction != 0 || dropped_one) return false;
        auto ip = wire::Ipv4View::parse(frame.subspan(wire::ethernet::header_len));
        if (ip && ip->fragment_offset() == 976) {
            dropped_one = true;
            return true;
        }
        return false;
    });
    const auto run = s.ping("client", "server", {.count = 2, .size = 3000, .linger = 40_s});
    ASSERT_TRUE(dropped_one);
    EXPECT_EQ(run.stats.received, 1) << "the second request is whole";
    EXPECT_EQ(run.stats.errors, 1);
    ASSERT_GE(run.lines.size(), 3u);
    EXPECT_EQ(run.lines[2], "From 10.2.0.1 icmp_seq=1 Frag reassembly time exceeded");
    const std::string log = s.events();
    ASSERT_EQ(
        scenario::count_events(log, {"\"node\":\"server\"", "\"reason\":\"reassembly timeout\""}),
        1u);
    // It happened 30 s after the first fragment reached the server.
    std::istringstream in(log);
    int64_t first_fragment_at = -1, dropped_at = -1;
    for (std::string line; std::getline(in, line);) {
        const auto j = nlohmann::json::parse(line);
        if (j["node"] == "server" && j["event"] == "receive" && j.contains("frag_offset") &&
            first_fragment_at < 0) {
            first_fragment_at = j["t_ns"];
        }
        if (j["node"] == "server" && j["event"] == "drop" && j["reason"] == "reassembly timeout")
            dropped_at = j["t_ns"];
    }
    EXPECT_EQ(dropped_at - first_fragment_at, (30_s).ns());
}

TEST(Internet, PingToAMissingHostGetsHostUnreachableFromTheLastRouter) {
    Scenario s(chain);
    // 200.200.200.77 is on the server's subnet, but nobody has it.
    auto o = apps::PingOptions{.destination = wire::Ipv4Address{200, 200, 200, 77}, .count = 1};
    std::vector<std::string> lines;
    apps::Ping p(s.node("client").host(), o, [&](const std::string& l) { lines.push_back(l); });
    p.start(s.sim().now());
    s.node("client").wake();
    s.sim().run_until([&] { return p.done(); }, Time::zero() + 20_s);
    ASSERT_TRUE(p.done());
    EXPECT_EQ(p.stats().errors, 1);
    ASSERT_GE(lines.size(), 2u);
    // From r2, the last router. Like Linux (icmp_errors_use_inbound_ifaddr = 0),
    // an error comes from the interface the error leaves by, towards the sender.
    EXPECT_EQ(lines[1], "From 10.0.12.2 icmp_seq=1 Destination Host Unreachable");
    // r2 asked three times, one second apart, before giving up.
    EXPECT_GE(s.sim().now(), Time::zero() + 3_s);
}

// Two paths from r1 to r4; the upper one is cheaper. It fails at 1 s; routes
// change 500 ms later and the pings go the long way round.
const std::string diamond = R"(
seed: 3
routing: {convergence: 500ms}
hosts:
  client: {gateway: 10.1.0.254}
  server: {gateway: 10.2.0.254}
routers: {r1: {}, r2: {}, r3: {}, r4: {}}
links:
  - {ends: [client, r1], addresses: [10.1.0.1/24, 10.1.0.254/24], delay: 1ms}
  - {ends: [r1, r2], addresses: [10.0.12.1/30, 10.0.12.2/30], delay: 5ms}
  - {ends: [r2, r4], addresses: [10.0.24.1/30, 10.0.24.2/30], delay: 5ms}
  - {ends: [r1, r3], addresses: [10.0.13.1/30, 10.0.13.2/30], delay: 20ms, cost: 10}
  - {ends: [r3, r4], addresses: [10.0.34.1/30, 10.0.34.2/30], delay: 20ms, cost: 10}
  - {ends: [r4, server], addresses: [10.2.0.254/24, 10.2.0.1/24], delay: 1ms}
faults:
  - {at: 1s, link: r1-r2, action: down}
)";

TEST(Internet, LinkFailureMovesTrafficToTheOtherPathAfterConvergence) {
    Scenario s(diamond, {.event_log = true});
    const auto run = s.ping("client", "server", {.count = 40, .interval = 100_ms});
    // Requests 1–10 go before the failure; those sent between 1 s and 1.5 s
    // (seq 11–15) are lost or answered late; from 1.5 s on the new path works.
    EXPECT_GE(run.stats.received, 30);
    EXPECT_LE(run.stats.received, 36);
    EXPECT_EQ(s.net().route_recomputations(), 2u);
    EXPECT_GT(s.node("r3").host().stats().packets_forwarded, 0u);
    // The fast path's RTT was 2 × 12 ms; the new one is 2 × 42 ms.
    EXPECT_LT(run.stats.rtts[3], 30_ms);
    EXPECT_GT(run.stats.rtts.back(), 80_ms);
    const auto trace = s.traceroute("client", "server");
    ASSERT_TRUE(trace.reached);
    ASSERT_EQ(trace.hops.size(), 4u);
    EXPECT_EQ(trace.hops[1].from[0], (wire::Ipv4Address{10, 0, 13, 2})) << "through r3 now";
    const std::string log = s.events();
    EXPECT_EQ(scenario::count_events(log, {"\"event\":\"link_down\"", "r1-r2"}), 1u);
    EXPECT_EQ(
        scenario::count_events(log, {"\"event\":\"routes_recomputed\"", "\"t_ns\":1500000000"}),
        1u);
}

// A static route on each router pointing at the other: the packet bounces
// until its TTL runs out, and the router where it does says so.
TEST(Internet, RoutingLoopEndsInTimeExceeded) {
    Scenario s(R"(
hosts:
  client: {gateway: 10.1.0.254}
routers: {r1: {}, r2: {}}
links:
  - {ends: [client, r1], addresses: [10.1.0.1/24, 10.1.0.254/24]}
  - {ends: [r1, r2], addresses: [10.0.0.1/30, 10.0.0.2/30]}
routes:
  - {node: r1, to: 10.9.0.0/16, via: 10.0.0.2}
  - {node: r2, to: 10.9.0.0/16, via: 10.0.0.1}
)");
    auto o = apps::PingOptions{.destination = wire::Ipv4Address{10, 9, 0, 1}, .count = 1};
    std::vector<std::string> lines;
    apps::Ping p(s.node("client").host(), o, [&](const std::string& l) { lines.push_back(l); });
    p.start(s.sim().now());
    s.node("client").wake();
    s.sim().run_until([&] { return p.done(); }, Time::zero() + 20_s);
    ASSERT_EQ(p.stats().errors, 1);
    // TTL 64 leaves the client; r1 sees it with 64, 62, …, 2 and r2 with 63, …, 1:
    // r2 is where it reaches 1, and answers.
    EXPECT_EQ(lines.at(1), "From 10.0.0.2 icmp_seq=1 Time to live exceeded");
    EXPECT_EQ(s.node("r1").host().stats().packets_forwarded +
                  s.node("r2").host().stats().packets_forwarded,
              63u + 1u);  // 63 hops of the request, then the error back through r1
}

// ---- determinism and captures ---------------------------------------------

const std::string lossy = R"(
seed: 11
hosts:
  client: {gateway: 10.1.0.254}
  server: {gateway: 10.2.0.254}
routers: {r1: {}}
links:
  - {ends: [client, r1], addresses: [10.1.0.1/24, 10.1.0.254/24], delay: 2ms, bandwidth: 10Mbit}
  - ends: [r1, server]
    addresses: [10.2.0.254/24, 10.2.0.1/24]
    delay: 10ms
    loss: 10%
    jitter: 2ms
    reorder: 10%
    duplicate: 5%
)";

// A fresh folder for one test's files, outside the source tree.
std::string output_dir(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / ("minternet-scenarios-" + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir.string();
}

std::string slurp(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

struct RunOutput {
    std::string events;
    std::map<std::string, std::string> captures;
    int received = 0;
};

RunOutput run_lossy(uint64_t seed, const std::string& dir) {
    RunOutput out;
    {
        Scenario s(lossy, {.seed = seed, .capture_dir = dir, .event_log = true});
        out.received = s.ping("client", "server", {.count = 50, .interval = 20_ms, .size = 200})
                           .stats.received;
        out.events = s.events();
    }
    for (const auto& f : std::filesystem::directory_iterator(dir))
        out.captures[f.path().filename()] = slurp(f.path());
    return out;
}

TEST(Internet, SameTopologyAndSeedGiveByteIdenticalCapturesAndLogs) {
    const auto a = run_lossy(11, output_dir("determinism-a"));
    const auto b = run_lossy(11, output_dir("determinism-b"));
    ASSERT_EQ(a.captures.size(), 4u);
    EXPECT_TRUE(a.captures == b.captures) << "captures differ between identical runs";
    EXPECT_TRUE(a.events == b.events) << "event logs differ between identical runs";
    EXPECT_GT(a.events.size(), 10'000u);
    const auto c = run_lossy(12, output_dir("determinism-c"));
    EXPECT_TRUE(a.events != c.events) << "another seed gives other losses";
    EXPECT_NE(scenario::count_events(a.events, {"\"reason\":\"lost\""}),
              scenario::count_events(c.events, {"\"reason\":\"lost\""}));
}

// Counts frames tshark marks with `filter` (checksum validation on).
size_t tshark_count(const std::string& file, const std::string& filter) {
    const std::string cmd =
        "tshark -n -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE "
        "-r '" +
        file + "' -Y '" + filter + "' 2>/dev/null | wc -l";
    std::FILE* p = popen(cmd.c_str(), "r");
    if (!p) return SIZE_MAX;
    char buf[64] = {};
    const bool ok = std::fgets(buf, sizeof buf, p) != nullptr;
    pclose(p);
    return ok ? std::stoul(buf) : SIZE_MAX;
}

const char* const flagged =
    "_ws.malformed || ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status "
    "== 0 || "
    "icmp.checksum.status == 0";

TEST(Internet, TsharkFindsNothingWrongInTheCaptures) {
    const std::string dir = output_dir("tshark-clean");
    const auto out = run_lossy(11, dir);
    ASSERT_EQ(out.captures.size(), 4u);
    for (const auto& [name, bytes] : out.captures) {
        EXPECT_GT(tshark_count(dir + "/" + name, "frame"), 50u) << name;
        EXPECT_EQ(tshark_count(dir + "/" + name, flagged), 0u) << name;
    }
}

// Frames corrupted on purpose: tshark must flag them — every one whose flipped
// bit lies in the IP packet (covered by a checksum), and none that was not
// corrupted. A bit flipped in the Ethernet header is invisible to checksums.
TEST(Internet, TsharkFlagsTheFramesCorruptedOnPurpose) {
    const std::string dir = output_dir("tshark-corrupt");
    std::string log;
    uint64_t corrupted = 0;
    {
        Scenario s(R"(
seed: 5
hosts: {a: {}, b: {}}
links:
  - {ends: [a, b], addresses: [10.0.0.1/24, 10.0.0.2/24], delay: 1ms, corrupt: 20%}
)",
                   {.capture_dir = dir, .event_log = true});
        s.ping("a", "b", {.count = 100, .interval = 10_ms, .size = 100});
        log = s.events();
        const sim::Link* l = s.net().find_link("a-b");
        corrupted = l->stats(0).corrupted + l->stats(1).corrupted;
    }
    ASSERT_GT(corrupted, 10u);
    // Frames still recognisable as IPv4 whose flipped bit lies past the
    // Ethernet header: a checksum covers every such bit.
    size_t in_ip = 0;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);) {
        const auto j = nlohmann::json::parse(line);
        if (j["event"] == "corrupt" && j.contains("src") &&
            j["bit"].get<size_t>() >= 8 * wire::ethernet::header_len) {
            ++in_ip;
        }
    }
    const size_t flagged_frames =
        tshark_count(dir + "/a-eth0.pcap", flagged) + tshark_count(dir + "/b-eth0.pcap", flagged);
    EXPECT_GT(in_ip, 10u);
    EXPECT_GE(flagged_frames, in_ip);
    EXPECT_LE(flagged_frames, corrupted);
    // And the hosts dropped every one of them: a corrupted datagram is never
    // delivered.
    EXPECT_GE(scenario::count_events(log, {"\"event\":\"drop\"", "\"reason\":\"bad checksum\""}),
              in_ip);
}

}  // namespace
