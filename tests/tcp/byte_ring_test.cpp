#include "tcp/byte_ring.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <deque>
#include <memory>
#include <string>

namespace {

std::string out(const tcp::ByteRing& r, size_t offset, size_t n) {
    std::string s(n, '\0');
    r.copy_out(offset, {reinterpret_cast<std::byte*>(s.data()), n});
    return s;
}

TEST(ByteRing, StorageGrowsWithTheDataAndGoesWhenEmpty) {
    tcp::ByteRing r(1 << 20, 4096);
    EXPECT_EQ(r.storage(), 0u);
    const std::string segment(1448, 'x');
    r.push(base::as_bytes(segment));
    EXPECT_EQ(r.storage(), 4096u) << "a segment does not take the whole window";
    for (int i = 0; i < 10; ++i)
        r.push(base::as_bytes(segment));
    EXPECT_EQ(r.storage(), 16384u);
    EXPECT_EQ(out(r, 1448 * 10, 3), "xxx");
    r.pop(r.size());
    EXPECT_EQ(r.storage(), 0u);
}

TEST(ByteRing, FifoWithWrapAround) {
    tcp::ByteRing r(8);
    EXPECT_EQ(r.push(base::as_bytes("abcdef")), 6u);
    r.pop(4);
    EXPECT_EQ(r.push(base::as_bytes("ghijklmn")), 6u) << "only what fits";
    EXPECT_EQ(r.size(), 8u);
    EXPECT_EQ(r.free(), 0u);
    EXPECT_EQ(out(r, 0, 8), "efghijkl");
    EXPECT_EQ(out(r, 3, 4), "hijk");
    r.pop(8);
    EXPECT_TRUE(r.empty());
    EXPECT_EQ(r.push({}), 0u);
}

// Bytes in one piece are handed out in place; across the wrap, nothing (the
// caller copies them out instead).
TEST(ByteRing, ContiguousOnlyWhereTheRingDoesNotWrap) {
    tcp::ByteRing r(8, 8);
    r.push(base::as_bytes("abcdef"));
    r.pop(4);
    r.push(base::as_bytes("ghij"));  // "ef" at 4-5, "gh" at 6-7, "ij" wrapped to 0-1
    const auto in_place = r.contiguous(0, 4);
    ASSERT_EQ(in_place.size(), 4u);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(in_place.data()), 4), "efgh");
    EXPECT_TRUE(r.contiguous(3, 2).empty()) << "h and i straddle the end of the storage";
    const auto tail = r.contiguous(4, 2);
    ASSERT_EQ(tail.size(), 2u);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(tail.data()), 2), "ij");
    EXPECT_TRUE(r.contiguous(1, 0).empty());
}

// Storage a ring gives back (emptied, grown out of, destroyed) may serve the
// next ring; no two live rings may share it.
TEST(ByteRing, StorageGivenBackIsNeverSharedByTwoRings) {
    const std::string a(3000, 'a'), b(3000, 'b'), c(3000, 'c'), d(5000, 'd');
    auto r1 = std::make_unique<tcp::ByteRing>(1 << 20);
    tcp::ByteRing r2(1 << 20), r3(1 << 20), r4(1 << 20);
    r1->push(base::as_bytes(a));
    r1->pop(r1->size());  // emptied: its block goes back
    r2.push(base::as_bytes(b));
    r1->push(base::as_bytes(a));
    r3.push(base::as_bytes(c));
    r3.push(base::as_bytes(c));  // grows to 8 KiB: its first block goes back
    r4.push(base::as_bytes(d));  // more than the first size at once
    r1.reset();                  // destroyed holding data
    tcp::ByteRing r5(1 << 20);
    r5.push(base::as_bytes(b));
    EXPECT_EQ(out(r2, 0, b.size()), b);
    EXPECT_EQ(out(r3, 0, c.size()), c);
    EXPECT_EQ(out(r3, c.size(), c.size()), c);
    EXPECT_EQ(out(r4, 0, d.size()), d);
    EXPECT_EQ(out(r5, 0, b.size()), b);
    EXPECT_EQ(r3.storage(), 8192u);
}

RC_GTEST_PROP(ByteRing, BehavesLikeADeque, ()) {
    const size_t capacity = *rc::gen::inRange<size_t>(1, 64);
    // Storage that starts smaller than the capacity and grows.
    tcp::ByteRing ring(capacity, *rc::gen::inRange<size_t>(1, 16));
    std::deque<char> model;
    const auto ops = *rc::gen::container<std::vector<std::pair<bool, uint8_t>>>(
        rc::gen::pair(rc::gen::arbitrary<bool>(), rc::gen::arbitrary<uint8_t>()));
    char next = 'a';
    for (const auto& [push, n] : ops) {
        if (push) {
            std::string data;
            for (int i = 0; i < n % 40; ++i)
                data += next++;
            const size_t pushed = ring.push(base::as_bytes(data));
            RC_ASSERT(pushed == std::min(data.size(), capacity - model.size()));
            model.insert(model.end(), data.begin(), data.begin() + static_cast<ptrdiff_t>(pushed));
        } else {
            const size_t k = std::min<size_t>(n % 20, model.size());
            ring.pop(k);
            model.erase(model.begin(), model.begin() + static_cast<ptrdiff_t>(k));
        }
        RC_ASSERT(ring.size() == model.size());
        RC_ASSERT(out(ring, 0, model.size()) == std::string(model.begin(), model.end()));
    }
}

}  // namespace
