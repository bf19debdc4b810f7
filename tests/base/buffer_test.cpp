#include "base/buffer.hpp"

#include <gtest/gtest.h>

namespace {

using base::BufferPool;
using base::PacketBuffer;

TEST(PacketBuffer, PrependsHeadersWithoutMovingData) {
    BufferPool pool;
    PacketBuffer p = pool.acquire();
    const size_t headroom = p.headroom();
    p.append(base::as_bytes("Hello!"));
    const std::byte* data_at = p.bytes().data();

    auto tcp = p.prepend(20);
    std::fill(tcp.begin(), tcp.end(), std::byte{0x54});
    auto ip = p.prepend(20);
    std::fill(ip.begin(), ip.end(), std::byte{0x45});

    EXPECT_EQ(p.size(), 46u);
    EXPECT_EQ(p.headroom(), headroom - 40);
    EXPECT_EQ(p.bytes().data() + 40, data_at);  // the data did not move
    EXPECT_EQ(p.bytes()[0], std::byte{0x45});
    EXPECT_EQ(p.bytes()[20], std::byte{0x54});
    EXPECT_EQ(base::as_chars(p.bytes().subspan(40)), "Hello!");

    p.trim_front(40);
    EXPECT_EQ(base::as_chars(p.bytes()), "Hello!");
    p.trim_back(1);
    EXPECT_EQ(base::as_chars(p.bytes()), "Hello");
    p.truncate(2);
    EXPECT_EQ(base::as_chars(p.bytes()), "He");
    p.truncate(10);
    EXPECT_EQ(p.size(), 2u);
}

TEST(PacketBuffer, GrowsWhenHeadroomRunsOut) {
    BufferPool pool;
    PacketBuffer p = pool.acquire(4, 0);
    p.append(base::as_bytes("data"));
    auto h = p.prepend(32);  // more than the headroom
    std::fill(h.begin(), h.end(), std::byte{'h'});
    EXPECT_EQ(p.size(), 36u);
    EXPECT_EQ(base::as_chars(p.bytes().subspan(32)), "data");
    EXPECT_EQ(p.bytes()[0], std::byte{'h'});
}

TEST(PacketBuffer, GrowsWhenTailroomRunsOut) {
    BufferPool pool({.block_size = 64, .default_headroom = 16, .max_cached = 4});
    PacketBuffer p = pool.acquire();
    std::vector<std::byte> big(1000, std::byte{7});
    p.append(base::as_bytes("ab"));
    p.append(big);
    EXPECT_EQ(p.size(), 1002u);
    EXPECT_EQ(p.bytes()[0], std::byte{'a'});
    EXPECT_EQ(p.bytes()[1001], std::byte{7});
    EXPECT_GE(pool.stats().oversize_allocations, 1u);
}

TEST(PacketBuffer, MoveLeavesSourceEmpty) {
    BufferPool pool;
    PacketBuffer a = pool.copy_of(base::as_bytes("xyz"));
    PacketBuffer b = std::move(a);
    EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): the contract under test
    EXPECT_EQ(a.size(), 0u);
    EXPECT_EQ(base::as_chars(b.bytes()), "xyz");
    PacketBuffer c;
    c = std::move(b);
    EXPECT_EQ(base::as_chars(c.bytes()), "xyz");
    EXPECT_EQ(pool.stats().outstanding, 1u);
}

TEST(PacketBuffer, CloneIsIndependent) {
    BufferPool pool;
    PacketBuffer a = pool.copy_of(base::as_bytes("abc"));
    PacketBuffer b = a.clone();
    b.bytes()[0] = std::byte{'z'};
    EXPECT_EQ(base::as_chars(a.bytes()), "abc");
    EXPECT_EQ(base::as_chars(b.bytes()), "zbc");
    EXPECT_EQ(a.headroom(), b.headroom());
}

// The design's promise: a steady-state transfer allocates nothing per packet.
TEST(BufferPool, SteadyStateReusesBlocks) {
    BufferPool pool;
    for (int round = 0; round < 3; ++round) {
        std::vector<PacketBuffer> in_flight;
        for (int i = 0; i < 64; ++i) {
            in_flight.push_back(pool.acquire());
            in_flight.back().append(1460);
            in_flight.back().prepend(54);
        }
    }
    const auto stats = pool.stats();
    EXPECT_EQ(stats.heap_allocations, 64u);
    EXPECT_EQ(stats.reuses, 128u);
    EXPECT_EQ(stats.outstanding, 0u);
    EXPECT_EQ(stats.cached, 64u);
}

// A pending checksum names bytes of the data, wherever the data moves: a
// header prepended in front, a regrow into a larger block, a clone, a move.
TEST(PacketBuffer, PendingChecksumFollowsTheData) {
    BufferPool pool({.block_size = 256, .default_headroom = 8});
    PacketBuffer p = pool.acquire();
    EXPECT_FALSE(p.checksum_pending());
    auto seg = p.append(40);
    seg[16] = std::byte{0xab};
    p.set_checksum_pending(0, 16);
    p.prepend(20);  // beyond the 8 bytes of headroom: the data moves to a new block
    ASSERT_TRUE(p.checksum_pending());
    EXPECT_EQ(p.checksum_start(), 20u);
    EXPECT_EQ(p.checksum_field(), 16u);
    EXPECT_EQ(p.bytes()[p.checksum_start() + p.checksum_field()], std::byte{0xab});
    p.prepend(4);
    EXPECT_EQ(p.checksum_start(), 24u);
    PacketBuffer copy = p.clone();
    ASSERT_TRUE(copy.checksum_pending());
    EXPECT_EQ(copy.checksum_start(), 24u);
    PacketBuffer moved = std::move(copy);
    EXPECT_TRUE(moved.checksum_pending());
    EXPECT_FALSE(copy.checksum_pending());  // NOLINT(bugprone-use-after-move)
    moved.clear_checksum_pending();
    EXPECT_FALSE(moved.checksum_pending());
    EXPECT_TRUE(p.checksum_pending());
}

TEST(BufferPool, CachesAtMostTheLimit) {
    BufferPool pool({.block_size = 256, .default_headroom = 32, .max_cached = 2});
    { PacketBuffer a = pool.acquire(), b = pool.acquire(), c = pool.acquire(); }
    EXPECT_EQ(pool.stats().cached, 2u);
    EXPECT_EQ(pool.stats().outstanding, 0u);
}

}  // namespace
