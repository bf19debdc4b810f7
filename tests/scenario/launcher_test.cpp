#include "scenario/launcher.hpp"

#include <gtest/gtest.h>

#include <map>

#include "sim/simulator.hpp"
#include "testing/printers.hpp"

namespace {

using base::Time;
using scenario::AppLine;
using scenario::Launcher;
using namespace base::literals;

struct Topo {
    explicit Topo(const std::string& yaml)
        : topology(sim::parse_topology(yaml, "t.yaml").value()),
          sim(base::Seed{topology.seed}),
          network(sim::Network::build(sim, topology).value()) {}
    sim::Topology topology;
    sim::Simulator sim;
    std::unique_ptr<sim::Network> network;
    std::vector<AppLine> lines;

    std::unique_ptr<Launcher> launch() {
        auto l = Launcher::create(*network, [this](const AppLine& line) { lines.push_back(line); });
        EXPECT_TRUE(l) << l.error();
        (*l)->schedule();
        return std::move(*l);
    }
};

const std::string two_hosts = R"(
hosts: {a: {}, b: {}}
links:
  - {ends: [a, b], addresses: [10.0.0.1/24, 10.0.0.2/24], delay: 5ms}
)";

// The run is over when the client is: the echo server, a daemon, never is.
TEST(Launcher, DaemonsNeverHoldUpTheEnd) {
    Topo r(two_hosts + R"(
apps:
  - {node: b, run: udp-echo, port: 7}
  - {node: a, run: udp-stream, to: b, count: 3, interval: 10ms, wait: 100ms, at: 1s}
)");
    auto launcher = r.launch();
    EXPECT_EQ(launcher->size(), 2u);
    EXPECT_FALSE(launcher->all_done());
    r.sim.run_until([&] { return launcher->all_done(); }, Time::zero() + 60_s);
    ASSERT_TRUE(launcher->all_done());
    EXPECT_LT(r.sim.now(), Time::zero() + 2_s);
    ASSERT_FALSE(r.lines.empty());
    EXPECT_EQ(r.lines.front().node, "b");
    EXPECT_EQ(r.lines.front().app, "udp-echo");
    EXPECT_EQ(r.lines.front().time, Time::zero());
    EXPECT_EQ(r.lines.back().node, "a");
    EXPECT_EQ(r.lines.back().app, "udp-stream");
}

// An application whose node is down when it should start does not start, and
// is done.
TEST(Launcher, AnApplicationOnADownNodeIsNotStarted) {
    Topo r(two_hosts + R"(
faults:
  - {at: 500ms, node: a, action: crash}
apps:
  - {node: a, run: ping, to: b, count: 3, at: 1s}
)");
    auto launcher = r.launch();
    r.sim.run_until([&] { return launcher->all_done(); }, Time::zero() + 60_s);
    EXPECT_TRUE(launcher->all_done());
    ASSERT_EQ(r.lines.size(), 1u);
    EXPECT_EQ(r.lines[0].text, "not started: a is down");
    EXPECT_EQ(r.lines[0].time, Time::zero() + 1_s);
}

TEST(Launcher, LeavingOutANodeDropsItsApplications) {
    Topo r(two_hosts + R"(
apps:
  - {node: b, run: udp-echo}
  - {node: a, run: ping, to: b}
  - {node: a, run: traceroute, to: b}
)");
    auto launcher = Launcher::create(*r.network, [](const AppLine&) {});
    ASSERT_TRUE(launcher);
    EXPECT_EQ((*launcher)->leave_out("a"), 2u);
    EXPECT_EQ((*launcher)->size(), 1u);
}

TEST(Launcher, TheFirstBadApplicationStopsTheLaunch) {
    Topo r(two_hosts + R"(
apps:
  - {node: a, run: ping, to: b}
  - {node: a, run: ping, to: nowhere}
)");
    auto launcher = Launcher::create(*r.network, [](const AppLine&) {});
    ASSERT_FALSE(launcher);
    EXPECT_EQ(launcher.error(),
              "t.yaml:8:30: ping 'to': 'nowhere' is neither a node nor an IP address");
}

// The load generators from a file: the clients end, the sinks account for them.
TEST(Launcher, LoadGeneratorsRunFromAFile) {
    Topo r(two_hosts + R"(
apps:
  - {node: b, run: tcp-sink}
  - {node: b, run: udp-sink}
  - {node: a, run: tcp-bulk, to: b, bytes: 1MB}
  - {node: a, run: tcp-bulk, to: b, duration: 500ms, reverse: true}
  - {node: a, run: udp-cbr, to: b, rate: 1Mbit, duration: 1s}
)");
    auto launcher = r.launch();
    r.sim.run_until([&] { return launcher->all_done(); }, Time::zero() + 60_s);
    ASSERT_TRUE(launcher->all_done());
    std::map<std::string, int> lines;
    for (const AppLine& l : r.lines)
        ++lines[l.node + " " + l.app];
    EXPECT_EQ(lines["b tcp-sink"], 3) << "listening, then a line per connection";
    EXPECT_EQ(lines["b udp-sink"], 2) << "listening, then the flow";
    EXPECT_EQ(lines["a tcp-bulk"], 4) << "connected and done, twice";
    EXPECT_EQ(lines["a udp-cbr"], 2) << "what it will send, what it sent";
}

}  // namespace
