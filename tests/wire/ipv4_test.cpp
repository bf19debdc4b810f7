#include "wire/ipv4.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "testing/data.hpp"
#include "testing/generators.hpp"

namespace {

using testing_support::from_hex;
using wire::Error;

// An ICMP echo request from Linux ping, 84 bytes total; header checksum 0x7fb4.
std::vector<std::byte> ping_packet() {
    auto b = from_hex("45 00 00 54 a6 f2 40 00 40 01 7f b4 0a 00 00 01 0a 00 00 02");
    b.resize(84, std::byte{0x61});
    return b;
}

TEST(Ipv4, ParsesEveryHeaderField) {
    const auto b = ping_packet();
    auto v = wire::Ipv4View::parse(b);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->version(), 4);
    EXPECT_EQ(v->header_len(), 20u);
    EXPECT_EQ(v->total_len(), 84);
    EXPECT_EQ(v->identification(), 0xa6f2);
    EXPECT_TRUE(v->dont_fragment());
    EXPECT_FALSE(v->more_fragments());
    EXPECT_FALSE(v->is_fragment());
    EXPECT_EQ(v->ttl(), 64);
    EXPECT_EQ(v->protocol(), wire::IpProtocol::icmp);
    EXPECT_EQ(v->checksum(), 0x7fb4);
    EXPECT_TRUE(v->checksum_valid());
    EXPECT_EQ(v->payload().size(), 64u);
    auto r = wire::Ipv4Repr::parse(*v);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->src, (wire::Ipv4Address{10, 0, 0, 1}));
    EXPECT_EQ(r->dst, (wire::Ipv4Address{10, 0, 0, 2}));
    EXPECT_EQ(r->payload_len, 64);
}

TEST(Ipv4, ExcludesLinkPadding) {
    auto b = from_hex("45 00 00 1c 00 01 00 00 40 11 00 00 0a 00 00 01 0a 00 00 02");
    b.resize(28 + 18);  // 18 bytes of Ethernet padding
    auto v = wire::Ipv4View::parse(b);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->bytes().size(), 28u);
    EXPECT_EQ(v->payload().size(), 8u);
}

TEST(Ipv4, SkipsOptionsSafely) {
    // IHL 6: one 4-byte option (router alert: 94 04 00 00).
    auto b = from_hex("46 00 00 20 00 01 00 00 01 02 00 00 0a 00 00 01 e0 00 00 16 94 04 00 00");
    b.resize(32, std::byte{0x11});
    base::store_be16(b, 10, wire::checksum::compute(base::ByteSpan{b}.first(24)));
    auto v = wire::Ipv4View::parse(b);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->header_len(), 24u);
    EXPECT_EQ(v->options().size(), 4u);
    EXPECT_EQ(v->payload().size(), 8u);
    EXPECT_EQ(v->payload()[0], std::byte{0x11});
    EXPECT_TRUE(wire::Ipv4Repr::parse(*v));
}

TEST(Ipv4, RejectsWithSpecificErrors) {
    const auto good = ping_packet();
    EXPECT_EQ(wire::Ipv4View::parse(base::ByteSpan{good}.first(19)).error(), Error::truncated);

    auto v6 = good;
    v6[0] = std::byte{0x65};
    EXPECT_EQ(wire::Ipv4View::parse(v6).error(), Error::bad_version);

    auto short_ihl = good;
    short_ihl[0] = std::byte{0x44};
    EXPECT_EQ(wire::Ipv4View::parse(short_ihl).error(), Error::bad_header_length);

    auto long_ihl = from_hex("4f 00 00 14 00 00 00 00 40 01 00 00 0a 00 00 01 0a 00 00 02");
    EXPECT_EQ(wire::Ipv4View::parse(long_ihl).error(), Error::truncated);

    auto total_below_header = good;
    base::store_be16(total_below_header, 2, 19);
    EXPECT_EQ(wire::Ipv4View::parse(total_below_header).error(), Error::bad_length);

    auto total_beyond_data = good;
    base::store_be16(total_beyond_data, 2, 85);
    EXPECT_EQ(wire::Ipv4View::parse(total_beyond_data).error(), Error::truncated);

    auto corrupt = good;
    corrupt[8] = std::byte{63};  // TTL changed, checksum not updated
    auto v = wire::Ipv4View::parse(corrupt);
    ASSERT_TRUE(v);
    EXPECT_FALSE(v->checksum_valid());
    EXPECT_EQ(wire::Ipv4Repr::parse(*v).error(), Error::bad_checksum);
    EXPECT_TRUE(wire::Ipv4Repr::parse(*v, wire::ChecksumCheck::ignore));
}

