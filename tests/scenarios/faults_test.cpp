// Faults at scheduled times: a router crashes and comes back; programs on a
// crashed node die with it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cli/session.hpp"
#include "harness.hpp"
#include "scenario/launcher.hpp"

namespace {

using base::Time;
using scenario::Scenario;
using namespace base::literals;

// r1 reaches r4 through r2 (cheap) or r3 (dear). r2 crashes at 1 s and restarts
// at 3 s; routes follow each change half a second later.
const std::string diamond = R"(
seed: 9
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
  - {at: 1s, node: r2, action: crash}
  - {at: 3s, node: r2, action: restart}
)";

TEST(Faults, RouterCrashAndRestartMoveTrafficAwayAndBack) {
    Scenario s(diamond, {.event_log = true});
    const auto run = s.ping("client", "server", {.count = 50, .interval = 100_ms});
    // Lost: what was sent between the crash (1 s) and the new routes (1.5 s).
    EXPECT_GE(run.stats.received, 43);
    EXPECT_LE(run.stats.received, 46);
    EXPECT_EQ(s.node("r2").boots(), 2u);
    EXPECT_TRUE(s.node("r2").up());
    EXPECT_GT(s.node("r3").host().stats().packets_forwarded, 0u) << "the detour carried traffic";
    EXPECT_GT(s.node("r2").host().stats().packets_forwarded, 0u)
        << "the restarted r2 carries traffic again";
    EXPECT_EQ(s.net().route_recomputations(), 3u);
    // RTTs: short before, long during the detour, short again after 3.5 s.
    EXPECT_LT(run.stats.rtts[1], 30_ms);  // [0] waited for ARP at every hop
    EXPECT_LT(run.stats.rtts.back(), 30_ms);
    EXPECT_GT(*std::max_element(run.stats.rtts.begin(), run.stats.rtts.end()), 80_ms);
    const std::string log = s.events();
    EXPECT_EQ(scenario::count_events(log, {"\"node\":\"r2\"", "\"event\":\"node_crash\""}), 1u);
    EXPECT_EQ(scenario::count_events(log, {"\"node\":\"r2\"", "\"event\":\"node_restart\""}), 1u);
    EXPECT_GT(scenario::count_events(log, {"\"reason\":\"node down\""}), 0u);
}

// A ping running on a host that crashes ends with it; the run still finishes.
TEST(Faults, ProgramsDieWithTheirNode) {
    const auto path = std::filesystem::temp_directory_path() / "minternet-faults-crash.yaml";
    {
        std::ofstream f(path);
        f << R"(
hosts: {a: {}, b: {}}
links:
  - {ends: [a, b], addresses: [10.0.0.1/24, 10.0.0.2/24], delay: 1ms}
faults:
  - {at: 2500ms, node: a, action: crash}
apps:
  - {node: a, run: ping, to: b, count: 10}
)";
    }
    auto session = cli::Session::open({.topology_path = path.string()});
    ASSERT_TRUE(session) << session.error();
    std::vector<std::string> lines;
    auto launcher = scenario::Launcher::create(
        (*session)->network(), [&](const scenario::AppLine& l) { lines.push_back(l.text); });
    ASSERT_TRUE(launcher) << launcher.error();
    (*launcher)->schedule();
    (*session)->sim().run_until([&] { return (*launcher)->all_done(); }, Time::zero() + 60_s);
    EXPECT_TRUE((*launcher)->all_done());
    EXPECT_LT((*session)->sim().now(), Time::zero() + 3_s)
        << "done at the crash, not after ten pings";
    // Three replies (0, 1 and 2 s), no statistics: the program never finished.
    EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                            [](const std::string& l) { return l.starts_with("64 bytes"); }),
              3);
    EXPECT_TRUE(std::none_of(lines.begin(), lines.end(),
                             [](const std::string& l) { return l.starts_with("---"); }));
}

}  // namespace
