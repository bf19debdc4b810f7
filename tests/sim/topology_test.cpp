#include "sim/topology.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

using netem::JitterDistribution;
using sim::FaultAction;

// Every broken file in tests/data/topology/bad/ starts with the error it must
// produce: "# expect: LINE:COLUMN: part of the message". Good files must load.
const fs::path topology_data = fs::path(MINTERNET_SOURCE_DIR) / "tests" / "data" / "topology";
constexpr size_t min_bad_files = 20;

std::vector<fs::path> yaml_files(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
        if (e.is_regular_file() && e.path().extension() == ".yaml") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

// "LINE:COLUMN: text" from the file's first line, if it has the header.
std::optional<std::string> expected_error(const fs::path& file) {
    std::ifstream in(file);
    std::string first;
    std::getline(in, first);
    constexpr std::string_view header = "# expect: ";
    if (first.rfind(header, 0) != 0 || first.size() == header.size()) return std::nullopt;
    return first.substr(header.size());
}

// gtest parameter names allow only letters, digits and '_'.
std::string test_name(const testing::TestParamInfo<fs::path>& info) {
    std::string name = info.param.stem().string();
    std::replace_if(
        name.begin(), name.end(),
        [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
    return name;
}

class BadTopology : public testing::TestWithParam<fs::path> {};

TEST_P(BadTopology, FailsAtTheExpectedPlaceWithTheExpectedMessage) {
    const std::string path = GetParam().string();
    const std::optional<std::string> expected = expected_error(GetParam());
    ASSERT_TRUE(expected) << path << ": the first line must be '# expect: LINE:COLUMN: message'";

    const auto topology = sim::load_topology_file(path);
    ASSERT_FALSE(topology) << path << " loaded, but it should fail with: " << *expected;
    // File, line, column and the fragment of the message, all at once.
    EXPECT_PRED_FORMAT2(testing::IsSubstring, path + ":" + *expected, topology.error().to_string());
}

INSTANTIATE_TEST_SUITE_P(TopologyFiles, BadTopology,
                         testing::ValuesIn(yaml_files(topology_data / "bad")), test_name);

class GoodTopology : public testing::TestWithParam<fs::path> {};

TEST_P(GoodTopology, Loads) {
    const std::string path = GetParam().string();
    const auto topology = sim::load_topology_file(path);
    ASSERT_TRUE(topology) << topology.error().to_string();
    EXPECT_EQ(topology->file, path);
}

INSTANTIATE_TEST_SUITE_P(TopologyFiles, GoodTopology,
                         testing::ValuesIn(yaml_files(topology_data / "good")), test_name);

TEST(TopologyFiles, EnoughBadFilesThatTheirTestCannotPassVacuously) {
    const auto bad = yaml_files(topology_data / "bad");
    EXPECT_GE(bad.size(), min_bad_files) << "in " << (topology_data / "bad");
    for (const fs::path& f : bad)
        EXPECT_TRUE(expected_error(f)) << f << " has no '# expect: LINE:COLUMN: message' line";
    EXPECT_GE(yaml_files(topology_data / "good").size(), 2u) << "in " << (topology_data / "good");
}

TEST(TopologyFiles, ExamplesLoad) {
    const auto examples = yaml_files(fs::path(MINTERNET_SOURCE_DIR) / "examples");
    ASSERT_FALSE(examples.empty());
    for (const fs::path& f : examples) {
        const auto topology = sim::load_topology_file(f.string());
        EXPECT_TRUE(topology) << topology.error().to_string();
    }
}

TEST(TopologyFiles, MissingFileIsReportedWithoutALine) {
    const std::string path = (topology_data / "no-such-file.yaml").string();
    const auto topology = sim::load_topology_file(path);
    ASSERT_FALSE(topology);
    EXPECT_EQ(topology.error().to_string(), path + ": cannot open the file");
}

// ---- The full file, value by value ----

class TopologyFull : public testing::Test {
  protected:
    void SetUp() override {
        auto loaded = sim::load_topology_file(path);
        ASSERT_TRUE(loaded) << loaded.error().to_string();
        t = std::move(*loaded);
    }
    const sim::LinkSpec& link(std::string_view name) {
        const sim::LinkSpec* l = t.find_link(name);
        EXPECT_NE(l, nullptr) << "no link " << name;
        return l ? *l : t.links.at(0);
    }

    const std::string path = (topology_data / "good" / "full.yaml").string();
    sim::Topology t;
};

TEST_F(TopologyFull, TopLevel) {
    EXPECT_EQ(t.name, "everything");
    EXPECT_EQ(t.file, path);
    EXPECT_EQ(t.seed, 42u);
    ASSERT_TRUE(t.duration);
    EXPECT_EQ(t.duration->ns(), 30'000'000'000);
    EXPECT_EQ(t.convergence_delay.ns(), 250'000'000);
}

TEST_F(TopologyFull, NodesHostsFirstThenRoutersInFileOrder) {
    ASSERT_EQ(t.nodes.size(), 5u);
    const char* names[] = {"client", "server", "r1", "r2", "r3"};
    for (size_t i = 0; i < 5; ++i) {
        EXPECT_EQ(t.nodes[i].name, names[i]);
        EXPECT_EQ(t.nodes[i].router, i >= 2) << names[i];
    }

    const sim::NodeSpec& client = t.nodes[0];
    ASSERT_TRUE(client.gateway);
    EXPECT_EQ(client.gateway->to_string(), "192.168.1.254");
    EXPECT_EQ(client.ttl, 32);
    EXPECT_EQ(client.where.file, path);
    EXPECT_EQ(client.where.line, 20);
    EXPECT_EQ(client.where.column, 3);

    const sim::NodeSpec& server = t.nodes[1];
    ASSERT_TRUE(server.gateway);
    EXPECT_EQ(server.gateway->to_string(), "192.168.2.254");
    EXPECT_EQ(server.ttl, 64);

    EXPECT_EQ(t.nodes[2].ttl, 255);
    EXPECT_FALSE(t.nodes[2].gateway);
    EXPECT_EQ(t.nodes[3].ttl, 64);
    EXPECT_EQ(t.nodes[4].ttl, 64);  // "r3:" with no body
    EXPECT_EQ(t.nodes[4].where.line, 26);
}

TEST_F(TopologyFull, LinkNamesEndsAndAddresses) {
    ASSERT_EQ(t.links.size(), 5u);
    const char* names[] = {"client-r1", "core", "r2-server", "r1-r3", "r3-r2"};
    for (size_t i = 0; i < 5; ++i)
        EXPECT_EQ(t.links[i].name, names[i]);

    const sim::LinkSpec& core = link("core");
    EXPECT_EQ(core.ends[0], "r1");
    EXPECT_EQ(core.ends[1], "r2");
    EXPECT_EQ(core.addresses[0].to_string(), "10.0.12.1/30");
    EXPECT_EQ(core.addresses[1].to_string(), "10.0.12.2/30");
    EXPECT_EQ(core.where.line, 33);  // the mapping starts at its first key, "name"
    EXPECT_EQ(core.where.column, 5);

    const sim::LinkSpec& p2p = link("r1-r3");
    EXPECT_EQ(p2p.addresses[0].to_string(), "10.0.13.0/31");
    EXPECT_EQ(p2p.addresses[1].to_string(), "10.0.13.1/31");
}

TEST_F(TopologyFull, LinkWithOnlyDefaultsTakesThemAll) {
    const sim::LinkParams& p = link("client-r1").params;
    EXPECT_EQ(p.bandwidth_bps, 10'000'000u);
    EXPECT_EQ(p.delay.ns(), 5'000'000);
    EXPECT_EQ(p.mtu, 1400);
    EXPECT_EQ(p.queue_packets, 50u);
    EXPECT_EQ(p.queue_bytes, 0u);
    EXPECT_EQ(p.cost, 1u);  // not in defaults: the built-in default
    EXPECT_DOUBLE_EQ(p.impairments.loss, 0.001);
    EXPECT_DOUBLE_EQ(p.impairments.loss_correlation, 0);
    EXPECT_FALSE(p.impairments.gilbert_elliott);
    EXPECT_EQ(p.impairments.jitter.ns(), 0);
    EXPECT_EQ(p.impairments.jitter_distribution, JitterDistribution::uniform);
    EXPECT_DOUBLE_EQ(p.impairments.reorder, 0);
    EXPECT_EQ(p.impairments.reorder_gap, 1u);
    EXPECT_DOUBLE_EQ(p.impairments.duplicate, 0);
    EXPECT_DOUBLE_EQ(p.impairments.corrupt, 0);
}

TEST_F(TopologyFull, LinkWithEveryKey) {
    const sim::LinkParams& p = link("core").params;
    EXPECT_EQ(p.bandwidth_bps, 1'500'000'000u);
    EXPECT_EQ(p.delay.ns(), 12'500'000);
    EXPECT_EQ(p.mtu, 9000);
    // A size with a unit counts bytes, and then packets are not limited.
    EXPECT_EQ(p.queue_bytes, 64'000u);
    EXPECT_EQ(p.queue_packets, SIZE_MAX);
    EXPECT_EQ(p.cost, 10u);

    const netem::Impairments& imp = p.impairments;
    EXPECT_DOUBLE_EQ(imp.loss, 0.01);
    EXPECT_DOUBLE_EQ(imp.loss_correlation, 0.25);
    ASSERT_TRUE(imp.gilbert_elliott);
    EXPECT_DOUBLE_EQ(imp.gilbert_elliott->p, 0.02);
    EXPECT_DOUBLE_EQ(imp.gilbert_elliott->r, 0.30);
    EXPECT_DOUBLE_EQ(imp.gilbert_elliott->bad_loss, 0.80);
    EXPECT_DOUBLE_EQ(imp.gilbert_elliott->good_loss, 0.005);
    EXPECT_EQ(imp.jitter.ns(), 2'000'000);
    EXPECT_EQ(imp.jitter_distribution, JitterDistribution::paretonormal);
    EXPECT_DOUBLE_EQ(imp.jitter_correlation, 0.5);
    EXPECT_DOUBLE_EQ(imp.reorder, 0.05);
    EXPECT_DOUBLE_EQ(imp.reorder_correlation, 0.10);
    EXPECT_EQ(imp.reorder_gap, 3u);
    EXPECT_DOUBLE_EQ(imp.duplicate, 0.002);
    EXPECT_DOUBLE_EQ(imp.duplicate_correlation, 0.01);
    EXPECT_DOUBLE_EQ(imp.corrupt, 0.0001);
    EXPECT_DOUBLE_EQ(imp.corrupt_correlation, 0.02);
}

TEST_F(TopologyFull, LinkKeysOverrideSomeDefaultsAndKeepTheRest) {
    const sim::LinkParams& p = link("r2-server").params;
    EXPECT_EQ(p.bandwidth_bps, 100'000'000u);
    EXPECT_EQ(p.delay.ns(), 0);
    EXPECT_EQ(p.mtu, 1400);
    EXPECT_EQ(p.queue_packets, 50u);
    EXPECT_DOUBLE_EQ(p.impairments.loss, 0.001);

    const sim::LinkParams& q = link("r3-r2").params;
    EXPECT_EQ(q.cost, 5u);
    EXPECT_EQ(q.queue_bytes, 1024u);  // 1KiB replaces the default 50 packets
    EXPECT_EQ(q.queue_packets, SIZE_MAX);
    EXPECT_EQ(q.delay.ns(), 5'000'000);
}

TEST_F(TopologyFull, GilbertElliottDefaults) {
    const netem::Impairments& imp = link("r1-r3").params.impairments;
    ASSERT_TRUE(imp.gilbert_elliott);
    EXPECT_DOUBLE_EQ(imp.gilbert_elliott->p, 0.10);
    EXPECT_DOUBLE_EQ(imp.gilbert_elliott->r, 0.90);  // 1 - p
    EXPECT_DOUBLE_EQ(imp.gilbert_elliott->bad_loss, 1);
    EXPECT_DOUBLE_EQ(imp.gilbert_elliott->good_loss, 0);
    EXPECT_EQ(imp.jitter.ns(), 1'000'000);
    EXPECT_EQ(imp.jitter_distribution, JitterDistribution::normal);
}

TEST_F(TopologyFull, Routes) {
    ASSERT_EQ(t.routes.size(), 2u);
    EXPECT_EQ(t.routes[0].node, "r1");
    EXPECT_EQ(t.routes[0].to.to_string(), "192.168.2.0/24");
    EXPECT_EQ(t.routes[0].via.to_string(), "10.0.12.2");
    EXPECT_EQ(t.routes[0].metric, 7u);
    EXPECT_EQ(t.routes[1].node, "client");
    EXPECT_EQ(t.routes[1].to.to_string(), "203.0.113.0/24");
    EXPECT_EQ(t.routes[1].via.to_string(), "192.168.1.254");
    EXPECT_EQ(t.routes[1].metric, 0u);
    EXPECT_EQ(t.routes[1].where.line, 71);
}

TEST_F(TopologyFull, FaultsWithTimesAndActions) {
    ASSERT_EQ(t.faults.size(), 4u);
    struct Expected {
        int64_t at_ms;
        FaultAction action;
        const char* target;
    };
    const Expected expected[] = {{2000, FaultAction::link_down, "core"},
                                 {4500, FaultAction::link_up, "core"},
                                 {6000, FaultAction::node_crash, "r3"},
                                 {20000, FaultAction::node_restart, "r3"}};
    for (size_t i = 0; i < 4; ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(t.faults[i].at.ns(), expected[i].at_ms * 1'000'000);
        EXPECT_EQ(t.faults[i].action, expected[i].action);
        EXPECT_EQ(t.faults[i].target, expected[i].target);
        EXPECT_EQ(t.faults[i].where.line, 76 + static_cast<int>(i));
    }
}

TEST_F(TopologyFull, AppParametersStayTextWithTheirPlaces) {
    ASSERT_EQ(t.apps.size(), 2u);
    const sim::AppSpec& ping = t.apps[0];
    EXPECT_EQ(ping.node, "client");
    EXPECT_EQ(ping.kind, "ping");
    EXPECT_EQ(ping.at.ns(), 0);
    EXPECT_EQ(ping.where.line, 82);
    EXPECT_EQ(ping.where.column, 5);
    // node, run and at are the app's own; everything else is a parameter.
    ASSERT_EQ(ping.params.size(), 6u);
    EXPECT_EQ(ping.params.at("to").value, "server");
    EXPECT_EQ(ping.params.at("to").where.file, path);
    EXPECT_EQ(ping.params.at("to").where.line, 82);
    EXPECT_EQ(ping.params.at("to").where.column, 35);
    EXPECT_EQ(ping.params.at("count").value, "5");
    EXPECT_EQ(ping.params.at("interval").value, "200ms");
    EXPECT_EQ(ping.params.at("size").value, "100");
    EXPECT_EQ(ping.params.at("ttl").value, "16");
    EXPECT_EQ(ping.params.at("linger").value, "2s");

    const sim::AppSpec& trace = t.apps[1];
    EXPECT_EQ(trace.kind, "traceroute");
    EXPECT_EQ(trace.at.ns(), 10'000'000'000);
    EXPECT_EQ(trace.where.line, 83);
    ASSERT_EQ(trace.params.size(), 4u);
    EXPECT_EQ(trace.params.at("to").value, "192.168.2.1");
    EXPECT_EQ(trace.params.at("to").where.line, 86);
    EXPECT_EQ(trace.params.at("to").where.column, 9);
    EXPECT_EQ(trace.params.at("max_hops").value, "8");
    EXPECT_EQ(trace.params.at("max_hops").where.line, 87);
    EXPECT_EQ(trace.params.at("max_hops").where.column, 15);
    EXPECT_EQ(trace.params.at("probes").value, "2");
    EXPECT_EQ(trace.params.at("wait").value, "1s");
}

// ---- Defaults, and small cases written inline ----

TEST(TopologyDefaults, MinimalFileGetsTheBuiltInDefaults) {
    const auto t = sim::load_topology_file((topology_data / "good" / "minimal.yaml").string());
    ASSERT_TRUE(t) << t.error().to_string();
    EXPECT_EQ(t->name, "");
    EXPECT_EQ(t->seed, 1u);
    EXPECT_FALSE(t->duration);
    EXPECT_EQ(t->convergence_delay.ns(), 500'000'000);
    ASSERT_EQ(t->nodes.size(), 2u);
    EXPECT_FALSE(t->nodes[0].router);
    EXPECT_FALSE(t->nodes[0].gateway);
    EXPECT_EQ(t->nodes[0].ttl, 64);
    ASSERT_EQ(t->links.size(), 1u);
    EXPECT_EQ(t->links[0].name, "a-b");
    const sim::LinkParams& p = t->links[0].params;
    EXPECT_EQ(p.bandwidth_bps, 1'000'000'000u);
    EXPECT_EQ(p.delay.ns(), 1'000'000);
    EXPECT_EQ(p.mtu, 1500);
    EXPECT_EQ(p.queue_packets, 1000u);
    EXPECT_EQ(p.queue_bytes, 0u);
    EXPECT_EQ(p.cost, 1u);
    EXPECT_FALSE(p.impairments.any());
    EXPECT_TRUE(t->routes.empty());
    EXPECT_TRUE(t->faults.empty());
    EXPECT_TRUE(t->apps.empty());
}

constexpr const char* two_hosts = R"(hosts: {a: {}, b: {}}
links:
  - ends: [a, b]
    addresses: [10.0.0.1/24, 10.0.0.2/24]
)";

TEST(TopologyDefaults, PacketQueueOnALinkReplacesAByteQueueFromDefaults) {
    const auto t = sim::parse_topology(
        std::string("defaults: {link: {queue: 32KiB}}\n") + two_hosts + "    queue: 20\n",
        "inline.yaml");
    ASSERT_TRUE(t) << t.error().to_string();
    EXPECT_EQ(t->links[0].params.queue_packets, 20u);
    EXPECT_EQ(t->links[0].params.queue_bytes, 0u);
}

TEST(TopologyDefaults, ErrorsNameTheFileGivenToParse) {
    const auto t = sim::parse_topology(std::string(two_hosts) + "    delay: soon\n", "mine.yaml");
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().where.file, "mine.yaml");
    EXPECT_EQ(t.error().where.line, 5);
    EXPECT_EQ(t.error().where.column, 12);
    EXPECT_EQ(t.error().to_string().rfind("mine.yaml:5:12: delay: ", 0), 0u)
        << t.error().to_string();
}

}  // namespace

namespace {

TEST(TopologyIpv6, AddressesGatewaysAndRoutesOfBothFamilies) {
    const auto t = sim::load_topology_file((topology_data / "good" / "dual-stack.yaml").string());
    ASSERT_TRUE(t) << t.error().to_string();
    const auto six = [](const char* text) { return wire::Ipv6Address::parse(text).value(); };
    ASSERT_EQ(t->links.size(), 2u);
    EXPECT_TRUE(t->links[0].has_ipv4());
    ASSERT_TRUE(t->links[0].addresses6);
    EXPECT_EQ((*t->links[0].addresses6)[1], (wire::Ipv6Cidr{six("2001:db8:1::2"), 64}));
    EXPECT_FALSE(t->links[1].has_ipv4()) << "an IPv6-only link";
    ASSERT_TRUE(t->links[1].addresses6);
    const sim::NodeSpec* a = t->find_node("a");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->gateway, wire::Ipv4Address(10, 0, 0, 2));
    EXPECT_EQ(a->gateway6, six("2001:db8:1::2"));
    EXPECT_TRUE(t->routes.empty());
    ASSERT_EQ(t->routes6.size(), 1u);
    EXPECT_EQ(t->routes6[0].node, "c");
    EXPECT_EQ(t->routes6[0].to, (wire::Ipv6Cidr{six("2001:db8:1::"), 64}));
    EXPECT_EQ(t->routes6[0].via, six("2001:db8:2::1"));
    EXPECT_EQ(t->routes6[0].metric, 5u);
}

}  // namespace
