#include "base/siphash.hpp"

#include <array>

#include <gtest/gtest.h>

namespace {

// The reference vectors of the SipHash paper (appendix A): key 00 01 … 0f,
// messages 00 01 … (n-1).
base::SipKey paper_key() {
    std::array<std::byte, 16> k{};
    for (size_t i = 0; i < 16; ++i)
        k[i] = std::byte(i);
    uint64_t k0 = 0, k1 = 0;
    for (int i = 7; i >= 0; --i) {
        k0 = (k0 << 8) | static_cast<uint64_t>(k[static_cast<size_t>(i)]);
        k1 = (k1 << 8) | static_cast<uint64_t>(k[static_cast<size_t>(i) + 8]);
    }
    return {k0, k1};
}

uint64_t hash_of_prefix(size_t n) {
    std::array<std::byte, 64> m{};
    for (size_t i = 0; i < m.size(); ++i)
        m[i] = std::byte(i);
    return base::siphash24(paper_key(), base::ByteSpan{m}.first(n));
}

TEST(SipHash, MatchesThePapersVectors) {
    EXPECT_EQ(hash_of_prefix(0), 0x726fdb47dd0e0e31ULL);
    EXPECT_EQ(hash_of_prefix(1), 0x74f839c593dc67fdULL);
    EXPECT_EQ(hash_of_prefix(7), 0xab0200f58b01d137ULL);
    EXPECT_EQ(hash_of_prefix(8), 0x93f5f5799a932462ULL);
    EXPECT_EQ(hash_of_prefix(15), 0xa129ca6149be45e5ULL);
    EXPECT_EQ(hash_of_prefix(63), 0x958a324ceb064572ULL);
}

TEST(SipHash, KeyChangesEverything) {
    const auto data = base::as_bytes("10.0.0.1:49152 -> 10.0.0.2:80");
    EXPECT_NE(base::siphash24({1, 2}, data), base::siphash24({1, 3}, data));
    EXPECT_EQ(base::siphash24({1, 2}, data), base::siphash24({1, 2}, data));
}

}  // namespace
