// UDP across the simulated internet: ports keep programs apart, losses reach the
// application unrepaired, and damage never does.
#include <gtest/gtest.h>

#include "apps/udp_apps.hpp"
#include "harness.hpp"
#include "socket/runtime.hpp"

namespace {

using base::Time;
using scenario::Scenario;
using namespace base::literals;

// Runs a udp-stream from `client` to an echo server on `server` and returns its
// result.
struct StreamRun {
    apps::UdpStreamResult result;
    std::vector<std::string> lines;
};

StreamRun stream(Scenario& s, const std::string& client, const std::string& server,
                 apps::UdpStreamOptions o) {
    StreamRun run;
    sockets::Runtime server_rt(s.node(server).host());
    sockets::Runtime client_rt(s.node(client).host());
    server_rt.spawn(apps::udp_echo(server_rt, o.to.port, [](const std::string&) {}));
    o.to.address = s.address(server);
    bool done = false;
    client_rt.spawn([](sockets::Runtime& rt, apps::UdpStreamOptions options, StreamRun* out,
                       bool* finished) -> sockets::Task<void> {
        out->result = co_await apps::udp_stream(
            rt, options, [out](const std::string& l) { out->lines.push_back(l); });
        *finished = true;
    }(client_rt, o, &run, &done));
    s.node(server).wake();
    s.node(client).wake();
    s.sim().run_until([&] { return done; }, s.sim().now() + 600_s);
    EXPECT_TRUE(done);
    return run;
}

const std::string lossy = R"(
seed: 21
hosts:
  a: {gateway: 10.1.0.254}
  b: {gateway: 10.2.0.254}
routers: {r: {}}
links:
  - {ends: [a, r], addresses: [10.1.0.1/24, 10.1.0.254/24], delay: 2ms}
  - {ends: [r, b], addresses: [10.2.0.254/24, 10.2.0.1/24], delay: 5ms, loss: 10%}
)";

// Every datagram lost on the way, in either direction, is one the program
// does not get back: UDP neither notices nor resends.
TEST(Udp, LossesReachTheApplicationUnrepaired) {
    Scenario s(lossy);
    const auto run =
        stream(s, "a", "b", {.to = {{}, 9000}, .count = 1000, .interval = 5_ms, .size = 200});
    const sim::Link& lossy_link = *s.net().find_link("r-b");
    const uint64_t lost_on_link =
        lossy_link.stats(0).dropped_loss + lossy_link.stats(1).dropped_loss;
    EXPECT_EQ(run.result.sent, 1000);
    EXPECT_GT(lost_on_link, 120u);
    EXPECT_LT(lost_on_link, 260u);  // about 19% of datagrams lose one leg or the other
    EXPECT_EQ(static_cast<uint64_t>(run.result.sent - run.result.received), lost_on_link);
    EXPECT_EQ(run.result.damaged, 0);
}

// A link that flips bits: every damaged datagram is dropped by a checksum (IP's
// or UDP's); what the program gets back is exactly what it sent.
TEST(Udp, CorruptedDatagramsAreDroppedNeverDelivered) {
    Scenario s(R"(
seed: 8
hosts: {a: {}, b: {}}
links:
  - {ends: [a, b], addresses: [10.0.0.1/24, 10.0.0.2/24], delay: 1ms, corrupt: 10%}
)");
    const auto run =
        stream(s, "a", "b", {.to = {{}, 9000}, .count = 2000, .interval = 1_ms, .size = 500});
    const sim::Link& link = *s.net().find_link("a-b");
    const uint64_t corrupted = link.stats(0).corrupted + link.stats(1).corrupted;
    EXPECT_GT(corrupted, 300u);
    EXPECT_EQ(run.result.damaged, 0);
    EXPECT_LT(run.result.received, run.result.sent);
    const uint64_t caught = s.node("a").host().stats().dropped + s.node("b").host().stats().dropped;
    EXPECT_GT(caught, 0u);
    EXPECT_GT(s.node("b").host().stats().dropped, 0u);
}

