#include "scenario/catalog.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "sim/simulator.hpp"

namespace {

using scenario::AppKind;
using scenario::catalog;

// A two-host network whose topology lists `apps` (YAML list items).
struct Net {
    explicit Net(const std::string& apps)
        : topology(sim::parse_topology(R"(
hosts:
  a: {}
  b: {}
links:
  - {ends: [a, b], addresses: [10.0.0.1/24, 10.0.0.2/24]}
apps:
)" + apps,
                                       "t.yaml")
                       .value()),
          sim(base::Seed{1}),
          network(sim::Network::build(sim, topology).value()) {}
    sim::Topology topology;
    sim::Simulator sim;
    std::unique_ptr<sim::Network> network;

    const sim::AppSpec& app(size_t i = 0) const { return network->topology().apps.at(i); }
};

TEST(Catalog, KindsAreUniqueAndEachRowIsComplete) {
    std::set<std::string_view> seen;
    for (const AppKind& k : catalog()) {
        EXPECT_TRUE(seen.insert(k.kind).second) << k.kind << " twice";
        EXPECT_NE(k.parse, nullptr) << k.kind;
        EXPECT_FALSE(k.description.empty()) << k.kind;
        EXPECT_EQ(scenario::find_kind(k.kind), &k);
    }
    EXPECT_EQ(scenario::find_kind("pong"), nullptr);
}

TEST(Catalog, ServersAreDaemonsAndClientsAreNot) {
    for (const char* server : {"udp-echo", "http-server", "tcp-hello-server", "dns-server",
                               "dns-recursor", "tcp-sink", "udp-sink"})
        EXPECT_TRUE(scenario::find_kind(server)->daemon) << server;
    for (const char* client : {"ping", "traceroute", "udp-stream", "http-get", "tcp-hello",
                               "dns-lookup", "dns-update", "tcp-bulk", "udp-cbr"})
        EXPECT_FALSE(scenario::find_kind(client)->daemon) << client;
}

// Every kind has its section in docs/topology.md, with a row per parameter.
TEST(Catalog, EveryKindAndParameterIsDocumented) {
    std::ifstream in("docs/topology.md");
    ASSERT_TRUE(in) << "run from the source tree";
    std::stringstream text;
    text << in.rdbuf();
    const std::string doc = text.str();
    for (const AppKind& k : catalog()) {
        const std::string heading = "\n### " + std::string(k.kind) + "\n";
        const size_t at = doc.find(heading);
        ASSERT_NE(at, std::string::npos) << k.kind << " has no section";
        const size_t end = doc.find("\n#", at + heading.size());
        const std::string section = doc.substr(at, end - at);
        for (std::string_view key : k.keys)
            EXPECT_NE(section.find("| `" + std::string(key) + "` |"), std::string::npos)
                << k.kind << " '" << key << "' is not in its table";
    }
}

TEST(Catalog, UnknownKindListsTheKindsOfTheTable) {
    Net n("  - {node: a, run: pong}\n");
    auto checked = scenario::check_app(n.app(), *n.network);
    ASSERT_FALSE(checked);
    std::string known;
    for (const AppKind& k : catalog())
        known += (known.empty() ? "" : ", ") + std::string(k.kind);
    EXPECT_EQ(checked.error(), "t.yaml:8:20: unknown application 'pong' (known: " + known + ")");
}

TEST(Catalog, AGoodApplicationGivesItsKindAndAStart) {
    Net n("  - {node: a, run: ping, to: b, count: 2}\n");
    auto checked = scenario::check_app(n.app(), *n.network);
    ASSERT_TRUE(checked) << checked.error();
    EXPECT_EQ(checked->kind->kind, "ping");
    EXPECT_TRUE(checked->start);
}

TEST(Catalog, TheErrorOfAParameterIsAtItsPlace) {
    Net n("  - {node: a, run: ping, to: b, count: 0}\n");
    auto checked = scenario::check_app(n.app(), *n.network);
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error(),
              "t.yaml:8:40: ping 'count' must be a whole number from 1 to "
              "1000000, not '0'");
}

}  // namespace

// The checks of the load generators that the bad-apps files do not show.
TEST(Catalog, LoadGeneratorsCheckTheirParameters) {
    const std::pair<std::string, std::string> cases[] = {
        {"{node: a, run: tcp-bulk, to: b, duration: 0}",
         "t.yaml:8:47: tcp-bulk 'duration' must be more than 0, not '0'"},
        {"{node: a, run: tcp-bulk, to: b, bytes: 0}",
         "t.yaml:8:44: tcp-bulk 'bytes' must be at least 1 bytes, not '0'"},
        {"{node: a, run: tcp-bulk, to: b, bytes: 1 parsec}",
         "t.yaml:8:44: tcp-bulk 'bytes': '1 parsec' has no size unit it understands"},
        {"{node: a, run: tcp-bulk, to: b, bytes: 1MB, reverse: yes}",
         "t.yaml:8:58: tcp-bulk 'reverse' must be true or false, not 'yes'"},
        {"{node: a, run: udp-cbr, to: b, off: 1s}",
         "t.yaml:8:36: udp-cbr 'off' needs 'on': how long each burst sends"},
        {"{node: a, run: udp-cbr, to: b, on: 0, off: 1s}",
         "t.yaml:8:40: udp-cbr 'on' must be more than 0, not '0'"},
        {"{node: a, run: udp-cbr, to: b, size: 65508}",
         "t.yaml:8:42: udp-cbr 'size' must be a whole number from 24 to 65507, not '65508'"},
        {"{node: a, run: udp-cbr, to: b, rate: 1Tbit, size: 24, duration: 1h}",
         "t.yaml:8:5: udp-cbr would send 18750000000000 datagrams; a flow has at most 4294967295 "
         "(a lower 'rate' or a shorter 'duration')"},
        {"{node: a, run: udp-sink, timeout: 0}",
         "t.yaml:8:39: udp-sink 'timeout' must be more than 0, not '0'"},
        {"{node: a, run: tcp-sink, port: 0}",
         "t.yaml:8:36: tcp-sink 'port' must be a whole number from 1 to 65535, not '0'"},
    };
    for (const auto& [app, error] : cases) {
        Net n("  - " + app + "\n");
        auto checked = scenario::check_app(n.app(), *n.network);
        ASSERT_FALSE(checked) << app;
        EXPECT_EQ(checked.error().substr(0, error.size()), error) << app;
    }
    for (const char* good : {"{node: a, run: tcp-bulk, to: b, bytes: 1GiB, reverse: true}",
                             "{node: a, run: tcp-bulk, to: b, duration: 10s}",
                             "{node: a, run: udp-cbr, to: b, on: 1s}",
                             "{node: a, run: udp-cbr, to: b, rate: 10Mbit, on: 1s, off: 1s}",
                             "{node: a, run: udp-sink}", "{node: a, run: tcp-sink}"}) {
        Net n("  - " + std::string(good) + "\n");
        auto checked = scenario::check_app(n.app(), *n.network);
        EXPECT_TRUE(checked) << good << ": " << checked.error();
    }
}
