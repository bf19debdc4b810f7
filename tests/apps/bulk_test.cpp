#include "apps/bulk.hpp"

#include <gtest/gtest.h>

#include <array>

#include "testing/printers.hpp"

namespace {

using apps::BulkAmount;
using apps::bulk::Request;
using namespace base::literals;

std::array<std::byte, Request::size> emitted(const Request& r) {
    std::array<std::byte, Request::size> b{};
    r.emit(b);
    return b;
}

TEST(BulkRequest, HasTheDocumentedBytes) {
    const auto b = emitted({.reverse = true, .amount = BulkAmount::of_bytes(0x0102030405)});
    const std::array<uint8_t, Request::size> expected = {
        'B', 'U', 'L', 'K', 1, 1, 0, 0, 0, 0, 0, 0x01, 0x02, 0x03, 0x04, 0x05};
    for (size_t i = 0; i < b.size(); ++i)
        EXPECT_EQ(static_cast<uint8_t>(b[i]), expected[i]) << "byte " << i;
}

TEST(BulkRequest, RoundTrips) {
    for (const Request r : {Request{.reverse = false, .amount = BulkAmount::of_bytes(10'000'000)},
                            Request{.reverse = true, .amount = BulkAmount::of_bytes(0)},
                            Request{.reverse = false, .amount = BulkAmount::for_time(10_s)},
                            Request{.reverse = true, .amount = BulkAmount::for_time(1_ns)}}) {
        const auto parsed = Request::parse(emitted(r));
        ASSERT_TRUE(parsed);
        EXPECT_EQ(*parsed, r);
    }
}

// Anything but a request is plain data to the sink.
TEST(BulkRequest, ParseRefusesWhatIsNotOne) {
    const auto good = emitted({.amount = BulkAmount::of_bytes(5)});
    EXPECT_FALSE(Request::parse(base::ByteSpan(good).first(15))) << "short";
    for (const size_t at : {0u, 4u, 5u, 6u, 7u}) {
        auto bad = good;
        bad[at] = std::byte{9};
        EXPECT_FALSE(Request::parse(bad)) << "byte " << at;
    }
    EXPECT_FALSE(Request::parse(base::as_bytes("GET / HTTP/1.1\r\n\r\n")));
}

TEST(BulkPattern, IsTheAlphabetWhereverAChunkStarts) {
    for (const uint64_t offset : {0ull, 1ull, 25ull, 26ull, 1'000'003ull}) {
        const base::ByteSpan p = apps::bulk::pattern(offset, 100);
        ASSERT_EQ(p.size(), 100u);
        for (size_t i = 0; i < p.size(); ++i)
            ASSERT_EQ(static_cast<char>(p[i]), 'a' + (offset + i) % 26) << offset << "+" << i;
    }
    EXPECT_EQ(apps::bulk::pattern(3, SIZE_MAX).size(), 64u * 1024) << "64 KiB at most";
    EXPECT_EQ(apps::bulk::pattern(3, SIZE_MAX).data(), apps::bulk::pattern(29, 10).data())
        << "one buffer, shared";
}

}  // namespace
