// udp-cbr and udp-sink across the simulated internet: the schedule's count,
// sent on time; what the sink counts lost is what the links dropped.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "apps/cbr.hpp"
#include "harness.hpp"
#include "wire/ethernet.hpp"
#include "wire/ipv4.hpp"
#include "wire/udp.hpp"

namespace {

using apps::UdpCbrOptions;
using apps::UdpCbrResult;
using apps::UdpSinkFlow;
using base::Duration;
using base::Time;
using scenario::Scenario;
using namespace base::literals;

// a —(1 Gbit/s, 2 ms)— r —(1 Gbit/s, 3 ms, impairments)— b
std::string path(const std::string& impairments = "", uint64_t seed = 3) {
    return fmt::format(R"(
seed: {}
hosts:
  a: {{gateway: 10.1.0.254}}
  b: {{gateway: 10.2.0.254}}
routers: {{r: {{}}}}
links:
  - {{ends: [a, r], addresses: [10.1.0.1/24, 10.1.0.254/24], delay: 2ms}}
  - {{ends: [r, b], addresses: [10.2.0.254/24, 10.2.0.1/24], delay: 3ms{}}}
)",
                       seed, impairments);
}

struct Flow {
    UdpCbrResult sender;
    std::vector<UdpSinkFlow> sink;  // as the sink reported them
    Time end;
};

// A udp-sink on b and a udp-cbr from a; runs until the sender is done and the
// sink has reported its flow. With `warm`, a ping first fills the ARP caches
// on the way: otherwise the first datagrams wait for ARP at a and again at r,
// and at a high rate more than the 16 a host keeps per address pile up there
// and are dropped (as Linux does).
Flow run(Scenario& s, UdpCbrOptions o, bool warm = false,
         Duration sink_timeout = Duration::milliseconds(500)) {
    if (warm) (void)s.ping("a", "b", {.count = 3, .interval = 10_ms, .linger = 100_ms});
    Flow f;
    sockets::Runtime sink_rt(s.node("b").host());
    sockets::Runtime cbr_rt(s.node("a").host());
    apps::UdpSinkOptions sink{.port = 5002,
                              .timeout = sink_timeout,
                              .on_flow = [&f](const UdpSinkFlow& x) { f.sink.push_back(x); }};
    sink_rt.spawn(apps::udp_sink(sink_rt, sink, [](const std::string&) {}));
    o.to = s.address("b").to_string();
    o.port = 5002;
    bool done = false;
    cbr_rt.spawn([](sockets::Runtime& rt, UdpCbrOptions options, UdpCbrResult* out,
                    bool* finished) -> sockets::Task<void> {
        *out = co_await apps::udp_cbr(rt, std::move(options), [](const std::string&) {});
        *finished = true;
    }(cbr_rt, o, &f.sender, &done));
    s.node("a").wake();
    s.node("b").wake();
    s.sim().run_until([&] { return done && !f.sink.empty(); }, s.sim().now() + 600_s);
    EXPECT_TRUE(done);
    EXPECT_EQ(f.sink.size(), 1u) << "the sink reports the flow once";
    f.end = s.sim().now();
    return f;
}

// rate × duration / (size × 8): 10 Mbit/s of 1000-byte datagrams for 2 s.
TEST(Cbr, SendsRateTimesDurationOverSizeDatagramsAndAllArrive) {
    Scenario s(path());
    const auto f = run(s, {.rate = 10'000'000, .size = 1000, .duration = 2_s});
    EXPECT_EQ(f.sender.planned, 2500u);
    EXPECT_EQ(f.sender.sent, 2500u);
    EXPECT_EQ(f.sender.errors, 0u);
    ASSERT_EQ(f.sink.size(), 1u);
    const UdpSinkFlow& k = f.sink[0];
    EXPECT_TRUE(k.complete);
    EXPECT_EQ(k.expected, 2500u);
    EXPECT_EQ(k.received, 2500u);
    EXPECT_EQ(k.bytes, 2'500'000u);
    EXPECT_EQ(k.lost, 0u);
    EXPECT_EQ(k.out_of_order, 0u);
    EXPECT_EQ(k.duplicates, 0u);
    EXPECT_EQ(k.source.address, s.address("a"));
}

