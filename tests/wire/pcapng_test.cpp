#include "wire/pcapng.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "testing/data.hpp"

namespace {

using testing_support::from_hex;
namespace pcapng = wire::pcapng;

TEST(Pcapng, WriteThenReadTwoInterfaces) {
    std::vector<std::byte> file;
    pcapng::append_section_header(file);
    pcapng::append_interface(file, "a-eth0", "host a");
    pcapng::append_interface(file, "r1-eth1", "router r1");
    const auto frame1 = from_hex("ffffffffffff0200000000010806");
    const auto frame2 = from_hex("020000000001020000000002080045");
    pcapng::append_packet(file, 1, 1'500'000'123, frame1, pcapng::Direction::outbound);
    pcapng::append_packet(file, 0, 2'000'000'000, frame2, pcapng::Direction::inbound);

    auto reader = pcapng::Reader::open(file);
    ASSERT_TRUE(reader);
    auto p1 = reader->next();
    ASSERT_TRUE(p1 && *p1);
    EXPECT_EQ((*p1)->interface, 1u);
    EXPECT_EQ((*p1)->timestamp_ns, 1'500'000'123);
    EXPECT_EQ((*p1)->direction, pcapng::Direction::outbound);
    EXPECT_TRUE(base::equal_bytes((*p1)->data, frame1));
    auto p2 = reader->next();
    ASSERT_TRUE(p2 && *p2);
    EXPECT_EQ((*p2)->interface, 0u);
    EXPECT_EQ((*p2)->original_len, 15u);
    EXPECT_EQ((*p2)->direction, pcapng::Direction::inbound);
    auto end = reader->next();
    ASSERT_TRUE(end);
    EXPECT_FALSE(*end);
    ASSERT_EQ(reader->interfaces().size(), 2u);
    EXPECT_EQ(reader->interfaces()[1].name, "r1-eth1");
    EXPECT_EQ(reader->interfaces()[1].description, "router r1");
}

// A little-endian file by hand: one interface with if_tsresol 10^-`exponent`
// and one packet (4 bytes) stamped `ts` in those units.
std::vector<std::byte> one_packet(uint8_t exponent, uint64_t ts) {
    std::vector<std::byte> f;
    auto u32 = [&](uint32_t v) {
        for (int i = 0; i < 4; ++i)
            f.push_back(std::byte(static_cast<uint8_t>(v >> (8 * i))));
    };
    auto u16 = [&](uint16_t v) {
        f.push_back(std::byte(static_cast<uint8_t>(v)));
        f.push_back(std::byte(static_cast<uint8_t>(v >> 8)));
    };
    pcapng::append_section_header(f);
    u32(pcapng::interface_description_type);
    u32(32);
    u16(1);  // Ethernet
    u16(0);
    u32(65535);
    u16(9);  // if_tsresol
    u16(1);
    u32(exponent);  // the value, then 3 bytes of padding
    u32(0);         // opt_endofopt
    u32(32);
    u32(pcapng::enhanced_packet_type);
    u32(36);
    u32(0);  // interface 0
    u32(static_cast<uint32_t>(ts >> 32));
    u32(static_cast<uint32_t>(ts));
    u32(4);
    u32(4);
    u32(0xdeadbeef);
    u32(36);
    return f;
}

int64_t stamp(uint8_t exponent, uint64_t ts) {
    const auto file = one_packet(exponent, ts);
    auto reader = pcapng::Reader::open(file);
    EXPECT_TRUE(reader);
    if (!reader) return -1;
    auto p = reader->next();
    EXPECT_TRUE(p && *p);
    return p && *p ? (*p)->timestamp_ns : -1;
}

TEST(Pcapng, TimestampsInAnyDecimalResolution) {
    EXPECT_EQ(stamp(0, 2), 2'000'000'000);                   // seconds
    EXPECT_EQ(stamp(3, 1'500), 1'500'000'000);               // milliseconds
    EXPECT_EQ(stamp(6, 1'500'001), 1'500'001'000);           // microseconds
    EXPECT_EQ(stamp(9, 1'500'000'123), 1'500'000'123);       // nanoseconds
    EXPECT_EQ(stamp(12, 1'500'000'000'999), 1'500'000'000);  // picoseconds, cut
    EXPECT_EQ(stamp(18, 2'000'000'000'000'000'000), 2'000'000'000);
}

// Found by the fuzzer: a timestamp in seconds too large for int64
// nanoseconds overflowed (undefined behaviour). It is refused instead.
TEST(Pcapng, ATimestampPastTheYear2262IsRefused) {
    for (const auto& [exponent, ts] : {std::pair<uint8_t, uint64_t>{0, 2'305'846'883'274},
                                       {0, 9'223'372'037},
                                       {3, 9'223'372'036'855},
                                       {9, uint64_t{1} << 63},
                                       {0, ~uint64_t{0}}}) {
        const auto file = one_packet(exponent, ts);
        auto reader = pcapng::Reader::open(file);
        ASSERT_TRUE(reader);
        auto p = reader->next();
        ASSERT_FALSE(p) << "10^-" << int{exponent} << " s × " << ts;
        EXPECT_EQ(p.error(), wire::Error::unsupported);
    }
    EXPECT_EQ(stamp(0, 9'223'372'036), 9'223'372'036'000'000'000) << "the last second that fits";
}

}  // namespace
