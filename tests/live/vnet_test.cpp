// The virtio-net header from the TAP: what is accepted, what is refused, and
// a partial checksum completed to the one a full computation gives.
#include "live/vnet.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "testing/frames.hpp"
#include "wire/tcp.hpp"

namespace {

using live::vnet::Problem;

std::vector<std::byte> header(uint8_t flags, uint8_t gso, uint16_t gso_size, uint16_t start,
                              uint16_t offset) {
    const uint8_t b[10] = {flags,
                           gso,
                           0,
                           0,
                           static_cast<uint8_t>(gso_size),
                           static_cast<uint8_t>(gso_size >> 8),
                           static_cast<uint8_t>(start),
                           static_cast<uint8_t>(start >> 8),
                           static_cast<uint8_t>(offset),
                           static_cast<uint8_t>(offset >> 8)};
    std::vector<std::byte> out(10);
    for (size_t i = 0; i < 10; ++i)
        out[i] = static_cast<std::byte>(b[i]);
    return out;
}

TEST(Vnet, ParsesWhatTheKernelSendsAndRefusesTheRest) {
    auto h = live::vnet::parse(header(1, 1, 1448, 34, 16));
    ASSERT_TRUE(h);
    EXPECT_EQ(h->flags, live::vnet::flag_needs_checksum);
    EXPECT_EQ(h->gso_type, live::vnet::gso_tcpv4);
    EXPECT_EQ(h->gso_size, 1448);
    EXPECT_EQ(h->csum_start, 34);
    EXPECT_EQ(h->csum_offset, 16);
    EXPECT_TRUE(live::vnet::parse(header(0, 0x81, 1448, 0, 0))) << "TCPv4 with ECN";
    EXPECT_EQ(live::vnet::parse(std::vector<std::byte>(9)).error(), Problem::truncated);
    EXPECT_EQ(live::vnet::parse(header(4, 0, 0, 0, 0)).error(), Problem::unknown_flags);
    EXPECT_EQ(live::vnet::parse(header(0, 3, 1400, 0, 0)).error(), Problem::unsupported_gso);
    EXPECT_EQ(live::vnet::parse(header(0, 1, 0, 0, 0)).error(), Problem::zero_gso_size);
}

// The kernel leaves the pseudo-header's sum in the field (not complemented);
// completing it must give the checksum of the whole segment.
TEST(Vnet, CompletesAPartialChecksum) {
    const wire::Ipv4Address src{10, 0, 0, 1}, dst{10, 0, 0, 2};
    const std::vector<std::byte> data(300, std::byte{0x42});
    const wire::TcpRepr seg{.src_port = 8000,
                            .dst_port = 40000,
                            .seq = wire::SeqNum{7},
                            .ack = wire::SeqNum{9},
                            .flags = wire::TcpFlags{wire::TcpFlags::ack},
                            .window = 512,
                            .payload = data};
    const std::vector<std::byte> good = testing_support::tcp_frame({.src = src, .dst = dst}, seg);
    constexpr size_t tcp_at = 14 + 20;
    const size_t tcp_len = good.size() - tcp_at;
    // The pseudo-header's sum, by hand (RFC 793 §3.1): addresses, protocol, length.
    uint32_t sum = (10 << 8) + 0 + (0 << 8) + 1 + (10 << 8) + 0 + (0 << 8) + 2 + 6 +
                   static_cast<uint32_t>(tcp_len);
    while (sum > 0xffff)
        sum = (sum & 0xffff) + (sum >> 16);
    std::vector<std::byte> partial = good;
    partial[tcp_at + 16] = static_cast<std::byte>(sum >> 8);
    partial[tcp_at + 17] = static_cast<std::byte>(sum & 0xff);
    ASSERT_NE(partial, good);
    const auto h = live::vnet::parse(header(1, 0, 0, tcp_at, 16));
    ASSERT_TRUE(h);
    ASSERT_TRUE(live::vnet::complete_checksum(*h, partial));
    EXPECT_EQ(partial, good);
    // A field beyond the frame is refused, the frame untouched.
    const auto outside = live::vnet::parse(header(1, 0, 0, static_cast<uint16_t>(good.size()), 0));
    ASSERT_TRUE(outside);
    EXPECT_EQ(live::vnet::complete_checksum(*outside, partial).error(), Problem::checksum_outside);
}

}  // namespace