// On the wire the datagrams are exactly k·size·8/rate apart (rounded down to
// the nanosecond from the start): 3 Mbit/s of 1000 bytes is 2.666… ms, which
// no sum of rounded intervals would keep for 1125 datagrams.
TEST(Cbr, DatagramsAreSpacedExactlyWithoutDrift) {
    Scenario s(path());
    std::vector<Time> on_wire;
    s.net().find_link("a-r")->set_filter([&](int direction, base::ByteSpan frame) {
        if (direction == 0 && frame.size() == 14 + 20 + 8 + 1000) on_wire.push_back(s.sim().now());
        return false;
    });
    const auto f = run(s, {.rate = 3'000'000, .size = 1000, .duration = 3_s}, /*warm=*/true);
    EXPECT_EQ(f.sender.sent, 1125u);
    ASSERT_EQ(on_wire.size(), 1125u);
    for (size_t k = 0; k < on_wire.size(); ++k)
        ASSERT_EQ((on_wire[k] - on_wire[0]).ns(), static_cast<int64_t>(k) * 8'000'000 / 3) << k;
    EXPECT_TRUE(f.sink[0].complete);
    EXPECT_EQ(f.sink[0].jitter, Duration::zero()) << "an idle path: every transit the same";
}

// ns-3's OnOff: on for 100 ms, off for 100 ms, sends half of what always-on does.
TEST(Cbr, OnOffEqualHalvesTheCount) {
    Scenario always(path()), bursts(path());
    const auto a = run(always, {.rate = 8'000'000, .size = 500, .duration = 2_s}, true);
    const auto b =
        run(bursts, {.rate = 8'000'000, .size = 500, .duration = 2_s, .on = 100_ms, .off = 100_ms},
            true);
    EXPECT_EQ(a.sender.sent, 4000u);
    EXPECT_EQ(b.sender.sent, a.sender.sent / 2);
    EXPECT_EQ(b.sink[0].received, 2000u);
    EXPECT_TRUE(b.sink[0].complete);
}

// What the sink counts lost is exactly what the lossy link dropped.
TEST(Cbr, SinkCountsTheLossTheLinkMade) {
    Scenario s(path(", loss: 5%"));
    const sim::Link& lossy = *s.net().find_link("r-b");
    // ARP first (see run()); what the link lost of that is not the flow's.
    (void)s.ping("a", "b", {.count = 3, .interval = 10_ms, .linger = 100_ms});
    const uint64_t before = lossy.stats(0).dropped_loss;
    const auto f = run(s, {.rate = 20'000'000, .size = 1200, .duration = 2_s});
    const uint64_t dropped = lossy.stats(0).dropped_loss - before;
    for (const char* node : {"a", "r", "b"})
        EXPECT_EQ(s.node(node).host().stats().dropped, 0u) << node << " dropped none itself";
    EXPECT_GT(dropped, 100u);
    const UdpSinkFlow& k = f.sink[0];
    EXPECT_EQ(k.expected, f.sender.sent);
    EXPECT_EQ(k.lost, dropped);
    EXPECT_EQ(k.received + k.lost, k.expected);
    EXPECT_EQ(k.duplicates, 0u);
}

// Duplicates and reordering are told apart from loss.
TEST(Cbr, SinkCountsDuplicatesAndOutOfOrder) {
    Scenario s(path(", duplicate: 3%, reorder: 3%"));
    const auto f = run(s, {.rate = 20'000'000, .size = 1000, .duration = 1_s});
    const sim::Link& link = *s.net().find_link("r-b");
    const UdpSinkFlow& k = f.sink[0];
    EXPECT_TRUE(k.complete);
    EXPECT_EQ(k.lost, 0u);
    EXPECT_EQ(k.received, f.sender.sent);
    EXPECT_GT(link.stats(0).duplicated, 0u);
    EXPECT_GT(link.stats(0).reordered, 0u);
    // A copy that arrives after the flow is complete is dropped as late, not counted.
    EXPECT_LE(k.duplicates, link.stats(0).duplicated);
    EXPECT_GT(k.duplicates, 0u);
    EXPECT_GT(k.out_of_order, 0u);
    EXPECT_GT(k.jitter, Duration::zero());
}

