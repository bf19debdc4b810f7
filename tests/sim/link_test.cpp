#include "sim/link.hpp"

#include <algorithm>
#include <bit>
#include <random>
#include <set>

#include <gtest/gtest.h>

namespace {

using base::Duration;
using base::Time;
using namespace base::literals;

struct Arrival {
    Time time;
    stack::InterfaceId interface;
    std::vector<std::byte> bytes;
};

class Recorder : public sim::FrameReceiver {
  public:
    explicit Recorder(sim::Simulator& s) : sim_(s) {}
    void deliver(stack::InterfaceId i, base::PacketBuffer frame) override {
        arrivals.push_back({sim_.now(), i, {frame.bytes().begin(), frame.bytes().end()}});
    }
    std::vector<Arrival> arrivals;

  private:
    sim::Simulator& sim_;
};

struct Fixture {
    explicit Fixture(sim::LinkParams p, uint64_t seed = 1)
        : s(base::Seed{seed}),
          a(s),
          b(s),
          link(s, "a-b", p, {&a, 0, "a"}, {&b, 3, "b"}, base::Seed{seed}) {}

    // A frame whose first byte numbers it.
    void send(int from_end, uint8_t number, size_t size = 100) {
        base::PacketBuffer f = s.pool().acquire();
        auto bytes = f.append(size);
        std::fill(bytes.begin(), bytes.end(), std::byte{0x5a});
        bytes[0] = std::byte{number};
        link.send(from_end, std::move(f));
    }
    std::vector<int> order(const Recorder& r) const {
        std::vector<int> out;
        for (const Arrival& x : r.arrivals)
            out.push_back(static_cast<int>(x.bytes[0]));
        return out;
    }

