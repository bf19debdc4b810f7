#include "stack/arp_cache.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <utility>
#include <vector>

namespace {

using base::Duration;
using base::Time;
using stack::ArpCache;
using stack::ArpConfig;
using Key = ArpCache::Key;
using Queued = ArpCache::Queued;
using namespace base::literals;

const Time t0 = Time::zero() + 100_s;
const Key alice{1, wire::Ipv4Address{10, 0, 0, 2}};
const Key bob{1, wire::Ipv4Address{10, 0, 0, 3}};
const Key carol{1, wire::Ipv4Address{10, 0, 0, 4}};
const Key dave{1, wire::Ipv4Address{10, 0, 0, 5}};
const wire::MacAddress mac_a{{0x02, 0, 0, 0, 0, 0x0a}};
const wire::MacAddress mac_b{{0x02, 0, 0, 0, 0, 0x0b}};

// A 40-byte packet whose every byte is `tag`, so packets can be told apart.
base::PacketBuffer packet(base::BufferPool& pool, uint8_t tag) {
    std::vector<std::byte> bytes(40, std::byte{tag});
    return pool.copy_of(bytes);
}

std::vector<uint8_t> tags(const std::vector<ArpCache::Waiting>& waiting) {
    std::vector<uint8_t> out;
    for (const auto& w : waiting) {
        EXPECT_TRUE(w.packet.valid());
        EXPECT_EQ(w.packet.size(), 40u);
        out.push_back(w.packet.valid() ? std::to_integer<uint8_t>(w.packet.bytes()[0]) : 0);
    }
    return out;
}

// Records what `poll` asks for.
struct PollLog {
    std::vector<Key> requests;
    std::vector<std::pair<Key, std::vector<uint8_t>>> failures;

