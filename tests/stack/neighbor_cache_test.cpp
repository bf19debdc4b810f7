#include "stack/neighbor_cache.hpp"

#include <vector>

#include <gtest/gtest.h>

#include "testing/printers.hpp"

namespace {

using base::Duration;
using base::Time;
using stack::NeighborCache;
using stack::NeighborState;
using wire::Ipv6Address;
using wire::MacAddress;

const NeighborCache::Key peer{0, Ipv6Address::parse("2001:db8::2").value()};
const MacAddress mac1{{2, 0, 0, 0, 0, 1}};
const MacAddress mac2{{2, 0, 0, 0, 0, 2}};

Time at(double seconds) {
    return Time{} + Duration::milliseconds(static_cast<int64_t>(seconds * 1000));
}

struct Polled {
    std::vector<NeighborCache::Solicit> solicited;
    std::vector<std::pair<NeighborCache::Key, size_t>> failed;  // and how many packets waited
};

Polled poll(NeighborCache& c, Time now) {
    Polled p;
    c.poll(
        now, [&](const NeighborCache::Solicit& s) { p.solicited.push_back(s); },
        [&](NeighborCache::Key k, std::vector<NeighborCache::Waiting> w) {
            p.failed.emplace_back(k, w.size());
        });
    return p;
}

base::PacketBuffer packet(base::BufferPool& pool) {
    base::PacketBuffer b = pool.acquire();
    b.append(40);
    return b;
}

// The cache, holding `peer` in the given state at time 0 (reachable for 30 s).
struct Fixture {
    base::BufferPool pool;
    NeighborCache cache{stack::NeighborConfig{}};