// When the last datagrams are lost the flow still ends: after the sink's
// timeout past the flow's expected end, with the tail counted as lost.
TEST(Cbr, LostTailEndsTheFlowBySilenceAndCountsAsLost) {
    Scenario s(path());
    int last_three = 0;
    s.net().find_link("r-b")->set_filter([&](int direction, base::ByteSpan frame) {
        if (direction != 0 || frame.size() != 14 + 20 + 8 + 100) return false;
        const auto h = apps::cbr::Header::parse(frame.subspan(14 + 20 + 8));
        if (h && h->sequence + 3 >= h->count) {
            ++last_three;
            return true;
        }
        return false;
    });
    const auto f = run(s, {.rate = 800'000, .size = 100, .duration = 1_s, .wait = 0_s},
                       /*warm=*/false, /*sink_timeout=*/300_ms);
    EXPECT_EQ(last_three, 3);
    const UdpSinkFlow& k = f.sink[0];
    EXPECT_FALSE(k.complete);
    EXPECT_EQ(k.expected, 1000u);
    EXPECT_EQ(k.received, 997u);
    EXPECT_EQ(k.lost, 3u);
    // Reported once nothing came for 300 ms after the last datagram should have.
    EXPECT_GE(f.end - k.last, 300_ms + 3 * 1_ms);
}

// The same file and seed give the same counts; another seed, other losses.
TEST(Cbr, SameSeedSameCounts) {
    auto once = [](uint64_t seed) {
        Scenario s(path(", loss: 3%, duplicate: 1%, reorder: 1%", seed));
        return run(s, {.rate = 10'000'000, .size = 1000, .duration = 1_s}).sink.at(0);
    };
    const UdpSinkFlow a = once(11), b = once(11), c = once(12);
    EXPECT_EQ(a.received, b.received);
    EXPECT_EQ(a.lost, b.lost);
    EXPECT_EQ(a.duplicates, b.duplicates);
    EXPECT_EQ(a.out_of_order, b.out_of_order);
    EXPECT_EQ(a.jitter, b.jitter);
    EXPECT_EQ(a.last, b.last);
    EXPECT_NE(a.lost, c.lost);
}

// Two sources at one sink: each flow counted on its own.
TEST(Cbr, EachSourceIsItsOwnFlow) {
    Scenario s(path(", loss: 2%"));
    const sim::Link& lossy = *s.net().find_link("r-b");
    (void)s.ping("a", "b", {.count = 3, .interval = 10_ms, .linger = 100_ms});  // ARP first
    const uint64_t before = lossy.stats(0).dropped_loss;
    sockets::Runtime sink_rt(s.node("b").host());
    sockets::Runtime cbr_rt(s.node("a").host());
    std::vector<UdpSinkFlow> flows;
    apps::UdpSinkOptions sink{.port = 5002,
                              .on_flow = [&](const UdpSinkFlow& x) { flows.push_back(x); }};
    sink_rt.spawn(apps::udp_sink(sink_rt, sink, [](const std::string&) {}));
    std::vector<UdpCbrResult> sent(2);
    for (size_t i = 0; i < 2; ++i) {
        UdpCbrOptions o{.to = s.address("b").to_string(),
                        .port = 5002,
                        .rate = 1'000'000 * (i + 1),
                        .size = 500,
                        .duration = 1_s};
        cbr_rt.spawn([](sockets::Runtime& rt, UdpCbrOptions options,
                        UdpCbrResult* out) -> sockets::Task<void> {
            *out = co_await apps::udp_cbr(rt, std::move(options), [](const std::string&) {});
        }(cbr_rt, o, &sent[i]));
    }
    s.node("a").wake();
    s.node("b").wake();
    s.sim().run_until([&] { return flows.size() == 2; }, s.sim().now() + 60_s);
    ASSERT_EQ(flows.size(), 2u);
    uint64_t lost = 0;
    for (const UdpSinkFlow& k : flows) {
        const uint64_t expected = k.expected == 250u ? 250u : 500u;
        EXPECT_EQ(k.expected, expected);
        EXPECT_EQ(k.received + k.lost, expected);
        lost += k.lost;
    }
    EXPECT_NE(flows[0].source, flows[1].source);
    EXPECT_EQ(lost, lossy.stats(0).dropped_loss - before);
}

}  // namespace
