#include "apps/cbr.hpp"

#include <gtest/gtest.h>

#include <array>

#include "testing/printers.hpp"

namespace {

using apps::cbr::Header;
using apps::cbr::Schedule;
using base::Duration;
using namespace base::literals;

TEST(CbrHeader, HasTheDocumentedBytesAndRoundTrips) {
    const Header h{.sequence = 0x01020304,
                   .count = 0x05060708,
                   .send_time_ns = 0x1112131415161718,
                   .time_left_ns = 0x2122232425262728};
    std::array<std::byte, Header::size> b{};
    h.emit(b);
    const std::array<uint8_t, Header::size> expected = {
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x11, 0x12, 0x13, 0x14,
        0x15, 0x16, 0x17, 0x18, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28};
    for (size_t i = 0; i < b.size(); ++i)
        EXPECT_EQ(static_cast<uint8_t>(b[i]), expected[i]) << "byte " << i;
    EXPECT_EQ(Header::parse(b), h);
}

TEST(CbrHeader, ParseRefusesShortOrInconsistentHeaders) {
    std::array<std::byte, Header::size> b{};
    Header{.sequence = 3, .count = 3}.emit(b);
    EXPECT_FALSE(Header::parse(b)) << "sequence beyond the count";
    Header{.sequence = 2, .count = 3}.emit(b);
    EXPECT_TRUE(Header::parse(b));
    EXPECT_FALSE(Header::parse(base::ByteSpan(b).first(23)));
}

// 10 Mbit/s of 1000-byte datagrams: one every 800 us, 1250 in a second.
TEST(CbrSchedule, CountIsRateTimesDurationOverTheDatagramsBits) {
    const Schedule s(10'000'000, 1000, 1_s);
    EXPECT_EQ(s.count(), 1250u);
    EXPECT_EQ(s.at(0), Duration::zero());
    EXPECT_EQ(s.at(1), 800_us);
    EXPECT_EQ(s.at(1249), 999'200_us);
    // A partial interval at the end still sends: ⌈duration·rate / bits⌉.
    EXPECT_EQ(Schedule(10'000'000, 1000, 1_s + 1_ns).count(), 1251u);
    EXPECT_EQ(Schedule(10'000'000, 1000, Duration::zero()).count(), 0u);
}

// 3 Mbit/s of 1000 bytes: 2.666… ms apart. Each time is computed from the
// start and rounded down once, so the error never exceeds a nanosecond, where
// adding up a rounded interval would drift by 0.67 ns per datagram.
TEST(CbrSchedule, TimesDoNotDrift) {
    const Schedule s(3'000'000, 1000, 60_s);
    EXPECT_EQ(s.count(), 22'500u);
    for (uint64_t k = 0; k < s.count(); ++k) {
        // k·8000 bits / 3 Mbit/s = k·8,000,000/3 ns, rounded down.
        ASSERT_EQ(s.at(k).ns(), static_cast<int64_t>(k) * 8'000'000 / 3) << k;
    }
    EXPECT_EQ(s.at(22'499).ns(), 59'997'333'333);
}

// On for 100 ms, off for 100 ms: half the datagrams of always on, each burst
// starting at the start of its "on" period.
TEST(CbrSchedule, OnOffSendsOnlyWhenOn) {
    const Schedule always(10'000'000, 1000, 1_s);
    const Schedule bursts(10'000'000, 1000, 1_s, 100_ms, 100_ms);
    EXPECT_EQ(bursts.count(), always.count() / 2);
    EXPECT_EQ(bursts.at(124), 99'200_us) << "the last of the first burst";
    EXPECT_EQ(bursts.at(125), 200_ms) << "the first of the second";
    for (uint64_t k = 0; k < bursts.count(); ++k) {
        const int64_t in_cycle = bursts.at(k).ns() % 200'000'000;
        ASSERT_LT(in_cycle, 100'000'000) << k << " falls in an off period";
    }
    // The duration ends during an "on": the burst is cut there.
    EXPECT_EQ(Schedule(10'000'000, 1000, 250_ms, 100_ms, 100_ms).count(), 125u + 63u);
    // ... or during an "off": nothing more.
    EXPECT_EQ(Schedule(10'000'000, 1000, 350_ms, 100_ms, 100_ms).count(), 250u);
}

}  // namespace