    void poll(ArpCache& cache, Time now) {
        cache.poll(
            now, [&](Key k) { requests.push_back(k); },
            [&](Key k, std::vector<ArpCache::Waiting> packets) {
                failures.emplace_back(k, tags(packets));
            });
    }
};

TEST(ArpCache, LookupMissesWhenEmpty) {
    const ArpCache cache{ArpConfig{}};
    EXPECT_FALSE(cache.lookup(alice, t0).has_value());
    EXPECT_EQ(cache.resolved_count(), 0u);
    EXPECT_EQ(cache.incomplete_count(), 0u);
    EXPECT_EQ(cache.next_deadline(), Time::never());
}

TEST(ArpCache, LearnedEntryLastsExactlyItsLifetime) {
    ArpConfig config;
    config.entry_lifetime = 60_s;
    ArpCache cache{config};
    EXPECT_TRUE(cache.learn(alice, mac_a, t0, true).empty());
    EXPECT_EQ(cache.resolved_count(), 1u);
    EXPECT_EQ(cache.lookup(alice, t0), mac_a);
    EXPECT_EQ(cache.lookup(alice, t0 + 60_s - 1_ns), mac_a);
    EXPECT_FALSE(cache.lookup(alice, t0 + 60_s).has_value());
    EXPECT_FALSE(cache.lookup(alice, t0 + 61_s).has_value());
    EXPECT_FALSE(cache.lookup(bob, t0).has_value());
}

TEST(ArpCache, LearnWithoutCreateDoesNotCreate) {
    ArpCache cache{ArpConfig{}};
    EXPECT_TRUE(cache.learn(alice, mac_a, t0, false).empty());
    EXPECT_FALSE(cache.lookup(alice, t0).has_value());
    EXPECT_EQ(cache.resolved_count(), 0u);
    EXPECT_EQ(cache.incomplete_count(), 0u);
}

TEST(ArpCache, LearnWithoutCreateUpdatesAndRefreshesAnExistingEntry) {
    ArpCache cache{ArpConfig{}};  // lifetime 60 s
    cache.learn(alice, mac_a, t0, true);
    EXPECT_TRUE(cache.learn(alice, mac_b, t0 + 30_s, false).empty());
    EXPECT_EQ(cache.resolved_count(), 1u);
    EXPECT_EQ(cache.lookup(alice, t0 + 30_s), mac_b);
    // The lifetime restarted at the update.
    EXPECT_EQ(cache.lookup(alice, t0 + 60_s), mac_b);
    EXPECT_EQ(cache.lookup(alice, t0 + 90_s - 1_ns), mac_b);
    EXPECT_FALSE(cache.lookup(alice, t0 + 90_s).has_value());
}

TEST(ArpCache, LearnWithoutCreateCompletesAnAddressBeingResolved) {
    base::BufferPool pool;
    ArpCache cache{ArpConfig{}};
    auto p = packet(pool, 7);
    ASSERT_EQ(cache.enqueue(alice, p, t0), Queued::send_request);
    // A reply from the address we asked about: we did ask, so it is "known".
    const auto waiting = cache.learn(alice, mac_a, t0 + 1_ms, false);
    EXPECT_EQ(tags(waiting), (std::vector<uint8_t>{7}));
    EXPECT_EQ(cache.lookup(alice, t0 + 1_ms), mac_a);
    EXPECT_EQ(cache.incomplete_count(), 0u);
}

TEST(ArpCache, EnqueueAsksOnceThenWaits) {
    base::BufferPool pool;
    ArpCache cache{ArpConfig{}};
    auto p1 = packet(pool, 1);
    auto p2 = packet(pool, 2);
    auto p3 = packet(pool, 3);
    EXPECT_EQ(cache.enqueue(alice, p1, t0), Queued::send_request);
    EXPECT_FALSE(p1.valid());  // taken
    EXPECT_EQ(cache.enqueue(alice, p2, t0), Queued::waiting);
    EXPECT_EQ(cache.enqueue(alice, p3, t0 + 10_ms), Queued::waiting);
    EXPECT_FALSE(p2.valid());
    EXPECT_FALSE(p3.valid());
    EXPECT_EQ(cache.incomplete_count(), 1u);
    EXPECT_EQ(cache.resolved_count(), 0u);
    EXPECT_FALSE(cache.lookup(alice, t0).has_value());
}

TEST(ArpCache, LearnReturnsWaitingPacketsInOrderAndClearsTheEntry) {
    base::BufferPool pool;
    ArpCache cache{ArpConfig{}};
    for (uint8_t tag = 1; tag <= 5; ++tag) {
        auto p = packet(pool, tag);
        cache.enqueue(alice, p, t0);
    }
    auto other = packet(pool, 99);
    cache.enqueue(bob, other, t0);

    const auto waiting = cache.learn(alice, mac_a, t0 + 5_ms, true);
    EXPECT_EQ(tags(waiting), (std::vector<uint8_t>{1, 2, 3, 4, 5}));
    EXPECT_EQ(cache.incomplete_count(), 1u);  // bob still waits
    EXPECT_EQ(cache.lookup(alice, t0 + 5_ms), mac_a);
    // Nothing is handed back twice.
    EXPECT_TRUE(cache.learn(alice, mac_a, t0 + 6_ms, true).empty());
    // A new packet for alice after that starts a fresh resolution.
    auto again = packet(pool, 6);
    EXPECT_EQ(cache.enqueue(alice, again, t0 + 7_ms), Queued::send_request);
}

TEST(ArpCache, QueueFullLeavesThePacketWithTheCaller) {
    base::BufferPool pool;
    ArpConfig config;
    config.max_pending = 3;
    ArpCache cache{config};
    for (uint8_t tag = 1; tag <= 3; ++tag) {
        auto p = packet(pool, tag);
        EXPECT_NE(cache.enqueue(alice, p, t0), Queued::queue_full);
    }
    auto extra = packet(pool, 4);
    const std::byte* data = extra.bytes().data();
    EXPECT_EQ(cache.enqueue(alice, extra, t0), Queued::queue_full);
    ASSERT_TRUE(extra.valid());
    EXPECT_EQ(extra.bytes().data(), data);
    EXPECT_EQ(extra.size(), 40u);
    EXPECT_EQ(extra.bytes()[39], std::byte{4});
    // Another address is unaffected.
    auto for_bob = packet(pool, 5);
    EXPECT_EQ(cache.enqueue(bob, for_bob, t0), Queued::send_request);

    EXPECT_EQ(tags(cache.learn(alice, mac_a, t0, true)), (std::vector<uint8_t>{1, 2, 3}));
}

TEST(ArpCache, MaxIncompleteBoundsAddressesBeingResolved) {
    base::BufferPool pool;
    ArpConfig config;
    config.max_incomplete = 2;
    ArpCache cache{config};
    auto p1 = packet(pool, 1);
    auto p2 = packet(pool, 2);
    auto p3 = packet(pool, 3);
    EXPECT_EQ(cache.enqueue(alice, p1, t0), Queued::send_request);
    EXPECT_EQ(cache.enqueue(bob, p2, t0), Queued::send_request);
    EXPECT_EQ(cache.enqueue(carol, p3, t0), Queued::queue_full);
    ASSERT_TRUE(p3.valid());
    EXPECT_EQ(p3.bytes()[0], std::byte{3});
    EXPECT_EQ(cache.incomplete_count(), 2u);

    // An address already being resolved still takes packets.
    auto p4 = packet(pool, 4);
    EXPECT_EQ(cache.enqueue(alice, p4, t0), Queued::waiting);

    // Once one resolves, there is room again.
    cache.learn(bob, mac_b, t0, true);
    EXPECT_EQ(cache.enqueue(carol, p3, t0), Queued::send_request);
    EXPECT_FALSE(p3.valid());
}

TEST(ArpCache, PollRetriesOnlyAfterTheRequestInterval) {
    base::BufferPool pool;
    ArpConfig config;
    config.request_interval = 1_s;
    config.max_requests = 3;
    ArpCache cache{config};
    auto p = packet(pool, 1);
    ASSERT_EQ(cache.enqueue(alice, p, t0), Queued::send_request);  // request 1

    PollLog log;
    log.poll(cache, t0);
    log.poll(cache, t0 + 999_ms);
    EXPECT_TRUE(log.requests.empty());

    log.poll(cache, t0 + 1_s);  // request 2
    ASSERT_EQ(log.requests.size(), 1u);
    EXPECT_EQ(log.requests[0], alice);
    log.poll(cache, t0 + 1_s);
    log.poll(cache, t0 + 1500_ms);
    EXPECT_EQ(log.requests.size(), 1u);

    // The interval counts from the retry, not from the first request.
    log.poll(cache, t0 + 2_s + 500_ms);  // request 3
    EXPECT_EQ(log.requests.size(), 2u);
    log.poll(cache, t0 + 3_s + 499_ms);
    EXPECT_EQ(log.requests.size(), 2u);
    EXPECT_TRUE(log.failures.empty());
    EXPECT_EQ(cache.incomplete_count(), 1u);
}

TEST(ArpCache, PollFailsAfterMaxRequestsAndHandsBackThePackets) {
    base::BufferPool pool;
    ArpConfig config;
    config.request_interval = 1_s;
    config.max_requests = 3;
    ArpCache cache{config};
    for (uint8_t tag = 1; tag <= 3; ++tag) {
        auto p = packet(pool, tag);
        cache.enqueue(alice, p, t0);
    }

    PollLog log;
    size_t requests_sent = 1;  // by enqueue
    for (Time now = t0; now <= t0 + 10_s; now += 100_ms) {
        const size_t failures_before = log.failures.size();
        log.poll(cache, now);
        if (log.failures.size() != failures_before) {
            EXPECT_EQ(now, t0 + 3_s) << "gave up at the wrong time";
        }
    }
    requests_sent += log.requests.size();
    EXPECT_EQ(requests_sent, 3u);
    ASSERT_EQ(log.failures.size(), 1u);
    EXPECT_EQ(log.failures[0].first, alice);
    EXPECT_EQ(log.failures[0].second, (std::vector<uint8_t>{1, 2, 3}));
    EXPECT_EQ(cache.incomplete_count(), 0u);
    EXPECT_FALSE(cache.lookup(alice, t0 + 10_s).has_value());
    EXPECT_EQ(cache.next_deadline(), Time::never());
}

TEST(ArpCache, TotalRequestsEqualMaxRequests) {
    for (int max_requests : {1, 2, 5}) {
        SCOPED_TRACE(max_requests);
        base::BufferPool pool;
        ArpConfig config;
        config.request_interval = 250_ms;
        config.max_requests = max_requests;
        ArpCache cache{config};
        auto p = packet(pool, 1);
        ASSERT_EQ(cache.enqueue(alice, p, t0), Queued::send_request);
        PollLog log;
        for (Time now = t0; now <= t0 + 5_s; now += 50_ms)
            log.poll(cache, now);
        EXPECT_EQ(1 + static_cast<int>(log.requests.size()), max_requests);
        ASSERT_EQ(log.failures.size(), 1u);
        EXPECT_EQ(log.failures[0].second, (std::vector<uint8_t>{1}));
    }
}

TEST(ArpCache, AnswerBetweenRetriesStopsThem) {
    base::BufferPool pool;
    ArpCache cache{ArpConfig{}};
    auto p = packet(pool, 1);
    cache.enqueue(alice, p, t0);
    PollLog log;
    log.poll(cache, t0 + 1_s);
    EXPECT_EQ(log.requests.size(), 1u);
    EXPECT_EQ(tags(cache.learn(alice, mac_a, t0 + 1500_ms, false)), (std::vector<uint8_t>{1}));
    for (Time now = t0 + 2_s; now <= t0 + 10_s; now += 1_s)
        log.poll(cache, now);
    EXPECT_EQ(log.requests.size(), 1u);
    EXPECT_TRUE(log.failures.empty());
}

TEST(ArpCache, NextDeadlineIsTheEarliestRetry) {
    base::BufferPool pool;
    ArpConfig config;
    config.request_interval = 1_s;
    ArpCache cache{config};
    EXPECT_EQ(cache.next_deadline(), Time::never());

    auto p1 = packet(pool, 1);
    cache.enqueue(bob, p1, t0 + 300_ms);
    EXPECT_EQ(cache.next_deadline(), t0 + 1300_ms);
    auto p2 = packet(pool, 2);
    cache.enqueue(alice, p2, t0 + 500_ms);
    EXPECT_EQ(cache.next_deadline(), t0 + 1300_ms);

    PollLog log;
    log.poll(cache, t0 + 1300_ms);  // bob retries, next at 2.3 s
    EXPECT_EQ(log.requests, (std::vector<Key>{bob}));
    EXPECT_EQ(cache.next_deadline(), t0 + 1500_ms);

    // Resolved entries do not need polling.
    cache.learn(alice, mac_a, t0 + 1400_ms, true);
    cache.learn(bob, mac_b, t0 + 1400_ms, true);
    EXPECT_EQ(cache.next_deadline(), Time::never());
}

TEST(ArpCache, ResolvedEntriesAreBoundedEvictingTheOneClosestToExpiry) {
    ArpConfig config;
    config.max_entries = 3;
    config.entry_lifetime = 60_s;
    ArpCache cache{config};
    cache.learn(alice, mac_a, t0, true);         // expires t0 + 60
    cache.learn(bob, mac_b, t0 + 1_s, true);     // expires t0 + 61
    cache.learn(carol, mac_a, t0 + 2_s, true);   // expires t0 + 62
    cache.learn(alice, mac_a, t0 + 3_s, false);  // refreshed: t0 + 63
    EXPECT_EQ(cache.resolved_count(), 3u);

    // Updating an entry already held evicts nothing.
    cache.learn(carol, mac_b, t0 + 3_s, true);  // t0 + 63
    EXPECT_EQ(cache.resolved_count(), 3u);
    const Time now = t0 + 4_s;
    EXPECT_TRUE(cache.lookup(alice, now).has_value());
    EXPECT_TRUE(cache.lookup(bob, now).has_value());
    EXPECT_EQ(cache.lookup(carol, now), mac_b);

    cache.learn(dave, mac_b, now, true);
    EXPECT_EQ(cache.resolved_count(), 3u);
    EXPECT_FALSE(cache.lookup(bob, now).has_value()) << "bob expired soonest";
    EXPECT_EQ(cache.lookup(alice, now), mac_a);
    EXPECT_EQ(cache.lookup(carol, now), mac_b);
    EXPECT_EQ(cache.lookup(dave, now), mac_b);
}

TEST(ArpCache, ExpiredEntriesAreEvictedFirst) {
    ArpConfig config;
    config.max_entries = 2;
    config.entry_lifetime = 10_s;
    ArpCache cache{config};
    cache.learn(alice, mac_a, t0 + 5_s, true);  // expires t0 + 15
    cache.learn(bob, mac_b, t0, true);          // expires t0 + 10: gone by t0 + 12
    cache.learn(carol, mac_a, t0 + 12_s, true);
    EXPECT_EQ(cache.resolved_count(), 2u);
    EXPECT_EQ(cache.lookup(alice, t0 + 12_s), mac_a);
    EXPECT_EQ(cache.lookup(carol, t0 + 12_s), mac_a);
}

TEST(ArpCache, KeysDistinguishInterfaces) {
    base::BufferPool pool;
    ArpCache cache{ArpConfig{}};
    const wire::Ipv4Address ip{192, 168, 0, 1};
    const Key on1{1, ip};
    const Key on2{2, ip};
    const Key on3{3, ip};
    cache.learn(on1, mac_a, t0, true);
    cache.learn(on2, mac_b, t0, true);
    EXPECT_EQ(cache.resolved_count(), 2u);
    EXPECT_EQ(cache.lookup(on1, t0), mac_a);
    EXPECT_EQ(cache.lookup(on2, t0), mac_b);
    EXPECT_FALSE(cache.lookup(on3, t0).has_value());

    // Resolving on one interface neither creates nor completes the other.
    EXPECT_TRUE(cache.learn(on3, mac_a, t0, false).empty());
    EXPECT_FALSE(cache.lookup(on3, t0).has_value());
    auto p3 = packet(pool, 3);
    auto p4 = packet(pool, 4);
    EXPECT_EQ(cache.enqueue(on3, p3, t0), Queued::send_request);
    EXPECT_EQ(cache.enqueue(Key{4, ip}, p4, t0), Queued::send_request);
    EXPECT_EQ(cache.incomplete_count(), 2u);
    EXPECT_EQ(tags(cache.learn(on3, mac_b, t0, true)), (std::vector<uint8_t>{3}));
    EXPECT_EQ(cache.incomplete_count(), 1u);
}

TEST(ArpCache, ClearForgetsEverything) {
    base::BufferPool pool;
    ArpCache cache{ArpConfig{}};
    cache.learn(alice, mac_a, t0, true);
    auto p = packet(pool, 1);
    cache.enqueue(bob, p, t0);
    cache.clear();
    EXPECT_EQ(cache.resolved_count(), 0u);
    EXPECT_EQ(cache.incomplete_count(), 0u);
    EXPECT_FALSE(cache.lookup(alice, t0).has_value());
    EXPECT_EQ(cache.next_deadline(), Time::never());
    EXPECT_EQ(pool.stats().outstanding, 0u);  // the waiting packet went back to the pool
}

// However packets are spread over addresses, each address hands back exactly
// the first max_pending packets queued for it, in order.
RC_GTEST_PROP(ArpCache, WaitingPacketsComeBackInOrderPerAddress, ()) {
    base::BufferPool pool;
    ArpConfig config;
    config.max_pending = *rc::gen::inRange<size_t>(1, 6);
    ArpCache cache{config};
    const auto targets = *rc::gen::container<std::vector<uint8_t>>(rc::gen::inRange<uint8_t>(0, 3));
    std::vector<std::vector<uint8_t>> expected(3);
    for (size_t i = 0; i < targets.size(); ++i) {
        const Key key{1, wire::Ipv4Address{10, 0, 0, targets[i]}};
        auto p = packet(pool, static_cast<uint8_t>(i));
        const Queued q = cache.enqueue(key, p, t0);
        auto& queue = expected[targets[i]];
        if (queue.size() >= config.max_pending) {
            RC_ASSERT(q == Queued::queue_full);
            RC_ASSERT(p.valid());
        } else {
            RC_ASSERT(q == (queue.empty() ? Queued::send_request : Queued::waiting));
            RC_ASSERT(!p.valid());
            queue.push_back(static_cast<uint8_t>(i));
        }
    }
    for (uint8_t a = 0; a < 3; ++a) {
        const auto waiting = cache.learn(Key{1, wire::Ipv4Address{10, 0, 0, a}}, mac_a, t0, true);
        std::vector<uint8_t> got;
        for (const auto& w : waiting) {
            RC_ASSERT(w.packet.valid());
            got.push_back(std::to_integer<uint8_t>(w.packet.bytes()[0]));
        }
        RC_ASSERT(got == expected[a]);
    }
    RC_ASSERT(cache.incomplete_count() == 0u);
}

}  // namespace
