#include "base/bytes.hpp"

#include <array>

#include <gtest/gtest.h>

namespace {

TEST(Bytes, BigEndianLoadStore) {
    std::array<std::byte, 8> b{};
    base::store_be16(b, 0, 0x1234);
    base::store_be32(b, 2, 0xdeadbeef);
    base::store_u8(b, 6, 0xab);
    EXPECT_EQ(b[0], std::byte{0x12});
    EXPECT_EQ(b[1], std::byte{0x34});
    EXPECT_EQ(b[2], std::byte{0xde});
    EXPECT_EQ(b[5], std::byte{0xef});
    EXPECT_EQ(base::load_be16(b, 0), 0x1234);
    EXPECT_EQ(base::load_be32(b, 2), 0xdeadbeefu);
    EXPECT_EQ(base::load_u8(b, 6), 0xab);
    constexpr base::Range field{2, 6};
    EXPECT_EQ(base::load_be32(b, field), 0xdeadbeefu);
    EXPECT_EQ(base::slice(base::ByteSpan{b}, field).size(), 4u);
}

TEST(Bytes, CopyOntoItselfIsNoop) {
    std::array<std::byte, 4> b{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}};
    base::copy_bytes(b, b);
    EXPECT_EQ(b[3], std::byte{4});
    base::copy_bytes(base::MutableByteSpan{b}.subspan(1), base::ByteSpan{b}.first(3));
    EXPECT_EQ(b[1], std::byte{1});
    EXPECT_EQ(b[3], std::byte{3});
}

TEST(Bytes, TextViews) {
    EXPECT_EQ(base::as_chars(base::as_bytes("Hello!")), "Hello!");
    EXPECT_TRUE(base::equal_bytes(base::as_bytes("ab"), base::as_bytes("ab")));
    EXPECT_FALSE(base::equal_bytes(base::as_bytes("ab"), base::as_bytes("abc")));
    EXPECT_TRUE(base::equal_bytes({}, {}));
}

}  // namespace