TEST(Ipv4, FragmentFields) {
    const wire::Ipv4Repr r{.src = {10, 0, 0, 1},
                           .dst = {10, 0, 0, 2},
                           .protocol = wire::IpProtocol::udp,
                           .identification = 7,
                           .more_fragments = true,
                           .fragment_offset = 1480,
                           .payload_len = 1480};
    std::vector<std::byte> b(20 + 1480);
    r.emit(b);
    EXPECT_EQ(base::load_be16(b, 6), 0x2000 | (1480 / 8));
    auto v = wire::Ipv4View::parse(b);
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->is_fragment());
    EXPECT_EQ(v->fragment_offset(), 1480);
}

TEST(Ipv4, DecrementTtlKeepsChecksumValid) {
    auto b = ping_packet();
    for (int expected = 63; expected >= 0; --expected) {
        EXPECT_EQ(wire::ipv4::decrement_ttl(b), expected);
        ASSERT_TRUE(wire::Ipv4View::parse(b)->checksum_valid()) << "ttl " << expected;
    }
}

RC_GTEST_PROP(Ipv4, EmitParseRoundTrip, ()) {
    const wire::Ipv4Repr r = *testing_support::gen::ipv4_repr();
    std::vector<std::byte> b(wire::Ipv4Repr::buffer_len() + r.payload_len);
    r.emit(b);
    auto v = wire::Ipv4View::parse(b);
    RC_ASSERT(v.has_value());
    RC_ASSERT(v->checksum_valid());
    RC_ASSERT(wire::Ipv4Repr::parse(*v).value() == r);
}

RC_GTEST_PROP(Ipv4, DecrementTtlMatchesFullRecompute, ()) {
    wire::Ipv4Repr r = *testing_support::gen::ipv4_repr();
    r.ttl = *rc::gen::inRange<uint8_t>(1, 255);
    r.payload_len = 0;
    std::vector<std::byte> b(20);
    r.emit(b);
    wire::ipv4::decrement_ttl(b);
    std::vector<std::byte> expected(20);
    --r.ttl;
    r.emit(expected);
    RC_ASSERT(b == expected);
}

}  // namespace

namespace {

TEST(Ipv4, ParseTruncatedAcceptsAQuotedDatagram) {
    const auto full = ping_packet();
    const base::ByteSpan quote = base::ByteSpan{full}.first(28);  // header + 8 bytes
    EXPECT_EQ(wire::Ipv4View::parse(quote).error(), Error::truncated);
    auto v = wire::Ipv4View::parse_truncated(quote);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->total_len(), 84);
    EXPECT_EQ(v->payload().size(), 8u);
    EXPECT_TRUE(v->checksum_valid());
    // The header itself must still be whole and sane.
    EXPECT_EQ(wire::Ipv4View::parse_truncated(base::ByteSpan{full}.first(19)).error(),
              Error::truncated);
    auto bad = full;
    bad[0] = std::byte{0x44};
    EXPECT_EQ(wire::Ipv4View::parse_truncated(bad).error(), Error::bad_header_length);
}

TEST(Ipv4, SetFragmentFieldsKeepsFlagsAndChecksum) {
    auto b = ping_packet();  // DF set
    wire::ipv4::set_fragment_fields(base::MutableByteSpan{b}.first(20), 48, true, 1480);
    auto v = wire::Ipv4View::parse_truncated(b);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->total_len(), 48);
    EXPECT_TRUE(v->dont_fragment());
    EXPECT_TRUE(v->more_fragments());
    EXPECT_EQ(v->fragment_offset(), 1480);
    EXPECT_TRUE(v->checksum_valid());
}

}  // namespace
