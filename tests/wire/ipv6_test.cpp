#include "wire/ipv6.hpp"

#include <array>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace {

using wire::Error;
using wire::Ipv6Address;
using wire::Ipv6Repr;
using wire::Ipv6View;

// Bytes written out by hand from RFC 8200 §3's layout, not by the codec.
std::vector<std::byte> bytes(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (int v : values)
        out.push_back(static_cast<std::byte>(v));
    return out;
}

// An echo request header from fe80::1 to ff02::1: version 6, traffic class
// 0xab, flow label 0xcdef1, 8 payload bytes, next header 58 (ICMPv6), hop
// limit 255.
std::vector<std::byte> echo_header() {
    auto b = bytes({0x6a, 0xbc, 0xde, 0xf1, 0x00, 0x08, 58, 255});
    const auto src = bytes({0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    const auto dst = bytes({0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    b.insert(b.end(), src.begin(), src.end());
    b.insert(b.end(), dst.begin(), dst.end());
    return b;
}

std::vector<std::byte> with_payload(std::vector<std::byte> header, std::vector<std::byte> payload) {
    const size_t n = payload.size();
    header[4] = static_cast<std::byte>(n >> 8);
    header[5] = static_cast<std::byte>(n);
    header.insert(header.end(), payload.begin(), payload.end());
    return header;
}

TEST(Ipv6View, ReadsEveryFieldOfAKnownHeader) {
    auto packet = echo_header();
    const auto payload = bytes({128, 0, 0, 0, 0, 1, 0, 1});  // an echo request, checksum 0
    packet.insert(packet.end(), payload.begin(), payload.end());
    const auto v = Ipv6View::parse(packet);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->version(), 6);
    EXPECT_EQ(v->traffic_class(), 0xab);
    EXPECT_EQ(v->flow_label(), 0xcdef1u);
    EXPECT_EQ(v->payload_len(), 8);
    EXPECT_EQ(v->next_header(), 58);
    EXPECT_EQ(v->hop_limit(), 255);
    EXPECT_EQ(v->src(), Ipv6Address::parse("fe80::1").value());
    EXPECT_EQ(v->dst(), Ipv6Address::all_nodes());
    EXPECT_EQ(v->payload().size(), 8u);
    EXPECT_EQ(v->payload()[0], std::byte{128});
}

TEST(Ipv6Repr, EmitsTheKnownHeaderByteForByte) {
    auto packet = with_payload(echo_header(), bytes({128, 0, 0, 0, 0, 1, 0, 1}));
    const Ipv6Repr repr = Ipv6Repr::parse(Ipv6View::parse(packet).value());
    std::array<std::byte, Ipv6Repr::buffer_len()> out{};
    repr.emit(out);
    EXPECT_TRUE(std::equal(out.begin(), out.end(), packet.begin()));
}

TEST(Ipv6View, RejectsShortWrongAndOverlongPackets) {
    auto packet = with_payload(echo_header(), bytes({1, 2, 3, 4}));
    EXPECT_EQ(Ipv6View::parse(base::ByteSpan(packet).first(39)).error(), Error::truncated);
    auto v4 = packet;
    v4[0] = std::byte{0x45};
    EXPECT_EQ(Ipv6View::parse(v4).error(), Error::bad_version);
    auto longer = packet;
    longer[5] = std::byte{5};  // says 5 payload bytes, 4 are there
    EXPECT_EQ(Ipv6View::parse(longer).error(), Error::truncated);
    auto padded = packet;
    padded.insert(padded.end(), {std::byte{0}, std::byte{0}});  // Ethernet padding
    EXPECT_EQ(Ipv6View::parse(padded).value().bytes().size(), 44u);
}

// An ICMPv6 error quotes as much of the packet as fits: the view covers the
// bytes there are, never more than the packet's own length.
TEST(Ipv6View, AQuotedPacketMayBeCutShort) {
    auto packet = with_payload(echo_header(), bytes({1, 2, 3, 4, 5, 6, 7, 8}));
    const auto cut = Ipv6View::parse_truncated(base::ByteSpan(packet).first(44));
    ASSERT_TRUE(cut);
    EXPECT_EQ(cut->payload_len(), 8) << "the length the packet had";
    EXPECT_EQ(cut->payload().size(), 4u) << "the bytes the quote has";
    EXPECT_EQ(cut->dst(), Ipv6Address::all_nodes());
    auto padded = packet;
    padded.insert(padded.end(), {std::byte{0}, std::byte{0}});
    EXPECT_EQ(Ipv6View::parse_truncated(padded)->bytes().size(), 48u);
    EXPECT_EQ(Ipv6View::parse_truncated(base::ByteSpan(packet).first(39)).error(),
              Error::truncated);
    auto v4 = packet;
    v4[0] = std::byte{0x45};
    EXPECT_EQ(Ipv6View::parse_truncated(v4).error(), Error::bad_version);
}

RC_GTEST_PROP(Ipv6Repr, EmitThenParseGivesTheSameRepr, ()) {
    const auto a = *rc::gen::container<std::array<uint8_t, 16>>(rc::gen::arbitrary<uint8_t>());
    const auto b = *rc::gen::container<std::array<uint8_t, 16>>(rc::gen::arbitrary<uint8_t>());
    const Ipv6Repr repr{.src = Ipv6Address{a},
                        .dst = Ipv6Address{b},
                        .next_header = *rc::gen::arbitrary<uint8_t>(),
                        .hop_limit = *rc::gen::arbitrary<uint8_t>(),
                        .traffic_class = *rc::gen::arbitrary<uint8_t>(),
                        .flow_label = *rc::gen::inRange<uint32_t>(0, 1u << 20),
                        .payload_len = *rc::gen::inRange<uint16_t>(0, 64)};
    std::vector<std::byte> packet(Ipv6Repr::buffer_len() + repr.payload_len);
    repr.emit(packet);
    const auto v = Ipv6View::parse(packet);
    RC_ASSERT(v.has_value());
    RC_ASSERT(Ipv6Repr::parse(*v) == repr);
}

// ---- the extension-header chain ------------------------------------------

// A packet whose fixed header says `first`, followed by `rest`.
std::vector<std::byte> chain_packet(int first, std::vector<std::byte> rest) {
    auto h = echo_header();
    h[6] = static_cast<std::byte>(first);
    return with_payload(h, std::move(rest));
}

constexpr int udp = 17, icmpv6 = 58;

TEST(Ipv6Chain, WithoutExtensionsTheUpperLayerFollowsTheHeader) {
    const auto p = chain_packet(udp, bytes({0, 1, 0, 2, 0, 8, 0, 0}));
    const auto c = wire::walk_extensions(Ipv6View::parse(p).value()).value();
    EXPECT_EQ(c.upper, udp);
    EXPECT_EQ(c.upper_at, 40u);
    EXPECT_EQ(c.upper_named_at, 6u) << "the fixed header's next header names it";
    EXPECT_EQ(c.extension_headers, 0u);
    EXPECT_FALSE(c.hop_by_hop_options || c.routing || c.fragment);
}

TEST(Ipv6Chain, WalksHopByHopThenDestinationOptionsToTheUpperLayer) {
    // Hop-by-hop, 8 bytes: next 60, length 0, router alert (5, 2, 0, 0), Pad1, Pad1.
    // Destination options, 16 bytes: next 17, length 1, PadN of 12 bytes.
    auto rest = bytes({60, 0, 5, 2, 0, 0, 0, 0});
    const auto dest = bytes({udp, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    rest.insert(rest.end(), dest.begin(), dest.end());
    const auto udp_header = bytes({0, 1, 0, 2, 0, 8, 0, 0});
    rest.insert(rest.end(), udp_header.begin(), udp_header.end());
    const auto p = chain_packet(0, rest);
    const auto c = wire::walk_extensions(Ipv6View::parse(p).value()).value();
    EXPECT_EQ(c.upper, udp);
    EXPECT_EQ(c.upper_at, 40u + 8 + 16);
    EXPECT_EQ(c.upper_named_at, 40u + 8) << "the destination options header names it";
    EXPECT_EQ(c.extension_headers, 2u);
    ASSERT_TRUE(c.hop_by_hop_options);
    EXPECT_EQ(c.hop_by_hop_options->size(), 6u);
    EXPECT_EQ((*c.hop_by_hop_options)[0], std::byte{5});
}

TEST(Ipv6Chain, HopByHopAnywhereButFirstIsRefused) {
    const auto p = chain_packet(60, bytes({0, 0, 1, 4, 0, 0, 0, 0,  // dest opts → hop-by-hop
                                           udp, 0, 1, 4, 0, 0, 0, 0}));
    EXPECT_EQ(wire::walk_extensions(Ipv6View::parse(p).value()).error(), Error::unsupported);
}

TEST(Ipv6Chain, OptionsThatRunPastTheirHeaderAreRefused) {
    // PadN claims 7 bytes where 6 are left.
    const auto p = chain_packet(0, bytes({udp, 0, 1, 7, 0, 0, 0, 0}));
    EXPECT_EQ(wire::walk_extensions(Ipv6View::parse(p).value()).error(), Error::option_overrun);
    // An option type with no room for its length byte.
    const auto q = chain_packet(0, bytes({udp, 0, 0, 0, 0, 0, 0, 5}));
    EXPECT_EQ(wire::walk_extensions(Ipv6View::parse(q).value()).error(), Error::option_overrun);
}

TEST(Ipv6Chain, AHeaderLongerThanThePacketIsTruncated) {
    const auto p = chain_packet(60, bytes({udp, 1, 1, 4, 0, 0, 0, 0}));  // says 16 bytes, has 8
    EXPECT_EQ(wire::walk_extensions(Ipv6View::parse(p).value()).error(), Error::truncated);
    const auto q = chain_packet(44, bytes({udp, 0, 0, 0}));  // half a fragment header
    EXPECT_EQ(wire::walk_extensions(Ipv6View::parse(q).value()).error(), Error::truncated);
}

TEST(Ipv6Chain, ReportsARoutingHeaderForTheStackToJudge) {
    // Type 0 (deprecated, RFC 5095) with two segments left and one address.
    auto rest = bytes({icmpv6, 2, 0, 2, 0, 0, 0, 0});
    rest.resize(rest.size() + 16);
    const auto p = chain_packet(43, rest);
    const auto c = wire::walk_extensions(Ipv6View::parse(p).value()).value();
    ASSERT_TRUE(c.routing);
    EXPECT_EQ(c.routing->type, 0);
    EXPECT_EQ(c.routing->segments_left, 2);
    EXPECT_EQ(c.routing->header_at, 40u);
    EXPECT_EQ(c.upper, icmpv6);
    EXPECT_EQ(c.upper_at, 40u + 24);
}

TEST(Ipv6Chain, AFirstFragmentIsWalkedThroughALaterOneStopsAtItsData) {
    // Offset 0, more fragments, identification 0x01020304, then UDP.
    const auto first = chain_packet(44, bytes({udp, 0, 0x00, 0x01, 1, 2, 3, 4, 0, 1, 0, 2}));
    const auto c = wire::walk_extensions(Ipv6View::parse(first).value()).value();
    ASSERT_TRUE(c.fragment);
    EXPECT_EQ(c.fragment->offset, 0);
    EXPECT_TRUE(c.fragment->more);
    EXPECT_EQ(c.fragment->identification, 0x01020304u);
    EXPECT_EQ(c.upper, udp);
    EXPECT_EQ(c.upper_at, 48u);
    // Offset 1448 bytes (181 units), last fragment; its data looks like a header.
    const auto later = chain_packet(44, bytes({60, 0, 0x05, 0xa8, 1, 2, 3, 4, 60, 200, 0, 0}));
    const auto d = wire::walk_extensions(Ipv6View::parse(later).value()).value();
    ASSERT_TRUE(d.fragment);
    EXPECT_EQ(d.fragment->offset, 1448);
    EXPECT_FALSE(d.fragment->more);
    EXPECT_EQ(d.upper, 60) << "the fragment header's next header, not walked into";
    EXPECT_EQ(d.upper_at, 48u);
}

TEST(Ipv6Chain, TooManyHeadersAreRefused) {
    std::vector<std::byte> rest;
    for (size_t i = 0; i < wire::ipv6::max_extension_headers + 1; ++i) {
        const auto dest = bytes({60, 0, 1, 4, 0, 0, 0, 0});
        rest.insert(rest.end(), dest.begin(), dest.end());
    }
    const auto p = chain_packet(60, rest);
    EXPECT_EQ(wire::walk_extensions(Ipv6View::parse(p).value()).error(), Error::unsupported);
    // Exactly the limit is a packet.
    std::vector<std::byte> fits(rest.begin(), rest.end() - 8);
    fits[fits.size() - 8] = std::byte{udp};
    const auto q = chain_packet(60, fits);
    EXPECT_EQ(wire::walk_extensions(Ipv6View::parse(q).value()).value().extension_headers,
              wire::ipv6::max_extension_headers);
}

}  // namespace
