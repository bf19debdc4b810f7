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
    for (const char* server :
         {"udp-echo", "http-server", "tcp-hello-server", "dns-server", "dns-recursor"})
        EXPECT_TRUE(scenario::find_kind(server)->daemon) << server;
    for (const char* client :
         {"ping", "traceroute", "udp-stream", "http-get", "tcp-hello", "dns-lookup", "dns-update"})
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