    sim::Simulator s;
    Recorder a, b;
    sim::Link link;
};

TEST(Link, SerializationPlusPropagation) {
    Fixture f({.bandwidth_bps = 8'000'000, .delay = 5_ms});
    f.send(0, 1, 1000);  // 8000 bits at 8 Mbit/s: 1 ms on the wire
    f.send(0, 2, 1000);  // waits for the first
    f.s.run();
    ASSERT_EQ(f.b.arrivals.size(), 2u);
    EXPECT_EQ(f.b.arrivals[0].time, Time::zero() + 6_ms);
    EXPECT_EQ(f.b.arrivals[1].time, Time::zero() + 7_ms);
    EXPECT_EQ(f.b.arrivals[0].interface, 3u);
    EXPECT_TRUE(f.a.arrivals.empty());
    EXPECT_EQ(f.link.stats(0).delivered, 2u);
    EXPECT_EQ(f.link.stats(0).bytes_delivered, 2000u);
}

TEST(Link, DirectionsAreIndependent) {
    Fixture f({.bandwidth_bps = 8'000'000, .delay = 1_ms});
    f.send(0, 1, 1000);
    f.send(1, 2, 1000);
    f.s.run();
    ASSERT_EQ(f.b.arrivals.size(), 1u);
    ASSERT_EQ(f.a.arrivals.size(), 1u);
    EXPECT_EQ(f.a.arrivals[0].time, f.b.arrivals[0].time) << "no shared transmitter";
}

TEST(Link, SerializationRoundsUp) {
    Fixture f({.bandwidth_bps = 3});
    EXPECT_EQ(f.link.serialization(1), Duration::nanoseconds(2'666'666'667));
    Fixture infinite({});
    EXPECT_EQ(infinite.link.serialization(1500), Duration::zero());
}

TEST(Link, DropTailQueueInPackets) {
    Fixture f({.bandwidth_bps = 8'000'000, .queue_packets = 2});
    for (uint8_t i = 1; i <= 5; ++i)
        f.send(0, i, 1000);
    f.s.run();
    EXPECT_EQ(f.order(f.b), (std::vector<int>{1, 2}));
    EXPECT_EQ(f.link.stats(0).dropped_queue, 3u);
    EXPECT_EQ(f.link.stats(0).max_queue, 2u);
}

TEST(Link, DropTailQueueInBytes) {
    Fixture f({.bandwidth_bps = 8'000'000, .queue_packets = 100, .queue_bytes = 2500});
    for (uint8_t i = 1; i <= 4; ++i)
        f.send(0, i, 1000);
    f.s.run();
    EXPECT_EQ(f.order(f.b), (std::vector<int>{1, 2}));
    EXPECT_EQ(f.link.stats(0).dropped_queue, 2u);
}

TEST(Link, FramesBeyondTheMtuAreDropped) {
    Fixture f({.mtu = 100});
    f.send(0, 1, 114);  // 100 + the Ethernet header: fits
    f.send(0, 2, 115);
    f.s.run();
    EXPECT_EQ(f.order(f.b), (std::vector<int>{1}));
    EXPECT_EQ(f.link.stats(0).dropped_too_big, 1u);
}

TEST(Link, GoingDownLosesQueuedAndInFlightFrames) {
    Fixture f({.bandwidth_bps = 8'000'000, .delay = 10_ms});
    for (uint8_t i = 1; i <= 3; ++i)
        f.send(0, i, 1000);
    f.s.run_for(2_ms);  // frame 1 in flight, 2 on the wire, 3 queued
    f.link.set_up(false);
    f.send(0, 4);  // sent while down
    f.s.run_for(50_ms);
    EXPECT_TRUE(f.b.arrivals.empty());
    EXPECT_EQ(f.link.stats(0).dropped_down, 4u);
    f.link.set_up(true);
    f.send(0, 5, 1000);
    f.s.run();
    EXPECT_EQ(f.order(f.b), (std::vector<int>{5}));
    EXPECT_EQ(f.b.arrivals[0].time, Time::zero() + 52_ms + 1_ms + 10_ms);
}

TEST(Link, FilterDropsChosenFrames) {
    Fixture f({});
    f.link.set_filter([](int, base::ByteSpan frame) { return frame[0] == std::byte{2}; });
    for (uint8_t i = 1; i <= 3; ++i)
        f.send(0, i);
    f.s.run();
    EXPECT_EQ(f.order(f.b), (std::vector<int>{1, 3}));
    EXPECT_EQ(f.link.stats(0).dropped_filtered, 1u);
}

TEST(Link, IndependentLossRate) {
    sim::LinkParams p{.queue_packets = 100000};
    p.impairments.loss = 0.3;
    Fixture f(p, 42);
    for (int i = 0; i < 10000; ++i)
        f.send(0, 0);
    f.s.run();
    // Binomial(10000, 0.3): deviation 46; allow five.
    EXPECT_NEAR(static_cast<double>(f.link.stats(0).dropped_loss), 3000, 230);
    EXPECT_EQ(f.link.stats(0).dropped_loss + f.link.stats(0).delivered, 10000u);
}

TEST(Link, GilbertElliottLosesInBursts) {
    sim::LinkParams p{.queue_packets = 100000};
    p.impairments.gilbert_elliott = netem::GilbertElliott{.p = 0.01, .r = 0.25};
    Fixture f(p, 7);
    for (int i = 0; i < 20000; ++i)
        f.send(0, static_cast<uint8_t>(i % 256));
    f.s.run();
    // Count runs of consecutive losses from the gaps in the delivered stream.
    std::vector<int> delivered_index;
    // Frames are numbered modulo 256; rebuild absolute order from arrival order.
    int last = -1;
    int absolute = -1;
    for (const Arrival& a : f.b.arrivals) {
        const int n = static_cast<int>(a.bytes[0]);
        absolute += (n - last + 256) % 256 == 0 ? 256 : (n - last + 256) % 256;
        last = n;
        delivered_index.push_back(absolute);
    }
    int bursts = 0;
    int lost = 0;
    for (size_t i = 1; i < delivered_index.size(); ++i) {
        const int gap = delivered_index[i] - delivered_index[i - 1] - 1;
        if (gap > 0) {
            ++bursts;
            lost += gap;
        }
    }
    ASSERT_GT(bursts, 20);
    // Bad-state sojourns last 1/r = 4 frames on average; all are lost.
    const double mean_burst = static_cast<double>(lost) / bursts;
    EXPECT_GT(mean_burst, 3.0);
    EXPECT_LT(mean_burst, 5.0);
    // Stationary loss p / (p + r) ≈ 3.8 %.
    EXPECT_NEAR(static_cast<double>(f.link.stats(0).dropped_loss) / 20000, 0.01 / 0.26, 0.012);
}

TEST(Link, DuplicationDeliversTwoCopies) {
    sim::LinkParams p;
    p.impairments.duplicate = 1.0;
    Fixture f(p);
    f.send(0, 9);
    f.s.run();
    EXPECT_EQ(f.order(f.b), (std::vector<int>{9, 9}));
    EXPECT_EQ(f.link.stats(0).duplicated, 1u);
}

TEST(Link, CorruptionFlipsExactlyOneBit) {
    sim::LinkParams p;
    p.impairments.corrupt = 1.0;
    Fixture f(p);
    for (int i = 0; i < 50; ++i)
        f.send(0, 0x5a, 64);
    f.s.run();
    ASSERT_EQ(f.b.arrivals.size(), 50u);
    for (const Arrival& a : f.b.arrivals) {
        int flipped = 0;
        for (std::byte x : a.bytes)
            flipped += std::popcount(static_cast<unsigned>(x ^ std::byte{0x5a}));
        EXPECT_EQ(flipped, 1);
    }
    EXPECT_EQ(f.link.stats(0).corrupted, 50u);
}

TEST(Link, ReorderedFramesSkipTheDelayAndOvertake) {
    sim::LinkParams p{.delay = 10_ms};
    p.impairments.reorder = 0.25;
    Fixture f(p, 3);
    for (int i = 0; i < 200; ++i) {
        f.send(0, static_cast<uint8_t>(i));
        f.s.run_for(1_ms);
    }
    f.s.run();
    const auto order = f.order(f.b);
    ASSERT_EQ(order.size(), 200u);
    EXPECT_FALSE(std::is_sorted(order.begin(), order.end()));
    EXPECT_NEAR(static_cast<double>(f.link.stats(0).reordered), 50, 25);
}

TEST(Link, JitterAloneKeepsOrder) {
    sim::LinkParams p{.delay = 10_ms};
    p.impairments.jitter = 5_ms;
    p.impairments.jitter_distribution = netem::JitterDistribution::normal;
    Fixture f(p, 5);
    for (int i = 0; i < 100; ++i) {
        f.send(0, static_cast<uint8_t>(i));
        f.s.run_for(1_ms);
    }
    f.s.run();
    const auto order = f.order(f.b);
    EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
    // And it really varies the delay: frame i was sent at i ms.
    std::set<int64_t> delays;
    for (size_t i = 0; i < f.b.arrivals.size(); ++i) {
        delays.insert((f.b.arrivals[i].time - Time::zero()).ns() -
                      static_cast<int64_t>(i) * 1'000'000);
    }
    EXPECT_GT(delays.size(), 10u);
}

// An unimpaired link schedules each frame's departure when it is queued; the
// queue is the frames that have not left yet, so room comes back as they go.
TEST(Link, QueueDrainsAsFramesLeave) {
    Fixture f({.bandwidth_bps = 8'000'000, .delay = 5_ms, .queue_packets = 2});
    f.send(0, 1, 1000);  // leaves at 1 ms
    f.send(0, 2, 1000);  // leaves at 2 ms
    f.send(0, 3, 1000);  // full
    f.s.run_for(1_ms);
    f.send(0, 4, 1000);  // 1 has left: room for one, leaves at 3 ms
    f.send(0, 5, 1000);  // full again
    f.s.run();
    EXPECT_EQ(f.order(f.b), (std::vector<int>{1, 2, 4}));
    ASSERT_EQ(f.b.arrivals.size(), 3u);
    EXPECT_EQ(f.b.arrivals[2].time, Time::zero() + 3_ms + 5_ms);
    EXPECT_EQ(f.link.stats(0).dropped_queue, 2u);
    EXPECT_EQ(f.link.stats(0).max_queue, 2u);
}

// Down before any frame left the transmitter: all are dropped from the queue,
// and the arrival the first had scheduled finds nothing to deliver.
TEST(Link, GoingDownWithEveryFrameStillQueued) {
    Fixture f({.bandwidth_bps = 8'000'000, .delay = 1_ms});
    for (uint8_t i = 1; i <= 3; ++i)
        f.send(0, i, 1000);
    f.s.run_for(500_us);
    f.link.set_up(false);
    EXPECT_EQ(f.link.stats(0).dropped_down, 3u);
    f.link.set_up(true);
    f.send(0, 4, 1000);
    f.s.run();
    EXPECT_EQ(f.order(f.b), (std::vector<int>{4}));
    EXPECT_EQ(f.b.arrivals[0].time, Time::zero() + 500_us + 1_ms + 1_ms);
}

// A filter set while frames are on an unimpaired transmitter: the next frame
// waits for them, and the filter sees only frames sent after it was set.
TEST(Link, FilterSetWhileFramesAreQueued) {
    Fixture f({.bandwidth_bps = 8'000'000, .delay = 1_ms});
    f.send(0, 1, 1000);
    f.send(0, 2, 1000);
    f.link.set_filter([](int, base::ByteSpan frame) { return frame[0] == std::byte{4}; });
    f.send(0, 3, 1000);
    f.send(0, 4, 1000);
    f.send(0, 5, 1000);
    f.s.run();
    EXPECT_EQ(f.order(f.b), (std::vector<int>{1, 2, 3, 5}));
    ASSERT_EQ(f.b.arrivals.size(), 4u);
    EXPECT_EQ(f.b.arrivals[2].time, Time::zero() + 3_ms + 1_ms);
    EXPECT_EQ(f.b.arrivals[3].time, Time::zero() + 5_ms + 1_ms);
    EXPECT_EQ(f.link.stats(0).dropped_filtered, 1u);
}

// The two ways a direction queues frames agree: the same bursts at the same
// instants through an unimpaired link and through one whose filter keeps
// every frame (so each frame leaves through an event) arrive at the same
// times, and the same frames are dropped. Sends fall between departures
// (odd nanoseconds), where the two cannot differ by the order of events.
TEST(Link, TimedQueueMatchesTheTransmitterEvents) {
    std::mt19937 rng(3);
    uint64_t drops = 0;
    for (int trial = 0; trial < 20; ++trial) {
        sim::LinkParams p{.bandwidth_bps = 8'000'000, .delay = 2_ms};
        p.queue_packets = 1 + rng() % 6;
        p.queue_bytes = trial % 2 == 0 ? 0 : 2000 + rng() % 4000;
        Fixture timed(p), evented(p);
        evented.link.set_filter([](int, base::ByteSpan) { return false; });
        uint8_t number = 0;
        for (int burst = 0; burst < 30; ++burst) {
            const Duration gap = Duration::nanoseconds(1 + 2 * (rng() % 1'500'000));
            timed.s.run_for(gap);
            evented.s.run_for(gap);
            for (unsigned n = rng() % 5; n > 0; --n) {
                const size_t size = 60 + rng() % 1400;
                timed.send(0, ++number, size);
                evented.send(0, number, size);
            }
        }
        timed.s.run();
        evented.s.run();
        ASSERT_EQ(timed.order(timed.b), evented.order(evented.b)) << "trial " << trial;
        for (size_t i = 0; i < timed.b.arrivals.size(); ++i)
            ASSERT_EQ(timed.b.arrivals[i].time, evented.b.arrivals[i].time) << "trial " << trial;
        EXPECT_EQ(timed.link.stats(0).dropped_queue, evented.link.stats(0).dropped_queue);
        EXPECT_EQ(timed.link.stats(0).max_queue, evented.link.stats(0).max_queue);
        drops += timed.link.stats(0).dropped_queue;
    }
    EXPECT_GT(drops, 100u);  // the queues did fill
}

TEST(Link, SameSeedSameFateOtherSeedOther) {
    auto fates = [](uint64_t seed) {
        sim::LinkParams p{.queue_packets = 10000};
        p.impairments.loss = 0.2;
        Fixture f(p, seed);
        for (int i = 0; i < 300; ++i)
            f.send(0, static_cast<uint8_t>(i));
        f.s.run();
        return f.order(f.b);
    };
    EXPECT_EQ(fates(11), fates(11));
    EXPECT_NE(fates(11), fates(12));
}

}  // namespace