// The example: one host, one address, two programs; each gets only its own
// echoes, and each server only its own service's datagrams.
TEST(Udp, OneAddressManyProgramsEachGetTheirOwn) {
    Scenario s(R"(
seed: 2
hosts: {home: {}, game: {}, friend: {}}
routers: {r: {}}
links:
  - {ends: [home, r], addresses: [10.0.0.2/24, 10.0.0.1/24], delay: 1ms}
  - {ends: [r, game], addresses: [10.1.0.1/24, 10.1.0.2/24], delay: 1ms}
  - {ends: [r, friend], addresses: [10.2.0.1/24, 10.2.0.2/24], delay: 1ms}
)");
    s.node("home").host().routes().add(
        {.destination = {{}, 0}, .gateway = wire::Ipv4Address{10, 0, 0, 1}});
    s.node("game").host().routes().add(
        {.destination = {{}, 0}, .gateway = wire::Ipv4Address{10, 1, 0, 1}});
    s.node("friend").host().routes().add(
        {.destination = {{}, 0}, .gateway = wire::Ipv4Address{10, 2, 0, 1}});
    sockets::Runtime home(s.node("home").host()), game(s.node("game").host()),
        friend_rt(s.node("friend").host());
    game.spawn(apps::udp_echo(game, 27015, [](const std::string&) {}));
    friend_rt.spawn(apps::udp_echo(friend_rt, 5004, [](const std::string&) {}));
    apps::UdpStreamResult game_result, video_result;
    int finished = 0;
    auto run = [](sockets::Runtime& rt, apps::UdpStreamOptions o, apps::UdpStreamResult* out,
                  int* done) -> sockets::Task<void> {
        *out = co_await apps::udp_stream(rt, o, [](const std::string&) {});
        ++*done;
    };
    home.spawn(run(home,
                   {.to = {s.address("game"), 27015}, .count = 200, .interval = 5_ms, .size = 64},
                   &game_result, &finished));
    home.spawn(
        run(home, {.to = {s.address("friend"), 5004}, .count = 300, .interval = 3_ms, .size = 1200},
            &video_result, &finished));
    for (const char* n : {"home", "game", "friend"})
        s.node(n).wake();
    s.sim().run_until([&] { return finished == 2; }, Time::zero() + 60_s);
    ASSERT_EQ(finished, 2);
    EXPECT_EQ(game_result.received, 200);
    EXPECT_EQ(video_result.received, 300);
    EXPECT_EQ(game_result.damaged + video_result.damaged, 0)
        << "a 1200-byte echo in the game's socket would count";
    EXPECT_EQ(game.udp().stats().datagrams_in, 200u);
    EXPECT_EQ(friend_rt.udp().stats().datagrams_in, 300u);
    EXPECT_EQ(home.udp().stats().datagrams_in, 500u);
    EXPECT_EQ(home.udp().stats().no_port, 0u);
}

}  // namespace

namespace {

// Well-known ports carry their service names in the event log.
TEST(Udp, EventLogNamesWellKnownServices) {
    Scenario s(R"(
hosts: {a: {}, b: {}}
links:
  - {ends: [a, b], addresses: [10.0.0.1/24, 10.0.0.2/24]}
)",
               {.event_log = true});
    const auto run =
        stream(s, "a", "b", {.to = {{}, 53}, .count = 3, .interval = 10_ms, .size = 40});
    EXPECT_EQ(run.result.received, 3);
    const std::string log = s.events();
    EXPECT_EQ(scenario::count_events(log, {"\"node\":\"a\"", "\"event\":\"send\"", "\"dport\":53",
                                           "\"dservice\":\"domain\""}),
              3u);
    EXPECT_EQ(scenario::count_events(log, {"\"node\":\"b\"", "\"event\":\"send\"", "\"sport\":53",
                                           "\"sservice\":\"domain\""}),
              3u);
}

}  // namespace
