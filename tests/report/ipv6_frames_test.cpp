// The kernel's own IPv6 frames (tests/data/*.pcap, made by
// `tests/data/capture.sh ipv6`) through what the event log, the timeline and
// the report read them with: sim::summarize_frame and report::dissect. Every
// field is compared with the bytes themselves, read here by offset (RFC 8200
// §3's layout), not with the codecs under test.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "report/dissect.hpp"
#include "sim/frame_summary.hpp"
#include "testing/capture.hpp"

namespace {

using sim::FrameSummary;
using testing_support::Capture;

constexpr std::string_view ipv6_captures[] = {
    "ndp_icmpv6_echo.pcap",         "ipv6_link_up.pcap",         "udp6.pcap",
    "icmpv6_port_unreachable.pcap", "icmpv6_time_exceeded.pcap", "icmpv6_packet_too_big.pcap",
    "ipv6_fragments.pcap",          "tcp6_handshake.pcap",
};

constexpr size_t eth = 14;  // the Ethernet header before the IPv6 one

uint8_t byte_at(base::ByteSpan f, size_t at) {
    return static_cast<uint8_t>(f[at]);
}
uint16_t be16_at(base::ByteSpan f, size_t at) {
    return static_cast<uint16_t>(byte_at(f, at) << 8 | byte_at(f, at + 1));
}
wire::Ipv6Address address_at(base::ByteSpan f, size_t at) {
    std::array<uint8_t, 16> b{};
    for (size_t i = 0; i < 16; ++i)
        b[i] = byte_at(f, at + i);
    return wire::Ipv6Address{b};
}

TEST(Ipv6Frames, EverySummaryHasTheHeadersAddressesAndHopLimit) {
    size_t frames = 0;
    for (std::string_view name : ipv6_captures) {
        SCOPED_TRACE(name);
        const Capture c(name);
        for (size_t i = 0; i < c.size(); ++i) {
            const base::ByteSpan f = c.frame(i);
            if (be16_at(f, 12) != 0x86dd) continue;  // a capture may hold ARP too
            const FrameSummary s = sim::summarize_frame(f);
            ASSERT_EQ(s.kind, FrameSummary::Kind::ipv6) << "record " << i;
            EXPECT_TRUE(s.is_ip());
            EXPECT_EQ(s.src, wire::IpAddress{address_at(f, eth + 8)}) << "record " << i;
            EXPECT_EQ(s.dst, wire::IpAddress{address_at(f, eth + 24)}) << "record " << i;
            EXPECT_EQ(s.ttl, byte_at(f, eth + 7)) << "the hop limit, record " << i;
            ++frames;
        }
    }
    EXPECT_GE(frames, 30u);
}

TEST(Ipv6Frames, TcpSegmentsHaveTheirPortsFlagsAndNumbers) {
    const Capture c("tcp6_handshake.pcap");
    size_t segments = 0;
    for (size_t i = 0; i < c.size(); ++i) {
        const base::ByteSpan f = c.frame(i);
        if (be16_at(f, 12) != 0x86dd || byte_at(f, eth + 6) != 6) continue;
        const FrameSummary s = sim::summarize_frame(f);
        constexpr size_t tcp = eth + 40;
        EXPECT_EQ(s.proto, wire::IpProtocol::tcp);
        ASSERT_TRUE(s.tcp && s.ports) << "record " << i;
        EXPECT_EQ(s.sport, be16_at(f, tcp));
        EXPECT_EQ(s.dport, be16_at(f, tcp + 2));
        EXPECT_EQ(s.seq, uint32_t{be16_at(f, tcp + 4)} << 16 | be16_at(f, tcp + 6));
        EXPECT_EQ(s.flags.bits(), byte_at(f, tcp + 13) | (byte_at(f, tcp + 12) & 1) << 8);
        const size_t header = static_cast<size_t>(byte_at(f, tcp + 12) >> 4) * 4;
        EXPECT_EQ(s.payload, f.size() - tcp - header) << "record " << i;
        ++segments;
    }
    EXPECT_GE(segments, 6u);
}

TEST(Ipv6Frames, FragmentsSayWhereTheyStartAndOnlyTheFirstHasTheUpperHeader) {
    const Capture c("ipv6_fragments.pcap");
    int firsts = 0, others = 0;
    for (size_t i = 0; i < c.size(); ++i) {
        const base::ByteSpan f = c.frame(i);
        if (be16_at(f, 12) != 0x86dd || byte_at(f, eth + 6) != 44) continue;
        const FrameSummary s = sim::summarize_frame(f);
        constexpr size_t frag = eth + 40;  // the fragment header
        const uint16_t offset = be16_at(f, frag + 2) & 0xfff8;
        const bool more = (byte_at(f, frag + 3) & 1) != 0;
        EXPECT_TRUE(s.fragment);
        EXPECT_EQ(s.frag_offset, offset) << "record " << i;
        EXPECT_EQ(s.more_fragments, more) << "record " << i;
        EXPECT_EQ(s.id, be16_at(f, frag + 6)) << "the identification's low half";
        EXPECT_EQ(s.proto, wire::IpProtocol{byte_at(f, frag)});
        if (offset == 0) {
            ++firsts;
            EXPECT_TRUE(s.icmp && s.icmp_echo) << "the first fragment holds the echo header";
            EXPECT_EQ(s.icmp_type, byte_at(f, frag + 8));
            EXPECT_EQ(s.icmp_seq, be16_at(f, frag + 8 + 6));
        } else {
            ++others;
            EXPECT_FALSE(s.icmp || s.ports) << "a later fragment has no upper header";
        }
    }
    EXPECT_EQ(firsts, 2) << "the request's and the reply's";
    EXPECT_GE(others, 2);
}

TEST(Ipv6Frames, NeighbourDiscoveryAndEchoAreIcmpv6WithTheirTypes) {
    const Capture c("ndp_icmpv6_echo.pcap");
    std::vector<uint8_t> types;
    for (size_t i = 0; i < c.size(); ++i) {
        const FrameSummary s = sim::summarize_frame(c.frame(i));
        ASSERT_EQ(s.proto, wire::IpProtocol::icmpv6);
        ASSERT_TRUE(s.icmp);
        types.push_back(s.icmp_type);
        if (s.icmp_type == 128 || s.icmp_type == 129) {
            EXPECT_TRUE(s.icmp_echo);
            EXPECT_EQ(s.icmp_id, be16_at(c.frame(i), eth + 40 + 4));
        }
    }
    EXPECT_EQ(types, (std::vector<uint8_t>{135, 136, 128, 129}));
}

// The report's layers: Ethernet, IPv6, then the upper layer, each without a
// problem (every checksum right); a damaged copy is said to be damaged.
TEST(Ipv6Frames, EveryFrameDissectsIntoItsLayersWithRightChecksums) {
    for (std::string_view name : ipv6_captures) {
        SCOPED_TRACE(name);
        const Capture c(name);
        for (size_t i = 0; i < c.size(); ++i) {
            const base::ByteSpan f = c.frame(i);
            if (be16_at(f, 12) != 0x86dd) continue;
            const auto layers = report::dissect(f);
            ASSERT_GE(layers.size(), 3u) << "record " << i;
            EXPECT_EQ(layers[0].name, "Ethernet II");
            EXPECT_EQ(layers[1].name, "IPv6");
            const std::string& upper = layers[2].name;
            EXPECT_TRUE(upper == "TCP" || upper == "UDP" || upper == "ICMPv6" ||
                        upper == "Fragment data")
                << upper << ", record " << i;
            for (const auto& l : layers)
                EXPECT_EQ(l.problem, "") << l.name << ", record " << i;
        }
    }
    const Capture c("udp6.pcap");
    std::vector<std::byte> damaged(c.frame(0).begin(), c.frame(0).end());
    damaged.back() ^= std::byte{0x01};
    const auto layers = report::dissect(damaged);
    ASSERT_GE(layers.size(), 3u);
    EXPECT_EQ(layers[2].name, "UDP");
    EXPECT_EQ(layers[2].problem, "bad checksum");
}

}  // namespace