    void incomplete() {
        auto p = packet(pool);
        ASSERT_EQ(cache.enqueue(peer, p, at(0)), NeighborCache::Queued::send_solicitation);
    }
    void reachable() {
        incomplete();
        cache.advertisement(peer, mac1, true, true, false, at(0));
        ASSERT_EQ(cache.state(peer, at(0)), NeighborState::reachable);
    }
    void stale() {
        cache.learn_unsolicited(peer, mac1, at(0));
        ASSERT_EQ(cache.state(peer, at(0)), NeighborState::stale);
    }
};

TEST(NeighborCache, AFirstPacketWaitsForTheAdvertisementAndIsHandedBack) {
    Fixture f;
    EXPECT_FALSE(f.cache.resolve(peer, at(0)));
    auto p1 = packet(f.pool);
    auto p2 = packet(f.pool);
    EXPECT_EQ(f.cache.enqueue(peer, p1, at(0)), NeighborCache::Queued::send_solicitation);
    EXPECT_EQ(f.cache.enqueue(peer, p2, at(0.1)), NeighborCache::Queued::waiting);
    EXPECT_EQ(f.cache.state(peer, at(0.1)), NeighborState::incomplete);
    // A solicited advertisement: reachable, and both packets come back in order.
    const auto waiting = f.cache.advertisement(peer, mac1, true, false, false, at(0.2));
    EXPECT_EQ(waiting.size(), 2u);
    EXPECT_EQ(f.cache.state(peer, at(0.2)), NeighborState::reachable);
    EXPECT_EQ(f.cache.resolve(peer, at(0.3)), mac1);
}

TEST(NeighborCache, IncompleteSolicitsThreeTimesThenFails) {
    Fixture f;
    f.incomplete();
    EXPECT_EQ(f.cache.next_deadline(), at(1));
    EXPECT_TRUE(poll(f.cache, at(0.5)).solicited.empty());
    for (double t : {1.0, 2.0}) {
        const auto p = poll(f.cache, at(t));
        ASSERT_EQ(p.solicited.size(), 1u) << t;
        EXPECT_FALSE(p.solicited[0].unicast_to) << "multicast while incomplete";
    }
    const auto last = poll(f.cache, at(3));
    EXPECT_TRUE(last.solicited.empty());
    ASSERT_EQ(last.failed.size(), 1u);
    EXPECT_EQ(last.failed[0].second, 1u);  // the packet that waited, for an ICMPv6 error
    EXPECT_FALSE(f.cache.state(peer, at(3)));
    EXPECT_EQ(f.cache.next_deadline(), Time::never());
}

TEST(NeighborCache, AnUnsolicitedAdvertisementLeavesItStale) {
    Fixture f;
    f.incomplete();
    EXPECT_EQ(f.cache.advertisement(peer, mac1, false, true, false, at(0.1)).size(), 1u);
    EXPECT_EQ(f.cache.state(peer, at(0.1)), NeighborState::stale);
}

TEST(NeighborCache, AnAdvertisementWithoutAnAddressDoesNotCompleteAnEntry) {
    Fixture f;
    f.incomplete();
    EXPECT_TRUE(f.cache.advertisement(peer, std::nullopt, true, true, false, at(0.1)).empty());
    EXPECT_EQ(f.cache.state(peer, at(0.1)), NeighborState::incomplete);
}

TEST(NeighborCache, AdvertisementsForUnknownAddressesAreIgnored) {
    Fixture f;
    f.cache.advertisement(peer, mac1, false, true, false, at(0));
    EXPECT_FALSE(f.cache.state(peer, at(0)));
    EXPECT_EQ(f.cache.size(), 0u);
}

TEST(NeighborCache, ReachableLapsesIntoStale) {
    Fixture f;
    f.reachable();
    EXPECT_EQ(f.cache.state(peer, at(29.9)), NeighborState::reachable);
    EXPECT_EQ(f.cache.state(peer, at(30)), NeighborState::stale);
    EXPECT_EQ(f.cache.next_deadline(), Time::never()) << "no timer for a settled entry";
}

// STALE → (use) DELAY → (5 s) PROBE → unicast solicitations → gone.
TEST(NeighborCache, AStaleEntryInUseIsProbedAndDroppedWhenSilent) {
    Fixture f;
    f.stale();
    EXPECT_EQ(f.cache.resolve(peer, at(10)), mac1);  // still used while in doubt
    EXPECT_EQ(f.cache.state(peer, at(10)), NeighborState::delay);
    EXPECT_EQ(f.cache.next_deadline(), at(15));
    auto p = poll(f.cache, at(15));
    ASSERT_EQ(p.solicited.size(), 1u);
    EXPECT_EQ(p.solicited[0].unicast_to, mac1) << "probes are unicast";
    EXPECT_EQ(f.cache.state(peer, at(15)), NeighborState::probe);
    EXPECT_EQ(poll(f.cache, at(16)).solicited.size(), 1u);
    EXPECT_EQ(poll(f.cache, at(17)).solicited.size(), 1u);
    p = poll(f.cache, at(18));
    EXPECT_TRUE(p.solicited.empty());
    EXPECT_EQ(p.failed.size(), 1u);
    EXPECT_FALSE(f.cache.state(peer, at(18)));
}

TEST(NeighborCache, ASolicitedAdvertisementWhileProbingMakesItReachable) {
    Fixture f;
    f.stale();
    f.cache.resolve(peer, at(1));
    poll(f.cache, at(6));
    ASSERT_EQ(f.cache.state(peer, at(6)), NeighborState::probe);
    f.cache.advertisement(peer, mac1, true, false, false, at(6.5));
    EXPECT_EQ(f.cache.state(peer, at(6.5)), NeighborState::reachable);
    EXPECT_TRUE(poll(f.cache, at(8)).solicited.empty());
}

TEST(NeighborCache, UpperLayerConfirmationEndsTheDelay) {
    Fixture f;
    f.stale();
    f.cache.resolve(peer, at(1));
    f.cache.confirm(peer, at(2));
    EXPECT_EQ(f.cache.state(peer, at(2)), NeighborState::reachable);
    EXPECT_TRUE(poll(f.cache, at(7)).solicited.empty());
}

// RFC 4861 Appendix C, for an entry that is not incomplete.
TEST(NeighborCache, AdvertisementFlagsFollowAppendixC) {
    {  // S=1 O=0, a different address: reachable becomes stale, the address stays.
        Fixture f;
        f.reachable();
        f.cache.advertisement(peer, mac2, true, false, false, at(1));
        EXPECT_EQ(f.cache.state(peer, at(1)), NeighborState::stale);
        EXPECT_EQ(f.cache.mac(peer), mac1);
    }
    {  // S=0 O=0, a different address, stale: no change.
        Fixture f;
        f.stale();
        f.cache.advertisement(peer, mac2, false, false, false, at(1));
        EXPECT_EQ(f.cache.state(peer, at(1)), NeighborState::stale);
        EXPECT_EQ(f.cache.mac(peer), mac1);
    }
    {  // S=1 O=1: the new address, reachable.
        Fixture f;
        f.stale();
        f.cache.advertisement(peer, mac2, true, true, false, at(1));
        EXPECT_EQ(f.cache.state(peer, at(1)), NeighborState::reachable);
        EXPECT_EQ(f.cache.mac(peer), mac2);
    }
    {  // S=0 O=1, a different address: recorded, stale.
        Fixture f;
        f.reachable();
        f.cache.advertisement(peer, mac2, false, true, false, at(1));
        EXPECT_EQ(f.cache.state(peer, at(1)), NeighborState::stale);
        EXPECT_EQ(f.cache.mac(peer), mac2);
    }
    {  // S=0 O=1, the same address: unchanged.
        Fixture f;
        f.reachable();
        f.cache.advertisement(peer, mac1, false, true, false, at(1));
        EXPECT_EQ(f.cache.state(peer, at(1)), NeighborState::reachable);
    }
    {  // S=1 O=0, the same address: reachable (again).
        Fixture f;
        f.stale();
        f.cache.advertisement(peer, mac1, true, false, true, at(1));
        EXPECT_EQ(f.cache.state(peer, at(1)), NeighborState::reachable);
        EXPECT_TRUE(f.cache.is_router(peer));
    }
}

TEST(NeighborCache, ASolicitationTeachesTheSendersAddress) {
    Fixture f;
    f.cache.learn_unsolicited(peer, mac1, at(0));  // new: stale
    EXPECT_EQ(f.cache.state(peer, at(0)), NeighborState::stale);
    f.cache.forget(peer);
    f.reachable();
    f.cache.learn_unsolicited(peer, mac1, at(1));  // same address: unchanged
    EXPECT_EQ(f.cache.state(peer, at(1)), NeighborState::reachable);
    f.cache.learn_unsolicited(peer, mac2, at(2));  // moved: stale, new address
    EXPECT_EQ(f.cache.state(peer, at(2)), NeighborState::stale);
    EXPECT_EQ(f.cache.mac(peer), mac2);
}

TEST(NeighborCache, ASolicitationCompletesAnIncompleteEntry) {
    Fixture f;
    f.incomplete();
    EXPECT_EQ(f.cache.learn_unsolicited(peer, mac1, at(0.5)).size(), 1u);
    EXPECT_EQ(f.cache.state(peer, at(0.5)), NeighborState::stale);
}

TEST(NeighborCache, BoundedInPacketsEntriesAndResolutions) {
    base::BufferPool pool;
    NeighborCache c{{.max_pending = 2, .max_entries = 3, .max_incomplete = 2}};
    auto p = packet(pool);
    EXPECT_EQ(c.enqueue(peer, p, at(0)), NeighborCache::Queued::send_solicitation);
    p = packet(pool);
    EXPECT_EQ(c.enqueue(peer, p, at(0)), NeighborCache::Queued::waiting);
    p = packet(pool);
    EXPECT_EQ(c.enqueue(peer, p, at(0)), NeighborCache::Queued::queue_full);
    EXPECT_EQ(p.size(), 40u) << "a packet not taken is left to the caller";

    const auto key = [](int i) {
        return NeighborCache::Key{
            0, Ipv6Address::from_groups({0x2001, 0xdb8, 0, 0, 0, 0, 1, static_cast<uint16_t>(i)})};
    };
    p = packet(pool);
    EXPECT_EQ(c.enqueue(key(1), p, at(0)), NeighborCache::Queued::send_solicitation);
    p = packet(pool);
    EXPECT_EQ(c.enqueue(key(2), p, at(0)), NeighborCache::Queued::queue_full)
        << "two addresses are being resolved already";

    // Three settled entries fill the table; a fourth evicts the least
    // recently used stale one, never one that packets wait on.
    c.clear();
    c.learn_unsolicited(key(1), mac1, at(1));
    c.learn_unsolicited(key(2), mac1, at(2));
    c.learn_unsolicited(key(3), mac1, at(3));
    c.resolve(key(1), at(4));  // used: now in delay, and the most recently used
    c.learn_unsolicited(key(4), mac1, at(5));
    EXPECT_EQ(c.size(), 3u);
    EXPECT_TRUE(c.state(key(1), at(5)));
    EXPECT_FALSE(c.state(key(2), at(5))) << "the oldest stale entry goes";
    EXPECT_TRUE(c.state(key(4), at(5)));
}

}  // namespace
